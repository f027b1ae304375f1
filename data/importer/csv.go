package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"migrantdesk/data"
)

// csvRows reads a CSV file: UTF-8 with or without a byte-order mark,
// RFC 4180 quoting, records of any length (the table checks them against
// the header so that it can say which line is wrong). The file is read
// within MaxFileBytes, and no line may pass MaxLineBytes.
type csvRows struct {
	r    *csv.Reader
	rec  []string
	c    io.Closer
	size int64 // bytes in the file, to size the tables read from it
	err  error // the file's encoding is not UTF-8: the only answer of next
}

var bom = []byte{0xEF, 0xBB, 0xBF}

func newCSVRows(in io.Reader, c io.Closer, size int64) *csvRows {
	in = &boundedReader{r: in, max: MaxFileBytes, left: MaxFileBytes, maxLine: MaxLineBytes}
	br := bufio.NewReaderSize(in, 1<<16)
	head, _ := br.Peek(len(oleSignature))
	err := sniffKind(head)
	if err == nil {
		err = sniffEncoding(head)
	}
	if err != nil {
		return &csvRows{c: c, err: err}
	}
	// Read as CSV, a file whose lines end in CR alone is one line: a
	// header of thousands of columns, which says nothing of the cause.
	if sample, _ := br.Peek(br.Size()); bytes.IndexByte(sample, '\r') >= 0 && bytes.IndexByte(sample, '\n') < 0 {
		return &csvRows{c: c, err: &encodingError{name: `"CSV (Macintosh)", its lines ended by a carriage return alone`}}
	}
	if bytes.HasPrefix(head, bom) {
		br.Discard(len(bom))
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return &csvRows{r: r, c: c, size: size}
}

func (c *csvRows) next() ([]string, error) {
	if c.err != nil {
		return nil, c.err
	}
	for {
		rec, err := c.r.Read()
		c.rec = rec
		// Excel saves a row cleared but still in the sheet's used range
		// as a line of commas: no record, as a blank sheet row is none.
		if err != nil || !blank(rec) {
			return rec, err
		}
	}
}

// numeric is false: a CSV file has text only.
func (c *csvRows) numeric(int) bool { return false }

func (c *csvRows) unusable(int) string { return "" }

func (c *csvRows) line(field int) int {
	if field >= len(c.rec) {
		field = 0
	}
	if len(c.rec) == 0 {
		return 0
	}
	line, _ := c.r.FieldPos(field)
	return line
}

func (c *csvRows) bytes() int64 { return c.size }

func (c *csvRows) date(field int, required bool) (data.Date, error) {
	v := c.rec[field]
	if required {
		return data.ParseDate(v)
	}
	return data.ParseOptionalDate(v)
}

func (c *csvRows) close() error {
	if c.c == nil {
		return nil
	}
	return c.c.Close()
}

// source is where the tables of an extract come from: a folder of CSV
// files or a workbook.
type source interface {
	// open returns the rows of the named table ("students") and where
	// its problems are; an absent table is an error wrapping
	// os.ErrNotExist.
	open(name string) (rs rows, at Problem, ragged bool, err error)
	// label names a table in a message: "students.csv", "sheet students".
	label(name string) string
	close() error
}

// folder is an extract as a folder of CSV files. File names are matched
// without regard to case, as they are on the Windows machines the
// extracts come from; two names that differ only in case are refused
// rather than one of them ignored.
type folder struct {
	dir   string
	names map[string][]string // lower-case name → names on disk
}

func openFolder(dir string) (*folder, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read the extract folder: %w", err)
	}
	f := &folder{dir: dir, names: map[string][]string{}}
	// Folders too: a folder named students.csv is refused as one.
	for _, e := range entries {
		k := strings.ToLower(e.Name())
		f.names[k] = append(f.names[k], e.Name())
	}
	return f, nil
}

func (f *folder) label(name string) string { return name + ".csv" }

func (f *folder) open(name string) (rows, Problem, bool, error) {
	at := Problem{File: f.label(name)}
	disk := f.names[at.File]
	switch len(disk) {
	case 0:
		// Windows hides the .txt of a text file renamed students.csv, and
		// the clerk sees the file in the folder this names. (An optional
		// table saved so is absent all the same: its stored rows are kept,
		// and the import says so.)
		if hidden := f.names[at.File+".txt"]; len(hidden) > 0 {
			return nil, at, false, fmt.Errorf("%s is not in the folder %s, but the folder has %s, whose last extension Windows may hide: rename it %s: %w",
				at.File, f.dir, strings.Join(hidden, " and "), at.File, os.ErrNotExist)
		}
		return nil, at, false, fmt.Errorf("%s is not in the folder %s: %w", at.File, f.dir, os.ErrNotExist)
	case 1:
		return openCSV(filepath.Join(f.dir, disk[0]), at)
	}
	return nil, at, false, fmt.Errorf("the folder %s has %s, names that differ only in case; keep the one to import and remove the others",
		f.dir, strings.Join(disk, " and "))
}

func openCSV(path string, at Problem) (rows, Problem, bool, error) {
	file, size, err := openRegular(path, at.File, MaxFileBytes)
	if err != nil {
		return nil, at, false, err
	}
	return newCSVRows(newStallReader(file, stallTimeout), file, size), at, false, nil
}

func (f *folder) close() error { return nil }
