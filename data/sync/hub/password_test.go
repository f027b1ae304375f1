package hub

import (
	"strings"
	"testing"
	"time"
)

func TestPasswords(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Fatalf("hash %s", h)
	}
	if !VerifyPassword(h, "correct horse battery") || VerifyPassword(h, "correct horse batterY") {
		t.Fatal("verify")
	}
	if h2, _ := HashPassword("correct horse battery"); h2 == h {
		t.Fatal("no salt")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=65536,t=3,p=2$zz$zz", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=3,p=2$AAAA$AAAA"} {
		if VerifyPassword(bad, "x") {
			t.Fatalf("malformed hash %q matched", bad)
		}
	}
	if _, err := HashPassword("short"); err == nil || !strings.Contains(err.Error(), "at least 10") {
		t.Fatalf("short password: %v", err)
	}
}

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
