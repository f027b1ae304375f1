// Package importer reads the files that come into Migrant Desk from
// outside: the state enrollment extract (a folder of CSV files or one
// workbook), migrant records in bulk, and MIS2000 exports for the
// reconciliation. Every problem in the input is collected, with its file,
// line and column, so that a refused file can be fixed in one go.
package importer

import (
	"errors"
	"fmt"
	"io/fs"
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
	x, err := OpenExtract(path)
	if err != nil {
		return nil, err
	}
	defer x.Close()
	var ex data.Extract
	if err := x.Scan(&ex); err != nil {
		return nil, err
	}
	return &ex, nil
}

// Extract is a state extract opened for reading (see ReadExtract).
type Extract struct {
	src source
	// today is the day the extract is read on: a birth date after it is
	// refused. Tests set it.
	today data.Date
}

// OpenExtract opens the extract at path: a folder of CSV files or an
// .xlsx workbook.
func OpenExtract(path string) (x *Extract, err error) {
	defer recovered("opening the extract", &err)
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	return &Extract{src: src, today: data.Today()}, nil
}

// Close releases the extract's files.
func (x *Extract) Close() error { return x.src.close() }

// Scan reads and checks the extract and hands its rows to sink as it
// goes, each row once it is checked, so that no table is held whole: only
// the keys that later rows refer to are kept. Sink is called on the
// caller's goroutine; the reading runs on another, a few chunks of rows
// ahead (each chunk a data.Extract of a few hundred rows), so that on a
// machine with two cores reading and checking overlap with what sink
// does (writing to a database).
//
// Rows go to sink only while the extract has no problem; after the first,
// reading goes on to find every other one, and the error is a
// *ProblemList: sink has then seen part of the extract, which it must
// throw away. An error from sink stops the reading and is returned as is.
func (x *Extract) Scan(sink data.ExtractSink) error { return scan(x.src, x.today, sink) }

func scan(src source, today data.Date, sink data.ExtractSink) error {
	a := &ahead{full: make(chan *data.Extract, chunksAhead), free: make(chan *data.Extract, chunksAhead+2), stop: make(chan struct{})}
	for range chunksAhead + 2 {
		a.free <- new(data.Extract)
	}
	a.cur = <-a.free
	var readErr error
	go func() {
		defer close(a.full)
		// A panic here would end the program with a stack trace; as an
		// error it reaches the sink's caller, which writes nothing.
		defer recovered("reading the extract", &readErr)
		x := &extractReader{src: src, sink: a, today: today}
		x.read()
		if x.err == nil {
			x.err = a.send()
		}
		readErr = x.err
		if readErr == nil {
			readErr = x.probs.err()
		}
	}()
	var sinkErr error
	for c := range a.full {
		if sinkErr == nil {
			if sinkErr = c.Put(sink); sinkErr != nil {
				close(a.stop)
			}
		}
		reset(c)
		a.free <- c
	}
	if sinkErr != nil {
		return sinkErr
	}
	return readErr
}

// chunkRows is how many rows go from the reader to the sink at a time,
// and chunksAhead how many chunks the reader may fill before the sink
// takes them.
const (
	chunkRows   = 512
	chunksAhead = 4
)

// reset empties a chunk for reuse, letting go of the rows' strings.
func reset(c *data.Extract) {
	c.Regions = clearSlice(c.Regions)
	c.Districts = clearSlice(c.Districts)
	c.Schools = clearSlice(c.Schools)
	c.Students = clearSlice(c.Students)
	c.Enrollments = clearSlice(c.Enrollments)
	c.Programs = clearSlice(c.Programs)
	c.Assessments = clearSlice(c.Assessments)
	c.Without = clearSlice(c.Without)
}

func clearSlice[T any](s []T) []T {
	clear(s)
	return s[:0]
}

// ahead is the reader's sink when Scan reads ahead: it fills chunks and
// passes them on full.
type ahead struct {
	full, free chan *data.Extract
	stop       chan struct{} // closed when the sink has failed
	cur        *data.Extract
	n          int // rows in cur
}

// errStopped stops the reader once the sink has failed.
var errStopped = errors.New("the rows read are no longer taken")

func (a *ahead) Region(r data.Region) error {
	a.cur.Region(r)
	return a.added()
}

func (a *ahead) District(d data.District) error {
	a.cur.District(d)
	return a.added()
}

func (a *ahead) School(s data.School) error {
	a.cur.School(s)
	return a.added()
}

func (a *ahead) Student(s data.Student) error {
	a.cur.Student(s)
	return a.added()
}

func (a *ahead) Enrollment(e data.Enrollment) error {
	a.cur.Enrollment(e)
	return a.added()
}

