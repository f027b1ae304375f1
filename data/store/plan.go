package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

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
	// Enrollments: new, or with some field changed; of those changed,
	// the ones given to another student (ExtractCounts.Moved).
	NewEnrollments, ChangedEnrollments, MovedEnrollments int
}

// Changes reports whether loading the extract would change anything the
// plan counts. (Program and assessment rows are replaced per student
// listed, and are not compared.)
func (p ExtractPlan) Changes() bool {
	return p.NewDistricts+p.NewSchools+p.NewStudents+p.ChangedStudents+p.NewEnrollments+p.ChangedEnrollments > 0
}

// planProgressEvery is how many rows go by between two progress calls.
const planProgressEvery = 5000

// planBatch is how many keys one lookup of PlanExtract asks the database
// for: a query per row costs about as much as reading the row from the
// file again.
const planBatch = 256

// PlanExtract works out what LoadExtract would change with the rows fill
// hands over, reading the database and writing nothing. progress, when
// not nil, hears the rows read so far every few thousand rows. It stops
// with ctx.
func (s *Store) PlanExtract(ctx context.Context, fill func(data.ExtractSink) error, progress func(rows int)) (ExtractPlan, error) {
	var p ExtractPlan
	err := s.read(ctx, func(tx *sql.Tx) error {
		pl := &planner{ctx: ctx, plan: &p, progress: progress}
		pl.district = &lookup{tx: tx, table: "districts", key: "number", counted: func(found, _ bool) {
			if !found {
				p.NewDistricts++
			}
		}}
		pl.school = &lookup{tx: tx, table: "schools", key: "number", counted: func(found, _ bool) {
			if !found {
				p.NewSchools++
			}
		}}
		pl.student = &lookup{tx: tx, table: "students", key: "state_id",
			cols: "local_number, last_name, first_name, middle_name, birth_date, gender, race",
			counted: func(found, same bool) {
				switch {
				case !found:
					p.NewStudents++
				case same:
					p.SameStudents++
				default:
					p.ChangedStudents++
				}
			}}
		pl.enrollment = &lookup{tx: tx, table: "enrollments", key: "id",
			cols: "state_id, school_number, grade, service_type, start_date, end_date",
			counted: func(found, same bool) {
				switch {
				case !found:
					p.NewEnrollments++
				case !same:
					p.ChangedEnrollments++
				}
			},
			found: func(have, want []string) {
				if have[0] != want[0] { // state_id
					p.MovedEnrollments++
				}
			}}
		lookups := []*lookup{pl.district, pl.school, pl.student, pl.enrollment}
		defer func() {
			for _, l := range lookups {
				l.close()
			}
		}()
		if err := fill(pl); err != nil {
			return err
		}
		for _, l := range lookups {
			if err := l.flush(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ExtractPlan{}, fmt.Errorf("work out what the state extract changes: %w", err)
	}
	return p, nil
}

// lookup finds the rows of one table by key, planBatch keys at a time,
// and compares their columns with the extract's values.
type lookup struct {
	tx         *sql.Tx
	table, key string
	cols       string // the columns compared, as a select list; "" none
	// counted hears, for each key in the order added, whether the table
	// has it and whether its columns are the extract's.
	counted func(found, same bool)
	// found, when not nil, hears the table's values and the extract's of
	// each key the table has.
	found func(have, want []string)

	keys []string
	want [][]string
	full *sql.Stmt // the query of a full batch, prepared once
}

// add queues a key and the extract's values of its columns.
func (l *lookup) add(ctx context.Context, key string, values ...string) error {
	l.keys = append(l.keys, key)
	l.want = append(l.want, values)
	if len(l.keys) < planBatch {
		return nil
	}
	return l.flush(ctx)
}

// flush looks the queued keys up.
func (l *lookup) flush(ctx context.Context) error {
	if len(l.keys) == 0 {
		return nil
	}
	sel := l.key
	if l.cols != "" {
		sel += ", " + l.cols
	}
	query := fmt.Sprintf(`SELECT %s FROM %s WHERE %s IN (?%s)`, sel, l.table, l.key, strings.Repeat(", ?", len(l.keys)-1))
	args := make([]any, len(l.keys))
	for i, k := range l.keys {
		args[i] = k
	}
	var rows *sql.Rows
	var err error
	switch {
	case len(l.keys) < planBatch:
		rows, err = l.tx.QueryContext(ctx, query, args...)
	default:
		if l.full == nil {
			if l.full, err = l.tx.PrepareContext(ctx, query); err != nil {
				return err
			}
		}
		rows, err = l.full.QueryContext(ctx, args...)
	}
	if err != nil {
		return err
	}
	have := make(map[string][]string, len(l.keys))
	n := len(l.want[0])
	for rows.Next() {
		vals := make([]string, 1+n)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		have[vals[0]] = vals[1:]
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, k := range l.keys {
		got, found := have[k]
		l.counted(found, found && slices.Equal(got, l.want[i]))
		if found && l.found != nil {
			l.found(got, l.want[i])
		}
	}
	l.keys, l.want = l.keys[:0], l.want[:0]
	return nil
}

func (l *lookup) close() {
	if l.full != nil {
		l.full.Close()
	}
}

// planner is the sink of PlanExtract: it counts the extract's rows and
// looks their keys up in the database.
type planner struct {
	ctx                                   context.Context
	plan                                  *ExtractPlan
	progress                              func(rows int)
	rows                                  int
	district, school, student, enrollment *lookup
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

func (p *planner) Region(data.Region) error {
	p.plan.Rows.Regions++
	return p.row()
}

func (p *planner) District(d data.District) error {
	p.plan.Rows.Districts++
	if err := p.district.add(p.ctx, d.Number); err != nil {
		return err
	}
	return p.row()
}

func (p *planner) School(sc data.School) error {
	p.plan.Rows.Schools++
	if err := p.school.add(p.ctx, sc.Number); err != nil {
		return err
	}
	return p.row()
}

func (p *planner) Student(st data.Student) error {
	p.plan.Rows.Students++
	if err := p.student.add(p.ctx, st.StateID, st.LocalNumber, st.LastName, st.FirstName, st.MiddleName,
		dateText(st.BirthDate), st.Gender, st.Race); err != nil {
		return err
	}
	return p.row()
}

func (p *planner) Enrollment(e data.Enrollment) error {
	p.plan.Rows.Enrollments++
	if err := p.enrollment.add(p.ctx, e.ID, e.StateID, e.SchoolNumber, e.Grade, e.ServiceType,
		dateText(e.Start), dateText(e.End)); err != nil {
		return err
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

func (p *planner) Absent(table string) error {
	_, err := p.plan.Rows.keep(table)
	return err
}
