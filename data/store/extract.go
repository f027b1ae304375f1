package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"migrantdesk/data"
)

// ExtractCounts says how many rows of each kind an import wrote.
type ExtractCounts struct {
	Regions, Districts, Schools, Students, Enrollments, Programs, Assessments int
}

func (c ExtractCounts) String() string {
	return fmt.Sprintf("%d regions, %d districts, %d schools, %d students, %d enrollments, %d program rows, %d assessments",
		c.Regions, c.Districts, c.Schools, c.Students, c.Enrollments, c.Programs, c.Assessments)
}

// ImportExtract writes a validated state extract in one transaction: all
// of it or, on any error, none of it.
//
// Regions, districts, schools, students and enrollments are updated by
// their natural keys. For each student the extract lists, the extract is
// the truth about that student's enrollments, programs and assessments:
// rows it no longer has are removed. Students it does not list, and
// everything entered in the app (migrant records, publishes, users), are
// kept as they are.
func (s *Store) ImportExtract(ctx context.Context, ex *data.Extract, user string) (ExtractCounts, error) {
	var c ExtractCounts
	// A state extract writes millions of rows in one transaction; with
	// SQLite's 2 MB default page cache it keeps evicting and rereading
	// the pages it is filling. The cache grows for the import only, so the
	// app's memory stays small.
	if _, err := s.w.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return c, fmt.Errorf("import the state extract: %w", err)
	}
	defer s.w.Exec(`PRAGMA cache_size = -2000`)
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := importExtract(ctx, tx, ex, &c); err != nil {
			return err
		}
		if err := setMeta(tx, MetaImported, s.timestamp()); err != nil {
			return err
		}
		return s.audit(tx, user, "import extract", "extract", "", "", c.String())
	})
	if err != nil {
		return ExtractCounts{}, fmt.Errorf("import the state extract: %w", err)
	}
	return c, nil
}

