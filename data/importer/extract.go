// Package importer reads the files that come into Migrant Desk from
// outside: the state enrollment extract (a folder of CSV files or one
// workbook), migrant records in bulk, and MIS2000 exports for the
// reconciliation. Every problem in the input is collected, with its file,
// line and column, so that a refused file can be fixed in one go.
package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"migrantdesk/data"
)

// The tables of an extract and their columns (SPEC §6), in reading order:
// each table refers only to tables read before it.
var (
	regionColumns     = []string{"region_code", "region_name"}
	districtColumns   = []string{"district_number", "district_name", "region_code"}
	schoolColumns     = []string{"school_number", "district_number", "school_name", "classification"}
	studentColumns    = []string{"state_id", "local_student_number", "last_name", "first_name", "middle_name", "birth_date", "gender", "race_ethnicity"}
	enrollmentColumns = []string{"enrollment_id", "state_id", "school_number", "grade", "service_type", "start_date", "end_date"}
	programColumns    = []string{"state_id", "program", "code", "start_date", "end_date"}
	assessmentColumns = []string{"state_id", "subject", "test_date", "performance_level"}
)

// ReadExtract reads and checks a state enrollment extract: path is a
// folder of CSV files (regions.csv, districts.csv, schools.csv,
// students.csv, enrollments.csv, and optionally programs.csv and
// assessments.csv) or an .xlsx workbook with a sheet of each name.
//
// An extract with any problem is refused as a whole: the error is then a
// *ProblemList with every problem found.
func ReadExtract(path string) (*data.Extract, error) {
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.close()
	x := &extractReader{src: src}
	x.read()
	if err := x.probs.err(); err != nil {
		return nil, err
	}
	return &x.ex, nil
}

func openSource(path string) (source, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read the state extract: %w", err)
	}
	switch {
	case info.IsDir():
		return openFolder(path)
	case strings.EqualFold(filepath.Ext(path), ".xlsx"):
		return openWorkbook(path)
	}
	return nil, fmt.Errorf("the state extract %s is neither a folder of CSV files nor an .xlsx workbook", path)
}

// ref is a key already read: the row it is on, for the message about a
// duplicate, and its index in the extract, so that rows referring to it
// share its string instead of keeping their own copy.
type ref struct {
	i, line int32
}

// extractReader reads the tables of one extract in order. A key map is
// nil while its table could not be read; references to it are then not
// checked, since the missing table is already reported.
type extractReader struct {
	src   source
	ex    data.Extract
	probs ProblemList

	regions   map[string]ref
	districts map[string]ref
	schools   map[string]ref
	students  map[string]ref
}

func (x *extractReader) read() {
	x.table("regions", regionColumns, false, x.readRegions)
	x.table("districts", districtColumns, false, x.readDistricts)
	x.table("schools", schoolColumns, false, x.readSchools)
	x.table("students", studentColumns, false, x.readStudents)
	x.table("enrollments", enrollmentColumns, false, x.readEnrollments)
	x.table("programs", programColumns, true, x.readPrograms)
	x.table("assessments", assessmentColumns, true, x.readAssessments)
}

// table opens one table and hands it to read; an optional table may be
// absent.
func (x *extractReader) table(name string, cols []string, optional bool, read func(*table)) {
	rs, at, ragged, err := x.src.open(name)
	if err != nil {
		if optional && errors.Is(err, os.ErrNotExist) {
			return
		}
		at.Msg = err.Error()
		x.probs.add(at)
		return
	}
	defer rs.close()
	if t := openTable(rs, at, cols, ragged, &x.probs); t != nil {
		read(t)
	}
}

// lookup finds key in keys, reporting in column c a key that is not there.
// It returns the index of the key's row, or -1.
func (x *extractReader) lookup(t *table, c int, keys map[string]ref, key, in string) int32 {
	if key == "" || keys == nil {
		return -1
	}
	r, ok := keys[key]
	if !ok {
		t.fail(c, fmt.Sprintf("%s %s is not in %s", t.cols[c], key, x.src.label(in)))
		return -1
	}
	return r.i
}

