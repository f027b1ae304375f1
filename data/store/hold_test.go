package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"migrantdesk/data/store"
)

// TestHold: a database held is refused to a second holder, in words
// that say where the first one is (an app closed during an upgrade
// keeps its opening window until the upgrade is done: it is not
// windowless), and free again once released.
func TestHold(t *testing.T) {
	db := filepath.Join(t.TempDir(), "Reportes QA", "migrantdesk.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	release, err := store.Hold(db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Hold(db)
	if !errors.Is(err, store.ErrHeld) {
		t.Fatalf("a database held was held again: %v", err)
	}
	if !strings.Contains(err.Error(), "already open with "+db) || !strings.Contains(err.Error(), "switch to its window") ||
		!strings.Contains(err.Error(), "closed while it upgraded the database keeps its opening window") ||
		strings.Contains(err.Error(), "no window") {
		t.Errorf("the refusal: %v", err)
	}
	release()
	again, err := store.Hold(db)
	if err != nil {
		t.Fatalf("released, the database stayed held: %v", err)
	}
	again()
}

// TestHoldThroughALink: a database opened by a link to it (ln -s) is
// the database itself, whose -wal and -shm SQLite keeps beside the file
// the link names: held by one name, it is refused by the other.
func TestHoldThroughALink(t *testing.T) {
	db := filepath.Join(t.TempDir(), "migrantdesk.db")
	if err := os.WriteFile(db, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "desk.db")
	if err := os.Symlink(db, link); err != nil {
		t.Skipf("no link can be made here: %v", err)
	}
	release, err := store.Hold(db)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if again, err := store.Hold(link); !errors.Is(err, store.ErrHeld) {
		if err == nil {
			again()
		}
		t.Fatalf("the database held as %s was held again through the link %s: %v", db, link, err)
	}
}

// TestHoldPatiently: the app waits for a command that holds its
// database, which ends by itself, and takes the database once the
// command lets it go; an app holding it is said at once, and a command
// that does not finish in time is named in the refusal.
func TestHoldPatiently(t *testing.T) {
	db := filepath.Join(t.TempDir(), "migrantdesk.db")
	sync, err := store.HoldAs(db, "migrantdeskctl sync")
	if err != nil {
		t.Fatal(err)
	}
	var held *store.HeldError
	if _, err := store.Hold(db); !errors.As(err, &held) || held.By != fmt.Sprintf("migrantdeskctl sync (process %d)", os.Getpid()) {
		t.Fatalf("a database a command holds was refused as %v, want the command named", err)
	}
	var said string
	go func() {
		time.Sleep(500 * time.Millisecond)
		sync()
	}()
	start := time.Now()
	release, err := store.HoldPatiently(context.Background(), db, func(by string) { said = by })
	if err != nil {
		t.Fatalf("the command ended, and the database was not held: %v", err)
	}
	if waited := time.Since(start); waited < 400*time.Millisecond || !strings.HasPrefix(said, "migrantdeskctl sync (process ") {
		t.Errorf("took the database after %s, having said it waited for %q", waited, said)
	}
	// Held by the app, which leaves no words of a command behind it.
	start = time.Now()
	_, err = store.HoldPatiently(context.Background(), db, func(by string) { t.Errorf("waited for %q, an app", by) })
	if !errors.As(err, &held) || held.By != "" || time.Since(start) > 2*time.Second {
		t.Errorf("a database the app holds: %v after %s, want the app named at once", err, time.Since(start))
	}
	release()

	stuck, err := store.HoldAs(db, "migrantdeskctl sync")
	if err != nil {
		t.Fatal(err)
	}
	defer stuck()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = store.HoldPatiently(ctx, db, func(string) {})
	if !errors.As(err, &held) || !strings.Contains(err.Error(), "migrantdeskctl sync (process ") ||
		!strings.Contains(err.Error(), "start Migrant Desk again once it has") {
		t.Errorf("a command that did not finish in time: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := store.HoldPatiently(ctx, db, func(string) {}); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting, quit: %v, want it said as canceled", err)
	}
}

// TestHoldPatientlyBeforeTheWords: a command that has taken the mark but
// not yet written its words is waited for like any command, not taken
// for the app and refused.
func TestHoldPatientlyBeforeTheWords(t *testing.T) {
	db := filepath.Join(t.TempDir(), "migrantdesk.db")
	say, release, err := store.HoldWordless(db)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		say("migrantdeskctl sync (process 1)")
		time.Sleep(400 * time.Millisecond)
		release()
	}()
	again, err := store.HoldPatiently(context.Background(), db, func(string) {})
	if err != nil {
		t.Fatalf("refused while a command wrote its words: %v", err)
	}
	again()
}
