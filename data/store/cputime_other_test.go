//go:build !linux

package store_test

import "time"

// threadCPU is not measured here.
func threadCPU() (time.Duration, bool) { return 0, false }

type usage struct{ majorFaults, preempted, slept int64 }

// threadUsage is not measured here.
func threadUsage() (usage, bool) { return usage{}, false }
