package store

import (
	"context"
	"errors"
	"os"
	"time"
)

// ErrWanted is the cause of a StepAside context that ended because
// Migrant Desk waits for the database.
var ErrWanted = errors.New("Migrant Desk was opened on the database and waits for it")

// StepAside returns ctx, ended with the cause ErrWanted as soon as an
// app waits for the database at path (HoldPatiently), which the caller
// holds (HoldAs). A command that gives way lets the app open at once: a
// sync stuck on a hub that does not answer would hold the database for
// minutes, past the app's patience. The app says it waits by a lock on a
// file beside the database (path + "-wanted"), which the system drops
// with the app however it ends, so that the file left by an app killed
// while it waited stops nothing. Only the lock is looked at, never the
// bytes of the file, which Windows keeps from others while locked.
func StepAside(ctx context.Context, path string) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	marker := beside(path, "-wanted")
	go func() {
		tick := time.NewTicker(wantedPoll)
		defer tick.Stop()
		for !wanted(marker) {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
		cancel(ErrWanted)
	}()
	return ctx, func() { cancel(nil) }
}

// wantedPoll is how often StepAside looks for an app that waits.
const wantedPoll = 100 * time.Millisecond

// wanted says whether an app holds the lock on marker (want).
func wanted(marker string) bool {
	f, err := os.Open(marker)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return errors.Is(err, ErrHeld)
	}
	unlockFile(f)
	return false
}

// want says that an app waits for the database at path (StepAside)
// until done is called. It returns nil when it cannot say so now: the
// lock taken for a moment by a command looking for it, or by another
// app that waits, or a file that cannot be made, after which the app
// waits as for a command of an earlier release, which does not look.
func want(path string) (done func()) {
	f, err := os.OpenFile(beside(path, "-wanted"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil
	}
	// The file stays, as the lock file does: removed, it could be the one
	// another app that waits has just opened, and Windows refuses to
	// remove a file another program has open.
	return func() {
		unlockFile(f)
		f.Close()
	}
}
