package store_test

import (
	"context"
	"errors"
	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"strings"
	"testing"
)

// Who may load the extract is decided where it is written, whatever
// calls: never into a database that syncs with a hub (the command line
// included), by the state administrator, and by a clerk only where the
// state allows it.
func TestLoadExtractDecidesWhoMay(t *testing.T) {
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	load := func(st *store.Store, u data.User) error {
		_, err := st.LoadExtract(ctx, u, func(l *store.ExtractLoad) error { return storetest.Extract().Put(l) })
		return err
	}
	st := storetest.OpenEmpty(t)
	if err := load(st, clerk); !errors.Is(err, data.ErrAccess) || !strings.Contains(err.Error(), "has not allowed regional data clerks") {
		t.Fatalf("a clerk's load: %v", err)
	}
	if err := load(st, storetest.User(storetest.Coordinator)); !errors.Is(err, data.ErrAccess) {
		t.Fatalf("a coordinator's load: %v", err)
	}
	if ds, err := st.Districts(ctx, ""); err != nil || len(ds) != 0 {
		t.Fatalf("a refused load wrote %d districts (%v)", len(ds), err)
	}
	if err := load(st, data.Operator("pat")); err != nil {
		t.Fatalf("the state administrator's load: %v", err)
	}
	if err := st.SetMeta(ctx, store.MetaClerksImport, "1"); err != nil {
		t.Fatal(err)
	}
	if err := load(st, clerk); err != nil {
		t.Fatalf("a clerk's load where the state allows it: %v", err)
	}

	if err := st.SetIdentity(ctx, store.Identity{HubURL: "https://hub.example", User: clerk, Verifier: "v"}); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Districts(ctx, "")
	if err := load(st, data.Operator("pat")); !errors.Is(err, data.ErrAccess) || !strings.Contains(err.Error(), "syncs with the hub at https://hub.example") {
		t.Fatalf("a load into a database that syncs with a hub: %v", err)
	}
	if after, _ := st.Districts(ctx, ""); len(after) != len(before) || len(before) == 0 {
		t.Fatalf("a refused load changed %d districts into %d", len(before), len(after))
	}
}
