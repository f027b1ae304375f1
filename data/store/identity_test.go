package store_test

import (
	"context"
	"testing"

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
