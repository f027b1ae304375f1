package pghub

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// staged is one table of an extract on its way in: COPY into a temporary
// staging table, then one INSERT ... SELECT that merges it by the table's
// key (conflict), or appends it when conflict is "".
type staged struct {
	table    string
	cols     []string
	n        int
	row      func(i int) []any
	conflict string
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
		Students: len(ex.Students), Enrollments: len(ex.Enrollments), Programs: len(ex.Programs), Assessments: len(ex.Assessments)}
	err := h.write(ctx, func(tx pgx.Tx) error {
		var loaded bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM students)`).Scan(&loaded); err != nil {
			return err
		}
		for _, s := range extractTables(ex) {
			if err := s.load(ctx, tx); err != nil {
				return err
			}
			// A first import into an empty database has nothing to replace.
			if s.table == "students" && loaded {
				for _, t := range []string{"enrollments", "programs", "assessments"} {
					if _, err := tx.Exec(ctx, `DELETE FROM `+t+` t USING stage_students s WHERE t.state_id = s.state_id`); err != nil {
						return fmt.Errorf("replace the %s of the extract's students: %w", t, err)
					}
				}
			}
		}
		now := stamp(time.Now())
		if _, err := tx.Exec(ctx, `INSERT INTO meta(key, value) VALUES('imported_at', $1)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, now); err != nil {
			return err
		}
		if err := newEpoch(ctx, tx); err != nil {
			return err
		}
		return audit(ctx, tx, user, "import extract", "extract", "", c.String())
	})
	if err != nil {
		return store.ExtractCounts{}, fmt.Errorf("import the state extract: %w", err)
	}
	// Fresh statistics for the planner; the rows are in whatever happens.
	h.pool.Exec(ctx, `ANALYZE regions, districts, schools, students, enrollments, programs, assessments`)
	return c, nil
}

func extractTables(ex *data.Extract) []staged {
	return []staged{
		{"regions", []string{"code", "name"}, len(ex.Regions), func(i int) []any {
			r := ex.Regions[i]
			return []any{r.Code, r.Name}
		}, `(code) DO UPDATE SET name = excluded.name`},
		{"districts", []string{"number", "name", "region_code"}, len(ex.Districts), func(i int) []any {
			d := ex.Districts[i]
			return []any{d.Number, d.Name, d.RegionCode}
		}, `(number) DO UPDATE SET name = excluded.name, region_code = excluded.region_code`},
		{"schools", []string{"number", "district_number", "name", "classification", "public"}, len(ex.Schools), func(i int) []any {
			s := ex.Schools[i]
			return []any{s.Number, s.DistrictNumber, s.Name, s.Classification, flag(s.Public())}
		}, `(number) DO UPDATE SET district_number = excluded.district_number, name = excluded.name,
			classification = excluded.classification, public = excluded.public`},
		{"students", []string{"state_id", "local_number", "last_name", "first_name", "middle_name", "birth_date", "gender", "race"},
			len(ex.Students), func(i int) []any {
				s := ex.Students[i]
				return []any{s.StateID, s.LocalNumber, s.LastName, s.FirstName, s.MiddleName, s.BirthDate.String(), s.Gender, s.Race}
			}, `(state_id) DO UPDATE SET local_number = excluded.local_number, last_name = excluded.last_name,
			first_name = excluded.first_name, middle_name = excluded.middle_name, birth_date = excluded.birth_date,
			gender = excluded.gender, race = excluded.race`},
		{"enrollments", []string{"id", "state_id", "school_number", "grade", "service_type", "start_date", "end_date"},
			len(ex.Enrollments), func(i int) []any {
				e := ex.Enrollments[i]
				return []any{e.ID, e.StateID, e.SchoolNumber, e.Grade, e.ServiceType, e.Start.String(), e.End.String()}
			}, `(id) DO UPDATE SET state_id = excluded.state_id, school_number = excluded.school_number,
			grade = excluded.grade, service_type = excluded.service_type, start_date = excluded.start_date,
			end_date = excluded.end_date`},
		{"programs", []string{"state_id", "program", "code", "start_date", "end_date"}, len(ex.Programs), func(i int) []any {
			p := ex.Programs[i]
			return []any{p.StateID, p.Program, p.Code, p.Start.String(), p.End.String()}
		}, ""},
		{"assessments", []string{"state_id", "subject", "test_date", "performance_level"}, len(ex.Assessments), func(i int) []any {
			a := ex.Assessments[i]
			return []any{a.StateID, a.Subject, a.TestDate.String(), a.Level}
		}, `(state_id, subject, test_date) DO UPDATE SET performance_level = excluded.performance_level`},
	}
}

// load copies the rows into stage_TABLE, dropped at commit, and merges
// them into the table.
func (s staged) load(ctx context.Context, tx pgx.Tx) error {
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
	cols := strings.Join(s.cols, ", ")
	q := `INSERT INTO ` + s.table + `(` + cols + `) SELECT ` + cols + ` FROM ` + stage
	if s.conflict != "" {
		q += ` ON CONFLICT` + s.conflict
	}
	if _, err := tx.Exec(ctx, q); err != nil {
		return fmt.Errorf("merge %s: %w", s.table, err)
	}
	return nil
}
