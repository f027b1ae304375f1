package sync

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
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

// Values that JSON escapes travel as encoding/json writes them, and the
// rest as they are.
func TestPageWireFormEscapes(t *testing.T) {
	p := page()
	for _, v := range []string{"a\"b", `c\d`, "tab\there", "<&>", "línea\u2028nueva", "bad \xff byte", "Peña", "\u0085"} {
		p.Changes[0].Row["last_name"] = v
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(v)
		if !strings.Contains(string(b), string(want)) && !strings.Contains(string(b), `"`+v+`"`) {
			t.Errorf("%q written as %s", v, b)
		}
		var back Page
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if got := back.Changes[0].Row["last_name"]; got != strings.ToValidUTF8(v, "\uFFFD") {
			t.Errorf("%q read back as %q", v, got)
		}
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
	f.Add([]byte(`{"changes":[["1","regions","","W","Oeste \u003c\\ \u2028"]],"next":{"epoch":"e","seq":1},"more":false}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		// The hand-written reader reads what it reads as encoding/json does.
		if fast, ok := readWirePage(in); ok {
			var slow wirePage
			if err := json.Unmarshal(in, &slow); err != nil || !reflect.DeepEqual(fast, slow) {
				t.Fatalf("%q read by hand as %+v, by encoding/json as %+v (%v)", in, fast, slow, err)
			}
		}
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

func TestDecodeRefusesBadText(t *testing.T) {
	for _, tc := range []struct{ entity, payload, err string }{
		{EntityRecord, `{"id":"r1","state_id":"0001\u202e234","mis2000_id":"1"}`, "state_id: character 5 is a bidirectional control"},
		{EntityRecord, `{"id":"r1","state_id":"1","mis2000_id":"1\u0000"}`, "mis2000_id: character 2 is a control character"},
		{EntityGrant, `{"username":"ana","district":"` + strings.Repeat("1", 301) + `"}`, "district: the value is too long"},
	} {
		_, err := Mutation{Entity: tc.entity, Payload: json.RawMessage(tc.payload)}.Decode()
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: got %v, want %q", tc.payload, err, tc.err)
		}
	}
	got, err := Mutation{Entity: EntityGrant, Payload: json.RawMessage(`{"username":"jose\u0301","district":"001"}`)}.Decode()
	if err != nil || got.(Grant).Username != "jos\u00e9" {
		t.Errorf("got %+v, %v; want the name in normal form C", got, err)
	}
}

// FuzzMutationDecode: any payload decodes to clean text or is refused.
func FuzzMutationDecode(f *testing.F) {
	f.Add(EntityRecord, []byte(`{"id":"r1","state_id":"0001234567","mis2000_id":"123","qad":"2025-01-01","districts":["001"]}`))
	f.Add(EntityGrant, []byte(`{"username":"ana","district":"001"}`))
	f.Add("other", []byte(`{}`))
	f.Fuzz(func(t *testing.T, entity string, payload []byte) {
		v, err := Mutation{Entity: entity, Payload: payload}.Decode()
		if err != nil {
			return
		}
		var texts []string
		switch p := v.(type) {
		case Record:
			texts = append([]string{p.ID, p.StateID, p.MIS2000ID, p.QAD, p.EED}, p.Districts...)
		case Grant:
			texts = []string{p.Username, p.District}
		default:
			t.Fatalf("decoded to %T", v)
		}
		for _, s := range texts {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
				t.Fatalf("decoded %q from %q", s, payload)
			}
		}
	})
}

// A shared page's copies are encoded once between them; a page not
// shared is not encoded through Encoded at all.
func TestSharedPageEncodedOnce(t *testing.T) {
	calls := 0
	encode := func() ([]byte, error) { calls++; return []byte("body"), nil }
	if _, ok, _ := page().Encoded(encode); ok || calls != 0 {
		t.Fatalf("a page not shared: ok %v, encoded %d times", ok, calls)
	}
	p := page()
	p.Share()
	copies := []Page{p, p, p}
	for i, c := range copies {
		body, ok, err := c.Encoded(encode)
		if !ok || err != nil || string(body) != "body" {
			t.Fatalf("copy %d: %q, %v, %v", i, body, ok, err)
		}
	}
	if calls != 1 {
		t.Fatalf("three copies of a shared page encoded %d times", calls)
	}
}
