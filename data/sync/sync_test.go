package sync

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

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