func importExtract(ctx context.Context, tx *sql.Tx, ex *data.Extract, c *ExtractCounts) error {
	var loaded bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM students)`).Scan(&loaded); err != nil {
		return err
	}
	err := batchInsert(ctx, tx, "regions", `INSERT INTO regions(code, name)`,
		`ON CONFLICT(code) DO UPDATE SET name = excluded.name`, 2, len(ex.Regions), func(i int, a []any) []any {
			r := ex.Regions[i]
			return append(a, r.Code, r.Name)
		})
	if err != nil {
		return err
	}
	err = batchInsert(ctx, tx, "districts", `INSERT INTO districts(number, name, region_code)`,
		`ON CONFLICT(number) DO UPDATE SET name = excluded.name, region_code = excluded.region_code`,
		3, len(ex.Districts), func(i int, a []any) []any {
			d := ex.Districts[i]
			return append(a, d.Number, d.Name, d.RegionCode)
		})
	if err != nil {
		return err
	}
	err = batchInsert(ctx, tx, "schools", `INSERT INTO schools(number, district_number, name, classification, public)`,
		`ON CONFLICT(number) DO UPDATE SET district_number = excluded.district_number, name = excluded.name,
			classification = excluded.classification, public = excluded.public`,
		5, len(ex.Schools), func(i int, a []any) []any {
			sc := ex.Schools[i]
			return append(a, sc.Number, sc.DistrictNumber, sc.Name, sc.Classification, sc.Public())
		})
	if err != nil {
		return err
	}
	err = batchInsert(ctx, tx, "students", `INSERT INTO students(state_id, local_number, last_name, first_name, middle_name,
			birth_date, gender, race, last_key, first_key, sort_key)`,
		`ON CONFLICT(state_id) DO UPDATE SET local_number = excluded.local_number, last_name = excluded.last_name,
			first_name = excluded.first_name, middle_name = excluded.middle_name, birth_date = excluded.birth_date,
			gender = excluded.gender, race = excluded.race, last_key = excluded.last_key, first_key = excluded.first_key,
			sort_key = excluded.sort_key`,
		11, len(ex.Students), func(i int, a []any) []any {
			st := ex.Students[i]
			last, first := data.NormalizeName(st.LastName), data.NormalizeName(st.FirstName)
			return append(a, st.StateID, st.LocalNumber, st.LastName, st.FirstName, st.MiddleName,
				st.BirthDate.String(), st.Gender, st.Race, last, first, searchSortKey(last, first))
		})
	if err != nil {
		return err
	}
	// A first import into an empty database has nothing to replace.
	if loaded {
		if err := replaceStudentRows(ctx, tx, ex.Students); err != nil {
			return err
		}
	}
	err = batchInsert(ctx, tx, "enrollments", `INSERT INTO enrollments(id, state_id, school_number, grade, service_type, start_date, end_date)`,
		`ON CONFLICT(id) DO UPDATE SET state_id = excluded.state_id, school_number = excluded.school_number,
			grade = excluded.grade, service_type = excluded.service_type, start_date = excluded.start_date,
			end_date = excluded.end_date`,
		7, len(ex.Enrollments), func(i int, a []any) []any {
			e := ex.Enrollments[i]
			return append(a, e.ID, e.StateID, e.SchoolNumber, e.Grade, e.ServiceType, e.Start.String(), e.End.String())
		})
	if err != nil {
		return err
	}
	if err := indexForSearch(ctx, tx, ex); err != nil {
		return err
	}
	err = batchInsert(ctx, tx, "programs", `INSERT INTO programs(state_id, program, code, start_date, end_date)`, "",
		5, len(ex.Programs), func(i int, a []any) []any {
			p := ex.Programs[i]
			return append(a, p.StateID, p.Program, p.Code, p.Start.String(), p.End.String())
		})
	if err != nil {
		return err
	}
	err = batchInsert(ctx, tx, "assessments", `INSERT INTO assessments(state_id, subject, test_date, performance_level)`,
		`ON CONFLICT(state_id, subject, test_date) DO UPDATE SET performance_level = excluded.performance_level`,
		4, len(ex.Assessments), func(i int, a []any) []any {
			as := ex.Assessments[i]
			return append(a, as.StateID, as.Subject, as.TestDate.String(), as.Level)
		})
	if err != nil {
		return err
	}
	*c = ExtractCounts{len(ex.Regions), len(ex.Districts), len(ex.Schools), len(ex.Students),
		len(ex.Enrollments), len(ex.Programs), len(ex.Assessments)}
	return nil
}

// replaceStudentRows removes the enrollments, programs, assessments and
// search tokens of the students an extract lists, which it then writes
// anew.
func replaceStudentRows(ctx context.Context, tx *sql.Tx, students []data.Student) error {
	for _, q := range []string{
		`DELETE FROM enrollments WHERE state_id = ?`,
		`DELETE FROM programs WHERE state_id = ?`,
		`DELETE FROM assessments WHERE state_id = ?`,
		`DELETE FROM name_tokens WHERE state_id = ?`,
		`DELETE FROM district_students WHERE state_id = ?`,
	} {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		for i, s := range students {
			if i%4096 == 0 && ctx.Err() != nil {
				st.Close()
				return ctx.Err()
			}
			if _, err := st.Exec(s.StateID); err != nil {
				st.Close()
				return fmt.Errorf("replace the rows of student %s: %w", s.StateID, err)
			}
		}
		st.Close()
	}
	return nil
}

// indexForSearch writes what Search finds the extract's students by (their
// old rows replaceStudentRows has removed): name tokens and, for each
// district they are enrolled in, a district_students row. It runs once
// the enrollments are written, and builds every row in memory so that
// they go in as multi-row inserts.
func indexForSearch(ctx context.Context, tx *sql.Tx, ex *data.Extract) error {
	districtOf := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT number, district_number FROM schools`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var school, district string
		if err := rows.Scan(&school, &district); err != nil {
			rows.Close()
			return err
		}
		districtOf[school] = district
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	districts := map[string][]string{}
	for _, e := range ex.Enrollments {
		d := districtOf[e.SchoolNumber]
		if !slices.Contains(districts[e.StateID], d) {
			districts[e.StateID] = append(districts[e.StateID], d)
		}
	}
	type tokenRow struct {
		field          int
		token, sortKey string
		stateID        string
	}
	type districtRow struct{ district, sortKey, stateID string }
	var tokens []tokenRow
	var members []districtRow
	for _, st := range ex.Students {
		last, first := data.NormalizeName(st.LastName), data.NormalizeName(st.FirstName)
		key := searchSortKey(last, first)
		ds := districts[st.StateID]
		for _, d := range ds {
			members = append(members, districtRow{d, key, st.StateID})
		}
		for _, t := range nameTokens(last, first, ds) {
			tokens = append(tokens, tokenRow{t.field, t.token, key, st.StateID})
		}
	}
	err = batchInsert(ctx, tx, "search index", `INSERT OR IGNORE INTO name_tokens(field, token, sort_key, state_id)`, "",
		4, len(tokens), func(i int, a []any) []any {
			r := tokens[i]
			return append(a, r.field, r.token, r.sortKey, r.stateID)
		})
	if err != nil {
		return err
	}
	return batchInsert(ctx, tx, "district index", `INSERT OR IGNORE INTO district_students(district_number, sort_key, state_id)`, "",
		3, len(members), func(i int, a []any) []any {
			r := members[i]
			return append(a, r.district, r.sortKey, r.stateID)
		})
}
