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
		Regions: []data.Region{{"C", "Central"}, {"W", "Western"}},
		Districts: []data.District{
			{"001", "Adair County", "C"},
			{"002", "Barren County", "C"},
			{"003", "Calloway County", "W"},
		},
		Schools: []data.School{
			{"001010", "001", "Adair Elementary", "A1"},
			{"002010", "002", "Barren Middle", "A2"},
			{"003010", "003", "Calloway High", "A3"},
			{"001900", "001", "St. Mary Academy", "J1"},
		},
		Students: []data.Student{
			{"0000000001", "L1", "García López", "María", "José", day(t, "2012-05-05"), "F", "1"},
			{"0000000002", "L2", "Núñez", "Ana", "", day(t, "2010-01-20"), "F", "1"},
			{"0000000003", "L3", "O'Neil", "Sean", "", day(t, "2011-03-03"), "M", "6"},
		},
		Enrollments: []data.Enrollment{
			// María: Adair all along.
			{"E1", "0000000001", "001010", "06", "P", day(t, "2024-08-10"), 0},
			// Ana: Adair until December 2025, then Calloway.
			{"E2", "0000000002", "001010", "09", "P", day(t, "2024-08-10"), day(t, "2025-12-19")},
			{"E3", "0000000002", "003010", "09", "P", day(t, "2026-01-05"), 0},
			// Sean: private school only.
			{"E4", "0000000003", "001900", "08", "P", day(t, "2024-08-10"), 0},
		},
		Programs: []data.Program{
			{"0000000001", "FRAM", "F", day(t, "2024-08-01"), 0},
		},
		Assessments: []data.Assessment{
			{"0000000001", "MATH", day(t, "2025-04-20"), "Apprentice"},
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
