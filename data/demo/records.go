package demo

import (
	"strings"

	"migrantdesk/data"
)

// migrantRecords gives a migrant student their current eligibility: the
// qualifying arrival is the family's latest move into a district within
// the last three years, or another day in those years; the expiration is
// the computed default, or the graduation day of a senior who graduated.
// One in twenty also has an older record that expired before the
// current one began. home is the district the family lives in.
func (g *gen) migrantRecords(p *pupil, home int) {
	r := g.r
	g.recordRegions[p.stateID] = g.clerkRegion(p, home)
	lo := max(g.threeYearsAgo, p.birth)
	hi := g.cal.today
	if end := p.lastDay(); !end.IsZero() {
		hi = min(hi, end) // arrived before leaving, so a district can receive it
	}
	var qad data.Date
	for _, a := range p.arrivals {
		if a >= lo && a <= hi && a > qad {
			qad = a
		}
	}
	switch {
	case p.osy:
		qad = p.arrivals[0]
	case !qad.IsZero() && r.chance(0.8):
		qad = max(lo, qad.AddDays(-r.between(0, 7)))
	default:
		qad = r.dateBetween(lo, max(lo, hi))
	}
	eed := data.DefaultExpiration(qad, p.birth)
	for _, s := range p.stints {
		if graduation := g.districts[g.schools[s.school].district].last[s.year]; s.grade == "12" &&
			graduation < g.cal.today && graduation >= qad && graduation < eed && r.chance(0.7) {
			eed = graduation
		}
	}
	if p.osy && r.chance(0.05) && qad.AddDays(30) < g.cal.today { // passed a high-school equivalency test
		eed = min(eed, r.dateBetween(qad.AddDays(30), g.cal.today))
	}
	mis := g.mis2000ID()
	if g.olderRecord.draw(r) == 0 {
		old := qad.AddMonths(-data.EligibilityMonths).AddDays(-r.between(20, 700))
		if oldEED := data.DefaultExpiration(old, p.birth); old >= p.birth && oldEED < qad {
			g.records = append(g.records, data.MigrantRecord{StateID: p.stateID, MIS2000ID: mis, QAD: old, EED: oldEED})
		}
	}
	g.records = append(g.records, data.MigrantRecord{StateID: p.stateID, MIS2000ID: mis, QAD: qad, EED: eed})
}

// clerkRegion is the region whose clerk enters, publishes and corrects
// the student's records. A clerk may write the records of a student
// enrolled in their region at any time, or enrolled nowhere
// (data.User.MayWriteRecords): of a student enrolled in two regions, the
// region of the latest enrollment is the clerk's, as the student is there
// now, and so is it of one no longer enrolled on the demo's day, as there
// is where they were last; a youth enrolled nowhere is the clerk's of the
// region they live in, where a recruiter of that region found them.
func (g *gen) clerkRegion(p *pupil, home int) string {
	region := g.districts[home].region
	var latest data.Date
	for _, s := range p.stints {
		if s.start >= latest {
			latest = s.start
			region = g.districts[g.schools[s.school].district].region
		}
	}
	return regionList[region].Code
}

// lastDay is the day the student's last enrollment ended, or zero while
// one is open (or they have none).
func (p *pupil) lastDay() data.Date {
	var last data.Date
	for _, s := range p.stints {
		if s.end.IsZero() {
			return 0
		}
		last = max(last, s.end)
	}
	return last
}

// mis2000ID is a new MIS2000 ID: eight digits, or seven for students
// enrolled in the system's early years; some start with zeros.
func (g *gen) mis2000ID() string {
	for {
		id := digits(uint64(g.r.IntN(100_000_000)), 8)
		if g.r.chance(0.15) {
			id = id[1:]
		}
		if strings.Trim(id, "0") != "" && !g.misUsed[id] {
			g.misUsed[id] = true
			return id
		}
	}
}
