// Package demo generates a realistic, deterministic demo state (SPEC §6
// "Demo state"): regions, about 170 districts with public, private and
// preschool schools, students with Spanish and other names, their
// enrollments, programs and assessments, migrant records and the app's
// users. The same Config always gives the same state, from a few hundred
// students to state scale, so the app opens on real-looking data and
// benchmarks run at real size.
//
// The extract covers two school years: the one under way on Config.Today
// and the one before. Grades: 97 for three-year-olds and 98 for
// four-year-olds in elementary-school preschool rooms, 99 for a
// five-year-old held back from K, PS at preschool centers. School
// classifications: A1 regular, A2 area technology center (where high
// schoolers have S enrollments), A4 preschool center, A5 alternative
// school; non-public M1 Catholic, M2 Christian, R1 other religious, J1
// independent.
//
// Out-of-school youth (OSY) are migrant students aged 16 to 20 with no K-12
// enrollment: most have an enrollment with grade OSY at the high school of
// their district, which is how the district learns of them; a fifth have
// no enrollment at all, so their records have no district to publish to.
package demo

import (
	"fmt"
	"math"
	"time"

	"migrantdesk/data"
)

// Bounds on Config.Students.
const (
	MinStudents = 500
	MaxStudents = 700_000
)

// DefaultToday is the reference day of a Config that names none: fixed,
// so that a seed gives the same state on any day it is run.
var DefaultToday = data.NewDate(2025, time.October, 15)

// Config says which state to make.
type Config struct {
	Students int       // how many students, MinStudents to MaxStudents
	Seed     int64     // the same seed gives the same state
	Today    data.Date // the day the data is current on; zero means DefaultToday
}

// State is a generated state: its enrollment extract, migrant records for
// a bulk load, and its users.
type State struct {
	Extract *data.Extract
	Records []data.MigrantRecord
	// RecordRegions is, by state ID, the region whose clerk enters a
	// migrant student's records.
	RecordRegions map[string]string
	Users         []data.User
}

// gen holds a state while it is being made.
type gen struct {
	cfg           Config
	cal           calendar
	r             rng // the students' stream
	threeYearsAgo data.Date
	lastID, idGap uint64 // state IDs: the last one given, and the largest gap to the next

	districts     []*district
	schools       []*school
	statePicker   districtPicker
	regionPickers []districtPicker
	techByRegion  [][]int

	migrantHispanic, osy, osyAge *deck
	migrantFRAM, olderRecord     *deck
	ex                           *data.Extract
	records                      []data.MigrantRecord
	recordRegions                map[string]string
	enrollSeq                    int
	stints                       []stint // reused: a pupil's stints live while it is made
	misUsed                      map[string]bool
}

// Validate refuses a size out of bounds or a reference day that is not a
// real date from 2000 on.
func (cfg Config) Validate() error {
	if cfg.Students < MinStudents || cfg.Students > MaxStudents {
		return fmt.Errorf("a demo state has %d to %d students, not %d", MinStudents, MaxStudents, cfg.Students)
	}
	if t := cfg.Today; !t.IsZero() {
		if _, err := data.ParseDate(t.String()); err != nil || t.Year() < 2000 {
			return fmt.Errorf("the demo's reference day %s is not a date from 2000 on", t)
		}
	}
	return nil
}

