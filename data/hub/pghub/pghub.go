// Package pghub keeps a hub on PostgreSQL, the state's own database server
// as the system of record: the same tables and columns as the SQLite hub,
// the same storage logic (hubsql) run inside PostgreSQL transactions, and
// several hub processes may serve one database.
//
// The pull cursor never skips a change committed late: every transaction
// that writes the change feed first takes a transaction-level advisory
// lock (feedLock) and holds it until it commits. Sequence numbers are
// taken under the lock, so a writer's numbers are all above those of
// every writer that committed before it, and none is taken while an
// earlier writer is still open; PostgreSQL makes a commit visible before
// it releases the transaction's locks. A pull reads in one REPEATABLE
// READ snapshot, so when it sees a change it sees every change with a
// lower number, and its cursor (the highest number it saw) passes no
// change that a later pull could still find. (The other way, reading only
// below the oldest open writer's xmin with pg_current_snapshot(), would
// let pushes run in parallel, but a push is short and SQLite has one
// writer anyway; the lock is simpler to be sure of.)
package pghub

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubsql"
)

// Advisory lock keys, in a range of their own ("MDHB" and a number) so
// that they clash with no other application sharing the server.
const (
	migrateLock int64 = 0x4D444842_0001 // schema migrations and the epoch check at Open
	feedLock    int64 = 0x4D444842_0002 // writers of the change feed, held to commit
)

// DB is a hub's PostgreSQL database.
type DB struct {
	pool   *pgxpool.Pool
	reader *hubsql.Reader
	// writing queues this process's writers before they take a
	// connection: the feed lock lets one writer at a time through
	// anyway, and writers waiting for it on connections of their own
	// would leave none for the pulls, which need no lock.
	writing chan struct{}
	pushes  *hubsql.Committer
	// key is read at Open: a hub restored from a dump serves another
	// database, or the same one after the server's recovery, and is
	// started again either way.
	key hubsql.CursorKey
	// keyMade says Open made key for a feed written without one
	// (hub.KeyMaker).
	keyMade bool
	// epochRenewed says Open found the epoch made in another database
	// (hub.EpochRenewer).
	epochRenewed bool
	// names is what Open did with the accounts kept under unclean names.
	names hub.NameCleanup
}

// preferGenericPlans has the connection plan each prepared statement once,
// for any values of its parameters, unless the database's administrator
// has set plan_cache_mode (in postgresql.conf, for the database or the
// role). By default PostgreSQL plans a statement anew for its first five
// runs on a connection, and for every run after when the plan for any
// values looks dearer than those: the hub's statements are small and
// run by key, and their planning was about a third of the server's time
// with fifty workstations syncing (the sign-in check alone was planned
// at 0.4 ms a run against 0.06 ms to run it). A snapshot's reads, whose
// best plans depend on the district or region, are planned for their
// values (PlanForValues). Sent as SET once connected, not as a startup
// parameter: a pooler such as PgBouncer refuses startup parameters it
// does not know.
const preferGenericPlans = `SELECT set_config('plan_cache_mode', 'force_generic_plan', false)
	FROM pg_settings WHERE name = 'plan_cache_mode' AND source = 'default'`

// poolSize is the pool's size when the URL does not say
// (pool_max_conns): twice the hub's cores and two more, and no more than
// sixteen. Each hub's pushes take one connection at a time (they queue in
// the process), so the rest serve pulls and sign-ins; more connections
// than the cores could use only added server processes that competed for
// them. With fifty workstations syncing against two hubs on this
// project's two-core test machine, six a hub used about 20% less of the
// server's CPU per request than sixteen. The cap keeps a hub on a large
// machine, and the tests' hubs on a CI runner with many cores, within
// the server's max_connections as sixteen did.
func poolSize() int32 { return int32(min(2*runtime.GOMAXPROCS(0)+2, 16)) }

var (
	_ hub.Store        = (*DB)(nil)
	_ hub.NameCleaner  = (*DB)(nil)
	_ hub.KeyMaker     = (*DB)(nil)
	_ hub.EpochRenewer = (*DB)(nil)
)

