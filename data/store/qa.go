package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"migrantdesk/data"
)

// ErrUnknownDistrict is wrapped by QARows when the district number is not
// in the database.
var ErrUnknownDistrict = errors.New("unknown district")

// QARow is one qualifying enrollment of the QA Migrant report (SPEC §6):
// the student, the enrollment and its school, the migrant record that fills
// the row, and the student's groups and test levels for the period.
type QARow struct {
	Student    data.Student
	Enrollment data.Enrollment
	SchoolName string
	Record     data.MigrantRecord
	// PublishedAt is when the record's copy reached the district.
	PublishedAt string

	EconomicallyDisadvantaged bool // a FRAM row with code F overlaps the period
	Homeless                  bool
	EnglishLearner            bool
	Disability                bool // IEP

	MathLevel, ReadingLevel string // latest test on or before the period's end; "" if none
}

// QARows returns the district and the rows of its QA Migrant report for
// period p, ordered by last name, first name, state ID and enrollment start
// (names compared without case or accents).
//
// A row is an enrollment at a public school of the district, in grade K or
// 01–12, that overlaps p, of a student with a migrant record published to
// the district and active in p; of several such records the one with the
// latest QAD fills the row. The record's values are those of the copy
// published to the district, not a clerk's later unpublished edit; deleted
// records do not count. An unknown
// district is an error wrapping ErrUnknownDistrict.
func (s *Store) QARows(ctx context.Context, district string, p data.Period) (data.District, []QARow, error) {
	var d data.District
	var rows []QARow
	err := s.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT number, name, region_code FROM districts WHERE number = ?`, district).
			Scan(&d.Number, &d.Name, &d.RegionCode)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("district %q is not in the database (district numbers keep their leading zeros): %w", district, ErrUnknownDistrict)
		}
		if err != nil {
			return err
		}
		rows, err = qaRows(ctx, tx, district, p)
		return err
	})
	if err != nil {
		return data.District{}, nil, fmt.Errorf("read the QA Migrant report of district %s for %s: %w", district, p, err)
	}
	return d, rows, nil
}

// qaQuery is driven by the district's published copies, which are few
// (hundreds) even in a state-sized database: each is joined to its student's
// enrollments by index, and the groups and levels are looked up per row.
var qaQuery = `
WITH rec AS (
	SELECT p.record_id AS id, m.state_id, p.mis2000_id, p.qad, p.eed, p.version, p.published_at,
		row_number() OVER (PARTITION BY m.state_id ORDER BY p.qad DESC, p.record_id) AS n
	FROM published p
	JOIN migrant_records m ON m.id = p.record_id
	WHERE p.district_number = :district AND m.deleted = 0 AND p.qad <= :to AND p.eed >= :from
)
SELECT st.state_id, st.local_number, st.last_name, st.first_name, st.middle_name, st.birth_date,
	st.gender, st.race,
	e.id, e.school_number, e.grade, e.service_type, e.start_date, e.end_date, sc.name,
	rec.id, rec.mis2000_id, rec.qad, rec.eed, rec.version, rec.published_at,
	` + programOverlaps(`g.program = '`+data.ProgramFRAM+`' AND g.code = '`+data.MealsFree+`'`) + `,
	` + programOverlaps(`g.program = '`+data.ProgramHomeless+`'`) + `,
	` + programOverlaps(`g.program = '`+data.ProgramEL+`'`) + `,
	` + programOverlaps(`g.program = '`+data.ProgramIEP+`'`) + `,
	` + latestLevel(data.SubjectMath) + `,
	` + latestLevel(data.SubjectReading) + `
FROM rec
JOIN students st ON st.state_id = rec.state_id
JOIN enrollments e ON e.state_id = rec.state_id
JOIN schools sc ON sc.number = e.school_number
WHERE rec.n = 1
	AND sc.district_number = :district AND sc.public = 1
	AND e.grade IN (` + quoteList(data.Grades()) + `)
	AND e.start_date <= :to AND (e.end_date = '' OR e.end_date >= :from)
ORDER BY st.last_key, st.first_key, st.state_id, e.start_date, e.id`

func programOverlaps(kind string) string {
	return `EXISTS (SELECT 1 FROM programs g WHERE g.state_id = st.state_id AND ` + kind + `
		AND g.start_date <= :to AND (g.end_date = '' OR g.end_date >= :from))`
}

func latestLevel(subject string) string {
	return `COALESCE((SELECT a.performance_level FROM assessments a
		WHERE a.state_id = st.state_id AND a.subject = '` + subject + `' AND a.test_date <= :to
		ORDER BY a.test_date DESC LIMIT 1), '')`
}

func quoteList(codes []string) string {
	q := make([]string, len(codes))
	for i, c := range codes {
		q[i] = "'" + c + "'"
	}
	return strings.Join(q, ", ")
}

func qaRows(ctx context.Context, tx *sql.Tx, district string, p data.Period) ([]QARow, error) {
	rs, err := tx.QueryContext(ctx, qaQuery,
		sql.Named("district", district), sql.Named("from", p.From.String()), sql.Named("to", p.To.String()))
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []QARow
	for rs.Next() {
		var r QARow
		var birth, start, end, qad, eed string
		err := rs.Scan(&r.Student.StateID, &r.Student.LocalNumber, &r.Student.LastName, &r.Student.FirstName,
			&r.Student.MiddleName, &birth, &r.Student.Gender, &r.Student.Race,
			&r.Enrollment.ID, &r.Enrollment.SchoolNumber, &r.Enrollment.Grade, &r.Enrollment.ServiceType,
			&start, &end, &r.SchoolName,
			&r.Record.ID, &r.Record.MIS2000ID, &qad, &eed, &r.Record.Version, &r.PublishedAt,
			&r.EconomicallyDisadvantaged, &r.Homeless, &r.EnglishLearner, &r.Disability,
			&r.MathLevel, &r.ReadingLevel)
		if err != nil {
			return nil, err
		}
		r.Enrollment.StateID, r.Record.StateID = r.Student.StateID, r.Student.StateID
		dates := []struct {
			column string
			text   string
			to     *data.Date
		}{
			{"students.birth_date", birth, &r.Student.BirthDate},
			{"enrollments.start_date", start, &r.Enrollment.Start},
			{"enrollments.end_date", end, &r.Enrollment.End},
			{"migrant_records.qad", qad, &r.Record.QAD},
			{"migrant_records.eed", eed, &r.Record.EED},
		}
		for _, d := range dates {
			if *d.to, err = data.ParseOptionalDate(d.text); err != nil {
				return nil, fmt.Errorf("student %s, %s: %w", r.Student.StateID, d.column, err)
			}
		}
		out = append(out, r)
	}
	return out, rs.Err()
}