// add records a new key, or reports it as a duplicate; false for a
// duplicate or a blank key.
func add(t *table, c int, keys map[string]ref, key string, i int) bool {
	if key == "" {
		return false
	}
	if prev, dup := keys[key]; dup {
		t.fail(c, fmt.Sprintf("%s %s is also on %s %d", t.cols[c], key, t.lineWord(), prev.line))
		return false
	}
	keys[key] = ref{int32(i), int32(t.line(-1))}
	return true
}

const (
	rCode = iota
	rName
)

func (x *extractReader) readRegions(t *table) {
	x.regions = map[string]ref{}
	for t.next() {
		r := data.Region{Code: t.required(rCode), Name: t.required(rName)}
		if add(t, rCode, x.regions, r.Code, len(x.ex.Regions)) {
			x.ex.Regions = append(x.ex.Regions, r)
		}
	}
}

const (
	dNumber = iota
	dName
	dRegion
)

func (x *extractReader) readDistricts(t *table) {
	x.districts = map[string]ref{}
	for t.next() {
		d := data.District{Number: t.required(dNumber), Name: t.required(dName), RegionCode: t.required(dRegion)}
		if i := x.lookup(t, dRegion, x.regions, d.RegionCode, "regions"); i >= 0 {
			d.RegionCode = x.ex.Regions[i].Code
		}
		if add(t, dNumber, x.districts, d.Number, len(x.ex.Districts)) {
			x.ex.Districts = append(x.ex.Districts, d)
		}
	}
}

const (
	scNumber = iota
	scDistrict
	scName
	scClass
)

func (x *extractReader) readSchools(t *table) {
	x.schools = map[string]ref{}
	for t.next() {
		s := data.School{Number: t.required(scNumber), DistrictNumber: t.required(scDistrict),
			Name: t.required(scName), Classification: t.get(scClass)}
		if i := x.lookup(t, scDistrict, x.districts, s.DistrictNumber, "districts"); i >= 0 {
			s.DistrictNumber = x.ex.Districts[i].Number
		}
		if add(t, scNumber, x.schools, s.Number, len(x.ex.Schools)) {
			x.ex.Schools = append(x.ex.Schools, s)
		}
	}
}

const (
	stID = iota
	stLocal
	stLast
	stFirst
	stMiddle
	stBirth
	stGender
	stRace
)

func (x *extractReader) readStudents(t *table) {
	n := t.expect(40)
	x.students = make(map[string]ref, n)
	x.ex.Students = make([]data.Student, 0, n)
	for t.next() {
		s := data.Student{
			StateID:     t.required(stID),
			LocalNumber: t.get(stLocal),
			LastName:    t.required(stLast),
			FirstName:   t.required(stFirst),
			MiddleName:  t.get(stMiddle),
			BirthDate:   t.date(stBirth, true),
			Gender:      t.code(stGender, data.Genders(), "a gender code: F, M or X"),
			Race:        t.code(stRace, data.RaceCodes(), "a race/ethnicity code from 1 to 7"),
		}
		if add(t, stID, x.students, s.StateID, len(x.ex.Students)) {
			x.ex.Students = append(x.ex.Students, s)
		}
	}
}

// student returns the state ID in column c as the students table has it,
// and its index there (-1 when not found).
func (x *extractReader) student(t *table, c int) (string, int32) {
	id := t.required(c)
	i := x.lookup(t, c, x.students, id, "students")
	if i >= 0 {
		id = x.ex.Students[i].StateID
	}
	return id, i
}

var serviceTypes = []string{data.ServicePrimary, data.ServiceSecondary, data.ServiceSpecialEd}

const (
	eID = iota
	eStudent
	eSchool
	eGrade
	eService
	eStart
	eEnd
)

func (x *extractReader) readEnrollments(t *table) {
	n := t.expect(40)
	ids := make(map[string]ref, n)
	x.ex.Enrollments = make([]data.Enrollment, 0, n)
	for t.next() {
		e := data.Enrollment{
			ID:           t.required(eID),
			SchoolNumber: t.required(eSchool),
			Grade:        t.grade(eGrade),
			ServiceType:  t.code(eService, serviceTypes, "a service type: P, S or N"),
			Start:        t.date(eStart, true),
			End:          t.date(eEnd, false),
		}
		e.StateID, _ = x.student(t, eStudent)
		if i := x.lookup(t, eSchool, x.schools, e.SchoolNumber, "schools"); i >= 0 {
			e.SchoolNumber = x.ex.Schools[i].Number
		}
		t.checkPeriod(eEnd, e.Start, e.End)
		if add(t, eID, ids, e.ID, len(x.ex.Enrollments)) {
			x.ex.Enrollments = append(x.ex.Enrollments, e)
		}
	}
}

