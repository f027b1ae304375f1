package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestCloseWaitsForTheWriter: Close waits for a write under way (a sync's
// snapshot page, when the app quits with a sync running) to let the
// writer's connection go before it finalizes the statements such a write
// steps, and the write commits.
func TestCloseWaitsForTheWriter(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "close.db"))
	if err != nil {
		t.Fatal(err)
	}
	writing, release := make(chan struct{}), make(chan struct{})
	wrote := make(chan error, 1)
	go func() {
		wrote <- s.write(context.Background(), func(tx *sql.Tx) error {
			close(writing)
			<-release
			return setMeta(tx, "close_test", "written")
		})
	}()
	<-writing
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a write held the writer", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-wrote; err != nil {
		t.Fatalf("the write under way: %v", err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	s, err = Open(s.path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v string
	if err := s.DB().QueryRow(`SELECT value FROM meta WHERE key = 'close_test'`).Scan(&v); err != nil || v != "written" {
		t.Fatalf("the write under way at Close: %q, %v", v, err)
	}
}
