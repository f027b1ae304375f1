package pghub

import (
	"context"
	"regexp"
	"runtime"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/pghub/pgtest"
	"migrantdesk/data/sync"
)

// planMode is plan_cache_mode on one of the hub's connections.
func planMode(t *testing.T, h *DB) string {
	t.Helper()
	var mode string
	if err := h.pool.QueryRow(context.Background(), `SHOW plan_cache_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return mode
}

// The hub's connections plan a statement once for any values, unless
// the database's administrator chose otherwise; a transaction told to
// plan for values does so until it ends, and the connection goes back
// to plans for any values after it.
func TestPlansForAnyValues(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	h := openEmpty(t, url)
	if mode := planMode(t, h); mode != "force_generic_plan" {
		t.Fatalf("a connection of the hub plans with %q, want force_generic_plan", mode)
	}
	var inside string
	err := h.batchTx(ctx, beginRead, func(t *pgTx) error {
		t.PlanForValues()
		return t.QueryRow(`SELECT current_setting('plan_cache_mode')`).Scan(&inside)
	})
	if err != nil {
		t.Fatal(err)
	}
	if inside != "force_custom_plan" {
		t.Fatalf("a transaction told to plan for values plans with %q, want force_custom_plan", inside)
	}
	// One connection, so the next statement runs where the transaction
	// ran.
	one, _ := tracedDB(t, h)
	if err := one.batchTx(ctx, beginRead, func(t *pgTx) error { t.PlanForValues(); return nil }); err != nil {
		t.Fatal(err)
	}
	if mode := planMode(t, one); mode != "force_generic_plan" {
		t.Fatalf("after a transaction planned for values its connection plans with %q, want force_generic_plan", mode)
	}

	var name string
	if err := h.pool.QueryRow(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if _, err := h.pool.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{name}.Sanitize()+` SET plan_cache_mode = auto`); err != nil {
		t.Fatal(err)
	}
	if mode := planMode(t, openEmpty(t, url)); mode != "auto" {
		t.Fatalf("the database's administrator set plan_cache_mode to auto; a hub's connection plans with %q", mode)
	}
}

// scopeRead is a statement that reads the rows of a user's scope.
var scopeRead = regexp.MustCompile(`FROM (students|published|migrant_records|hub_student_regions)\b`)

// sqlTrace keeps the text of every statement a connection sends.
type sqlTrace struct {
	mu  gosync.Mutex
	sql []string
}

func (s *sqlTrace) add(q string) {
	s.mu.Lock()
	s.sql = append(s.sql, q)
	s.mu.Unlock()
}

// sent is the statements sent since the last call.
func (s *sqlTrace) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.sql
	s.sql = nil
	return out
}

func (s *sqlTrace) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.add(d.SQL)
	return ctx
}
func (s *sqlTrace) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (s *sqlTrace) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (s *sqlTrace) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	s.add(d.SQL)
}
func (s *sqlTrace) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// A snapshot page, whose reads are of a district or a region, is read
// with plans for its values, from its first read of the scope's rows on;
// a pull of the feed, whose statements are read by key, keeps the plans
// for any values.
func TestSnapshotPlansForValues(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	cfg := h.pool.Config()
	trace := &sqlTrace{}
	cfg.ConnConfig.Tracer = trace
	cfg.MinConns, cfg.MaxConns = 1, 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	traced := &DB{pool: pool, reader: newReader(), writing: make(chan struct{}, 1)}

	for _, u := range []struct {
		name string
		pull func() (sync.Page, error)
	}{
		{"a coordinator's", func() (sync.Page, error) { return traced.Pull(ctx, hubtest.Coord001, sync.Cursor{}, 1000) }},
		{"a clerk's", func() (sync.Page, error) { return traced.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 1000) }},
	} {
		trace.sent()
		page, err := u.pull()
		if err != nil {
			t.Fatal(err)
		}
		settle(t, traced)
		if !page.Snapshot {
			t.Fatalf("%s first pull is not a snapshot", u.name)
		}
		set, scoped := -1, -1
		for i, q := range trace.sent() {
			if strings.Contains(q, "SET LOCAL plan_cache_mode = force_custom_plan") && set < 0 {
				set = i
			}
			if scopeRead.MatchString(q) && scoped < 0 {
				scoped = i
			}
		}
		if set < 0 || scoped < 0 || set > scoped {
			t.Errorf("%s snapshot page: plans for values set at statement %d, the scope first read at %d", u.name, set, scoped)
		}
	}

	cursor := pullAll(t, traced, hubtest.ClerkC, sync.Cursor{}).Next
	settle(t, traced)
	trace.sent()
	page, err := traced.Pull(ctx, hubtest.ClerkC, cursor, 1000)
	if err != nil {
		t.Fatal(err)
	}
	settle(t, traced)
	if page.Snapshot {
		t.Fatal("a pull after the snapshot is a snapshot again")
	}
	for _, q := range trace.sent() {
		if strings.Contains(q, "plan_cache_mode") {
			t.Fatalf("a pull of the feed changed how it is planned: %s", q)
		}
	}
}

// A hub whose URL does not size its pool holds twice its cores and two
// more connections, sixteen at most; a URL that sizes the pool is taken
// as it is.
func TestPoolSize(t *testing.T) {
	url := pgtest.URL(t)
	want := int32(min(2*runtime.GOMAXPROCS(0)+2, 16))
	if got := openEmpty(t, url).pool.Config().MaxConns; got != want {
		t.Errorf("the pool holds %d connections, want %d", got, want)
	}
	if got := openEmpty(t, url+"&pool_max_conns=3").pool.Config().MaxConns; got != 3 {
		t.Errorf("pool_max_conns=3 gave %d connections", got)
	}
	prev := runtime.GOMAXPROCS(64)
	big := poolSize()
	runtime.GOMAXPROCS(prev)
	if big != 16 {
		t.Errorf("64 cores give a pool of %d", big)
	}
}

// While every connection of the pool waits (pulls waiting for the tables
// an owner's import holds), the database still answers: Ping (GET
// /healthz) says so instead of waiting for a connection of the pool and
// failing, which would take every hub out of a load balancer for the
// length of the import, and /metrics still counts the sign-ins alive
// instead of reading -1.
func TestPingWhileThePoolWaits(t *testing.T) {
	ctx := context.Background()
	h := openEmpty(t, pgtest.URL(t)+"&pool_max_conns=2")
	if err := h.SaveAccount(ctx, "test", hub.Account{User: hubtest.Admin}); err != nil {
		t.Fatal(err)
	}
	if err := h.SaveToken(ctx, "hash", hubtest.Admin.Username, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var held []*pgxpool.Conn
	for range 2 {
		c, err := h.pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	defer func() {
		for _, c := range held {
			c.Release()
		}
	}()
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := h.Ping(pctx); err != nil {
		t.Errorf("ping with every connection of the pool taken: %v", err)
	}
	if n, err := h.ActiveTokens(pctx, time.Now()); err != nil || n != 1 {
		t.Errorf("sign-ins alive with every connection of the pool taken: %d, %v", n, err)
	}
}
