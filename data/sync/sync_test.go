package sync

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func page() Page {
	return Page{
		Changes: []Change{
			{Seq: 7, Table: "students", Row: map[string]string{"state_id": "0000000001", "local_number": "L1", "last_name": `García "Gus" López`,
				"first_name": "María\n", "middle_name": "", "birth_date": "2012-05-05", "gender": "F", "race": "1"}},
			{Seq: 8, Table: "published", Deleted: true, Row: map[string]string{"record_id": "r1", "district_number": "001"}},
		},
		Next: Cursor{Epoch: "e", Seq: 8, Mark: "m", Snapshot: "students\x1f0000000001"},
		More: true, Snapshot: true,
	}
}

// A page reads back as it was written, and its changes are arrays of
// values in Columns order, not objects.
func TestPageWireForm(t *testing.T) {
	b, err := json.Marshal(page())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"changes":[["7","students","","0000000001","L1",`) || strings.Contains(string(b), `"state_id"`) {
		t.Fatalf("wire form %s", b)
	}
	var back Page
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, page()) {
		t.Fatalf("read back %+v", back)
	}
}

func TestPageWireFormRefusals(t *testing.T) {
	bad := page()
	bad.Changes[0].Table = "passwords"
	if _, err := json.Marshal(bad); err == nil {
		t.Error("a change of an unknown table was written")
	}
	bad = page()
	delete(bad.Changes[0].Row, "race")
	if _, err := json.Marshal(bad); err == nil {
		t.Error("a row without a column was written")
	}
	for _, in := range []string{
		`{"changes":[["1","students",""]]}`,
		`{"changes":[["1","passwords","","x"]]}`,
		`{"changes":[["x","published","1","r","d"]]}`,
		`{"changes":[["1","published"]]}`,
		`{"changes":[{"seq":1}]}`,
	} {
		var p Page
		if err := json.Unmarshal([]byte(in), &p); err == nil {
			t.Errorf("%s was read as %+v", in, p)
		}
	}
}

// FuzzPageJSON: whatever a workstation reads as a page, the hub could
// have written: it writes back to what reads as the same page.
func FuzzPageJSON(f *testing.F) {
	b, _ := json.Marshal(page())
	f.Add(b)
	f.Add([]byte(`{"changes":[],"next":{"epoch":"","seq":0},"more":false}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var p Page
		if json.Unmarshal(in, &p) != nil {
			return
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("read %q as %+v, which does not write: %v", in, p, err)
		}
		var back Page
		if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(back, p) {
			t.Fatalf("%+v wrote %s, read back as %+v (%v)", p, out, back, err)
		}
	})
}
