package report

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/importer"
	"migrantdesk/data/store"
)

// testdata/qa/CASES.md describes the state loaded here, student by student.
const stateDir = "testdata/qa"

// period is the reporting period the expected results are worked out for.
var period = data.Period{From: data.NewDate(2024, time.August, 1), To: data.NewDate(2025, time.June, 30)}

var testMeta = Meta{
	GeneratedAt: time.Date(2026, time.November, 2, 14, 5, 0, 0, time.UTC),
	GeneratedBy: "coord.núñez",
}

// loadState makes a database holding the test state: the extract, the
// published and unpublished records, then the three changes CASES.md marks
// "(test)".
func loadState(t testing.TB) *store.Store {
	t.Helper()
	return loadStateAt(t, filepath.Join(t.TempDir(), "qa.db"))
}

func loadStateAt(t testing.TB, path string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })

	ex, err := importer.ReadExtract(stateDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportExtract(ctx, ex, "admin"); err != nil {
		t.Fatal(err)
	}
	for file, publish := range map[string]bool{"migrant_records.csv": true, "unpublished_records.csv": false} {
		rows, err := importer.ReadMigrantRecords(filepath.Join(stateDir, file))
		if err != nil {
			t.Fatal(err)
		}
		recs := make([]data.MigrantRecord, len(rows))
		for i, r := range rows {
			recs[i] = data.MigrantRecord{StateID: r.StateID, MIS2000ID: r.MIS2000ID, QAD: r.QAD, EED: r.EED}
		}
		if _, err := st.ImportRecords(ctx, data.Operator("clerk"), recs, publish); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}

	// 117: edited after publishing, not published again.
	quintero := onlyRecord(t, st, "0000000117")
	quintero.MIS2000ID = "000117999"
	if _, err := st.SaveRecord(ctx, data.Operator("clerk"), quintero); err != nil {
		t.Fatal(err)
	}
	// 118: published, then deleted.
	ruiz := onlyRecord(t, st, "0000000118")
	if err := st.DeleteRecord(ctx, data.Operator("clerk"), ruiz.ID, ruiz.Version); err != nil {
		t.Fatal(err)
	}
	// 119: a newer extract enrolls her in 001 after the publish.
	santos := data.Student{StateID: "0000000119", LocalNumber: "0119", LastName: "Santos", FirstName: "Carla",
		BirthDate: data.NewDate(2015, time.April, 4), Gender: "F", Race: "1"}
	later := &data.Extract{
		Students: []data.Student{santos},
		Enrollments: []data.Enrollment{
			{ID: "E119", StateID: santos.StateID, SchoolNumber: "002100", Grade: "04", ServiceType: "P", Start: data.NewDate(2024, time.August, 12)},
			{ID: "E119B", StateID: santos.StateID, SchoolNumber: "001100", Grade: "04", ServiceType: "S", Start: data.NewDate(2025, time.March, 3)},
		},
		Programs: []data.Program{{StateID: santos.StateID, Program: data.ProgramFRAM, Code: data.MealsFree, Start: data.NewDate(2024, time.August, 1)}},
	}
	if _, err := st.ImportExtract(ctx, later, "admin"); err != nil {
		t.Fatal(err)
	}
	return st
}

func onlyRecord(t testing.TB, st *store.Store, stateID string) data.MigrantRecord {
	t.Helper()
	recs, err := st.StudentRecords(context.Background(), stateID)
	if err != nil || len(recs) != 1 {
		t.Fatalf("records of %s: %d, %v", stateID, len(recs), err)
	}
	return recs[0].MigrantRecord
}

// expectedRows reads a hand-written expected_detail_*.csv: the case name,
// then the 23 columns as a person reads them.
func expectedRows(t testing.TB, file string) (cases []string, rows [][]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(stateDir, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, col := range all[0][1:] {
		if col != DetailColumns[i] {
			t.Fatalf("%s: column %d is %q, DetailColumns has %q", file, i+1, col, DetailColumns[i])
		}
	}
	for _, r := range all[1:] {
		cases = append(cases, r[0])
		rows = append(rows, r[1:])
	}
	return cases, rows
}

// build runs the report on the test state.
func build(t testing.TB, st *store.Store, district string) *QA {
	t.Helper()
	q, err := Build(context.Background(), st, data.Operator(""), district, period)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
