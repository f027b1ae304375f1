package gui

import (
	"context"
	"strings"
	"testing"

	"migrantdesk/data/argon2id"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// noLongerOffline is how the sign-in refuses, while the hub cannot be
// reached, a user whose password the hub has refused since it let them in.
const noLongerOffline = "The hub cannot be reached, and the last time it answered it refused the password this computer kept for you " +
	"(your account may have been disabled, or your password changed): signing in without the hub is off until the hub " +
	"accepts you again. Ask your state administrator; the changes saved here are kept."

// TestDisabledAccountIsNotSignedInOffline: a clerk's account is disabled
// at the hub after the workstation's last sync. Signing in while the hub
// answers is refused, and says why in a sentence the clerk can act on;
// from then on the password is no longer checked on this computer, so
// the clerk cannot sign in by waiting for the hub to be out of reach.
// Before, the verifier kept in the database went on signing the clerk in
// whenever the hub could not be reached. A typo refused by the hub
// forgets nothing: only the hub refusing the password it let in before
// says anything about the account.
func TestDisabledAccountIsNotSignedInOffline(t *testing.T) {
	h := startHub(t)
	first, st := signedInApp(t, h, storetest.Clerk)
	first.win.Close()

	u := start(t, st, Options{})
	signInAs(t, u, h.url, storetest.Clerk, "not the password")
	if got := u.signIn.problem.Text; got != sentence(errRefused.Error()) {
		t.Fatalf("a mistyped password reads %q", got)
	}
	if id := identityOf(t, st); !argon2id.VerifyPassword(id.Verifier, password) {
		t.Fatal("a mistyped password refused by the hub forgot the password kept on this computer")
	}

	h.disable(t, storetest.Clerk)
	signInAs(t, u, h.url, storetest.Clerk, password)
	want := "The hub no longer accepts this user name and password: your account may have been disabled, or your password " +
		"changed at the hub. Ask your state administrator. Until the hub accepts you again, this computer does not sign you " +
		"in without it; the changes saved here are kept."
	if u.signIn == nil || u.signIn.problem.Text != want {
		t.Fatalf("the sign-in of a disabled account reads %q", u.signIn.problem.Text)
	}
	if id := identityOf(t, st); id.Verifier != "" || id.User.Username != storetest.Clerk {
		t.Errorf("after the hub refused the password it had let in, the database keeps %+v", id)
	}
	// Tried again, the password might be mistyped this time: the hub's
	// refusal says both.
	signInAs(t, u, h.url, storetest.Clerk, password)
	if got := u.signIn.problem.Text; !strings.HasPrefix(got, sentence(errRefused.Error())+" It has refused the password this computer kept for you before") {
		t.Errorf("the sign-in of a disabled account again reads %q", got)
	}

	h.stop()
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.signIn == nil || u.user.Username == storetest.Clerk {
		t.Fatal("a disabled account signed in without the hub")
	}
	if got := u.signIn.problem.Text; got != noLongerOffline {
		t.Errorf("the offline sign-in of a disabled account reads %q", got)
	}
}

// TestDisabledWhileSignedIn: the clerk's account is disabled at the hub
// while the app runs. The sync after the next change is refused: the app
// stops syncing and says why, the change waits in the outbox, and the
// password is forgotten on this computer, so that once the app is closed
// the clerk cannot sign in again without the hub. Before, the app said
// only that the hub refused the password, and the next start signed the
// disabled clerk in offline with it.
func TestDisabledWhileSignedIn(t *testing.T) {
	h := startHub(t)
	u, st := signedInApp(t, h, storetest.Clerk)
	h.disable(t, storetest.Clerk)
	enterRecord(t, u, storetest.Maria, "4512345", "09/01/2025")
	u.wait()
	if u.sync.state != linkSignedOut || u.status.link.Text != "Signed out: sign in again to sync (Ctrl+R)" {
		t.Fatalf("after the account was disabled the app stands %d, %q", u.sync.state, u.status.link.Text)
	}
	want := "The hub no longer accepts your user name and password (account disabled or password changed): ask your " +
		"state administrator. Syncing has stopped; your changes are kept."
	if got := u.status.message.Text; got != want {
		t.Errorf("the app says %q", got)
	}
	if c := storetest.CountRows(t, st); c.Pending != 1 || c.Records != 1 || u.status.pending.Text != "Waiting for sync: 1" {
		t.Errorf("the change saved: %+v, %q", c, u.status.pending.Text)
	}
	if id := identityOf(t, st); id.Verifier != "" {
		t.Error("the password refused by the hub still signs in on this computer")
	}
	u.win.Close()

	h.stop()
	u = start(t, st, Options{})
	if want := "you can sign in only while the hub can be reached"; !strings.Contains(strings.Join(texts(u.win.Canvas()), "\n"), want) {
		t.Errorf("the sign-in does not say %q: %q", want, texts(u.win.Canvas()))
	}
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.signIn == nil || u.signIn.problem.Text != noLongerOffline {
		t.Fatal("the disabled clerk signed in again without the hub")
	}
	if c := storetest.CountRows(t, st); c.Pending != 1 || c.Records != 1 {
		t.Errorf("the change saved before: %+v", c)
	}
}

// identityOf is the database's identity, which it must have.
func identityOf(t *testing.T, st *store.Store) store.Identity {
	t.Helper()
	id, synced, err := st.Identity(context.Background())
	if err != nil || !synced {
		t.Fatalf("the database has no identity (%v)", err)
	}
	return id
}

// TestAGatewaysRefusalIsNotTheHubs: a gateway at the hub's address that
// wants its own sign-in answers 401 with a page of its own. That says
// nothing of the clerk's account at the hub: the clerk signs in on this
// computer, as when the hub cannot be reached, and the password kept
// here stays. Before, the app took the page for the hub refusing the
// password, forgot it, and the clerk could not work at all.
func TestAGatewaysRefusalIsNotTheHubs(t *testing.T) {
	h := startHub(t)
	first, st := signedInApp(t, h, storetest.Clerk)
	first.win.Close()

	h.gateway.Store(true)
	u := start(t, st, Options{})
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.signIn != nil || u.user.Username != storetest.Clerk {
		t.Fatalf("behind a gateway asking for its own sign-in, the clerk was not signed in on this computer: %q", u.signIn.problem.Text)
	}
	if id := identityOf(t, st); !argon2id.VerifyPassword(id.Verifier, password) {
		t.Error("a gateway's 401 made this computer forget the password kept for signing in without the hub")
	}
	if !strings.Contains(u.status.message.Text, "answered 401 Unauthorized, not in the hub's words") {
		t.Errorf("the status bar says %q", u.status.message.Text)
	}
}
