//go:build unix

package gui

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the test process has used, user and system,
// on every thread: a start's work runs on several goroutines, and on a
// shared machine the wall time mostly measures the wait for a core.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
