package store_test

import (
	"strings"
	"testing"

	"migrantdesk/data/store"
)

// TestOpenAFolder: --db naming a folder says so, and what to name.
func TestOpenAFolder(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(dir)
	if err == nil {
		st.Close()
		t.Fatal("a folder opened as a database")
	}
	if !strings.Contains(err.Error(), "it is a folder, not a database file") || !strings.Contains(err.Error(), "migrantdesk.db") {
		t.Errorf("opening a folder: %v", err)
	}
}
