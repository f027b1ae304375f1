package store_test

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"testing"

	"pgregory.net/rapid"

	"migrantdesk/data"
	"migrantdesk/data/demo"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/store"
)

// The store decides with SQL what the rules in data/ decide in Go: who is
// in the QA Migrant report, which records need publishing (and how many,
// from a flag the write paths keep), which enrollment a district's list
// shows. TestStoreFollowsTheRules makes random demo states, changes them
// the ways clerks and imports do, and holds every SQL path to the Go rules
// applied to the raw tables.

// demoStates builds each demo state once per test run; each check copies
// one.
type demoStates struct {
	dir   string
	mu    gosync.Mutex
	paths map[string]string
	n     int
}

func (d *demoStates) open(t *rapid.T, tb testing.TB, seed int64, students int) *store.Store {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := fmt.Sprintf("%d-%d", seed, students)
	src, ok := d.paths[key]
	if !ok {
		src = filepath.Join(d.dir, "demo-"+key+".db")
		st, err := store.Open(src)
		if err != nil {
			tb.Fatal(err)
		}
		_, err = demo.Build(context.Background(), st, demo.Config{Students: students, Seed: seed}, "demo")
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			tb.Fatal(err)
		}
		d.paths[key] = src
	}
	d.n++
	dst := filepath.Join(d.dir, fmt.Sprintf("check-%d.db", d.n))
	if err := demotest.CopyFile(src, dst); err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(dst)
	if err != nil {
		tb.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		for _, f := range []string{dst, dst + "-wal", dst + "-shm"} {
			os.Remove(f)
		}
	})
	return st
}

// Each check builds on a demo database and changes it: a run makes 20
// unless -rapid.checks (or $RAPID_CHECKS) asks for another number.
func TestStoreFollowsTheRules(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue && os.Getenv("RAPID_CHECKS") == "" {
		f.Value.Set("20")
		defer f.Value.Set(f.DefValue)
	}
	states := &demoStates{dir: t.TempDir(), paths: map[string]string{}}
	rapid.Check(t, func(rt *rapid.T) {
		seed := rapid.Int64Range(1, 3).Draw(rt, "seed")
		students := rapid.SampledFrom([]int{demo.MinStudents, 700}).Draw(rt, "students")
		st := states.open(rt, t, seed, students)
		ch := changer{st: st, w: load(rt, st)}
		for i, n := 0, rapid.IntRange(0, 10).Draw(rt, "changes"); i < n; i++ {
			ch.change(rt)
			ch.w = load(rt, st)
			checkCount(rt, st, rapid.SampledFrom(append([]string{""}, ch.w.regions...)).Draw(rt, "region"))
		}
		checkNeedsPublishing(rt, st, ch.w)
		checkQARows(rt, st, ch.w)
		checkDistrictRecords(rt, st, ch.w)
		checkWorklist(rt, st, ch.w)
	})
}

// world is a store's raw tables, read without any of the store's queries.
type world struct {
	regions     []string
	districts   map[string]data.District
	schools     map[string]data.School
	students    map[string]data.Student
	keys        map[string][2]string // last_key, first_key
	enrollments map[string][]data.PlacedEnrollment
	programs    map[string][]data.Program
	assessments map[string][]data.Assessment
	records     []rawRecord
	copies      map[string][]rawCopy // by record
}

type rawRecord struct {
	data.MigrantRecord
	deleted          bool
	publishedVersion int
	updatedAt        string
	updatedBy        string
}

type rawCopy struct {
	district data.District
	record   data.MigrantRecord // the published values
	at, by   string
}

func (w *world) placed(e data.Enrollment) data.PlacedEnrollment {
	sc := w.schools[e.SchoolNumber]
	return data.PlacedEnrollment{Enrollment: e, School: sc, District: w.districts[sc.DistrictNumber]}
}

