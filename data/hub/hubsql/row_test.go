package hubsql

import (
	"encoding/json"
	"maps"
	"testing"
)

// decodeRow reads every row as encoding/json does: by hand when it can,
// else through encoding/json.
func FuzzDecodeRow(f *testing.F) {
	for _, s := range []string{`{}`, `{"id":"r1","qad":"2024-01-02"}`, `{"a":"x\"y"}`, `{"a":"<&>"}`,
		`{"a":"é","b":""}`, `{"a":"1","a":"2"}`, `{ "a":"1"}`, `{"a":1}`, `{"a":"1",}`, `{"a":"1"}x`, "{\"a\":\"\xff\"}",
		`{"a":"\u2028"}`, `{"a"}`, `{`, ``, `[]`, `{"a":"1""b":"2"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, err := decodeRow(body)
		var want map[string]string
		werr := json.Unmarshal([]byte(body), &want)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q: error %v, encoding/json's %v", body, err, werr)
		}
		if err == nil && !maps.Equal(got, want) {
			t.Fatalf("%q: %v, encoding/json read %v", body, got, want)
		}
	})
}

func TestPlainRowTakesLoggedRows(t *testing.T) {
	row := map[string]string{"id": "r1", "state_id": "123456789012", "qad": "2024-01-02", "eed": "", "mis2000_id": "M-1"}
	body, _ := json.Marshal(row)
	got, ok := plainRow(string(body))
	if !ok || !maps.Equal(got, row) {
		t.Fatalf("%s: %v %v", body, got, ok)
	}
}

// The feed's rows are written as encoding/json writes them, byte for
// byte, whatever their keys and values hold.
func FuzzRowJSON(f *testing.F) {
	for _, kv := range [][2]string{{"id", "r1"}, {"a", `x"y`}, {"a", "<&>"}, {"é", ""}, {"a", "\u2028"}, {"a", "\xff"},
		{"", "\x00\t\n"}, {"b\\", "\x7f"}, {"qad", "2024-01-02"}} {
		f.Add(kv[0], kv[1], "state_id", "123456789012")
	}
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		for _, row := range []map[string]string{{}, {k1: v1}, {k1: v1, k2: v2}} {
			want, _ := json.Marshal(row)
			if got := rowJSON(row); got != string(want) {
				t.Fatalf("%q: %s, encoding/json wrote %s", row, got, want)
			}
		}
	})
}
