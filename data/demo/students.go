package demo

import (
	"strconv"

	"migrantdesk/data"
)

// A student's level is their age on September 1 of the current school
// year less five: K is 0, grade 12 is 12, preschool is -2 (three-year-olds)
// and -1 (four-year-olds), 13 graduated last spring. Grade 14 (adults up to
// 21) is its own level.
const (
	levelGraduated = 13
	level14        = 14
)

// levelWeights are the shares of levels -2..13 and 14 among the students
// of a two-year extract; most children do not attend public preschool.
var (
	levelWeights        = newPicker([]float64{0.22, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.96, 0.92, 0.88, 0.06})
	migrantLevelWeights = newPicker([]float64{0.3, 0.6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.9, 0.8, 0.3, 0.1})
)

// stint is one enrollment while it is being made.
type stint struct {
	year       int // 0 the previous school year, 1 the current one
	school     int
	grade, svc string
	start, end data.Date
}

// pupil is a student while the generator makes their school years.
type pupil struct {
	person
	stateID  string
	birth    data.Date
	level    int
	retained bool // a year older than the grade, or a five-year-old in preschool (99)
	migrant  bool
	osy      bool
	private  bool // attends a private school
	nOnly    bool // special-education services only (N), at a public school
	newcomer bool // came from out of state for the current school year
	privateN bool // a private-school student with N services at a public school
	el, iep  bool // in the English Learner and IEP programs
	// seniorLastYear: a grade-14 student who was in grade 12 last year.
	seniorLastYear bool
	nbhd           int // where the family lives: picks the same schools each year
	stints         []stint
	arrivals       []data.Date // days the student came to a new district or the state
}

// Chances that differ for migrant students.
type rates struct {
	newToState, leftState, summerMove, withdraw float64
	moveShare, transferShare                    float64 // of withdrawals; the rest leave
	homeless, iep                               float64
}

var (
	regularRates = rates{newToState: 0.03, leftState: 0.02, summerMove: 0.03, withdraw: 0.06,
		moveShare: 0.55, transferShare: 0.25, homeless: 0.03, iep: 0.13}
	migrantRates = rates{newToState: 0.2, leftState: 0.08, summerMove: 0.2, withdraw: 0.3,
		moveShare: 0.6, transferShare: 0.1, homeless: 0.1, iep: 0.1}
)

func (p *pupil) rates() rates {
	if p.migrant {
		return migrantRates
	}
	return regularRates
}

// levelIn is the student's level in school year yi.
func (p *pupil) levelIn(yi int) int {
	if p.level == level14 && yi == 0 && p.seniorLastYear {
		return 12
	}
	if p.level == level14 {
		return level14
	}
	return p.level - (1 - yi)
}

// gradeAt is the grade code for a level at a kind of school.
func (p *pupil) gradeAt(level int, kind schoolKind) string {
	switch {
	case level == level14:
		return "14"
	case level < 0 && kind == preschool:
		return "PS"
	case level == -2 && p.retained:
		return "98"
	case level == -2:
		return "97"
	case level == -1 && p.retained:
		return "99"
	case level == -1:
		return "98"
	case level == 0:
		return "K"
	}
	return data.Grades()[level]
}

