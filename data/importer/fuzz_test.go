package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"migrantdesk/data"
)

// memory is an extract held in memory, so that fuzzing need not write
// files.
type memory map[string][]byte

func (m memory) label(name string) string { return name + ".csv" }

func (m memory) open(name string) (rows, Problem, bool, error) {
	at := Problem{File: m.label(name)}
	b, ok := m[name]
	if !ok {
		return nil, at, false, fmt.Errorf("%s: %w", at.File, os.ErrNotExist)
	}
	return newCSVRows(bytes.NewReader(b), nil, int64(len(b))), at, false, nil
}

func (m memory) close() error { return nil }

func readMemory(m memory) (*data.Extract, error) {
	var ex data.Extract
	if err := scan(m, data.Today(), &ex); err != nil {
		return nil, err
	}
	return &ex, nil
}

func goodMemory(t testing.TB) memory {
	m := memory{}
	for _, name := range []string{"regions", "districts", "schools", "students", "enrollments", "programs", "assessments"} {
		b, err := os.ReadFile(filepath.Join("testdata", "good", name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		m[name] = b
	}
	return m
}

// FuzzReadCSV puts arbitrary bytes in students.csv or enrollments.csv of
// the good extract. The reader must not panic, must answer with a list of
// problems or a valid extract, and a valid extract written back as CSV
// must read the same.
func FuzzReadCSV(f *testing.F) {
	good := goodMemory(f)
	bad, err := os.ReadFile("testdata/students_40_bad.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(false, good["students"])
	f.Add(false, bad)
	f.Add(true, good["enrollments"])
	f.Add(false, []byte("state_id,last_name\n1,\"a\"\"b\"\n"))
	f.Add(true, []byte("\xef\xbb\xbfENROLLMENT_ID,state_id,school_number,grade,service_type,start_date,end_date,x\r\n"+
		"\"E\n1\",0001234567,004201,\"1\",s,2/3/2024,\r\n"))
	f.Fuzz(func(t *testing.T, enrollments bool, content []byte) {
		m := goodMemory(t)
		name := "students"
		if enrollments {
			name = "enrollments"
		}
		m[name] = content
		ex, err := readMemory(m)
		if err != nil {
			var pl *ProblemList
			if !errors.As(err, &pl) || pl.Len() == 0 {
				t.Fatalf("want a problem list, got %v", err)
			}
			for _, p := range pl.Problems {
				if p.File == "" || p.Line < 0 || p.Msg == "" {
					t.Fatalf("a problem that says too little: %+v", p)
				}
			}
			return
		}
		checkExtract(t, ex)
		m[name] = writeCSV(t, name, ex)
		again, err := readMemory(m)
		if err != nil {
			t.Fatalf("the extract written back is refused: %v", err)
		}
		if !reflect.DeepEqual(ex, again) {
			t.Fatalf("read back differently:\n%+v\n%+v", ex, again)
		}
	})
}

// checkExtract checks the rules a valid extract keeps.
func checkExtract(t *testing.T, ex *data.Extract) {
	students, schools, enrollments := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range ex.Schools {
		schools[s.Number] = true
	}
	for _, s := range ex.Students {
		if s.StateID == "" || s.LastName == "" || s.FirstName == "" || s.BirthDate.IsZero() || students[s.StateID] ||
			data.GenderName(s.Gender) == "" || data.RaceName(s.Race) == "" {
			t.Fatalf("bad student %+v", s)
		}
		students[s.StateID] = true
	}
	for _, e := range ex.Enrollments {
		if e.ID == "" || enrollments[e.ID] || !students[e.StateID] || !schools[e.SchoolNumber] ||
			data.ClassOf(e.Grade) == data.GradeUnknown || data.ValidateServiceType(e.ServiceType) != nil ||
			e.Start.IsZero() || (!e.End.IsZero() && e.End < e.Start) {
			t.Fatalf("bad enrollment %+v", e)
		}
		enrollments[e.ID] = true
	}
	for _, p := range ex.Programs {
		if !students[p.StateID] {
			t.Fatalf("program of an unknown student %+v", p)
		}
	}
	for _, a := range ex.Assessments {
		if !students[a.StateID] {
			t.Fatalf("assessment of an unknown student %+v", a)
		}
	}
}

func writeCSV(t *testing.T, name string, ex *data.Extract) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	switch name {
	case "students":
		w.Write(studentColumns)
		for _, s := range ex.Students {
			w.Write([]string{s.StateID, s.LocalNumber, s.LastName, s.FirstName, s.MiddleName, s.BirthDate.String(), s.Gender, s.Race})
		}
	case "enrollments":
		w.Write(enrollmentColumns)
		for _, e := range ex.Enrollments {
			w.Write([]string{e.ID, e.StateID, e.SchoolNumber, e.Grade, e.ServiceType, e.Start.String(), e.End.String()})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzReadMigrantRecords reads arbitrary bytes as migrant_records.csv: no
// panic, and either a list of problems or rows that keep the file's rules.
func FuzzReadMigrantRecords(f *testing.F) {
	good, err := os.ReadFile("testdata/migrant_records.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("state_id,mis2000_id,qad,eed\n1,2,3,4\n"))
	f.Add([]byte("state_id,mis2000_id,qad,eed\n\"1\n\",000,1/2/2020,\n,,,\n"))
	f.Fuzz(func(t *testing.T, content []byte) {
		recs, err := readRecords(newCSVRows(bytes.NewReader(content), nil, int64(len(content))), Problem{File: "migrant_records.csv"}, false)
		if err != nil {
			var pl *ProblemList
			if !errors.As(err, &pl) || pl.Len() == 0 || !strings.Contains(err.Error(), "migrant_records.csv") {
				t.Fatalf("want a problem list, got %v", err)
			}
			return
		}
		last := 1
		for _, r := range recs {
			if r.Line <= last || r.StateID == "" || data.ValidateMIS2000ID(r.MIS2000ID) != nil || r.QAD.IsZero() {
				t.Fatalf("bad row %+v after line %d", r, last)
			}
			last = r.Line
		}
	})
}
