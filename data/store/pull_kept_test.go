package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
)

// The student of a record waiting to be pushed keeps, through a
// snapshot, the enrollments, programs and assessments this workstation
// holds until the snapshot brings the hub's, so that the write rule and
// the publish targets stay the region's, and the student screen shows
// the student whole, while the snapshot comes, cut part way or not. A
// student
// the snapshot, once whole, leaves out is out of the clerk's region on
// the hub: the clerk may no longer change the records here either, until
// the hub counts the student in the region again.
func TestSnapshotKeepsStudentRowsOfLocalWork(t *testing.T) {
	ctx := context.Background()
	clerk, west, admin := storetest.User(storetest.Clerk), storetest.User(storetest.ClerkWest), storetest.User(storetest.Admin)
	users := func() []sync.Change {
		var rows []sync.Change
		for _, u := range []data.User{clerk, west, admin} {
			rows = append(rows, row("users", "username", u.Username, "full_name", u.FullName, "role", u.Role,
				"region_code", u.RegionCode, "district_number", "", "email", ""))
		}
		return rows
	}
	places := scope()[:5] // Central, Adair and Barren
	// waitingWork has the clerk's new record of María, enrolled at Adair,
	// wait for the push.
	waitingWork := func(t *testing.T) (*store.Store, store.Record) {
		st := storetest.Open(t)
		own := []sync.Change{
			row("programs", "state_id", storetest.Maria, "program", "FRAM", "code", "P", "start_date", "2024-08-13", "end_date", ""),
			row("assessments", "state_id", storetest.Maria, "subject", "R", "test_date", "2025-04-01", "performance_level", "3"),
		}
		apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 12}, true, slices.Concat(adairScope(), own, users())...))
		rec, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "20", "2025-09-01", ""))
		if err != nil {
			t.Fatal(err)
		}
		return st, rec
	}
	edits := 30
	mayEdit := func(st *store.Store, u data.User, rec store.Record) error {
		r := record(t, st, rec.ID).MigrantRecord
		edits++
		r.MIS2000ID = strconv.Itoa(edits)
		_, err := st.SaveRecord(ctx, u, r)
		return err
	}
	// held is what the student screen shows of María: her enrollments,
	// then her programs and assessments.
	held := func(t *testing.T, st *store.Store) []string {
		t.Helper()
		d, err := st.Student(ctx, storetest.Maria)
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, e := range d.Enrollments {
			rows = append(rows, e.ID+"@"+e.District.Number)
		}
		for _, p := range d.Programs {
			rows = append(rows, p.Program+" from "+p.Start.String())
		}
		for _, a := range d.Assessments {
			rows = append(rows, a.Subject+" level "+a.Level)
		}
		return rows
	}

	t.Run("cut part way", func(t *testing.T) {
		st, rec := waitingWork(t)
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3, Snapshot: "students\x1f0"}, true, append(slices.Clone(places), users()...)...))
		if got := held(t, st); !slices.Equal(got, []string{"E1@001", "FRAM from 2024-08-13", "R level 3"}) {
			t.Fatalf("María shows %v while the snapshot comes, want her enrollment at Adair, program and assessment kept", got)
		}
		if err := mayEdit(st, west, rec); !errors.Is(err, data.ErrAccess) {
			t.Fatalf("the clerk of another region changed María's record while the snapshot comes: %v", err)
		}
		if n, err := st.CountNeedsPublishing(ctx, "C"); err != nil || n != 1 {
			t.Fatalf("%d records of Central to publish while the snapshot comes (%v), want the waiting one", n, err)
		}
		st = reopen(t, st)
		// The hub has María moved to Barren, in another program: its rows
		// replace hers.
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true,
			student(storetest.Maria, "García López", "María"), enrollment("E2", storetest.Maria, "002010", "2025-08-10", ""),
			row("programs", "state_id", storetest.Maria, "program", "EL", "code", "", "start_date", "2025-08-11", "end_date", "")))
		if got := held(t, st); !slices.Equal(got, []string{"E2@002", "EL from 2025-08-11"}) {
			t.Fatalf("María shows %v after the snapshot, want the hub's enrollment at Barren and program alone", got)
		}
		if err := mayEdit(st, clerk, rec); err != nil {
			t.Fatal(err)
		}
		if c := storetest.CountRows(t, st); c.Records != 1 || c.Pending == 0 {
			t.Fatalf("local work lost: %+v", c)
		}
	})
	t.Run("moved out", func(t *testing.T) {
		st, rec := waitingWork(t)
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true, append(slices.Clone(places), users()...)...))
		for _, u := range []data.User{clerk, west} {
			if err := mayEdit(st, u, rec); !errors.Is(err, data.ErrAccess) {
				t.Errorf("%s changed the record of María, whom the hub no longer counts in Central: %v", u.Username, err)
			}
		}
		if got := held(t, st); len(got) != 0 {
			t.Errorf("María, out of the scope, shows %v", got)
		}
		if r := record(t, st, rec.ID); r.MIS2000ID == "" || len(waiting(t, st)) == 0 {
			t.Fatalf("the waiting record was lost: %+v", r)
		}
		if err := mayEdit(st, admin, rec); err != nil {
			t.Fatalf("the state administrator: %v", err)
		}
		// Back in Central on the hub: the clerk may again.
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 5}, false,
			student(storetest.Maria, "García López", "María"), enrollment("E3", storetest.Maria, "001010", "2025-10-01", "")))
		if err := mayEdit(st, clerk, rec); err != nil {
			t.Fatalf("María back in Central: %v", err)
		}
	})
}
