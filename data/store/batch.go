package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
)

// batchRows is how many rows one INSERT statement carries in a bulk
// load. SQLite's per-statement cost dominates single-row inserts in a
// large import; a few hundred rows of at most a dozen columns stays far
// below its limit on bound variables.
const batchRows = 256

// batch writes rows as they come with multi-row INSERT statements: insert
// is the statement up to VALUES ("INSERT INTO t(a, b)"), conflict what
// follows the rows ("ON CONFLICT ... DO UPDATE ..." or ""). Rows are
// written in order, so a later row with the same key wins, as with one
// statement per row.
type batch struct {
	ctx                    context.Context
	tx                     *sql.Tx
	what, insert, conflict string
	cols                   int
	full                   *sql.Stmt // for batchRows rows, prepared at the first full batch
	args                   []any
	written                int // rows written so far

	// With conn, the connection tx was begun on, full batches go to the
	// driver's statement directly (see direct).
	conn  *sql.Conn
	raw   driver.Stmt
	named []driver.NamedValue
}

func newBatch(ctx context.Context, tx *sql.Tx, what, insert, conflict string, cols int) *batch {
	return &batch{ctx: ctx, tx: tx, what: what, insert: insert, conflict: conflict, cols: cols,
		args: make([]any, 0, batchRows*cols)}
}

// direct makes full batches skip database/sql: conn must be the
// connection tx was begun on, so that the rows still go into tx. Through
// database/sql each execution converts and checks every one of its
// thousands of values and allocates them a new slice: a tenth of a state
// import's CPU. The driver's statement, prepared once, takes a slice
// reused from batch to batch.
func (b *batch) direct(conn *sql.Conn) *batch {
	b.conn = conn
	b.named = make([]driver.NamedValue, batchRows*b.cols)
	for i := range b.named {
		b.named[i].Ordinal = i + 1
	}
	return b
}

// add appends one row's values, cols of them, and writes the batch when
// it is full.
func (b *batch) add(values ...any) error {
	b.args = append(b.args, values...)
	if len(b.args) < batchRows*b.cols {
		return nil
	}
	return b.flush()
}

// flush writes the rows added since the last write.
func (b *batch) flush() error {
	rows := len(b.args) / b.cols
	if rows == 0 {
		return nil
	}
	if err := b.ctx.Err(); err != nil {
		return err
	}
	var err error
	if b.conn != nil && rows == batchRows {
		err = b.execDirect()
	} else {
		err = b.exec(rows)
	}
	if err != nil {
		return fmt.Errorf("%s rows %d to %d: %w", b.what, b.written+1, b.written+rows, err)
	}
	b.written += rows
	clear(b.args) // lets the strings of written rows go
	b.args = b.args[:0]
	return nil
}

// exec writes the rows through database/sql.
func (b *batch) exec(rows int) error {
	st := b.full
	if rows < batchRows || st == nil {
		var err error
		if st, err = b.tx.PrepareContext(b.ctx, b.query(rows)); err != nil {
			return err
		}
		if rows == batchRows {
			b.full = st
		} else {
			defer st.Close()
		}
	}
	_, err := st.Exec(b.args...)
	return err
}

// execDirect writes a full batch with the driver's statement.
func (b *batch) execDirect() error {
	for i, v := range b.args {
		dv, err := driverValue(v)
		if err != nil {
			return err
		}
		b.named[i].Value = dv
	}
	defer func() {
		for i := range b.named {
			b.named[i].Value = nil // lets the strings of written rows go
		}
	}()
	return b.conn.Raw(func(dc any) error {
		if b.raw == nil {
			prep, ok := dc.(driver.ConnPrepareContext)
			if !ok {
				return errors.New("the SQLite driver cannot prepare a statement with a context")
			}
			st, err := prep.PrepareContext(b.ctx, b.query(batchRows))
			if err != nil {
				return err
			}
			b.raw = st
		}
		ex, ok := b.raw.(driver.StmtExecContext)
		if !ok {
			return errors.New("the SQLite driver cannot run a statement with a context")
		}
		_, err := ex.ExecContext(b.ctx, b.named)
		return err
	})
}

// driverValue is what database/sql would hand the driver for v: the
// values a load writes are mostly strings, which pass as they are.
func driverValue(v any) (driver.Value, error) {
	switch v.(type) {
	case string, int64, nil, bool, float64, []byte:
		return v, nil
	}
	return driver.DefaultParameterConverter.ConvertValue(v)
}

func (b *batch) query(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", b.cols), ", ") + ")"
	return b.insert + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ") + " " + b.conflict
}

// close writes what is left and releases the statements.
func (b *batch) close() error {
	err := b.flush()
	if b.full != nil {
		b.full.Close()
		b.full = nil
	}
	if b.raw != nil {
		st := b.raw
		b.raw = nil
		if cerr := b.conn.Raw(func(any) error { return st.Close() }); err == nil {
			err = cerr
		}
	}
	return err
}
