package argon2id

import (
	"strings"
	"testing"
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
	if _, err := HashPassword("short"); err == nil || !strings.Contains(err.Error(), "at least 10 characters, 5 more than it has") {
		t.Fatalf("short password: %v", err)
	}
	// One character typed must not read "1 characters".
	if err := ValidatePassword("x"); err == nil || strings.Contains(err.Error(), "1 characters") {
		t.Fatalf("one-character password: %v", err)
	}
}
