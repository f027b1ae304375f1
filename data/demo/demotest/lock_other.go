//go:build !unix

package demotest

import (
	"errors"
	"os"
)

// tryLock creates the lock file at path, or fails with errLocked while it
// exists. A build killed here leaves the file behind: delete it by hand.
func tryLock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, errLocked
	}
	if err != nil {
		return nil, err
	}
	f.Close()
	return func() { os.Remove(path) }, nil
}
