package hubsql

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

func recordMutation(payload string) sync.Mutation {
	return sync.Mutation{ID: "6f9619ff-8b86-d011-b42d-00c04fc964ff", Entity: sync.EntityRecord, EntityID: "r1",
		Op: sync.OpCreate, Payload: json.RawMessage(payload)}
}

// The hub holds pushed text to the importer's rule and names the field.
func TestDecodeRecordText(t *testing.T) {
	const ok = `"id": "r1", "state_id": "0000000001", "qad": "2025-09-01", "eed": "2028-08-31", "version": 1`
	for _, c := range []struct{ payload, reason string }{
		{`{` + ok + `, "mis2000_id": "12\u00073"}`, "the MIS2000 ID: character 3 is a control character"},
		{`{` + ok + `, "mis2000_id": "12\u202e3"}`, "the MIS2000 ID: character 3 is a bidirectional control"},
		{`{` + ok + `, "mis2000_id": "12` + "\xff" + `3"}`, "the MIS2000 ID is not UTF-8 text"},
		{`{` + ok + `, "mis2000_id": "12\ud8003"}`, "the MIS2000 ID is not UTF-8 text (or holds half of a surrogate pair)"},
		{`{` + ok + `, "mis2000_id": "` + strings.Repeat("1", data.MaxTextBytes+1) + `"}`, "the MIS2000 ID: the value is too long"},
		{`{"id": "r1", "state_id": "00000\u0000001", "qad": "2025-09-01", "eed": "2028-08-31", "mis2000_id": "1"}`, "the state ID: character 6"},
		{`{` + ok + `, "mis2000_id": "1", "extra": 1}`, "could not be read"},
	} {
		_, _, err := decodeRecord(recordMutation(c.payload))
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("%q: got %v, want a rejection with %q", c.payload, err, c.reason)
		}
	}
	// A literal replacement character is text like any other, and
	// decomposed accents are stored composed (NFC).
	w, _, err := decodeRecord(recordMutation(`{` + ok + `, "mis2000_id": "Jose\u0301 \ufffd"}`))
	if err != nil || w.MIS2000ID != "José \uFFFD" {
		t.Fatalf("got %q, %v", w.MIS2000ID, err)
	}
}

// FuzzDecodeRecord: the decoder never panics, and what it accepts is
// clean text within the bound a push's payload has on the hub (4 KiB).
func FuzzDecodeRecord(f *testing.F) {
	f.Add(`{"id": "r1", "state_id": "0000000001", "mis2000_id": "123", "qad": "2025-09-01", "eed": "2028-08-31", "version": 1}`)
	f.Add(`{"id": "r1", "state_id": "0000000001", "mis2000_id": "1\ud800", "qad": "2025-09-01", "eed": "2028-08-31"}`)
	f.Add(`{"username": "cora", "district": "001"}`)
	f.Fuzz(func(t *testing.T, payload string) {
		if len(payload) > 4<<10 {
			return
		}
		if w, _, err := decodeRecord(recordMutation(payload)); err == nil {
			for _, s := range []string{w.ID, w.StateID, w.MIS2000ID, w.QAD, w.EED} {
				if clean, err := data.CleanText(s); err != nil || clean != s || !utf8.ValidString(s) {
					t.Fatalf("accepted text %q (%v)", s, err)
				}
			}
		}
		var g sync.Grant
		if decodePayload(json.RawMessage(payload), &g, []textField{{"username", "the user name", &g.Username},
			{"district", "the district number", &g.District}}) == nil {
			for _, s := range []string{g.Username, g.District} {
				if clean, err := data.CleanText(s); err != nil || clean != s {
					t.Fatalf("accepted text %q (%v)", s, err)
				}
			}
		}
	})
}
