package store_test

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
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

	if err := st.DropDraft(ctx, storetest.Clerk, store.Draft{StateID: storetest.Maria}); err != nil {
		t.Fatal(err)
	}
	if err := st.DropDraft(ctx, storetest.Clerk, store.Draft{StateID: storetest.Maria}); err != nil {
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

// TestMergeDrafts: a merge typed of a conflict is kept apart from an
// edit of the same record, and only while the conflict is open: its
// resolution drops it, anyone's, and a keystroke written after the
// resolution keeps nothing.
func TestMergeDrafts(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	rec := conflicted(t, st, sync.Record{MIS2000ID: "333", QAD: "2025-10-01", EED: "2028-09-30", Version: 4})
	merge := store.Draft{StateID: storetest.Maria, RecordID: rec.ID, Merge: true, Version: 4, MIS2000ID: "444"}
	edit := store.Draft{StateID: storetest.Maria, RecordID: rec.ID, Version: rec.Version, MIS2000ID: "555"}
	for _, d := range []store.Draft{merge, edit} {
		if err := st.KeepDraft(ctx, clerk, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.KeepDraft(ctx, storetest.User(storetest.Admin), merge); err != nil {
		t.Fatal(err)
	}
	ds, err := st.Drafts(ctx, storetest.Clerk)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[bool]string{}
	for _, d := range ds {
		kept[d.Merge] = d.MIS2000ID
	}
	if len(ds) != 2 || kept[true] != "444" || kept[false] != "555" {
		t.Fatalf("kept %+v, want the merge and the edit of the record apart", ds)
	}

	if err := st.KeepTheirs(ctx, clerk, rec.ID); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{storetest.Clerk, storetest.Admin} {
		ds, err := st.Drafts(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Merge {
				t.Errorf("the conflict resolved, %s still has the merge typed kept: %+v", u, d)
			}
		}
	}
	if err := st.KeepDraft(ctx, clerk, merge); err != nil {
		t.Fatalf("a merge typed as the conflict was resolved: %v", err)
	}
	if ds, _ := st.Drafts(ctx, storetest.Clerk); len(ds) != 1 || ds[0].Merge {
		t.Errorf("a merge of a resolved conflict was kept: %+v", ds)
	}
}

// TestDraftsMigration: a database of schema 12 keeps its drafts through
// the upgrade, as edits, and then keeps a merge of the same record too.
func TestDraftsMigration(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	rec := conflicted(t, st, sync.Record{MIS2000ID: "333", QAD: "2025-10-01", EED: "2028-09-30", Version: 4})
	path := st.Path()
	st.Close()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`DROP TABLE drafts; DROP INDEX outbox_refused;`+store.Migrations()[11]+`
		INSERT INTO drafts(username, state_id, record_id, version, mis2000_id, qad, eed, eed_chosen, at)
			VALUES(?, ?, ?, 2, '555', '10/01/2025', '06/30/2027', 1, '2026-11-28T10:00:00Z');
		PRAGMA user_version = 12`, storetest.Clerk, storetest.Maria, rec.ID)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	st, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.Drafts(ctx, storetest.Clerk)
	want := store.Draft{Username: storetest.Clerk, StateID: storetest.Maria, RecordID: rec.ID, Version: 2,
		MIS2000ID: "555", QAD: "10/01/2025", EED: "06/30/2027", EEDChosen: true, At: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	if err != nil || len(ds) != 1 || ds[0] != want {
		t.Fatalf("after the upgrade the drafts read %+v (%v), want %+v", ds, err, want)
	}
	if err := st.KeepDraft(ctx, clerk, store.Draft{StateID: storetest.Maria, RecordID: rec.ID, Merge: true, Version: 4, MIS2000ID: "444"}); err != nil {
		t.Fatal(err)
	}
	if ds, _ := st.Drafts(ctx, storetest.Clerk); len(ds) != 2 {
		t.Errorf("after the upgrade, a merge of a record with an edit typed: %+v", ds)
	}
}
