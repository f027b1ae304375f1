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

func TestConformance(t *testing.T) { hubtest.Run(t, open) }

// A workstation's export row lands in the hub's audit log once, as the
// signed-in user, with its place and hash in the workstation's chain.
func TestAuditRowKept(t *testing.T) {
	st := hubtest.Setup(t, open)
	h := st.(*DB)
	m := hubtest.AuditMutation(hubtest.ExportRow)
	for range 2 {
		if _, err := h.Push(context.Background(), hubtest.ClerkC, []sync.Mutation{m}); err != nil {
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
// takes the import's snapshot twice.
func TestPullsAfterAnImportAtOnce(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	for round := range 3 {
		if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
			t.Fatal(err)
		}
		const pulls = 8
		epochs := make([]string, pulls)
		var wg gosync.WaitGroup
		start := make(chan struct{})
		for i := range pulls {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				p, err := h.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 10)
				if err != nil {
					t.Error(err)
				}
				epochs[i] = p.Next.Epoch
			}()
		}
		close(start)
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

// A pull whose transaction began before an import that is now in the
// database answers an epoch of its own and leaves the import's alone.
func TestPullBeforeAnImportKeepsItsEpoch(t *testing.T) {
	ctx := context.Background()
	h := hubtest.Setup(t, open).(*DB)
	p, err := h.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := h.newEpoch(ctx, "an import before this one")
	if err != nil {
		t.Fatal(err)
	}
	now, err := h.Pull(ctx, hubtest.ClerkC, sync.Cursor{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if stale == p.Next.Epoch || now.Next.Epoch != p.Next.Epoch {
		t.Errorf("epochs: %q before, %q answered to the stale pull, %q after; want the first and the last the same and the stale one apart",
			p.Next.Epoch, stale, now.Next.Epoch)
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
