package sqlitehub

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
)

// TestBackupWhileAnotherWriterHoldsTheLock: `hub backup` (and `hub user
// list`, `hub serve`, `hub new-epoch`) opens the hub with Open. A SQLite
// hub in service has another writer holding the write lock for long
// stretches: `migrantdeskctl import --db HUB.db` of the state extract holds
// it for the whole import, minutes for a large state. A backup reads
// (VACUUM INTO) and needs no write lock, so Open must take none once the
// cursor key exists and every user name is clean: an INSERT of the key
// (even ON CONFLICT DO NOTHING) or the name clean-up's write transaction
// at every start waited out busy_timeout and failed with "database is
// locked", for every hub command, while the lock was held.
func TestBackupWhileAnotherWriterHoldsTheLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hub.db")
	h, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Store().ImportExtract(context.Background(), hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	h.Close()

	// Another process writing, as an import does for its whole length.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Set("_txlock", "immediate")
	other, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO meta(key, value) VALUES('zz_writer', 'x') ON CONFLICT(key) DO UPDATE SET value = excluded.value`); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	b, err := Open(path)
	if err != nil {
		t.Fatalf("open the hub for a backup while another writer holds the lock (after %s): %v", time.Since(start).Round(time.Millisecond), err)
	}
	defer b.Close()
	out := filepath.Join(dir, "backup.db")
	if err := b.Backup(context.Background(), out); err != nil {
		t.Fatalf("back up the hub while another writer holds the lock: %v", err)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
}

// TestHealthWhileAPushWaitsForTheLock: while another program holds the
// write lock (an import of the state extract, for minutes), the hub's
// writes (pushes; here an account saved) wait for it on its one writer
// connection; the database still answers, and pulls are served beside
// it, so Ping (GET /healthz) says so instead of waiting behind the write
// and failing, which would take the hub out of a load balancer for the
// length of every import.
func TestHealthWhileAPushWaitsForTheLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hub.db")
	h, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Set("_txlock", "immediate")
	other, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.Begin()
	if err != nil {
		t.Fatal(err)
	}
	saved := make(chan error, 1)
	go func() { saved <- h.SaveAccount(ctx, "test", hub.Account{User: hubtest.ClerkC}) }()
	time.Sleep(200 * time.Millisecond) // the write is waiting for the lock
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := h.Ping(pctx); err != nil {
		t.Errorf("ping while a write waits for another program's lock: %v", err)
	}
	tx.Rollback()
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
}
