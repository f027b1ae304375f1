package sqlitehub

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"

	"github.com/google/uuid"
)

// Backup writes a copy of the hub to path while it serves (VACUUM INTO
// reads one snapshot beside the writers). The copy carries an epoch of
// its own, never served: a hub restored from it starts that epoch, so
// every workstation takes a fresh snapshot and re-pushes what the hub
// lost, instead of pulling after a cursor the restored hub never reached.
func (h *DB) Backup(ctx context.Context, path string) error {
	// Made empty and private first: VACUUM INTO fills an empty file, and
	// the copy holds what the hub holds.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("back up the hub: %s exists already; name a new file", path)
	}
	if err != nil {
		return fmt.Errorf("back up the hub: %w", err)
	}
	f.Close()
	if _, err := h.rdb.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("back up the hub to %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("back up the hub to %s: %w", path, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT INTO hub_meta(key, value) VALUES('epoch', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, uuid.NewString()); err != nil {
		return fmt.Errorf("give the backup %s its epoch: %w", path, err)
	}
	return db.Close()
}
