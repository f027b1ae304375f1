package store

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockFile locks f's first byte through its handle, so that a second
// Hold in the same process is refused too.
func lockFile(f *os.File) error {
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY,
		0, 1, 0, new(windows.Overlapped))
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return ErrHeld
	}
	return err
}

// unlockFile lets go of the lock lockFile took on f: closing the handle
// would too, but when the system gets to it.
func unlockFile(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}
