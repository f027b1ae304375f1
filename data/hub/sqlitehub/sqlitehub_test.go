package sqlitehub

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubsql"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
)

func open(t *testing.T, ex *data.Extract) hub.Store {
	h, err := Open(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	if _, err := h.Store().ImportExtract(context.Background(), ex, "test"); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestConformance(t *testing.T) { hubtest.Run(t, open, beneath) }

// beneath reaches the hub beneath its Store (hubtest.Beneath).
var beneath = hubtest.Beneath{
	Exec: func(t *testing.T, st hub.Store, q string, args ...any) {
		t.Helper()
		if _, err := st.(*DB).db.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	},
	Query: func(t *testing.T, st hub.Store, q string, args ...any) [][]string {
		t.Helper()
		rows, err := st.(*DB).rdb.Query(q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out [][]string
		for rows.Next() {
			row := make([]string, len(cols))
			ptrs := make([]any, len(cols))
			for i := range row {
				ptrs[i] = &row[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, row)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	},
	Restart: func(t *testing.T, st hub.Store) hub.Store {
		t.Helper()
		h, err := Open(st.(*DB).Store().Path())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		return h
	},
	Sign: func(st hub.Store, c sync.Cursor) sync.Cursor { return st.(*DB).key.Sign(c) },
	Import: func(t *testing.T, st hub.Store, ex *data.Extract) store.ExtractCounts {
		t.Helper()
		c, err := st.(*DB).Store().ImportExtract(context.Background(), ex, "test")
		if err != nil {
			t.Fatal(err)
		}
		return c
	},
}

// A workstation's export row lands in the hub's audit log once, as the
// signed-in user, with its place and hash in the workstation's chain.
func TestAuditRowKept(t *testing.T) {
	st := hubtest.Setup(t, open)
	h := st.(*DB)
	m := hubtest.AuditMutation(hubtest.ExportRow)
	for range 2 {
		if _, err := h.Push(context.Background(), hubtest.ClerkC, sync.Cursor{}, []sync.Mutation{m}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := h.rdb.Query(`SELECT at, username, action, entity_id, before, after FROM audit WHERE action = 'export'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var at, user, action, id, before, after string
		if err := rows.Scan(&at, &user, &action, &id, &before, &after); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{at, user, action, id, before, after}, " | "))
	}
	want := `2026-11-28T15:04:00Z | rosa | export | 001 | {"workstation_hash":"` + hubtest.ExportRow.Hash +
		`","workstation_seq":7} | ` + hubtest.ExportRow.After
	if len(got) != 1 || got[0] != want {
		t.Fatalf("the hub's export rows:\n%q\nwant\n%q", got, want)
	}
}

// TestImportsInOneSecond: an extract imported twice within one second
// starts a new epoch at each import, so that the workstations take the
// second import's rows too.
func TestImportsInOneSecond(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	second := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	h.Store().SetClock(func() time.Time { return second })
	epochs := map[string]bool{}
	for range 3 {
		if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
			t.Fatal(err)
		}
		p, err := h.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		epochs[p.Next.Epoch] = true
	}
	if len(epochs) != 3 {
		t.Errorf("three imports in one second made %d epochs, want 3", len(epochs))
	}
}

// TestPullsAfterAnImportAtOnce: the workstations that pull at once after
// an import get one new epoch, the one the hub keeps, so none of them
// takes the import's snapshot twice. The writer is held until every pull
// has read the hub without an epoch for the import and waits to start
// one, as when they all ask in the same moment.
func TestPullsAfterAnImportAtOnce(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	for round := range 3 {
		if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
			t.Fatal(err)
		}
		const pulls = 8
		_, release := holdWriter(t, h)
		waited := h.db.Stats().WaitCount
		epochs := make([]string, pulls)
		var wg gosync.WaitGroup
		for i := range pulls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := h.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 10)
				if err != nil {
					t.Error(err)
				}
				epochs[i] = p.Next.Epoch
			}()
		}
		for h.db.Stats().WaitCount < waited+pulls {
			time.Sleep(time.Millisecond)
		}
		release()
		wg.Wait()
		p, err := h.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range epochs {
			if e != p.Next.Epoch {
				t.Fatalf("import %d: pull %d answered epoch %q, and the hub keeps %q", round+1, i, e, p.Next.Epoch)
			}
		}
	}
}

// holdWriter takes the hub's one writer connection, outside any
// transaction, until the function it returns gives it back: pulls that
// would start an epoch wait for it.
func holdWriter(t *testing.T, h *DB) (writer *sql.Conn, release func()) {
	t.Helper()
	writer, err := h.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var once gosync.Once
	release = func() { once.Do(func() { writer.Close() }) }
	t.Cleanup(release)
	return writer, release
}

// startImportsEpoch does on the writer held what the pull of another
// workstation does first after an import: it starts the import's epoch,
// and returns it.
func startImportsEpoch(t *testing.T, writer *sql.Conn) string {
	t.Helper()
	ctx := context.Background()
	var imported string
	if err := writer.QueryRowContext(ctx, `SELECT `+hubsql.ImportMark).Scan(&imported); err != nil {
		t.Fatal(err)
	}
	const epoch = "the epoch of the import"
	if _, err := writer.ExecContext(ctx, `INSERT INTO hub_meta(key, value) VALUES('epoch', ?), ('extract', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, epoch, imported); err != nil {
		t.Fatal(err)
	}
	return epoch
}

// pullWaiting starts a pull with cursor c that waits for the writer
// held, and returns its answer once it has one.
func pullWaiting(t *testing.T, h *DB, c sync.Cursor) (answer func() sync.Page) {
	t.Helper()
	waited := h.db.Stats().WaitCount
	type result struct {
		p   sync.Page
		err error
	}
	done := make(chan result, 1)
	go func() {
		p, err := h.Pull(context.Background(), hubtest.ClerkC, c, 10)
		done <- result{p, err}
	}()
	for h.db.Stats().WaitCount == waited {
		time.Sleep(time.Millisecond)
	}
	return func() sync.Page {
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.p
	}
}

// A pull whose transaction read the hub before an import (and found no
// epoch for the import before it) answers neither the next import's
// epoch, which another pull started meanwhile, with its rows of the
// import before, nor takes that epoch from the hub.
func TestPullBeforeAnImportKeepsNoEpoch(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	writer, release := holdWriter(t, h)
	answer := pullWaiting(t, h, sync.Cursor{})
	if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	epoch := startImportsEpoch(t, writer)
	release()
	if p := answer(); p.Next.Epoch == epoch {
		t.Errorf("the pull that read the import before answered the epoch of the one after, %q", epoch)
	}
	if p, err := h.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 10); err != nil || p.Next.Epoch != epoch {
		t.Errorf("the hub answers epoch %q after (%v), not the import's %q", p.Next.Epoch, err, epoch)
	}
}

// A pull whose cursor, signed by the hub, names a change the hub never
// logged (a hub restored from a backup) renews the epoch; one whose transaction read
// the hub before an import does not answer the import's epoch, which
// another pull started meanwhile, with the rows from before it.
func TestRenewedEpochBeforeAnImport(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	first, err := h.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	lost := h.key.Sign(sync.Cursor{Epoch: first.Next.Epoch, Seq: 1 << 40, Mark: "0123456789abcdef"})
	writer, release := holdWriter(t, h)
	answer := pullWaiting(t, h, lost)
	if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	epoch := startImportsEpoch(t, writer)
	release()
	if p := answer(); p.Next.Epoch == epoch || p.Next.Epoch == first.Next.Epoch {
		t.Errorf("the restored cursor's pull answered %q; the import's epoch is %q, the one before %q",
			p.Next.Epoch, epoch, first.Next.Epoch)
	}
	if p, err := h.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 10); err != nil || p.Next.Epoch != epoch {
		t.Errorf("the hub answers epoch %q after (%v), not the import's %q", p.Next.Epoch, err, epoch)
	}
}

// A region's list read in two halves at once is the region's students
// (enrolled in one of its districts, or nowhere), each once, as the one
// query over the whole state reads them; a reader that sees another
// import than the pull's reads nothing, and the pull reads that half
// itself.
func TestRegionListInHalves(t *testing.T) {
	ctx := context.Background()
	h := open(t, hubtest.State()).(*DB)
	const whole = `SELECT e.state_id FROM enrollments e WHERE e.school_number IN
			(SELECT sc.number FROM schools sc JOIN districts d ON d.number = sc.district_number WHERE d.region_code = ?)
		UNION SELECT state_id FROM students WHERE state_id NOT IN (SELECT state_id FROM enrollments) ORDER BY 1`
	var imported string
	if err := h.rdb.QueryRow(`SELECT ` + hubsql.ImportMark).Scan(&imported); err != nil {
		t.Fatal(err)
	}
	for _, region := range []string{"C", "W", "N"} {
		conn, err := h.rdb.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		stx := newTx(ctx, tx, h.rstmts)
		stx.conn = conn
		got, err := h.readRegion(stx, region)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		got = slices.Compact(got)
		want, err := hubsql.ReadIDs(stx, whole, region)
		if err != nil {
			t.Fatal(err)
		}
		tx.Rollback()
		conn.Close()
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("region %s: read in halves %v, want %v", region, got, want)
		}
	}
	if ids, err := h.readBeside(ctx, imported, `SELECT state_id FROM students`); err != nil || len(ids) == 0 {
		t.Fatalf("beside the pull, at the same import: %v, %v", ids, err)
	}
	if ids, err := h.readBeside(ctx, imported+"x", `SELECT state_id FROM students`); err != nil || ids != nil {
		t.Fatalf("beside the pull, at another import: %v, %v", ids, err)
	}
}

// TestReadBesideNeedsNoOtherReader: a read beside a pull returns once its
// own reader is handed back, even when every other reader is held and a
// pull that waits for the list takes that one (found by review: the
// read's end prepared its statement on a reader of the pool's, and
// waited for one forever).
func TestReadBesideNeedsNoOtherReader(t *testing.T) {
	ctx := context.Background()
	h := open(t, hubtest.State()).(*DB)
	var imported string
	if err := h.rdb.QueryRow(`SELECT ` + hubsql.ImportMark).Scan(&imported); err != nil {
		t.Fatal(err)
	}
	var held []*sql.Conn
	t.Cleanup(func() {
		for _, c := range held {
			c.Close()
		}
	})
	for range readers - 1 { // the pull's own and the other pulls'
		c, err := h.rdb.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	slow := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT CAST(max(i) AS TEXT) FROM n`
	done := make(chan error, 1)
	go func() {
		_, err := h.readBeside(ctx, imported, slow)
		done <- err
	}()
	for h.rdb.Stats().InUse < readers {
		time.Sleep(time.Millisecond)
	}
	waited := h.rdb.Stats().WaitCount
	queued := make(chan *sql.Conn, 1)
	go func() { // a clerk's pull, which would wait for this list
		c, _ := h.rdb.Conn(ctx)
		queued <- c
	}()
	for h.rdb.Stats().WaitCount == waited {
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	// The slow read takes a third of a second, and half a minute under the
	// race detector; one that waits for a second reader never returns.
	case <-time.After(2 * time.Minute):
		t.Errorf("the read beside has not returned 2 minutes after it began (readers %+v)", h.rdb.Stats())
	}
	held = append(held, <-queued)
}

// Hub commands opening a hub an earlier release served, at the same
// moment (a hub starting as a scheduled backup runs), add the columns
// it lacks once between them: none fails on a column another added.
func TestOpenedTogetherUpgradeOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hub.db")
	h, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	h.Close()
	old, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`ALTER TABLE hub_changes DROP COLUMN mark`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	const n = 4
	errs := make(chan error, n)
	for range n {
		go func() {
			h, err := Open(path)
			if err == nil {
				h.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("opened together with others: %v", err)
		}
	}
}

// A workstation's database that syncs with a hub, which every hub command
// reaches when its --db is forgotten (the default is this computer's own
// workstation database), is refused and left without the hub's tables.
func TestWorkstationDatabaseRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "migrantdesk.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	clerk := data.User{Username: "rosa", FullName: "Rosa Delgado", Role: data.RoleClerk, RegionCode: "C"}
	if err := st.SetIdentity(context.Background(), store.Identity{HubURL: "https://hub.example", User: clerk, Verifier: "v"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	h, err := Open(path)
	if err == nil {
		h.Close()
		t.Fatal("a workstation's database was opened as a hub")
	}
	for _, want := range []string{path, "workstation's database", "https://hub.example", "rosa", "--db FILE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not say %q: %v", want, err)
		}
	}
	if isHub, err := IsHub(path); err != nil || isHub {
		t.Errorf("the workstation's database was given the hub's tables (%v, %v)", isHub, err)
	}
}
