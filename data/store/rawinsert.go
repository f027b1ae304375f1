package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
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
//
// The connection's mutex is set aside while a statement of ours binds and
// runs (see exec). Every SQLite call takes it and lets it go again: two
// calls per value, a fifth of the writer's CPU in a state import, spent
// serialising a connection that only this goroutine uses while it holds
// it. The driver's own calls, between ours, find the mutex in place.
//
// Our statements run holding conn as database/sql holds it for its own
// calls (see held): database/sql rolls back a transaction whose context
// is cancelled on a goroutine of its own, through the same handle.
type rawConn struct {
	db    uintptr
	tls   *libc.TLS
	mutex uintptr // the connection's mutex; 0: left in place
	conn  *sql.Conn
	ctx   context.Context // the transaction's
	kept  *keptStmts      // when set, prepareKept keeps its statements there

	// texts is C memory that exec copies a row's texts into for SQLite
	// to read in place (SQLITE_STATIC): Go memory handed to the
	// transpiled C, pinned or not, is what the race detector's pointer
	// checks refuse, so `go test -race` could not run the store.
	texts    uintptr
	textsCap int
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
	r := rawOn(db)
	r.conn, r.ctx = conn, ctx
	return r
}

// rawOn is the rawConn of handle db, with the mutex that unlock sets
// aside.
func rawOn(db uintptr) *rawConn {
	r := &rawConn{db: db, tls: libc.NewTLS()}
	// The handle's layout is the transpiled SQLite's own type; should it
	// not show the mutex SQLite names, the mutex stays.
	if m := r.handle().Fmutex; m != 0 && m == sqlite3.Xsqlite3_db_mutex(r.tls, db) {
		r.mutex = m
	}
	return r
}

// handle is the connection's struct sqlite3.
func (r *rawConn) handle() *sqlite3.Tsqlite3 {
	return (*sqlite3.Tsqlite3)(*(*unsafe.Pointer)(unsafe.Pointer(&r.db)))
}

// unlock sets the connection's mutex aside and relock puts it back, around
// calls that only this goroutine makes on the connection, none of which
// may be in progress at either moment.
func (r *rawConn) unlock() {
	if r.mutex != 0 {
		r.handle().Fmutex = 0
	}
}

func (r *rawConn) relock() {
	if r.mutex != 0 {
		r.handle().Fmutex = r.mutex
	}
}

// errTxEnded is held's answer when the transaction ended without a
// cancelled context to say why.
var errTxEnded = errors.New("the transaction being written has ended")

// held runs f holding conn, and only while the transaction the write
// belongs to is open. A rollback of a cancelled transaction then waits
// for f, which runs with the connection's mutex set aside; and a write
// after that rollback, which SQLite would commit on its own, row by row
// outside the all-or-nothing transaction, is refused.
func (r *rawConn) held(f func() error) error {
	return r.conn.Raw(func(any) error {
		if sqlite3.Xsqlite3_get_autocommit(r.tls, r.db) != 0 {
			return cmp.Or(r.ctx.Err(), errTxEnded)
		}
		return f()
	})
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
		libc.Xfree(r.tls, r.texts)
		r.tls.Close()
	}
}

// cText copies b into r.texts, grown as needed, and returns its address
// there; never 0, which SQLite would bind as NULL, not as empty text.
func (r *rawConn) cText(b []byte) (uintptr, error) {
	if need := max(len(b), 1); need > r.textsCap {
		n := max(need, 2*r.textsCap, 4096)
		p := realloc(libc.Xrealloc, r.tls, r.texts, n)
		if p == 0 {
			return 0, fmt.Errorf("no memory for a row's %d bytes of text", len(b))
		}
		r.texts, r.textsCap = p, n
	}
	copy(unsafe.Slice((*byte)(cMem(r.texts)), len(b)), b)
	return r.texts, nil
}

// realloc calls libc's realloc, whose size type differs between the
// transpiled libcs of Linux and Windows.
func realloc[N ~uint32 | ~uint64](f func(*libc.TLS, uintptr, N) uintptr, tls *libc.TLS, p uintptr, n int) uintptr {
	return f(tls, p, N(n))
}

