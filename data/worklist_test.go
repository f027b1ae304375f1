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

// TestFreeMealMissing: the worklist line names the Economically
// Disadvantaged "No" of this school year's report, enrolled now, so it
// lists whom that report highlights with no withdrawal date: a student
// whose eligibility ended in October is a row of the year's report, and
// was missing from the line (195 on the line, 218 highlighted in the
// report of a state-scale district).
func TestFreeMealMissing(t *testing.T) {
	school := School{Number: "005100", DistrictNumber: "005", Name: "Farnsley Middle School", Classification: "A1"}
	today := NewDate(2026, 12, 2)
	enrolled := []PlacedEnrollment{{Enrollment: Enrollment{ID: "e1", StateID: "0181133886", SchoolNumber: school.Number,
		Grade: "07", ServiceType: "P", Start: NewDate(2026, 8, 17)}, School: school, District: District{Number: "005"}}}
	withdrawn := []PlacedEnrollment{enrolled[0]}
	withdrawn[0].End = NewDate(2026, 11, 20)
	record := func(qad, eed Date) MigrantRecord { return MigrantRecord{StateID: "0181133886", QAD: qad, EED: eed} }
	free := []Program{{StateID: "0181133886", Program: ProgramFRAM, Code: MealsFree, Start: NewDate(2026, 8, 1)}}
	for _, c := range []struct {
		name     string
		r        MigrantRecord
		es       []PlacedEnrollment
		programs []Program
		want     bool
	}{
		{"eligible now, no meal row", record(NewDate(2025, 3, 1), NewDate(2028, 2, 28)), enrolled, nil, true},
		{"eligibility ended in October", record(NewDate(2023, 10, 15), NewDate(2026, 10, 14)), enrolled, nil, true},
		{"eligibility ended last school year", record(NewDate(2023, 6, 15), NewDate(2026, 6, 14)), enrolled, nil, false},
		{"free meals", record(NewDate(2025, 3, 1), NewDate(2028, 2, 28)), enrolled, free, false},
		{"withdrawn", record(NewDate(2025, 3, 1), NewDate(2028, 2, 28)), withdrawn, nil, false},
	} {
		if got := FreeMealMissing(c.r, c.es, c.programs, "005", today); got != c.want {
			t.Errorf("%s: free meal missing %v, want %v", c.name, got, c.want)
		}
	}
}