// newStudent makes one student whose family lives in district d.
func (g *gen) newStudent(d int, migrant, osy bool) {
	r := g.r
	dist := g.districts[d]
	isHispanic := r.chance(0.205 * dist.hispanicFactor)
	if migrant {
		isHispanic = g.migrantHispanic.draw(r) == 0
	}
	p := &pupil{person: newPerson(r, isHispanic, migrant), migrant: migrant, osy: osy, nbhd: r.IntN(1 << 30), stints: g.stints[:0]}
	defer func() { g.stints = p.stints }()
	p.stateID = g.nextStateID()
	local := digits(uint64(r.IntN(10_000_000)), 7)
	switch {
	case osy:
		p.birth = g.cal.birthFor(r, 16+g.osyAge.draw(r))
		g.outOfSchool(p, d)
	default:
		w := levelWeights
		if migrant {
			w = migrantLevelWeights
		}
		p.level = w.draw(r) - 2
		age := p.level + 5
		switch {
		case p.level == level14:
			oldest := 21
			if migrant {
				oldest = 20 // so the record does not end at 22 before it starts
			}
			age = r.between(18, oldest)
			p.seniorLastYear = age == 18
		case p.level == -1 && r.chance(0.05):
			p.retained = true
			age++
		case p.level >= 1 && p.level <= 12 && r.chance(0.04+0.05*b2f(migrant)):
			p.retained = true
			age++
		}
		p.birth = g.cal.birthFor(r, age)
		p.private = !migrant && p.level >= 0 && p.level <= 12 && len(dist.priv) > 0 && r.chance(0.06)
		p.nOnly = !migrant && !p.private && p.level >= 0 && p.level <= 12 && r.chance(0.004)
		g.schoolYears(p, d)
	}
	g.ex.Students = append(g.ex.Students, p.student(p.stateID, local, p.birth))
	g.extras(p)
	for _, s := range p.stints {
		g.enrollSeq++
		g.ex.Enrollments = append(g.ex.Enrollments, data.Enrollment{
			ID:           strconv.Itoa(g.cal.start(s.year)) + "-" + digits(uint64(g.enrollSeq), 7),
			StateID:      p.stateID,
			SchoolNumber: g.schools[s.school].Number,
			Grade:        s.grade, ServiceType: s.svc, Start: s.start, End: s.end,
		})
	}
	g.programs(p)
	g.assessments(p)
	if migrant {
		g.migrantRecords(p, d)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// nextStateID is a new ten-digit state ID, above the last one by a random
// gap: IDs never repeat, about one in ten starts with a zero, and the
// extract lists students in ID order, as a state system exports them
// (which also lets the database append rather than insert at random).
func (g *gen) nextStateID() string {
	g.lastID += 1 + g.r.Uint64N(g.idGap)
	return digits(g.lastID, 10)
}

// digits writes n with leading zeros to width places.
func digits(n uint64, width int) string {
	var b [20]byte
	i := len(b)
	for n > 0 || i > len(b)-width {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// schoolYears enrolls a student in the previous and the current school
// year: students arrive from out of state, leave it, move over the summer,
// and withdraw during the year to move or change schools.
func (g *gen) schoolYears(p *pupil, d int) {
	r, rt := g.r, p.rates()
	prev, cur := p.levelIn(0), p.levelIn(1)
	inPrev := prev >= -2 && prev <= 12 || prev == level14
	switch prev {
	case -2:
		inPrev = r.chance(0.3)
	case -1:
		inPrev = r.chance(0.45)
	}
	if inPrev && cur != levelGraduated && r.chance(rt.newToState) {
		inPrev = false
		p.newcomer = true
	}
	inCur := cur <= 12 || cur == level14
	if inCur && inPrev && r.chance(rt.leftState) {
		inCur = false
	}
	at := d
	if inPrev {
		at = g.attendYear(p, 0, d, g.districts[d].first[0])
	}
	if !inCur {
		return
	}
	if at < 0 { // left during the year; the family comes back
		at = d
	}
	start := g.districts[at].first[1]
	switch {
	case inPrev && r.chance(rt.summerMove):
		at = g.otherDistrict(at)
		start = g.districts[at].first[1]
		p.arrivals = append(p.arrivals, start)
	case p.newcomer:
		if r.chance(0.5 + 0.3*b2f(p.migrant)) {
			start = r.dateBetween(start, min(g.districts[at].last[1], g.cal.today))
		}
		p.arrivals = append(p.arrivals, start)
	}
	g.attendYear(p, 1, at, start)
}

// attendYear enrolls the student in school year yi from start in
// district d, following them through withdrawals. It returns the district
// they finish the year in, or -1 if they left.
func (g *gen) attendYear(p *pupil, yi, d int, start data.Date) int {
	r, rt := g.r, p.rates()
	sc := g.schoolFor(p, d, yi)
	for hop := 0; ; hop++ {
		dist := g.districts[g.schools[sc].district]
		open := min(dist.last[yi], g.cal.today) // last day the year can have events
		if start > open {
			return -1 // moved to a district whose year had ended
		}
		var end data.Date
		if dist.last[yi] < g.cal.today {
			end = dist.last[yi]
		}
		elapsed := float64(daysBetween(dist.first[yi], open)) / float64(daysBetween(dist.first[yi], dist.last[yi]))
		lo, hi := start.AddDays(15), open.AddDays(-10)
		if hop >= 2 || lo >= hi || !r.chance(rt.withdraw*elapsed) {
			g.addStint(p, yi, sc, start, end)
			return g.schools[sc].district
		}
		w := r.dateBetween(lo, hi)
		g.addStint(p, yi, sc, start, w)
		start = w.AddDays(r.between(1, 14))
		x := r.Float64()
		if x >= rt.moveShare+rt.transferShare {
			return -1
		}
		if x >= rt.moveShare {
			if other := g.otherSchool(sc, p); other >= 0 {
				sc = other
				continue
			}
		}
		nd := g.otherDistrict(g.schools[sc].district)
		p.arrivals = append(p.arrivals, start)
		sc = g.schoolFor(p, nd, yi)
	}
}

func (g *gen) addStint(p *pupil, yi, sc int, start, end data.Date) {
	svc := data.ServicePrimary
	if p.nOnly {
		svc = data.ServiceSpecialEd
	}
	p.stints = append(p.stints, stint{year: yi, school: sc, grade: p.gradeAt(p.levelIn(yi), g.schools[sc].kind),
		svc: svc, start: start, end: end})
}

// schoolFor is the school a student of the level they have in year yi
// attends in district d: the same one each year while the family stays.
func (g *gen) schoolFor(p *pupil, d, yi int) int {
	if dist := g.districts[d]; p.private && len(dist.priv) > 0 {
		return dist.priv[p.nbhd%len(dist.priv)]
	}
	return g.publicSchool(p, d, yi)
}

// publicSchool is the public school for the student's level in year yi.
func (g *gen) publicSchool(p *pupil, d, yi int) int {
	dist := g.districts[d]
	level := p.levelIn(yi)
	var list []int
	switch {
	case level < 0 && len(dist.pre) > 0 && p.nbhd%10 < 7:
		list = dist.pre
	case level <= 5:
		list = dist.elem
	case level <= 8:
		list = dist.mid
	default:
		list = dist.high
	}
	return list[p.nbhd%len(list)]
}

// otherSchool is another school of the district for a transfer: one of
// the same kind, or for grades 06–12 sometimes the alternative school. It
// is -1 when the district has no other.
func (g *gen) otherSchool(sc int, p *pupil) int {
	s := g.schools[sc]
	dist := g.districts[s.district]
	var list []int
	switch s.kind {
	case elementary:
		list = dist.elem
	case middle, middleHigh:
		list = dist.mid
	case high:
		list = dist.high
	case private:
		list = dist.priv
	case preschool:
		list = dist.pre
	}
	if len(dist.alt) > 0 && (s.kind == middle || s.kind == high) && !p.private && g.r.chance(0.2) {
		list = dist.alt
	}
	if len(list) < 2 && (len(list) == 0 || list[0] == sc) {
		return -1
	}
	for {
		if other := list[g.r.IntN(len(list))]; other != sc {
			return other
		}
	}
}

// otherDistrict is where a family moves: usually nearby, in the same
// region, sometimes across the state; bigger districts draw more.
func (g *gen) otherDistrict(from int) int {
	pick := g.statePicker
	if g.r.chance(0.75) {
		pick = g.regionPickers[g.districts[from].region]
	}
	for range 20 {
		if d := pick.draw(g.r); d != from {
			return d
		}
	}
	return (from + 1) % len(g.districts)
}

// districtPicker draws districts of a region by their number of students.
type districtPicker struct {
	picker
	districts []int
}

func (p districtPicker) draw(r rng) int { return p.districts[p.picker.draw(r)] }

// outOfSchool makes a migrant youth who is not in school (OSY): most are
// enrolled with grade OSY at the high school that serves them in their
// district, from soon after they arrive; a few have no enrollment at all.
func (g *gen) outOfSchool(p *pupil, d int) {
	r := g.r
	arrival := r.dateBetween(g.threeYearsAgo, g.cal.today)
	p.arrivals = append(p.arrivals, arrival)
	if r.chance(0.2) {
		return
	}
	dist := g.districts[d]
	start := min(max(arrival.AddDays(r.between(0, 20)), dist.first[0]), g.cal.today)
	var end data.Date
	if r.chance(0.25) && start.AddDays(20) < g.cal.today {
		end = r.dateBetween(start.AddDays(20), g.cal.today)
	}
	yi := 1
	if start < dist.first[1] {
		yi = 0
	}
	p.stints = append(p.stints, stint{year: yi, school: dist.high[0], grade: "OSY", svc: data.ServicePrimary, start: start, end: end})
}
