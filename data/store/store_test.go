package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
)

func TestOpenCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "new.db")
	st, err := store.Open(path)
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
	if err := st.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal mode %q, %v", mode, err)
	}
	var fk int
	if err := st.DB().QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign keys %d, %v", fk, err)
	}
}

// A database path that names a file of another kind (the extract's
// students.csv given to --db) is refused in words that say so, and the
// file is left as it was: not made private to the one who mistyped, nor
// given -wal and -shm files. The audit check refuses it alike.
func TestOpenLeavesAFileThatIsNoDatabase(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no mode bits to tighten")
	}
	for _, mode := range []os.FileMode{0o644, 0o600} {
		path := filepath.Join(t.TempDir(), "students.csv")
		if err := os.WriteFile(path, []byte("state_id,last_name\n0123456789,García\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, err := store.Open(path)
		if err == nil || !strings.Contains(err.Error(), path+" is not a Migrant Desk database, nor any SQLite database") {
			t.Errorf("mode %04o: opening a CSV file as the database: %v", mode, err)
		}
		if _, err := store.VerifyAuditFile(context.Background(), path); err == nil || !strings.Contains(err.Error(), "is not a Migrant Desk database") {
			t.Errorf("mode %04o: the audit check of a CSV file: %v", mode, err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("mode %04o: the CSV file is now %v (%v)", mode, fi.Mode().Perm(), err)
		}
		for _, beside := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(path + beside); err == nil {
				t.Errorf("mode %04o: opening the CSV file made %s beside it", mode, beside)
			}
		}
	}
}

// TestSavesSurvivePowerLoss: a record saved, or an answer of the hub
// recorded, is on the disk when the write returns. In WAL mode SQLite's
// synchronous=NORMAL writes the log to the disk only at checkpoints: a
// power cut or a crash of Windows loses the last transactions, records
// the clerk was told were saved and that never reached the hub among
// them. Only a snapshot's pages, pulled again with their cursor should a
// power cut take them back, go without, and the writer is back to FULL
// after each, the last of a snapshot cut short by the network among them.
func TestSavesSurvivePowerLoss(t *testing.T) {
	ctx := context.Background()
	synchronous := func(st *store.Store, after string) {
		t.Helper()
		var level int
		if err := st.DB().QueryRow(`PRAGMA synchronous`).Scan(&level); err != nil || level != 2 {
			t.Errorf("after %s the writer's synchronous is %d (%v), want 2 (FULL)", after, level, err)
		}
	}
	desk := storetest.OpenEmpty(t)
	apply(t, desk, page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: "students\x1fS1"}, true, scope()...))
	synchronous(desk, "a snapshot's first page")

	st := storetest.Open(t)
	synchronous(st, "opening")
	if _, err := st.SaveRecord(ctx, storetest.User(storetest.Clerk), data.MigrantRecord{StateID: storetest.Maria,
		MIS2000ID: "4512345", QAD: data.NewDate(2025, 9, 1), EED: data.NewDate(2028, 8, 31)}); err != nil {
		t.Fatal(err)
	}
	synchronous(st, "a save")
	if _, err := st.ImportExtract(ctx, storetest.Extract(), "tester"); err != nil {
		t.Fatal(err)
	}
	synchronous(st, "an import")
}

func TestReopenKeepsDataAndDoesNotBackUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportExtract(context.Background(), storetest.Extract(), "t"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := count(t, st, `SELECT count(*) FROM students`); n != len(storetest.Extract().Students) {
		t.Fatalf("%d students after reopening", n)
	}
	backups, _ := filepath.Glob(path + ".v*.bak")
	if len(backups) != 0 {
		t.Fatalf("a database already up to date was backed up: %v", backups)
	}
}

func TestMigrationBacksUpFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.ImportExtract(context.Background(), storetest.Extract(), "t"); err != nil {
		t.Fatal(err)
	}
	shipped := len(store.Migrations())
	next := append(store.Migrations(), `CREATE TABLE later (x TEXT)`)
	if err := st.ApplyMigrations(next); err != nil {
		t.Fatal(err)
	}
	backups, _ := filepath.Glob(fmt.Sprintf("%s.v%d-*.bak", path, shipped))
	if len(backups) != 1 {
		t.Fatalf("want one backup of version %d, got %v", shipped, backups)
	}
	old, err := store.Open(backups[0])
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if n := count(t, old, `SELECT count(*) FROM students`); n != len(storetest.Extract().Students) {
		t.Fatalf("backup holds %d students", n)
	}
	if info, _ := os.Stat(backups[0]); info.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v", info.Mode().Perm())
	}
	// A broken migration leaves the schema where it was.
	broken := append(append([]string{}, next...), `CREATE TABLE later (x TEXT)`)
	if err := st.ApplyMigrations(broken); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", shipped+2)) {
		t.Fatalf("broken migration: %v", err)
	}
	var v int
	st.DB().QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != shipped+1 {
		t.Fatalf("user_version %d after a failed migration", v)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st.DB().Exec(`PRAGMA user_version = 99`)
	st.Close()
	if _, err := store.Open(path); err == nil || !strings.Contains(err.Error(), "newer than this program knows") {
		t.Fatalf("got %v", err)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	st := storetest.Open(t)
	if n := count(t, st, `SELECT count(*) FROM audit WHERE action = 'import extract'`); n != 1 {
		t.Fatalf("%d import audit rows", n)
	}
	if _, err := st.DB().Exec(`UPDATE audit SET username = 'someone else'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("update of audit: %v", err)
	}
	if _, err := st.DB().Exec(`DELETE FROM audit`); err == nil {
		t.Fatal("delete from audit succeeded")
	}
}

func TestReimportKeepsAppDataAndReplacesStudentRows(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	rec, err := st.SaveRecord(ctx, data.Operator("clerk"), storetest.Record(t, storetest.Maria, "123", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	ex := storetest.Extract()
	ex.Students[0].LastName = "García-López"
	ex.Enrollments = ex.Enrollments[:1] // María only
	ex.Enrollments[0].End = storetest.Day(t, "2026-06-30")
	ex.Students = ex.Students[:1]
	ex.Programs = nil
	if _, err := st.ImportExtract(ctx, ex, "tester"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(*) FROM migrant_records WHERE id = ?`, rec.ID); n != 1 {
		t.Fatal("re-import lost a migrant record")
	}
	if n := count(t, st, `SELECT count(*) FROM programs WHERE state_id = ?`, storetest.Maria); n != 0 {
		t.Fatal("programs of a re-imported student were not replaced")
	}
	if n := count(t, st, `SELECT count(*) FROM enrollments WHERE state_id = ?`, storetest.Ana); n != 2 {
		t.Fatal("a student the extract does not list lost enrollments")
	}
	if n := count(t, st, `SELECT count(*) FROM enrollments WHERE id = 'E1' AND end_date = '2026-06-30'`); n != 1 {
		t.Fatal("withdrawal date not updated")
	}
	if n := count(t, st, `SELECT count(*) FROM name_tokens WHERE state_id = ? AND field IN (?, ?)
		AND token IN ('garcia', 'lopez', 'garcialopez')`, storetest.Maria, store.TokLast, store.TokLastJoined); n != 3 {
		t.Fatalf("last-name tokens after rename: %d, want garcia, lopez, garcialopez", n)
	}
	if n := count(t, st, `SELECT count(*) FROM district_students WHERE state_id = ?`, storetest.Maria); n != 1 {
		t.Fatalf("district_students rows after re-import: %d, want Adair only", n)
	}
}

func TestImportExtractIsAllOrNothing(t *testing.T) {
	st := storetest.Open(t)
	ex := storetest.Extract()
	ex.Students[0].FirstName = "Changed"
	ex.Enrollments = append(ex.Enrollments, ex.Enrollments[0]) // fine: upsert
	ex.Enrollments = append(ex.Enrollments, storetest.Extract().Enrollments[0])
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

// Programs opening one database at the same moment (two hub commands, or
// the app and a scheduled sync, after an upgrade) migrate it once
// between them: none fails on a migration another has just applied.
func TestMigrationsOnceWhenOpenedTogether(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	const n = 4
	opened := make(chan *store.Store, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			st, err := store.Open(path)
			if err != nil {
				errs <- err
				return
			}
			opened <- st
		}()
	}
	var stores []*store.Store
	for range n {
		select {
		case err := <-errs:
			t.Errorf("opened together with others: %v", err)
		case st := <-opened:
			stores = append(stores, st)
		}
	}
	if len(stores) != n {
		t.FailNow()
	}
	// And an upgrade that finds them all open.
	next := append(store.Migrations(), `CREATE TABLE later (x TEXT)`)
	done := make(chan error, n)
	for _, st := range stores {
		go func() { done <- st.ApplyMigrations(next) }()
	}
	for range n {
		if err := <-done; err != nil {
			t.Errorf("upgraded together with others: %v", err)
		}
	}
	for _, st := range stores {
		st.Close()
	}
}

// TestFullDiskSaysWhatToDo: a save refused because the disk is full says
// so, and what to do, rather than SQLite's "database or disk is full
// (13)", which a clerk cannot act on and which the app's next sync, and
// the one after, would show again: nothing mends it but space made on
// the disk. Nothing of the save is written.
func TestFullDiskSaysWhatToDo(t *testing.T) {
	st := storetest.Open(t)
	// SQLite's own limit on the file's pages fails a write as a full disk does.
	var pages int
	if err := st.DB().QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 60 && err == nil; i++ {
		_, err = st.SaveRecord(context.Background(), storetest.User(storetest.Clerk), data.MigrantRecord{StateID: storetest.Maria,
			MIS2000ID: fmt.Sprint(4500000 + i), QAD: data.NewDate(2025, 9, 1).AddDays(-20 * i), EED: data.NewDate(2025, 9, 1).AddDays(-20*i + 10)})
	}
	if err == nil {
		t.Fatal("no save met the full disk")
	}
	if msg := err.Error(); !strings.Contains(msg, "the disk is full: free some space on the disk that holds "+st.Path()) {
		t.Errorf("a save on a full disk says %q", msg)
	}
}

// TestReadOnlyDatabaseSaysWhatToDo: a save into a database that cannot
// be written (a read-only file, folder or disk) says so and what to do,
// rather than SQLite's "attempt to write a readonly database (8)".
func TestReadOnlyDatabaseSaysWhatToDo(t *testing.T) {
	st := storetest.Open(t)
	// SQLite refuses a query-only connection's writes as it does those
	// to a file it could open only for reading.
	if _, err := st.DB().Exec(`PRAGMA query_only = 1`); err != nil {
		t.Fatal(err)
	}
	_, err := st.SaveRecord(context.Background(), storetest.User(storetest.Clerk), data.MigrantRecord{StateID: storetest.Maria,
		MIS2000ID: "4512345", QAD: data.NewDate(2025, 9, 1), EED: data.NewDate(2028, 8, 31)})
	if err == nil || !strings.Contains(err.Error(), st.Path()+" cannot be written, being read-only") {
		t.Errorf("a save into a read-only database says %v", err)
	}
}

// TestOpenSayingTellsTheUpgrade: what keeps an open long is told as it
// happens, for the app to show while the person waits: the copy of a
// database of an earlier release, named, a wait for another program's
// write, then the upgrade. A database already up to date says nothing.
// ofEarlierRelease makes a database holding the extract as the release
// before this one left it.
func ofEarlierRelease(t *testing.T) (path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "o.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportExtract(context.Background(), storetest.Extract(), "t"); err != nil {
		t.Fatal(err)
	}
	if v := len(store.Migrations()); v != 14 {
		t.Fatalf("schema version %d: make the database older by undoing its last migration here", v)
	}
	// Schema version 14 indexed the refused mutations.
	if _, err := st.DB().Exec(`DROP INDEX outbox_refused; PRAGMA user_version = 13`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	return path
}

// writing begins a write to the database at path by another program,
// which the caller rolls back.
func writing(t *testing.T, path string) *sql.Tx {
	t.Helper()
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	write, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := write.Exec(`UPDATE meta SET value = value`); err != nil {
		t.Fatal(err)
	}
	return write
}

func TestOpenSayingTellsTheUpgrade(t *testing.T) {
	path := ofEarlierRelease(t)
	write := writing(t, path)

	said := make(chan string, 10)
	opened := make(chan error, 1)
	go func() {
		st, err := store.OpenSaying(path, func(what string) { said <- what })
		if err == nil {
			st.Close()
		}
		opened <- err
	}()
	next := func(want string) string {
		t.Helper()
		select {
		case what := <-said:
			if !strings.HasPrefix(what, want) {
				t.Fatalf("the open said %q, want %q…", what, want)
			}
			return what
		case <-time.After(30 * time.Second):
			t.Fatalf("the open did not say %q…", want)
		}
		return ""
	}
	copied := next("this database is of an earlier release of Migrant Desk: keeping a copy of it as o.db.v13-")
	next(store.WaitMessage)
	write.Rollback()
	next(store.WaitOverMessage)
	upgrading := next("upgrading the database to this release of Migrant Desk (the earlier one is kept as o.db.v13-")
	if err := <-opened; err != nil {
		t.Fatal(err)
	}
	backup := strings.TrimSuffix(upgrading[strings.LastIndex(upgrading, " ")+1:], ")")
	if !strings.HasSuffix(copied, backup+", then upgrading it") {
		t.Errorf("the open named the copy %q, then %q", copied, upgrading)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), backup)); err != nil {
		t.Errorf("the copy the open named: %v", err)
	}

	st, err := store.OpenSaying(path, func(what string) { said <- what })
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	select {
	case what := <-said:
		t.Errorf("opening a database already up to date said %q", what)
	default:
	}
}

