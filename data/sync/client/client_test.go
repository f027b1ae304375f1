package client

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"migrantdesk/data/sync"
)

func testPage(more bool) sync.Page {
	return sync.Page{
		Changes: []sync.Change{
			{Seq: 7, Table: "students", Row: map[string]string{"state_id": "0000000001", "local_number": `],"next":{"epoch":"x"}`,
				"last_name": `García ],"next": López`, "first_name": "María", "middle_name": "", "birth_date": "2012-05-05", "gender": "F", "race": "1"}},
		},
		Next: sync.Cursor{Epoch: "e", Seq: 8, Mark: "m", Snapshot: "students\x1f0000000001"},
		More: more, Snapshot: true, Students: 1,
	}
}

// A page's cursor and more are picked out of its end, before the page is
// read, whatever its values hold (escaped, they cannot end its changes);
// read in full, the page is the one the hub wrote.
func TestRawPageTail(t *testing.T) {
	for _, more := range []bool{true, false} {
		want := testPage(more)
		b, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		var r rawPage
		if err := r.UnmarshalJSON(append(b, '\n')); err != nil {
			t.Fatal(err)
		}
		if r.read || r.next != want.Next || r.more != more {
			t.Fatalf("picked out read %v, next %+v, more %v; want %+v, %v", r.read, r.next, r.more, want.Next, more)
		}
		if err := r.decode(); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(r.page, want) {
			t.Fatalf("read %+v, want %+v", r.page, want)
		}
	}
}

// A page whose end is not a hub's is read in full at once, and an
// unreadable one is an error there, where the request is tried again.
func TestRawPageReadInFull(t *testing.T) {
	want := testPage(true)
	b, err := json.Marshal(struct {
		More     bool        `json:"more"`
		Next     sync.Cursor `json:"next"`
		Snapshot bool        `json:"snapshot"`
		Students int64       `json:"students"`
		Changes  [][]string  `json:"changes"`
	}{More: true, Next: want.Next, Snapshot: true, Students: 1,
		Changes: [][]string{{"7", "students", "", "0000000001", `],"next":{"epoch":"x"}`, `García ],"next": López`, "María", "", "2012-05-05", "F", "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	var r rawPage
	if err := r.UnmarshalJSON(b); err != nil {
		t.Fatal(err)
	}
	if !r.read || r.next != want.Next || !r.more {
		t.Fatalf("read %v, next %+v, more %v", r.read, r.next, r.more)
	}
	if err := r.decode(); err != nil || !reflect.DeepEqual(r.page, want) {
		t.Fatalf("read %+v (%v), want %+v", r.page, err, want)
	}
	var bad rawPage
	if err := bad.UnmarshalJSON([]byte(`{"changes":[["7","nosuch"]`)); err == nil {
		t.Fatal("a broken page was taken")
	}
}

// A page whose changes cannot be read, or whose end names another cursor
// than its page does, stops the pulling with an error, after the pages
// before it.
func TestDecodePagesStopsAtBadPage(t *testing.T) {
	good, err := json.Marshal(testPage(true))
	if err != nil {
		t.Fatal(err)
	}
	var lying rawPage
	if err := lying.UnmarshalJSON(good); err != nil {
		t.Fatal(err)
	}
	lying.next.Seq = 9
	var broken rawPage
	if err := broken.UnmarshalJSON(append([]byte(`{"changes":[["7","students","x"]`), good[len(`{"changes":[`)+len(`["7","students"`):]...)); err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string]rawPage{"mismatched end": lying, "unreadable changes": broken} {
		var ok rawPage
		if err := ok.UnmarshalJSON(good); err != nil {
			t.Fatal(err)
		}
		raws := make(chan fetched, 3)
		raws <- fetched{raw: ok}
		raws <- fetched{raw: bad}
		raws <- fetched{raw: ok}
		close(raws)
		var got []error
		for f := range decodePages(context.Background(), raws) {
			got = append(got, f.err)
		}
		var he *Error
		if len(got) != 2 || got[0] != nil || !errors.As(got[1], &he) {
			t.Fatalf("%s: decoded %v, want a page, then an error, then nothing", name, got)
		}
	}
}

// A hub's address names the same hub whatever the case of its scheme and
// host, a default port or a trailing slash; another host, port, scheme
// or path is another address.
func TestSameAddress(t *testing.T) {
	const hub = "https://hub.example.gov/"
	for addr, same := range map[string]bool{
		"https://hub.example.gov":       true,
		"HTTPS://Hub.Example.gov:443/":  true,
		" https://hub.example.gov// ":   true,
		"https://hub.example.gov:8443":  false,
		"http://hub.example.gov":        false,
		"https://training.example.gov":  false,
		"https://hub.example.gov/other": false,
		"::not a url":                   false,
	} {
		if got := SameAddress(addr, hub); got != same {
			t.Errorf("%q beside %s: same %v, want %v", addr, hub, got, same)
		}
	}
}
