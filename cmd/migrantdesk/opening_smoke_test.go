package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestOpeningShownAndWaitedFor: a database that takes long to open (an
// upgrade from an earlier release, here one that waits for another
// program's write) shows a window that says so, then the main window;
// the app quit while it opens waits for the upgrade to end, and ends.
func TestOpeningShownAndWaitedFor(t *testing.T) {
	bin, db := placeSetup(t)
	display := startXvfb(t)
	config := filepath.Join(t.TempDir(), "config")
	clerk, _ := pickStudent(t, db)
	// Schema version 14 indexed the refused mutations: undone, the file
	// is one of the release before, which the app upgrades.
	older := func() *sql.Tx {
		return olderWaiting(t, db, `DROP INDEX outbox_refused; PRAGMA user_version = 13`)
	}
	size := func(d *desk) geometry { return d.waitFor(func(geometry) bool { return true }) }

	write := older()
	d := startDesk(t, bin, display, config, mainTitle, "--db", db, "--user", clerk)
	if g := size(d); g.W > 700 {
		t.Fatalf("while the database waited to be upgraded, a window of %v showed, not the small one saying so", g)
	}
	write.Rollback()
	if !d.mainShows() {
		t.Fatalf("the main window did not show once the database could be upgraded:\n%s", d.out)
	}
	d.quit()

	// Quit while the upgrade waits: the app waits for it, then ends.
	write = older()
	d = startDesk(t, bin, display, config, mainTitle, "--db", db, "--user", clerk)
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-d.exited:
		d.ended = true
		t.Fatalf("the app ended in the middle of the upgrade (%v)", err)
	case <-time.After(2 * time.Second):
	}
	write.Rollback()
	select {
	case err := <-d.exited:
		d.ended = true
		if err != nil {
			t.Fatalf("the app did not end cleanly once the upgrade was done (%v):\n%s", err, d.out)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("the app did not end within 20 s of the upgrade:\n%s", d.out)
	}
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var version int
	if err := conn.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != 14 {
		t.Errorf("after the app quit during the upgrade, the schema version is %d (%v), not 14", version, err)
	}
}

// TestOpeningFailedAfterQuitIsSaid: the app quit while its database is
// upgraded, an upgrade that then fails is said on standard error, and
// the app ends with a failure, not as if all went well: no window said
// it.
func TestOpeningFailedAfterQuitIsSaid(t *testing.T) {
	bin, db := placeSetup(t)
	display := startXvfb(t)
	clerk, _ := pickStudent(t, db)
	// The index the upgrade makes is there already: it fails.
	write := olderWaiting(t, db, `PRAGMA user_version = 13`)
	d := startDesk(t, bin, display, filepath.Join(t.TempDir(), "config"), mainTitle, "--db", db, "--user", clerk)
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	write.Rollback()
	select {
	case err := <-d.exited:
		d.ended = true
		if err == nil || !strings.Contains(d.out.String(), "upgrade database "+db) {
			t.Errorf("the upgrade failed after the app quit, and the app ended with %v, saying:\n%s", err, d.out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the app did not end within 30 s of the upgrade:\n%s", d.out)
	}
}

// olderWaiting makes the database at db one of the release before by
// undo, which undoes the last migration, then begins another program's
// write, which an upgrade waits for until the transaction ends.
func olderWaiting(t *testing.T, db, undo string) *sql.Tx {
	t.Helper()
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var version int
	if err := conn.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != 14 {
		t.Fatalf("schema version %d: make the database older by undoing its last migration here", version)
	}
	if _, err := conn.Exec(undo); err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE meta SET value = value WHERE key = 'demo'`); err != nil {
		t.Fatal(err)
	}
	return tx
}
