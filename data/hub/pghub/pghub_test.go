package pghub

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubsql"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/pghub/pgtest"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
)

// open makes a hub on a database of the test's own, holding ex.
func open(t *testing.T, ex *data.Extract) hub.Store {
	h := openEmpty(t, pgtest.URL(t))
	if _, err := h.Import(context.Background(), ex, "test"); err != nil {
		t.Fatal(err)
	}
	return h
}

func openEmpty(t *testing.T, url string) *DB {
	t.Helper()
	h, err := Open(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func TestConformance(t *testing.T) { hubtest.Run(t, open, beneath) }

// beneath reaches the hub beneath its Store (hubtest.Beneath).
var beneath = hubtest.Beneath{
	Exec: func(t *testing.T, st hub.Store, q string, args ...any) {
		t.Helper()
		if _, err := st.(*DB).pool.Exec(context.Background(), numbered(q), args...); err != nil {
			t.Fatal(err)
		}
	},
	Query: func(t *testing.T, st hub.Store, q string, args ...any) [][]string {
		t.Helper()
		rows, err := st.(*DB).pool.Query(context.Background(), numbered(q), args...)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]string, error) {
			vals, err := r.Values()
			row := make([]string, len(vals))
			for i, v := range vals {
				row[i] = fmt.Sprint(v)
			}
			return row, err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	},
	Restart: func(t *testing.T, st hub.Store) hub.Store {
		t.Helper()
		return openEmpty(t, st.(*DB).pool.Config().ConnString())
	},
	Sign: func(st hub.Store, c sync.Cursor) sync.Cursor { return st.(*DB).key.Sign(c) },
	Import: func(t *testing.T, st hub.Store, ex *data.Extract) store.ExtractCounts {
		t.Helper()
		c, err := st.(*DB).Import(context.Background(), ex, "test")
		if err != nil {
			t.Fatal(err)
		}
		return c
	},
}

// A push that commits late is never skipped: while one push is open
// (holding the feed lock, its changes numbered but not committed),
// another push waits, and a pull in between neither sees their changes
// nor moves its cursor past them. Once both commit, the next pull brings
// both.
func TestCursorSkipsNoLateCommit(t *testing.T) {
	ctx := context.Background()
	st := hubtest.Setup(t, open)
	h := st.(*DB)
	admin := hubtest.Admin
	cursor := pullAll(t, h, admin, sync.Cursor{}).Next

	first := hubtest.Mutation(sync.OpCreate, 0, sync.Record{ID: uuid.NewString(), StateID: hubtest.Maria,
		MIS2000ID: "111", QAD: "2021-01-01", EED: "2021-06-30", Version: 1})
	second := hubtest.Mutation(sync.OpCreate, 0, sync.Record{ID: uuid.NewString(), StateID: hubtest.Sean,
		MIS2000ID: "222", QAD: "2022-01-01", EED: "2022-06-30", Version: 1})

	tx, err := h.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, feedLock); err != nil {
		t.Fatal(err)
	}
	ptx := newTx(ctx, tx)
	if res, err := hubsql.Push(ptx, admin, sync.Cursor{}, []sync.Mutation{first}, time.Now()); err != nil || res[0].Outcome != sync.Applied {
		t.Fatalf("first push: %+v %v", res, err)
	}
	if err := ptx.flush(); err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() {
		res, err := h.Push(ctx, admin, sync.Cursor{}, []sync.Mutation{second})
		if err == nil && res[0].Outcome != sync.Applied {
			err = fmt.Errorf("second push: %+v", res[0])
		}
		done <- err
	}()
	waitForLockWaiter(t, h)

	p := pullAll(t, h, admin, cursor)
	if len(p.Changes) != 0 || p.Next.Seq != cursor.Seq {
		t.Fatalf("a pull between the pushes brought %d changes and moved the cursor from %d to %d", len(p.Changes), cursor.Seq, p.Next.Seq)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p = pullAll(t, h, admin, cursor)
	got := map[string]bool{}
	for _, c := range p.Changes {
		if c.Table == "migrant_records" {
			got[c.Row["id"]] = true
		}
	}
	if !got[first.EntityID] || !got[second.EntityID] {
		t.Fatalf("after both committed the pull brought records %v", got)
	}
}

// waitForLockWaiter waits until a session of the hub's database waits for
// an advisory lock.
func waitForLockWaiter(t *testing.T, h *DB) {
	t.Helper()
	for range 500 {
		var n int
		err := h.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the second push never waited for the first")
}

// pullAll pulls from c to the head in pages of 1000, and returns every
// change with the last page's cursor.
func pullAll(t *testing.T, h hub.Store, u data.User, c sync.Cursor) sync.Page {
	t.Helper()
	var all sync.Page
	for {
		p, err := h.Pull(context.Background(), u, c, 1000)
		if err != nil {
			t.Fatal(err)
		}
		all.Changes = append(all.Changes, p.Changes...)
		all.Next, c = p.Next, p.Next
		if !p.More {
			return all
		}
	}
}

// Pushers and a puller at once: the puller's own cursor, followed to the
// head once the pushes end, has brought every record pushed.
func TestConcurrentPushesAndPulls(t *testing.T) {
	ctx := context.Background()
	st := hubtest.Setup(t, open)
	h := st.(*DB)
	cursor := pullAll(t, h, hubtest.Admin, sync.Cursor{}).Next
	const pushers, each = 4, 15
	seen := map[string]bool{}
	stop := make(chan struct{})
	pulled := make(chan error, 1)
	go func() { // follows the feed in small pages while the pushes run
		for {
			select {
			case <-stop:
				pulled <- nil
				return
			default:
			}
			p, err := h.Pull(ctx, hubtest.Admin, cursor, 7)
			if err != nil {
				pulled <- err
				return
			}
			for _, ch := range p.Changes {
				if ch.Table == "migrant_records" {
					seen[ch.Row["id"]] = true
				}
			}
			cursor = p.Next
		}
	}()
	var wg gosync.WaitGroup
	ids := make([][]string, pushers)
	errs := make([]error, pushers)
	first := data.NewDate(2024, time.January, 1)
	for w := range pushers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				// Windows of two days, none overlapping another.
				qad := first.AddDays(2 * (w*each + i))
				m := hubtest.Mutation(sync.OpCreate, 0, sync.Record{ID: uuid.NewString(), StateID: hubtest.Osy,
					MIS2000ID: strconv.Itoa(1000 + w*each + i), QAD: qad.String(), EED: qad.AddDays(1).String(), Version: 1})
				res, err := h.Push(ctx, hubtest.Admin, sync.Cursor{}, []sync.Mutation{m})
				if err != nil || res[0].Outcome != sync.Applied {
					errs[w] = fmt.Errorf("push %d: %+v %v", i, res, err)
					return
				}
				ids[w] = append(ids[w], m.EntityID)
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := <-pulled; err != nil {
		t.Fatal(err)
	}
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, ch := range pullAll(t, h, hubtest.Admin, cursor).Changes {
		if ch.Table == "migrant_records" {
			seen[ch.Row["id"]] = true
		}
	}
	for _, ws := range ids {
		for _, id := range ws {
			if !seen[id] {
				t.Fatalf("record %s never reached the puller", id)
			}
		}
	}
}

// Hubs starting together on a new database migrate it once.
func TestMigrateOnce(t *testing.T) {
	url := pgtest.URL(t)
	var wg gosync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := Open(context.Background(), url, "")
			if err == nil {
				h.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	h := openEmpty(t, url)
	var n, max int
	if err := h.pool.QueryRow(context.Background(), `SELECT count(*), max(version) FROM hub_schema`).Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != len(migrations) || max != len(migrations) {
		t.Fatalf("%d migrations recorded, up to %d, for %d", n, max, len(migrations))
	}
}

// The audit log refuses changes to what it holds, whoever asks.
func TestAuditAppendOnly(t *testing.T) {
	h := hubtest.Setup(t, open).(*DB)
	ctx := context.Background()
	for _, q := range []string{`UPDATE audit SET username = 'someone else'`, `DELETE FROM audit`, `TRUNCATE audit`} {
		_, err := h.pool.Exec(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "the audit log is append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
	var n int
	if err := h.pool.QueryRow(ctx, `SELECT count(*) FROM audit WHERE action = 'save' AND entity = 'user'`).Scan(&n); err != nil || n != len(hubtest.Users()) {
		t.Fatalf("%d user saves audited: %v", n, err)
	}
}

// A hub database restored into another database (pg_restore into a new
// one) starts a new epoch: workstations take a fresh snapshot. The start
// that does says so (RenewedEpoch), for its operator to read in the log;
// a new hub's first epoch, and a start of the same database, do not.
func TestRestoredDatabaseNewEpoch(t *testing.T) {
	url := pgtest.URL(t)
	h := openEmpty(t, url)
	if h.RenewedEpoch() {
		t.Error("a new hub's first epoch was taken for a restore's")
	}
	ctx := context.Background()
	if _, err := h.Import(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	c := pullAll(t, h, hubtest.Admin, sync.Cursor{}).Next
	h.Close()
	if h = openEmpty(t, url); pullAll(t, h, hubtest.Admin, c).Next.Epoch != c.Epoch || h.RenewedEpoch() {
		t.Fatal("reopening the same database changed the epoch")
	}
	// What a dump restored elsewhere looks like: made in another database.
	if _, err := h.pool.Exec(ctx, `UPDATE hub_meta SET value = '1' WHERE key = 'database'`); err != nil {
		t.Fatal(err)
	}
	h.Close()
	h = openEmpty(t, url)
	p, err := h.Pull(ctx, hubtest.Admin, c, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Snapshot || p.Next.Epoch == c.Epoch {
		t.Fatalf("a restored hub kept epoch %s", c.Epoch)
	}
	if !h.RenewedEpoch() {
		t.Error("the start that renewed the epoch of a restored hub does not say so")
	}
}

// The regions a clerk's snapshot asks for each student follow every
// import: a student moved to another region's school, a student enrolled
// nowhere ('*') who enrolls.
func TestStudentRegionsFollowImports(t *testing.T) {
	ctx := context.Background()
	h := openEmpty(t, pgtest.URL(t))
	regions := func() []string {
		rows, err := h.pool.Query(ctx, `SELECT state_id || ':' || region_code FROM hub_student_regions ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	ex := hubtest.State()
	if _, err := h.Import(ctx, ex, "test"); err != nil {
		t.Fatal(err)
	}
	want := []string{hubtest.Maria + ":C", hubtest.Ana + ":C", hubtest.Ana + ":W", hubtest.Sean + ":C", hubtest.Osy + ":*"}
	if got := regions(); !slices.Equal(got, want) {
		t.Fatalf("after the first import %v, want %v", got, want)
	}
	ex.Enrollments[0].SchoolNumber = "003010"
	ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "E5", StateID: hubtest.Osy, SchoolNumber: "002010",
		Grade: "12", ServiceType: "P", Start: data.NewDate(2026, time.January, 5)})
	if _, err := h.Import(ctx, ex, "test"); err != nil {
		t.Fatal(err)
	}
	want = []string{hubtest.Maria + ":W", hubtest.Ana + ":C", hubtest.Ana + ":W", hubtest.Sean + ":C", hubtest.Osy + ":C"}
	if got := regions(); !slices.Equal(got, want) {
		t.Fatalf("after a re-import %v, want %v", got, want)
	}
}

// Migration 3 hashes the audit rows a hub wrote before the chain, in
// PL/pgSQL, as data.AuditHash does in Go (text beyond ASCII included),
// puts the append-only trigger back, and the chain goes on from there.
func TestMigrationHashesAudit(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE hub_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for i, m := range migrations[:2] {
		if _, err := conn.Exec(ctx, m); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO hub_schema(version) VALUES($1)`, i+1); err != nil {
			t.Fatal(err)
		}
	}
	old := [][]string{
		{"2026-11-01T10:00:00Z", "test", "import extract", "extract", "", `{"Students":4}`},
		{"2026-11-02T11:30:00Z", "rosa", "update", "record", "r1", `{"MIS2000ID":"Núñez, 名"}`},
		{"2026-11-03T09:15:00Z", "admin", "save", "user", "cora", "coordinator Cora Díaz [001]"},
	}
	for _, r := range old {
		if _, err := conn.Exec(ctx, `INSERT INTO audit(at, username, action, entity, entity_id, after) VALUES($1, $2, $3, $4, $5, $6)`,
			r[0], r[1], r[2], r[3], r[4], r[5]); err != nil {
			t.Fatal(err)
		}
	}
	h := openEmpty(t, url)
	if n, err := h.VerifyAudit(ctx); err != nil || n != int64(len(old)) {
		t.Fatalf("after the migration %d rows verify: %v", n, err)
	}
	var prev string
	for seq, r := range old {
		want := data.AuditHash(prev, data.AuditRow{Seq: int64(seq + 1), At: r[0], User: r[1], Action: r[2], Entity: r[3], EntityID: r[4], After: r[5]})
		var got string
		if err := h.pool.QueryRow(ctx, `SELECT hash FROM audit WHERE seq = $1`, seq+1).Scan(&got); err != nil || got != want {
			t.Fatalf("row %d hashed %q, data.AuditHash gives %q (%v)", seq+1, got, want, err)
		}
		prev = want
	}
	if _, err := h.pool.Exec(ctx, `UPDATE audit SET username = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("the append-only trigger is not back: %v", err)
	}
	// The hub has no extract: a user of no region or district.
	if err := h.SaveAccount(ctx, "admin", hub.Account{User: hubtest.Admin}); err != nil {
		t.Fatal(err)
	}
	if n, err := h.VerifyAudit(ctx); err != nil || n != int64(len(old))+1 {
		t.Fatalf("after one more row %d rows verify: %v", n, err)
	}
}

// A clerk's first pull that meets an owner's import: the import holds the
// bulk tables (and the students and schools their foreign keys point to)
// from its start, the pull holds hub_student_regions and waits for one of
// them, and the import then empties hub_student_regions. Both go
// through (the import used to take TRUNCATE's exclusive lock there, and
// PostgreSQL ended the deadlock by rolling one of them back), and the
// pull, whose snapshot is from before the import, has the students of
// that snapshot (TRUNCATE would have shown it an empty table).
func TestImportWhileAPullWaits(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	h := openEmpty(t, url)
	if _, err := h.Import(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	other := openEmpty(t, url)
	// Holding regions keeps the import in its load, with the bulk tables
	// set aside, until the pull waits for them.
	stall, err := h.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer stall.Rollback(ctx)
	if _, err := stall.Exec(ctx, `LOCK TABLE regions IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what, query string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; {
			var n int
			if err := h.pool.QueryRow(ctx, query).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				return
			}
			if time.Now().After(deadline) {
				var waits string
				h.pool.QueryRow(ctx, `SELECT coalesce(string_agg(coalesce(relation::regclass::text, locktype) || ' ' || mode, ', '), '') FROM pg_locks WHERE NOT granted`).Scan(&waits)
				t.Fatalf("%s did not happen in 30 s; waiting: %s", what, waits)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	imported := make(chan error, 1)
	go func() {
		_, err := h.Import(ctx, hubtest.State(), "test")
		imported <- err
	}()
	waitFor("the import setting the bulk tables aside", `SELECT count(*) FROM pg_locks
		WHERE relation = 'enrollments'::regclass AND mode = 'AccessExclusiveLock' AND granted`)
	type pulled struct {
		page sync.Page
		err  error
	}
	pulls := make(chan pulled, 1)
	go func() {
		p, err := other.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 1000)
		pulls <- pulled{p, err}
	}()
	waitFor("the pull waiting for the import's tables", `SELECT count(*) FROM pg_locks l
		WHERE NOT l.granted AND l.mode = 'AccessShareLock'
			AND EXISTS (SELECT 1 FROM pg_locks r WHERE r.pid = l.pid AND r.granted AND r.relation = 'hub_student_regions'::regclass)`)
	if err := stall.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	var p pulled
	select {
	case err := <-imported:
		if err != nil {
			t.Errorf("the import: %v", err)
		}
		p = <-pulls
	case <-time.After(time.Minute):
		t.Fatal("the import did not end in a minute")
	}
	if p.err != nil {
		t.Fatalf("the pull: %v", p.err)
	}
	students := 0
	for _, c := range p.page.Changes {
		if c.Table == "students" {
			students++
		}
	}
	if !p.page.Snapshot || students == 0 {
		t.Errorf("the clerk's first page during the import: snapshot %v, %d students of %d rows", p.page.Snapshot, students, len(p.page.Changes))
	}
}
