package store_test

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/importer"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// TestPlanExtract: the plan counts what an import would add and change,
// matches what the import then does, writes nothing itself, and stops
// with its context.
func TestPlanExtract(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	ex := storetest.Extract()
	fill := func(s data.ExtractSink) error { return ex.Put(s) }

	// The same extract again: nothing new, nothing changed.
	p, err := st.PlanExtract(ctx, fill, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Changes() || p.SameStudents != len(ex.Students) || p.Rows.Enrollments != len(ex.Enrollments) {
		t.Fatalf("plan of the extract already loaded: %+v", p)
	}

	// One student renamed, one new with an enrollment.
	ex.Students[0].LastName += "-Ruiz"
	ex.Students = append(ex.Students, data.Student{StateID: "1999999999", LastName: "Nuevo", FirstName: "Ana",
		BirthDate: data.NewDate(2014, 3, 2), Gender: "F", Race: "1"})
	e := ex.Enrollments[0]
	e.ID, e.StateID = "new-enrollment", "1999999999"
	ex.Enrollments = append(ex.Enrollments, e)
	before := storetest.CountRows(t, st)
	p, err = st.PlanExtract(ctx, fill, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.NewStudents != 1 || p.ChangedStudents != 1 || p.NewEnrollments != 1 || p.ChangedEnrollments != 0 || !p.Changes() {
		t.Fatalf("plan %+v", p)
	}
	if after := storetest.CountRows(t, st); after != before {
		t.Fatalf("planning wrote: %+v after %+v", after, before)
	}
	c, err := st.ImportExtract(ctx, ex, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, p.Rows) {
		t.Errorf("the import wrote %+v, the plan counted %+v", c, p.Rows)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := st.PlanExtract(cctx, fill, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled plan: %v", err)
	}
}

// BenchmarkPlanExtract plans a state extract (a folder or workbook,
// MIGRANTDESK_PLAN_DIR) against a database (MIGRANTDESK_PLAN_DB), e.g.
// both made by migrantdeskctl demo --db DB --csv DIR --students 100000.
func BenchmarkPlanExtract(b *testing.B) {
	db, dir := os.Getenv("MIGRANTDESK_PLAN_DB"), os.Getenv("MIGRANTDESK_PLAN_DIR")
	if db == "" || dir == "" {
		b.Skip("set MIGRANTDESK_PLAN_DB and MIGRANTDESK_PLAN_DIR")
	}
	st, err := store.Open(db)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for b.Loop() {
		x, err := importer.OpenExtract(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := st.PlanExtract(context.Background(), func(s data.ExtractSink) error { return x.Scan(s) }, nil); err != nil {
			b.Fatal(err)
		}
		x.Close()
	}
}
