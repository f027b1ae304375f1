package pghub

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// staged is one table of an extract on its way in: COPY into a temporary
// staging table, then merged by key (the extract's keys are unique; the
// importer refuses a duplicate) or, for a table without one, appended in
// key order.
type staged struct {
	table  string
	cols   []string
	n      int
	row    func(i int) []any
	key    []string
	append bool
	// compare orders rows i and j by key, as the key's columns order
	// under COLLATE "C" (bytes; a Date's number orders as its text).
	compare func(i, j int) int
}

// Import writes a validated state extract in one transaction: all of it
// or, on any error, none of it. It keeps the SQLite store's rules (see
// store.ImportExtract): regions, districts, schools, students and
// enrollments are updated by their keys; for each student the extract
// lists, the extract is the truth about their enrollments, programs and
// assessments; everything entered through the hub is kept. The rows go
// in with COPY, and the import starts a new epoch, since it rewrote rows
// the change feed never saw.
func (h *DB) Import(ctx context.Context, ex *data.Extract, user string) (store.ExtractCounts, error) {
	c := store.ExtractCounts{Regions: len(ex.Regions), Districts: len(ex.Districts), Schools: len(ex.Schools),
		Students: len(ex.Students), Enrollments: len(ex.Enrollments), Programs: len(ex.Programs), Assessments: len(ex.Assessments),
		ProgramsKept: slices.Contains(ex.Without, data.TablePrograms), AssessmentsKept: slices.Contains(ex.Without, data.TableAssessments)}
	err := h.write(ctx, func(tx pgx.Tx) error {
		var loaded bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM students)`).Scan(&loaded); err != nil {
			return err
		}
		restore, err := setAside(ctx, tx)
		if err != nil {
			return err
		}
		var moves movedEnrollments
		for _, s := range extractTables(ex) {
			var merging func() error
			if s.table == "enrollments" {
				merging = func() error { return moves.read(ctx, tx, movedUnlisted) }
			}
			if err := s.load(ctx, tx, merging); err != nil {
				return err
			}
			if s.table == "enrollments" && loaded {
				if err := moves.read(ctx, tx, movedListed); err != nil {
					return err
				}
			}
			// A first import into an empty database has nothing to replace,
			// and a table the extract does not carry keeps its rows.
			if s.table == "students" && loaded {
				if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE enrolled_before ON COMMIT DROP AS
					SELECT t.id, t.state_id FROM enrollments t JOIN stage_students s ON t.state_id = s.state_id`); err != nil {
					return fmt.Errorf("note the students of the enrollments stored: %w", err)
				}
				for _, t := range []string{"enrollments", "programs", "assessments"} {
					if slices.Contains(ex.Without, t) {
						continue
					}
					if _, err := tx.Exec(ctx, `DELETE FROM `+t+` t USING stage_students s WHERE t.state_id = s.state_id`); err != nil {
						return fmt.Errorf("replace the %s of the extract's students: %w", t, err)
					}
				}
			}
		}
		c.Moved = moves.sorted()
		if err := restore(); err != nil {
			return err
		}
		if err := rebuildStudentRegions(ctx, tx); err != nil {
			return err
		}
		now := stamp(time.Now())
		if _, err := tx.Exec(ctx, `INSERT INTO meta(key, value) VALUES('imported_at', $1)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, now); err != nil {
			return err
		}
		if err := newEpoch(ctx, tx); err != nil {
			return err
		}
		return audit(ctx, tx, user, "import extract", "extract", "", c.Logged())
	})
	if err != nil {
		return store.ExtractCounts{}, fmt.Errorf("import the state extract: %w", err)
	}
	// Fresh statistics for the planner; the rows are in whatever happens.
	h.pool.Exec(ctx, `ANALYZE regions, districts, schools, students, enrollments, programs, assessments, hub_student_regions`)
	return c, nil
}

func extractTables(ex *data.Extract) []staged {
	return []staged{
		{"regions", []string{"code", "name"}, len(ex.Regions), func(i int) []any {
			r := ex.Regions[i]
			return []any{r.Code, r.Name}
		}, []string{"code"}, false, func(a, b int) int { return strings.Compare(ex.Regions[a].Code, ex.Regions[b].Code) }},
		{"districts", []string{"number", "name", "region_code"}, len(ex.Districts), func(i int) []any {
			d := ex.Districts[i]
			return []any{d.Number, d.Name, d.RegionCode}
		}, []string{"number"}, false, func(a, b int) int { return strings.Compare(ex.Districts[a].Number, ex.Districts[b].Number) }},
		{"schools", []string{"number", "district_number", "name", "classification", "public"}, len(ex.Schools), func(i int) []any {
			s := ex.Schools[i]
			return []any{s.Number, s.DistrictNumber, s.Name, s.Classification, flag(s.Public())}
		}, []string{"number"}, false, func(a, b int) int { return strings.Compare(ex.Schools[a].Number, ex.Schools[b].Number) }},
		{"students", []string{"state_id", "local_number", "last_name", "first_name", "middle_name", "birth_date", "gender", "race"},
			len(ex.Students), func(i int) []any {
				s := ex.Students[i]
				return []any{s.StateID, s.LocalNumber, s.LastName, s.FirstName, s.MiddleName, s.BirthDate.String(), s.Gender, s.Race}
			}, []string{"state_id"}, false, func(a, b int) int { return strings.Compare(ex.Students[a].StateID, ex.Students[b].StateID) }},
		{"enrollments", []string{"id", "state_id", "school_number", "grade", "service_type", "start_date", "end_date"},
			len(ex.Enrollments), func(i int) []any {
				e := ex.Enrollments[i]
				return []any{e.ID, e.StateID, e.SchoolNumber, e.Grade, e.ServiceType, e.Start.String(), e.End.String()}
			}, []string{"id"}, false, func(a, b int) int { return strings.Compare(ex.Enrollments[a].ID, ex.Enrollments[b].ID) }},
		{"programs", []string{"state_id", "program", "code", "start_date", "end_date"}, len(ex.Programs), func(i int) []any {
			p := ex.Programs[i]
			return []any{p.StateID, p.Program, p.Code, p.Start.String(), p.End.String()}
		}, []string{"state_id", "program", "start_date"}, true, func(a, b int) int {
			x, y := &ex.Programs[a], &ex.Programs[b]
			return cmp.Or(strings.Compare(x.StateID, y.StateID), strings.Compare(x.Program, y.Program), cmp.Compare(x.Start, y.Start))
		}},
		{"assessments", []string{"state_id", "subject", "test_date", "performance_level"}, len(ex.Assessments), func(i int) []any {
			a := ex.Assessments[i]
			return []any{a.StateID, a.Subject, a.TestDate.String(), a.Level}
		}, []string{"state_id", "subject", "test_date"}, false, func(a, b int) int {
			x, y := &ex.Assessments[a], &ex.Assessments[b]
			return cmp.Or(strings.Compare(x.StateID, y.StateID), strings.Compare(x.Subject, y.Subject), cmp.Compare(x.TestDate, y.TestDate))
		}},
	}
}

// load copies the rows into stage_TABLE, dropped at commit, and merges
// them into the table, calling merging (when not nil) just before; into
// a table still empty (a first import, or a re-import that replaces
// every row), they are copied straight in, in key order.
func (s staged) load(ctx context.Context, tx pgx.Tx, merging func() error) error {
	var used bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+s.table+`)`).Scan(&used); err != nil {
		return fmt.Errorf("merge %s: %w", s.table, err)
	}
	if !used {
		return s.copyInto(ctx, tx)
	}
	stage := "stage_" + s.table
	if _, err := tx.Exec(ctx, `CREATE TEMPORARY TABLE `+stage+` (LIKE `+s.table+` INCLUDING DEFAULTS) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("stage %s: %w", s.table, err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{stage}, s.cols, pgx.CopyFromSlice(s.n, func(i int) ([]any, error) {
		return s.row(i), nil
	})); err != nil {
		return fmt.Errorf("copy %s: %w", s.table, err)
	}
	if _, err := tx.Exec(ctx, `ANALYZE `+stage); err != nil {
		return fmt.Errorf("stage %s: %w", s.table, err)
	}
	if merging != nil {
		if err := merging(); err != nil {
			return err
		}
	}
	// An UPDATE of the rows the table has and an INSERT of those it lacks,
	// not INSERT ... ON CONFLICT, which tries each row in the index first
	// and takes more than twice as long. The import holds the feed lock,
	// so no other writer comes between the two.
	match := make([]string, len(s.key))
	for i, k := range s.key {
		match[i] = "t." + k + " = s." + k
	}
	if !s.append {
		var set, old, new []string
		for _, c := range s.cols {
			if !slices.Contains(s.key, c) {
				set = append(set, c+" = s."+c)
				old, new = append(old, "t."+c), append(new, "s."+c)
			}
		}
		q := `UPDATE ` + s.table + ` t SET ` + strings.Join(set, ", ") + ` FROM ` + stage + ` s WHERE ` + strings.Join(match, " AND ") +
			` AND (` + strings.Join(old, ", ") + `) IS DISTINCT FROM (` + strings.Join(new, ", ") + `)`
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("merge %s: %w", s.table, err)
		}
	}
	// In key order, the primary key grows at its right edge.
	cols := "s." + strings.Join(s.cols, ", s.")
	q := `INSERT INTO ` + s.table + `(` + strings.Join(s.cols, ", ") + `) SELECT ` + cols + ` FROM ` + stage + ` s`
	if !s.append {
		q += ` WHERE NOT EXISTS (SELECT 1 FROM ` + s.table + ` t WHERE ` + strings.Join(match, " AND ") + `)`
	}
	q += ` ORDER BY s.` + strings.Join(s.key, ", s.")
	if _, err := tx.Exec(ctx, q); err != nil {
		return fmt.Errorf("merge %s: %w", s.table, err)
	}
	return nil
}

