package hub

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(func() time.Time { return now })
	for range freeFailures - 1 {
		l.fail("user:a", "addr:1")
	}
	if l.wait("user:a") != 0 {
		t.Fatal("locked before the free failures ran out")
	}
	l.fail("user:a", "addr:1")
	if w := l.wait("user:a"); w != time.Second {
		t.Fatalf("first lockout %v", w)
	}
	l.fail("user:a", "addr:1")
	if w := l.wait("user:b", "addr:1"); w != 2*time.Second {
		t.Fatalf("the address is locked for %v", w)
	}
	l.succeed("user:a")
	if l.wait("user:a") != 0 || l.wait("addr:1") == 0 {
		t.Fatal("success cleared the wrong key")
	}
	for range 40 {
		l.fail("user:c")
	}
	if w := l.wait("user:c"); w != maxLockout {
		t.Fatalf("lockout grew to %v", w)
	}
	now = now.Add(2 * time.Hour)
	l.fail("user:c")
	if w := l.wait("user:c"); w != 0 {
		t.Fatalf("an old count was kept: %v", w)
	}
}

// An address has at most maxSignInsAtOnce sign-ins under way, and one
// more once one ends.
func TestCrowd(t *testing.T) {
	var c crowd
	for range maxSignInsAtOnce {
		if !c.enter("192.0.2.1") {
			t.Fatal("a sign-in within the bound was turned away")
		}
	}
	if c.enter("192.0.2.1") || !c.enter("192.0.2.2") {
		t.Fatal("the bound is not the address's own")
	}
	c.leave("192.0.2.1")
	if !c.enter("192.0.2.1") {
		t.Error("a sign-in that ended still counts")
	}
}
