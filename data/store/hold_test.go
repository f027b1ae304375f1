package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"migrantdesk/data/store"
)

// TestHold: a database held is refused to a second holder, in words
// that say where the first one is, and free again once released.
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
		!strings.Contains(err.Error(), "closed while it upgraded the database has no window") {
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
