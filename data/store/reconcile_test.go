package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/reconcile"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// TestReconcileSnapshot checks what the set queries load against the
// fixture: live records only, latest QAD first, with their copies and
// whether they were ever published; the districts of the day's
// enrollments (any school, private too), and of the enrollments ended
// before it, with the last day of the last one; the students born on
// the birth dates of the rows no record matches, or that name someone
// else than the student whose record their ID is on.
func TestReconcileSnapshot(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	save := func(id, mis, qad, eed string) store.Record {
		t.Helper()
		r, err := st.SaveRecord(ctx, data.Operator("clerk"), data.MigrantRecord{StateID: id, MIS2000ID: mis, QAD: storetest.Day(t, qad), EED: storetest.Day(t, eed)})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	maria := save(storetest.Maria, "111", "2021-09-01", "2022-08-31")
	maria2 := save(storetest.Maria, "111", "2024-09-01", "2027-08-31")
	ana := save(storetest.Ana, "222", "2025-01-15", "2028-01-14")
	gone := save(storetest.Sean, "333", "2022-01-01", "2022-06-30")
	save(storetest.Sean, "334", "2024-09-01", "2027-08-31")
	if _, err := st.Publish(ctx, data.Operator("clerk"), []string{maria.ID, maria2.ID, ana.ID, gone.ID}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteRecord(ctx, data.Operator("clerk"), gone.ID, gone.Version); err != nil {
		t.Fatal(err)
	}

	rows := []data.MIS2000Row{
		{MIS2000ID: "111", LastName: "Garcia", FirstName: "Maria", BirthDate: storetest.Day(t, "2012-05-05")},
		// Ana's ID on a row of another name: the students of that name
		// and birth date are looked for too.
		{MIS2000ID: "222", LastName: "Ruiz", FirstName: "Tomas", BirthDate: storetest.Day(t, "2008-07-07")},
		{MIS2000ID: "999", BirthDate: storetest.Day(t, "2010-01-20")},
		{MIS2000ID: "998", BirthDate: storetest.Day(t, "2010-01-20")},
		{MIS2000ID: "333", BirthDate: storetest.Day(t, "2011-03-03")}, // the deleted record matches no row
	}
	for on, want := range map[string][]string{
		"2025-11-03": {
			"1000000001 enrolled [001]: 111 2024-09-01..2027-08-31 published [001]; 111 2021-09-01..2022-08-31 saved []",
			"1000000004 enrolled [001]: 222 2025-01-15..2028-01-14 published [001 003]",
			"1000000005 enrolled [001]: 334 2024-09-01..2027-08-31 saved []",
		},
		"2026-02-01": {
			"1000000001 enrolled [001]: 111 2024-09-01..2027-08-31 published [001]; 111 2021-09-01..2022-08-31 saved []",
			"1000000004 enrolled [003], left map[001:2025-12-19]: 222 2025-01-15..2028-01-14 published [001 003]",
			"1000000005 enrolled [001]: 334 2024-09-01..2027-08-31 saved []",
		},
	} {
		snap, err := st.ReconcileSnapshot(ctx, rows, storetest.Day(t, on))
		if err != nil {
			t.Fatal(err)
		}
		if got := describeSnapshot(snap); !slices.Equal(got, want) {
			t.Errorf("as of %s:\n%q\nwant\n%q", on, got, want)
		}
		var born []string
		for _, b := range snap.Born {
			born = append(born, b.StateID+" "+b.LastName)
		}
		if want := []string{"1000000004 Núñez", "1000000005 O'Neil", "1000000006 Ruiz"}; !slices.Equal(born, want) {
			t.Errorf("born %q, want %q", born, want)
		}
		if len(snap.Districts) != 3 || snap.AsOf != storetest.Day(t, on) {
			t.Errorf("districts %v, as of %s", snap.Districts, snap.AsOf)
		}
	}
}

func describeSnapshot(s *reconcile.Snapshot) []string {
	var out []string
	for _, st := range s.Students {
		line := fmt.Sprintf("%s enrolled %v:", st.StateID, st.Enrolled)
		if len(st.Left) > 0 {
			line = fmt.Sprintf("%s enrolled %v, left %v:", st.StateID, st.Enrolled, st.Left)
		}
		for i, r := range st.Records {
			if i > 0 {
				line += ";"
			}
			state := "saved"
			if r.Published {
				state = "published"
			}
			line += fmt.Sprintf(" %s %s..%s %s %v", r.MIS2000ID, r.QAD, r.EED, state, r.Copies)
		}
		out = append(out, line)
	}
	return out
}
