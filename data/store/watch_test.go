package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store/storetest"
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
