package store

import (
	"fmt"
	"slices"
	"testing"
)

func TestPackedFields(t *testing.T) {
	p := packed{s: "a\x1fb\x1fc\x1e\x1f\x1f"}
	var x, y, z string
	p.fields(&x, &y, &z)
	if p.err != nil || x != "a" || y != "b" || z != "c" {
		t.Fatalf("first record: %q %q %q, %v", x, y, z, p.err)
	}
	p.fields(&x, &y, &z)
	if p.err != nil || x != "" || y != "" || z != "" || p.more() {
		t.Fatalf("blank record: %q %q %q, %v, more %v", x, y, z, p.err, p.more())
	}
	for _, bad := range []string{"a\x1fb", "a\x1fb\x1fc\x1fd", "a\x1fb\x1fc\x1e"} {
		p := packed{s: bad}
		p.fields(&x, &y, &z)
		if p.err == nil || p.more() {
			t.Errorf("%q read without an error", bad)
		}
	}
}

func TestRanksInAnyOrder(t *testing.T) {
	students := []indexStudent{{key: "b", id: "2"}, {key: "a", id: "3"}, {key: "c", id: "1"}, {key: "a", id: "0"}}
	r := newRanks(students)
	if got := []string{students[0].id, students[1].id, students[2].id, students[3].id}; !slices.Equal(got, []string{"0", "3", "2", "1"}) {
		t.Fatalf("result order %v, want [0 3 2 1]", got)
	}
	// In the order given, then in others, as a re-import reads them back.
	for _, id := range []string{"2", "3", "1", "0", "0", "2", "1", "3"} {
		rank, ok := r.of(id)
		if !ok || students[rank].id != id {
			t.Fatalf("rank of %s: %d, %v", id, rank, ok)
		}
	}
	if _, ok := r.of("9"); ok {
		t.Fatal("a state ID not given has a rank")
	}
}

// TestResultIndexFindsAnyOrder: a page's records are found by state ID
// whether they come in the order of the IDs (with gaps, repeats, starting
// over) or not, and an ID not on the page is not found.
func TestResultIndexFindsAnyOrder(t *testing.T) {
	var ids []string
	for i := range 40 {
		ids = append(ids, fmt.Sprintf("%010d", i*7919))
	}
	x := &resultIndex{ids: ids, last: -1}
	order := []int{0, 0, 1, 2, 2, 2, 5, 13, 14, 39, 3, 38, 0, 20, 21, 21}
	for _, want := range order {
		if got, ok := x.of(ids[want]); !ok || got != want {
			t.Fatalf("%s: got %d, %v; want %d", ids[want], got, ok, want)
		}
	}
	x.last = -1
	for want := range ids {
		if got, ok := x.of(ids[want]); !ok || got != want {
			t.Fatalf("again, %s: got %d, %v; want %d", ids[want], got, ok, want)
		}
	}
	if _, ok := x.of("9999999999"); ok {
		t.Fatal("found an ID not on the page")
	}
}
