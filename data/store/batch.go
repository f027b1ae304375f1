package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// batchRows is how many rows one INSERT statement carries in a bulk
// load. SQLite's per-statement cost dominates single-row inserts in a
// large import; a hundred rows of at most a dozen columns stays far below
// its limit on bound variables.
const batchRows = 100

// batchInsert writes n rows with multi-row INSERT statements. insert is
// the statement up to VALUES ("INSERT INTO t(a, b)"), conflict what
// follows the rows ("ON CONFLICT ... DO UPDATE ..." or ""), row appends
// the values of row i. Rows are written in order, so a later row with the
// same key wins, as with one statement per row.
func batchInsert(ctx context.Context, tx *sql.Tx, what, insert, conflict string, cols, n int, row func(i int, args []any) []any) error {
	if n == 0 {
		return nil
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	statement := func(rows int) (*sql.Stmt, error) {
		q := insert + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ") + " " + conflict
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return st, nil
	}
	full, err := statement(min(batchRows, n))
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, batchRows*cols)
	for start := 0; start < n; start += batchRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(start+batchRows, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		st := full
		if end-start < batchRows && n > batchRows {
			if st, err = statement(end - start); err != nil {
				return err
			}
		}
		_, err := st.Exec(args...)
		if st != full {
			st.Close()
		}
		if err != nil {
			return fmt.Errorf("%s rows %d to %d: %w", what, start+1, end, err)
		}
	}
	return nil
}
