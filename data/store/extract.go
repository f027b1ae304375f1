package store

import (
	"context"
	"database/sql"
	"fmt"

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
	run := func(what, query string, n int, args func(i int) []any) error {
		st, err := tx.PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		defer st.Close()
		for i := 0; i < n; i++ {
			if i%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if _, err := st.Exec(args(i)...); err != nil {
				return fmt.Errorf("%s row %d: %w", what, i+1, err)
			}
		}
		return nil
	}
	err := run("regions", `INSERT INTO regions(code, name) VALUES(?, ?)
		ON CONFLICT(code) DO UPDATE SET name = excluded.name`, len(ex.Regions), func(i int) []any {
		r := ex.Regions[i]
		return []any{r.Code, r.Name}
	})
	if err != nil {
		return err
	}
	err = run("districts", `INSERT INTO districts(number, name, region_code) VALUES(?, ?, ?)
		ON CONFLICT(number) DO UPDATE SET name = excluded.name, region_code = excluded.region_code`, len(ex.Districts), func(i int) []any {
		d := ex.Districts[i]
		return []any{d.Number, d.Name, d.RegionCode}
	})
	if err != nil {
		return err
	}
	err = run("schools", `INSERT INTO schools(number, district_number, name, classification, public) VALUES(?, ?, ?, ?, ?)
		ON CONFLICT(number) DO UPDATE SET district_number = excluded.district_number, name = excluded.name,
			classification = excluded.classification, public = excluded.public`, len(ex.Schools), func(i int) []any {
		sc := ex.Schools[i]
		return []any{sc.Number, sc.DistrictNumber, sc.Name, sc.Classification, sc.Public()}
	})
	if err != nil {
		return err
	}
	err = run("students", `INSERT INTO students(state_id, local_number, last_name, first_name, middle_name,
			birth_date, gender, race, last_key, first_key) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(state_id) DO UPDATE SET local_number = excluded.local_number, last_name = excluded.last_name,
			first_name = excluded.first_name, middle_name = excluded.middle_name, birth_date = excluded.birth_date,
			gender = excluded.gender, race = excluded.race, last_key = excluded.last_key, first_key = excluded.first_key`,
		len(ex.Students), func(i int) []any {
			st := ex.Students[i]
			return []any{st.StateID, st.LocalNumber, st.LastName, st.FirstName, st.MiddleName,
				st.BirthDate.String(), st.Gender, st.Race, data.NormalizeName(st.LastName), data.NormalizeName(st.FirstName)}
		})
	if err != nil {
		return err
	}
	if err := indexNames(ctx, tx, ex.Students); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM enrollments WHERE state_id = ?`,
		`DELETE FROM programs WHERE state_id = ?`,
		`DELETE FROM assessments WHERE state_id = ?`,
	} {
		if err := run("replace student rows", q, len(ex.Students), func(i int) []any {
			return []any{ex.Students[i].StateID}
		}); err != nil {
			return err
		}
	}
	err = run("enrollments", `INSERT INTO enrollments(id, state_id, school_number, grade, service_type, start_date, end_date)
		VALUES(?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET state_id = excluded.state_id, school_number = excluded.school_number,
			grade = excluded.grade, service_type = excluded.service_type, start_date = excluded.start_date,
			end_date = excluded.end_date`, len(ex.Enrollments), func(i int) []any {
		e := ex.Enrollments[i]
		return []any{e.ID, e.StateID, e.SchoolNumber, e.Grade, e.ServiceType, e.Start.String(), e.End.String()}
	})
	if err != nil {
		return err
	}
	err = run("programs", `INSERT INTO programs(state_id, program, code, start_date, end_date) VALUES(?, ?, ?, ?, ?)`,
		len(ex.Programs), func(i int) []any {
			p := ex.Programs[i]
			return []any{p.StateID, p.Program, p.Code, p.Start.String(), p.End.String()}
		})
	if err != nil {
		return err
	}
	err = run("assessments", `INSERT INTO assessments(state_id, subject, test_date, performance_level) VALUES(?, ?, ?, ?)
		ON CONFLICT(state_id, subject, test_date) DO UPDATE SET performance_level = excluded.performance_level`,
		len(ex.Assessments), func(i int) []any {
			a := ex.Assessments[i]
			return []any{a.StateID, a.Subject, a.TestDate.String(), a.Level}
		})
	if err != nil {
		return err
	}
	*c = ExtractCounts{len(ex.Regions), len(ex.Districts), len(ex.Schools), len(ex.Students),
		len(ex.Enrollments), len(ex.Programs), len(ex.Assessments)}
	return nil
}

// Name token fields.
const (
	fieldLast  = 0
	fieldFirst = 1
)

// indexNames rewrites the search tokens of the given students.
func indexNames(ctx context.Context, tx *sql.Tx, students []data.Student) error {
	del, err := tx.PrepareContext(ctx, `DELETE FROM name_tokens WHERE state_id = ?`)
	if err != nil {
		return err
	}
	defer del.Close()
	ins, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO name_tokens(field, token, sort_key, state_id) VALUES(?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for i, st := range students {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if _, err := del.Exec(st.StateID); err != nil {
			return fmt.Errorf("index names of %s: %w", st.StateID, err)
		}
		last, first := data.NormalizeName(st.LastName), data.NormalizeName(st.FirstName)
		sort := SortKey(last, first)
		for field, name := range [2]string{fieldLast: last, fieldFirst: first} {
			for _, tok := range data.SearchTokens(name) {
				if _, err := ins.Exec(field, tok, sort, st.StateID); err != nil {
					return fmt.Errorf("index names of %s: %w", st.StateID, err)
				}
			}
		}
	}
	return nil
}

// SortKey orders students by last name, then first name, as result lists do.
func SortKey(lastKey, firstKey string) string {
	return lastKey + "," + firstKey
}