// TestOpenContextStopsTheUpgrade: an upgrade stopped (a scheduled sync
// giving way to the app) stops at once, whether it copies the database
// or waits for another program's write, leaves no half-made copy and
// the schema where it was, and the next open upgrades it.
func TestOpenContextStopsTheUpgrade(t *testing.T) {
	path := ofEarlierRelease(t)
	version := func() (v int) {
		t.Helper()
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}

	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	if st, err := store.OpenContext(stopped, path); !errors.Is(err, context.Canceled) {
		if err == nil {
			st.Close()
		}
		t.Fatalf("an open stopped before it began the copy: %v", err)
	}
	if copies, _ := filepath.Glob(path + ".v13-*.bak"); len(copies) != 0 {
		t.Errorf("an open stopped while it copied the database left %v", copies)
	}
	if v := version(); v != 13 {
		t.Errorf("an open stopped before the upgrade left schema version %d", v)
	}

	write := writing(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	opened := make(chan error, 1)
	go func() {
		st, err := store.OpenContext(ctx, path)
		if err == nil {
			st.Close()
		}
		opened <- err
	}()
	time.Sleep(1500 * time.Millisecond)
	cancel()
	select {
	case err := <-opened:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("an open stopped while it waited for another write: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an open stopped while it waited for another write went on waiting")
	}
	write.Rollback()
	if v := version(); v != 13 {
		t.Errorf("an open stopped while it waited left schema version %d", v)
	}

	st, err := store.Open(path)
	if err != nil {
		t.Fatalf("the next open: %v", err)
	}
	defer st.Close()
	if n := count(t, st, `SELECT count(*) FROM students`); n != len(storetest.Extract().Students) {
		t.Errorf("after the upgrade the database holds %d students", n)
	}
	if v := version(); v != len(store.Migrations()) {
		t.Errorf("the next open left schema version %d", v)
	}
}
