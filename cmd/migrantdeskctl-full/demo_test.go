package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"migrantdesk/data/store"
)

func TestDemoMakesADatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	var out bytes.Buffer
	if err := dispatch([]string{"demo", "--db", db, "--students", "500", "--seed", "9", "--today", "2025-10-15"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"500 students", "data as of 10/15/2025", "seed 9", "karen.mitchell", "Regional data clerk", "Done in"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	demo, err := st.IsDemo(context.Background())
	st.Close()
	if err != nil || !demo {
		t.Fatalf("IsDemo: %v, %v", demo, err)
	}

	err = dispatch([]string{"demo", "--db", db, "--students", "500"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "already holds a state extract") || !strings.Contains(err.Error(), "--db") {
		t.Errorf("a second demo into the same file: got %v, want a refusal that says to pick another --db", err)
	}
}

func TestDemoWritesCSV(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "extract")
	var out bytes.Buffer
	if err := dispatch([]string{"demo", "--csv", dir, "--students", "500", "--today", "2025-10-15"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"regions.csv", "districts.csv", "schools.csv", "students.csv", "enrollments.csv", "programs.csv", "assessments.csv", "migrant_records.csv"} {
		if info, err := os.Stat(filepath.Join(dir, f)); err != nil || info.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !strings.Contains(out.String(), "500 students") {
		t.Errorf("output: %s", out.String())
	}
}

func TestDemoRefusesBadFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--students", "100"}, "500 to 700000 students"},
		{[]string{"--today", "10/45/2025"}, "--today"},
		{[]string{"--students", "many"}, "invalid value"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		err := dispatch(append([]string{"demo", "--db", db}, c.args...), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
		}
	}
}
