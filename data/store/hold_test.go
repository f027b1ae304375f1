package store_test

import (
	"errors"
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
	if !strings.Contains(err.Error(), "already open with "+db) || !strings.Contains(err.Error(), "switch to its window") {
		t.Errorf("the refusal: %v", err)
	}
	release()
	again, err := store.Hold(db)
	if err != nil {
		t.Fatalf("released, the database stayed held: %v", err)
	}
	again()
}
