package sqlitehub

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
)

// A live token signs in its account as the hub's records have the user,
// with a coordinator's districts in their order; an account without a
// user row is an error, not a sign-in.
func TestTokenAccountUser(t *testing.T) {
	h := hubtest.Setup(t, open).(*DB)
	ctx := context.Background()
	now := time.Now()
	for i, u := range hubtest.Users() {
		hash := fmt.Sprint("token", i)
		if err := h.SaveToken(ctx, hash, u.Username, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		want, err := h.Account(ctx, u.Username)
		if err != nil {
			t.Fatal(err)
		}
		got, err := h.TokenAccount(ctx, hash, now)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: token signs in %+v, %v; want %+v", u.Username, got, err, want)
		}
	}
	if _, err := h.db.Exec(`INSERT INTO user_districts(username, district_number) VALUES('cora', '003')`); err != nil {
		t.Fatal(err)
	}
	if a, err := h.TokenAccount(ctx, "token3", now); err != nil || !reflect.DeepEqual(a.Districts, []string{"001", "003"}) {
		t.Errorf("a coordinator of two districts signs in with %v, %v", a.Districts, err)
	}
	if _, err := h.db.Exec(`PRAGMA foreign_keys = OFF; DELETE FROM users WHERE username = 'rosa'; PRAGMA foreign_keys = ON`); err != nil {
		t.Fatal(err)
	}
	if a, err := h.TokenAccount(ctx, "token1", now); err == nil {
		t.Errorf("an account without its user signs in as %+v", a)
	}
}

// BenchmarkTokenAccount is the check of every push and pull's token.
func BenchmarkTokenAccount(b *testing.B) {
	h, err := Open(filepath.Join(b.TempDir(), "hub.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
		b.Fatal(err)
	}
	if err := h.SaveAccount(ctx, "test", hub.Account{User: hubtest.Coord001}); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	if err := h.SaveToken(ctx, "token", hubtest.Coord001.Username, now.Add(time.Hour)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.TokenAccount(ctx, "token", now); err != nil {
			b.Fatal(err)
		}
	}
}
