package gui

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// TestRenamedAccountSignsInOnItsWorkstation: a clerk whose account an
// older hub kept under an unclean name ("rita " with a space after it)
// synced her workstation then, so its database belongs to "rita ". The
// upgraded hub renames the account "rita" at its start, and promises that
// her sign-ins and everything she did go on under the new name. Signing
// in on her own workstation, with the name and password she always used,
// must then work: her database holds her unpushed work.
//
// The hub answers the sign-in as "rita" and the database says it
// belongs to "rita ": compared as they were, the app refused it as
// another user's database ("sign in as rita "), which no spelling of the
// name can do, since the hub cleans every name it is given. The owner is
// compared by its clean form (data.OwnerName), and the sign-in records the
// hub's new name.
func TestRenamedAccountSignsInOnItsWorkstation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hub.db")
	db, err := sqlitehub.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Store().ImportExtract(ctx, storetest.Extract(), "test-renamed"); err != nil {
		t.Fatal(err)
	}
	hash, err := argon2id.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	hubName, err := db.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	// What an older hub left: the account under the name as typed.
	const oldRita, cleanRita = "rita ", "rita"
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		q    string
		args []any
	}{
		{`INSERT INTO users(username, full_name, role, region_code, district_number, email) VALUES(?, 'Rita Vega', 'clerk', 'C', '', '')`, []any{oldRita}},
		{`INSERT INTO hub_accounts(username, password_hash) VALUES(?, ?)`, []any{oldRita, hash}},
	} {
		if _, err := raw.Exec(q.q, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	// The upgraded hub starts, renaming the account, and serves.
	db, err = sqlitehub.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if got := db.NameCleanup().Renamed; len(got) != 1 || got[0] != (hub.Rename{From: oldRita, To: cleanRita}) {
		t.Fatalf("the hub's start renamed %+q", got)
	}
	srv := httptest.NewServer(hub.NewServer(db, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	t.Cleanup(srv.Close)

	// Rita's workstation, as her syncs with the older hub left it.
	st := storetest.OpenEmpty(t)
	old := data.User{Username: oldRita, FullName: "Rita Vega", Role: data.RoleClerk, RegionCode: "C"}
	if err := st.SetIdentity(ctx, store.Identity{HubURL: srv.URL, Hub: hubName, User: old, Verifier: hash}); err != nil {
		t.Fatal(err)
	}

	for _, typed := range []string{cleanRita, oldRita} {
		s, err := signIn(ctx, st, srv.URL, typed, password, false)
		if err != nil {
			t.Errorf("Rita signs in on her own workstation as %+q: %v", typed, err)
			continue
		}
		if s.user.Username != cleanRita {
			t.Errorf("Rita signed in as %+q: %+v", typed, s.user)
		}
	}
}
