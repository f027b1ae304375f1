package store_test

import (
	"context"
	"testing"

	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
)

// Resend puts the acknowledged mutations back in the outbox in their
// first order, ahead of those still waiting, and leaves conflicts and
// rejections for a person.
func TestResendAcknowledged(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	for _, id := range []string{storetest.Maria, storetest.Ana} {
		if _, err := st.SaveRecord(ctx, clerk, storetest.Record(t, id, "1", "2025-09-01", "")); err != nil {
			t.Fatal(err)
		}
	}
	ms := waiting(t, st)
	answer(t, st, applied(ms[0], 1), sync.Result{MutationID: ms[1].ID, Outcome: sync.Rejected, Reason: "no"})
	if _, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "2", "2020-09-01", "2020-10-01")); err != nil {
		t.Fatal(err)
	}
	n, err := st.Resend(ctx)
	if err != nil || n != 2 {
		t.Fatalf("resend: %d waiting, %v", n, err)
	}
	again := waiting(t, st)
	if len(again) != 2 || again[0].ID != ms[0].ID || again[1].Op != sync.OpCreate || again[1].ID == ms[1].ID {
		t.Fatalf("after resend the outbox sends %+v", again)
	}
	if rs, err := st.Rejections(ctx); err != nil || len(rs) != 1 || rs[0].ID != ms[1].ID {
		t.Fatalf("the rejection: %+v, %v", rs, err)
	}
	// The hub answers what it had as a duplicate: the outbox is done with it.
	answer(t, st, sync.Result{MutationID: ms[0].ID, Outcome: sync.Duplicate, Version: 1})
	if ms := waiting(t, st); len(ms) != 1 || ms[0].ID != again[1].ID {
		t.Fatalf("after the duplicate the outbox sends %+v", ms)
	}
}
