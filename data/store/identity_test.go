package store_test

import (
	"context"
	"testing"

	"migrantdesk/data/argon2id"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// TestIdentityKeepsTheHubsName: the identity holds the name the hub gave
// its database, and the name of the hub signed in to last: a database
// moved to a hub that names none (--new-hub) forgets the old hub's name,
// which would otherwise refuse the new hub once it names itself.
func TestIdentityKeepsTheHubsName(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenEmpty(t)
	clerk := storetest.User(storetest.Clerk)
	for _, hub := range []string{"name of hub A", ""} {
		if err := st.SetIdentity(ctx, store.Identity{HubURL: "https://hub.example", Hub: hub, User: clerk, Verifier: "v"}); err != nil {
			t.Fatal(err)
		}
		id, synced, err := st.Identity(ctx)
		if err != nil || !synced || id.Hub != hub || id.User.Username != clerk.Username {
			t.Fatalf("after signing in to a hub named %q: %+v, %v, %v", hub, id, synced, err)
		}
	}
}

// TestForgetRefused: the verifier is forgotten only for the password it
// accepts, refused for the database's own user: a typo, or another
// user's name, tells nothing of the owner's account. Once forgotten,
// nothing is left to forget, and a sign-in the hub accepts keeps a new
// verifier.
func TestForgetRefused(t *testing.T) {
	ctx := context.Background()
	st := storetest.OpenEmpty(t)
	clerk := storetest.User(storetest.Clerk)
	const pw = "correct horse battery"
	hash, err := argon2id.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetIdentity(ctx, store.Identity{HubURL: "https://hub.example", User: clerk, Verifier: hash}); err != nil {
		t.Fatal(err)
	}
	gone := false // the verifier has been forgotten
	for _, c := range []struct {
		username, password string
		forgets            bool
	}{
		{clerk.Username, "a typo of it", false},
		{storetest.ClerkWest, pw, false},
		{" " + clerk.Username + " ", pw, true},
		{clerk.Username, pw, false},
	} {
		forgot, err := st.ForgetRefused(ctx, c.username, c.password)
		gone = gone || forgot
		id, _, ierr := st.Identity(ctx)
		if err != nil || ierr != nil || forgot != c.forgets || (id.Verifier == "") != gone {
			t.Fatalf("%q, %q refused: forgot %v (%v, %v), verifier %q", c.username, c.password, forgot, err, ierr, id.Verifier)
		}
	}
	if err := st.SetIdentity(ctx, store.Identity{HubURL: "https://hub.example", User: clerk, Verifier: hash}); err != nil {
		t.Fatal(err)
	}
	if id, _, _ := st.Identity(ctx); id.Verifier != hash {
		t.Error("a sign-in after the refusal kept no verifier")
	}
}
