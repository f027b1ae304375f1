package sqlitehub

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A backup named in a folder that is not there (the README's
// /backups/hub-DATE.db on a server where no one made /backups) says which
// folder to make, rather than naming the hidden partial file it could not
// create, a name the operator never gave.
func TestBackupIntoAMissingFolderNamesIt(t *testing.T) {
	h, dir := hubIn(t)
	missing := filepath.Join(dir, "backups")
	err := h.Backup(context.Background(), filepath.Join(missing, "hub-2026-12-02.db"))
	if err == nil {
		t.Fatal("a backup into a missing folder succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, "the folder "+missing+" does not exist") || !strings.Contains(msg, "make it") {
		t.Errorf("backup into a missing folder: %v", err)
	}
}

// A backup named by its folder alone says to name a file in it, rather
// than that the folder "exists already".
func TestBackupIntoAFolderNamesAFileInIt(t *testing.T) {
	h, dir := hubIn(t)
	backups := filepath.Join(dir, "backups")
	if err := os.Mkdir(backups, 0o700); err != nil {
		t.Fatal(err)
	}
	err := h.Backup(context.Background(), backups)
	if want := backups + " is a folder; name a new file in it, such as " + filepath.Join(backups, "hub-"); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a backup named by its folder: %v, want %q", err, want)
	}
}

// hubIn opens a new hub in a folder of its own, closed with the test.
func hubIn(t *testing.T) (*DB, string) {
	t.Helper()
	dir := t.TempDir()
	h, err := Open(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h, dir
}
