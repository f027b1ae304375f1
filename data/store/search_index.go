package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// writeSearchIndex writes what Search finds students by: their name
// tokens (name_tokens) and, for each district they are enrolled in, a
// district_students row. It indexes every student, or with listedOnly
// those in temp.listed, none of whom may have rows there yet.
//
// The rows are made in memory and written in key order, so that SQLite
// appends to each index page instead of splitting pages all over the
// index: each student's rank in result order stands for the student,
// and a token's list of ranks is made in that order.
func writeSearchIndex(ctx context.Context, tx *sql.Tx, listedOnly bool) error {
	scope := ""
	if listedOnly {
		scope = ` WHERE state_id IN (SELECT state_id FROM temp.listed)`
	}
	// In result order: the students of each gender come in that order
	// from an index, and are merged.
	var runs [][]indexStudent
	err := scan(ctx, tx, `SELECT gender, sort_key, state_id FROM students`+scope+` ORDER BY gender, sort_key, state_id`, nil,
		func(r *sql.Rows) error {
			var st indexStudent
			if err := r.Scan(&st.gender, &st.key, &st.id); err != nil {
				return err
			}
			if n := len(runs); n == 0 || runs[n-1][0].gender != st.gender {
				runs = append(runs, nil)
			}
			runs[len(runs)-1] = append(runs[len(runs)-1], st)
			return nil
		})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	students := mergeRuns(runs)
	runs = nil
	rank := make(map[string]int32, len(students))
	for i, st := range students {
		rank[st.id] = int32(i)
	}
	districtOf := map[string]string{}
	err = scan(ctx, tx, `SELECT number, district_number FROM schools`, nil, func(r *sql.Rows) error {
		var school, district string
		err := r.Scan(&school, &district)
		districtOf[school] = district
		return err
	})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	districts := make([][]string, len(students))
	var school, id string
	err = scan(ctx, tx, `SELECT state_id, school_number FROM enrollments`+scope, nil, func(r *sql.Rows) error {
		if err := r.Scan(&id, &school); err != nil {
			return err
		}
		i, ok := rank[id]
		if d := districtOf[school]; ok && !slices.Contains(districts[i], d) {
			districts[i] = append(districts[i], d)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	rank = nil
	return writeSearchRows(ctx, tx, students, districts, nil)
}

// writeSearchRows writes the search index of students, in result order,
// each enrolled in the districts of the same place in districts. made
// holds their name tokens when they are being made already (see
// snapshotSearch); nil makes them here.
func writeSearchRows(ctx context.Context, tx *sql.Tx, students []indexStudent, districts [][]string, made *madeTokens) error {
	members := map[string][]int32{}
	for i, ds := range districts {
		for _, d := range ds {
			members[d] = append(members[d], int32(i))
		}
	}
	// The name tokens are made on another goroutine while the district
	// index is written: on a second core, at no cost to the load's.
	if made == nil {
		made = makeTokensAsync(students, districts)
	}
	err := writeDistrictIndex(ctx, tx, students, members)
	<-made.done
	if err = cmp.Or(err, made.err); err != nil {
		return err
	}
	b := newBatch(ctx, tx, "search index", `INSERT INTO name_tokens(field, token, sort_key, state_id)`, "", 4)
	for _, k := range made.keys {
		for _, r := range made.tokens[k] {
			if err := b.add(k.field, k.token, students[r].key, students[r].id); err != nil {
				b.close()
				return err
			}
		}
	}
	return b.close()
}

// madeTokens are name tokens made on a goroutine: done closes when
// tokens and keys (as makeTokens returns them) or err are set.
type madeTokens struct {
	done   chan struct{}
	tokens map[fieldToken][]int32
	keys   []fieldToken
	err    error
}

// makeTokensAsync starts making the name tokens of the students on a
// goroutine.
func makeTokensAsync(students []indexStudent, districts [][]string) *madeTokens {
	m := &madeTokens{done: make(chan struct{})}
	go func() {
		defer close(m.done)
		defer func() {
			if r := recover(); r != nil {
				m.err = fmt.Errorf("search index: making the name tokens stopped on an internal error (%v)", r)
			}
		}()
		m.tokens, m.keys = makeTokens(students, districts)
	}()
	return m
}

// fieldToken is a row of name_tokens but the student.
type fieldToken struct {
	field int
	token string
}

// makeTokens makes the name tokens of the students, each in result
// order with the districts it is enrolled in: the students of each
// token in that order, and the tokens in key order.
func makeTokens(students []indexStudent, districts [][]string) (map[fieldToken][]int32, []fieldToken) {
	tokens := map[fieldToken][]int32{}
	for i, st := range students {
		r := int32(i)
		last, first, _ := strings.Cut(st.key, sortSep)
		for _, t := range nameTokens(last, first, districts[i]) {
			k := fieldToken{t.field, t.token}
			if l := tokens[k]; len(l) == 0 || l[len(l)-1] != r {
				tokens[k] = append(l, r)
			}
		}
	}
	return tokens, slices.SortedFunc(maps.Keys(tokens), func(a, b fieldToken) int {
		return cmp.Or(cmp.Compare(a.field, b.field), strings.Compare(a.token, b.token))
	})
}

// writeDistrictIndex writes district_students in key order: members are
// the students of each district, in result order.
func writeDistrictIndex(ctx context.Context, tx *sql.Tx, students []indexStudent, members map[string][]int32) error {
	b := newBatch(ctx, tx, "district index", `INSERT INTO district_students(district_number, sort_key, state_id, gender)`, "", 4)
	for _, d := range slices.Sorted(maps.Keys(members)) {
		for _, r := range members[d] {
			st := students[r]
			if err := b.add(d, st.key, st.id, st.gender); err != nil {
				b.close()
				return err
			}
		}
	}
	return b.close()
}

// indexStudent is what the search index holds of a student.
type indexStudent struct{ key, id, gender string }

// mergeRuns merges runs of students, each in result order, into one.
func mergeRuns(runs [][]indexStudent) []indexStudent {
	n := 0
	for _, r := range runs {
		n += len(r)
	}
	out := make([]indexStudent, 0, n)
	for len(out) < n {
		best := -1
		for i, r := range runs {
			if len(r) > 0 && (best < 0 || r[0].key < runs[best][0].key ||
				r[0].key == runs[best][0].key && r[0].id < runs[best][0].id) {
				best = i
			}
		}
		out = append(out, runs[best][0])
		runs[best] = runs[best][1:]
	}
	return out
}

// scan runs a query and hands each row to row.
func scan(ctx context.Context, tx *sql.Tx, q string, args []any, row func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
