package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrHeld says another Migrant Desk holds the database (Hold).
var ErrHeld = errors.New("another Migrant Desk holds the database")

// heldError is ErrHeld for the database at its path, in words that say
// where to look: an app whose opening window was closed during an
// upgrade holds the database, windowless, until the upgrade is done.
type heldError string

func (p heldError) Error() string {
	return fmt.Sprintf("Migrant Desk is already open with %s on this computer: switch to its window "+
		"(look for it in the taskbar), or start this one with another database (--db FILE). One closed while it "+
		"upgraded the database has no window, and ends once the upgrade is done: start Migrant Desk again then", string(p))
}

func (heldError) Is(target error) bool { return target == ErrHeld }

// Hold marks the database at path as worked on by this program until
// release, or until the process ends, however it ends (the system drops
// the lock with the process). A second app on the same database would
// sync the same changes at once and offer the first one's live typing
// as "not saved when Migrant Desk closed"; the second is told instead
// where the first one is. The mark is a lock on a file beside the
// database (path + "-lock"), never on the database itself: SQLite's
// own locks on the database are dropped when any descriptor of it that
// the process holds is closed. Hold comes before Open, which may take a
// while (a schema upgrade copies the file first), so that a second start
// meanwhile is told at once rather than upgrading the file too.
func Hold(path string) (release func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, deniedError("create folder for database", path, path, err)
	}
	// Beside the file itself, as SQLite keeps its -wal and -shm: a
	// database opened by a link (ln -s) is held by the same mark as by
	// its own name.
	lock := path + "-lock"
	if real, err := filepath.EvalSymlinks(path); err == nil {
		lock = real + "-lock"
	}
	f, err := os.OpenFile(lock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if _, serr := os.Stat(lock); errors.Is(err, fs.ErrPermission) && errors.Is(serr, fs.ErrNotExist) {
			return nil, besideDenied(path, fmt.Sprintf("Migrant Desk keeps a file beside it (%s)", lock), err)
		}
		return nil, deniedError("open database", path, lock, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, ErrHeld) {
			return nil, heldError(path)
		}
		return nil, fmt.Errorf("mark %s as in use (%s): %w", path, lock, err)
	}
	return func() { f.Close() }, nil
}
