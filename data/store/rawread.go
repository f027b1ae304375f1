package store

import (
	"context"
	"database/sql"
	"fmt"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// ReadText runs q with args on conn, inside the transaction under way on
// it if any, through SQLite's own calls, and hands got each row's
// columns, of which q must select cols, as text (NULL as ""; the strings
// are got's to keep). A bulk read (a hub's snapshot of a region, ten
// million values) went through database/sql and the driver, where each
// value was asked its type, copied into an allocation of its own and
// scanned, under the connection's lock.
//
// It reports false, having read nothing, when it cannot run q so: an
// argument other than a string or an integer, or a driver's connection
// that does not show its handle (see rawHandle). The caller reads through
// database/sql then.
func ReadText(ctx context.Context, conn *sql.Conn, q string, args []any, cols int, got func(vals []string) error) (bool, error) {
	for _, a := range args {
		switch a.(type) {
		case string, int, int64:
		default:
			return false, nil
		}
	}
	read := false
	// The connection is held as database/sql holds it for its own calls,
	// so that a rollback on a cancelled context waits for the read to end.
	err := conn.Raw(func(dc any) error {
		db := rawHandle(dc)
		if db == 0 {
			return nil
		}
		read = true
		r := &rawConn{db: db, tls: libc.NewTLS()}
		defer r.release()
		// Every value read takes and gives back the connection's mutex
		// (a sixth of a hub's snapshot page). The connection is this
		// goroutine's alone until Raw returns, and the read calls nothing
		// that another goroutine could be in, so the mutex is set aside
		// for it, as a bulk write's is (rawConn.held).
		r.findMutex()
		r.unlock()
		defer r.relock()
		return r.readText(ctx, q, args, cols, got)
	})
	return read, err
}

// readCancelEvery is how many rows a raw read steps between looks at its
// context.
const readCancelEvery = 1024

func (r *rawConn) readText(ctx context.Context, q string, args []any, cols int, got func([]string) error) error {
	s, err := r.prepare(q)
	if err != nil {
		return err
	}
	tls := r.tls
	// SQLite reads a bound text in place until the statement is
	// finalized: the copies in C memory are freed after it.
	var texts []uintptr
	defer func() {
		s.close()
		for _, p := range texts {
			libc.Xfree(tls, p)
		}
	}()
	if n := int(sqlite3.Xsqlite3_column_count(tls, s.stmt)); n != cols {
		return fmt.Errorf("the query selects %d columns, not %d", n, cols)
	}
	if len(args) != s.params {
		return fmt.Errorf("%d values for %d parameters", len(args), s.params)
	}
	for i, a := range args {
		var rc int32
		switch a := a.(type) {
		case string:
			p, err := libc.CString(a)
			if err != nil {
				return err
			}
			texts = append(texts, p)
			rc = sqlite3.Xsqlite3_bind_text(tls, s.stmt, int32(i+1), p, int32(len(a)), 0)
		case int:
			rc = sqlite3.Xsqlite3_bind_int64(tls, s.stmt, int32(i+1), int64(a))
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(tls, s.stmt, int32(i+1), a)
		}
		if rc != sqlite3.SQLITE_OK {
			return r.err(rc)
		}
	}
	vals := make([]string, cols)
	ends := make([]int, cols)
	var buf []byte
	for n := 1; ; n++ {
		if n%readCancelEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		switch rc := sqlite3.Xsqlite3_step(tls, s.stmt); rc {
		case sqlite3.SQLITE_ROW:
		case sqlite3.SQLITE_DONE:
			return nil
		default:
			return r.err(rc)
		}
		// A row's texts are one allocation, each value a part of it.
		buf = buf[:0]
		for i := range cols {
			p := sqlite3.Xsqlite3_column_text(tls, s.stmt, int32(i))
			if k := int(sqlite3.Xsqlite3_column_bytes(tls, s.stmt, int32(i))); p != 0 && k > 0 {
				buf = append(buf, libc.GoBytes(p, k)...)
			}
			ends[i] = len(buf)
		}
		row := string(buf)
		at := 0
		for i, end := range ends {
			vals[i], at = row[at:end], end
		}
		if err := got(vals); err != nil {
			return err
		}
	}
}
