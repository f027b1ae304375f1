package importer

import (
	"fmt"
	"strings"
	"testing"
)

func TestProblemListPrintsAtMost200(t *testing.T) {
	var l ProblemList
	for i := range 250 {
		l.add(Problem{File: "students.csv", Line: i + 2, Column: "state_id", Msg: "the value is missing"})
	}
	lines := strings.Split(l.Error(), "\n")
	if len(lines) != 202 {
		t.Fatalf("got %d lines, want a heading, 200 problems and a count of the rest", len(lines))
	}
	if lines[0] != "250 problems:" || lines[1] != "students.csv line 2, column state_id: the value is missing" ||
		lines[200] != "students.csv line 201, column state_id: the value is missing" || lines[201] != "… and 50 more" {
		t.Errorf("got %q … %q", lines[:2], lines[200:])
	}
	if len(l.Problems) != 250 {
		t.Errorf("the list keeps %d problems, want all 250", len(l.Problems))
	}
}

func TestProblemListKeepsAtMostMaxProblems(t *testing.T) {
	var l ProblemList
	for i := range MaxProblems + 10 {
		l.add(Problem{File: "f.csv", Line: i + 2, Msg: "bad"})
	}
	if len(l.Problems) != MaxProblems || l.Dropped != 10 || l.Len() != MaxProblems+10 {
		t.Errorf("kept %d, dropped %d", len(l.Problems), l.Dropped)
	}
	if !strings.HasPrefix(l.Error(), fmt.Sprintf("%d problems:", MaxProblems+10)) {
		t.Errorf("heading: %.40s", l.Error())
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "schools.csv", Msg: "missing"}, "schools.csv: missing"},
		{Problem{File: "a.csv", Line: 3, Msg: "bad"}, "a.csv line 3: bad"},
		{Problem{File: "a.csv", Line: 3, Column: "qad", Msg: "bad"}, "a.csv line 3, column qad: bad"},
		{Problem{File: "x.xlsx", Sheet: "students", Line: 4, Column: "gender", Msg: "bad"}, "x.xlsx, sheet students, row 4, column gender: bad"},
		{Problem{File: "x.xlsx", Sheet: "students", Msg: "no sheet"}, "x.xlsx, sheet students: no sheet"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
