package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// batchRows is how many rows one INSERT statement carries in a bulk
// load. SQLite's per-statement cost dominates single-row inserts in a
// large import; a few hundred rows of at most a dozen columns stays far
// below its limit on bound variables.
const batchRows = 256

// keptRows is the most rows a statement kept from page to page of a
// snapshot carries. Preparing an INSERT costs SQLite about a microsecond
// and a half a row of ten values, paid again on every workstation's
// first sync, and a district's takes a page or two: the powers of two
// up to a full batch of 256 rows that each table was written with cost
// a fifth of such a sync's CPU. Three sizes up to 64 rows prepare a
// seventh as much, and running a 64-row statement four times in place
// of one of 256 adds a few microseconds a batch.
const keptRows = 64

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
	full                   *sql.Stmt        // for batchRows rows, prepared at the first full batch
	raw                    *rawConn         // when set, the rows are written through it
	rawFull                *rawStmt         // full, on raw
	rawKept                map[int]*rawStmt // by rows, kept on raw.kept
	args                   []any            // the values of the rows added, on tx
	vals                   rawValues        // the same on raw
	rows                   int              // rows added since the last write
	written                int              // rows written so far
}

func newBatch(ctx context.Context, tx *sql.Tx, what, insert, conflict string, cols int) *batch {
	return &batch{ctx: ctx, tx: tx, what: what, insert: insert, conflict: conflict, cols: cols,
		args: make([]any, 0, batchRows*cols)}
}

// newRawBatch is newBatch writing through raw, the handle of tx's
// connection, or through tx when raw is nil.
func newRawBatch(ctx context.Context, tx *sql.Tx, raw *rawConn, what, insert, conflict string, cols int) *batch {
	b := newBatch(ctx, tx, what, insert, conflict, cols)
	b.raw = raw
	return b
}

// add appends one row's values, cols of them: strings, ints, bools and
// nil. It writes the batch when it is full.
func (b *batch) add(values ...any) error {
	if b.raw == nil {
		b.args = append(b.args, values...)
	} else {
		for _, v := range values {
			b.vals.add(v)
		}
	}
	return b.row()
}

// text and num append a value to the row being added, which row ends.
// Unlike add's, their values need not be boxed in interfaces, which
// allocates each string's: a state import adds some 20 million.
func (b *batch) text(s string) {
	if b.raw == nil {
		b.args = append(b.args, s)
	} else {
		b.vals.text(s)
	}
}

func (b *batch) num(n int64) {
	if b.raw == nil {
		b.args = append(b.args, n)
	} else {
		b.vals.num(n)
	}
}

// addTexts appends a row of strings, as add.
func (b *batch) addTexts(values ...string) error {
	for _, v := range values {
		b.text(v)
	}
	return b.row()
}

// row ends the row being added, writing the batch when it is full.
func (b *batch) row() error {
	b.rows++
	if b.rows < batchRows {
		return nil
	}
	return b.flush()
}

// flush writes the rows added since the last write.
func (b *batch) flush() error {
	rows := b.rows
	if rows == 0 {
		return nil
	}
	if err := b.ctx.Err(); err != nil {
		return err
	}
	if b.raw != nil {
		return b.flushRaw(rows)
	}
	st := b.full
	if rows < batchRows || st == nil {
		var err error
		if st, err = b.prepare(rows); err != nil {
			return err
		}
		if rows == batchRows {
			b.full = st
		} else {
			defer st.Close()
		}
	}
	if _, err := st.Exec(b.args...); err != nil {
		return fmt.Errorf("%s rows %d to %d: %w", b.what, b.written+1, b.written+rows, err)
	}
	b.written += rows
	b.rows = 0
	clear(b.args) // lets the strings of written rows go
	b.args = b.args[:0]
	return nil
}

// flushRaw is flush on b.raw. With statements kept from page to page of
// a snapshot (see keptStmts), the rows are written, in order, by
// statements of keptRows rows, then of keptRows/8, then of single rows,
// so that every page uses the same three.
func (b *batch) flushRaw(rows int) error {
	if len(b.vals.vals) != rows*b.cols {
		return fmt.Errorf("%s rows %d to %d: %d values for %d columns", b.what, b.written+1, b.written+rows, len(b.vals.vals), rows*b.cols)
	}
	for done := 0; done < rows; {
		size := rows - done
		if b.raw.kept != nil {
			size = keptRows
			for size > rows-done {
				size /= 8
			}
		}
		st, err := b.rawStatement(size)
		if err != nil {
			return err
		}
		part := rawValues{vals: b.vals.vals[done*b.cols : (done+size)*b.cols], buf: b.vals.buf, err: b.vals.err}
		err = st.exec(&part)
		if size < batchRows {
			st.close()
		}
		if err != nil {
			return fmt.Errorf("%s rows %d to %d: %w", b.what, b.written+done+1, b.written+done+size, err)
		}
		done += size
	}
	b.written += rows
	b.rows = 0
	b.vals.reset()
	return nil
}

