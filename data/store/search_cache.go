package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sync"
)

// searchCache keeps what searches reuse: connections of the read pool
// with the statements prepared on each, by SQL text, so that a statement
// is prepared once per connection (preparing was a fifth of a search);
// and the names of the schools results have shown. A search's SQL
// depends on the shape of its query, not on the values, which are bound;
// maxStmts bounds the texts a connection keeps should many shapes come
// up.
type searchCache struct {
	db   *sql.DB
	idle chan *searchConn
	mu   sync.Mutex
	done bool
	// Names of schools read so far, as of the audit log's last row:
	// every import writes one in its transaction.
	placesAt int64
	places   map[string]place
}

// place is a school by number, with its district.
type place struct{ school, district, districtName string }

const (
	maxStmts     = 256
	maxIdleConns = 2
)

func newSearchCache(db *sql.DB) *searchCache {
	return &searchCache{db: db, idle: make(chan *searchConn, maxIdleConns), placesAt: -1}
}

// searchConn is a connection taken from the read pool for searches, and
// its statements. database/sql would prepare a statement of the pool on
// one connection and again on the one a transaction holds.
type searchConn struct {
	conn  *sql.Conn
	stmts map[string]*sql.Stmt
}

// searchTx is a search's read transaction, on a connection of the cache.
type searchTx struct {
	sc    *searchConn
	cache *searchCache
}

// begin starts a read transaction on an idle search connection, or a new
// one.
func (c *searchCache) begin(ctx context.Context) (searchTx, error) {
	var sc *searchConn
	select {
	case sc = <-c.idle:
	default:
		conn, err := c.db.Conn(ctx)
		if err != nil {
			return searchTx{}, err
		}
		sc = &searchConn{conn: conn, stmts: map[string]*sql.Stmt{}}
	}
	// BEGIN and ROLLBACK are prepared once too: run as text, the driver
	// prepares and finalizes each every time.
	if err := sc.exec(ctx, `BEGIN`); err != nil {
		sc.close()
		return searchTx{}, err
	}
	return searchTx{sc, c}, nil
}

// end ends the transaction and keeps the connection for the next search.
func (tx searchTx) end() {
	if err := tx.sc.exec(context.Background(), `ROLLBACK`); err != nil {
		tx.sc.close()
		return
	}
	c := tx.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case c.idle <- tx.sc:
		if c.done {
			c.drain()
		}
	default:
		tx.sc.close()
	}
}

// query runs q with a statement prepared once on the connection. SQLite
// reads some parameters when it plans a statement (a LIMIT, an integer
// compared for equality, which could be 0 or 1) and then plans it again
// each time such a parameter is bound anew, which is every run: the
// driver clears the bindings after each. Those parameters are written
// +? in the search's SQL, an expression SQLite leaves to run time.
func (tx searchTx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := tx.sc.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// exec runs q, a statement without parameters or rows, prepared once on
// the connection.
func (sc *searchConn) exec(ctx context.Context, q string) error {
	st, err := sc.stmt(ctx, q)
	if err == nil {
		_, err = st.ExecContext(ctx)
	}
	return err
}

// stmt is q prepared on the connection, once.
func (sc *searchConn) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := sc.stmts[q]; ok {
		return st, nil
	}
	st, err := sc.conn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(sc.stmts) >= maxStmts {
		for k, old := range sc.stmts { // any one
			old.Close()
			delete(sc.stmts, k)
			break
		}
	}
	sc.stmts[q] = st
	return st, nil
}

func (sc *searchConn) close() error {
	var errs []error
	for _, st := range sc.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, sc.conn.Close())...)
}

// close closes the idle connections; one still in a search is closed when
// the search ends.
func (c *searchCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done = true
	return c.drain()
}

func (c *searchCache) drain() error {
	var errs []error
	for {
		select {
		case sc := <-c.idle:
			errs = append(errs, sc.close())
		default:
			return errors.Join(errs...)
		}
	}
}

// places calls set with the school of each of numbers, with its
// district, as of the transaction's snapshot, whose audit log ends at row
// at. Names read before are kept until an import (or any audited change)
// comes; a search reads those it lacks in one query. The places are
// handed to set rather than returned in a map: a page of results made
// one map of some 100 entries per search, garbage for the collector.
func (tx searchTx) places(ctx context.Context, at int64, numbers []string, set func(i int, p place)) error {
	c := tx.cache
	var missing []string
	var pending []int
	c.mu.Lock()
	if c.placesAt != at {
		c.places, c.placesAt = map[string]place{}, -1
	}
	for i, n := range numbers {
		if p, ok := c.places[n]; ok {
			set(i, p)
			continue
		}
		if !slices.Contains(missing, n) {
			missing = append(missing, n)
		}
		pending = append(pending, i)
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return nil
	}
	list, err := json.Marshal(missing)
	if err != nil {
		return err
	}
	rows, err := tx.query(ctx, `SELECT sc.number, sc.name,
			sc.district_number, coalesce(d.name, '')
		FROM schools sc LEFT JOIN districts d ON d.number = sc.district_number
		WHERE sc.number IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return err
	}
	read := map[string]place{}
	err = scanRows(rows, func() error {
		var number string
		var p place
		err := rows.Scan(&number, &p.school, &p.district, &p.districtName)
		read[number] = p
		return err
	})
	if err != nil {
		return err
	}
	for _, i := range pending {
		set(i, read[numbers[i]])
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch c.placesAt {
	case -1:
		c.places, c.placesAt = read, at
	case at:
		maps.Copy(c.places, read)
	}
	return nil
}

// scanRows calls row for each row, then closes rows.
func scanRows(rows *sql.Rows, row func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := row(); err != nil {
			return err
		}
	}
	return rows.Err()
}