// Open connects to the database at url (postgres://USER@HOST/DB?...),
// brings its schema up to date, checks its epoch and renames the accounts
// an older hub kept under unclean names (NameCleanup says which). A password, when not
// "", is used instead of one from the URL, PGPASSFILE or ~/.pgpass.
func Open(ctx context.Context, url, password string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message repeats the URL, password and all.
		return nil, errors.New("the PostgreSQL URL could not be read; write it as postgres://USER@HOST/DATABASE?sslmode=...")
	}
	if password != "" {
		cfg.ConnConfig.Password = password
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = poolSize()
	}
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, preferGenericPlans); err != nil {
			return fmt.Errorf("set up a PostgreSQL connection: %w", err)
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	h := &DB{pool: pool, reader: newReader(), writing: make(chan struct{}, 1)}
	h.pushes = hubsql.NewCommitter(h.writePushes)
	if err := h.prepare(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return h, nil
}

// Close closes the connections.
func (h *DB) Close() error {
	h.pool.Close()
	return nil
}

// Ping reports whether the database answers (GET /healthz).
func (h *DB) Ping(ctx context.Context) error {
	return h.aside(ctx, func(c *pgx.Conn) error { return c.Ping(ctx) })
}

// aside runs f on a connection of the pool when one comes at once, else
// on one of its own, since every connection of the pool may be taken by
// pulls waiting for the tables an owner's import holds, the database
// answering meanwhile: a load balancer's health check and a metrics
// scrape must not read that as a database gone.
func (h *DB) aside(ctx context.Context, f func(*pgx.Conn) error) error {
	actx, cancel := context.WithTimeout(ctx, asideWait)
	pc, err := h.pool.Acquire(actx)
	cancel()
	if err == nil {
		defer pc.Release()
		return f(pc.Conn())
	}
	if !errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, h.pool.Config().ConnConfig)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return f(conn)
}

// asideWait is how long aside waits for a connection of the pool before
// it makes one of its own.
const asideWait = 250 * time.Millisecond

// Identity names the hub's database (hub.Store).
func (h *DB) Identity(ctx context.Context) (string, error) {
	var id string
	if err := h.pool.QueryRow(ctx, hubsql.IdentityQuery).Scan(&id); err != nil {
		return "", fmt.Errorf("read the hub's identity: %w", err)
	}
	return id, nil
}

// prepare migrates the schema, checks the epoch, reads the key of the
// hub's cursors and renames the accounts an older hub kept under unclean
// names, under a session lock held on one connection, so that hubs
// starting together do it once.
func (h *DB) prepare(ctx context.Context) error {
	conn, err := h.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer conn.Release()
	if err := h.prepareOn(ctx, conn.Conn()); err != nil {
		// Connected, the database and role are no longer in pgx's
		// errors, and an operator with several hub databases on one
		// server (a restore beside the live one, say) must know which
		// one is a newer schema's, or which role may not change it.
		cfg := conn.Conn().Config()
		return fmt.Errorf("PostgreSQL database %s on %s, as %s: %w", cfg.Database, cfg.Host, cfg.User, err)
	}
	return nil
}

// prepareOn is prepare's work, on the connection it holds.
func (h *DB) prepareOn(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
		return fmt.Errorf("wait for another hub's schema migration: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLock)
	if err := migrate(ctx, conn); err != nil {
		return err
	}
	if err := h.checkEpoch(ctx, conn); err != nil {
		return err
	}
	if err := h.readKey(ctx, conn); err != nil {
		return err
	}
	return h.cleanNames(ctx, conn)
}

// readKey reads the key of the hub's cursors, made by the first hub to
// start on the database.
func (h *DB) readKey(ctx context.Context, conn *pgx.Conn) error {
	var err error
	h.key, h.keyMade, err = hubsql.ReadCursorKey(func() (key string, fed bool, err error) {
		err = conn.QueryRow(ctx, hubsql.CursorKeyQuery).Scan(&key, &fed)
		return key, fed, err
	}, func(key string) error {
		_, err := conn.Exec(ctx, `INSERT INTO hub_meta(key, value) VALUES('cursor_key', $1) ON CONFLICT(key) DO NOTHING`, key)
		return err
	})
	return err
}

// cleanNames renames the accounts an older hub kept under unclean names
// (hubsql.CleanNames) when a read finds one to rename (hubsql.PlanNames),
// in one transaction on conn, holding the feed lock as every writer of
// the feed and the audit log does: the pushes of a hub already serving
// the database wait for it as for any other, and for no start once every
// name is clean. On conn, not the pool's next connection, which a pool of
// one (pool_max_conns=1) would never give while prepare holds its only
// one.
func (h *DB) cleanNames(ctx context.Context, conn *pgx.Conn) error {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var err error
		h.names, err = hubsql.PlanNames(newTx(ctx, tx))
		return err
	})
	if err != nil {
		return fmt.Errorf("clean the user names an older hub kept: %w", err)
	}
	if len(h.names.Renamed) == 0 {
		return nil
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockFeed, feedLock); err != nil {
			return fmt.Errorf("wait for the hub's other writers: %w", err)
		}
		ptx := newTx(ctx, tx)
		var err error
		if h.names, err = hubsql.CleanNames(ptx, stamp(time.Now())); err != nil {
			return err
		}
		return ptx.flush()
	})
	if err != nil {
		return fmt.Errorf("clean the user names an older hub kept: %w", err)
	}
	return nil
}

