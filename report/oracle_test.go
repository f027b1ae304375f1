package report_test

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/demo"
	"migrantdesk/data/store"
	"migrantdesk/report"
)

// TestReportAgreesWithTheSpec is an oracle for the QA Migrant report: it
// works the Detail rows and the Aggregated counts out of the raw tables of
// generated demo states by the words of SPEC §6 alone (plain Go over plain
// SQL reads, none of the rules in data/), and holds report.Build to them
// for every district over school years, custom periods, single days on the
// edges of records and enrollments, and periods before any record.
func TestReportAgreesWithTheSpec(t *testing.T) {
	if testing.Short() {
		t.Skip("builds demo states")
	}
	for _, seed := range []int64{3, 41} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "oracle.db")
			st, err := store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ctx := context.Background()
			if _, err := demo.Build(ctx, st, demo.Config{Students: 4000, Seed: seed}, "demo"); err != nil {
				t.Fatal(err)
			}
			w := readWorld(t, path)
			w.checkPublished(t)
			// The demo's migrant students have one service type each in a
			// district; more enrollments make the unduplication and the
			// exclusions decide.
			if err := w.enrich(ctx, st); err != nil {
				t.Fatal(err)
			}
			w = readWorld(t, path)
			rows := 0
			districts := w.someDistricts()
			start := time.Now()
			for _, p := range w.periods() {
				for _, d := range districts {
					q, err := report.Build(ctx, st, data.Operator(""), d, p)
					if err != nil {
						t.Fatal(err)
					}
					want := w.detail(d, p.From.String(), p.To.String())
					rows += len(want)
					compareDetail(t, d, p, q, want, w)
					compareCounts(t, d, p, q.Counts, w.counts(want))
				}
			}
			if rows == 0 {
				t.Fatal("no period of any district has a row: the oracle checks nothing")
			}
			t.Logf("%d districts, %d periods, %d rows compared in %v", len(districts), len(w.periods()), rows, time.Since(start))
		})
	}
}

type (
	oSchool  struct{ number, district, name, classification string }
	oStudent struct {
		stateID, local, last, first, middle, birth, gender, race string
		lastKey, firstKey                                        string
	}
	oEnrollment struct{ id, stateID, school, grade, service, start, end string }
	oProgram    struct{ program, code, start, end string }
	oTest       struct{ subject, date, level string }
	oRecord     struct{ id, stateID, mis, qad, eed string }
	oCopy       struct {
		oRecord
		district string
	}
)

// oracleWorld is the raw tables of a demo database.
type oracleWorld struct {
	districtNumbers []string
	schools         map[string]oSchool
	students        map[string]oStudent
	enrollments     map[string][]oEnrollment // by state ID
	programs        map[string][]oProgram
	tests           map[string][]oTest
	records         map[string]oRecord // live (not deleted) records by ID
	published       map[string]bool    // record IDs published at least once
	copies          []oCopy            // the published copies of live records
}