func load(t *rapid.T, st *store.Store) *world {
	w := &world{districts: map[string]data.District{}, schools: map[string]data.School{}, students: map[string]data.Student{},
		keys: map[string][2]string{}, enrollments: map[string][]data.PlacedEnrollment{}, programs: map[string][]data.Program{},
		assessments: map[string][]data.Assessment{}, copies: map[string][]rawCopy{}}
	db := st.DB()
	scan(t, db, `SELECT code FROM regions`, func(s func(...any)) {
		var code string
		s(&code)
		w.regions = append(w.regions, code)
	})
	scan(t, db, `SELECT number, name, region_code FROM districts`, func(s func(...any)) {
		var d data.District
		s(&d.Number, &d.Name, &d.RegionCode)
		w.districts[d.Number] = d
	})
	scan(t, db, `SELECT number, district_number, name, classification FROM schools`, func(s func(...any)) {
		var sc data.School
		s(&sc.Number, &sc.DistrictNumber, &sc.Name, &sc.Classification)
		w.schools[sc.Number] = sc
	})
	scan(t, db, `SELECT state_id, local_number, last_name, first_name, middle_name, birth_date, gender, race, last_key, first_key FROM students`,
		func(s func(...any)) {
			var st data.Student
			var birth, last, first string
			s(&st.StateID, &st.LocalNumber, &st.LastName, &st.FirstName, &st.MiddleName, &birth, &st.Gender, &st.Race, &last, &first)
			st.BirthDate = date(t, birth)
			w.students[st.StateID] = st
			w.keys[st.StateID] = [2]string{last, first}
		})
	scan(t, db, `SELECT id, state_id, school_number, grade, service_type, start_date, end_date FROM enrollments`, func(s func(...any)) {
		var e data.Enrollment
		var start, end string
		s(&e.ID, &e.StateID, &e.SchoolNumber, &e.Grade, &e.ServiceType, &start, &end)
		e.Start, e.End = date(t, start), date(t, end)
		w.enrollments[e.StateID] = append(w.enrollments[e.StateID], w.placed(e))
	})
	scan(t, db, `SELECT state_id, program, code, start_date, end_date FROM programs`, func(s func(...any)) {
		var p data.Program
		var start, end string
		s(&p.StateID, &p.Program, &p.Code, &start, &end)
		p.Start, p.End = date(t, start), date(t, end)
		w.programs[p.StateID] = append(w.programs[p.StateID], p)
	})
	scan(t, db, `SELECT state_id, subject, test_date, performance_level FROM assessments`, func(s func(...any)) {
		var a data.Assessment
		var on string
		s(&a.StateID, &a.Subject, &on, &a.Level)
		a.TestDate = date(t, on)
		w.assessments[a.StateID] = append(w.assessments[a.StateID], a)
	})
	scan(t, db, `SELECT id, state_id, mis2000_id, qad, eed, version, deleted, published_version, updated_at, updated_by FROM migrant_records`,
		func(s func(...any)) {
			var r rawRecord
			var qad, eed string
			s(&r.ID, &r.StateID, &r.MIS2000ID, &qad, &eed, &r.Version, &r.deleted, &r.publishedVersion, &r.updatedAt, &r.updatedBy)
			r.QAD, r.EED = date(t, qad), date(t, eed)
			w.records = append(w.records, r)
		})
	// Record IDs are random UUIDs: sorted by what a clerk entered, the
	// records are drawn from in the same order on every run.
	slices.SortFunc(w.records, func(a, b rawRecord) int {
		return cmp.Or(cmp.Compare(a.StateID, b.StateID), cmp.Compare(a.QAD, b.QAD), cmp.Compare(a.Version, b.Version),
			cmp.Compare(a.MIS2000ID, b.MIS2000ID), cmp.Compare(a.EED, b.EED))
	})
	scan(t, db, `SELECT p.record_id, m.state_id, p.district_number, p.version, p.mis2000_id, p.qad, p.eed, p.published_at, p.published_by
		FROM published p JOIN migrant_records m ON m.id = p.record_id`, func(s func(...any)) {
		var c rawCopy
		var district, qad, eed string
		s(&c.record.ID, &c.record.StateID, &district, &c.record.Version, &c.record.MIS2000ID, &qad, &eed, &c.at, &c.by)
		c.district = w.districts[district]
		c.record.QAD, c.record.EED = date(t, qad), date(t, eed)
		w.copies[c.record.ID] = append(w.copies[c.record.ID], c)
	})
	return w
}

