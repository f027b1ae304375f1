package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
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
	// The students and their enrollments are read packed, a few values
	// for millions (see packSQL), and the students put in result order
	// here.
	var students []indexStudent
	// The sort key, which holds sortSep, comes last.
	err := readPacked(ctx, tx, packSQL(`FROM students`+scope, "state_id", "gender", "sort_key"), func(rec string) bool {
		var st indexStudent
		var ok bool
		st.id, rec, _ = strings.Cut(rec, "\x1f")
		st.gender, st.key, ok = strings.Cut(rec, "\x1f")
		students = append(students, st)
		return ok
	})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	slices.SortFunc(students, func(a, b indexStudent) int {
		return cmp.Or(strings.Compare(a.key, b.key), strings.Compare(a.id, b.id))
	})
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
	err = readPacked(ctx, tx, packSQL(`FROM enrollments`+scope, "state_id", "school_number"), func(rec string) bool {
		var two bool
		if id, school, two = strings.Cut(rec, "\x1f"); !two {
			return false
		}
		i, ok := rank[id]
		if d := districtOf[school]; ok && !slices.Contains(districts[i], d) {
			districts[i] = append(districts[i], d)
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	rank = nil

	members := map[string][]int32{}
	for i, ds := range districts {
		for _, d := range ds {
			members[d] = append(members[d], int32(i))
		}
	}
	// The name tokens are made on another goroutine while the district
	// index is written: on a second core, at no cost to the load's.
	var (
		tokens   map[fieldToken][]int32
		keys     []fieldToken
		tokenErr error
	)
	made := make(chan struct{})
	go func() {
		defer close(made)
		defer func() {
			if r := recover(); r != nil {
				tokenErr = fmt.Errorf("search index: making the name tokens stopped on an internal error (%v)", r)
			}
		}()
		tokens, keys = makeTokens(students, districts)
	}()
	values := boxStudents(students)
	err = writeDistrictIndex(ctx, tx, values, members)
	<-made
	if err = cmp.Or(err, tokenErr); err != nil {
		return err
	}
	b := newBatch(ctx, tx, "search index", `INSERT INTO name_tokens(field, token, sort_key, state_id)`, "", 4)
	for _, k := range keys {
		token := any(k.token)
		for _, r := range tokens[k] {
			if err := b.add(k.field, token, values[r].key, values[r].id); err != nil {
				b.close()
				return err
			}
		}
	}
	return b.close()
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
func writeDistrictIndex(ctx context.Context, tx *sql.Tx, students []boxedStudent, members map[string][]int32) error {
	b := newBatch(ctx, tx, "district index", `INSERT INTO district_students(district_number, sort_key, state_id, gender)`, "", 4)
	for _, d := range slices.Sorted(maps.Keys(members)) {
		district := any(d)
		for _, r := range members[d] {
			st := students[r]
			if err := b.add(district, st.key, st.id, st.gender); err != nil {
				b.close()
				return err
			}
		}
	}
	return b.close()
}

// indexStudent is what the search index holds of a student.
type indexStudent struct{ key, id, gender string }

// boxedStudent is an indexStudent as the driver takes its values. Each
// is boxed once: boxing a string allocates, and the search index binds a
// student's values once for each of its rows, some 5 on average.
type boxedStudent struct{ key, id, gender any }

func boxStudents(students []indexStudent) []boxedStudent {
	out := make([]boxedStudent, len(students))
	for i, st := range students {
		out[i] = boxedStudent{st.key, st.id, st.gender}
	}
	return out
}

// readPacked runs the query of one packed value (packSQL) and hands
// each record to record, which reads its fields and says whether it has
// as many as it should (see packed).
func readPacked(ctx context.Context, tx *sql.Tx, query string, record func(string) bool) error {
	var s string
	if err := tx.QueryRowContext(ctx, `SELECT `+query).Scan(&s); err != nil {
		return err
	}
	for s != "" {
		var rec string
		rec, s, _ = strings.Cut(s, "\x1e")
		if !record(rec) {
			return errors.New("a packed record has too few fields: the database is damaged")
		}
	}
	return nil
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