func readWorld(t *testing.T, path string) *oracleWorld {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	each := func(query string, dest func() []any, add func()) {
		rs, err := db.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			if err := rs.Scan(dest()...); err != nil {
				t.Fatal(err)
			}
			add()
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
	}
	w := &oracleWorld{schools: map[string]oSchool{}, students: map[string]oStudent{},
		enrollments: map[string][]oEnrollment{}, programs: map[string][]oProgram{}, tests: map[string][]oTest{},
		records: map[string]oRecord{}, published: map[string]bool{}}
	var d string
	each(`SELECT number FROM districts ORDER BY number`, func() []any { return []any{&d} },
		func() { w.districtNumbers = append(w.districtNumbers, d) })
	var s oSchool
	each(`SELECT number, district_number, name, classification FROM schools`,
		func() []any { return []any{&s.number, &s.district, &s.name, &s.classification} },
		func() { w.schools[s.number] = s })
	var st oStudent
	each(`SELECT state_id, local_number, last_name, first_name, middle_name, birth_date, gender, race, last_key, first_key FROM students`,
		func() []any {
			return []any{&st.stateID, &st.local, &st.last, &st.first, &st.middle, &st.birth, &st.gender, &st.race, &st.lastKey, &st.firstKey}
		},
		func() { w.students[st.stateID] = st })
	var e oEnrollment
	each(`SELECT id, state_id, school_number, grade, service_type, start_date, end_date FROM enrollments`,
		func() []any { return []any{&e.id, &e.stateID, &e.school, &e.grade, &e.service, &e.start, &e.end} },
		func() { w.enrollments[e.stateID] = append(w.enrollments[e.stateID], e) })
	var id string
	var pr oProgram
	each(`SELECT state_id, program, code, start_date, end_date FROM programs`,
		func() []any { return []any{&id, &pr.program, &pr.code, &pr.start, &pr.end} },
		func() { w.programs[id] = append(w.programs[id], pr) })
	var ts oTest
	each(`SELECT state_id, subject, test_date, performance_level FROM assessments`,
		func() []any { return []any{&id, &ts.subject, &ts.date, &ts.level} },
		func() { w.tests[id] = append(w.tests[id], ts) })
	var r oRecord
	var version int
	each(`SELECT id, state_id, mis2000_id, qad, eed, published_version FROM migrant_records WHERE deleted = 0`,
		func() []any { return []any{&r.id, &r.stateID, &r.mis, &r.qad, &r.eed, &version} },
		func() {
			w.records[r.id] = r
			w.published[r.id] = version > 0
		})
	var c oCopy
	each(`SELECT p.record_id, m.state_id, p.mis2000_id, p.qad, p.eed, p.district_number
		FROM published p JOIN migrant_records m ON m.id = p.record_id WHERE m.deleted = 0`,
		func() []any { return []any{&c.id, &c.stateID, &c.mis, &c.qad, &c.eed, &c.district} },
		func() { w.copies = append(w.copies, c) })
	return w
}

// someDistricts are those that hold a copy, and one in ten of the others
// (whose reports must be empty).
func (w *oracleWorld) someDistricts() []string {
	var out []string
	for i, d := range w.districtNumbers {
		if i%10 == 0 || slices.ContainsFunc(w.copies, func(c oCopy) bool { return c.district == d }) {
			out = append(out, d)
		}
	}
	return out
}

// enrich gives some of the students with a published copy more
// enrollments in the copy's district, through an extract as a newer one
// would: an S at another public school, an N, a later P elsewhere, and
// enrollments that never qualify (a private school, preschool, grade 14).
func (w *oracleWorld) enrich(ctx context.Context, st *store.Store) error {
	var public, private = map[string][]string{}, map[string][]string{}
	for _, sc := range slices.SortedFunc(func(yield func(oSchool) bool) {
		for _, sc := range w.schools {
			if !yield(sc) {
				return
			}
		}
	}, func(a, b oSchool) int { return cmp.Compare(a.number, b.number) }) {
		if slices.Contains([]string{"J1", "M1", "M2", "R1"}, sc.classification) {
			private[sc.district] = append(private[sc.district], sc.number)
		} else {
			public[sc.district] = append(public[sc.district], sc.number)
		}
	}
	date := func(s string) data.Date {
		d, err := data.ParseOptionalDate(s)
		if err != nil {
			panic(err)
		}
		return d
	}
	ex := &data.Extract{Without: []string{data.TablePrograms, data.TableAssessments}}
	done := map[string]bool{}
	for i, c := range w.copies {
		if done[c.stateID] {
			continue
		}
		var base *oEnrollment
		for _, e := range w.enrollments[c.stateID] {
			if w.schools[e.school].district == c.district && slices.Contains(k12, e.grade) {
				base = &e
				break
			}
		}
		if base == nil {
			continue
		}
		done[c.stateID] = true
		s := w.students[c.stateID]
		ex.Students = append(ex.Students, data.Student{StateID: s.stateID, LocalNumber: s.local, LastName: s.last,
			FirstName: s.first, MiddleName: s.middle, BirthDate: date(s.birth), Gender: s.gender, Race: s.race})
		for _, e := range w.enrollments[c.stateID] {
			ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: e.id, StateID: e.stateID, SchoolNumber: e.school,
				Grade: e.grade, ServiceType: e.service, Start: date(e.start), End: date(e.end)})
		}
		other := base.school
		if ps := public[c.district]; len(ps) > 1 {
			other = ps[(slices.Index(ps, base.school)+1)%len(ps)]
		}
		add := func(n int, school, grade, service string, days int) {
			ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: fmt.Sprintf("ORACLE-%s-%d", s.stateID, n),
				StateID: s.stateID, SchoolNumber: school, Grade: grade, ServiceType: service,
				Start: date(base.start).AddDays(days), End: date(base.end)})
		}
		switch i % 4 {
		case 0:
			add(1, other, base.grade, "S", 20)
			add(2, base.school, base.grade, "N", 40)
		case 1:
			add(1, base.school, base.grade, "N", -10)
			add(2, other, base.grade, "P", 60)
		case 2:
			add(1, other, base.grade, "S", -30)
			if ps := private[c.district]; len(ps) > 0 {
				add(2, ps[0], base.grade, "P", 5)
			}
		case 3:
			add(1, base.school, "PS", "P", 0)
			add(2, other, "14", "S", 0)
		}
	}
	_, err := st.ImportExtract(ctx, ex, "admin")
	return err
}

