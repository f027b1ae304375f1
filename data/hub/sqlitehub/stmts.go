package sqlitehub

import (
	"context"
	"database/sql"
	gosync "sync"

	"migrantdesk/data/hub/hubsql"
)

// maxCached bounds the statements kept prepared for one connection pool.
// The hub's statements are a few dozen texts; those built for a list's
// length (IN (?, ?, ...)) are one text a length, and a push's lengths are
// its batch's, so a bound keeps an odd client from growing the cache.
const maxCached = 256

// stmtCache keeps the hub's statements prepared on a pool. SQLite (in
// modernc's pure Go build) spent more time parsing and planning each
// statement of a push than running it: a push of 10 edits makes about a
// hundred and twenty statements, and preparing them was 43% of its CPU.
type stmtCache struct {
	db *sql.DB
	mu gosync.Mutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db, m: map[string]*sql.Stmt{}} }

// lookup returns q prepared on the pool, or nil.
func (c *stmtCache) lookup(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[q]
}

// learn prepares on the pool the statements qs that a transaction ran
// unprepared. It is called once the transaction has ended: the writers'
// pool has one connection, which a transaction holds to its end, so a
// statement can be prepared on the pool only then. A statement that does
// not prepare is left out: running it as text reports the error where it
// belongs.
func (c *stmtCache) learn(qs []string) {
	for _, q := range qs {
		c.mu.Lock()
		_, known := c.m[q]
		full := len(c.m) >= maxCached
		c.mu.Unlock()
		if known || full {
			continue
		}
		s, err := c.db.Prepare(q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, known := c.m[q]; known {
			s.Close()
		} else {
			c.m[q] = s
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.m {
		s.Close()
		delete(c.m, q)
	}
	return nil
}

// sqliteTx is a database/sql transaction as hubsql reads and writes it,
// through the statements its pool keeps prepared.
type sqliteTx struct {
	ctx   context.Context
	tx    *sql.Tx
	cache *stmtCache
	// stmts are the statements prepared for tx so far: each is prepared
	// once a transaction (a push runs each of its dozen texts once an
	// edit) and bound to tx once.
	stmts map[string]*sql.Stmt
	// missed are the texts the pool did not hold prepared, for end.
	missed []string
	// conn is the connection a pull's transaction is on, held for it,
	// or nil (see ReadText).
	conn *sql.Conn
}

func newTx(ctx context.Context, tx *sql.Tx, c *stmtCache) *sqliteTx {
	return &sqliteTx{ctx: ctx, tx: tx, cache: c, stmts: map[string]*sql.Stmt{}}
}

// end has the pool learn the statements the transaction missed; call it
// once the transaction has committed or rolled back.
func (t *sqliteTx) end() {
	t.cache.learn(t.missed)
	t.missed = nil
}

var _ hubsql.Tx = (*sqliteTx)(nil)

// stmt is q prepared for the transaction, or nil to run q as text.
func (t *sqliteTx) stmt(q string) *sql.Stmt {
	if s, ok := t.stmts[q]; ok {
		return s
	}
	var s *sql.Stmt
	if p := t.cache.lookup(q); p != nil {
		s = t.tx.StmtContext(t.ctx, p)
	} else {
		var err error
		if s, err = t.tx.PrepareContext(t.ctx, q); err != nil {
			return nil
		}
		t.missed = append(t.missed, q)
	}
	t.stmts[q] = s
	return s
}

func (t *sqliteTx) Exec(q string, args ...any) error {
	var err error
	if s := t.stmt(q); s != nil {
		_, err = s.ExecContext(t.ctx, args...)
	} else {
		_, err = t.tx.ExecContext(t.ctx, q, args...)
	}
	return err
}

func (t *sqliteTx) Query(q string, args ...any) (hubsql.Rows, error) {
	var rows *sql.Rows
	var err error
	if s := t.stmt(q); s != nil {
		rows, err = s.QueryContext(t.ctx, args...)
	} else {
		rows, err = t.tx.QueryContext(t.ctx, q, args...)
	}
	if err != nil {
		return nil, err
	}
	return sqliteRows{rows}, nil
}

func (t *sqliteTx) QueryRow(q string, args ...any) hubsql.Row {
	if s := t.stmt(q); s != nil {
		return s.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, q, args...)
}

type sqliteRows struct{ *sql.Rows }

func (r sqliteRows) Close() { r.Rows.Close() }
