package hubsql

import (
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"migrantdesk/data/sync"
)

// TestSnapshotSlots: however many pulls want a snapshot page at once, at
// most snapshotSlots pages are read at a time, and every one is read.
func TestSnapshotSlots(t *testing.T) {
	var r Reader
	var now, most, done atomic.Int64
	read := r.readSnapshot(func() (sync.Page, int64, error) {
		n := now.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(20 * time.Millisecond)
		now.Add(-1)
		done.Add(1)
		return sync.Page{}, 0, nil
	})
	const pulls = 12
	var wg gosync.WaitGroup
	for range pulls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			read()
		}()
	}
	wg.Wait()
	if done.Load() != pulls {
		t.Fatalf("%d of %d pages read", done.Load(), pulls)
	}
	if int(most.Load()) != snapshotSlots() {
		t.Fatalf("%d pages read at once, want %d (snapshotSlots)", most.Load(), snapshotSlots())
	}
}
