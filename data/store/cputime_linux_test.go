package store_test

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPU is the CPU time of the calling thread: unlike the wall time,
// it leaves out the time spent waiting for a core that other processes
// hold, which on a shared machine is most of the spread between runs.
func threadCPU() (time.Duration, bool) {
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}

// usage is what the kernel counts of a thread: its page faults that read
// the disk, the times another thread took its core while it could run,
// and the times it gave the core up to wait.
type usage struct{ majorFaults, preempted, slept int64 }

// threadUsage is the calling thread's usage so far.
func threadUsage() (usage, bool) {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return usage{}, false
	}
	return usage{majorFaults: ru.Majflt, preempted: ru.Nivcsw, slept: ru.Nvcsw}, true
}
