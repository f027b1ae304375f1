package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"migrantdesk/data"
)

const studentColumns = `state_id, local_number, last_name, first_name, middle_name, birth_date, gender, race`

// studentCols is the students columns with a table prefix such as "st.".
func studentCols(p string) string { return prefixed(p, studentColumns) }

func scanStudent(row interface{ Scan(...any) error }) (data.Student, error) {
	var st data.Student
	var birth string
	err := row.Scan(&st.StateID, &st.LocalNumber, &st.LastName, &st.FirstName, &st.MiddleName, &birth, &st.Gender, &st.Race)
	if err != nil {
		return st, err
	}
	st.BirthDate, err = data.ParseDate(birth)
	if err != nil {
		return st, fmt.Errorf("student %s: stored birth date: %w", st.StateID, err)
	}
	return st, nil
}

// StudentDetail is everything the app shows about one student.
type StudentDetail struct {
	Student     data.Student
	Enrollments []data.PlacedEnrollment // latest start first
	Programs    []data.Program          // latest start first
	Assessments []data.Assessment
	Records     []Record // migrant records, latest QAD first
	// LeftOut: the hub's last snapshot left the student out of the
	// user's scope while records of theirs waited here, so the
	// enrollments here (none) do not say who may change the records
	// (data.User.MayWriteRecordsHere).
	LeftOut bool
}

// Student reads one student's detail in one snapshot.
func (s *Store) Student(ctx context.Context, stateID string) (StudentDetail, error) {
	var d StudentDetail
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		d.Student, err = scanStudent(tx.QueryRow(`SELECT `+studentColumns+` FROM students WHERE state_id = ?`, stateID))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("state ID %q: %w", stateID, ErrNoStudent)
		}
		if err != nil {
			return err
		}
		if d.Enrollments, err = enrollmentsOf(tx, stateID); err != nil {
			return err
		}
		if d.LeftOut, err = leftOut(tx, stateID); err != nil {
			return err
		}
		if d.Programs, err = programsOf(tx, stateID); err != nil {
			return err
		}
		if d.Assessments, err = assessmentsOf(tx, stateID); err != nil {
			return err
		}
		if d.Records, err = recordsOf(tx, stateID); err != nil {
			return err
		}
		for i := range d.Records {
			r := &d.Records[i]
			if err := fillStatus(tx, r); err != nil {
				return err
			}
			if r.Conflicted, err = hasConflict(tx, r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return StudentDetail{}, fmt.Errorf("read student %s: %w", stateID, err)
	}
	return d, nil
}

func enrollmentsOf(tx *sql.Tx, stateID string) ([]data.PlacedEnrollment, error) {
	rows, err := tx.Query(`SELECT e.id, e.state_id, e.school_number, e.grade, e.service_type, e.start_date, e.end_date,
			sc.name, sc.classification, d.number, d.name, d.region_code
		FROM enrollments e JOIN schools sc ON sc.number = e.school_number
		JOIN districts d ON d.number = sc.district_number
		WHERE e.state_id = ? ORDER BY e.start_date DESC, e.service_type, e.id`, stateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.PlacedEnrollment
	for rows.Next() {
		var e data.PlacedEnrollment
		var start, end string
		if err := rows.Scan(&e.ID, &e.StateID, &e.SchoolNumber, &e.Grade, &e.ServiceType, &start, &end,
			&e.School.Name, &e.School.Classification, &e.District.Number, &e.District.Name, &e.District.RegionCode); err != nil {
			return nil, err
		}
		e.School.Number, e.School.DistrictNumber = e.SchoolNumber, e.District.Number
		if e.Start, err = data.ParseDate(start); err != nil {
			return nil, err
		}
		if e.End, err = data.ParseOptionalDate(end); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func programsOf(tx *sql.Tx, stateID string) ([]data.Program, error) {
	rows, err := tx.Query(`SELECT state_id, program, code, start_date, end_date FROM programs
		WHERE state_id = ? ORDER BY start_date DESC, program`, stateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.Program
	for rows.Next() {
		var p data.Program
		var start, end string
		if err := rows.Scan(&p.StateID, &p.Program, &p.Code, &start, &end); err != nil {
			return nil, err
		}
		if p.Start, err = data.ParseDate(start); err != nil {
			return nil, err
		}
		if p.End, err = data.ParseOptionalDate(end); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func assessmentsOf(tx *sql.Tx, stateID string) ([]data.Assessment, error) {
	rows, err := tx.Query(`SELECT state_id, subject, test_date, performance_level FROM assessments
		WHERE state_id = ? ORDER BY test_date DESC, subject`, stateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.Assessment
	for rows.Next() {
		var a data.Assessment
		var when string
		if err := rows.Scan(&a.StateID, &a.Subject, &when, &a.Level); err != nil {
			return nil, err
		}
		if a.TestDate, err = data.ParseDate(when); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Districts lists districts, of one region or ("") all, by number.
func (s *Store) Districts(ctx context.Context, region string) ([]data.District, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT number, name, region_code FROM districts
		WHERE ? = '' OR region_code = ? ORDER BY number`, region, region)
	if err != nil {
		return nil, fmt.Errorf("list districts: %w", err)
	}
	defer rows.Close()
	var out []data.District
	for rows.Next() {
		var d data.District
		if err := rows.Scan(&d.Number, &d.Name, &d.RegionCode); err != nil {
			return nil, fmt.Errorf("list districts: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// District returns one district, or an error naming the unknown number.
func (s *Store) District(ctx context.Context, number string) (data.District, error) {
	d := data.District{Number: strings.TrimSpace(number)}
	err := s.r.QueryRowContext(ctx, `SELECT name, region_code FROM districts WHERE number = ?`, d.Number).Scan(&d.Name, &d.RegionCode)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("there is no district number %q", d.Number)
	}
	if err != nil {
		return d, fmt.Errorf("read district %s: %w", d.Number, err)
	}
	return d, nil
}

// Regions lists regions by code.
func (s *Store) Regions(ctx context.Context) ([]data.Region, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT code, name FROM regions ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list regions: %w", err)
	}
	defer rows.Close()
	var out []data.Region
	for rows.Next() {
		var r data.Region
		if err := rows.Scan(&r.Code, &r.Name); err != nil {
			return nil, fmt.Errorf("list regions: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
