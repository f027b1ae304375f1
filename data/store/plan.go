package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"migrantdesk/data"
)

// ExtractPlan is what loading a state extract would change, worked out
// before anything is written, so that a person confirms an import knowing
// what it does (see PlanExtract).
type ExtractPlan struct {
	Rows ExtractCounts // the rows of each table the extract holds

	NewDistricts, NewSchools int
	// Students: new to the database; listed with some field changed; the
	// rest of those listed are as the database has them.
	NewStudents, ChangedStudents, SameStudents int
	// Enrollments: new, or with some field changed.
	NewEnrollments, ChangedEnrollments int
}

// Changes reports whether loading the extract would change anything the
// plan counts. (Program and assessment rows are replaced per student
// listed, and are not compared.)
func (p ExtractPlan) Changes() bool {
	return p.NewDistricts+p.NewSchools+p.NewStudents+p.ChangedStudents+p.NewEnrollments+p.ChangedEnrollments > 0
}

// planProgressEvery is how many rows go by between two progress calls.
const planProgressEvery = 5000

// PlanExtract works out what LoadExtract would change with the rows fill
// hands over, reading the database and writing nothing. progress, when
// not nil, hears the rows read so far every few thousand rows. It stops
// with ctx.
func (s *Store) PlanExtract(ctx context.Context, fill func(data.ExtractSink) error, progress func(rows int)) (ExtractPlan, error) {
	var p ExtractPlan
	err := s.read(ctx, func(tx *sql.Tx) error {
		pl := &planner{ctx: ctx, plan: &p, progress: progress}
		for _, q := range []struct {
			st  **sql.Stmt
			sql string
		}{
			{&pl.district, `SELECT 1 FROM districts WHERE number = ?`},
			{&pl.school, `SELECT 1 FROM schools WHERE number = ?`},
			{&pl.student, `SELECT local_number, last_name, first_name, middle_name, birth_date, gender, race
				FROM students WHERE state_id = ?`},
			{&pl.enrollment, `SELECT state_id, school_number, grade, service_type, start_date, end_date
				FROM enrollments WHERE id = ?`},
		} {
			st, err := tx.PrepareContext(ctx, q.sql)
			if err != nil {
				return err
			}
			defer st.Close()
			*q.st = st
		}
		return fill(pl)
	})
	if err != nil {
		return ExtractPlan{}, fmt.Errorf("work out what the state extract changes: %w", err)
	}
	return p, nil
}

// planner is the sink of PlanExtract: it counts the extract's rows and
// looks each key up in the database.
type planner struct {
	ctx                                   context.Context
	plan                                  *ExtractPlan
	progress                              func(rows int)
	rows                                  int
	district, school, student, enrollment *sql.Stmt
}

var _ data.ExtractSink = (*planner)(nil)

// row counts a row, says how far the plan has got, and stops when the
// context is done.
func (p *planner) row() error {
	p.rows++
	if p.rows%planProgressEvery == 0 {
		if p.progress != nil {
			p.progress(p.rows)
		}
		return p.ctx.Err()
	}
	return nil
}

// countNew counts a row whose key st does not find in the database in
// *added.
func (p *planner) countNew(st *sql.Stmt, key string, added *int) error {
	var one int
	err := st.QueryRowContext(p.ctx, key).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		*added++
	case err != nil:
		return err
	}
	return p.row()
}

func (p *planner) Region(data.Region) error {
	p.plan.Rows.Regions++
	return p.row()
}

func (p *planner) District(d data.District) error {
	p.plan.Rows.Districts++
	return p.countNew(p.district, d.Number, &p.plan.NewDistricts)
}

func (p *planner) School(sc data.School) error {
	p.plan.Rows.Schools++
	return p.countNew(p.school, sc.Number, &p.plan.NewSchools)
}

func (p *planner) Student(st data.Student) error {
	p.plan.Rows.Students++
	var have [7]string
	err := p.student.QueryRowContext(p.ctx, st.StateID).Scan(&have[0], &have[1], &have[2], &have[3], &have[4], &have[5], &have[6])
	switch {
	case errors.Is(err, sql.ErrNoRows):
		p.plan.NewStudents++
	case err != nil:
		return err
	case have != [7]string{st.LocalNumber, st.LastName, st.FirstName, st.MiddleName, dateText(st.BirthDate), st.Gender, st.Race}:
		p.plan.ChangedStudents++
	default:
		p.plan.SameStudents++
	}
	return p.row()
}

func (p *planner) Enrollment(e data.Enrollment) error {
	p.plan.Rows.Enrollments++
	var have [6]string
	err := p.enrollment.QueryRowContext(p.ctx, e.ID).Scan(&have[0], &have[1], &have[2], &have[3], &have[4], &have[5])
	switch {
	case errors.Is(err, sql.ErrNoRows):
		p.plan.NewEnrollments++
	case err != nil:
		return err
	case have != [6]string{e.StateID, e.SchoolNumber, e.Grade, e.ServiceType, dateText(e.Start), dateText(e.End)}:
		p.plan.ChangedEnrollments++
	}
	return p.row()
}

func (p *planner) Program(data.Program) error {
	p.plan.Rows.Programs++
	return p.row()
}

func (p *planner) Assessment(data.Assessment) error {
	p.plan.Rows.Assessments++
	return p.row()
}