// overlaps is SPEC §6: starts on or before to, and ends on or after from
// or not at all. Dates are YYYY-MM-DD text, which sorts as dates do.
func overlaps(start, end, from, to string) bool {
	return start <= to && (end == "" || end >= from)
}

// checkPublished holds the published copies to the publish rule: the demo
// publishes after the extract is loaded and changes no enrollment later,
// so each published record is in exactly the districts where its student
// has an enrollment (any school, any grade) overlapping [QAD, EED] of the
// version published.
func (w *oracleWorld) checkPublished(t *testing.T) {
	got := map[string][]string{}
	window := map[string][2]string{}
	for _, c := range w.copies {
		got[c.id] = append(got[c.id], c.district)
		window[c.id] = [2]string{c.qad, c.eed}
	}
	for id, r := range w.records {
		if !w.published[id] {
			if len(got[id]) > 0 {
				t.Errorf("record %s was never published but has copies in %v", id, got[id])
			}
			continue
		}
		win, ok := window[id]
		if !ok {
			win = [2]string{r.qad, r.eed}
		}
		var want []string
		for _, e := range w.enrollments[r.stateID] {
			d := w.schools[e.school].district
			if overlaps(e.start, e.end, win[0], win[1]) && !slices.Contains(want, d) {
				want = append(want, d)
			}
		}
		slices.Sort(want)
		slices.Sort(got[id])
		if !slices.Equal(got[id], want) {
			t.Errorf("record %s of %s [%s, %s] is published to %v, its enrollments say %v", id, r.stateID, win[0], win[1], got[id], want)
		}
	}
}

// periods are the reporting periods checked: four school years, a custom
// period across two of them, a long one, periods before any record, and
// single days on which a record or an enrollment starts or ends.
func (w *oracleWorld) periods() []data.Period {
	var ps []data.Period
	add := func(from, to string) {
		f, err1 := data.ParseDate(from)
		tt, err2 := data.ParseDate(to)
		if err1 != nil || err2 != nil {
			panic(fmt.Sprint(from, to, err1, err2))
		}
		ps = append(ps, data.Period{From: f, To: tt})
	}
	for y := 2022; y <= 2025; y++ {
		p := data.SchoolYear(y)
		ps = append(ps, p)
	}
	add("2024-01-15", "2025-03-31")
	add("2019-07-01", "2030-06-30")
	add("1999-07-01", "2000-06-30")
	add("2010-01-01", "2010-01-01")
	days := map[string]bool{}
	for _, c := range w.copies {
		days[c.qad], days[c.eed] = true, true
	}
	for _, c := range w.copies {
		for _, e := range w.enrollments[c.stateID] {
			days[e.start] = true
			if e.end != "" {
				days[e.end] = true
			}
		}
	}
	for i, day := range slices.Sorted(func(yield func(string) bool) {
		for d := range days {
			if !yield(d) {
				return
			}
		}
	}) {
		if i%20 == 0 { // a sample keeps the test to seconds
			add(day, day)
		}
	}
	return ps
}

