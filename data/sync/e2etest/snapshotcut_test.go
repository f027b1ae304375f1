package e2etest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	gosync "sync"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/sync/client"
)

// snapshotPage is the page size, in rows, the proxy asks the hub for in
// place of the workstation's: a snapshot of the small demo region is then
// dozens of pages, and a cut lands in the middle of it.
const snapshotPage = 40

// TestSnapshotCutKeepsTypedWork: a clerk synced once types records
// offline; the hub starts a new epoch (`hub new-epoch`); the next sync
// pushes them and takes the snapshot, during which the clerk saves more
// (as the app lets her while it syncs), and the hub is killed part way
// through the snapshot. A sync pushes what waits before it applies a
// snapshot page, so the work saved during it is what the snapshot meets
// still waiting: until the snapshot is whole its student stays the
// region's (a clerk of another region is refused) and the student screen
// shows their enrollments, programs and assessments as before, and once
// the hub is back and the sync resumes every record typed is on the hub
// exactly once and the workstation matches it.
func TestSnapshotCutKeepsTypedWork(t *testing.T) {
	r := newRig(t, onSQLite, 600, 61)
	r.rosa.sync(r.proxy.URL)
	r.migrant(0, 6)
	typed := r.typedRecords()
	r.newEpoch()

	st, c := r.inProcess()
	late := r.lateRecords(2)
	sid := late[0].StateID
	before := shown(t, st, sid)
	for _, kind := range []string{"enrollment ", "program ", "assessment "} {
		if !slices.ContainsFunc(before, func(row string) bool { return strings.HasPrefix(row, kind) }) {
			t.Fatalf("student %s has no %sto keep through the snapshot: %q", sid, kind, before)
		}
	}
	var (
		mu   gosync.Mutex // the proxy's goroutines save, the test reads
		kept string       // the record of sid saved during the sync
	)
	r.proxy.resetCounts()
	// The first pull follows the pushes (refused at the old epoch, sent
	// again at the new one), and its page is the snapshot's first.
	r.proxy.hooks(func(path string, n int) {
		switch {
		case path == "/v1/pull" && n == 1:
			mu.Lock()
			defer mu.Unlock()
			for _, m := range late {
				rec, err := st.SaveRecord(context.Background(), r.clerk, m)
				if err != nil {
					t.Errorf("save while the sync runs: %v", err)
					continue
				}
				typed[rec.ID] = m.MIS2000ID
				if m.StateID == sid {
					kept = rec.ID
				}
			}
		case path == "/v1/pull" && n == 3:
			r.hub.kill()
		}
	}, nil)
	c.Retries = 0 // the cut ends the sync at once, not after seconds of retries
	if s, err := c.Sync(context.Background(), st, nil); err == nil {
		t.Fatalf("the sync went on with the hub killed: %+v", s)
	}
	r.proxy.hooks(nil, nil)
	mu.Lock()
	defer mu.Unlock()

	ctx := context.Background()
	if cur, err := st.Cursor(ctx); err != nil || cur.Snapshot == "" {
		t.Fatalf("the cut did not land in the snapshot: cursor %+v, %v", cur, err)
	}
	if !strings.Contains(meta(t, r.rosa.db, "snapshot_kept_students"), sid) {
		t.Fatalf("student %s was not kept for the work saved during the sync, or came before the cut", sid)
	}
	if got := shown(t, st, sid); !slices.Equal(got, before) {
		t.Fatalf("student %s mid-snapshot shows\n%s\nwant what the screen showed before:\n%s", sid, strings.Join(got, "\n"), strings.Join(before, "\n"))
	}
	if err := editMIS(st, clerk("west", r.otherRegion()), kept, "700001"); !errors.Is(err, data.ErrAccess) {
		t.Errorf("a clerk of another region changed the record of kept student %s mid-snapshot: %v", sid, err)
	}
	if err := editMIS(st, r.clerk, kept, "700002"); err != nil {
		t.Fatalf("the region's clerk changing the record of kept student %s mid-snapshot: %v", sid, err)
	}
	typed[kept] = "700002"

	r.restartHub()
	c.Retries = 4
	if _, err := c.Sync(ctx, st, nil); err != nil {
		t.Fatalf("the sync resumed: %v", err)
	}
	r.checkTyped(typed)
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)
}

