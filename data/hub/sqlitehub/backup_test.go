package sqlitehub

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// A backup named in a folder that is not there (the README's
// /backups/hub-DATE.db on a server where no one made /backups) says which
// folder to make, rather than naming the hidden partial file it could not
// create, a name the operator never gave.
func TestBackupIntoAMissingFolderNamesIt(t *testing.T) {
	dir := t.TempDir()
	h, err := Open(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	missing := filepath.Join(dir, "backups")
	err = h.Backup(context.Background(), filepath.Join(missing, "hub-2026-12-02.db"))
	if err == nil {
		t.Fatal("a backup into a missing folder succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, "the folder "+missing+" does not exist") || !strings.Contains(msg, "make it") {
		t.Errorf("backup into a missing folder: %v", err)
	}
}
