package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// TestDrafts: a draft is kept per user and record, replaced as the
// person types, dropped on its own, and kept only by someone who may
// change the student's records.
func TestDrafts(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	drafts := func(user string) []store.Draft {
		t.Helper()
		ds, err := st.Drafts(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	first := store.Draft{StateID: storetest.Maria, MIS2000ID: "12", QAD: "09/01/2025"}
	if err := st.KeepDraft(ctx, clerk, first); err != nil {
		t.Fatal(err)
	}
	typed := store.Draft{StateID: storetest.Maria, MIS2000ID: "1234", QAD: "09/01/2025", EED: "06/30/2027", EEDChosen: true}
	if err := st.KeepDraft(ctx, clerk, typed); err != nil {
		t.Fatal(err)
	}
	edit := store.Draft{StateID: storetest.HernandezA, RecordID: "r-1", Version: 3, MIS2000ID: strings.Repeat("é", store.MaxDraftText+5)}
	if err := st.KeepDraft(ctx, clerk, edit); err != nil {
		t.Fatal(err)
	}
	ds := drafts(storetest.Clerk)
	if len(ds) != 2 {
		t.Fatalf("drafts %+v, want the new record's and the edit's", ds)
	}
	var got store.Draft
	for _, d := range ds {
		if d.RecordID == "" {
			got = d
		}
	}
	if got.MIS2000ID != "1234" || got.QAD != "09/01/2025" || got.EED != "06/30/2027" || !got.EEDChosen ||
		got.Username != storetest.Clerk || !got.At.Equal(storetest.Now()) {
		t.Errorf("the new record's draft %+v, want the last typing, at the store's time", got)
	}
	for _, d := range ds {
		if d.RecordID == "r-1" && (d.Version != 3 || d.MIS2000ID != strings.Repeat("é", store.MaxDraftText)) {
			t.Errorf("the edit's draft %+v, want version 3 and the field cut at %d characters", d, store.MaxDraftText)
		}
	}
	if ds := drafts(storetest.ClerkWest); len(ds) != 0 {
		t.Errorf("another clerk sees %+v", ds)
	}

	// Access: the Western clerk may not change a Central student's
	// records, so keeps no typing of them; a coordinator none at all.
	var ae *data.AccessError
	for _, u := range []string{storetest.ClerkWest, storetest.Coordinator} {
		if err := st.KeepDraft(ctx, storetest.User(u), first); !errors.As(err, &ae) {
			t.Errorf("%s kept a draft of Maria's record: %v", u, err)
		}
	}
	if err := st.KeepDraft(ctx, data.User{}, first); err == nil {
		t.Error("a draft kept for no user")
	}

	if err := st.DropDraft(ctx, storetest.Clerk, storetest.Maria, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.DropDraft(ctx, storetest.Clerk, storetest.Maria, ""); err != nil {
		t.Fatalf("dropping a draft that is gone: %v", err)
	}
	if ds := drafts(storetest.Clerk); len(ds) != 1 || ds[0].RecordID != "r-1" {
		t.Fatalf("after the drop: %+v", ds)
	}
}

// BenchmarkKeepDraft is the write a keystroke in the record form costs,
// off the UI goroutine: the access check and the upsert, committed.
func BenchmarkKeepDraft(b *testing.B) {
	st := storetest.Open(b)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	d := store.Draft{StateID: storetest.Maria, QAD: "09/01/2025"}
	for i := 0; b.Loop(); i++ {
		d.MIS2000ID = strings.Repeat("1", i%12+1)
		if err := st.KeepDraft(ctx, clerk, d); err != nil {
			b.Fatal(err)
		}
	}
}
