package store_test

import (
	"context"
	"fmt"
	"testing"

	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// TestRecentStudents: newest first, once each, per user, the last
// RecentLimit only, and a student the database no longer has is left out.
func TestRecentStudents(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	ids := func(user string) []string {
		t.Helper()
		rs, err := st.RecentStudents(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.Student.StateID)
		}
		return out
	}
	for _, id := range []string{storetest.Maria, storetest.HernandezB, storetest.Maria} {
		if err := st.NoteOpened(ctx, "clerk1", id); err != nil {
			t.Fatal(err)
		}
	}
	if got := ids("clerk1"); fmt.Sprint(got) != fmt.Sprint([]string{storetest.Maria, storetest.HernandezB}) {
		t.Fatalf("recent %v", got)
	}
	if got := ids("admin"); len(got) != 0 {
		t.Fatalf("another user's list holds %v", got)
	}
	rs, _ := st.RecentStudents(ctx, "clerk1")
	if rs[0].SchoolName == "" || rs[0].Student.LastName == "" {
		t.Errorf("a recent student without the search's columns: %+v", rs[0])
	}
	// Students the database does not have count towards the limit but
	// are not listed; the limit drops the oldest.
	for i := range store.RecentLimit - 1 {
		if err := st.NoteOpened(ctx, "clerk1", fmt.Sprintf("99000000%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := ids("clerk1"); fmt.Sprint(got) != fmt.Sprint([]string{storetest.Maria}) {
		t.Fatalf("after %d more: %v, want only the newest real student", store.RecentLimit-1, got)
	}
	if err := st.NoteOpened(ctx, "", storetest.Maria); err == nil {
		t.Error("a student noted for no user")
	}
}