// movedEnrollments gathers the enrollments an import gives to another
// student than the database had them under (store.ExtractCounts.Moved):
// those of students the extract does not list, which the merge would
// update, read from the staged rows before it; and those of the
// students it lists, replaced, read from what enrolled_before noted of
// them.
type movedEnrollments []store.MovedEnrollment

// The queries of the two kinds of moved enrollments: each row an ID,
// the student before and the extract's.
const (
	movedUnlisted = `SELECT s.id, t.state_id, s.state_id FROM stage_enrollments s JOIN enrollments t ON t.id = s.id
		WHERE t.state_id <> s.state_id`
	movedListed = `SELECT w.id, w.state_id, e.state_id FROM enrolled_before w JOIN enrollments e ON e.id = w.id
		WHERE e.state_id <> w.state_id`
)

// read adds the moved enrollments that q (movedUnlisted or movedListed)
// finds.
func (m *movedEnrollments) read(ctx context.Context, tx pgx.Tx, q string) error {
	rows, err := tx.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("find the enrollments moved to another student: %w", err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.MovedEnrollment, error) {
		var e store.MovedEnrollment
		err := r.Scan(&e.ID, &e.From, &e.To)
		return e, err
	})
	if err != nil {
		return fmt.Errorf("find the enrollments moved to another student: %w", err)
	}
	*m = append(*m, found...)
	return nil
}

