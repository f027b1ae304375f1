package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"migrantdesk/data/argon2id"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/store"
)

// A sync from the command line ends its sign-in at the hub as it
// finishes: a token left behind would sign its holder in for twelve
// hours after the command that needed it had exited.
func TestSyncSignsOut(t *testing.T) {
	h, args := syncHub(t)
	if err := dispatch(args, io.Discard); err != nil {
		t.Fatal(err)
	}
	if n, err := h.ActiveTokens(context.Background(), time.Now()); err != nil || n != 0 {
		t.Errorf("after the sync the hub keeps %d sign-ins (%v), want none", n, err)
	}
}

// With the hub up and its database out of reach, the hub answers that it
// cannot answer now; the operator is told that the workstation loses
// nothing by it, as the app tells its user.
func TestSyncSaysTheChangesAreKeptWhenTheHubCannotAnswer(t *testing.T) {
	h, args := syncHub(t)
	h.Close()
	err := dispatch(args, io.Discard)
	want := "sync: the hub could not answer just now; try again in a minute; the changes saved in " + args[2] +
		" are kept, and the next sync sends them"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// A sync whose password the hub refuses after letting it in (the account
// disabled, or its password changed, at the hub) forgets the verifier the
// database keeps of it, as the app does, so that the app no longer signs
// the user in with it without the hub, and says so. A mistyped password
// forgets nothing. Before, the verifier stayed, and the app went on
// signing a disabled user in whenever the hub could not be reached.
func TestSyncForgetsAPasswordTheHubNoLongerAccepts(t *testing.T) {
	h, args := syncHub(t)
	if err := dispatch(args, io.Discard); err != nil {
		t.Fatal(err)
	}
	db := args[2]
	// Open beside the commands, as the app would be.
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	verifier := func() string {
		t.Helper()
		id, _, err := st.Identity(context.Background())
		if err != nil || id.HubURL == "" {
			t.Fatalf("the database has no identity (%v)", err)
		}
		return id.Verifier
	}
	kept := verifier()

	typo := filepath.Join(t.TempDir(), "typo")
	if err := os.WriteFile(typo, []byte("not the password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mistyped := append(slices.Clone(args[:len(args)-1]), typo)
	if err := dispatch(mistyped, io.Discard); err == nil || !strings.HasPrefix(err.Error(), "sync: the hub refused this user name and password; ") {
		t.Fatalf("a mistyped password: %v", err)
	}
	if verifier() != kept {
		t.Fatal("a mistyped password forgot the verifier")
	}
	// A gateway's 401, in its own words, says nothing of the account.
	gateway.Store(true)
	err = dispatch(args, io.Discard)
	gateway.Store(false)
	if err == nil || !strings.Contains(err.Error(), "answered 401 Unauthorized, not in the hub's words") {
		t.Fatalf("behind a gateway asking for its own sign-in: %v", err)
	}
	if verifier() != kept {
		t.Fatal("a gateway's 401 forgot the verifier")
	}

	if err := h.Disable(context.Background(), "test", hubtest.ClerkC.Username); err != nil {
		t.Fatal(err)
	}
	err = dispatch(args, io.Discard)
	want := "sync: the hub refused this user name and password, which it accepted before: the account may have been disabled, " +
		"or its password changed at the hub (ask the state administrator). Until the hub accepts a sign-in again, " + db +
		" no longer signs " + hubtest.ClerkC.Username + " in without the hub; the changes saved in " + db + " are kept"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if verifier() != "" {
		t.Error("the password the hub refused still signs in without the hub")
	}
}

// gateway, when set, answers every request to the hubs syncHub starts
// with a page of its own asking for its own sign-in (401), as a state
// network's gateway in front of a hub may.
var gateway atomic.Bool

// syncHub starts a hub with one clerk, and is the arguments of a sync as
// that clerk into a new database.
func syncHub(t *testing.T) (*sqlitehub.DB, []string) {
	t.Helper()
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
	api := hub.NewServer(h, slog.New(slog.DiscardHandler)).Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gateway.Load() {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, "<html><body><h1>Sign in to the state network</h1></body></html>")
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(pw, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return h, []string{"sync", "--db", filepath.Join(dir, "rosa.db"), "--hub", srv.URL, "--user", hubtest.ClerkC.Username,
		"--password-file", pw}
}

// A scheduled sync runs in a folder of its own (Task Scheduler's is
// C:\Windows\System32), where paths that worked at the prompt name
// other files: a password file not found there says where it was looked
// for, and the sync names the database it synced in full. Before, the
// log of the task said "open password: no such file or directory" and
// "synced rosa.db", naming neither folder.
func TestSyncNamesItsFilesInFullForAScheduledTask(t *testing.T) {
	_, args := syncHub(t)
	dir := filepath.Dir(args[2])
	t.Chdir(dir)
	args[2], args[8] = "rosa.db", "password"
	var out strings.Builder
	if err := dispatch(args, &out); err != nil {
		t.Fatal(err)
	}
	if want := "synced " + filepath.Join(dir, "rosa.db") + " with "; !strings.HasPrefix(out.String(), want) {
		t.Errorf("the sync said %q, want it to begin %q", out.String(), want)
	}
	args[8] = "passwort"
	err := dispatch(args, io.Discard)
	if want := "(looked for in " + dir + ", the folder the command runs in"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a password file not found said %v, want it to say %q", err, want)
	}
}