// line is one Detail row as a person reads it, with what orders it.
type line struct {
	cells             [report.NumDetailColumns]string
	lastKey, firstKey string
	stateID, start    string
	enrollmentID      string
	service, grade    string
	school, name      string
	gender, race      string
	groups            [4]bool // ED, EL, Disability, Homeless
}

func us(d string) string {
	if d == "" {
		return ""
	}
	return d[5:7] + "/" + d[8:10] + "/" + d[:4]
}

func yn(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

var raceNames = map[string]string{"1": "Hispanic/Latino", "2": "American Indian or Alaska Native", "3": "Asian",
	"4": "Black or African American", "5": "Native Hawaiian or Other Pacific Islander", "6": "White", "7": "Two or More Races"}

var k12 = []string{"K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"}

// detail is SPEC §6 for district d and period [from, to].
func (w *oracleWorld) detail(d, from, to string) []line {
	best := map[string]oRecord{}
	for _, c := range w.copies {
		if c.district != d || c.qad > to || c.eed < from {
			continue
		}
		if b, ok := best[c.stateID]; !ok || c.qad > b.qad {
			best[c.stateID] = c.oRecord
		}
	}
	var out []line
	for id, rec := range best {
		s := w.students[id]
		var g [4]bool
		for _, p := range w.programs[id] {
			if !overlaps(p.start, p.end, from, to) {
				continue
			}
			switch p.program {
			case "FRAM":
				g[0] = g[0] || p.code == "F"
			case "EL":
				g[1] = true
			case "IEP":
				g[2] = true
			case "HOMELESS":
				g[3] = true
			}
		}
		level := func(subject string) string {
			var latest oTest
			for _, a := range w.tests[id] {
				if a.subject == subject && a.date <= to && a.date > latest.date {
					latest = a
				}
			}
			return latest.level
		}
		for _, e := range w.enrollments[id] {
			sc := w.schools[e.school]
			nonPublic := slices.Contains([]string{"J1", "M1", "M2", "R1"}, sc.classification)
			if sc.district != d || nonPublic || !slices.Contains(k12, e.grade) || !overlaps(e.start, e.end, from, to) {
				continue
			}
			race := raceNames[s.race]
			if race == "" {
				race = s.race
			}
			out = append(out, line{
				cells: [report.NumDetailColumns]string{s.stateID, s.local, s.last, s.first, s.middle, us(s.birth),
					s.gender, race, e.grade, e.school, sc.name, e.service, us(e.start), us(e.end),
					rec.mis, us(rec.qad), us(rec.eed), yn(g[0]), yn(g[3]), yn(g[1]), yn(g[2]),
					level("MATH"), level("READING")},
				lastKey: s.lastKey, firstKey: s.firstKey, stateID: id, start: e.start, enrollmentID: e.id,
				service: e.service, grade: e.grade, school: e.school, name: sc.name, gender: s.gender, race: s.race, groups: g,
			})
		}
	}
	slices.SortFunc(out, func(a, b line) int {
		return cmp.Or(cmp.Compare(a.lastKey, b.lastKey), cmp.Compare(a.firstKey, b.firstKey),
			cmp.Compare(a.stateID, b.stateID), cmp.Compare(a.start, b.start), cmp.Compare(a.enrollmentID, b.enrollmentID))
	})
	return out
}

func compareDetail(t *testing.T, d string, p data.Period, q *report.QA, want []line, w *oracleWorld) {
	t.Helper()
	var got, exp []string
	for i := range q.Rows {
		var cells []string
		for _, c := range report.DetailCells(&q.Rows[i]) {
			cells = append(cells, c.String())
		}
		got = append(got, strings.Join(cells, " | "))
	}
	for _, l := range want {
		exp = append(exp, strings.Join(l.cells[:], " | "))
	}
	if !slices.Equal(got, exp) {
		t.Errorf("district %s, %s: the report has %d rows, SPEC §6 says %d:\n got:\n%s\nwant:\n%s",
			d, p, len(got), len(exp), strings.Join(got, "\n"), strings.Join(exp, "\n"))
	}
}

// oracleCounts are the Aggregated counts by code.
type oracleCounts struct {
	total                  int
	grades, genders, races map[string]int
	groups                 [4]int
	schools                map[string]report.SchoolCount
}

// counts unduplicates the rows by SPEC §6: P, else S, else N, ties the
// latest start date (and then, where SPEC is silent, the smaller
// enrollment ID).
func (w *oracleWorld) counts(rows []line) oracleCounts {
	rank := map[string]int{"P": 0, "S": 1, "N": 2}
	one := map[string]line{}
	for _, r := range rows {
		b, ok := one[r.stateID]
		if !ok || cmp.Or(cmp.Compare(rank[r.service], rank[b.service]), cmp.Compare(b.start, r.start),
			cmp.Compare(r.enrollmentID, b.enrollmentID)) < 0 {
			one[r.stateID] = r
		}
	}
	c := oracleCounts{total: len(one), grades: map[string]int{}, genders: map[string]int{}, races: map[string]int{},
		schools: map[string]report.SchoolCount{}}
	for _, r := range one {
		c.grades[r.grade]++
		c.genders[r.gender]++
		c.races[r.race]++
		for i, in := range r.groups {
			if in {
				c.groups[i]++
			}
		}
		sc := c.schools[r.school]
		sc.Number, sc.Name = r.school, r.name
		sc.N++
		c.schools[r.school] = sc
	}
	return c
}

func compareCounts(t *testing.T, d string, p data.Period, got report.Counts, want oracleCounts) {
	t.Helper()
	where := fmt.Sprintf("district %s, %s", d, p)
	if got.Total != want.total {
		t.Errorf("%s: total %d, want %d", where, got.Total, want.total)
	}
	var grades []string
	for _, g := range got.Grades {
		grades = append(grades, g.Label)
		if g.N != want.grades[g.Label] {
			t.Errorf("%s: grade %s counts %d, want %d", where, g.Label, g.N, want.grades[g.Label])
		}
	}
	if !slices.Equal(grades, k12) {
		t.Errorf("%s: the grade table lists %v, want K to 12", where, grades)
	}
	byLabel := func(cs []report.Count) map[string]int {
		m := map[string]int{}
		for _, c := range cs {
			if c.N > 0 {
				m[c.Label] = c.N
			}
		}
		return m
	}
	named := func(n map[string]int, name map[string]string) map[string]int {
		m := map[string]int{}
		for code, k := range n {
			m[cmp.Or(name[code], "Code "+code)] += k
		}
		return m
	}
	genderNames := map[string]string{"F": "Female", "M": "Male", "X": "Non-binary"}
	if g, w := byLabel(got.Genders), named(want.genders, genderNames); !mapsEqual(g, w) {
		t.Errorf("%s: genders %v, want %v", where, g, w)
	}
	if g, w := byLabel(got.Races), named(want.races, raceNames); !mapsEqual(g, w) {
		t.Errorf("%s: races %v, want %v", where, g, w)
	}
	labels := []string{"Economically Disadvantaged", "English Learner", "Disability", "Homeless"}
	if len(got.Groups) != len(labels) {
		t.Fatalf("%s: groups %+v", where, got.Groups)
	}
	for i, g := range got.Groups {
		if g.Label != labels[i] || g.Yes != want.groups[i] || g.No != want.total-want.groups[i] {
			t.Errorf("%s: group %+v, want %s %d yes of %d", where, g, labels[i], want.groups[i], want.total)
		}
	}
	wantSchools := slices.SortedFunc(func(yield func(report.SchoolCount) bool) {
		for _, s := range want.schools {
			if !yield(s) {
				return
			}
		}
	}, func(a, b report.SchoolCount) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Number, b.Number))
	})
	if !slices.Equal(got.Schools, wantSchools) {
		t.Errorf("%s: schools %+v, want %+v", where, got.Schools, wantSchools)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
