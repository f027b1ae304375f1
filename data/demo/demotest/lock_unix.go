//go:build unix

package demotest

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an advisory lock on the file at path, or fails with
// errLocked. The system drops the lock when its process ends, however
// it ends, so a killed build never blocks the next one.
func tryLock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
