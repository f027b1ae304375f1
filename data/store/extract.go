package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"migrantdesk/data"
)

// ExtractCounts says how many rows of each kind an import wrote.
type ExtractCounts struct {
	Regions, Districts, Schools, Students, Enrollments, Programs, Assessments int
	// ProgramsKept and AssessmentsKept say that the extract does not
	// carry that optional table: the rows stored for it were kept as
	// they were.
	ProgramsKept, AssessmentsKept bool
	// Moved are the enrollments the extract gives to another student
	// than the one the database had them under, by enrollment ID.
	Moved []MovedEnrollment
}

// MovedEnrollment is an enrollment ID that the extract gives to another
// student (To) than the database had it under (From). The extract is the
// state's record, and a student's records merged under another state ID
// moves their enrollments so: the import takes it, but says so, since an
// ID reused by mistake for another student moves that student's
// enrollment, and with it which districts see their migrant records.
type MovedEnrollment struct {
	ID, From, To string
}

// shownMoves is how many moved enrollments an import's summary names.
const shownMoves = 20

func (c ExtractCounts) String() string {
	return fmt.Sprintf("%d regions, %d districts, %d schools, %d students, %d enrollments, %d program rows, %d assessments",
		c.Regions, c.Districts, c.Schools, c.Students, c.Enrollments, c.Programs, c.Assessments)
}

// Logged is what the audit log says of an import: the counts, the
// tables whose stored rows were kept, and the enrollments moved to
// another student.
func (c ExtractCounts) Logged() string {
	notes := strings.TrimSpace(c.KeptText() + " " + c.MovedText())
	if notes != "" {
		return c.String() + ". " + notes
	}
	return c.String()
}

// MovedText says which enrollments the import gave to another student
// (the first shownMoves of them, and how many more), or "" when none.
func (c ExtractCounts) MovedText() string {
	if len(c.Moved) == 0 {
		return ""
	}
	names := make([]string, 0, min(len(c.Moved), shownMoves)+1)
	for _, m := range c.Moved[:min(len(c.Moved), shownMoves)] {
		names = append(names, fmt.Sprintf("%s from student %s to student %s", m.ID, m.From, m.To))
	}
	if more := len(c.Moved) - shownMoves; more > 0 {
		names = append(names, fmt.Sprintf("and %s more", data.Thousands(more)))
	}
	them := "them"
	if len(c.Moved) == 1 {
		them = "it"
	}
	return fmt.Sprintf("The extract gives %s to another student than before, under the same enrollment_id: %s. "+
		"Check %s in the state's system if a student's records were not merged there.",
		data.Count(len(c.Moved), "enrollment"), strings.Join(names, "; "), them)
}

// keep notes that the extract does not carry the optional table, and
// returns its place in the load's order.
func (c *ExtractCounts) keep(table string) (int, error) {
	switch table {
	case data.TablePrograms:
		c.ProgramsKept = true
		return tabPrograms, nil
	case data.TableAssessments:
		c.AssessmentsKept = true
		return tabAssessments, nil
	}
	return 0, fmt.Errorf("the extract has no %s, which it must carry", table)
}

// KeptText says, a sentence for each table kept, that the extract
// lacks it and its stored rows stay: a clerk who meant to replace them
// learns which file is missing (often saved under another name). It is
// "" when the extract carried them all.
func (c ExtractCounts) KeptText() string {
	var b []string
	if c.ProgramsKept {
		b = append(b, "The extract has no programs.csv (or programs sheet): no program row is imported, "+
			"and the program rows stored are kept as they were.")
	}
	if c.AssessmentsKept {
		b = append(b, "The extract has no assessments.csv (or assessments sheet): no assessment is imported, "+
			"and the assessments stored are kept as they were.")
	}
	return strings.Join(b, " ")
}

// ImportExtract writes a validated state extract held in memory: see
// LoadExtract.
func (s *Store) ImportExtract(ctx context.Context, ex *data.Extract, user string) (ExtractCounts, error) {
	return s.LoadExtract(ctx, data.Operator(user), func(l *ExtractLoad) error { return ex.Put(l) })
}

