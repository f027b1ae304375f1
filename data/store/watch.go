package store

import (
	"maps"
	"slices"
	"sync"
)

// watchers are the functions told which districts' copies a committed
// write changed, so that an open district window can read its records
// again without polling. They run on the writer's goroutine, after the
// commit: a window hands the work to its own goroutine.
type watchers struct {
	mu   sync.Mutex
	next int
	fns  map[int]func(districts []string)
}

// WatchDistricts calls fn after each committed write that changed the
// copies published to districts (a publish, a removal, a deleted record,
// a resolved conflict, a sync's pull), with their numbers in order. An
// empty list means any district may have changed, as after a snapshot.
// The returned function stops the calls.
func (s *Store) WatchDistricts(fn func(districts []string)) (stop func()) {
	w := &s.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fns == nil {
		w.fns = map[int]func([]string){}
	}
	id := w.next
	w.next++
	w.fns[id] = fn
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.fns, id)
	}
}

// changedDistricts tells the watchers; all is true when any district may
// have changed.
func (s *Store) changedDistricts(set map[string]bool, all bool) {
	if len(set) == 0 && !all {
		return
	}
	list := []string{}
	if !all {
		list = slices.Sorted(maps.Keys(set))
	}
	w := &s.watch
	w.mu.Lock()
	fns := slices.Collect(maps.Values(w.fns))
	w.mu.Unlock()
	for _, fn := range fns {
		fn(slices.Clone(list))
	}
}
