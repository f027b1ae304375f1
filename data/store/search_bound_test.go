package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"modernc.org/sqlite"
)

// walked counts the rows the walks read, through walk_probe().
var walked atomic.Int64

func init() {
	sqlite.MustRegisterScalarFunction("walk_probe", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		walked.Add(1)
		return int64(1), nil
	})
}

// TestSearchWalksAreBounded runs queries that match much of a state with
// few of the rows their lists hold (a one-letter last name with a first
// initial, a short surname prefix that starts many surnames with an
// initial, a first initial alone, a gender, a two-digit state ID prefix,
// a one-digit state ID prefix with a gender, district or last initial)
// and counts the index entries their walks read: at most the walk limit
// plus the page, plus one row of lookahead a list, for each of the two
// name levels. A search that stops says so, and what it returns is the
// start of what an unbounded search finds.
func TestSearchWalksAreBounded(t *testing.T) {
	ex := syntheticExtract(6000, 11)
	s := openSearch(t, ex)
	queries := []Query{
		{Last: "g", First: "m"}, {Last: "m", First: "j"}, {Last: "ho", First: "b"}, {Last: "s", First: "x"},
		{First: "m"}, {First: "z"}, {Gender: "F"}, {Gender: "X"}, {StateID: "00"}, {StateID: "99"},
		{Last: "ga", First: "z", Gender: "X"}, {District: "001", First: "q"},
		{StateID: "1", Gender: "M"}, {StateID: "7", District: "001"}, {Last: "g", StateID: "3"},
	}
	bounded := defaultSearchLimits
	bounded.walkRows = 300
	unbounded := defaultSearchLimits
	unbounded.walkRows = 1 << 30
	stops := 0
	for _, q := range queries {
		sp, err := newSearchSpec(q)
		if err != nil {
			t.Fatal(err)
		}
		sp.searchLimits, sp.probe = bounded, "walk_probe()"
		walked.Store(0)
		got, err := s.search(context.Background(), sp)
		stopped := errors.Is(err, ErrSearchStopped)
		if err != nil && !stopped {
			t.Fatalf("%+v: %v", q, err)
		}
		if limit := 2 * (bounded.walkRows + sp.limit + maxLists); walked.Load() > int64(limit) {
			t.Errorf("%+v: the walks read %d rows, more than %d", q, walked.Load(), limit)
		}
		all, err := idsWith(s, q, unbounded)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		var ids []string
		for _, r := range got {
			id := r.Student.StateID
			if !r.Exact {
				id += "~"
			}
			ids = append(ids, id)
		}
		switch {
		case stopped && (len(ids) >= len(all) || !slices.Equal(ids, all[:len(ids)])):
			t.Errorf("%+v: stopped with %v, not the start of %v", q, ids, all)
		case !stopped && !slices.Equal(ids, all) && !(len(ids) == 0 && len(all) == 0):
			t.Errorf("%+v: found %v, want %v", q, ids, all)
		}
		if stopped {
			stops++
			t.Logf("%+v stopped after %d rows", q, walked.Load())
		}
	}
	if stops == 0 {
		t.Errorf("no query stopped at a walk limit of %d rows: the test does not reach the bound", bounded.walkRows)
	}
}
