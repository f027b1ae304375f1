package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
)

// qaStore holds district 010 with one public and one private school, and
// students whose records are written straight into the tables, so that
// states the app's own functions never make (a deleted record whose copy
// is still there, say, before sync removes it) can be tested too.
// report/testdata/qa has the full set of report cases.
func qaStore(t *testing.T) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "qa.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d := func(y int, m time.Month, day int) data.Date { return data.NewDate(y, m, day) }
	student := func(id, last, first string) data.Student {
		return data.Student{StateID: id, LastName: last, FirstName: first, BirthDate: d(2012, 1, 1), Gender: "F", Race: "1"}
	}
	enrol := func(id, stateID, school string) data.Enrollment {
		return data.Enrollment{ID: id, StateID: stateID, SchoolNumber: school, Grade: "05", ServiceType: "P", Start: d(2024, 8, 12)}
	}
	ex := &data.Extract{
		Regions:   []data.Region{{Code: "C", Name: "Central"}},
		Districts: []data.District{{Number: "010", Name: "Ten", RegionCode: "C"}, {Number: "020", Name: "Twenty", RegionCode: "C"}},
		Schools: []data.School{
			{Number: "010001", DistrictNumber: "010", Name: "Ten Elementary"},
			{Number: "020001", DistrictNumber: "020", Name: "Twenty Elementary"},
		},
		Students: []data.Student{
			student("A", "Zúñiga", "Ana"), student("B", "Abad", "Bea"), student("C", "Ábrego", "Cruz"),
			student("D", "Deleted", "Dora"), student("E", "Elsewhere", "Eva"),
		},
		Enrollments: []data.Enrollment{
			enrol("eA", "A", "010001"), enrol("eB", "B", "010001"), enrol("eC", "C", "010001"),
			enrol("eD", "D", "010001"), enrol("eE", "E", "010001"), enrol("eE2", "E", "020001"),
		},
	}
	if _, err := st.ImportExtract(context.Background(), ex, "test"); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := st.w.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	record := func(id, stateID, mis, qad, eed string, deleted int) {
		exec(`INSERT INTO migrant_records(id, state_id, mis2000_id, qad, eed, version, deleted,
			created_at, created_by, updated_at, updated_by) VALUES(?, ?, ?, ?, ?, 2, ?, '', '', '', '')`,
			id, stateID, mis, qad, eed, deleted)
	}
	publish := func(id, district, mis, qad, eed string) {
		exec(`INSERT INTO published(record_id, district_number, version, mis2000_id, qad, eed, published_at, published_by)
			VALUES(?, ?, 1, ?, ?, ?, '', '')`, id, district, mis, qad, eed)
	}
	// A: edited since publishing; the district sees the published values.
	record("rA", "A", "999", "2024-03-01", "2027-02-28", 0)
	publish("rA", "010", "111", "2023-09-01", "2026-08-31")
	// B: two published records; the latest QAD fills the row.
	record("rB1", "B", "201", "2022-01-10", "2025-01-09", 0)
	publish("rB1", "010", "201", "2022-01-10", "2025-01-09")
	record("rB2", "B", "202", "2025-02-01", "2028-01-31", 0)
	publish("rB2", "010", "202", "2025-02-01", "2028-01-31")
	// C: published; here to test the order of accented names.
	record("rC", "C", "300", "2024-01-01", "2026-12-31", 0)
	publish("rC", "010", "300", "2024-01-01", "2026-12-31")
	// D: deleted, its copy not yet removed.
	record("rD", "D", "400", "2024-01-01", "2026-12-31", 1)
	publish("rD", "010", "400", "2024-01-01", "2026-12-31")
	// E: published to 020 only, though enrolled in 010 too.
	record("rE", "E", "500", "2024-01-01", "2026-12-31", 0)
	publish("rE", "020", "500", "2024-01-01", "2026-12-31")
	return st
}

func TestQARows(t *testing.T) {
	st := qaStore(t)
	p := data.SchoolYear(2024)
	d, rows, err := st.QARows(context.Background(), "010", p)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "Ten" {
		t.Errorf("district %+v", d)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Student.LastName+" "+r.Record.MIS2000ID+" "+r.Record.QAD.String()+" "+r.Record.EED.String())
	}
	want := []string{
		"Abad 202 2025-02-01 2028-01-31",   // the later of two records
		"Ábrego 300 2024-01-01 2026-12-31", // between Abad and Zúñiga, accents ignored
		"Zúñiga 111 2023-09-01 2026-08-31", // the published copy, not the edit
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Only the copy published to 020 counts there.
	_, rows, err = st.QARows(context.Background(), "020", p)
	if err != nil || len(rows) != 1 || rows[0].Student.StateID != "E" || rows[0].SchoolName != "Twenty Elementary" {
		t.Errorf("district 020: %+v, %v", rows, err)
	}
}

func TestQARowsUnknownDistrict(t *testing.T) {
	st := qaStore(t)
	_, _, err := st.QARows(context.Background(), "10", data.SchoolYear(2024))
	if !errors.Is(err, ErrUnknownDistrict) || !strings.Contains(err.Error(), `district "10" is not in the database`) {
		t.Errorf("got %v", err)
	}
}