// MadeCursorKey says whether Open made the key of the hub's cursors for
// a feed written without one (hub.KeyMaker).
func (h *DB) MadeCursorKey() bool { return h.keyMade }

// NameCleanup says what Open did with the accounts an older hub kept
// under unclean names (hub.NameCleaner).
func (h *DB) NameCleanup() hub.NameCleanup { return h.names }

func migrate(ctx context.Context, conn *pgx.Conn) error {
	// Looked for first: a role that may not create tables (the hub's own,
	// in the README's setup) is refused even CREATE TABLE IF NOT EXISTS.
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass('hub_schema') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("read the hub's schema version: %w", err)
	}
	if !exists {
		_, err := conn.Exec(ctx, `CREATE TABLE hub_schema (
			version    integer PRIMARY KEY,
			applied_at timestamptz NOT NULL DEFAULT now())`)
		if err != nil {
			return schemaError(err, 1)
		}
	}
	var version int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM hub_schema`).Scan(&version); err != nil {
		// The usual cause: the role was set up after the owner made the
		// tables, which the default privileges of the README's setup do
		// not reach.
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42501" {
			return fmt.Errorf("read the hub's schema version: this database role may not use the hub's tables; "+
				"have a superuser grant them to it (GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO the role, see the README's setup): %w", err)
		}
		return fmt.Errorf("read the hub's schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("the hub database has schema version %d, newer than this program knows (%d): use a newer Migrant Desk", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, migrations[i]); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO hub_schema(version) VALUES($1)`, i+1)
			return err
		})
		if err != nil {
			return schemaError(err, i+1)
		}
	}
	return nil
}

// schemaError explains a failed migration; the usual cause is a role that
// may use the tables but not change them, as the README's setup makes
// the hub's.
func schemaError(err error, version int) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" {
		if version == 1 {
			return fmt.Errorf("make the hub's tables: this database role may not; make the hub once as the schema's owner, "+
				"with migrantdeskctl import or hub migrate (README, Setting up PostgreSQL): %w", err)
		}
		return fmt.Errorf("upgrade the hub database to schema version %d: this database role may not change the schema; run any hub command once as the schema's owner (see the README): %w", version, err)
	}
	return fmt.Errorf("upgrade the hub database to schema version %d: %w", version, err)
}

// checkEpoch starts a new epoch when there is none, or when the database
// is not the one the epoch was made in: a hub restored with pg_restore
// into a new database has lost what it did after the dump, so every
// workstation must take a fresh snapshot and re-push what the hub lacks.
// (A restore within the same database, such as point-in-time recovery,
// keeps the database's identity: the README says to delete the
// 'database' row of hub_meta after it.)
func (h *DB) checkEpoch(ctx context.Context, conn *pgx.Conn) error {
	var epoch, made, here string
	err := conn.QueryRow(ctx, `SELECT
		coalesce((SELECT value FROM hub_meta WHERE key = 'epoch'), ''),
		coalesce((SELECT value FROM hub_meta WHERE key = 'database'), ''),
		(SELECT oid::text FROM pg_database WHERE datname = current_database())`).Scan(&epoch, &made, &here)
	if err != nil {
		return fmt.Errorf("read the hub's epoch: %w", err)
	}
	if epoch != "" && made == here {
		return nil
	}
	if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error { return newEpoch(ctx, tx) }); err != nil {
		return err
	}
	h.epochRenewed = epoch != ""
	return nil
}

// RenewedEpoch says whether Open started a new epoch in place of one made
// in another database (hub.EpochRenewer).
func (h *DB) RenewedEpoch() bool { return h.epochRenewed }

