package sqlitehub

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// A backup made under the same name while this one ran is kept: the
// finished copy takes the name only if it is still free, in one step, on
// file systems with hard links and on those without.
func TestBackupKeepsAFileMadeUnderItsNameMeanwhile(t *testing.T) {
	for _, hardLinks := range []bool{true, false} {
		h, dir := hubIn(t)
		out := filepath.Join(dir, "hub-2026-12-03.db")
		t.Cleanup(func() { placing, link = func() {}, os.Link })
		placing = func() {
			if err := os.WriteFile(out, []byte("the other backup"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if !hardLinks {
			link = func(string, string) error { return &os.LinkError{Op: "link", Err: syscall.EPERM} }
		}
		err := h.Backup(context.Background(), out)
		if err == nil || !strings.Contains(err.Error(), out+" was made by something else while the backup ran") {
			t.Errorf("hard links %v: a backup whose name was taken meanwhile: %v", hardLinks, err)
		}
		if b, _ := os.ReadFile(out); string(b) != "the other backup" {
			t.Errorf("hard links %v: the other backup was written over", hardLinks)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, ".*.partial*")); len(left) != 0 {
			t.Errorf("hard links %v: left behind %v", hardLinks, left)
		}
		placing = func() {}
		if err := h.Backup(context.Background(), filepath.Join(dir, "free.db")); err != nil {
			t.Errorf("hard links %v: a backup under a free name: %v", hardLinks, err)
		}
		link = os.Link
	}
}
