package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrHeld says another Migrant Desk holds the database (Hold).
var ErrHeld = errors.New("another Migrant Desk holds the database")

// HeldError is ErrHeld for the database at Path, held by By: the
// command that said it holds it (HoldAs), "" for the app, or an app
// of an earlier release, which says nothing.
type HeldError struct{ Path, By string }

// Error says where to look: an app whose opening window was closed
// during an upgrade holds the database until the upgrade is done, the
// window staying up to say so (gui.Opening); a command, until it has
// finished.
func (e *HeldError) Error() string {
	if e.By != "" {
		return fmt.Sprintf("%s is working on %s and has not finished: start Migrant Desk again once it has", e.By, e.Path)
	}
	return fmt.Sprintf("Migrant Desk is already open with %s on this computer: switch to its window "+
		"(look for it in the taskbar), or start this one with another database (--db FILE). One closed while it "+
		"upgraded the database keeps its opening window, which says so, until the upgrade is done, then ends: "+
		"start Migrant Desk again then", e.Path)
}

func (*HeldError) Is(target error) bool { return target == ErrHeld }

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
	return HoldAs(path, "")
}

// HoldAs is Hold for the command by (with its process ID), which the
// mark says until release, so that one refused knows who holds the
// database: an app waits for a command, which ends by itself
// (HoldPatiently), and a command tells the app from another command.
// The words go after the first byte of the file, which Windows locks
// against reading; every holder writes its own, the app none, so that
// those of a command killed before its release are not taken for
// another's.
func HoldAs(path, by string) (release func(), err error) {
	if err := DeviceName(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, deniedError("create folder for database", path, path, err)
	}
	lock := beside(path, "-lock")
	f, err := os.OpenFile(lock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if _, serr := os.Stat(lock); errors.Is(err, fs.ErrPermission) && errors.Is(serr, fs.ErrNotExist) {
			return nil, besideDenied(path, fmt.Sprintf("Migrant Desk keeps a file beside it (%s)", lock), err)
		}
		return nil, deniedError("open database", path, lock, err)
	}
	if err := lockFile(f); err != nil {
		defer f.Close()
		if errors.Is(err, ErrHeld) {
			return nil, &HeldError{Path: path, By: holder(f)}
		}
		return nil, fmt.Errorf("mark %s as in use (%s): %w", path, lock, err)
	}
	if by != "" {
		by = fmt.Sprintf("%s (process %d)", by, os.Getpid())
	}
	if err := sayWords(f, "\n"+by); err != nil {
		f.Close()
		return nil, fmt.Errorf("mark %s as in use (%s): %w", path, lock, err)
	}
	return func() {
		// A holder that comes next may be of an earlier release, which
		// writes no words of its own.
		f.Truncate(0)
		f.Close()
	}, nil
}

// beside names the file ending in suffix that Migrant Desk keeps beside
// the database at path: beside the file itself, as SQLite keeps its -wal
// and -shm, so that a database opened by a link (ln -s) is held by the
// same mark as by its own name.
func beside(path, suffix string) string {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real + suffix
	}
	return path + suffix
}

// sayWords makes s the whole of f, never leaving it empty meanwhile: one
// read then would take a command for the app.
func sayWords(f *os.File, s string) error {
	if _, err := f.WriteAt([]byte(s), 0); err != nil {
		return err
	}
	return f.Truncate(int64(len(s)))
}

// maxHolder bounds what is read of a holder's words.
const maxHolder = 256

// holder is what the holder of the lock file f wrote after its first
// byte: "" for the app.
func holder(f *os.File) string {
	b := make([]byte, maxHolder)
	n, _ := f.ReadAt(b, 1)
	return strings.TrimSpace(string(b[:n]))
}

// HoldPatiently is Hold, but while a command holds the database
// (HeldError.By) it tries again until the command has finished or ctx
// ends, having called waiting with the command's words once: a
// scheduled sync ends in seconds, and the app started meanwhile need
// not be refused. Meanwhile it says that it waits (want), and a command
// that gives way to the app (StepAside) lets the database go at once.
// An app holding it is said at once, as Hold says it. When ctx ends
// first, the error is the last refusal if its deadline passed, else
// ctx's.
func HoldPatiently(ctx context.Context, path string, waiting func(by string)) (release func(), err error) {
	said, blank := false, false
	var wanting func()
	defer func() {
		if wanting != nil {
			wanting()
		}
	}()
	for {
		release, err := Hold(path)
		var held *HeldError
		if !errors.As(err, &held) {
			return release, err
		}
		// A command that has just taken the mark may not have written
		// its words yet: the app is what is seen twice.
		if held.By == "" {
			if blank {
				return nil, err
			}
			blank = true
			time.Sleep(holdRetry / 4)
			continue
		}
		blank = false
		if wanting == nil {
			wanting = want(path)
		}
		if !said {
			waiting(held.By)
			said = true
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, err
			}
			return nil, ctx.Err()
		case <-time.After(holdRetry):
		}
	}
}

// holdRetry is how often HoldPatiently tries again.
const holdRetry = 200 * time.Millisecond
