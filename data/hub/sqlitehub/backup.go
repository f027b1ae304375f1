package sqlitehub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
)

// Backup writes a copy of the hub to path while it serves (VACUUM INTO
// reads one snapshot beside the writers). The copy carries an epoch of
// its own, never served: a hub restored from it starts that epoch, so
// every workstation takes a fresh snapshot and re-pushes what the hub
// lost, instead of pulling after a cursor the restored hub never reached.
// The copy is made beside path under a hidden name and renamed to path
// once whole and given its epoch: a backup killed part way (a shutdown,
// a scheduler's time limit) leaves nothing under the name an operator
// restores from.
func (h *DB) Backup(ctx context.Context, path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.IsDir() {
		// The folder the backups go to, named alone: the copy goes in it.
		return fmt.Errorf("back up the hub: %s is a folder; name a new file in it, such as %s",
			path, filepath.Join(path, "hub-"+time.Now().Format(time.DateOnly)+".db"))
	} else if err == nil {
		return fmt.Errorf("back up the hub: %s exists already; name a new file", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("back up the hub: %w", err)
	}
	// Made empty and private first: VACUUM INTO fills an empty file, and
	// the copy holds what the hub holds.
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.partial")
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("back up the hub: the folder %s does not exist; make it, or name a file in another folder (%w)", filepath.Dir(path), err)
	}
	if err != nil {
		return fmt.Errorf("back up the hub to %s: %w", path, err)
	}
	part := f.Name()
	f.Close()
	if err := fill(ctx, h.rdb, part); err != nil {
		for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
			os.Remove(part + suffix)
		}
		return fmt.Errorf("back up the hub to %s: %w", path, err)
	}
	return place(part, path)
}

// Seams for the tests: the moment between the copy being whole and its
// taking the name, and the hard link a file system may not offer.
var (
	placing = func() {}
	link    = os.Link
)

// place gives the whole copy part the name path, refusing, in the same
// step, to replace a file under that name: another backup may have taken
// it since the first check, and a rename would overwrite that backup. A
// hard link fails if the name exists; where the file system has no hard
// links (FAT, some shares), the name is claimed by creating it
// exclusively and the copy renamed over that claim, which is its own.
func place(part, path string) error {
	placing()
	taken := fmt.Errorf("back up the hub: %s was made by something else while the backup ran; the backup was not written over it. Name a new file", path)
	err := link(part, path)
	if err == nil {
		os.Remove(part)
		return nil
	}
	if errors.Is(err, os.ErrExist) {
		os.Remove(part)
		return taken
	}
	claim, cerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(cerr, os.ErrExist) {
		os.Remove(part)
		return taken
	}
	if cerr != nil {
		os.Remove(part)
		return fmt.Errorf("back up the hub to %s: %w", path, cerr)
	}
	claim.Close()
	if err := os.Rename(part, path); err != nil {
		os.Remove(part)
		os.Remove(path)
		return fmt.Errorf("back up the hub to %s: %w", path, err)
	}
	return nil
}

// fill copies the hub read through rdb into the empty file part and gives
// the copy an epoch of its own.
func fill(ctx context.Context, rdb *sql.DB, part string) error {
	if _, err := rdb.ExecContext(ctx, `VACUUM INTO ?`, part); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: part}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT INTO hub_meta(key, value) VALUES('epoch', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, uuid.NewString()); err != nil {
		return fmt.Errorf("give the backup its epoch: %w", err)
	}
	return db.Close()
}
