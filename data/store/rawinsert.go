package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"runtime"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// rawConn is the SQLite handle of the writer's connection, held for a
// bulk write, so that its inserts bind their values with SQLite's own
// calls. Through database/sql and the driver, each value of a state
// import (some 41 million) was converted, copied into a buffer malloc'd
// for it and freed again, and bound and unbound under the connection's
// mutex: a third of the import's CPU. Here a row's text is copied into
// one buffer the statement reads in place.
//
// The driver does not export its handle: rawHandle reads it from the
// driver's connection, and a driver that does not have it where expected
// leaves the writes on database/sql (nil rawConn), as before.
type rawConn struct {
	db  uintptr
	tls *libc.TLS
}

// holdRaw returns the SQLite handle of conn, or nil when the driver's
// connection does not show it. It must be released with release before
// conn is closed; it is used only while conn is held, by one goroutine
// at a time, as conn is.
func holdRaw(ctx context.Context, conn *sql.Conn) *rawConn {
	var db uintptr
	err := conn.Raw(func(dc any) error {
		db = rawHandle(dc)
		return nil
	})
	if err != nil || db == 0 {
		return nil
	}
	return &rawConn{db: db, tls: libc.NewTLS()}
}

// rawHandle reads the sqlite3* of a modernc.org/sqlite connection: its
// field db, a uintptr. Anything else gives 0.
func rawHandle(dc any) uintptr {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return 0
	}
	f := v.Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Uintptr {
		return 0
	}
	return uintptr(f.Uint())
}

func (r *rawConn) release() {
	if r != nil {
		r.tls.Close()
	}
}

// rawStmt is a prepared INSERT that binds a row's values at a time.
type rawStmt struct {
	r      *rawConn
	stmt   uintptr
	params int
	// buf holds the text of the values bound, which SQLite reads in
	// place (SQLITE_STATIC) until the next row's: pinned, as Go memory
	// handed to C must be.
	buf []byte
	pin runtime.Pinner
}

func (r *rawConn) prepare(q string) (*rawStmt, error) {
	s := &rawStmt{r: r}
	z := append([]byte(q), 0)
	var pin runtime.Pinner
	pin.Pin(s)
	pin.Pin(&z[0])
	rc := sqlite3.Xsqlite3_prepare_v3(r.tls, r.db, uintptr(unsafe.Pointer(&z[0])), int32(len(q)),
		sqlite3.SQLITE_PREPARE_PERSISTENT, uintptr(unsafe.Pointer(&s.stmt)), 0)
	pin.Unpin()
	if rc != sqlite3.SQLITE_OK {
		return nil, r.err(rc)
	}
	s.params = int(sqlite3.Xsqlite3_bind_parameter_count(r.tls, s.stmt))
	return s, nil
}

// err is SQLite's error of the last call, as the driver words it.
func (r *rawConn) err(rc int32) error {
	str := libc.GoString(sqlite3.Xsqlite3_errstr(r.tls, rc))
	if msg := libc.GoString(sqlite3.Xsqlite3_errmsg(r.tls, r.db)); msg != str {
		return fmt.Errorf("%s: %s (%d)", str, msg, rc)
	}
	return fmt.Errorf("%s (%d)", str, rc)
}

// exec runs the statement once with values, one per parameter: strings,
// ints, bools (as 0 and 1) and nil.
func (s *rawStmt) exec(values []any) error {
	if len(values) != s.params {
		return fmt.Errorf("%d values for %d parameters", len(values), s.params)
	}
	need := 1 // a text's address is never NULL, which would bind NULL
	for _, v := range values {
		if t, ok := v.(string); ok {
			need += len(t)
		}
	}
	if need > len(s.buf) {
		s.grow(need)
	}
	tls, buf, at := s.r.tls, s.buf, 0
	for i, v := range values {
		var rc int32
		switch v := v.(type) {
		case string:
			n := copy(buf[at:], v)
			rc = sqlite3.Xsqlite3_bind_text(tls, s.stmt, int32(i+1), uintptr(unsafe.Pointer(&buf[at])), int32(n), 0)
			at += n
		case int:
			rc = sqlite3.Xsqlite3_bind_int64(tls, s.stmt, int32(i+1), int64(v))
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(tls, s.stmt, int32(i+1), v)
		case bool:
			var b int64
			if v {
				b = 1
			}
			rc = sqlite3.Xsqlite3_bind_int64(tls, s.stmt, int32(i+1), b)
		case nil:
			rc = sqlite3.Xsqlite3_bind_null(tls, s.stmt, int32(i+1))
		default:
			return fmt.Errorf("a value of type %T cannot be written", v)
		}
		if rc != sqlite3.SQLITE_OK {
			return s.r.err(rc)
		}
	}
	rc := sqlite3.Xsqlite3_step(tls, s.stmt)
	if rc == sqlite3.SQLITE_DONE {
		rc = sqlite3.Xsqlite3_reset(tls, s.stmt)
		if rc == sqlite3.SQLITE_OK {
			return nil
		}
	}
	err := s.r.err(rc)
	sqlite3.Xsqlite3_reset(tls, s.stmt)
	return err
}

// grow makes the text buffer hold need bytes. The values bound point
// into the old one, released only once none is bound to it.
func (s *rawStmt) grow(need int) {
	sqlite3.Xsqlite3_clear_bindings(s.r.tls, s.stmt)
	s.pin.Unpin()
	s.buf = make([]byte, max(need, 2*len(s.buf), 4096))
	s.pin.Pin(&s.buf[0])
}

func (s *rawStmt) close() {
	if s.stmt != 0 {
		sqlite3.Xsqlite3_finalize(s.r.tls, s.stmt)
		s.stmt = 0
	}
	s.pin.Unpin()
	s.buf = nil
}