// grades maps each grade code to one shared copy of it.
var grades = func() map[string]string {
	m := map[string]string{}
	for _, g := range append([]string{"PS", "97", "98", "99", "14", "OSY"}, data.Grades()...) {
		m[g] = g
	}
	return m
}()

// grade reads column c as a grade code.
func (t *table) grade(c int) string {
	v := t.get(c)
	if v == "" {
		t.fail(c, "the value is missing")
		return ""
	}
	g, err := data.NormalizeGrade(v)
	if err != nil {
		t.fail(c, err.Error())
		return ""
	}
	return grades[g]
}

// checkPeriod reports an end date (in column c) before its start date.
func (t *table) checkPeriod(c int, start, end data.Date) {
	if !start.IsZero() && !end.IsZero() && end < start {
		t.fail(c, fmt.Sprintf("the end date %s is before the start date %s", end, start))
	}
}

var (
	programs  = []string{data.ProgramFRAM, data.ProgramHomeless, data.ProgramEL, data.ProgramIEP}
	mealCodes = []string{data.MealsFree, data.MealsReduced, data.MealsPaid}
	subjects  = []string{data.SubjectMath, data.SubjectReading}
)

const (
	pStudent = iota
	pProgram
	pCode
	pStart
	pEnd
)

func (x *extractReader) readPrograms(t *table) {
	x.ex.Programs = make([]data.Program, 0, t.expect(30))
	for t.next() {
		p := data.Program{Start: t.date(pStart, true), End: t.date(pEnd, false)}
		p.StateID, _ = x.student(t, pStudent)
		p.Program, p.Code = t.program()
		t.checkPeriod(pEnd, p.Start, p.End)
		x.ex.Programs = append(x.ex.Programs, p)
	}
}

// program reads the program name and its code.
func (t *table) program() (string, string) {
	name, code := t.get(pProgram), t.get(pCode)
	if name == "" {
		t.fail(pProgram, "the value is missing")
		return "", ""
	}
	if p := oneOf(name, programs); p != "" {
		name = p
	}
	if c := oneOf(code, mealCodes); c != "" {
		code = c
	}
	if err := data.ValidateProgram(name, code); err != nil {
		c := pCode
		if oneOf(name, programs) == "" {
			c = pProgram
		}
		t.fail(c, err.Error())
		return "", ""
	}
	return name, code
}

const (
	aStudent = iota
	aSubject
	aDate
	aLevel
)

func (x *extractReader) readAssessments(t *table) {
	// One test per student, subject and day; the key packs the three
	// into a number: Date needs 25 bits, the subject one.
	n := t.expect(30)
	seen := make(map[uint64]int32, n)
	x.ex.Assessments = make([]data.Assessment, 0, n)
	for t.next() {
		a := data.Assessment{
			Subject:  t.code(aSubject, subjects, "a subject: MATH or READING"),
			TestDate: t.date(aDate, true),
		}
		var i int32
		a.StateID, i = x.student(t, aStudent)
		if lv := t.get(aLevel); lv == "" {
			t.fail(aLevel, "the value is missing")
		} else if l, err := data.NormalizeLevel(lv); err != nil {
			t.fail(aLevel, err.Error())
		} else {
			a.Level = l
		}
		if i < 0 || a.Subject == "" || a.TestDate.IsZero() {
			x.ex.Assessments = append(x.ex.Assessments, a)
			continue
		}
		key := uint64(i)<<26 | uint64(oneIf(a.Subject == data.SubjectReading))<<25 | uint64(a.TestDate)
		if prev, dup := seen[key]; dup {
			t.fail(aDate, fmt.Sprintf("the %s test of %s on %s is also on %s %d", a.Subject, a.StateID, a.TestDate, t.lineWord(), prev))
			continue
		}
		seen[key] = int32(t.line(-1))
		x.ex.Assessments = append(x.ex.Assessments, a)
	}
}

func oneIf(b bool) int {
	if b {
		return 1
	}
	return 0
}