// TestSnapshotLeavesOutAMovedStudent: the hub moved a student out of the
// clerk's region before its new epoch, and the clerk saved a record of
// theirs while the snapshot came. The whole snapshot does not bring the
// student: they are left out, the clerk's further edits are refused here
// with a sentence, and the record saved is still pushed and answered by
// the hub (refused: the student is not the region's on the hub). Taking
// the record off as the refusal is dismissed leaves the workstation
// holding what the hub gives the clerk, what she typed kept in the
// outbox.
func TestSnapshotLeavesOutAMovedStudent(t *testing.T) {
	r := newRig(t, onSQLite, 600, 62)
	r.rosa.sync(r.proxy.URL)
	r.migrant(0, 2)
	late := r.lateRecords(1)
	sid := late[0].StateID
	r.hub.stop()
	r.moveStudent(sid, r.otherRegion())
	r.newEpoch()

	st, c := r.inProcess()
	var (
		mu    gosync.Mutex
		saved string
	)
	r.proxy.resetCounts()
	r.proxy.hooks(func(path string, n int) {
		if path == "/v1/pull" && n == 1 {
			mu.Lock()
			defer mu.Unlock()
			rec, err := st.SaveRecord(context.Background(), r.clerk, late[0])
			if err != nil {
				t.Errorf("save while the sync runs: %v", err)
			}
			saved = rec.ID
		}
	}, nil)
	ctx := context.Background()
	if _, err := c.Sync(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	r.proxy.hooks(nil, nil)
	mu.Lock()
	defer mu.Unlock()
	if saved == "" {
		t.Fatal("nothing saved during the sync")
	}
	err := editMIS(st, r.clerk, saved, "700003")
	if !errors.Is(err, data.ErrAccess) || !strings.Contains(err.Error(), "left them out") {
		t.Errorf("the clerk changed the record of student %s, whom the hub moved out of her region: %v", sid, err)
	}
	if _, err := c.Sync(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	rejections, err := st.Rejections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reason string
	for _, rj := range rejections {
		if rj.EntityID == saved {
			reason = rj.Reason
		}
	}
	t.Logf("the hub refused the record of the moved student: %q", reason)
	if !strings.Contains(reason, sid) {
		t.Errorf("the clerk sees no refusal of the record of student %s (moved out of the region on the hub) among %+v", sid, rejections)
	}
	if n := count(t, openSQL(t, r.hubDB), `SELECT count(*) FROM migrant_records WHERE id = ?`, saved); n != 0 {
		t.Errorf("the hub holds the refused record of student %s", sid)
	}
	if m := recordOf(t, st, saved).MigrantRecord; m.MIS2000ID != late[0].MIS2000ID {
		t.Errorf("the refused record on the workstation has MIS2000 ID %s, the clerk typed %s", m.MIS2000ID, late[0].MIS2000ID)
	}
	if pending(t, r.rosa.db) != 0 {
		t.Errorf("%d changes still wait", pending(t, r.rosa.db))
	}

	// The clerk dismisses the refusal and takes the record off this
	// computer, which then holds what the hub gives her, and keeps what
	// she typed in the outbox, dismissed.
	var refusal string
	for _, rj := range rejections {
		if rj.EntityID == saved {
			refusal = rj.ID
		}
	}
	if err := st.TakeOffRefused(ctx, r.clerk, refusal); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sync(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	r.converged(r.clerk, r.rosa.db)
	if n := count(t, openSQL(t, r.rosa.db), `SELECT count(*) FROM outbox WHERE entity_id = ? AND state = 'dismissed'
		AND json_extract(payload, '$.mis2000_id') = ?`, saved, late[0].MIS2000ID); n != 1 {
		t.Errorf("the outbox holds the refused record as typed %d times, want once, dismissed", n)
	}
}

// newEpoch starts a new epoch on the hub, as `hub new-epoch` does with
// the hub stopped, and makes the proxy ask for small pages.
func (r *rig) newEpoch() {
	r.t.Helper()
	if r.hub != nil {
		select {
		case <-r.hub.done:
		default:
			r.hub.stop()
		}
	}
	mustRun(r.t, "hub", "new-epoch", "--db", r.hubDB)
	r.restartHub()
	r.proxy.pullLimit(snapshotPage)
}

// inProcess opens the clerk's workstation database and a client signed in
// as her through the proxy, as the app holds them.
func (r *rig) inProcess() (*store.Store, *client.Client) {
	r.t.Helper()
	st, err := store.Open(r.rosa.db)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { st.Close() })
	c, err := client.New(r.proxy.URL)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := c.SignIn(context.Background(), r.clerk.Username, Password); err != nil {
		r.t.Fatal(err)
	}
	return st, c
}

// typedRecords maps the clerk's records on her workstation to their
// MIS2000 IDs.
func (r *rig) typedRecords() map[string]string {
	r.t.Helper()
	out := map[string]string{}
	rows, err := openSQL(r.t, r.rosa.db).Query(`SELECT id, mis2000_id FROM migrant_records WHERE id IN (SELECT entity_id FROM outbox)`)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, mis string
		rows.Scan(&id, &mis)
		out[id] = mis
	}
	if len(out) == 0 {
		r.t.Fatal("no record typed")
	}
	return out
}

// lateRecords are n records of the region's students with the largest
// state IDs, whom a snapshot brings last, one a student, from the extract.
func (r *rig) lateRecords(n int) []data.MigrantRecord {
	r.t.Helper()
	var rows [][]string
	for _, row := range r.ex.records {
		if slices.Contains(r.ex.regions[row[0]], r.region) && len(r.ex.regions[row[0]]) == 1 {
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(b[0], a[0]) })
	var out []data.MigrantRecord
	for _, row := range rows {
		if len(out) == n {
			break
		}
		if len(out) > 0 && out[len(out)-1].StateID == row[0] {
			continue
		}
		qad, err1 := data.ParseDate(row[2])
		eed, err2 := data.ParseDate(row[3])
		if err := errors.Join(err1, err2); err != nil {
			r.t.Fatal(err)
		}
		out = append(out, data.MigrantRecord{StateID: row[0], MIS2000ID: "8" + row[1][1:], QAD: qad, EED: eed})
	}
	if len(out) < n {
		r.t.Fatalf("region %s has %d students with records", r.region, len(out))
	}
	return out
}

// otherRegion is the first region of the state, by code, other than the
// clerk's.
func (r *rig) otherRegion() string {
	r.t.Helper()
	other := ""
	for _, regs := range r.ex.regions {
		for _, reg := range regs {
			if reg != r.region && (other == "" || reg < other) {
				other = reg
			}
		}
	}
	if other == "" {
		r.t.Fatal("the state has one region")
	}
	return other
}

// moveStudent enrolls the student, on the stopped hub, at a school of
// another region in place of each school they are enrolled at.
func (r *rig) moveStudent(sid, region string) {
	r.t.Helper()
	h := openSQL(r.t, r.hubDB)
	defer h.Close()
	var school string
	if err := h.QueryRow(`SELECT s.number FROM schools s JOIN districts d ON d.number = s.district_number WHERE d.region_code = ? ORDER BY s.number LIMIT 1`, region).Scan(&school); err != nil {
		r.t.Fatal(err)
	}
	if _, err := h.Exec(`UPDATE enrollments SET school_number = ? WHERE state_id = ?`, school, sid); err != nil {
		r.t.Fatal(err)
	}
}

// checkTyped fails unless the hub and the workstation hold each record
// typed once, with the MIS2000 ID last typed.
func (r *rig) checkTyped(typed map[string]string) {
	r.t.Helper()
	h, local := openSQL(r.t, r.hubDB), openSQL(r.t, r.rosa.db)
	for id, mis := range typed {
		for _, db := range []struct {
			name string
			q    func(string, ...any) int
		}{{"hub", func(q string, a ...any) int { return count(r.t, h, q, a...) }}, {"workstation", func(q string, a ...any) int { return count(r.t, local, q, a...) }}} {
			if n := db.q(`SELECT count(*) FROM migrant_records WHERE id = $1 AND mis2000_id = $2 AND deleted = 0`, id, mis); n != 1 {
				r.t.Errorf("the %s holds record %s with MIS2000 ID %s %d times, want once", db.name, id, mis, n)
			}
		}
	}
}

// shown is what the student screen shows of a student besides their
// records: each enrollment, program and assessment.
func shown(tb testing.TB, st *store.Store, sid string) []string {
	tb.Helper()
	d, err := st.Student(context.Background(), sid)
	if err != nil {
		tb.Fatal(err)
	}
	var rows []string
	for _, e := range d.Enrollments {
		rows = append(rows, fmt.Sprintf("enrollment %s at %s from %s", e.ID, e.School.Number, e.Start))
	}
	for _, p := range d.Programs {
		rows = append(rows, fmt.Sprintf("program %s %s from %s", p.Program, p.Code, p.Start))
	}
	for _, a := range d.Assessments {
		rows = append(rows, fmt.Sprintf("assessment %s on %s: %s", a.Subject, a.TestDate, a.Level))
	}
	return rows
}

func meta(tb testing.TB, path, key string) string {
	tb.Helper()
	var v string
	openSQL(tb, path).QueryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	return v
}

// editMIS saves record id as u with a new MIS2000 ID, as the form would.
func editMIS(st *store.Store, u data.User, id, mis string) error {
	rec, err := st.RecordByID(context.Background(), id)
	if err != nil {
		return err
	}
	m := rec.MigrantRecord
	m.MIS2000ID = mis
	_, err = st.SaveRecord(context.Background(), u, m)
	return err
}

// TestDismissedRefusalOutlivesANewEpoch: the clerk saves a record offline
// of a student the hub has moved out of her region; the sync pushes it
// and the hub refuses it, and she only dismisses the refusal (she does
// not take the record off). The hub's next epoch sends her workstation a
// fresh snapshot of her scope: the record stays on her workstation as she
// typed it, as the dismissal said, and its student with it (left out, so
// no further change of it is taken here); the hub never has it.
func TestDismissedRefusalOutlivesANewEpoch(t *testing.T) {
	r := newRig(t, onSQLite, 600, 62)
	r.rosa.sync(r.proxy.URL)
	typed := r.lateRecords(1)[0]
	st, c := r.inProcess()
	ctx := context.Background()
	rec, err := st.SaveRecord(ctx, r.clerk, typed)
	if err != nil {
		t.Fatal(err)
	}
	r.hub.stop()
	r.moveStudent(typed.StateID, r.otherRegion())
	r.restartHub()
	if s, err := c.Sync(ctx, st, nil); err != nil || s.Rejected != 1 {
		t.Fatalf("the sync of the record of a student moved away: %+v, %v; want it refused", s, err)
	}
	refused, err := st.Rejections(ctx)
	if err != nil || len(refused) != 1 {
		t.Fatalf("refusals %+v, %v", refused, err)
	}
	if err := st.DismissRejection(ctx, r.clerk, refused[0].ID); err != nil {
		t.Fatal(err)
	}

	r.newEpoch()
	if _, err := c.Sync(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	if cur, err := st.Cursor(ctx); err != nil || cur.Snapshot != "" || cur.Epoch == "" {
		t.Fatalf("the snapshot of the new epoch is not whole: %+v, %v", cur, err)
	}
	got, err := st.RecordByID(ctx, rec.ID)
	if err != nil {
		t.Fatalf("the record the clerk typed is gone after the new epoch: %v", err)
	}
	if got.MIS2000ID != typed.MIS2000ID || got.QAD != typed.QAD || got.EED != typed.EED {
		t.Errorf("the record after the new epoch: %+v, the clerk typed %+v", got.MigrantRecord, typed)
	}
	d, err := st.Student(ctx, typed.StateID)
	if err != nil || !d.LeftOut {
		t.Errorf("the student of the record kept: %+v, %v; want them here, left out", d.Student, err)
	}
	if err := editMIS(st, r.clerk, rec.ID, "700004"); !errors.Is(err, data.ErrAccess) {
		t.Errorf("the clerk changed the record of a student the hub moved away: %v", err)
	}
	if n := count(t, openSQL(t, r.hubDB), `SELECT count(*) FROM migrant_records WHERE id = $1`, rec.ID); n != 0 {
		t.Errorf("the hub holds the refused record")
	}
	if rs, err := st.Rejections(ctx); err != nil || len(rs) != 0 {
		t.Errorf("the dismissed refusal is listed again: %+v, %v", rs, err)
	}
}
