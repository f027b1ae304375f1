package hubsql

import (
	"errors"
	"maps"
	"runtime"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// Pulls of the same page while one reading is under way share it; a
// reading that failed is read again by each pull that waited for it; a
// page asked within KeepPage after the reading ended is the page read,
// one asked later is read anew.
func TestPageFlightsShareOneReading(t *testing.T) {
	clock := time.Unix(0, 0)
	f := pageFlights{now: func() time.Time { return clock }}
	var reads atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	page := sync.Page{Snapshot: true, Changes: []sync.Change{{Table: "students", Row: map[string]string{"state_id": "1"}}}}
	read := func() (sync.Page, int64, error) {
		if reads.Add(1) == 1 {
			close(started)
			<-release
		}
		return page, 42, nil
	}
	var wg gosync.WaitGroup
	got := make([]sync.Page, 4)
	wg.Add(1)
	go func() {
		defer wg.Done()
		got[0], _, _, _ = f.do("k", read)
	}()
	<-started
	for i := 1; i < len(got); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _, _, _ = f.do("k", read)
		}()
	}
	// The waiting pulls are in the flight before the reading ends: each
	// has found it under its key.
	for waitersOf(&f, "k") < len(got)-1 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Fatalf("%d readings for %d pulls of one page, want 1", n, len(got))
	}
	for i, p := range got {
		if len(p.Changes) != 1 || p.Changes[0].Row["state_id"] != "1" {
			t.Fatalf("pull %d got %+v", i, p)
		}
	}
	clock = clock.Add(KeepPage - time.Millisecond)
	if p, head, shared, err := f.do("k", read); err != nil || reads.Load() != 1 || len(p.Changes) != 1 || !shared || head != 42 {
		t.Fatalf("a page asked just after the reading ended: %v, %d readings, %+v at head %d", err, reads.Load(), p, head)
	}
	clock = clock.Add(time.Millisecond)
	if _, _, shared, err := f.do("k", read); err != nil || reads.Load() != 2 || shared {
		t.Fatalf("a page asked KeepPage after the reading: %v, %d readings", err, reads.Load())
	}
	clock = clock.Add(KeepPage)

	failed, again := errors.New("the pull's transaction ended"), atomic.Int32{}
	started, release = make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		_, _, _, err := f.do("k", func() (sync.Page, int64, error) {
			close(started)
			<-release
			return sync.Page{}, 0, failed
		})
		done <- err
	}()
	<-started
	follower := make(chan error)
	go func() {
		p, _, _, err := f.do("k", func() (sync.Page, int64, error) { again.Add(1); return page, 0, nil })
		if err == nil && len(p.Changes) != 1 {
			err = errors.New("the follower's own page is not its answer")
		}
		follower <- err
	}()
	for waitersOf(&f, "k") < 1 {
		runtime.Gosched()
	}
	close(release)
	if err := <-done; !errors.Is(err, failed) {
		t.Fatalf("the failed reading's pull got %v", err)
	}
	if err := <-follower; err != nil || again.Load() != 1 {
		t.Fatalf("the pull that waited for a failed reading: %v, read itself %d times", err, again.Load())
	}
}

// A failed reading is not kept, and at most keptPages pages are, the
// newest.
func TestPageFlightsKeepFew(t *testing.T) {
	clock := time.Unix(0, 0)
	f := pageFlights{now: func() time.Time { return clock }}
	failed := errors.New("the pull's transaction ended")
	if _, _, _, err := f.do("bad", func() (sync.Page, int64, error) { return sync.Page{}, 0, failed }); !errors.Is(err, failed) {
		t.Fatal(err)
	}
	if _, _, shared, err := f.do("bad", func() (sync.Page, int64, error) { return sync.Page{More: true}, 0, nil }); err != nil || shared {
		t.Fatalf("a page whose reading failed was kept: %v, %v", shared, err)
	}
	for i := range keptPages + 3 {
		clock = clock.Add(time.Millisecond)
		f.do(strconv.Itoa(i), func() (sync.Page, int64, error) { return sync.Page{}, 0, nil })
	}
	// The pages' timers (KeepPage of the real clock) may fire meanwhile.
	f.mu.Lock()
	kept := maps.Clone(f.kept)
	f.mu.Unlock()
	if len(kept) != keptPages {
		t.Fatalf("%d pages kept, want %d", len(kept), keptPages)
	}
	for i := range keptPages + 3 {
		if _, ok := kept[strconv.Itoa(i)]; ok != (i >= 3) {
			t.Fatalf("page %d kept: %v", i, ok)
		}
	}
	clock = clock.Add(KeepPage)
	f.do("last", func() (sync.Page, int64, error) { return sync.Page{}, 0, nil })
	f.mu.Lock()
	n := len(f.kept)
	f.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d pages kept past their time", n-1)
	}
}

// The key of a page is every input of snapshotPage: scopes, cursors and
// limits that differ never share a page.
func TestPageKeysDiffer(t *testing.T) {
	c1 := sync.Cursor{Epoch: "e", Seq: 7, Mark: "m", Snapshot: "students\x1f1"}
	c2 := c1
	c2.Seq = 8
	c3 := c1
	c3.Snapshot = "students\x1f2"
	coord := scopeOf(data.User{Role: data.RoleCoordinator, Districts: []string{"1", "2"}})
	keys := []string{
		scopeOf(data.User{Role: data.RoleStateAdmin}).key("e", nil, 10),
		scopeOf(data.User{Role: data.RoleClerk, RegionCode: "N"}).key("e", nil, 10),
		scopeOf(data.User{Role: data.RoleClerk, RegionCode: "S"}).key("e", nil, 10),
		scopeOf(data.User{Role: data.RoleDistrictAdmin, DistrictNumber: "1"}).key("e", nil, 10),
		coord.key("e", nil, 10),
		scopeOf(data.User{Role: data.RoleCoordinator, Districts: []string{"2", "1"}}).key("e", nil, 10),
		scopeOf(data.User{Role: data.RoleCoordinator, Districts: []string{"1 2"}}).key("e", nil, 10),
		coord.key("f", nil, 10),
		coord.key("e", nil, 11),
		coord.key("e", &c1, 10),
		coord.key("e", &c2, 10),
		coord.key("e", &c3, 10),
	}
	seen := map[string]int{}
	for i, k := range keys {
		if j, ok := seen[k]; ok {
			t.Fatalf("pages %d and %d share the key %q", j, i, k)
		}
		seen[k] = i
	}
	same := scopeOf(data.User{Role: data.RoleDistrictAdmin, DistrictNumber: "1"}).key("e", nil, 10)
	if same != scopeOf(data.User{Role: data.RoleCoordinator, Districts: []string{"1"}}).key("e", nil, 10) {
		t.Fatal("a district's administrator and its coordinator ask for different first pages")
	}
}

// waitersOf is how many pulls wait for the reading under key.
func waitersOf(f *pageFlights, key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fl, ok := f.flying[key]; ok {
		return fl.waiters
	}
	return 0
}

// A kept page is let go at its time even when no other page is read
// after it: a hub that falls quiet holds none.
func TestPageFlightsLetGoWhenQuiet(t *testing.T) {
	var f pageFlights
	f.do("k", func() (sync.Page, int64, error) { return sync.Page{}, 0, nil })
	deadline := time.Now().Add(KeepPage + 5*time.Second)
	for {
		f.mu.Lock()
		n := len(f.kept)
		f.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pages kept %v after their reading, with nothing read since", n, KeepPage+5*time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
