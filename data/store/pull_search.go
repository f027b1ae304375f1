package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// snapshotSearch gathers, from a snapshot's pages as this process writes
// them, what the snapshot's search index is made of: its students' sort
// keys and genders, and their enrollments' schools. Once the students are
// written, their search rows are made from it on a goroutine while the
// workstation builds its other indexes and writes the records, instead of
// being read back from the database after the last page and made then,
// with the hub idle and the sync waiting. A workstation that resumes a
// snapshot after a restart has not seen its first pages, and one holding
// students the snapshot did not bring (local work kept through its
// start) has rows no page gathered: both read the database, as before.
type snapshotSearch struct {
	// The values gathered, end to end, that the rows below are spans
	// of: the garbage collector, run dozens of times by a first sync,
	// has no pointer to follow in them.
	text     []byte
	students []gatheredStudent
	enrolled []gatheredEnrollment
	made     *preparedSearch // once the students are written
}

// span is a value of snapshotSearch.text.
type span struct{ at, n int32 }

type gatheredStudent struct{ key, id, gender span }

// gatheredEnrollment is a student's enrollment at a school.
type gatheredEnrollment struct{ id, school span }

func (g *snapshotSearch) add(v string) span {
	s := span{int32(len(g.text)), int32(len(v))}
	g.text = append(g.text, v...)
	return s
}

// gather notes a snapshot row about to be written.
func (g *snapshotSearch) gather(table string, row map[string]string, sortKey string) {
	switch table {
	case "students":
		g.students = append(g.students, gatheredStudent{key: g.add(sortKey), id: g.add(row["state_id"]), gender: g.add(row["gender"])})
	case "enrollments":
		g.enrolled = append(g.enrolled, gatheredEnrollment{id: g.add(row["state_id"]), school: g.add(row["school_number"])})
	}
}

// append adds what a page gathered to g.
func (g *snapshotSearch) append(page *snapshotSearch) {
	base := int32(len(g.text))
	g.text = append(g.text, page.text...)
	for _, st := range page.students {
		st.key.at, st.id.at, st.gender.at = st.key.at+base, st.id.at+base, st.gender.at+base
		g.students = append(g.students, st)
	}
	for _, e := range page.enrolled {
		e.id.at, e.school.at = e.id.at+base, e.school.at+base
		g.enrolled = append(g.enrolled, e)
	}
}

// with is g and the rows a page gathered, without changing g: the page's
// transaction may yet fail.
func (g *snapshotSearch) with(page *snapshotSearch) *snapshotSearch {
	all := &snapshotSearch{text: slices.Clone(g.text), students: slices.Clone(g.students), enrolled: slices.Clone(g.enrolled)}
	all.append(page)
	return all
}

// preparedSearch is the search index of a snapshot's students, being made
// on a goroutine: done closes when rows or err is set.
type preparedSearch struct {
	done chan struct{}
	rows *indexRows
	err  error
	// What it was made of, to check against what the database holds.
	students, enrollments int
	twice                 bool // a student gathered twice
}

// prepare starts making the search index of the gathered students on a
// goroutine, reading the schools' districts first in tx.
func (g *snapshotSearch) prepare(ctx context.Context, tx *sql.Tx) (*preparedSearch, error) {
	districtOf, err := schoolDistricts(ctx, tx)
	if err != nil {
		return nil, err
	}
	p := &preparedSearch{done: make(chan struct{}), students: len(g.students), enrollments: len(g.enrolled)}
	text := string(g.text)
	str := func(s span) string { return text[s.at : s.at+s.n] }
	gathered, enrolled := g.students, g.enrolled
	go func() {
		defer close(p.done)
		defer func() {
			if r := recover(); r != nil {
				p.err = fmt.Errorf("search index: making it stopped on an internal error (%v)", r)
			}
		}()
		students := make([]indexStudent, len(gathered))
		for i, st := range gathered {
			students[i] = indexStudent{key: str(st.key), id: str(st.id), gender: str(st.gender)}
		}
		// A student gathered twice is one in the database: p.twice has
		// write read it there.
		rank, twice := inResultOrder(students)
		districts := make([][]string, len(students))
		for _, e := range enrolled {
			if i, ok := rank[str(e.id)]; ok {
				districts[i] = withDistrict(districts[i], districtOf[str(e.school)])
			}
		}
		p.rows, p.twice = newIndexRows(students, districts), twice
	}()
	return p, nil
}

// write writes the prepared search index, once it is made, when it is
// that of every student and enrollment the database holds, through raw
// when it is not nil; ok is false, and nothing is written, when it is
// not.
func (p *preparedSearch) write(ctx context.Context, tx *sql.Tx, raw *rawConn) (ok bool, err error) {
	var students, enrollments int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM students), (SELECT count(*) FROM enrollments)`).
		Scan(&students, &enrollments); err != nil {
		return false, fmt.Errorf("search index: %w", err)
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	if p.err != nil {
		return false, p.err
	}
	if p.twice || students != p.students || enrollments != p.enrollments {
		return false, nil
	}
	return true, p.rows.write(ctx, tx, raw)
}
