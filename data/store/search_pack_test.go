package store

import "testing"

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
