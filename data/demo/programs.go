package demo

import (
	"time"

	"migrantdesk/data"
)

// FRAM outcomes, as decks and draws number them.
const (
	framFree = iota
	framReduced
	framPaid
	framNone
)

var framCodes = [...]string{framFree: data.MealsFree, framReduced: data.MealsReduced, framPaid: data.MealsPaid}

// programs gives a student their free/reduced meals row for each school
// year at a public school, and the Homeless, English Learner and IEP rows
// their situation calls for. Migrant students qualify for free meals, but
// some have a reduced, paid or missing row: the data-quality issue the QA
// report highlights.
func (g *gen) programs(p *pupil) {
	if len(p.stints) == 0 || p.osy {
		if p.osy && g.r.chance(0.5) {
			g.program(p, data.ProgramEL, "", p.arrivals[0], 0)
		}
		return
	}
	r := g.r
	first := p.stints[0]
	plan := g.framPlan(p, first.school)
	for yi := range 2 {
		start := data.Date(0)
		for _, s := range p.stints {
			if s.year == yi && s.svc == data.ServicePrimary && g.schools[s.school].Public() && (start.IsZero() || s.start < start) {
				start = s.start
			}
		}
		if start.IsZero() {
			continue
		}
		code := plan
		if yi == 0 && r.chance(0.15) { // last year's application said otherwise
			code = g.framPlan(p, first.school)
		}
		if code == framNone {
			continue
		}
		var end data.Date
		if spring := g.cal.springEnd(yi); spring < g.cal.today {
			end = spring
		}
		g.program(p, data.ProgramFRAM, framCodes[code], start, end)
	}

	rt := p.rates()
	last := p.stints[len(p.stints)-1]
	if r.chance(rt.homeless) {
		start := r.dateBetween(first.start, min(g.cal.today, orToday(last.end, g.cal.today)))
		var end data.Date
		if r.chance(0.5) && start.AddDays(200) < g.cal.today {
			end = start.AddDays(r.between(30, 200))
		}
		g.program(p, data.ProgramHomeless, "", start, end)
	}

	el := p.origin.el
	if p.migrant {
		el = min(0.9, el*1.6)
	}
	if r.chance(el) {
		start := first.start
		if p.level > 0 && p.level <= 12 && !p.newcomer && len(p.arrivals) == 0 {
			start = data.NewDate(g.cal.cur-p.level, time.August, 15) // since kindergarten
		}
		var end data.Date
		if spring := g.cal.springEnd(0); r.chance(0.12) && spring > start && spring < g.cal.today {
			end = spring // reclassified as proficient
		}
		g.program(p, data.ProgramEL, "", start, end)
		p.el = true
	}

	if p.nOnly || p.privateN || r.chance(rt.iep+0.12*b2f(p.level < 0)) {
		age3 := p.birth.AddMonths(36)
		start := r.dateBetween(min(age3, first.start), first.start)
		var end data.Date
		if spring := g.cal.springEnd(0); r.chance(0.05) && spring > start && spring < g.cal.today && !p.nOnly && !p.privateN {
			end = spring
		}
		g.program(p, data.ProgramIEP, "", start, end)
		p.iep = true
	}
}

// framPlan is the meals status a student's family has.
func (g *gen) framPlan(p *pupil, sc int) int {
	if p.migrant {
		return g.migrantFRAM.draw(g.r)
	}
	free := g.districts[g.schools[sc].district].freeMeals
	switch x := g.r.Float64(); {
	case x < free:
		return framFree
	case x < free+0.05:
		return framReduced
	case x < free+0.1:
		return framPaid
	}
	return framNone
}

func (g *gen) program(p *pupil, name, code string, start, end data.Date) {
	g.ex.Programs = append(g.ex.Programs, data.Program{StateID: p.stateID, Program: name, Code: code, Start: start, End: end})
}

func orToday(d, today data.Date) data.Date {
	if d.IsZero() {
		return today
	}
	return d
}

// testedGrades take the state assessment each spring.
var testedGrades = map[string]bool{"03": true, "04": true, "05": true, "06": true, "07": true, "08": true, "10": true}

// assessments gives a student in a tested grade at a public school on
// their district's test day a Math and a Reading level for that spring.
// Levels follow one ability per student, lower on average for English
// learners, students with an IEP and migrant students, whose schooling is
// interrupted.
func (g *gen) assessments(p *pupil) {
	r := g.r
	ability := r.NormFloat64() - 0.3*b2f(p.migrant) - 0.35*b2f(p.el) - 0.5*b2f(p.iep)
	for yi := range 2 {
		for _, s := range p.stints {
			sc := g.schools[s.school]
			day := g.districts[sc.district].test[yi]
			if s.year != yi || s.svc != data.ServicePrimary || !sc.Public() || !testedGrades[s.grade] ||
				day > g.cal.today || day < s.start || !s.end.IsZero() && day > s.end {
				continue
			}
			for _, subject := range []string{data.SubjectMath, data.SubjectReading} {
				g.ex.Assessments = append(g.ex.Assessments, data.Assessment{StateID: p.stateID, Subject: subject,
					TestDate: day, Level: level(ability + 0.6*r.NormFloat64())})
			}
			break
		}
	}
}

// level cuts a score into the four performance levels: about a quarter
// Novice, a third Apprentice, and the rest Proficient or Distinguished.
func level(score float64) string {
	switch {
	case score < -0.8:
		return data.Levels()[0]
	case score < 0.1:
		return data.Levels()[1]
	case score < 1.0:
		return data.Levels()[2]
	}
	return data.Levels()[3]
}