// LoadExtract writes a state extract in one transaction: all of it or, on
// any error, none of it. fill hands the extract's rows to the load as it
// reads them, table by table (regions, districts, schools, students,
// enrollments, programs, assessments), so that the extract need not be
// held whole; an error from fill rolls everything back and is returned
// wrapped.
//
// Regions, districts, schools, students and enrollments are updated by
// their natural keys. For each student the extract lists, the extract is
// the truth about that student's enrollments, programs and assessments:
// rows it no longer has are removed. Students it does not list, and
// everything entered in the app (migrant records, publishes, users), are
// kept as they are.
//
// u, as the database has them (decideAs), must be allowed to load it
// into this database (data.User.MayImportExtract): never into one that
// syncs with a hub, whose extract is the hub's.
func (s *Store) LoadExtract(ctx context.Context, u data.User, fill func(*ExtractLoad) error) (ExtractCounts, error) {
	var c ExtractCounts
	if err := s.mayImport(ctx, u); err != nil {
		return c, fmt.Errorf("import the state extract: %w", err)
	}
	user := u.Username
	// The settings are made on the writer's one connection, held for
	// the load, so that no other write runs with them in between.
	conn, err := s.writer(ctx)
	if err != nil {
		return c, fmt.Errorf("import the state extract: %w", err)
	}
	defer conn.Close()
	raw := holdRaw(ctx, conn)
	defer raw.release()
	pragmas := bulkPragmas
	// Into an empty database, every reference of an extract is to a row
	// of the same extract, which the importer has checked against the
	// keys it read (lookup), as the demo generator makes them: SQLite's
	// own check looked each one up again in the students' or schools'
	// index, millions of seeks. The pragma does nothing inside a
	// transaction, so it is set before; should another process import
	// in between, this load still writes only rows whose references the
	// importer checked.
	var empty bool
	if err := conn.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM students)`).Scan(&empty); err != nil {
		return c, fmt.Errorf("import the state extract: %w", err)
	}
	if empty {
		pragmas = append(slices.Clip(pragmas), `PRAGMA foreign_keys = OFF`)
		defer conn.ExecContext(context.Background(), `PRAGMA foreign_keys = ON`)
	}
	if err := setPragmas(ctx, conn, pragmas); err != nil {
		return c, fmt.Errorf("import the state extract: %w", err)
	}
	defer setPragmas(context.Background(), conn, usualPragmas)
	err = s.writeOn(ctx, conn, func(tx *sql.Tx) error {
		// Asked again, now for u as the database has them: the check
		// above refuses a database that syncs before holding the writer.
		if err := decideAs(tx, u, func(now data.User) error { return s.mayImport(ctx, now) }); err != nil {
			return err
		}
		l, err := startLoad(ctx, tx, raw)
		if err != nil {
			return err
		}
		err = fill(l)
		if err == nil {
			err = l.end()
		}
		if err != nil {
			l.abandon()
			return err
		}
		c = l.counts
		if err := setMeta(tx, MetaImported, s.timestamp()); err != nil {
			return err
		}
		if err := setMeta(tx, MetaImportID, uuid.NewString()); err != nil {
			return err
		}
		return s.audit(tx, user, "import extract", "extract", "", "", c.Logged())
	})
	if err != nil {
		return ExtractCounts{}, fmt.Errorf("import the state extract: %w", err)
	}
	// The copies stay, but what the districts' windows show of their
	// students (schools, grades, withdrawals) may have changed anywhere.
	s.changedDistricts(nil, true)
	return c, nil
}

// mayImport decides whether u may load the state extract into this
// database, from what the database says of itself: the hub it syncs
// with, and whether the state lets clerks load it.
func (s *Store) mayImport(ctx context.Context, u data.User) error {
	id, synced, err := s.Identity(ctx)
	if err != nil {
		return err
	}
	clerks, err := s.Meta(ctx, MetaClerksImport)
	if err != nil {
		return err
	}
	p := data.ImportPolicy{ClerksImport: clerks == "1"}
	if synced {
		p.Hub = id.HubURL
	}
	return u.MayImportExtract(p)
}

// bulkPragmas set the writer up for millions of rows (an extract import,
// a first sync), and usualPragmas back. With SQLite's 2 MB default page
// cache such a write keeps evicting and rereading the pages it is
// filling: the cache grows for the bulk write only, so the app's memory
// stays small. Building an index after the load sorts its keys: helper
// threads share the sort, and its runs spill to temp files rather than
// memory.
var (
	bulkPragmas  = []string{loadCache, `PRAGMA threads = 2`, `PRAGMA temp_store = FILE`}
	usualPragmas = []string{`PRAGMA cache_size = -2000`, `PRAGMA threads = 0`, `PRAGMA temp_store = MEMORY`}
)

// loadCache is the page cache of a bulk write.
const loadCache = `PRAGMA cache_size = -65536`

// setPragmas runs the pragmas on the writer's connection (db, the pool
// of that one connection, or the connection held).
func setPragmas(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, pragmas []string) error {
	for _, p := range pragmas {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// The tables of an extract in the order they are loaded.
const (
	tabRegions = iota
	tabDistricts
	tabSchools
	tabStudents
	tabEnrollments
	tabPrograms
	tabAssessments
	tabDone
)

var extractTables = [tabDone]struct {
	what, insert, conflict string
	cols                   int
}{
	{"regions", `INSERT INTO regions(code, name)`, `ON CONFLICT(code) DO UPDATE SET name = excluded.name`, 2},
	{"districts", `INSERT INTO districts(number, name, region_code)`,
		`ON CONFLICT(number) DO UPDATE SET name = excluded.name, region_code = excluded.region_code`, 3},
	{"schools", `INSERT INTO schools(number, district_number, name, classification, public)`,
		`ON CONFLICT(number) DO UPDATE SET district_number = excluded.district_number, name = excluded.name,
			classification = excluded.classification, public = excluded.public`, 5},
	{"students", `INSERT INTO students(state_id, local_number, last_name, first_name, middle_name,
			birth_date, gender, race, last_key, first_key, sort_key)`,
		`ON CONFLICT(state_id) DO UPDATE SET local_number = excluded.local_number, last_name = excluded.last_name,
			first_name = excluded.first_name, middle_name = excluded.middle_name, birth_date = excluded.birth_date,
			gender = excluded.gender, race = excluded.race, last_key = excluded.last_key, first_key = excluded.first_key,
			sort_key = excluded.sort_key`, 11},
	{"enrollments", `INSERT INTO enrollments(id, state_id, school_number, grade, service_type, start_date, end_date)`,
		`ON CONFLICT(id) DO UPDATE SET state_id = excluded.state_id, school_number = excluded.school_number,
			grade = excluded.grade, service_type = excluded.service_type, start_date = excluded.start_date,
			end_date = excluded.end_date`, 7},
	{"programs", `INSERT INTO programs(state_id, program, code, start_date, end_date)`, "", 5},
	{"assessments", `INSERT INTO assessments(state_id, subject, test_date, performance_level)`,
		`ON CONFLICT(state_id, subject, test_date) DO UPDATE SET performance_level = excluded.performance_level`, 4},
}

// ExtractLoad is an import in progress (see LoadExtract): the sink that
// takes the rows of each table of the extract in turn and writes them in
// batches. A row of a table before the current one is an error.
type ExtractLoad struct {
	ctx    context.Context
	tx     *sql.Tx
	raw    *rawConn // tx's connection, for the inserts; nil: through tx
	at     int      // the table rows go to
	rows   *batch   // its insert
	counts ExtractCounts

	// A first import, or a re-import that lists most of the students,
	// writes into tables without their secondary indexes and builds
	// them afterwards, which sorts each index's keys once instead of
	// inserting them one by one all over the index; it builds the search
	// index of every student. Otherwise it replaces the rows of the
	// students it lists, and their search index, through the indexes.
	first   bool
	whole   bool
	dropped []index  // to build again at the end
	listed  []string // the state IDs of a re-import's students
	temp    bool     // temp.listed exists
	// temp.enrolled_before, and its trigger, exist: the student each
	// enrollment a re-import replaces or updates had before it.
	enrolledBefore bool

	absent [tabDone]bool // the optional tables the extract does not carry

	// A first import's search index is of the extract's rows alone: what
	// it is made of is packed as they are written (see packSQL), not read
	// back once they are.
	packed     [2]strings.Builder // students, enrollments
	districtOf map[string]string  // school number -> district number
}

var _ data.ExtractSink = (*ExtractLoad)(nil)

func startLoad(ctx context.Context, tx *sql.Tx, raw *rawConn) (*ExtractLoad, error) {
	l := &ExtractLoad{ctx: ctx, tx: tx, raw: raw, at: -1}
	if err := tx.QueryRowContext(ctx, `SELECT NOT EXISTS (SELECT 1 FROM students)`).Scan(&l.first); err != nil {
		return nil, err
	}
	if l.first {
		l.whole = true
		l.districtOf = map[string]string{}
		return l, l.dropIndexes("regions", "districts", "schools", "students", "enrollments", "programs",
			"assessments", "name_tokens", "district_students")
	}
	return l, nil
}

// Region, District, School, Student, Enrollment, Program and Assessment
// write one row of their table.

func (l *ExtractLoad) Region(r data.Region) error {
	if err := l.to(tabRegions); err != nil {
		return err
	}
	l.counts.Regions++
	return l.rows.addTexts(r.Code, r.Name)
}

func (l *ExtractLoad) District(d data.District) error {
	if err := l.to(tabDistricts); err != nil {
		return err
	}
	l.counts.Districts++
	return l.rows.addTexts(d.Number, d.Name, d.RegionCode)
}

func (l *ExtractLoad) School(sc data.School) error {
	if err := l.to(tabSchools); err != nil {
		return err
	}
	l.counts.Schools++
	public := int64(0)
	if sc.Public() {
		public = 1
	}
	if l.first {
		l.districtOf[sc.Number] = sc.DistrictNumber
	}
	for _, v := range []string{sc.Number, sc.DistrictNumber, sc.Name, sc.Classification} {
		l.rows.text(v)
	}
	l.rows.num(public)
	return l.rows.row()
}

func (l *ExtractLoad) Student(st data.Student) error {
	if err := l.to(tabStudents); err != nil {
		return err
	}
	l.counts.Students++
	if !l.first {
		l.listed = append(l.listed, st.StateID)
	}
	last, first := data.NormalizeName(st.LastName), data.NormalizeName(st.FirstName)
	key := searchSortKey(last, first)
	if l.first {
		pack(&l.packed[0], st.StateID, st.Gender, key)
	}
	return l.rows.addTexts(st.StateID, st.LocalNumber, st.LastName, st.FirstName, st.MiddleName,
		dateText(st.BirthDate), st.Gender, st.Race, last, first, key)
}

// pack adds a record to what packSQL would make of the same values.
func pack(b *strings.Builder, fields ...string) {
	if b.Len() > 0 {
		b.WriteByte(0x1e)
	}
	for i, f := range fields {
		if i > 0 {
			b.WriteByte(0x1f)
		}
		b.WriteString(f)
	}
}

func (l *ExtractLoad) Enrollment(e data.Enrollment) error {
	if err := l.to(tabEnrollments); err != nil {
		return err
	}
	l.counts.Enrollments++
	if l.first {
		pack(&l.packed[1], e.StateID, e.SchoolNumber)
	}
	return l.rows.addTexts(e.ID, e.StateID, e.SchoolNumber, e.Grade, e.ServiceType, dateText(e.Start), dateText(e.End))
}

func (l *ExtractLoad) Program(p data.Program) error {
	if err := l.to(tabPrograms); err != nil {
		return err
	}
	l.counts.Programs++
	return l.rows.addTexts(p.StateID, p.Program, p.Code, dateText(p.Start), dateText(p.End))
}

func (l *ExtractLoad) Assessment(a data.Assessment) error {
	if err := l.to(tabAssessments); err != nil {
		return err
	}
	l.counts.Assessments++
	return l.rows.addTexts(a.StateID, a.Subject, dateText(a.TestDate), a.Level)
}

// Absent marks an optional table the extract does not carry: the load
// moves past it without removing the rows stored for the students it
// lists.
func (l *ExtractLoad) Absent(table string) error {
	t, err := l.counts.keep(table)
	if err != nil {
		return err
	}
	l.absent[t] = true
	return l.to(t)
}

// to moves the load on to table t, finishing the tables before it.
func (l *ExtractLoad) to(t int) error {
	if t == l.at {
		return nil
	}
	if t < l.at {
		return fmt.Errorf("%s rows came after %s rows: an extract is loaded table by table in order",
			extractTables[t].what, extractTables[l.at].what)
	}
	if l.rows != nil {
		err := l.rows.close()
		l.rows = nil
		if err != nil {
			return err
		}
	}
	if l.at == tabEnrollments {
		if err := l.readMoved(); err != nil {
			return err
		}
	}
	if l.at <= tabStudents && t > tabStudents {
		if err := l.replaceListed(); err != nil {
			return err
		}
	}
	// A table with no rows is still passed: it replaces the stored rows
	// with none, unless the extract does not carry it.
	for u := max(l.at+1, tabEnrollments); u <= min(t, tabAssessments); u++ {
		if err := l.replaceRows(u); err != nil {
			return err
		}
	}
	l.at = t
	if t < tabDone {
		x := extractTables[t]
		// A first import's students, and so their enrollments and
		// assessments, are new: the importer refuses an extract that
		// repeats a key, so a plain insert, without the look-up an
		// upsert makes first, finds no conflict. (Regions, districts
		// and schools may be there without students.)
		if l.first && t >= tabStudents {
			x.conflict = ""
		}
		l.rows = newRawBatch(l.ctx, l.tx, l.raw, x.what, x.insert, x.conflict, x.cols)
	}
	return nil
}

// replaceListed makes ready what a re-import replaces, once its students
// are written: it notes the students it lists and removes their search
// index rows; replaceRows removes their enrollments, programs and
// assessments. When it lists most students, the tables lose their
// secondary indexes first and the whole search index is built again.
func (l *ExtractLoad) replaceListed() error {
	if l.first {
		return nil
	}
	var total int
	if err := l.tx.QueryRowContext(l.ctx, `SELECT count(*) FROM students`).Scan(&total); err != nil {
		return err
	}
	if 2*len(l.listed) > total {
		l.whole = true
		if err := l.dropIndexes("enrollments", "programs", "name_tokens", "district_students"); err != nil {
			return err
		}
	}
	if err := l.writeListed(); err != nil {
		return err
	}
	deletes := []string{`DELETE FROM name_tokens`, `DELETE FROM district_students`}
	if !l.whole {
		deletes = []string{`DELETE FROM name_tokens WHERE state_id IN (SELECT state_id FROM temp.listed)`,
			`DELETE FROM district_students WHERE state_id IN (SELECT state_id FROM temp.listed)`}
	}
	for _, q := range deletes {
		if _, err := l.tx.ExecContext(l.ctx, q); err != nil {
			return fmt.Errorf("replace the rows of the students listed: %w", err)
		}
	}
	return nil
}

// replaceRows removes the rows of table t (enrollments, programs or
// assessments) of the students a re-import lists, unless the extract
// does not carry t.
func (l *ExtractLoad) replaceRows(t int) error {
	if l.first || l.absent[t] {
		return nil
	}
	what := extractTables[t].what
	if t == tabEnrollments {
		if err := l.noteEnrolled(); err != nil {
			return err
		}
	}
	if _, err := l.tx.ExecContext(l.ctx, `DELETE FROM `+what+` WHERE state_id IN (SELECT state_id FROM temp.listed)`); err != nil {
		return fmt.Errorf("replace the %s of the students listed: %w", what, err)
	}
	return nil
}

// noteEnrolled keeps, before a re-import replaces the enrollments of the
// students it lists, the student each of them was under, and has SQLite
// keep the same of every enrollment of another student that the extract
// updates: readMoved compares them with where the extract puts them.
func (l *ExtractLoad) noteEnrolled() error {
	for _, q := range []string{
		`CREATE TEMP TABLE enrolled_before(id TEXT NOT NULL, state_id TEXT NOT NULL)`,
		`INSERT INTO temp.enrolled_before(id, state_id)
			SELECT id, state_id FROM enrollments WHERE state_id IN (SELECT state_id FROM temp.listed)`,
		`CREATE TEMP TRIGGER enrollment_moved AFTER UPDATE OF state_id ON main.enrollments
			WHEN old.state_id IS NOT new.state_id
			BEGIN INSERT INTO temp.enrolled_before(id, state_id) VALUES(old.id, old.state_id); END`,
	} {
		if _, err := l.tx.ExecContext(l.ctx, q); err != nil {
			return fmt.Errorf("note the students of the enrollments stored: %w", err)
		}
		l.enrolledBefore = true
	}
	return nil
}

// readMoved finds, once the enrollments are written, those the extract
// gave to another student than before (ExtractCounts.Moved).
func (l *ExtractLoad) readMoved() error {
	if !l.enrolledBefore {
		return nil
	}
	rows, err := l.tx.QueryContext(l.ctx, `SELECT w.id, w.state_id, e.state_id FROM temp.enrolled_before w
		JOIN enrollments e ON e.id = w.id WHERE e.state_id <> w.state_id ORDER BY w.id`)
	if err != nil {
		return fmt.Errorf("find the enrollments moved to another student: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m MovedEnrollment
		if err := rows.Scan(&m.ID, &m.From, &m.To); err != nil {
			return fmt.Errorf("find the enrollments moved to another student: %w", err)
		}
		l.counts.Moved = append(l.counts.Moved, m)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find the enrollments moved to another student: %w", err)
	}
	rows.Close()
	return l.dropEnrolledBefore()
}

func (l *ExtractLoad) dropEnrolledBefore() error {
	if !l.enrolledBefore {
		return nil
	}
	l.enrolledBefore = false
	for _, q := range []string{`DROP TRIGGER IF EXISTS temp.enrollment_moved`, `DROP TABLE IF EXISTS temp.enrolled_before`} {
		if _, err := l.tx.ExecContext(l.ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// writeListed puts the state IDs of the students listed into temp.listed,
// in key order.
func (l *ExtractLoad) writeListed() error {
	if _, err := l.tx.ExecContext(l.ctx, `CREATE TEMP TABLE listed(state_id TEXT PRIMARY KEY) WITHOUT ROWID`); err != nil {
		return err
	}
	l.temp = true
	slices.Sort(l.listed)
	l.listed = slices.Compact(l.listed)
	b := newRawBatch(l.ctx, l.tx, l.raw, "students listed", `INSERT INTO temp.listed(state_id)`, "", 1)
	for _, id := range l.listed {
		if err := b.addTexts(id); err != nil {
			b.close()
			return err
		}
	}
	l.listed = nil
	return b.close()
}

// end finishes the load: the last table, the indexes dropped for it, the
// search index.
func (l *ExtractLoad) end() error {
	if err := l.to(tabDone); err != nil {
		return err
	}
	// The search index is made on another goroutine (the second core)
	// while the tables' indexes are built on this one, from what it is
	// made of, read back unless a first import packed it as it wrote;
	// it is written before its own secondary indexes are built.
	src := &indexSource{students: l.packed[0].String(), enrollments: l.packed[1].String(), districtOf: l.districtOf}
	l.packed = [2]strings.Builder{}
	if !l.first {
		var err error
		if src, err = readIndexSource(l.ctx, l.tx, !l.whole); err != nil {
			return err
		}
	}
	made := makeIndexRows(src)
	err := l.buildIndexes(func(ix index) bool { return !isSearchTable(ix.Table) })
	rows, makeErr := made()
	if err = cmp.Or(err, makeErr); err != nil {
		return err
	}
	if err := rows.write(l.ctx, l.tx, l.raw); err != nil {
		return err
	}
	if err := l.buildIndexes(func(index) bool { return true }); err != nil {
		return err
	}
	return l.dropTemp()
}

// abandon releases what a failed load holds; the transaction is rolled
// back.
func (l *ExtractLoad) abandon() {
	if l.rows != nil {
		l.rows.close()
	}
	l.dropEnrolledBefore()
	l.dropTemp()
}

func (l *ExtractLoad) dropTemp() error {
	if !l.temp {
		return nil
	}
	l.temp = false
	_, err := l.tx.ExecContext(l.ctx, `DROP TABLE temp.listed`)
	return err
}

func isSearchTable(table string) bool { return table == "name_tokens" || table == "district_students" }

// index is a secondary index as the schema defines it. It travels as
// JSON in meta while a snapshot is pulled without it (pull.go).
type index struct {
	Name   string `json:"name"`
	Table  string `json:"table"`
	Create string `json:"create"`
}

// dropIndexes drops the secondary indexes of the tables, remembering how
// to build them again.
func (l *ExtractLoad) dropIndexes(tables ...string) error {
	found, err := dropIndexes(l.ctx, l.tx, tables...)
	l.dropped = append(l.dropped, found...)
	return err
}

// buildIndexes builds the dropped indexes that which selects.
func (l *ExtractLoad) buildIndexes(which func(index) bool) error {
	var err error
	l.dropped, err = buildIndexes(l.ctx, l.tx, l.dropped, which)
	return err
}

// dropIndexes drops the secondary indexes of the tables and returns how
// to build them again: as the schema has them, whatever migration made
// them. A bulk write into a table without its secondary indexes, which
// are built afterwards, sorts each index's keys once instead of
// inserting them one by one all over the index.
func dropIndexes(ctx context.Context, tx *sql.Tx, tables ...string) ([]index, error) {
	var dropped []index
	for _, t := range tables {
		rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema
			WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, t)
		if err != nil {
			return dropped, err
		}
		var found []index
		for rows.Next() {
			ix := index{Table: t}
			if err := rows.Scan(&ix.Name, &ix.Create); err != nil {
				rows.Close()
				return dropped, err
			}
			found = append(found, ix)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return dropped, err
		}
		for _, ix := range found {
			if _, err := tx.ExecContext(ctx, `DROP INDEX "`+ix.Name+`"`); err != nil {
				return dropped, fmt.Errorf("drop index %s for the load: %w", ix.Name, err)
			}
			dropped = append(dropped, ix)
		}
	}
	return dropped, nil
}

// The page cache while indexes are built, smaller than a load's
// (bulkPragmas). SQLite sorts an index's keys in memory up to the page
// cache's size, and sorts what fits there on the load's own thread once
// all are read: 7.5 s of a state import's CPU, the other core idle. Past
// that size it hands each full batch to a helper thread (PRAGMA threads)
// to sort and write out while it reads on, and merges the batches with
// helper threads too. A 16 MB cache makes every index of a state extract
// take that way.
const sortCache = `PRAGMA cache_size = -16384`

// buildIndexes builds the indexes of ixs that which selects and returns
// the others.
func buildIndexes(ctx context.Context, tx *sql.Tx, ixs []index, which func(index) bool) ([]index, error) {
	if _, err := tx.ExecContext(ctx, sortCache); err != nil {
		return ixs, err
	}
	defer tx.ExecContext(ctx, loadCache)
	var rest []index
	for i, ix := range ixs {
		if !which(ix) {
			rest = append(rest, ix)
			continue
		}
		if err := ctx.Err(); err != nil {
			return append(rest, ixs[i:]...), err
		}
		if _, err := tx.ExecContext(ctx, ix.Create); err != nil {
			return append(rest, ixs[i:]...), fmt.Errorf("build index %s: %w", ix.Name, err)
		}
	}
	return rest, nil
}

// dateText is d.String(), the stored form, without going through fmt:
// that costs seconds over the millions of dates of a state extract.
func dateText(d data.Date) string {
	y, m, day := d.Year(), int(d.Month()), d.Day()
	if d == 0 || y < 0 || y > 9999 {
		return d.String()
	}
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + day/10), byte('0' + day%10)}
	return string(b[:])
}
