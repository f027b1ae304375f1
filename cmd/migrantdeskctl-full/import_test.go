package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"maps"
	"migrantdesk/data"
	"migrantdesk/data/store"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

const goodExtract = "../../data/importer/testdata/good"

// run runs a migrantdeskctl command and returns what it printed.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := dispatch(args, &out)
	return out.String(), err
}

// copyExtract copies a fixture extract to a temp folder, so that a test
// can edit it.
func copyExtract(t *testing.T, from string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, filepath.Join(dir, e.Name()), string(b))
	}
	return dir
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// query returns the rows of a query on the database file, each row's
// columns joined by "|".
func query(t *testing.T, db, q string, args ...any) []string {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		s := make([]string, len(vals))
		for i, v := range vals {
			s[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(s, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// snapshot is the content of every table: its row count and a checksum
// of its rows, in any order.
func snapshot(t *testing.T, db string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	for _, table := range query(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`) {
		rows := query(t, db, `SELECT * FROM "`+table+`"`)
		sort.Strings(rows)
		snap[table] = fmt.Sprintf("%d rows, %x", len(rows), sha256.Sum256([]byte(strings.Join(rows, "\n"))))
	}
	return snap
}

func TestImportGoodExtract(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	out, err := run(t, "import", "--db", db, goodExtract)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Imported 2 regions, 2 districts, 3 schools, 3 students, 4 enrollments, 5 program rows, 3 assessments") {
		t.Errorf("output: %s", out)
	}
	checks := []struct {
		query string
		want  []string
	}{
		{`SELECT number, district_number, public FROM schools ORDER BY number`,
			[]string{"004201|0042|1", "004202|0042|1", "010701|0107|0"}},
		{`SELECT state_id, local_number, last_name, first_name, middle_name, birth_date, gender, race, last_key FROM students ORDER BY state_id`,
			[]string{
				"0001234567|L-01|Núñez|María|José|2012-03-04|F|1|nunez",
				"0001234568||García López|Juan||2010-06-15|M|1|garcia lopez",
				"0009876543|077|O'Neil, Jr.|Sam||2015-09-01|X|6|oneil jr",
			}},
		{`SELECT id, state_id, school_number, grade, service_type, start_date, end_date FROM enrollments ORDER BY id`,
			[]string{
				"E0001|0001234567|004201|05|P|2024-08-14|",
				"E0002|0001234568|004202|09|P|2024-08-14|2025-01-31",
				"E0003|0001234568|010701|09|S|2025-02-03|",
				"E0004|0009876543|004201|K|P|2024-08-14|",
			}},
		{`SELECT state_id, program, code, start_date, end_date FROM programs ORDER BY state_id, program`,
			[]string{
				"0001234567|FRAM|F|2024-08-01|2025-06-30",
				"0001234567|IEP||2022-01-10|",
				"0001234568|EL||2023-08-01|",
				"0001234568|FRAM|R|2024-08-01|",
				"0009876543|HOMELESS||2024-09-10|2024-12-20",
			}},
		{`SELECT state_id, subject, test_date, performance_level FROM assessments ORDER BY state_id, subject`,
			[]string{
				"0001234567|MATH|2025-04-15|Proficient",
				"0001234567|READING|2025-04-16|Apprentice",
				"0001234568|MATH|2025-04-15|Novice",
			}},
	}
	for _, c := range checks {
		if got := query(t, db, c.query); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", c.query, got, c.want)
		}
	}
}

func TestRefusedImportChangesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	bad := copyExtract(t, goodExtract)
	b, err := os.ReadFile("../../data/importer/testdata/students_40_bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(bad, "students.csv"), string(b))

	// A newer extract the database refuses halfway: a trigger stands for
	// whatever only the database can see, and fails on the last table,
	// after every other one has been written.
	late := newerExtract(t)
	trigger := func(t *testing.T, db string) {
		query(t, db, `CREATE TRIGGER refuse BEFORE INSERT ON assessments WHEN NEW.state_id = '0001234568'
			BEGIN SELECT RAISE(ABORT, 'refused for the test'); END`)
	}

	tests := []struct {
		name    string
		extract string
		prepare func(*testing.T, string)
		err     string
		lines   int // problems printed
	}{
		{"forty bad lines", bad, nil, "import: the extract was refused: 42 problems, nothing was imported", 42},
		{"refused by the database", late, trigger, "import: the database refused the extract, nothing was imported", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prepare != nil {
				tt.prepare(t, db)
			}
			before := snapshot(t, db)
			out, err := run(t, "import", "--db", db, tt.extract)
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Fatalf("got %v, want %s", err, tt.err)
			}
			if n := strings.Count(out, "\n"); n != tt.lines {
				t.Errorf("printed %d lines, want %d:\n%s", n, tt.lines, out)
			}
			if after := snapshot(t, db); !reflect.DeepEqual(before, after) {
				t.Errorf("the database changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// newerExtract is the good extract a month later: a student's last name
// is corrected, one enrollment has ended, another has begun.
func newerExtract(t *testing.T) string {
	dir := copyExtract(t, goodExtract)
	writeTestFile(t, filepath.Join(dir, "students.csv"),
		"state_id,local_student_number,last_name,first_name,middle_name,birth_date,gender,race_ethnicity\n"+
			"0001234567,L-01,Núñez,María,José,2012-03-04,F,1\n"+
			"0001234568,,Gómez,Juan,,06/15/2010,M,1\n"+
			"0009876543,077,\"O'Neil, Jr.\",Sam,,2015-09-01,X,6\n")
	writeTestFile(t, filepath.Join(dir, "enrollments.csv"),
		"enrollment_id,state_id,school_number,grade,service_type,start_date,end_date\n"+
			"E0001,0001234567,004201,05,P,2024-08-14,2026-10-30\n"+
			"E0002,0001234568,004202,09,P,2024-08-14,2025-01-31\n"+
			"E0003,0001234568,010701,09,S,2025-02-03,\n"+
			"E0004,0009876543,004201,K,P,2024-08-14,\n"+
			"E0005,0001234567,004202,06,P,2026-11-02,\n")
	return dir
}

func TestReimportKeepsWhatTheAppEntered(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "migrant", "--db", db, "../../data/importer/testdata/migrant_records.csv", "--publish"); err != nil {
		t.Fatal(err)
	}
	records := query(t, db, `SELECT id, state_id, mis2000_id, qad, eed, version, published_version FROM migrant_records ORDER BY state_id`)
	published := query(t, db, `SELECT record_id, district_number, version FROM published ORDER BY record_id, district_number`)
	if len(records) != 2 || len(published) != 3 {
		t.Fatalf("setting up: %d records, %d published copies", len(records), len(published))
	}

	out, err := run(t, "import", "--db", db, newerExtract(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "3 students, 5 enrollments") {
		t.Errorf("output: %s", out)
	}
	checks := []struct {
		query string
		want  []string
	}{
		{`SELECT last_name, last_key FROM students WHERE state_id = '0001234568'`, []string{"Gómez|gomez"}},
		{`SELECT token FROM name_tokens WHERE state_id = '0001234568' AND field = 0 ORDER BY token`, []string{"gomez"}},
		{`SELECT id, school_number, start_date, end_date FROM enrollments WHERE state_id = '0001234567' ORDER BY id`,
			[]string{"E0001|004201|2024-08-14|2026-10-30", "E0005|004202|2026-11-02|"}},
		{`SELECT count(*) FROM enrollments`, []string{"5"}},
		{`SELECT id, state_id, mis2000_id, qad, eed, version, published_version FROM migrant_records ORDER BY state_id`, records},
		{`SELECT record_id, district_number, version FROM published ORDER BY record_id, district_number`, published},
		{`SELECT action FROM audit WHERE action LIKE 'import%' ORDER BY seq`, []string{"import extract", "import extract"}},
	}
	for _, c := range checks {
		if got := query(t, db, c.query); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", c.query, got, c.want)
		}
	}
}

func TestImportArguments(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"import", "--db", db}, "import: name one extract"},
		{[]string{"import", "--db", db, "a", "b"}, "import: name one extract"},
		{[]string{"import", "--db", db, "--nope", goodExtract}, "import: flag provided but not defined: -nope"},
		{[]string{"import", "--db", db, filepath.Join(t.TempDir(), "none")}, "import: the extract was refused: there is no folder or workbook at "},
		{[]string{"import", goodExtract, "--db", db}, ""},
	}
	for _, tt := range tests {
		_, err := run(t, tt.args...)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)) {
			t.Errorf("%q: got %v, want %q", tt.args, err, tt.err)
		}
	}
}

// A workstation's database that syncs with a hub takes the state extract
// from the hub only: the command line refuses to load one into it, as
// the app does, and leaves it as it was.
func TestImportRefusedOnASyncedWorkstation(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	syncedAs(t, db, syncedClerk)
	before := snapshot(t, db)
	_, err := run(t, "import", "--db", db, goodExtract)
	if err == nil || !strings.Contains(err.Error(), "syncs with the hub at https://hub.example") {
		t.Fatalf("an import into a synced workstation's database: %v", err)
	}
	// Said once, and not as the database refusing the extract's rows.
	if msg := err.Error(); !strings.HasPrefix(msg, "import: nothing was imported: ") || strings.Count(msg, "nothing was imported") != 1 || strings.Contains(msg, "database refused") {
		t.Errorf("the refusal reads %q", msg)
	}
	if after := snapshot(t, db); !maps.Equal(after, before) {
		t.Errorf("the refused import changed the database: %v, was %v", after, before)
	}
}

// syncedClerk is the user syncedAs makes a database a workstation of.
var syncedClerk = data.User{Username: "rosa", FullName: "Rosa Delgado", Role: data.RoleClerk, RegionCode: "C"}

// syncedAs makes the database at db a workstation's that u has synced
// with a hub.
func syncedAs(t *testing.T, db string, u data.User) {
	t.Helper()
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	err = st.SetIdentity(context.Background(), store.Identity{HubURL: "https://hub.example", User: u, Verifier: "v"})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// movedNote is what an import prints of movedExtract over goodExtract.
const movedNote = "The extract gives 1 enrollment to another student than before, under the same enrollment_id: " +
	"E0004 from student 0009876543 to student 0001234567. Check it in the state's system if a student's records were not merged there.\n"

// movedExtract is goodExtract with enrollment E0004 given to another
// student, as a state's system gives it when it merges two students'
// records, or when it reuses an ID by mistake.
func movedExtract(t *testing.T) string {
	dir := copyExtract(t, goodExtract)
	b, err := os.ReadFile(filepath.Join(dir, "enrollments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, "enrollments.csv"),
		strings.Replace(string(b), "E0004,0009876543,", "E0004,0001234567,", 1))
	return dir
}

// importMoved imports goodExtract then movedExtract into db, whose rows
// q reads, and checks that the second import moves the enrollment and
// says so, once, in what it prints and in its audit row, and that the
// first and an import of the same extract again say nothing of it.
func importMoved(t *testing.T, db string, q func(query string) []string) {
	t.Helper()
	if out, err := run(t, "import", "--db", db, goodExtract); err != nil || strings.Contains(out, "enrollment_id") {
		t.Fatalf("the first import: %v\n%s", err, out)
	}
	moved := movedExtract(t)
	out, err := run(t, "import", "--db", db, moved)
	if err != nil || strings.Count(out, movedNote) != 1 {
		t.Fatalf("the import that moves an enrollment: %v\n%s", err, out)
	}
	if out, err := run(t, "import", "--db", db, moved); err != nil || strings.Contains(out, "enrollment_id") {
		t.Fatalf("the same extract again: %v\n%s", err, out)
	}
	if got := q(`SELECT state_id FROM enrollments WHERE id = 'E0004'`); !reflect.DeepEqual(got, []string{"0001234567"}) {
		t.Fatalf("E0004 is under %q", got)
	}
	logged := q(`SELECT after FROM audit WHERE action = 'import extract' ORDER BY seq`)
	if len(logged) != 3 || !strings.HasSuffix(logged[1], strings.TrimSuffix(movedNote, "\n")) || strings.Contains(logged[2], "enrollment_id") {
		t.Fatalf("the imports' audit rows: %q", logged)
	}
}

// TestImportSaysWhichEnrollmentsMoved: an extract that gives an
// enrollment ID to another student moves it, as the state's record
// says, and the import says so (TestImportIntoPostgresSaysWhichEnrollmentsMoved
// checks the same of a PostgreSQL hub).
func TestImportSaysWhichEnrollmentsMoved(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	importMoved(t, db, func(q string) []string { return query(t, db, q) })
}
