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
	var ids, keys []string
	rank := map[string]int32{}
	err := scan(ctx, tx, `SELECT state_id, sort_key FROM students`+scope+` ORDER BY sort_key, state_id`, nil,
		func(r *sql.Rows) error {
			var id, key string
			if err := r.Scan(&id, &key); err != nil {
				return err
			}
			rank[id] = int32(len(ids))
			ids, keys = append(ids, id), append(keys, key)
			return nil
		})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
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
	districts := make([][]string, len(ids))
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

	type fieldToken struct {
		field int
		token string
	}
	tokens := map[fieldToken][]int32{}
	members := map[string][]int32{}
	for i, key := range keys {
		r := int32(i)
		last, first, _ := strings.Cut(key, sortSep)
		for _, d := range districts[i] {
			members[d] = append(members[d], r)
		}
		for _, t := range nameTokens(last, first, districts[i]) {
			k := fieldToken{t.field, t.token}
			if l := tokens[k]; len(l) == 0 || l[len(l)-1] != r {
				tokens[k] = append(l, r)
			}
		}
	}
	districts = nil

	b := newBatch(ctx, tx, "search index", `INSERT INTO name_tokens(field, token, sort_key, state_id)`, "", 4)
	for _, k := range slices.SortedFunc(maps.Keys(tokens), func(a, b fieldToken) int {
		return cmp.Or(cmp.Compare(a.field, b.field), strings.Compare(a.token, b.token))
	}) {
		for _, r := range tokens[k] {
			if err := b.add(k.field, k.token, keys[r], ids[r]); err != nil {
				b.close()
				return err
			}
		}
	}
	if err := b.close(); err != nil {
		return err
	}
	b = newBatch(ctx, tx, "district index", `INSERT INTO district_students(district_number, sort_key, state_id)`, "", 3)
	for _, d := range slices.Sorted(maps.Keys(members)) {
		for _, r := range members[d] {
			if err := b.add(d, keys[r], ids[r]); err != nil {
				b.close()
				return err
			}
		}
	}
	return b.close()
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