// sorted returns the enrollments by ID, as the SQLite store lists them.
func (m movedEnrollments) sorted() []store.MovedEnrollment {
	slices.SortFunc(m, func(a, b store.MovedEnrollment) int { return strings.Compare(a.ID, b.ID) })
	return m
}

// copyInto copies the rows into the empty table in key order: each
// index then grows at its right edge, and the rows are written once, not
// into a staging table first and again by a merge that has nothing to
// merge with.
func (s staged) copyInto(ctx context.Context, tx pgx.Tx) error {
	order := make([]int, s.n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, s.compare)
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.table}, s.cols, pgx.CopyFromSlice(s.n, func(i int) ([]any, error) {
		return s.row(order[i]), nil
	})); err != nil {
		return fmt.Errorf("copy %s: %w", s.table, err)
	}
	return nil
}

// bulkTables are the tables with a row per enrollment, program or test.
var bulkTables = []string{"enrollments", "programs", "assessments"}

// setAside drops the foreign keys and secondary indexes of the bulk tables
// inside tx, when the role owns them (the README has the owner import),
// and returns the function that makes them again, still inside tx. Made
// after the load, an index is built from sorted rows and a foreign key
// checks every row with one join; left in place, every row goes into each
// index where it falls and fires a trigger that runs a query of its own,
// which is most of an import's time at state scale (a million
// enrollments). The cost: the tables are locked until the import commits,
// and so are the tables their foreign keys point to (students and
// schools), so pulls wait for it as pushes do. A role that does not own
// them imports with both in place, more slowly.
func setAside(ctx context.Context, tx pgx.Tx) (restore func() error, err error) {
	restore = func() error { return nil }
	var owner bool
	if err := tx.QueryRow(ctx, `SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) FROM pg_class c
		WHERE c.oid = ANY($1::regclass[])`, bulkTables).Scan(&owner); err != nil {
		return restore, fmt.Errorf("read who owns the tables: %w", err)
	}
	if !owner {
		return restore, nil
	}
	// What to drop, and the statement that makes it again.
	rows, err := tx.Query(ctx, `
		SELECT 'ALTER TABLE ' || conrelid::regclass::text || ' DROP CONSTRAINT ' || quote_ident(conname),
			'ALTER TABLE ' || conrelid::regclass::text || ' ADD CONSTRAINT ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY($1::regclass[])
		UNION ALL
		SELECT 'DROP INDEX ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique`, bulkTables)
	if err != nil {
		return restore, fmt.Errorf("read the foreign keys and indexes: %w", err)
	}
	type pair struct{ drop, make string }
	pairs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pair, error) {
		var p pair
		err := r.Scan(&p.drop, &p.make)
		return p, err
	})
	if err != nil {
		return restore, fmt.Errorf("read the foreign keys and indexes: %w", err)
	}
	for _, p := range pairs {
		if _, err := tx.Exec(ctx, p.drop); err != nil {
			return restore, fmt.Errorf("set aside for the import (%s): %w", p.drop, err)
		}
	}
	return func() error {
		if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
			return err
		}
		// Indexes first: the foreign keys are checked last.
		for i := len(pairs) - 1; i >= 0; i-- {
			if _, err := tx.Exec(ctx, pairs[i].make); err != nil {
				return fmt.Errorf("check the imported rows (%s): %w", pairs[i].make, err)
			}
		}
		return nil
	}, nil
}