// NewEpoch starts a new epoch (hub.Store), audited as actor: under the
// feed lock, which the audit log's appends need.
func (h *DB) NewEpoch(ctx context.Context, actor string) (string, error) {
	epoch := uuid.NewString()
	err := h.write(ctx, func(tx pgx.Tx) error {
		if err := setEpoch(ctx, tx, epoch); err != nil {
			return err
		}
		ptx := newTx(ctx, tx)
		if err := hubsql.AuditNewEpoch(ptx, actor, epoch, stamp(time.Now())); err != nil {
			return err
		}
		return ptx.flush()
	})
	if err != nil {
		return "", fmt.Errorf("start a new hub epoch: %w", err)
	}
	return epoch, nil
}

// newEpoch gives the hub a new epoch inside tx: workstations take a fresh
// snapshot on their next pull.
func newEpoch(ctx context.Context, tx pgx.Tx) error { return setEpoch(ctx, tx, uuid.NewString()) }

// setEpoch sets the hub's epoch, made in this database.
func setEpoch(ctx context.Context, tx pgx.Tx, epoch string) error {
	_, err := tx.Exec(ctx, `INSERT INTO hub_meta(key, value) VALUES
			('epoch', $1), ('database', (SELECT oid::text FROM pg_database WHERE datname = current_database()))
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, epoch)
	if err != nil {
		return fmt.Errorf("set the hub's epoch: %w", err)
	}
	return nil
}

// write runs fn in one READ COMMITTED transaction holding the feed lock:
// writers of the feed, and of the records whose versions a push compares,
// go one at a time across every hub process, each seeing all that
// committed before it.
func (h *DB) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return h.writeTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, lockFeed, feedLock); err != nil {
			return fmt.Errorf("wait for the hub's other writers: %w", err)
		}
		return fn(tx)
	})
}

const lockFeed = `SELECT pg_advisory_xact_lock($1)`

// writeTx runs fn in one READ COMMITTED transaction, one writer of this
// process at a time (a client that goes away stops waiting); fn takes
// the feed lock.
func (h *DB) writeTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if err := h.queueWriter(ctx); err != nil {
		return err
	}
	defer func() { <-h.writing }()
	return pgx.BeginFunc(ctx, h.pool, fn)
}

// queueWriter waits for this process's writer before this one to end;
// the caller receives from h.writing when it ends.
func (h *DB) queueWriter(ctx context.Context) error {
	select {
	case h.writing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the hub's other writers: %w", ctx.Err())
	}
}

// read runs fn in one read-only REPEATABLE READ transaction: one snapshot
// of the database for every query in it.
func (h *DB) read(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, h.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// beginRead begins read's transaction, in batchTx.
const beginRead = `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// batchTx runs fn in a transaction whose BEGIN (begin, with its options)
// travels to the server with fn's first batch and whose COMMIT travels
// with its last writes: a round trip less at each end than pgx's own
// transactions, which send each alone. The round trips, not the
// statements, were most of a push's time, and a push's COMMIT was one
// made holding the feed lock. A transaction that fn or a statement fails
// is rolled back; a connection that cannot be is closed.
func (h *DB) batchTx(ctx context.Context, begin string, fn func(t *pgTx) error) error {
	conn, t, err := h.begin(ctx, begin)
	if err != nil {
		return err
	}
	defer conn.Release()
	if err = fn(t); err == nil {
		err = t.commit()
	}
	return endTx(conn, err)
}

// readTx runs fn as batchTx does, in a read-only REPEATABLE READ
// transaction, and returns as soon as fn has read what it needs: the
// COMMIT goes after, on a goroutine that then gives the connection back
// to the pool. A read-only transaction's commit changes nothing fn read,
// and a pull's answer waited a round trip for it.
func (h *DB) readTx(ctx context.Context, fn func(t *pgTx) error) error {
	conn, t, err := h.begin(ctx, beginRead)
	if err != nil {
		return err
	}
	// Released here unless the commit has it: a panic in fn, which the
	// hub's server survives, would otherwise keep the connection from
	// the pool for good (released in its transaction, it is closed).
	committing := false
	defer func() {
		if !committing {
			conn.Release()
		}
	}()
	if err := fn(t); err != nil {
		return endTx(conn, err)
	}
	// The caller's context ends with its request, soon.
	t.ctx = context.WithoutCancel(ctx)
	committing = true
	go func() {
		defer conn.Release()
		endTx(conn, t.commit())
	}()
	return nil
}

// begin takes a connection from the pool for a transaction begun by
// begin, which waits to go with the transaction's first batch.
func (h *DB) begin(ctx context.Context, begin string) (*pgxpool.Conn, *pgTx, error) {
	conn, err := h.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	t := newTx(ctx, conn.Conn())
	t.Exec(begin)
	return conn, t, nil
}

// endTx rolls back the transaction on conn when err says it failed; a
// connection that cannot be rolled back is closed. It returns err.
func endTx(conn *pgxpool.Conn, err error) error {
	if err != nil && conn.Conn().PgConn().TxStatus() != 'I' {
		ctx := context.Background()
		if _, rerr := conn.Exec(ctx, `ROLLBACK`); rerr != nil {
			// Released busy or in a transaction, the pool closes it.
			conn.Conn().Close(ctx)
		}
	}
	return err
}

// commit sends the writes still waiting and COMMIT, in one round trip,
// and fails unless the server answers that it committed: after a failed
// statement it skips the rest of the batch, COMMIT with them.
func (t *pgTx) commit() error {
	t.queue(func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("commit: %w", err)
		}
		if tag.String() != "COMMIT" {
			return fmt.Errorf("commit: the server answered %q: the transaction was rolled back", tag)
		}
		return nil
	}, `COMMIT`)
	return t.flush()
}

