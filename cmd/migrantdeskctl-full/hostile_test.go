package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"migrantdesk/data"
)

// TestProblemsAreCapped: a file with thousands of problems prints the
// first 100 and a count; --problems writes them all.
func TestProblemsAreCapped(t *testing.T) {
	dir := copyExtract(t, goodExtract)
	var b strings.Builder
	b.WriteString("state_id,local_student_number,last_name,first_name,middle_name,birth_date,gender,race_ethnicity\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "%010d,,Name,First,,2010-13-01,F,1\n", i)
	}
	writeTestFile(t, filepath.Join(dir, "students.csv"), b.String())
	db := filepath.Join(t.TempDir(), "md.db")
	out, err := run(t, "import", "--db", db, dir)
	var total int
	if err == nil {
		t.Fatal("the extract was imported")
	}
	var counted string
	if _, serr := fmt.Sscanf(err.Error(), "import: the extract was refused: %s problems", &counted); serr != nil {
		t.Fatalf("got %v", err)
	}
	if total, _ = strconv.Atoi(strings.ReplaceAll(counted, ",", "")); total < 5000 {
		t.Fatalf("got %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != maxShown+1 || lines[maxShown] != fmt.Sprintf("… and %s more problems; --problems FILE writes them all to a file", data.Thousands(total-maxShown)) {
		t.Errorf("printed %d lines, the last %q", len(lines), lines[len(lines)-1])
	}
	all := filepath.Join(t.TempDir(), "problems.txt")
	out, _ = run(t, "import", "--db", db, "--problems", all, dir)
	if !strings.Contains(out, "all are in "+all) {
		t.Errorf("the count does not say where the rest are: %s", out[len(out)-200:])
	}
	got, err := os.ReadFile(all)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(got), "\n"); n != total {
		t.Errorf("the problems file has %d lines, want %d", n, total)
	}
	if fi, err := os.Stat(all); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the problems file, which names students, is %v (%v), want -rw-------", fi.Mode(), err)
	}
}

// TestProblemsFileProtectsItsInputs: --problems naming the database, its
// journal, the input or a file of the input folder is refused before
// anything is written, and each of them is left as it was.
func TestProblemsFileProtectsItsInputs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	bad := copyExtract(t, goodExtract)
	writeTestFile(t, filepath.Join(bad, "students.csv"), "state_id,local_student_number,last_name,first_name,middle_name,birth_date,gender,race_ethnicity\n"+
		"0000000001,,Name,First,,2010-13-01,F,1\n")
	records := filepath.Join(t.TempDir(), "RECORDS.csv")
	writeTestFile(t, records, "state_id,mis2000_id,qad,eed\n0000000001,x,2010-13-01,\n")
	for _, c := range []struct {
		args []string
		file string // the file that must not change
	}{
		{[]string{"import", "--db", db, "--problems", db, bad}, db},
		{[]string{"import", "--db", db, "--problems", db + "-wal", bad}, db + "-wal"},
		{[]string{"import", "--db", db, "--problems", filepath.Join(bad, "students.csv"), bad}, filepath.Join(bad, "students.csv")},
		{[]string{"import", "--db", db, "--problems", bad, bad}, bad},
		{[]string{"migrant", "--db", db, "--problems", records, records}, records},
	} {
		before, _ := os.ReadFile(c.file)
		_, err := run(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), "--problems: cannot write "+c.file) {
			t.Errorf("%s: got %v, want --problems refused", strings.Join(c.args, " "), err)
		}
		if after, _ := os.ReadFile(c.file); string(after) != string(before) {
			t.Errorf("%s: %s was changed", strings.Join(c.args, " "), c.file)
		}
	}
	if _, err := run(t, "search", "--db", db, "--gender", "F", "--limit", "1"); err != nil {
		t.Errorf("the database no longer opens: %v", err)
	}
}

func TestSearchLimitBounded(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []string{"9223372036854775807", "10001", "0"} {
		if _, err := run(t, "search", "--db", db, "--gender", "F", "--limit", limit); err == nil ||
			!strings.Contains(err.Error(), "--limit must be between 1 and 10000") {
			t.Errorf("--limit %s: %v", limit, err)
		}
	}
	out, err := run(t, "search", "--db", db, "--district", "0042", "--limit", "1")
	if err != nil || !strings.Contains(out, "More students match than the 1 shown") {
		t.Errorf("got %v:\n%s", err, out)
	}
}
