package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
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
		{[]string{"--today", "1999-05-01"}, "1999-05-01 is not a date from 2000 on"},
		{[]string{"--today", data.Today().AddDays(1).String()}, "--today " + data.Today().AddDays(1).String() + " is after today"},
	} {
		err := dispatch(append([]string{"demo", "--db", db}, c.args...), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
		}
	}
}

// TestDemoCSVRefusesAFutureToday: an extract of tomorrow would have
// migrant records that `migrant` refuses as arriving in the future, so
// none is written.
func TestDemoCSVRefusesAFutureToday(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "extract")
	tomorrow := data.Today().AddDays(1).String()
	err := dispatch([]string{"demo", "--csv", dir, "--students", "500", "--today", tomorrow}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--today "+tomorrow+" is after today") {
		t.Errorf("demo --csv --today %s: got %v, want a refusal naming --today", tomorrow, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("demo --csv --today %s made %s (%v)", tomorrow, dir, err)
	}
}

// TestKilledDemoLeavesNoHalfDatabase kills demo (kill -9) once the
// extract is written and before the records and users are: the --db it
// was given then does not exist, rather than holding an extract that the
// app would open as a hub's database with no one to sign in as, and that
// a second demo refuses. The next demo into that file makes it whole.
func TestKilledDemoLeavesNoHalfDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	cmd := startChild(t, "demo", "--db", db, "--students", "3000", "--today", "2025-10-15")
	deadline := time.Now().Add(2 * time.Minute)
	for !holdsStudents(dir) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no file in the folder held students after 2 minutes")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(db); err == nil {
		if users := query(t, db, `SELECT count(*) FROM users`); users[0] == "0" {
			t.Fatalf("demo killed after writing the extract left %s with the extract and no users", db)
		}
		// Whole: the demo finished before the kill, on a fast machine.
		for _, f := range []string{db, db + "-wal", db + "-shm"} {
			os.Remove(f)
		}
	}
	if _, err := run(t, "demo", "--db", db, "--students", "500", "--today", "2025-10-15"); err != nil {
		t.Fatalf("a demo into the file a killed one was making: %v", err)
	}
	// demo.db-lock is the mark Migrant Desk holds the database by, which
	// the new database took its name under, as the app makes it.
	if got := files(t, dir); !slices.Equal(got, []string{"demo.db", "demo.db-lock"}) {
		t.Errorf("the folder holds %v, want demo.db and demo.db-lock alone", got)
	}
}

// holdsStudents tells whether a database file in dir has students yet,
// reading without waiting on its writer.
func holdsStudents(dir string) bool {
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, name := range names {
		if strings.HasSuffix(name, "-wal") || strings.HasSuffix(name, "-shm") || strings.HasSuffix(name, "-journal") {
			continue
		}
		conn, err := sql.Open("sqlite", "file:"+(&url.URL{Path: name}).EscapedPath()+"?mode=ro")
		if err != nil {
			continue
		}
		var n int
		err = conn.QueryRow(`SELECT count(*) FROM students`).Scan(&n)
		conn.Close()
		if err == nil && n > 0 {
			return true
		}
	}
	return false
}