// pgTx is a pgx transaction as hubsql reads and writes it: its ?
// placeholders become PostgreSQL's $1, $2, ... Writes whose results
// nothing waits for wait in a batch and go to the server with the next
// read, in one round trip (a push makes about a dozen statements a
// mutation, and the round trips, not the statements, were most of its
// time); flush sends what is left before commit. A write's error then
// comes back from the read it travelled with: the transaction fails
// either way, and the push is retried whole.
type pgTx struct {
	ctx     context.Context
	tx      batchSender
	pending *pgx.Batch
	// checks read the answers of the pending writes, in order: nil for
	// a write whose answer is only its error.
	checks []func(pgx.BatchResults) error
}

// batchSender sends a pgTx's batches: a pgx transaction, or a
// connection whose batches begin and commit their own (batchTx).
type batchSender interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

func newTx(ctx context.Context, tx batchSender) *pgTx {
	return &pgTx{ctx: ctx, tx: tx, pending: &pgx.Batch{}}
}

var (
	_ hubsql.Tx           = (*pgTx)(nil)
	_ hubsql.Batcher      = (*pgTx)(nil)
	_ hubsql.FeedWriter   = (*pgTx)(nil)
	_ hubsql.ValuePlanner = (*pgTx)(nil)
)

// PlanForValues has the rest of the transaction's statements planned for
// their values (see preferGenericPlans). It waits, as writes do, to go
// with the next read.
func (t *pgTx) PlanForValues() { t.Exec(`SET LOCAL plan_cache_mode = force_custom_plan`) }

func (t *pgTx) Exec(q string, args ...any) error {
	t.queue(nil, q, args...)
	return nil
}

// queue adds a write to the pending batch, and check, when not nil, to
// read its answer when the batch is sent.
func (t *pgTx) queue(check func(pgx.BatchResults) error, q string, args ...any) {
	t.pending.Queue(numbered(q), args...)
	t.checks = append(t.checks, check)
}

// sendWith sends the pending writes and qs in one batch, reads the
// writes' answers, and leaves the answers of qs for the caller, who
// closes the results.
func (t *pgTx) sendWith(qs []string, args [][]any) (pgx.BatchResults, error) {
	for i, q := range qs {
		t.pending.Queue(numbered(q), args[i]...)
	}
	// A new batch: the results read the one sent as they go.
	br := t.tx.SendBatch(t.ctx, t.pending)
	checks := t.checks
	t.pending, t.checks = &pgx.Batch{}, nil
	for _, check := range checks {
		var err error
		if check != nil {
			err = check(br)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			br.Close()
			return nil, err
		}
	}
	return br, nil
}

func (t *pgTx) Query(q string, args ...any) (hubsql.Rows, error) {
	br, err := t.sendWith([]string{q}, [][]any{args})
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return batchRows{rows, br}, nil
}

