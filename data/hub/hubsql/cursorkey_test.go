package hubsql

import (
	"strings"
	"testing"

	"migrantdesk/data/sync"
)

// A signed cursor verifies under its key alone, and only as it was
// given: a changed epoch, sequence or mark, or another hub's key, does
// not. Its mark stays within what a hub reads of one (hub.CursorQuery).
func TestCursorKeySigns(t *testing.T) {
	key, err := ParseCursorKey(NewCursorKey())
	if err != nil {
		t.Fatal(err)
	}
	other, err := ParseCursorKey(NewCursorKey())
	if err != nil {
		t.Fatal(err)
	}
	given := sync.Cursor{Epoch: "2f1c6a0e-5b7d-4a8e-9f3c-1d2e3f4a5b6c", Seq: 1 << 40, Mark: newMark(), Snapshot: "students\x1f1"}
	signed := key.Sign(given)
	if len(signed.Mark) > 64 {
		t.Fatalf("a signed mark of %d characters", len(signed.Mark))
	}
	if again := key.Sign(signed); again != signed {
		t.Fatalf("signing a signed cursor again gave %+v, not %+v", again, signed)
	}
	if !key.Verify(signed) || Unsigned(signed) != given {
		t.Fatalf("the key's own cursor: %+v, %v", Unsigned(signed), key.Verify(signed))
	}
	if Unsigned(signed) != given || Unsigned(given) != given {
		t.Fatalf("a cursor without its signature: %+v", Unsigned(signed))
	}
	for _, c := range []sync.Cursor{
		func(c sync.Cursor) sync.Cursor { c.Epoch = "another"; return c }(signed),
		func(c sync.Cursor) sync.Cursor { c.Seq++; return c }(signed),
		func(c sync.Cursor) sync.Cursor {
			c.Mark = map[bool]string{true: "1", false: "0"}[c.Mark[0] == '0'] + c.Mark[1:]
			return c
		}(signed),
		func(c sync.Cursor) sync.Cursor { c.Mark = strings.ToUpper(c.Mark); return c }(signed),
		given,
		{Epoch: given.Epoch, Seq: given.Seq},
		other.Sign(given),
	} {
		if key.Verify(c) {
			t.Errorf("%+v verifies", c)
		}
		if err := key.Lost(c); err == nil {
			t.Errorf("%+v is taken for a cursor the hub gave", c)
		}
	}
	if err := key.Lost(signed); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCursorKey("not hex"); err == nil {
		t.Error("a key that is not hex was read")
	}
}

// BenchmarkCursorKey is what signing costs a pull: one Verify of the
// cursor it came with, when its change is not logged, and one Sign of
// the cursor it gives.
func BenchmarkCursorKey(b *testing.B) {
	key, err := ParseCursorKey(NewCursorKey())
	if err != nil {
		b.Fatal(err)
	}
	c := sync.Cursor{Epoch: "2f1c6a0e-5b7d-4a8e-9f3c-1d2e3f4a5b6c", Seq: 123456789, Mark: newMark()}
	for b.Loop() {
		if !key.Verify(key.Sign(c)) {
			b.Fatal("a signed cursor does not verify")
		}
	}
}
