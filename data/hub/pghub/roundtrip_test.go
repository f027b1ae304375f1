package pghub

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"migrantdesk/data/hub/hubsql"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/sync"
)

// roundTrips counts what a connection sends the server and waits for:
// each query or batch, a prepare among them.
type roundTrips struct{ count atomic.Int64 }

// n is how many round trips were counted since the last reset.
func (r *roundTrips) n() int64 { return r.count.Load() }

func (r *roundTrips) reset() { r.count.Store(0) }

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.count.Add(1)
	return ctx
}
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.count.Add(1)
	return ctx
}
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}
func (r *roundTrips) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	r.count.Add(1)
	return ctx
}
func (r *roundTrips) TracePrepareEnd(context.Context, *pgx.Conn, pgx.TracePrepareEndData) {}

// A push of record edits goes to the server in two round trips, however
// many mutations it holds, its transaction's begin and commit included:
// BEGIN, the lock and its reads in one batch, and its writes with
// COMMIT. The feed lock is held across every round trip of a group after
// the first's, so each was time the pushes of every other hub process
// waited (SyncLoad50: 18 round trips for a push of 10 edits of different
// students, 24 for this test's 8 edits of one, and then 4).
func TestPushRoundTrips(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	admin := hubtest.Admin
	const n = 8
	recs := make([]sync.Record, n)
	creates := make([]sync.Mutation, n)
	for i := range recs {
		y := strconv.Itoa(2016 + i)
		recs[i] = sync.Record{ID: uuid.NewString(), StateID: hubtest.Maria, MIS2000ID: "70" + y, QAD: y + "-01-01", EED: y + "-06-30", Version: 1}
		creates[i] = hubtest.Mutation(sync.OpCreate, 0, recs[i])
	}
	if res, err := h.Push(ctx, admin, sync.Cursor{}, creates); err != nil || res[n-1].Outcome != sync.Applied {
		t.Fatalf("create the records: %+v %v", res, err)
	}

	traced, trips := tracedDB(t, h)
	// The first edits prepare the statements (pgx keeps them for the
	// connection); the second are counted.
	for round := range 2 {
		edits := make([]sync.Mutation, n)
		for i := range recs {
			recs[i].MIS2000ID = fmt.Sprint(round, recs[i].MIS2000ID)
			recs[i].Version++
			edits[i] = hubtest.Mutation(sync.OpUpdate, recs[i].Version-1, recs[i])
		}
		trips.reset()
		var res []sync.Result
		err := traced.writePushes(ctx, func(tx hubsql.Tx) error {
			var err error
			res, err = hubsql.Push(tx, admin, sync.Cursor{}, edits, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Outcome != sync.Applied {
				t.Fatalf("edit: %+v", r)
			}
		}
		if round == 1 && trips.n() > 2 {
			t.Errorf("a push of %d edits of one student's records made %d round trips, want 2", n, trips.n())
		}
	}
	var mis string
	if err := h.pool.QueryRow(ctx, `SELECT mis2000_id FROM migrant_records WHERE id = $1`, recs[0].ID).Scan(&mis); err != nil || mis != recs[0].MIS2000ID {
		t.Fatalf("after the pushes the hub holds MIS2000 ID %q (%v), want %q: the pushes did not commit", mis, err, recs[0].MIS2000ID)
	}
}

// settle waits for the pool of tracedDB to have its connection back: a
// pull's commit goes after its answer.
func settle(t *testing.T, h *DB) {
	t.Helper()
	conn, err := h.pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	conn.Release()
}

// tracedDB is h on a pool of one connection whose round trips are
// counted.
func tracedDB(t *testing.T, h *DB) (*DB, *roundTrips) {
	t.Helper()
	cfg := h.pool.Config()
	trips := &roundTrips{}
	cfg.ConnConfig.Tracer = trips
	cfg.MinConns, cfg.MaxConns = 1, 1
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &DB{pool: pool, reader: newReader(), writing: make(chan struct{}, 1)}, trips
}

// A pull of the feed goes to the server in three round trips: its
// transaction's begin with the epoch and the check of the cursor, the
// feed's head with the changes after the cursor, and the commit, which
// the answer does not wait for (six before, then four with the begin
// alone, all waited for).
func TestPullRoundTrips(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	admin := hubtest.Admin
	cursor := pullAll(t, h, admin, sync.Cursor{}).Next
	rec := sync.Record{ID: uuid.NewString(), StateID: hubtest.Maria, MIS2000ID: "4242", QAD: "2015-01-01", EED: "2015-06-30", Version: 1}
	if res, err := h.Push(ctx, admin, sync.Cursor{}, []sync.Mutation{hubtest.Mutation(sync.OpCreate, 0, rec)}); err != nil || res[0].Outcome != sync.Applied {
		t.Fatalf("create a record: %+v %v", res, err)
	}

	traced, trips := tracedDB(t, h)
	// The first pull prepares the statements; the second is counted.
	for round := range 2 {
		trips.reset()
		p, err := traced.Pull(ctx, admin, cursor, 100)
		if err != nil {
			t.Fatal(err)
		}
		settle(t, traced)
		found := false
		for _, c := range p.Changes {
			found = found || c.Row["id"] == rec.ID
		}
		if !found || p.More {
			t.Fatalf("the pull after the record's creation brought %d changes (more: %v), not the record", len(p.Changes), p.More)
		}
		if round == 1 && trips.n() > 3 {
			t.Errorf("a pull of the feed made %d round trips, want 3", trips.n())
		}
	}
}

// A transaction whose BEGIN and COMMIT travel in its batches is all or
// nothing as pgx's own: a statement that fails in the batch with COMMIT,
// or fn's error after writes were sent, rolls back what went before it,
// and the connection serves the next transaction.
func TestBatchTxRollsBack(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	one, _ := tracedDB(t, h)
	failed := errors.New("the rules refused it")
	cases := map[string]func(t *pgTx) error{
		"a statement before COMMIT fails": func(t *pgTx) error {
			t.Exec(`INSERT INTO meta(key, value) VALUES('batch-tx', 'a')`)
			t.Exec(`INSERT INTO meta(key, value) VALUES(NULL, 'b')`)
			return nil
		},
		"fn fails after a read": func(t *pgTx) error {
			t.Exec(`INSERT INTO meta(key, value) VALUES('batch-tx', 'a')`)
			var n int
			if err := t.QueryRow(`SELECT count(*) FROM meta WHERE key = 'batch-tx'`).Scan(&n); err != nil || n != 1 {
				return fmt.Errorf("the transaction's own write: %d, %v", n, err)
			}
			return failed
		},
	}
	for name, fn := range cases {
		if err := one.batchTx(ctx, `BEGIN`, fn); err == nil {
			t.Fatalf("%s: the transaction committed", name)
		}
		var n int
		err := one.batchTx(ctx, beginRead, func(t *pgTx) error {
			return t.QueryRow(`SELECT count(*) FROM meta WHERE key = 'batch-tx'`).Scan(&n)
		})
		if err != nil || n != 0 {
			t.Fatalf("%s: after it the next transaction found %d rows of it (%v)", name, n, err)
		}
	}
}

// A district's snapshot page reads each chunk of its students' rows in
// one round trip: the students with their enrollments, programs and
// assessments (four before). The rest of the page's round trips are its
// begin with the epoch, the feed's head, the count and the lists of
// students, a read for each other table and the commit: 16 for a page
// of one student (19 before).
func TestSnapshotRoundTrips(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	rec := sync.Record{ID: uuid.NewString(), StateID: hubtest.Maria, MIS2000ID: "4343", QAD: "2024-08-01", EED: "2027-07-31", Version: 1}
	res, err := h.Push(ctx, hubtest.ClerkC, sync.Cursor{}, []sync.Mutation{hubtest.Mutation(sync.OpCreate, 0, rec), hubtest.Mutation(sync.OpPublish, 1, rec)})
	if err != nil || res[1].Outcome != sync.Applied {
		t.Fatalf("publish a record of a student of district 001: %+v %v", res, err)
	}
	traced, trips := tracedDB(t, h)
	// The first page prepares the statements; the second is counted.
	for round := range 2 {
		trips.reset()
		p, err := traced.Pull(ctx, hubtest.Coord001, sync.Cursor{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		settle(t, traced)
		students := 0
		for _, c := range p.Changes {
			if c.Table == "students" {
				students++
			}
		}
		if students == 0 || p.More {
			t.Fatalf("the district's snapshot brought %d students (more: %v)", students, p.More)
		}
		if round == 1 && trips.n() > 16 {
			t.Errorf("a district's snapshot page of one student made %d round trips, want 16", trips.n())
		}
	}
}

// A pull whose reading panics gives its connection back: the pool of one
// connection serves the next pull.
func TestReadTxPanicReleases(t *testing.T) {
	h := hubtest.Setup(t, open).(*DB)
	cfg := h.pool.Config()
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	one := &DB{pool: pool, reader: newReader(), writing: make(chan struct{}, 1)}
	func() {
		defer func() { recover() }()
		one.readTx(context.Background(), func(t *pgTx) error {
			var n int
			t.QueryRow(`SELECT 1`).Scan(&n)
			panic("a bug in a read")
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := one.Pull(ctx, hubtest.Admin, sync.Cursor{}, 10); err != nil {
		// Not closed: Close would wait for the connection held for good.
		t.Fatalf("the pull after a read that panicked: %v", err)
	}
	pool.Close()
}
