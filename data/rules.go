package data

import (
	"cmp"
	"fmt"
	"slices"
)

// The rules of SPEC §3 and §6 that decide who receives a record and who is
// in the QA Migrant report. The store's SQL pre-selects rows with the same
// conditions for speed; a property test holds both to these functions.

// PlacedEnrollment is an enrollment with its school and the school's
// district, as the rules about districts need it.
type PlacedEnrollment struct {
	Enrollment
	School   School
	District District
}

// Copy is a record's read-only copy in one district: the version the
// district received, and when and by whom it was published.
type Copy struct {
	District District
	Version  int
	At, By   string
}

// PublishTargets are the districts a record goes to when published: every
// district where the student has an enrollment (any school, any grade)
// overlapping the eligibility window [QAD, EED], by number.
func PublishTargets(r MigrantRecord, enrollments []PlacedEnrollment) []District {
	var out []District
	for _, e := range enrollments {
		if e.StateID == r.StateID && e.Overlaps(r.Window()) && !slices.ContainsFunc(out, sameDistrict(e.District)) {
			out = append(out, e.District)
		}
	}
	slices.SortFunc(out, func(a, b District) int { return cmp.Compare(a.Number, b.Number) })
	return out
}

func sameDistrict(d District) func(District) bool {
	return func(o District) bool { return o.Number == d.Number }
}

// PublishChange is what publishing a record does to the districts: where
// it sends the record, and which districts' copies it removes because the
// student no longer has an enrollment there during the window.
type PublishChange struct {
	Send, Remove []District
}

// PlanPublish compares the targets with the districts holding a copy now.
func PlanPublish(targets []District, copies []Copy) PublishChange {
	var c PublishChange
	c.Send = targets
	for _, cp := range copies {
		if !slices.ContainsFunc(targets, sameDistrict(cp.District)) {
			c.Remove = append(c.Remove, cp.District)
		}
	}
	return c
}

// QualifyingEnrollment reports whether an enrollment can be a row of the
// QA Migrant report of district for period p: at a public school of the
// district, in grade K or 01–12, overlapping the period. Preschool, grade
// 14, out-of-school youth and private schools never qualify.
func QualifyingEnrollment(e PlacedEnrollment, district string, p Period) bool {
	return e.School.DistrictNumber == district && e.School.Public() &&
		ClassOf(e.Grade) == GradeK12 && e.Overlaps(p)
}

// ReportRecord chooses the record that fills a student's report rows: of
// the student's records published to the district and active in p, the
// one with the latest QAD (ties: the smaller ID). ok is false when none is
// active.
func ReportRecord(published []MigrantRecord, p Period) (r MigrantRecord, ok bool) {
	for _, c := range published {
		if !c.ActiveIn(p) {
			continue
		}
		if !ok || c.QAD > r.QAD || c.QAD == r.QAD && c.ID < r.ID {
			r, ok = c, true
		}
	}
	return r, ok
}

// MayExportReport refuses the export of a QA Migrant report of district
// d for period p that counts no student: a workbook of headings and a
// PDF of zeros read as a district with no migrant students, where a
// period or a district chosen wrongly is the likelier cause. The app and
// migrantdeskctl refuse it alike, in the same words.
func MayExportReport(d District, p Period, students int) error {
	if students > 0 {
		return nil
	}
	return &EmptyReportError{District: d, Period: p}
}

// EmptyReportError is the refusal of a report that counts no student.
type EmptyReportError struct {
	District District
	Period   Period
}

func (e *EmptyReportError) Error() string {
	return fmt.Sprintf("No student of %s %s is in the report for %s: no migrant record published to the district "+
		"is active then for a student enrolled in grades K–12 at one of its public schools. There is nothing to export.",
		e.District.Number, e.District.Name, e.Period)
}

// PreferredEnrollment is the one enrollment that counts a student once
// (the Aggregated report): P over S over N, then the latest start. ok is
// false for an empty list.
func PreferredEnrollment(es []Enrollment) (best Enrollment, ok bool) {
	for i, e := range es {
		if i == 0 || Prefer(e, best) {
			best = e
		}
	}
	return best, len(es) > 0
}

// CurrentEnrollment is the enrollment a list shows for a student (see
// MoreCurrent). ok is false for an empty list.
func CurrentEnrollment(es []Enrollment) (best Enrollment, ok bool) {
	for i, e := range es {
		if i == 0 || MoreCurrent(e, best) {
			best = e
		}
	}
	return best, len(es) > 0
}

// Groups are a student's student groups in a period, as the report
// shows them (Yes/No).
type Groups struct {
	EconomicallyDisadvantaged bool // a FRAM row with code F overlaps the period
	Homeless                  bool
	EnglishLearner            bool
	Disability                bool // IEP
}

// GroupsIn decides each group from the student's program rows: Yes when a
// row of that program overlaps p; Economically Disadvantaged only for a
// FRAM row with code F (free), since reduced, paid or no row is No.
func GroupsIn(programs []Program, p Period) Groups {
	var g Groups
	for _, pr := range programs {
		if !p.Overlaps(pr.Start, pr.End) {
			continue
		}
		switch pr.Program {
		case ProgramFRAM:
			g.EconomicallyDisadvantaged = g.EconomicallyDisadvantaged || EconomicallyDisadvantaged(pr.Code)
		case ProgramHomeless:
			g.Homeless = true
		case ProgramEL:
			g.EnglishLearner = true
		case ProgramIEP:
			g.Disability = true
		}
	}
	return g
}

// LatestAssessment is the latest test in subject on or before the day
// given ("most recent", SPEC §2); ok is false when there is none.
func LatestAssessment(as []Assessment, subject string, onOrBefore Date) (latest Assessment, ok bool) {
	for _, a := range as {
		if a.Subject == subject && a.TestDate <= onOrBefore && (!ok || a.TestDate > latest.TestDate) {
			latest, ok = a, true
		}
	}
	return latest, ok
}
