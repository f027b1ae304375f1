package hubsql

import (
	"errors"
	"slices"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"
)

// A region's list is read once an epoch, sorted and without repeats,
// while the pulls of another region read theirs beside it: region A's
// reading waits until region B's has begun, which it could not if one
// lock held every region's list. A failed reading is read again by the
// next pull, and a new epoch reads each list anew.
func TestRegionListsReadOnceARegionAndBesideEachOther(t *testing.T) {
	var reads atomic.Int32
	bStarted := make(chan struct{})
	var failNext atomic.Bool
	r := &Reader{ReadRegion: func(_ Tx, region string) ([]string, error) {
		reads.Add(1)
		switch region {
		case "A":
			select {
			case <-bStarted:
			case <-time.After(10 * time.Second):
				return nil, errors.New("region B's list was not read while region A's was")
			}
			return []string{"3", "1", "2", "1"}, nil
		case "B":
			close(bStarted)
			return []string{"9"}, nil
		}
		if failNext.CompareAndSwap(true, false) {
			return nil, errors.New("the server went away")
		}
		return []string{"5"}, nil
	}}
	var wg gosync.WaitGroup
	got := make([][]string, 4)
	errs := make([]error, 4)
	for i, region := range []string{"A", "A", "A", "B"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = r.regionStudents(nil, "e1", region)
		}()
		if i == 0 {
			// A's first pull is reading (or about to) before the others ask.
			for reads.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("pull %d: %v", i, err)
		}
	}
	for i := range 3 {
		if !slices.Equal(got[i], []string{"1", "2", "3"}) {
			t.Fatalf("pull %d of region A got %v, want [1 2 3]", i, got[i])
		}
	}
	if n := reads.Load(); n != 2 {
		t.Fatalf("%d readings for two regions, want 2", n)
	}

	failNext.Store(true)
	if _, err := r.regionStudents(nil, "e1", "C"); err == nil {
		t.Fatal("a failed reading gave no error")
	}
	if ids, err := r.regionStudents(nil, "e1", "C"); err != nil || !slices.Equal(ids, []string{"5"}) {
		t.Fatalf("region C read again after a failure: %v, %v", ids, err)
	}
	before := reads.Load()
	if _, err := r.regionStudents(nil, "e2", "C"); err != nil {
		t.Fatal(err)
	}
	if reads.Load() != before+1 {
		t.Fatal("a new epoch did not read region C's list anew")
	}
}
