package demo

import (
	"fmt"
	"sync"
	"testing"

	"migrantdesk/data"
)

// states caches generated states by size and seed: several tests look at
// the same one.
var states sync.Map

func state(t *testing.T, students int, seed int64) *State {
	t.Helper()
	key := fmt.Sprint(students, "/", seed)
	if st, ok := states.Load(key); ok {
		return st.(*State)
	}
	st, err := Generate(Config{Students: students, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	states.Store(key, st)
	return st
}

// checkExtract holds an extract to the rules the importer and the store
// apply: keys unique, references resolved, codes known, dates in order
// and not after today.
func checkExtract(ex *data.Extract, today data.Date) error {
	districts := map[string]bool{}
	for _, d := range ex.Districts {
		districts[d.Number] = true
	}
	schools := map[string]bool{}
	for _, s := range ex.Schools {
		if !districts[s.DistrictNumber] || schools[s.Number] || len(s.Number) != 6 || s.Number[:3] != s.DistrictNumber {
			return fmt.Errorf("school %s %q: bad or repeated number or unknown district", s.Number, s.Name)
		}
		schools[s.Number] = true
	}
	birth := make(map[string]data.Date, len(ex.Students))
	for _, s := range ex.Students {
		if _, dup := birth[s.StateID]; dup || len(s.StateID) != 10 {
			return fmt.Errorf("state ID %s is repeated or not ten digits", s.StateID)
		}
		if s.BirthDate.IsZero() || s.LastName == "" || s.FirstName == "" || data.GenderName(s.Gender) == "" || data.RaceName(s.Race) == "" {
			return fmt.Errorf("student %s: a field is missing or unknown: %+v", s.StateID, s)
		}
		birth[s.StateID] = s.BirthDate
	}
	ids := make(map[string]bool, len(ex.Enrollments))
	for _, e := range ex.Enrollments {
		grade, err := data.NormalizeGrade(e.Grade)
		switch {
		case err != nil || grade != e.Grade:
			return fmt.Errorf("enrollment %s: grade %q", e.ID, e.Grade)
		case ids[e.ID]:
			return fmt.Errorf("enrollment ID %s is used twice", e.ID)
		case !schools[e.SchoolNumber] || birth[e.StateID].IsZero():
			return fmt.Errorf("enrollment %s: unknown school or student", e.ID)
		case data.ValidateServiceType(e.ServiceType) != nil:
			return fmt.Errorf("enrollment %s: service type %q", e.ID, e.ServiceType)
		case e.Start.IsZero() || e.Start > today || !e.End.IsZero() && (e.End < e.Start || e.End > today):
			return fmt.Errorf("enrollment %s: dates %s to %s", e.ID, e.Start, e.End)
		}
		ids[e.ID] = true
	}
	for _, p := range ex.Programs {
		if err := data.ValidateProgram(p.Program, p.Code); err != nil {
			return fmt.Errorf("student %s: %w", p.StateID, err)
		}
		if p.Start.IsZero() || !p.End.IsZero() && p.End < p.Start || birth[p.StateID].IsZero() {
			return fmt.Errorf("student %s: %s from %s to %s", p.StateID, p.Program, p.Start, p.End)
		}
	}
	tests := make(map[data.Assessment]bool, len(ex.Assessments))
	for _, a := range ex.Assessments {
		key := data.Assessment{StateID: a.StateID, Subject: a.Subject, TestDate: a.TestDate}
		if _, err := data.NormalizeLevel(a.Level); err != nil || tests[key] || a.TestDate > today || birth[a.StateID].IsZero() {
			return fmt.Errorf("student %s: %s test of %s repeated, in the future or with a bad level", a.StateID, a.Subject, a.TestDate)
		}
		tests[key] = true
	}
	return nil
}