func (t *pgTx) QueryRow(q string, args ...any) hubsql.Row {
	br, err := t.sendWith([]string{q}, [][]any{args})
	if err != nil {
		return errRow{err}
	}
	return batchRow{br}
}

// ReadAll sends the waiting writes and the reads in one batch, one round
// trip, and hands each read its rows in turn.
func (t *pgTx) ReadAll(reads []hubsql.Read) error {
	if len(reads) == 0 {
		return nil
	}
	qs, args := make([]string, len(reads)), make([][]any, len(reads))
	for i, r := range reads {
		qs[i], args[i] = r.Query, r.Args
	}
	br, err := t.sendWith(qs, args)
	if err != nil {
		return err
	}
	for _, r := range reads {
		if err = readRows(br, r.Row); err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// readRows hands each row of the batch's next answer to row.
func readRows(br pgx.BatchResults, row func(hubsql.Rows) error) error {
	rows, err := br.Query()
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

// WriteFeed writes changes of the feed and their tags with one statement
// that waits, as the other writes do, for the next read or the commit:
// on PostgreSQL a data-modifying WITH numbers the changes and gives the
// tags their numbers in the server, where hubsql's portable way read the
// numbers back (a round trip of its own) to write the tags with them.
// The numbers still come back, with the batch they travel in, and the
// transaction fails if they do not rise in the order of changes.
func (t *pgTx) WriteFeed(changes []hubsql.FeedChange) error {
	if len(changes) == 0 {
		return nil
	}
	var tbl, op, row, mark, tagMark, tag []string
	var scoped []int32
	order := make(map[string]int, len(changes))
	for i, c := range changes {
		tbl, op, row, mark = append(tbl, c.Table), append(op, c.Op), append(row, c.Row), append(mark, c.Mark)
		scoped = append(scoped, int32(c.Scoped))
		order[c.Mark] = i
		for _, g := range c.Tags {
			tagMark, tag = append(tagMark, c.Mark), append(tag, g)
		}
	}
	if len(order) != len(changes) {
		return errors.New("log the changes: two changes of one batch have the same mark")
	}
	t.queue(func(br pgx.BatchResults) error {
		next := 0
		err := readRows(br, func(rs hubsql.Rows) error {
			var seq int64
			var m string
			if err := rs.Scan(&seq, &m); err != nil {
				return err
			}
			if i, ok := order[m]; !ok || i != next {
				return fmt.Errorf("the feed numbered change %q (%d) out of the order it was logged in", m, seq)
			}
			next++
			return nil
		})
		if err == nil && next != len(changes) {
			err = fmt.Errorf("%d changes written, %d numbered", len(changes), next)
		}
		if err != nil {
			return fmt.Errorf("log the changes: %w", err)
		}
		return nil
	}, writeFeed, tbl, op, scoped, row, mark, tagMark, tag)
	return nil
}

// writeFeed inserts the changes in the order of their arrays (ORDER BY
// n: the identity numbers rows as the insert takes them) and the tags,
// each joined to its change by mark, and returns the changes' numbers
// and marks in number order.
const writeFeed = `WITH c AS (
	INSERT INTO hub_changes(tbl, op, scoped, row, mark)
	SELECT u.tbl, u.op, u.scoped, u.row, u.mark
		FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::text[]) WITH ORDINALITY AS u(tbl, op, scoped, row, mark, n)
		ORDER BY u.n
	RETURNING seq, mark
), t AS (
	INSERT INTO hub_change_tags(tag, seq)
	SELECT g.tag, c.seq FROM unnest($6::text[], $7::text[]) AS g(mark, tag) JOIN c ON c.mark = g.mark
)
SELECT seq, mark FROM c ORDER BY seq`

// flush sends the writes still waiting.
func (t *pgTx) flush() error {
	if t.pending.Len() == 0 {
		return nil
	}
	br, err := t.sendWith(nil, nil)
	if err != nil {
		return err
	}
	return br.Close()
}

// batchRows are a query's rows, read before its batch is closed.
type batchRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r batchRows) Close() {
	r.Rows.Close()
	r.br.Close()
}

type batchRow struct{ br pgx.BatchResults }

func (r batchRow) Scan(dest ...any) error {
	err := r.br.QueryRow().Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// numbered rewrites ? placeholders as $1, $2, ..., leaving quoted text and
// identifiers alone.
func numbered(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
