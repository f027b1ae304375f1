package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"migrantdesk/data"
)

// day parses a date written in a test.
func day(t testing.TB, s string) data.Date {
	t.Helper()
	d, err := data.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// fixture is a small state: two regions, three districts, a private
// school, and three students whose enrollments are spelled out below.
func fixture(t testing.TB) *data.Extract {
	return &data.Extract{
		Regions: []data.Region{{Code: "C", Name: "Central"}, {Code: "W", Name: "Western"}},
		Districts: []data.District{
			{Number: "001", Name: "Adair County", RegionCode: "C"},
			{Number: "002", Name: "Barren County", RegionCode: "C"},
			{Number: "003", Name: "Calloway County", RegionCode: "W"},
		},
		Schools: []data.School{
			{Number: "001010", DistrictNumber: "001", Name: "Adair Elementary", Classification: "A1"},
			{Number: "002010", DistrictNumber: "002", Name: "Barren Middle", Classification: "A2"},
			{Number: "003010", DistrictNumber: "003", Name: "Calloway High", Classification: "A3"},
			{Number: "001900", DistrictNumber: "001", Name: "St. Mary Academy", Classification: "J1"},
		},
		Students: []data.Student{
			{StateID: "0000000001", LocalNumber: "L1", LastName: "García López", FirstName: "María", MiddleName: "José", BirthDate: day(t, "2012-05-05"), Gender: "F", Race: "1"},
			{StateID: "0000000002", LocalNumber: "L2", LastName: "Núñez", FirstName: "Ana", MiddleName: "", BirthDate: day(t, "2010-01-20"), Gender: "F", Race: "1"},
			{StateID: "0000000003", LocalNumber: "L3", LastName: "O'Neil", FirstName: "Sean", MiddleName: "", BirthDate: day(t, "2011-03-03"), Gender: "M", Race: "6"},
		},
		Enrollments: []data.Enrollment{
			// María: Adair all along.
			{ID: "E1", StateID: "0000000001", SchoolNumber: "001010", Grade: "06", ServiceType: "P", Start: day(t, "2024-08-10"), End: 0},
			// Ana: Adair until December 2025, then Calloway.
			{ID: "E2", StateID: "0000000002", SchoolNumber: "001010", Grade: "09", ServiceType: "P", Start: day(t, "2024-08-10"), End: day(t, "2025-12-19")},
			{ID: "E3", StateID: "0000000002", SchoolNumber: "003010", Grade: "09", ServiceType: "P", Start: day(t, "2026-01-05"), End: 0},
			// Sean: private school only.
			{ID: "E4", StateID: "0000000003", SchoolNumber: "001900", Grade: "08", ServiceType: "P", Start: day(t, "2024-08-10"), End: 0},
		},
		Programs: []data.Program{
			{StateID: "0000000001", Program: "FRAM", Code: "F", Start: day(t, "2024-08-01"), End: 0},
		},
		Assessments: []data.Assessment{
			{StateID: "0000000001", Subject: "MATH", TestDate: day(t, "2025-04-20"), Level: "Apprentice"},
		},
	}
}

// openFixture opens a temp database holding fixture(t), with the clock
// fixed at 2026-11-29 noon UTC.
func openFixture(t testing.TB) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.now = func() time.Time { return time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC) }
	if _, err := st.ImportExtract(context.Background(), fixture(t), "tester"); err != nil {
		t.Fatal(err)
	}
	return st
}

// count returns one number from the database.
func count(t testing.TB, st *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.r.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
