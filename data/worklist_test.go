package data

import "testing"

// TestNewlyEnrolled: a student enrolled in the district after the last
// look is newly enrolled unless the district had them within a year
// before it: one who goes on from last school year (a new enrollment for
// the new grade after the summer) is not, one who comes back after more
// than a year away, or comes from another district, is.
func TestNewlyEnrolled(t *testing.T) {
	school := School{Number: "005100", DistrictNumber: "005", Name: "Farnsley Middle School", Classification: "A1"}
	other := School{Number: "009100", DistrictNumber: "009", Name: "Lee Middle School", Classification: "A1"}
	enrolled := func(s School, from, to Date) PlacedEnrollment {
		return PlacedEnrollment{Enrollment: Enrollment{ID: from.String(), StateID: "0181133886", SchoolNumber: s.Number,
			Grade: "07", ServiceType: "P", Start: from, End: to}, School: s, District: District{Number: s.DistrictNumber}}
	}
	today := NewDate(2026, 12, 2)
	since := FirstLook(today)
	this := enrolled(school, NewDate(2026, 8, 17), 0)
	for _, c := range []struct {
		name string
		es   []PlacedEnrollment
		want bool
	}{
		{"new this year", []PlacedEnrollment{this}, true},
		{"there all last year", []PlacedEnrollment{enrolled(school, NewDate(2025, 8, 18), NewDate(2026, 5, 25)), this}, false},
		{"there since before the look, still", []PlacedEnrollment{enrolled(school, NewDate(2024, 8, 18), 0), this}, false},
		{"back after two years away", []PlacedEnrollment{enrolled(school, NewDate(2023, 8, 18), NewDate(2024, 5, 25)), this}, true},
		{"from another district", []PlacedEnrollment{enrolled(other, NewDate(2025, 8, 18), NewDate(2026, 5, 25)), this}, true},
		{"not started yet", []PlacedEnrollment{enrolled(school, NewDate(2026, 12, 10), 0)}, false},
	} {
		if got := NewlyEnrolled(c.es, "005", since, today); got != c.want {
			t.Errorf("%s: newly enrolled %v, want %v", c.name, got, c.want)
		}
	}
}