func (a *ahead) Program(p data.Program) error {
	a.cur.Program(p)
	return a.added()
}

func (a *ahead) Assessment(as data.Assessment) error {
	a.cur.Assessment(as)
	return a.added()
}

// Absent counts as a row, so that a chunk that carries nothing else still
// goes to the sink.
func (a *ahead) Absent(table string) error {
	a.cur.Absent(table)
	return a.added()
}

// added counts a row put in the current chunk, which goes once full.
func (a *ahead) added() error {
	if a.n++; a.n < chunkRows {
		return nil
	}
	return a.send()
}

// send passes the current chunk on and takes an empty one.
func (a *ahead) send() error {
	if a.n == 0 {
		return nil
	}
	select {
	case a.full <- a.cur:
	case <-a.stop:
		return errStopped
	}
	select {
	case a.cur = <-a.free:
	case <-a.stop:
		return errStopped
	}
	a.n = 0
	return nil
}

func openSource(path string) (source, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("there is no folder or workbook at %s: name the state extract's folder of CSV files or its .xlsx workbook", path)
	}
	if err != nil {
		return nil, fmt.Errorf("read the state extract: %w", err)
	}
	switch {
	case info.IsDir():
		return openFolder(path)
	case strings.EqualFold(filepath.Ext(path), ".xlsx"):
		return openWorkbook(path, MaxUnzippedBytes)
	}
	return nil, fmt.Errorf("the state extract %s is neither a folder of CSV files nor an .xlsx workbook", path)
}

// ref is a key already read: its ordinal in its table, and the row it is
// on, for the message about a duplicate.
type ref struct {
	i, line int32
}

// extractReader reads the tables of one extract in order. A key map is
// nil while its table could not be read; references to it are then not
// checked, since the missing table is already reported.
type extractReader struct {
	src   source
	sink  data.ExtractSink
	err   error // from sink: reading stops
	probs ProblemList
	today data.Date // no student is born after it

	regions   map[string]ref
	districts map[string]ref
	schools   map[string]ref
	students  map[string]ref

	// studentIDs are the students' keys in the order read (a key's
	// ref.i is its place here), and near the place of the student last
	// found. An extract lists the enrollments, programs and assessments
	// of a student together, and mostly in the students' own order, so
	// a look-up is most often of that student or the next: found here,
	// not by a random access into a map of 700,000 keys, which was a
	// fifth of reading a state extract.
	studentIDs []string
	near       int
}

func (x *extractReader) read() {
	x.table("regions", regionColumns, false, x.readRegions)
	x.table("districts", districtColumns, false, x.readDistricts)
	x.table("schools", schoolColumns, false, x.readSchools)
	x.table("students", studentColumns, false, x.readStudents)
	x.table("enrollments", enrollmentColumns, false, x.readEnrollments)
	x.table(data.TablePrograms, programColumns, true, x.readPrograms)
	x.table(data.TableAssessments, assessmentColumns, true, x.readAssessments)
}

