package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A re-import of the extract whose folder lacks programs.csv and
// assessments.csv (here saved as "programs (1).csv" and
// "assessments.csv.txt", as a browser or Windows names a second copy)
// must not wipe the program rows and assessments already stored: those
// rows stay, and the import says so.
func TestReimportWithoutProgramsKeepsThem(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	programs := query(t, db, `SELECT state_id, program, code, start_date, end_date FROM programs ORDER BY 1, 2, 4`)
	assessments := query(t, db, `SELECT state_id, subject, test_date, performance_level FROM assessments ORDER BY 1, 2, 3`)
	if len(programs) == 0 || len(assessments) == 0 {
		t.Fatalf("setting up: %d programs, %d assessments", len(programs), len(assessments))
	}

	dir := copyExtract(t, goodExtract)
	if err := os.Rename(filepath.Join(dir, "programs.csv"), filepath.Join(dir, "programs (1).csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "assessments.csv"), filepath.Join(dir, "assessments.csv.txt")); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "import", "--db", db, dir)
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	if got := query(t, db, `SELECT state_id, program, code, start_date, end_date FROM programs ORDER BY 1, 2, 4`); !reflect.DeepEqual(got, programs) {
		t.Errorf("program rows after the re-import: %q\nbefore: %q", got, programs)
	}
	if got := query(t, db, `SELECT state_id, subject, test_date, performance_level FROM assessments ORDER BY 1, 2, 3`); !reflect.DeepEqual(got, assessments) {
		t.Errorf("assessments after the re-import: %q\nbefore: %q", got, assessments)
	}
	for _, want := range []string{"no programs.csv", "program rows stored are kept", "no assessments.csv", "assessments stored are kept"} {
		if !strings.Contains(out, want) {
			t.Errorf("the re-import does not say %q:\n%s", want, out)
		}
	}
}

// An extract that carries programs.csv with its header alone still says
// that the students it lists have no programs: their stored rows go.
func TestReimportWithEmptyProgramsReplacesThem(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	assessments := query(t, db, `SELECT state_id, subject, test_date, performance_level FROM assessments ORDER BY 1, 2, 3`)
	dir := copyExtract(t, goodExtract)
	writeTestFile(t, filepath.Join(dir, "programs.csv"), "state_id,program,code,start_date,end_date\n")
	out, err := run(t, "import", "--db", db, dir)
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	if got := query(t, db, `SELECT state_id, program FROM programs`); len(got) > 0 {
		t.Errorf("program rows after a re-import with an empty programs.csv: %q", got)
	}
	if got := query(t, db, `SELECT state_id, subject, test_date, performance_level FROM assessments ORDER BY 1, 2, 3`); !reflect.DeepEqual(got, assessments) {
		t.Errorf("assessments after the re-import: %q\nbefore: %q", got, assessments)
	}
	if strings.Contains(out, "kept") {
		t.Errorf("the re-import says rows were kept:\n%s", out)
	}
}
