package demo

import (
	"time"

	"migrantdesk/data"
)

// extras adds the enrollments a student has beside the main one: some
// high schoolers take classes at an area technology center of their
// region, possibly in another district (S, for the year or the fall
// semester), and some private-school students get special-education
// services from their public district (N).
func (g *gen) extras(p *pupil) {
	r := g.r
	tech := p.level >= 8 && p.level <= levelGraduated && r.chance(0.05)
	p.privateN = p.private && r.chance(0.1)
	if !tech && !p.privateN {
		return
	}
	var techYear [2]bool
	for _, s := range p.stints {
		sc := g.schools[s.school]
		switch {
		case tech && !techYear[s.year] && (sc.kind == high || sc.kind == middleHigh) && s.grade >= "09" && s.grade <= "12":
			centers := g.techByRegion[g.districts[sc.district].region]
			if len(centers) == 0 {
				continue
			}
			techYear[s.year] = true
			end := s.end
			fall := data.NewDate(g.cal.start(s.year), time.December, 19)
			if r.chance(0.3) && fall > s.start && (end.IsZero() || fall < end) && fall < g.cal.today {
				end = fall
			}
			p.stints = append(p.stints, stint{year: s.year, school: centers[p.nbhd%len(centers)], grade: s.grade,
				svc: data.ServiceSecondary, start: s.start, end: end})
		case p.privateN && sc.kind == private:
			pub := g.publicSchool(p, sc.district, s.year)
			p.stints = append(p.stints, stint{year: s.year, school: pub, grade: p.gradeAt(p.levelIn(s.year), g.schools[pub].kind),
				svc: data.ServiceSpecialEd, start: s.start, end: s.end})
		}
	}
}