func scan(t *rapid.T, db *sql.DB, q string, each func(scan func(...any))) {
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		each(func(dest ...any) {
			if err := rows.Scan(dest...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func date(t *rapid.T, s string) data.Date {
	d, err := data.ParseOptionalDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// inRegion is the Go reading of "a student of the region": enrolled in
// one of its districts ("" is every region).
func (w *world) inRegion(stateID, region string) bool {
	return region == "" || slices.ContainsFunc(w.enrollments[stateID], func(e data.PlacedEnrollment) bool {
		return e.District.RegionCode == region
	})
}

func checkNeedsPublishing(t *rapid.T, st *store.Store, w *world) {
	ctx := context.Background()
	for _, region := range append([]string{""}, w.regions...) {
		var want []string
		for _, r := range w.records {
			if r.deleted || !w.inRegion(r.StateID, region) {
				continue
			}
			targets := data.PublishTargets(r.MigrantRecord, w.enrollments[r.StateID])
			var copies []data.Copy
			for _, c := range w.copies[r.ID] {
				copies = append(copies, data.Copy{District: c.district, Version: c.record.Version})
			}
			s, _ := data.RecordStatus(data.RecordState{Version: r.Version, PublishedVersion: r.publishedVersion,
				Copies: copies, Targets: targets})
			if data.NeedsAction(s, targets) {
				want = append(want, r.ID+" "+districtNumbers(targets))
			}
		}
		list, err := st.NeedsPublishing(ctx, region)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range list {
			got = append(got, u.ID+" "+districtNumbers(u.Targets))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("region %q needs publishing (record, targets):\n%s\nthe rules say:\n%s", region, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		checkCount(t, st, region)
	}
}

// checkCount holds the status bar's count to the list it counts.
func checkCount(t *rapid.T, st *store.Store, region string) {
	n, err := st.CountNeedsPublishing(context.Background(), region)
	if err != nil {
		t.Fatal(err)
	}
	list, err := st.NeedsPublishing(context.Background(), region)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(list) {
		t.Fatalf("region %q: CountNeedsPublishing %d, NeedsPublishing lists %d", region, n, len(list))
	}
}

// reportPeriod is a school year of the demo, any stretch of days in it,
// or one that starts or ends on a day the data of the given students turns
// on (an enrollment's start or end, a published QAD or EED, a program's
// or a test's day) or next to it, where a rule's < and <= part.
func reportPeriod(t *rapid.T, w *world, students map[string][]data.MigrantRecord) data.Period {
	edges := []data.Date{data.NewDate(2024, 8, 1)}
	for id, recs := range students {
		for _, r := range recs {
			edges = append(edges, r.QAD, r.EED)
		}
		for _, e := range w.enrollments[id] {
			edges = append(edges, e.Start, e.End)
		}
		for _, p := range w.programs[id] {
			edges = append(edges, p.Start, p.End)
		}
		for _, a := range w.assessments[id] {
			edges = append(edges, a.TestDate)
		}
	}
	edges = slices.DeleteFunc(edges, data.Date.IsZero)
	slices.Sort(edges)
	edges = slices.Compact(edges)
	edge := func(label string) data.Date {
		return rapid.SampledFrom(edges).Draw(t, label).AddDays(rapid.IntRange(-1, 1).Draw(t, label+" nudge"))
	}
	switch rapid.IntRange(0, 3).Draw(t, "period") {
	case 0:
		return data.SchoolYear(rapid.IntRange(2022, 2025).Draw(t, "year"))
	case 1:
		from := edge("from")
		return data.Period{From: from, To: from.AddDays(rapid.IntRange(0, 400).Draw(t, "days"))}
	case 2:
		to := edge("to")
		return data.Period{From: to.AddDays(-rapid.IntRange(0, 400).Draw(t, "days")), To: to}
	}
	from := data.NewDate(2022, 8, 1).AddDays(rapid.IntRange(0, 1500).Draw(t, "from"))
	return data.Period{From: from, To: from.AddDays(rapid.IntRange(0, 400).Draw(t, "days"))}
}

// someDistricts are the districts worth checking: those holding copies,
// and one at random.
func someDistricts(t *rapid.T, w *world) []string {
	var with []string
	for _, cs := range w.copies {
		for _, c := range cs {
			if !slices.Contains(with, c.district.Number) {
				with = append(with, c.district.Number)
			}
		}
	}
	slices.Sort(with)
	all := slices.Sorted(func(yield func(string) bool) {
		for n := range w.districts {
			if !yield(n) {
				return
			}
		}
	})
	return append(with, rapid.SampledFrom(all).Draw(t, "district"))
}

func checkQARows(t *rapid.T, st *store.Store, w *world) {
	for _, district := range someDistricts(t, w) {
		// The rules: each student's copies in the district, the one that
		// fills the report, and the student's qualifying enrollments.
		published := map[string][]data.MigrantRecord{}
		for _, r := range w.records {
			for _, c := range w.copies[r.ID] {
				if !r.deleted && c.district.Number == district {
					published[r.StateID] = append(published[r.StateID], c.record)
				}
			}
		}
		p := reportPeriod(t, w, published)
		var want []string
		for id, recs := range published {
			rec, ok := data.ReportRecord(recs, p)
			if !ok {
				continue
			}
			g := data.GroupsIn(w.programs[id], p)
			math, _ := data.LatestAssessment(w.assessments[id], data.SubjectMath, p.To)
			reading, _ := data.LatestAssessment(w.assessments[id], data.SubjectReading, p.To)
			for _, e := range w.enrollments[id] {
				if data.QualifyingEnrollment(e, district, p) {
					want = append(want, qaLine(w, w.students[id], e.Enrollment, e.School.Name, rec, g, math.Level, reading.Level))
				}
			}
		}
		_, rows, err := st.QARows(context.Background(), district, p)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			g := data.Groups{EconomicallyDisadvantaged: r.EconomicallyDisadvantaged, Homeless: r.Homeless,
				EnglishLearner: r.EnglishLearner, Disability: r.Disability}
			got = append(got, qaLine(w, r.Student, r.Enrollment, r.SchoolName, r.Record, g, r.MathLevel, r.ReadingLevel))
		}
		slices.Sort(want) // qaLine starts with the report's order
		if !slices.Equal(got, want) {
			t.Fatalf("QA rows of district %s for %s:\n%s\nthe rules say:\n%s", district, p, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// qaLine is a report row as text, led by its sort key: last name, first
// name (normalised), state ID, enrollment start and ID.
func qaLine(w *world, s data.Student, e data.Enrollment, school string, r data.MigrantRecord, g data.Groups, math, reading string) string {
	k := w.keys[s.StateID]
	return fmt.Sprintf("%s\t%s\t%s\t%s\t%s | %+v | %+v %s | %+v | %+v | %q %q",
		k[0], k[1], s.StateID, e.Start, e.ID, s, e, school, r, g, math, reading)
}

func checkDistrictRecords(t *rapid.T, st *store.Store, w *world) {
	for _, district := range someDistricts(t, w) {
		type line struct {
			key  string
			text string
		}
		var want []line
		for _, r := range w.records {
			for _, c := range w.copies[r.ID] {
				if r.deleted || c.district.Number != district {
					continue
				}
				var here []data.Enrollment
				for _, e := range w.enrollments[r.StateID] {
					if e.District.Number == district {
						here = append(here, e.Enrollment)
					}
				}
				d := store.DistrictRecord{RecordID: r.ID, Student: w.students[r.StateID], MIS2000ID: c.record.MIS2000ID,
					QAD: c.record.QAD, EED: c.record.EED, Version: c.record.Version, PublishedAt: c.at, PublishedBy: c.by}
				if e, ok := data.CurrentEnrollment(here); ok {
					d.SchoolNumber, d.SchoolName, d.Grade, d.Withdrawn = e.SchoolNumber, w.schools[e.SchoolNumber].Name, e.Grade, e.End
				}
				k := w.keys[r.StateID]
				want = append(want, line{fmt.Sprintf("%s\t%s\t%s\t%s", k[0], k[1], r.StateID, data.Date(99991231-int(c.record.QAD))), fmt.Sprintf("%+v", d)})
			}
		}
		slices.SortFunc(want, func(a, b line) int { return cmp.Compare(a.key, b.key) })
		recs, err := st.DistrictRecords(context.Background(), district)
		if err != nil {
			t.Fatal(err)
		}
		var got, wantText []string
		for _, r := range recs {
			got = append(got, fmt.Sprintf("%+v", r))
		}
		for _, l := range want {
			wantText = append(wantText, l.text)
		}
		if !slices.Equal(got, wantText) {
			t.Fatalf("records of district %s:\n%s\nthe rules say:\n%s", district, strings.Join(got, "\n"), strings.Join(wantText, "\n"))
		}
	}
}

// changer changes a demo state the ways the app and imports do.
type changer struct {
	st *store.Store
	w  *world
	n  int
}

func (c *changer) change(t *rapid.T) {
	ctx := context.Background()
	admin := data.Operator("property")
	live := c.liveRecords()
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range c.w.students {
			if !yield(id) {
				return
			}
		}
	})
	pickRecord := func() rawRecord { return rapid.SampledFrom(live).Draw(t, "record") }
	switch op := rapid.SampledFrom([]string{"save", "edit", "publish", "delete", "enrol", "withdraw", "move school", "program", "test"}).Draw(t, "change"); {
	case op == "save":
		qad := data.NewDate(2021, 9, 1).AddDays(rapid.IntRange(0, 1500).Draw(t, "qad"))
		r := data.MigrantRecord{StateID: rapid.SampledFrom(ids).Draw(t, "student"), MIS2000ID: fmt.Sprint(rapid.IntRange(1, 999999).Draw(t, "mis")), QAD: qad}
		if rapid.Bool().Draw(t, "short") {
			r.EED = qad.AddDays(rapid.IntRange(0, 400).Draw(t, "eed"))
		}
		ruleErr(t, c.do(func() error { _, err := c.st.SaveRecord(ctx, admin, r); return err }))
	case op == "edit" && len(live) > 0:
		r := pickRecord().MigrantRecord
		if rapid.Bool().Draw(t, "mis") {
			r.MIS2000ID += "1"
		} else {
			r.EED = r.QAD.AddDays(rapid.IntRange(0, 300).Draw(t, "eed"))
		}
		ruleErr(t, c.do(func() error { _, err := c.st.SaveRecord(ctx, admin, r); return err }))
	case op == "publish" && len(live) > 0:
		var pick []string
		for _, r := range live {
			if rapid.Bool().Draw(t, "publish it") {
				pick = append(pick, r.ID)
			}
		}
		ruleErr(t, c.do(func() error { _, err := c.st.Publish(ctx, admin, pick, nil); return err }))
	case op == "delete" && len(live) > 0:
		r := pickRecord()
		ruleErr(t, c.do(func() error { return c.st.DeleteRecord(ctx, admin, r.ID, r.Version) }))
	case op == "enrol" || op == "withdraw" || op == "program" || op == "test":
		// The records' students are the interesting ones.
		id := rapid.SampledFrom(ids).Draw(t, "student")
		if len(live) > 0 && rapid.Bool().Draw(t, "a record's student") {
			id = pickRecord().StateID
		}
		c.reimport(t, id, op)
	case op == "move school":
		schools := slices.Sorted(func(yield func(string) bool) {
			for n := range c.w.schools {
				if !yield(n) {
					return
				}
			}
		})
		sc := c.w.schools[rapid.SampledFrom(schools).Draw(t, "school")]
		districts := slices.Sorted(func(yield func(string) bool) {
			for n := range c.w.districts {
				if !yield(n) {
					return
				}
			}
		})
		sc.DistrictNumber = rapid.SampledFrom(districts).Draw(t, "to district")
		if _, err := c.st.ImportExtract(ctx, &data.Extract{Schools: []data.School{sc}}, "property"); err != nil {
			t.Fatal(err)
		}
	}
}

func (c *changer) do(f func() error) error { return f() }

// ruleErr lets through what the form's rules refuse (a random record may
// overlap another, say) and fails on anything else.
func ruleErr(t *rapid.T, err error) {
	var fe data.Errors
	var oe *data.OverlapError
	if err != nil && !errors.As(err, &fe) && !errors.As(err, &oe) {
		t.Fatal(err)
	}
}

func (c *changer) liveRecords() []rawRecord {
	var out []rawRecord
	for _, r := range c.w.records {
		if !r.deleted {
			out = append(out, r)
		}
	}
	return out
}

// reimport imports an extract listing one student with a change to their
// enrollments, programs or tests, as a newer state extract would.
func (c *changer) reimport(t *rapid.T, id, op string) {
	c.n++
	ex := &data.Extract{Students: []data.Student{c.w.students[id]}, Programs: c.w.programs[id], Assessments: c.w.assessments[id]}
	for _, e := range c.w.enrollments[id] {
		ex.Enrollments = append(ex.Enrollments, e.Enrollment)
	}
	day := func(label string) data.Date {
		return data.NewDate(2022, 8, 1).AddDays(rapid.IntRange(0, 1500).Draw(t, label))
	}
	schools := slices.Sorted(func(yield func(string) bool) {
		for n := range c.w.schools {
			if !yield(n) {
				return
			}
		}
	})
	switch {
	case op == "enrol" || op == "withdraw" && len(ex.Enrollments) == 0:
		// Often a second enrollment in a district the student is in, so
		// that which one a list shows is a choice.
		var near []string
		for _, e := range c.w.enrollments[id] {
			for _, sc := range schools {
				if c.w.schools[sc].DistrictNumber == e.District.Number {
					near = append(near, sc)
				}
			}
		}
		if len(near) == 0 || rapid.Bool().Draw(t, "anywhere") {
			near = schools
		}
		e := data.Enrollment{ID: fmt.Sprintf("P%d-%s", c.n, id), StateID: id, SchoolNumber: rapid.SampledFrom(near).Draw(t, "school"),
			Grade:       rapid.SampledFrom([]string{"PS", "K", "03", "08", "12", "14", "OSY"}).Draw(t, "grade"),
			ServiceType: rapid.SampledFrom([]string{"P", "P", "S", "N"}).Draw(t, "service"), Start: day("start")}
		if rapid.IntRange(0, 2).Draw(t, "ended") == 0 {
			e.End = e.Start.AddDays(rapid.IntRange(0, 500).Draw(t, "length"))
		}
		ex.Enrollments = append(ex.Enrollments, e)
	case op == "withdraw":
		i := rapid.IntRange(0, len(ex.Enrollments)-1).Draw(t, "enrollment")
		if rapid.Bool().Draw(t, "drop") {
			ex.Enrollments = slices.Delete(ex.Enrollments, i, i+1)
		} else {
			ex.Enrollments[i].End = ex.Enrollments[i].Start.AddDays(rapid.IntRange(0, 300).Draw(t, "length"))
		}
	case op == "program":
		p := data.Program{StateID: id, Program: rapid.SampledFrom([]string{data.ProgramFRAM, data.ProgramHomeless, data.ProgramEL, data.ProgramIEP}).Draw(t, "program"),
			Start: day("program start")}
		if p.Program == data.ProgramFRAM {
			p.Code = rapid.SampledFrom([]string{data.MealsFree, data.MealsReduced, data.MealsPaid}).Draw(t, "meals")
		}
		if rapid.Bool().Draw(t, "program ended") {
			p.End = p.Start.AddDays(rapid.IntRange(0, 300).Draw(t, "program length"))
		}
		ex.Programs = append(slices.Clone(ex.Programs), p)
	case op == "test":
		a := data.Assessment{StateID: id, Subject: rapid.SampledFrom([]string{data.SubjectMath, data.SubjectReading}).Draw(t, "subject"),
			TestDate: day("tested"), Level: rapid.SampledFrom(data.Levels()).Draw(t, "level")}
		if !slices.ContainsFunc(ex.Assessments, func(b data.Assessment) bool { return b.Subject == a.Subject && b.TestDate == a.TestDate }) {
			ex.Assessments = append(slices.Clone(ex.Assessments), a)
		}
	}
	if _, err := c.st.ImportExtract(context.Background(), ex, "property"); err != nil {
		t.Fatal(err)
	}
}

// checkWorklist holds a district's worklist in SQL to data's rules, for a
// last look and a today drawn next to the days and times the data turns
// on: enrollment starts and ends, published EEDs and publish times.
func checkWorklist(t *rapid.T, st *store.Store, w *world) {
	for _, district := range someDistricts(t, w) {
		days := []data.Date{data.NewDate(2025, 9, 1)}
		stamps := []string{""}
		for _, r := range w.records {
			for _, c := range w.copies[r.ID] {
				if c.district.Number == district {
					days = append(days, c.record.EED, c.record.EED.AddDays(-data.EndingWithinDays))
					stamps = append(stamps, c.at)
				}
			}
			for _, e := range w.enrollments[r.StateID] {
				if !e.End.IsZero() {
					// A look a year after an enrollment ended is where
					// its student stops being one the district knows.
					days = append(days, e.End, e.End.AddDays(data.KnownWithinDays))
				}
				days = append(days, e.Start)
			}
		}
		day := func(label string) data.Date {
			return rapid.SampledFrom(days).Draw(t, label).AddDays(rapid.IntRange(-1, 1).Draw(t, label+" shift"))
		}
		since := data.WorkSince{At: rapid.SampledFrom(stamps).Draw(t, "since at"), Day: day("since day")}
		today := day("today")
		var want []string
		for _, r := range w.records {
			for _, c := range w.copies[r.ID] {
				if r.deleted || c.district.Number != district {
					continue
				}
				es := w.enrollments[r.StateID]
				in := [data.NumWorkItems]bool{
					data.PublishedSince(data.Copy{District: c.district, At: c.at}, since),
					data.NewlyEnrolled(es, district, since, today),
					data.EligibilityEndsSoon(c.record, today),
					data.FreeMealMissing(c.record, es, w.programs[r.StateID], district, today),
				}
				for item, yes := range in {
					if yes {
						want = append(want, fmt.Sprintf("%d %s", item, r.ID))
					}
				}
			}
		}
		wl, err := st.DistrictWorklist(context.Background(), data.Operator("test"), district, since, today)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for item, ids := range wl {
			for id := range ids {
				got = append(got, fmt.Sprintf("%d %s", item, id))
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("worklist of district %s since %+v on %s (item record):\n%s\nthe rules say:\n%s",
				district, since, today, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
