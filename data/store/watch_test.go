package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
)

// TestWatchDistricts: publishing tells the watchers the districts that
// received the record and those whose copy it removed; deleting the
// record tells them the districts that lose it; a stopped watcher hears
// nothing more.
func TestWatchDistricts(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	var heard []string
	stop := st.WatchDistricts(func(ds []string) { heard = append(heard, strings.Join(ds, " ")) })
	op := data.Operator("rosa")
	rec, err := st.SaveRecord(ctx, op, storetest.Record(t, storetest.Ana, "55", "2025-03-01", "2026-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	if len(heard) != 0 {
		t.Fatalf("saving, which changes no copy, was heard: %q", heard)
	}
	res, err := st.Publish(ctx, op, []string{rec.ID}, nil)
	if err != nil || res.Copies != 2 || res.Removed != 0 {
		t.Fatalf("publish: %+v %v", res, err)
	}
	edit := rec.MigrantRecord
	edit.Version = 1
	edit.EED = storetest.Day(t, "2025-10-31")
	rec, err = st.SaveRecord(ctx, op, edit)
	if err != nil {
		t.Fatal(err)
	}
	res, err = st.Publish(ctx, op, []string{rec.ID}, nil)
	if err != nil || res.Copies != 1 || res.Removed != 1 || !slices.Equal(res.SentTo, []string{"001"}) || !slices.Equal(res.RemovedFrom, []string{"003"}) {
		t.Fatalf("publish of the shortened window: %+v %v", res, err)
	}
	if err := st.DeleteRecord(ctx, op, rec.ID, rec.Version); err != nil {
		t.Fatal(err)
	}
	if want := []string{"001 003", "001 003", "001"}; !slices.Equal(heard, want) {
		t.Fatalf("heard %q, want %q", heard, want)
	}
	stop()
	if _, err := st.ImportExtract(ctx, storetest.Extract(), "tester"); err != nil {
		t.Fatal(err)
	}
	if len(heard) != 3 {
		t.Fatalf("a stopped watcher heard %q", heard[3:])
	}
}

// TestDistrictWorklist: the worklist of the fixture's districts as of
// 03/01/2026, line by line, after Ana's move to Calloway in January.
func TestDistrictWorklist(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	op := data.Operator(storetest.Clerk)
	var ids []string
	for _, r := range []data.MigrantRecord{
		storetest.Record(t, storetest.Maria, "1", "2025-09-01", "2028-08-31"),
		storetest.Record(t, storetest.Sean, "2", "2025-09-01", "2028-08-31"), // a private school
		storetest.Record(t, storetest.Ana, "3", "2025-03-01", "2026-04-15"),
	} {
		rec, err := st.SaveRecord(ctx, op, r)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	if _, err := st.Publish(ctx, op, ids, nil); err != nil {
		t.Fatal(err)
	}
	today := storetest.Day(t, "2026-03-01")
	since := data.WorkSince{At: "2026-01-01T00:00:00Z", Day: storetest.Day(t, "2025-12-31")}
	lines := func(district string) [data.NumWorkItems]string {
		wl, err := st.DistrictWorklist(ctx, op, district, since, today)
		if err != nil {
			t.Fatal(err)
		}
		var out [data.NumWorkItems]string
		for i, recs := range wl {
			var students []string
			for _, s := range recs {
				students = append(students, s)
			}
			slices.Sort(students)
			out[i] = strings.Join(students, " ")
		}
		return out
	}
	// Published since: all three copies (the clock is in November 2026).
	// Maria has free meals; Sean's school is private; Ana left.
	if got, want := lines("001"), [data.NumWorkItems]string{storetest.Maria + " " + storetest.Ana + " " + storetest.Sean, "", storetest.Ana, ""}; got != want {
		t.Errorf("001: %q, want %q", got, want)
	}
	// Ana enrolled in Calloway on 01/05/2026, with no free-meal row.
	if got, want := lines("003"), [data.NumWorkItems]string{storetest.Ana, storetest.Ana, storetest.Ana, storetest.Ana}; got != want {
		t.Errorf("003: %q, want %q", got, want)
	}
}

// TestWatchDistrictsHearsPulls: a snapshot may change any district (an
// empty list); a page that brings a copy names its district, one that
// changes a student names the districts holding their records; a page
// about nothing they hold is not heard.
func TestWatchDistrictsHearsPulls(t *testing.T) {
	st := storetest.OpenEmpty(t)
	var heard []string
	st.WatchDistricts(func(ds []string) { heard = append(heard, "["+strings.Join(ds, " ")+"]") })
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 9}, true, scope()...))
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 10}, false, copyIn("R1", "002", 1)))
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 11}, false, student("S1", "Peña", "Ana")))
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 12}, false, row("regions", "code", "W", "name", "Western")))
	if want := []string{"[]", "[002]", "[001 002]"}; !slices.Equal(heard, want) {
		t.Fatalf("heard %q, want %q", heard, want)
	}
}

// TestDistrictLooksNeedAccess: looking at a district, its worklist and the
// previous export of its report are refused to a user who may not see the
// district, and the refused look records nothing.
func TestDistrictLooksNeedAccess(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	cora := storetest.User(storetest.Coordinator) // 001 and 003
	since := data.FirstLook(storetest.Day(t, "2026-03-01"))
	for _, c := range []struct {
		district string
		want     error
	}{{"001", nil}, {"002", data.ErrAccess}, {"099", store.ErrUnknownDistrict}} {
		_, _, err := st.LookAtDistrict(ctx, cora, c.district)
		if !errors.Is(err, c.want) {
			t.Errorf("look at %s: got %v, want %v", c.district, err, c.want)
		}
		if _, ok, err := st.LastLook(ctx, cora.Username, c.district); err != nil || ok != (c.want == nil) {
			t.Errorf("look at %s: recorded %v (%v)", c.district, ok, err)
		}
		if _, err := st.DistrictWorklist(ctx, cora, c.district, since, storetest.Day(t, "2026-03-01")); !errors.Is(err, c.want) {
			t.Errorf("worklist of %s: got %v, want %v", c.district, err, c.want)
		}
		if _, _, err := st.PreviousExport(ctx, cora, c.district, "detail"); !errors.Is(err, c.want) {
			t.Errorf("previous export of %s: got %v, want %v", c.district, err, c.want)
		}
	}
	if _, _, err := st.LookAtDistrict(ctx, cora, "002"); err == nil || !strings.Contains(err.Error(), "Cora Díaz (District coordinator) may not see district 002") {
		t.Errorf("the refusal reads %v", err)
	}
}