// rawStatement is the INSERT of rows rows on b.raw, kept while b writes
// when it is of a full batch.
func (b *batch) rawStatement(rows int) (*rawStmt, error) {
	if rows == batchRows && b.rawFull != nil {
		return b.rawFull, nil
	}
	if st := b.rawKept[rows]; st != nil {
		return st, nil
	}
	st, err := b.raw.prepareKept(b.statement(rows))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.what, err)
	}
	switch {
	case st.kept:
		if b.rawKept == nil {
			b.rawKept = map[int]*rawStmt{}
		}
		b.rawKept[rows] = st
	case rows == batchRows:
		b.rawFull = st
	}
	return st, nil
}

// statement is the INSERT of rows rows.
func (b *batch) statement(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", b.cols), ", ") + ")"
	return b.insert + " VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ") + " " + b.conflict
}

func (b *batch) prepare(rows int) (*sql.Stmt, error) {
	st, err := b.tx.PrepareContext(b.ctx, b.statement(rows))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.what, err)
	}
	return st, nil
}

// close writes what is left and releases the statement.
func (b *batch) close() error {
	err := b.flush()
	if b.full != nil {
		b.full.Close()
		b.full = nil
	}
	if b.rawFull != nil {
		b.rawFull.close()
		b.rawFull = nil
	}
	return err
}

// rowWriter takes the rows of a batch's fill.
type rowWriter struct {
	b *batch  // writing them as they come, or
	f *filler // handing them over to be written
}

func (w *rowWriter) add(values ...any) error {
	if w.f != nil {
		return w.f.add(values)
	}
	return w.b.add(values...)
}

// fill writes the rows that rows adds, and closes b. When b writes
// through a raw handle, rows runs on another goroutine, which makes the
// batches' values while this one writes them: SQLite's half of the work
// is this goroutine's, the rest goes to the second core.
func (b *batch) fill(rows func(*rowWriter) error) error {
	if b.raw == nil {
		err := rows(&rowWriter{b: b})
		return cmp.Or(err, b.close())
	}
	f := &filler{full: make(chan *filled, fillAhead), free: make(chan *filled, fillAhead+2), stop: make(chan struct{})}
	for range fillAhead + 1 {
		f.free <- new(filled)
	}
	f.cur = new(filled)
	var fillErr error
	go func() {
		defer close(f.full)
		defer func() {
			if r := recover(); r != nil {
				fillErr = fmt.Errorf("%s: making the rows stopped on an internal error (%v)", b.what, r)
			}
		}()
		if fillErr = rows(&rowWriter{f: f}); fillErr == nil && f.cur.rows > 0 {
			f.send()
		}
	}()
	var err error
	for c := range f.full {
		if err == nil {
			b.vals, b.rows = c.vals, c.rows
			if err = b.flush(); err != nil {
				close(f.stop)
			}
			c.vals = b.vals
		}
		f.free <- c
	}
	b.vals = rawValues{}
	if errors.Is(fillErr, errWriterStopped) {
		fillErr = nil
	}
	return cmp.Or(err, fillErr, b.close())
}

// fillAhead is how many batches a fill may make before they are written.
const fillAhead = 2

// filler is the making side of a fill.
type filler struct {
	cur        *filled
	full, free chan *filled
	stop       chan struct{} // the writer failed
}

// filled is a batch of rows made for a fill.
type filled struct {
	vals rawValues
	rows int
}

var errWriterStopped = errors.New("the rows are no longer written")

func (f *filler) add(values []any) error {
	for _, v := range values {
		f.cur.vals.add(v)
	}
	f.cur.rows++
	if f.cur.rows < batchRows {
		return nil
	}
	return f.send()
}

// send hands the batch made over to the writer and takes an empty one.
func (f *filler) send() error {
	select {
	case f.full <- f.cur:
	case <-f.stop:
		return errWriterStopped
	}
	select {
	case f.cur = <-f.free:
	case <-f.stop:
		return errWriterStopped
	}
	f.cur.vals.reset()
	f.cur.rows = 0
	return nil
}
