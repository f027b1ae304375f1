package importer

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with the input, located precisely enough for
// a person to open the file and fix it.
type Problem struct {
	File   string // the CSV file's name, or the workbook's
	Sheet  string // the workbook sheet; "" for a CSV file
	Line   int    // 1-based line of a CSV file (the header is line 1) or row of a sheet; 0 for the whole file
	Column string // the header name of the column at fault; "" for the whole line
	Msg    string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Sheet != "" {
		b.WriteString(", sheet ")
		b.WriteString(p.Sheet)
	}
	if p.Line > 0 {
		if p.Sheet != "" {
			fmt.Fprintf(&b, ", row %d", p.Line)
		} else {
			fmt.Fprintf(&b, " line %d", p.Line)
		}
	}
	if p.Column != "" {
		b.WriteString(", column ")
		b.WriteString(p.Column)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	return b.String()
}

// MaxProblems is how many problems a ProblemList keeps. Past it the input
// is plainly the wrong file or in the wrong format, and a count says more
// than another million lines would.
const MaxProblems = 100_000

// maxPrinted caps the problems Error lists, so a log or a dialog stays
// readable; the full list is in Problems.
const maxPrinted = 200

// ProblemList is the error of an input that was refused: every problem
// found, in file and line order.
type ProblemList struct {
	Problems []Problem
	Dropped  int // problems found beyond MaxProblems, counted but not kept
}

// Len is the number of problems found, kept or not.
func (l *ProblemList) Len() int { return len(l.Problems) + l.Dropped }

func (l *ProblemList) Error() string {
	var b strings.Builder
	if l.Len() == 1 {
		b.WriteString("1 problem:")
	} else {
		fmt.Fprintf(&b, "%d problems:", l.Len())
	}
	for i, p := range l.Problems {
		if i == maxPrinted {
			break
		}
		b.WriteString("\n")
		b.WriteString(p.String())
	}
	if more := l.Len() - min(len(l.Problems), maxPrinted); more > 0 {
		fmt.Fprintf(&b, "\n… and %d more", more)
	}
	return b.String()
}

func (l *ProblemList) add(p Problem) {
	if len(l.Problems) >= MaxProblems {
		l.Dropped++
		return
	}
	l.Problems = append(l.Problems, p)
}

// err is nil for an empty list, so that callers can return it as is.
func (l *ProblemList) err() error {
	if l.Len() == 0 {
		return nil
	}
	return l
}