// Generate makes the state cfg describes. It is deterministic: the same
// Config gives the same State.
func Generate(cfg Config) (*State, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Today.IsZero() {
		cfg.Today = DefaultToday
	}
	g := &gen{
		cfg:           cfg,
		cal:           newCalendar(cfg.Today),
		r:             newRNG(cfg.Seed, streamStudents),
		threeYearsAgo: cfg.Today.AddMonths(-data.EligibilityMonths).AddDays(1),
		ex:            &data.Extract{Regions: append([]data.Region(nil), regionList...)},
		misUsed:       map[string]bool{},
		recordRegions: map[string]string{},
		// Of migrant students: nine in ten are Hispanic; one in nine is an
		// out-of-school youth, aged 16 to 20, most often 18 or 19; in
		// twenty, fifteen have free meals, two reduced, one paid and two
		// no FRAM row; one in twenty also has an older, expired record.
		migrantHispanic: newDeck(9, 1),
		osy:             newDeck(1, 8),
		osyAge:          newDeck(1, 2, 3, 3, 2),
		migrantFRAM:     newDeck(15, 2, 1, 2),
		olderRecord:     newDeck(1, 19),
	}
	// IDs start below 10^9 and stay under 10^10.
	g.lastID = g.r.Uint64N(200_000_000)
	g.idGap = 2 * (10_000_000_000 - 1_000_000_000) / uint64(cfg.Students)
	places := newRNG(cfg.Seed, streamPlaces)
	g.makeDistricts(places)
	g.allocate(places)
	g.makeSchools(places)
	g.index()
	g.students()
	st := &State{Extract: g.ex, Records: g.records, RecordRegions: g.recordRegions, Users: g.makeUsers(newRNG(cfg.Seed, streamUsers))}
	if err := st.check(cfg.Today); err != nil {
		return nil, fmt.Errorf("the demo generator made a bad state, a bug: %w", err)
	}
	return st, nil
}

// allocate shares the students out among the districts by size, and the
// migrant students by size and how agricultural each district is. About
// 1.7% of a state's students are migrant, but a small demo state gets at
// least 50 so every case shows.
func (g *gen) allocate(r rng) {
	weights := make([]float64, len(g.districts))
	for i, d := range g.districts {
		weights[i] = d.weight
		g.ex.Districts = append(g.ex.Districts, d.District)
	}
	for i, n := range shareOut(g.cfg.Students, weights) {
		g.districts[i].students = n
	}
	migrants := max(50, int(math.Round(float64(g.cfg.Students)*0.017)))
	for i, d := range g.districts {
		weights[i] = float64(d.students) * d.migrantFactor
	}
	pick := newPicker(weights)
	for range migrants {
		for {
			d := g.districts[pick.draw(r)]
			if d.migrants < d.students/2 {
				d.migrants++
				break
			}
		}
	}
}

// index builds the pickers moves use and lists each region's technology
// centers.
func (g *gen) index() {
	weights := make([]float64, len(g.districts))
	all := make([]int, len(g.districts))
	g.regionPickers = make([]districtPicker, len(regionList))
	g.techByRegion = make([][]int, len(regionList))
	byRegion := make([][]int, len(regionList))
	for i, d := range g.districts {
		weights[i] = float64(d.students) + 1
		all[i] = i
		byRegion[d.region] = append(byRegion[d.region], i)
		g.techByRegion[d.region] = append(g.techByRegion[d.region], d.tech...)
	}
	g.statePicker = districtPicker{newPicker(weights), all}
	for ri, list := range byRegion {
		w := make([]float64, len(list))
		for j, d := range list {
			w[j] = weights[d]
		}
		g.regionPickers[ri] = districtPicker{newPicker(w), list}
	}
	for _, s := range g.schools {
		g.ex.Schools = append(g.ex.Schools, s.School)
	}
}

// students makes every district's students, its migrant students and
// out-of-school youth first.
func (g *gen) students() {
	g.ex.Students = make([]data.Student, 0, g.cfg.Students)
	g.ex.Enrollments = make([]data.Enrollment, 0, g.cfg.Students*2)
	g.ex.Programs = make([]data.Program, 0, g.cfg.Students*3/2)
	g.ex.Assessments = make([]data.Assessment, 0, g.cfg.Students)
	for di, d := range g.districts {
		for j := range d.students {
			migrant := j < d.migrants
			g.newStudent(di, migrant, migrant && g.osy.draw(g.r) == 0)
		}
	}
}
