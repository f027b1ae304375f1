package demo

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"migrantdesk/data"
)

func TestSameSeedSameState(t *testing.T) {
	a, err := Generate(Config{Students: 2000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(Config{Students: 2000, Seed: 7, Today: DefaultToday})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two states made with seed 7 differ")
	}
	c, err := Generate(Config{Students: 2000, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.Extract.Students, c.Extract.Students) || reflect.DeepEqual(a.Extract.Districts, c.Extract.Districts) ||
		reflect.DeepEqual(a.Records, c.Records) {
		t.Fatal("seeds 7 and 8 made the same students, districts or records")
	}
}

func TestSizeIsBounded(t *testing.T) {
	for _, n := range []int{0, 499, 700_001} {
		_, err := Generate(Config{Students: n, Seed: 1})
		if err == nil || !strings.Contains(err.Error(), "500 to 700000 students") {
			t.Errorf("%d students: got %v, want a refusal naming 500 to 700000", n, err)
		}
	}
}

func TestExtractKeepsTheRules(t *testing.T) {
	for _, n := range []int{500, 5000} {
		st := state(t, n, 1)
		if err := checkExtract(st.Extract, DefaultToday); err != nil {
			t.Errorf("%d students: %v", n, err)
		}
		if got := len(st.Extract.Students); got != n {
			t.Errorf("asked for %d students, got %d", n, got)
		}
	}
}

func TestTodayMovesTheData(t *testing.T) {
	today := data.NewDate(2026, time.March, 2)
	st, err := Generate(Config{Students: 500, Seed: 1, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if err := checkExtract(st.Extract, today); err != nil {
		t.Fatal(err)
	}
	var current int
	for _, e := range st.Extract.Enrollments {
		if e.Start >= data.NewDate(2025, time.August, 1) {
			current++
		}
	}
	if current < 400 {
		t.Errorf("only %d enrollments in the 2025-26 school year on %s", current, today)
	}
}

func TestRecordsAreValid(t *testing.T) {
	for _, n := range []int{500, 20000} {
		st := state(t, n, 1)
		birth := map[string]data.Date{}
		for _, s := range st.Extract.Students {
			birth[s.StateID] = s.BirthDate
		}
		if min := max(50, n*17/1000*9/10); len(st.Records) < min {
			t.Errorf("%d students: %d migrant records, want at least %d", n, len(st.Records), min)
		}
		byStudent := map[string][]data.MigrantRecord{}
		for i, r := range st.Records {
			if err := data.ValidateRecord(r, birth[r.StateID], DefaultToday); err != nil {
				t.Errorf("record %d: %v", i, err)
			}
			r.ID = string(rune('a' + i))
			if err := data.CheckOverlap(r, byStudent[r.StateID]); err != nil {
				t.Errorf("record %d: %v", i, err)
			}
			byStudent[r.StateID] = append(byStudent[r.StateID], r)
		}
	}
}

// The state's shape: regions, districts of very different sizes, numbers
// that keep their zeros, and every kind of school.
func TestGeography(t *testing.T) {
	st := state(t, 20000, 1)
	ex := st.Extract
	var codes []string
	for _, r := range ex.Regions {
		codes = append(codes, r.Code+" "+r.Name)
	}
	if got := strings.Join(codes, ", "); got != "C Central, N Northern, S Southern, W Western" {
		t.Errorf("regions: %s", got)
	}
	if n := len(ex.Districts); n < 165 || n > 175 {
		t.Errorf("%d districts, want about 170", n)
	}
	var county, independent, leadingZero int
	for _, d := range ex.Districts {
		switch {
		case len(d.Number) != 3:
			t.Errorf("district number %q is not three digits", d.Number)
		case d.Number[0] == '0':
			leadingZero++
		}
		if strings.HasSuffix(d.Name, " County") {
			county++
		}
		if strings.HasSuffix(d.Name, " Independent") {
			independent++
		}
	}
	if county < 100 || independent < 40 || leadingZero == 0 {
		t.Errorf("%d county and %d independent districts, %d numbers with a leading zero", county, independent, leadingZero)
	}

	ix := index(st)
	sizes := map[string]int{}
	for _, s := range ex.Students {
		sizes[ix.home[s.StateID]]++
	}
	largest, small := 0, 0
	for _, n := range sizes {
		largest = max(largest, n)
		if n < 100 { // under 0.5% of the state
			small++
		}
	}
	if largest < 20000/10 || small < 80 {
		t.Errorf("district sizes are not skewed: largest %d students, %d districts under 100", largest, small)
	}

	classes := map[string]int{}
	for _, s := range ex.Schools {
		classes[s.Classification]++
	}
	for _, c := range []string{"A1", "A2", "A4", "A5", "M1", "M2"} {
		if classes[c] == 0 {
			t.Errorf("no school of classification %s: %v", c, classes)
		}
	}
	if classes["J1"]+classes["R1"] == 0 {
		t.Errorf("no J1 or R1 private school: %v", classes)
	}
	grades := map[string]map[string]int{} // classification → grade → enrollments
	for _, e := range ex.Enrollments {
		c := ix.schools[e.SchoolNumber].Classification
		if grades[c] == nil {
			grades[c] = map[string]int{}
		}
		grades[c][e.Grade]++
	}
	for g := range grades["A4"] {
		if g != "PS" {
			t.Errorf("a preschool center has grade %s enrollments", g)
		}
	}
	if grades["M1"]["03"] == 0 || grades["A4"]["PS"] == 0 || grades["A2"]["11"] == 0 {
		t.Errorf("enrollments by classification and grade: %v", grades)
	}
}

func TestNames(t *testing.T) {
	st := state(t, 20000, 1)
	ix := index(st)
	var hispanic, migrantHispanic, accented, hispanicAccented, middle int
	var spaced, hyphenated, particle, apostrophe, vietnamese, somali, x int
	for _, s := range st.Extract.Students {
		name := s.LastName + s.FirstName + s.MiddleName
		isHispanic := s.Race == "1"
		if isHispanic {
			hispanic++
			if ix.migrant[s.StateID] {
				migrantHispanic++
			}
		}
		if utf8.RuneCountInString(name) != len(name) {
			accented++
			if isHispanic {
				hispanicAccented++
			}
		}
		if s.MiddleName != "" {
			middle++
		}
		for _, sur := range hispanicSurnames {
			if strings.HasPrefix(s.LastName, sur+" ") && !strings.ContainsAny(sur, " ") {
				spaced++
			}
		}
		if strings.Contains(s.LastName, "-") && isHispanic {
			hyphenated++
		}
		for _, p := range []string{"De La Cruz", "del Río", "del Rio", "De León", "De Leon", "de la Rosa", "De los Santos"} {
			if strings.HasPrefix(s.LastName, p) {
				particle++
			}
		}
		if strings.Contains(s.LastName+s.FirstName, "'") {
			apostrophe++
		}
		switch s.LastName {
		case "Nguyen", "Tran", "Pham":
			vietnamese++
		case "Abdi", "Warsame", "Abdullahi":
			somali++
		}
		if s.Gender == "X" {
			x++
		}
	}
	n := float64(len(st.Extract.Students))
	if share := float64(hispanic) / n; share < 0.18 || share > 0.27 {
		t.Errorf("%.1f%% of students are Hispanic, want 20–25%%", 100*share)
	}
	if share := float64(migrantHispanic) / float64(len(ix.migrant)); share < 0.8 {
		t.Errorf("%.1f%% of migrant students are Hispanic, want about 90%%", 100*share)
	}
	if share := float64(hispanicAccented) / float64(hispanic); share < 0.35 || share > 0.8 {
		t.Errorf("%.1f%% of Hispanic students have an accent in their name", 100*share)
	}
	if share := float64(middle) / n; share < 0.4 {
		t.Errorf("%.1f%% of students have a middle name", 100*share)
	}
	if spaced < 100 || hyphenated < 40 || particle < 10 || apostrophe < 20 || vietnamese < 10 || somali < 5 || x == 0 || x > 200 {
		t.Errorf("surnames: %d spaced compounds, %d hyphenated Hispanic, %d with particles, %d apostrophes, %d Vietnamese, %d Somali; %d gender X",
			spaced, hyphenated, particle, apostrophe, vietnamese, somali, x)
	}
}

// A student's age on September 1 fits their grade: five in K, give or
// take a year held back.
func TestBirthDatesFitGrades(t *testing.T) {
	st := state(t, 20000, 1)
	ix := index(st)
	for _, e := range st.Extract.Enrollments {
		year := e.Start.Year()
		if e.Start.Month() < time.July {
			year--
		}
		b := ix.students[e.StateID].BirthDate
		age := year - b.Year()
		if b.Month() > time.September || b.Month() == time.September && b.Day() > 1 {
			age--
		}
		want := map[string][2]int{"PS": {3, 5}, "97": {3, 3}, "98": {4, 4}, "99": {5, 5}, "K": {5, 6}, "14": {18, 21}, "OSY": {15, 21}}[e.Grade]
		if want == [2]int{} {
			g := int(e.Grade[0]-'0')*10 + int(e.Grade[1]-'0')
			want = [2]int{g + 5, g + 6}
		}
		if age < want[0] || age > want[1] {
			t.Fatalf("enrollment %s: born %s, age %d on September 1, %d in grade %s", e.ID, b, age, year, e.Grade)
		}
	}
}

func TestEnrollmentHistories(t *testing.T) {
	st := state(t, 20000, 1)
	ix := index(st)
	services := map[string]int{}
	var withdrawn, moves, regionMoves, osyGrade, osyNone int
	for _, e := range st.Extract.Enrollments {
		services[e.ServiceType]++
		if m := e.End.Month(); e.ServiceType == "P" && !e.End.IsZero() && m != time.May && m != time.June {
			withdrawn++
		}
		if e.Grade == "OSY" {
			osyGrade++
		}
	}
	for _, es := range ix.enrollments {
		districts := map[string]bool{}
		regions := map[string]bool{}
		for _, e := range es {
			if e.ServiceType == "P" && e.Start.Year() == 2025 && e.Start.Month() >= time.August {
				d := ix.schools[e.SchoolNumber].DistrictNumber
				districts[d] = true
				regions[ix.districts[d].RegionCode] = true
			}
		}
		if len(districts) > 1 {
			moves++
		}
		if len(regions) > 1 {
			regionMoves++
		}
	}
	for id := range ix.migrant {
		if len(ix.enrollments[id]) == 0 {
			osyNone++
		}
	}
	if services["P"] == 0 || services["S"] < 20 || services["N"] < 20 {
		t.Errorf("service types: %v", services)
	}
	if withdrawn < 200 || moves < 20 || regionMoves == 0 || osyGrade < 10 || osyNone == 0 {
		t.Errorf("%d withdrawals, %d students moved district this year (%d across regions), %d OSY enrollments, %d migrant students with no enrollment",
			withdrawn, moves, regionMoves, osyGrade, osyNone)
	}
}

func TestProgramsAndAssessments(t *testing.T) {
	st := state(t, 20000, 1)
	ix := index(st)
	fram := map[string]int{} // current-year FRAM code of migrant K-12 students, "" for none
	programs := map[string]int{}
	migrantEL := 0
	currentFRAM := map[string]string{}
	for _, p := range st.Extract.Programs {
		programs[p.Program]++
		if p.Program == data.ProgramFRAM && p.Start >= data.NewDate(2025, time.August, 1) {
			currentFRAM[p.StateID] = p.Code
		}
		if p.Program == data.ProgramEL && ix.migrant[p.StateID] {
			migrantEL++
		}
	}
	for id := range ix.migrant {
		for _, e := range ix.enrollments[id] {
			if data.ClassOf(e.Grade) == data.GradeK12 && e.Start >= data.NewDate(2025, time.August, 1) && ix.schools[e.SchoolNumber].Public() {
				fram[currentFRAM[id]]++
				break
			}
		}
	}
	if fram["F"] < fram["R"]+fram["P"]+fram[""] || fram["R"] == 0 || fram["P"] == 0 || fram[""] == 0 {
		t.Errorf("current-year FRAM of migrant K-12 students: %v; want mostly F, and some R, P and none", fram)
	}
	if programs[data.ProgramHomeless] == 0 || programs[data.ProgramIEP] == 0 || programs[data.ProgramEL] == 0 {
		t.Errorf("programs: %v", programs)
	}
	if share := float64(migrantEL) / float64(len(ix.migrant)); share < 0.35 {
		t.Errorf("%.0f%% of migrant students are English learners", 100*share)
	}
	levels := map[string]int{}
	for _, a := range st.Extract.Assessments {
		levels[a.Subject+" "+a.Level]++
		grade := ""
		for _, e := range ix.enrollments[a.StateID] {
			if e.Start <= a.TestDate && (e.End.IsZero() || e.End >= a.TestDate) && e.ServiceType == "P" {
				grade = e.Grade
			}
		}
		if !testedGrades[grade] {
			t.Fatalf("student %s tested on %s in grade %q", a.StateID, a.TestDate, grade)
		}
	}
	for _, s := range []string{"MATH", "READING"} {
		for _, l := range data.Levels() {
			if levels[s+" "+l] == 0 {
				t.Errorf("no %s result at level %s: %v", s, l, levels)
			}
		}
	}
}

func TestRecordsVary(t *testing.T) {
	st := state(t, 20000, 1)
	ix := index(st)
	perStudent := map[string]int{}
	var zeros, earlier, recent int
	for _, r := range st.Records {
		perStudent[r.StateID]++
		if r.MIS2000ID[0] == '0' {
			zeros++
		}
		if r.EED < data.DefaultExpiration(r.QAD, ix.students[r.StateID].BirthDate) {
			earlier++
		}
		if r.QAD > data.NewDate(2022, time.October, 15) {
			recent++
		}
	}
	two := 0
	for _, n := range perStudent {
		if n == 2 {
			two++
		}
	}
	if n := len(st.Records); n < 300 || n > 420 {
		t.Errorf("%d migrant records for 20000 students, want about 1.7%%", n)
	}
	if zeros == 0 || earlier == 0 || two < 5 || recent < len(st.Records)-two {
		t.Errorf("%d MIS2000 IDs with a leading zero, %d early expirations, %d students with two records, %d QADs in the last three years",
			zeros, earlier, two, recent)
	}
}

func TestUsers(t *testing.T) {
	st := state(t, 20000, 1)
	roles := map[string]int{}
	regions := map[string]bool{}
	multi := 0
	for _, u := range st.Users {
		roles[u.Role]++
		if u.Role == data.RoleClerk {
			regions[u.RegionCode] = true
		}
		if len(u.Districts) == 2 {
			multi++
		}
	}
	if roles[data.RoleStateAdmin] != 1 || len(regions) != 4 || roles[data.RoleDistrictAdmin] < 3 || roles[data.RoleCoordinator] < 5 || multi != 2 {
		t.Errorf("users by role %v, clerks of %d regions, %d coordinators of two districts", roles, len(regions), multi)
	}
	if st.Users[1].FullName != "Rosa Delgado" || st.Users[1].RegionCode != "C" {
		t.Errorf("Central's clerk is %+v", st.Users[1])
	}
}

// stateIndex looks a generated state up by key.
type stateIndex struct {
	students    map[string]data.Student
	schools     map[string]data.School
	districts   map[string]data.District
	enrollments map[string][]data.Enrollment
	home        map[string]string // district of the student's first enrollment
	migrant     map[string]bool
}

func index(st *State) stateIndex {
	ix := stateIndex{students: map[string]data.Student{}, schools: map[string]data.School{}, districts: map[string]data.District{},
		enrollments: map[string][]data.Enrollment{}, home: map[string]string{}, migrant: map[string]bool{}}
	for _, s := range st.Extract.Students {
		ix.students[s.StateID] = s
	}
	for _, s := range st.Extract.Schools {
		ix.schools[s.Number] = s
	}
	for _, d := range st.Extract.Districts {
		ix.districts[d.Number] = d
	}
	for _, e := range st.Extract.Enrollments {
		ix.enrollments[e.StateID] = append(ix.enrollments[e.StateID], e)
		if ix.home[e.StateID] == "" {
			ix.home[e.StateID] = ix.schools[e.SchoolNumber].DistrictNumber
		}
	}
	for _, r := range st.Records {
		ix.migrant[r.StateID] = true
	}
	return ix
}

// Whatever day of the year the data is made on, it keeps the rules:
// summer, the first days of school, the spring test window.
func TestAnyDayOfTheYear(t *testing.T) {
	for day := data.NewDate(2025, time.June, 1); day < data.NewDate(2026, time.June, 15); day = day.AddDays(19) {
		st, err := Generate(Config{Students: 500, Seed: int64(day), Today: day})
		if err != nil {
			t.Fatalf("today %s: %v", day, err)
		}
		if err := checkExtract(st.Extract, day); err != nil {
			t.Errorf("today %s: %v", day, err)
		}
	}
}

// A migrant student's records are the clerk's of the region of their
// latest enrollment, where they are or were last; of a youth enrolled
// nowhere, of a region all the same. Students who moved between regions
// show the rule.
func TestRecordRegions(t *testing.T) {
	st := state(t, 20000, 1)
	ix := index(st)
	moved := 0
	for id := range ix.migrant {
		got := st.RecordRegions[id]
		es := ix.enrollments[id]
		if len(es) == 0 {
			if !slices.ContainsFunc(regionList, func(r data.Region) bool { return r.Code == got }) {
				t.Errorf("student %s, enrolled nowhere, is the clerk's of region %q", id, got)
			}
			continue
		}
		latest := slices.MaxFunc(es, func(a, b data.Enrollment) int { return int(a.Start - b.Start) }).Start
		var want, all []string
		for _, e := range es {
			r := ix.districts[ix.schools[e.SchoolNumber].DistrictNumber].RegionCode
			all = append(all, r)
			if e.Start == latest {
				want = append(want, r)
			}
		}
		if !slices.Contains(want, got) {
			t.Errorf("student %s, enrolled in %v, is the clerk's of region %q; want that of the latest enrollment, %v", id, all, got, want)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(all)))) > 1 {
			moved++
		}
	}
	if moved == 0 {
		t.Error("no migrant student was enrolled in two regions")
	}
}
