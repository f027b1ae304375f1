package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "new.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("database mode %v, want 0600", info.Mode().Perm())
	}
	var mode string
	if err := st.r.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q, %v", mode, err)
	}
	var fk int
	if err := st.w.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign keys %d, %v", fk, err)
	}
}

func TestReopenKeepsDataAndDoesNotBackUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportExtract(context.Background(), fixture(t), "t"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := count(t, st, `SELECT count(*) FROM students`); n != 3 {
		t.Fatalf("%d students after reopening", n)
	}
	backups, _ := filepath.Glob(path + ".v*.bak")
	if len(backups) != 0 {
		t.Fatalf("a database already up to date was backed up: %v", backups)
	}
}

func TestMigrationBacksUpFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.ImportExtract(context.Background(), fixture(t), "t"); err != nil {
		t.Fatal(err)
	}
	next := append(append([]string{}, migrations...), `CREATE TABLE later (x TEXT)`)
	if err := st.applyMigrations(next); err != nil {
		t.Fatal(err)
	}
	backups, _ := filepath.Glob(fmt.Sprintf("%s.v%d-*.bak", path, len(migrations)))
	if len(backups) != 1 {
		t.Fatalf("want one backup of version %d, got %v", len(migrations), backups)
	}
	old, err := Open(backups[0])
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if n := count(t, old, `SELECT count(*) FROM students`); n != 3 {
		t.Fatalf("backup holds %d students", n)
	}
	if info, _ := os.Stat(backups[0]); info.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v", info.Mode().Perm())
	}
	// A broken migration leaves the schema where it was.
	broken := append(append([]string{}, next...), `CREATE TABLE later (x TEXT)`)
	if err := st.applyMigrations(broken); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", len(broken))) {
		t.Fatalf("broken migration: %v", err)
	}
	var v int
	st.w.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != len(next) {
		t.Fatalf("user_version %d after a failed migration", v)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.db")
	st, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st.w.Exec(`PRAGMA user_version = 99`)
	st.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer than this program knows") {
		t.Fatalf("got %v", err)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	st := openFixture(t)
	if n := count(t, st, `SELECT count(*) FROM audit WHERE action = 'import extract'`); n != 1 {
		t.Fatalf("%d import audit rows", n)
	}
	if _, err := st.w.Exec(`UPDATE audit SET username = 'someone else'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("update of audit: %v", err)
	}
	if _, err := st.w.Exec(`DELETE FROM audit`); err == nil {
		t.Fatal("delete from audit succeeded")
	}
}

func TestReimportKeepsAppDataAndReplacesStudentRows(t *testing.T) {
	st := openFixture(t)
	ctx := context.Background()
	rec, err := st.SaveRecord(ctx, "clerk", recordFor(t, "0000000001", "123", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	ex := fixture(t)
	ex.Students[0].LastName = "García-López"
	ex.Enrollments = ex.Enrollments[:1] // María only
	ex.Enrollments[0].End = day(t, "2026-06-30")
	ex.Students = ex.Students[:1]
	ex.Programs = nil
	if _, err := st.ImportExtract(ctx, ex, "tester"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(*) FROM migrant_records WHERE id = ?`, rec.ID); n != 1 {
		t.Fatal("re-import lost a migrant record")
	}
	if n := count(t, st, `SELECT count(*) FROM programs WHERE state_id = '0000000001'`); n != 0 {
		t.Fatal("programs of a re-imported student were not replaced")
	}
	if n := count(t, st, `SELECT count(*) FROM enrollments WHERE state_id = '0000000002'`); n != 2 {
		t.Fatal("a student the extract does not list lost enrollments")
	}
	if n := count(t, st, `SELECT count(*) FROM enrollments WHERE id = 'E1' AND end_date = '2026-06-30'`); n != 1 {
		t.Fatal("withdrawal date not updated")
	}
	if n := count(t, st, `SELECT count(*) FROM name_tokens WHERE state_id = '0000000001' AND field IN (?, ?)
		AND token IN ('garcia', 'lopez', 'garcialopez')`, tokLast, tokLastJoined); n != 3 {
		t.Fatalf("last-name tokens after rename: %d, want garcia, lopez, garcialopez", n)
	}
	if n := count(t, st, `SELECT count(*) FROM district_students WHERE state_id = '0000000001'`); n != 1 {
		t.Fatalf("district_students rows after re-import: %d, want Adair only", n)
	}
}

func TestImportExtractIsAllOrNothing(t *testing.T) {
	st := openFixture(t)
	ex := fixture(t)
	ex.Students[0].FirstName = "Changed"
	ex.Enrollments = append(ex.Enrollments, ex.Enrollments[0]) // fine: upsert
	ex.Enrollments = append(ex.Enrollments, fixture(t).Enrollments[0])
	ex.Enrollments[len(ex.Enrollments)-1].ID = "E9"
	ex.Enrollments[len(ex.Enrollments)-1].SchoolNumber = "999999" // no such school
	if _, err := st.ImportExtract(context.Background(), ex, "t"); err == nil {
		t.Fatal("an enrollment at an unknown school was accepted")
	}
	if n := count(t, st, `SELECT count(*) FROM students WHERE first_name = 'Changed'`); n != 0 {
		t.Fatal("a refused import changed a student")
	}
	if n := count(t, st, `SELECT count(*) FROM audit WHERE action = 'import extract'`); n != 1 {
		t.Fatal("a refused import was audited as done")
	}
}