// cMem is the address of C memory as a pointer: never Go memory, which
// the collector could move or free under it.
func cMem(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// rawStmt is a prepared INSERT that binds rawValues.
type rawStmt struct {
	r      *rawConn
	stmt   uintptr
	params int
	kept   bool // one of a keptStmts, which finalizes it
}

// keptStmts are statements prepared on one SQLite handle and kept from
// one holding of its connection to the next: a snapshot's pages write
// the same few INSERTs of hundreds of rows, whose parsing, page after
// page, was a sixth of a first sync's writer. They live until drop, which
// must run while nothing else uses the handle; a handle that the pool
// closed meanwhile is kept by SQLite (sqlite3_close_v2) until they are
// finalized.
type keptStmts struct {
	db    uintptr
	tls   *libc.TLS
	stmts map[string]keptStmt // by their SQL
}

type keptStmt struct {
	stmt   uintptr
	params int
}

func newKeptStmts(db uintptr) *keptStmts {
	return &keptStmts{db: db, tls: libc.NewTLS(), stmts: map[string]keptStmt{}}
}

// drop finalizes the statements.
func (k *keptStmts) drop() {
	if k == nil {
		return
	}
	for _, s := range k.stmts {
		sqlite3.Xsqlite3_finalize(k.tls, s.stmt)
	}
	k.stmts = nil
	k.tls.Close()
}

// prepareKept is prepare, of a statement kept in r.kept when it is set.
func (r *rawConn) prepareKept(q string) (*rawStmt, error) {
	if r.kept == nil || r.kept.db != r.db {
		return r.prepare(q)
	}
	if s, ok := r.kept.stmts[q]; ok {
		return &rawStmt{r: r, stmt: s.stmt, params: s.params, kept: true}, nil
	}
	s, err := r.prepare(q)
	if err != nil {
		return nil, err
	}
	s.kept = true
	r.kept.stmts[q] = keptStmt{stmt: s.stmt, params: s.params}
	return s, nil
}

// rawValues are the values of rows to write: their texts one after the
// other in buf, copied for each statement into the C memory it binds
// them from (rawConn.texts).
type rawValues struct {
	vals []rawValue
	buf  []byte
	err  error // a value of a kind that cannot be written
}

type rawValue struct {
	kind   int8 // rawText, rawInt or rawNull
	off, n int  // where the text is in buf
	i      int64
}

const (
	rawText = iota
	rawInt
	rawNull
)

func (v *rawValues) text(s string) {
	v.vals = append(v.vals, rawValue{kind: rawText, off: len(v.buf), n: len(s)})
	v.buf = append(v.buf, s...)
}

func (v *rawValues) num(n int64) { v.vals = append(v.vals, rawValue{kind: rawInt, i: n}) }

// add appends a string, an int, a bool (0 or 1) or nil.
func (v *rawValues) add(x any) {
	switch x := x.(type) {
	case string:
		v.text(x)
	case int:
		v.num(int64(x))
	case int64:
		v.num(x)
	case bool:
		var n int64
		if x {
			n = 1
		}
		v.num(n)
	case nil:
		v.vals = append(v.vals, rawValue{kind: rawNull})
	default:
		v.vals = append(v.vals, rawValue{kind: rawNull})
		v.err = cmp.Or(v.err, fmt.Errorf("a value of type %T cannot be written", x))
	}
}

func (v *rawValues) reset() {
	v.vals = v.vals[:0]
	v.buf = v.buf[:0]
	v.err = nil
}

func (r *rawConn) prepare(q string) (*rawStmt, error) {
	z, err := libc.CString(q)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(r.tls, z)
	pstmt := r.tls.Alloc(8)
	defer r.tls.Free(8)
	rc := sqlite3.Xsqlite3_prepare_v3(r.tls, r.db, z, int32(len(q)), sqlite3.SQLITE_PREPARE_PERSISTENT, pstmt, 0)
	if rc != sqlite3.SQLITE_OK {
		return nil, r.err(rc)
	}
	s := &rawStmt{r: r, stmt: *(*uintptr)(cMem(pstmt))}
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

// exec runs the statement once with the values, one per parameter.
func (s *rawStmt) exec(v *rawValues) error {
	if v.err != nil {
		return v.err
	}
	if len(v.vals) != s.params {
		return fmt.Errorf("%d values for %d parameters", len(v.vals), s.params)
	}
	// The values may be a part of a batch's: only the texts they span
	// are copied.
	lo, hi := len(v.buf), 0
	for _, x := range v.vals {
		if x.kind == rawText {
			lo, hi = min(lo, x.off), max(hi, x.off+x.n)
		}
	}
	lo = min(lo, hi)
	base, err := s.r.cText(v.buf[lo:hi])
	if err != nil {
		return err
	}
	base -= uintptr(lo)
	return s.r.held(func() error {
		s.r.unlock()
		defer s.r.relock()
		tls := s.r.tls
		for i, x := range v.vals {
			var rc int32
			switch x.kind {
			case rawText:
				rc = sqlite3.Xsqlite3_bind_text(tls, s.stmt, int32(i+1), base+uintptr(x.off), int32(x.n), 0)
			case rawInt:
				rc = sqlite3.Xsqlite3_bind_int64(tls, s.stmt, int32(i+1), x.i)
			default:
				rc = sqlite3.Xsqlite3_bind_null(tls, s.stmt, int32(i+1))
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
	})
}

func (s *rawStmt) close() {
	if s.stmt != 0 && !s.kept {
		sqlite3.Xsqlite3_finalize(s.r.tls, s.stmt)
		s.stmt = 0
	}
}
