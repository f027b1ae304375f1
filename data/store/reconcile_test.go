package store

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/reconcile"
)

// TestReconcileSnapshot checks what the set queries load against the
// fixture: live records only, latest QAD first, with their copies and
// whether they were ever published; the districts of the day's
// enrollments (any school, private too); the students born on the birth
// dates of the rows no record matches.
func TestReconcileSnapshot(t *testing.T) {
	st := openFixture(t)
	ctx := context.Background()
	save := func(id, mis, qad, eed string) Record {
		t.Helper()
		r, err := st.SaveRecord(ctx, data.Operator("clerk"), data.MigrantRecord{StateID: id, MIS2000ID: mis, QAD: day(t, qad), EED: day(t, eed)})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	maria := save("0000000001", "111", "2021-09-01", "2022-08-31")
	maria2 := save("0000000001", "111", "2024-09-01", "2027-08-31")
	ana := save("0000000002", "222", "2025-01-15", "2028-01-14")
	gone := save("0000000003", "333", "2022-01-01", "2022-06-30")
	save("0000000003", "334", "2024-09-01", "2027-08-31")
	if _, err := st.Publish(ctx, data.Operator("clerk"), []string{maria.ID, maria2.ID, ana.ID, gone.ID}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteRecord(ctx, data.Operator("clerk"), gone.ID, gone.Version); err != nil {
		t.Fatal(err)
	}

	rows := []data.MIS2000Row{
		{MIS2000ID: "111", BirthDate: day(t, "2012-05-05")},
		{MIS2000ID: "999", BirthDate: day(t, "2010-01-20")},
		{MIS2000ID: "998", BirthDate: day(t, "2010-01-20")},
		{MIS2000ID: "333", BirthDate: day(t, "2011-03-03")}, // the deleted record matches no row
	}
	for on, want := range map[string][]string{
		"2025-11-03": {
			"0000000001 enrolled [001]: 111 2024-09-01..2027-08-31 published [001]; 111 2021-09-01..2022-08-31 saved []",
			"0000000002 enrolled [001]: 222 2025-01-15..2028-01-14 published [001 003]",
			"0000000003 enrolled [001]: 334 2024-09-01..2027-08-31 saved []",
		},
		"2026-02-01": {
			"0000000001 enrolled [001]: 111 2024-09-01..2027-08-31 published [001]; 111 2021-09-01..2022-08-31 saved []",
			"0000000002 enrolled [003]: 222 2025-01-15..2028-01-14 published [001 003]",
			"0000000003 enrolled [001]: 334 2024-09-01..2027-08-31 saved []",
		},
	} {
		snap, err := st.ReconcileSnapshot(ctx, rows, day(t, on))
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
		if want := []string{"0000000002 Núñez", "0000000003 O'Neil"}; !slices.Equal(born, want) {
			t.Errorf("born %q, want %q", born, want)
		}
		if len(snap.Districts) != 3 || snap.AsOf != day(t, on) {
			t.Errorf("districts %v, as of %s", snap.Districts, snap.AsOf)
		}
	}
}

func describeSnapshot(s *reconcile.Snapshot) []string {
	var out []string
	for _, st := range s.Students {
		line := fmt.Sprintf("%s enrolled %v:", st.StateID, st.Enrolled)
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
