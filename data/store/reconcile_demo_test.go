package store_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"slices"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/demo"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/reconcile"
	"migrantdesk/data/store"
)

// TestReconcileSnapshotAgreesWithStudentDetail checks the set queries of
// ReconcileSnapshot against what the student detail says, one student at
// a time, on a demo state: the same live records in the same order, the
// same copies, and as enrolled on the day the districts of the
// enrollments data.Period says overlap that day.
func TestReconcileSnapshotAgreesWithStudentDetail(t *testing.T) {
	path := demotest.SmallDB(t, 3000)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, day := range []data.Date{demo.DefaultToday, demo.DefaultToday.AddDays(-400), demo.DefaultToday.AddMonths(9)} {
		snap, err := st.ReconcileSnapshot(ctx, nil, day)
		if err != nil {
			t.Fatal(err)
		}
		if want := liveRecordStudents(t, path); len(snap.Students) != want || want == 0 {
			t.Fatalf("%d students with records, the database has %d", len(snap.Students), want)
		}
		for range 150 {
			got := snap.Students[rng.IntN(len(snap.Students))]
			d, err := st.Student(ctx, got.StateID)
			if err != nil {
				t.Fatal(err)
			}
			want := reconcile.Student{Student: d.Student}
			on := data.Period{From: day, To: day}
			for _, e := range d.Enrollments {
				if on.Overlaps(e.Start, e.End) && !slices.Contains(want.Enrolled, e.District.Number) {
					want.Enrolled = append(want.Enrolled, e.District.Number)
				}
			}
			slices.Sort(want.Enrolled)
			for _, r := range d.Records {
				rec := reconcile.Record{ID: r.ID, MIS2000ID: r.MIS2000ID, QAD: r.QAD, EED: r.EED, Published: r.PublishedVersion > 0}
				for _, c := range r.Copies {
					rec.Copies = append(rec.Copies, c.District.Number)
				}
				want.Records = append(want.Records, rec)
			}
			if !sameStudent(got, want) {
				t.Fatalf("as of %s, student %s:\n%+v\nthe detail says\n%+v", day, got.StateID, got, want)
			}
		}
	}
}

func sameStudent(a, b reconcile.Student) bool {
	return a.Student == b.Student && slices.Equal(a.Enrolled, b.Enrolled) &&
		slices.EqualFunc(a.Records, b.Records, func(x, y reconcile.Record) bool {
			return x.ID == y.ID && x.MIS2000ID == y.MIS2000ID && x.QAD == y.QAD && x.EED == y.EED &&
				x.Published == y.Published && slices.Equal(x.Copies, y.Copies)
		})
}

func liveRecordStudents(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(DISTINCT state_id) FROM migrant_records WHERE deleted = 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
