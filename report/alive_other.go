//go:build !windows

package report

import (
	"errors"
	"os"
	"syscall"
)

// alive reports whether a process is running: signal 0 checks without
// sending anything. EPERM means it exists but belongs to someone else.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
