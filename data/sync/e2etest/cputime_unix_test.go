//go:build unix

package e2etest

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the test process has used, on every core:
// the benchmarks' hub and workstation both, and none of the time spent
// waiting for a core that other processes hold, which on a shared
// machine is most of the spread between runs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