// table opens one table and hands it to read; an optional table may be
// absent, which the sink hears, since its stored rows are then kept
// rather than replaced.
func (x *extractReader) table(name string, cols []string, optional bool, read func(*table)) {
	if x.err != nil {
		return
	}
	rs, at, ragged, err := x.src.open(name)
	if err != nil {
		if optional && errors.Is(err, os.ErrNotExist) {
			emit(x, x.sink.Absent, name)
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

// next moves to the next record of t, unless the sink has failed.
func (x *extractReader) next(t *table) bool {
	return x.err == nil && t.next()
}

// emit hands a checked row to put while the extract has no problem.
func emit[T any](x *extractReader, put func(T) error, row T) {
	if x.err == nil && x.probs.Len() == 0 {
		x.err = put(row)
	}
}

// lookup finds key in keys, reporting in column c a key that is not there.
// It returns the key's ordinal, or -1.
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
// duplicate or a blank key. The map keeps a copy of the key, so that it
// does not hold on to the whole record the key was cut from.
func add(t *table, c int, keys map[string]ref, key string) bool {
	_, ok := keep(t, c, keys, key)
	return ok
}

// keep is add, returning the copy of the key that the map keeps.
func keep(t *table, c int, keys map[string]ref, key string) (string, bool) {
	if key == "" {
		return "", false
	}
	if prev, dup := keys[key]; dup {
		t.fail(c, fmt.Sprintf("%s %s is also on %s %d", t.cols[c], key, t.lineWord(), prev.line))
		return "", false
	}
	kept := strings.Clone(key)
	keys[kept] = ref{int32(len(keys)), int32(t.line(-1))}
	return kept, true
}

const (
	rCode = iota
	rName
)

func (x *extractReader) readRegions(t *table) {
	x.regions = map[string]ref{}
	for x.next(t) {
		r := data.Region{Code: t.required(rCode), Name: t.required(rName)}
		if add(t, rCode, x.regions, r.Code) {
			emit(x, x.sink.Region, r)
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
	for x.next(t) {
		d := data.District{Number: t.required(dNumber), Name: t.required(dName), RegionCode: t.required(dRegion)}
		x.lookup(t, dRegion, x.regions, d.RegionCode, "regions")
		if add(t, dNumber, x.districts, d.Number) {
			emit(x, x.sink.District, d)
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
	for x.next(t) {
		s := data.School{Number: t.required(scNumber), DistrictNumber: t.required(scDistrict),
			Name: t.required(scName), Classification: t.get(scClass)}
		x.lookup(t, scDistrict, x.districts, s.DistrictNumber, "districts")
		if add(t, scNumber, x.schools, s.Number) {
			emit(x, x.sink.School, s)
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
	x.students = make(map[string]ref, t.expect(40))
	x.studentIDs = make([]string, 0, t.expect(40))
	for x.next(t) {
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
		// A year mistyped (2102 for 2012) is a valid date; stored, it
		// would refuse every migrant record of the student as before
		// the birth date.
		if s.BirthDate > x.today {
			t.fail(stBirth, fmt.Sprintf("the birth date %s is after today (%s); check the year", s.BirthDate, x.today))
		}
		if id, ok := keep(t, stID, x.students, s.StateID); ok {
			x.studentIDs = append(x.studentIDs, id)
			emit(x, x.sink.Student, s)
		}
	}
}

// student returns the state ID in column c and its ordinal among the
// students (-1 when not found).
func (x *extractReader) student(t *table, c int) (string, int32) {
	id := t.required(c)
	for i := x.near; i < min(x.near+2, len(x.studentIDs)); i++ {
		if x.studentIDs[i] == id {
			x.near = i
			return id, int32(i)
		}
	}
	i := x.lookup(t, c, x.students, id, "students")
	if i >= 0 {
		x.near = int(i)
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
	ids := make(map[string]ref, t.expect(40))
	for x.next(t) {
		e := data.Enrollment{
			ID:           t.required(eID),
			SchoolNumber: t.required(eSchool),
			Grade:        t.grade(eGrade),
			ServiceType:  t.code(eService, serviceTypes, "a service type: P, S or N"),
			Start:        t.date(eStart, true),
			End:          t.date(eEnd, false),
		}
		e.StateID, _ = x.student(t, eStudent)
		x.lookup(t, eSchool, x.schools, e.SchoolNumber, "schools")
		t.checkPeriod(eEnd, e.Start, e.End)
		if add(t, eID, ids, e.ID) {
			emit(x, x.sink.Enrollment, e)
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
		t.missing(c)
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
	for x.next(t) {
		p := data.Program{Start: t.date(pStart, true), End: t.date(pEnd, false)}
		p.StateID, _ = x.student(t, pStudent)
		p.Program, p.Code = t.program()
		t.checkPeriod(pEnd, p.Start, p.End)
		emit(x, x.sink.Program, p)
	}
}

// program reads the program name and its code.
func (t *table) program() (string, string) {
	name, code := t.get(pProgram), t.get(pCode)
	if name == "" {
		t.missing(pProgram)
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
	seen := make(map[uint64]int32, t.expect(30))
	for x.next(t) {
		a := data.Assessment{
			Subject:  t.code(aSubject, subjects, "a subject: MATH or READING"),
			TestDate: t.date(aDate, true),
		}
		var i int32
		a.StateID, i = x.student(t, aStudent)
		if lv := t.get(aLevel); lv == "" {
			t.missing(aLevel)
		} else if l, err := data.NormalizeLevel(lv); err != nil {
			t.fail(aLevel, err.Error())
		} else {
			a.Level = l
		}
		if i < 0 || a.Subject == "" || a.TestDate.IsZero() {
			emit(x, x.sink.Assessment, a)
			continue
		}
		key := uint64(i)<<26 | uint64(oneIf(a.Subject == data.SubjectReading))<<25 | uint64(a.TestDate)
		if prev, dup := seen[key]; dup {
			t.fail(aDate, fmt.Sprintf("the %s test of %s on %s is also on %s %d", a.Subject, a.StateID, a.TestDate, t.lineWord(), prev))
			continue
		}
		seen[key] = int32(t.line(-1))
		emit(x, x.sink.Assessment, a)
	}
}

func oneIf(b bool) int {
	if b {
		return 1
	}
	return 0
}
