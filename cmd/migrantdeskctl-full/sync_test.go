package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"migrantdesk/data/argon2id"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/sqlitehub"
)

// A sync from the command line ends its sign-in at the hub as it
// finishes: a token left behind would sign its holder in for twelve
// hours after the command that needed it had exited.
func TestSyncSignsOut(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	h, err := sqlitehub.Open(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	const password = "correct horse battery"
	hash, err := argon2id.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.SaveAccount(ctx, "test", hub.Account{User: hubtest.ClerkC, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hub.NewServer(h, slog.New(slog.DiscardHandler)).Handler())
	t.Cleanup(srv.Close)
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(pw, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = dispatch([]string{"sync", "--db", filepath.Join(dir, "rosa.db"), "--hub", srv.URL, "--user", hubtest.ClerkC.Username,
		"--password-file", pw}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := h.ActiveTokens(ctx, time.Now()); err != nil || n != 0 {
		t.Errorf("after the sync the hub keeps %d sign-ins (%v), want none", n, err)
	}
}
