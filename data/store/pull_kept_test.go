package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
)

// The student of a record waiting to be pushed keeps, through a
// snapshot, the enrollments, programs and assessments this workstation
// holds until the snapshot brings the hub's, so that the write rule and
// the publish targets stay the region's, and the student screen shows
// the student whole, while the snapshot comes, cut part way or not. A
// student the snapshot, once whole, leaves out is out of the clerk's
// region on the hub: the clerk may no longer change the records here
// either, until the hub counts the student in the region again.
func TestSnapshotKeepsStudentRowsOfLocalWork(t *testing.T) {
	ctx := context.Background()
	clerk, west, admin := storetest.User(storetest.Clerk), storetest.User(storetest.ClerkWest), storetest.User(storetest.Admin)
	places := scope()[:5] // Central, Adair and Barren
	edits := 30
	mayEdit := func(st *store.Store, u data.User, rec store.Record) error {
		r := record(t, st, rec.ID).MigrantRecord
		edits++
		r.MIS2000ID = strconv.Itoa(edits)
		_, err := st.SaveRecord(ctx, u, r)
		return err
	}
	// held is what the student screen shows of María: her enrollments,
	// then her programs and assessments.
	held := func(t *testing.T, st *store.Store) []string {
		t.Helper()
		d, err := st.Student(ctx, storetest.Maria)
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, e := range d.Enrollments {
			rows = append(rows, e.ID+"@"+e.District.Number)
		}
		for _, p := range d.Programs {
			rows = append(rows, p.Program+" from "+p.Start.String())
		}
		for _, a := range d.Assessments {
			rows = append(rows, a.Subject+" level "+a.Level)
		}
		return rows
	}

	t.Run("cut part way", func(t *testing.T) {
		st, rec := waitingWork(t)
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3, Snapshot: "students\x1f0"}, true, append(slices.Clone(places), keptUsers()...)...))
		if got := held(t, st); !slices.Equal(got, []string{"E1@001", "FRAM from 2024-08-13", "R level 3"}) {
			t.Fatalf("María shows %v while the snapshot comes, want her enrollment at Adair, program and assessment kept", got)
		}
		if err := mayEdit(st, west, rec); !errors.Is(err, data.ErrAccess) {
			t.Fatalf("the clerk of another region changed María's record while the snapshot comes: %v", err)
		}
		if n, err := st.CountNeedsPublishing(ctx, "C"); err != nil || n != 1 {
			t.Fatalf("%d records of Central to publish while the snapshot comes (%v), want the waiting one", n, err)
		}
		st = reopen(t, st)
		// The hub has María moved to Barren, in another program: its rows
		// replace hers.
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true,
			student(storetest.Maria, "García López", "María"), enrollment("E2", storetest.Maria, "002010", "2025-08-10", ""),
			row("programs", "state_id", storetest.Maria, "program", "EL", "code", "", "start_date", "2025-08-11", "end_date", "")))
		if got := held(t, st); !slices.Equal(got, []string{"E2@002", "EL from 2025-08-11"}) {
			t.Fatalf("María shows %v after the snapshot, want the hub's enrollment at Barren and program alone", got)
		}
		if err := mayEdit(st, clerk, rec); err != nil {
			t.Fatal(err)
		}
		if c := storetest.CountRows(t, st); c.Records != 1 || c.Pending == 0 {
			t.Fatalf("local work lost: %+v", c)
		}
	})
	t.Run("moved out", func(t *testing.T) {
		st, rec := waitingWork(t)
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true, append(slices.Clone(places), keptUsers()...)...))
		for _, u := range []data.User{clerk, west} {
			if err := mayEdit(st, u, rec); !errors.Is(err, data.ErrAccess) {
				t.Errorf("%s changed the record of María, whom the hub no longer counts in Central: %v", u.Username, err)
			}
		}
		if got := held(t, st); len(got) != 0 {
			t.Errorf("María, out of the scope, shows %v", got)
		}
		if r := record(t, st, rec.ID); r.MIS2000ID == "" || len(waiting(t, st)) == 0 {
			t.Fatalf("the waiting record was lost: %+v", r)
		}
		if err := mayEdit(st, admin, rec); err != nil {
			t.Fatalf("the state administrator: %v", err)
		}
		// Back in Central on the hub: the clerk may again.
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 5}, false,
			student(storetest.Maria, "García López", "María"), enrollment("E3", storetest.Maria, "001010", "2025-10-01", "")))
		if err := mayEdit(st, clerk, rec); err != nil {
			t.Fatalf("María back in Central: %v", err)
		}
	})
}

// keptUsers are the rows of the users of the tests of work kept through
// a snapshot: the Central clerk, the West clerk and the state
// administrator.
func keptUsers() []sync.Change {
	var rows []sync.Change
	for _, name := range []string{storetest.Clerk, storetest.ClerkWest, storetest.Admin} {
		u := storetest.User(name)
		rows = append(rows, row("users", "username", u.Username, "full_name", u.FullName, "role", u.Role,
			"region_code", u.RegionCode, "district_number", "", "email", ""))
	}
	return rows
}

// waitingWork has the Central clerk's new record of María, enrolled at
// Adair, with a program and an assessment, wait for the push.
func waitingWork(t *testing.T) (*store.Store, store.Record) {
	t.Helper()
	st := storetest.Open(t)
	own := []sync.Change{
		row("programs", "state_id", storetest.Maria, "program", "FRAM", "code", "P", "start_date", "2024-08-13", "end_date", ""),
		row("assessments", "state_id", storetest.Maria, "subject", "R", "test_date", "2025-04-01", "performance_level", "3"),
	}
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 12}, true, slices.Concat(adairScope(), own, keptUsers())...))
	rec, err := st.SaveRecord(context.Background(), storetest.User(storetest.Clerk), storetest.Record(t, storetest.Maria, "20", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	return st, rec
}

// A record the hub refused for a student it then left out of the
// clerk's region can be taken off the workstation as its refusal is
// dismissed, so that the workstation matches the hub: by a user who may
// no longer change the student's records here only, never while a change
// of it waits, and losing nothing typed (the refused changes stay in the
// outbox with their values, and the audit log says what was taken off).
func TestTakeOffARefusedRecordOfAStudentLeftOut(t *testing.T) {
	ctx := context.Background()
	clerk, admin := storetest.User(storetest.Clerk), storetest.User(storetest.Admin)
	refuse := func(t *testing.T, st *store.Store) sync.Mutation {
		t.Helper()
		ms := waiting(t, st)
		answer(t, st, sync.Result{MutationID: ms[0].ID, Outcome: sync.Rejected, Reason: "student 1000000001 is not in your region"})
		return ms[0]
	}

	t.Run("a student the clerk may still change", func(t *testing.T) {
		st, rec := waitingWork(t)
		m := refuse(t, st)
		err := st.TakeOffRefused(ctx, clerk, m.ID)
		if !errors.Is(err, data.ErrAccess) || !strings.Contains(err.Error(), "correct the record and save it again") {
			t.Fatalf("the clerk took off a record she may still correct: %v", err)
		}
		if rs, err := st.Rejections(ctx); err != nil || len(rs) != 1 || record(t, st, rec.ID).MIS2000ID != "20" {
			t.Fatalf("the refused attempt changed something: refusals %+v, %v", rs, err)
		}
	})

	t.Run("left out", func(t *testing.T) {
		st, rec := waitingWork(t)
		// The hub's next epoch leaves María out of Central while the
		// clerk's record of her waits here, and refuses it.
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true, slices.Concat(scope()[:5], keptUsers())...))
		m := refuse(t, st)
		if err := st.TakeOffRefused(ctx, admin, m.ID); !errors.Is(err, data.ErrAccess) {
			t.Fatalf("the state administrator, who may still change the record, took it off: %v", err)
		}
		edit := record(t, st, rec.ID).MigrantRecord
		edit.MIS2000ID = "21"
		if _, err := st.SaveRecord(ctx, admin, edit); err != nil {
			t.Fatal(err)
		}
		if err := st.TakeOffRefused(ctx, clerk, m.ID); !errors.Is(err, store.ErrStillWaiting) {
			t.Fatalf("a record with a change waiting was taken off: %v", err)
		}
		later := refuse(t, st)
		if rs, _ := st.Rejections(ctx); len(rs) != 2 {
			t.Fatalf("%d refusals listed, want the creation and the edit", len(rs))
		}

		if err := st.TakeOffRefused(ctx, clerk, m.ID); err != nil {
			t.Fatal(err)
		}
		if rs, err := st.Rejections(ctx); err != nil || len(rs) != 0 {
			t.Errorf("refusals still listed after the record was taken off: %+v, %v", rs, err)
		}
		if _, err := st.RecordByID(ctx, rec.ID); !errors.Is(err, store.ErrNoRecord) {
			t.Errorf("the record is still here: %v", err)
		}
		if _, err := st.Student(ctx, storetest.Maria); !errors.Is(err, store.ErrNoStudent) {
			t.Errorf("María, whom nothing here names now, is still here: %v", err)
		}
		// What was typed: each refused change with its values, dismissed.
		typed := map[string]string{}
		rows, err := st.DB().Query(`SELECT mutation_id, state, payload FROM outbox WHERE entity_id = ?`, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, state, payload string
			if err := rows.Scan(&id, &state, &payload); err != nil {
				t.Fatal(err)
			}
			typed[id] = state + " " + payload
		}
		for id, mis := range map[string]string{m.ID: `"mis2000_id":"20"`, later.ID: `"mis2000_id":"21"`} {
			if !strings.HasPrefix(typed[id], "dismissed ") || !strings.Contains(typed[id], mis) {
				t.Errorf("the outbox holds %q for refused change %s, want it dismissed with %s", typed[id], id, mis)
			}
		}
		log, err := st.Audit(ctx, sync.EntityRecord, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		var said []string
		for _, e := range log {
			if e.User == clerk.Username && e.Action != "create" {
				said = append(said, e.Action+" "+e.Before)
			}
		}
		if len(said) != 3 || !strings.HasPrefix(said[0], "take_off_refused ") || !strings.Contains(said[0], `"mis2000_id":"21"`) ||
			!strings.HasPrefix(said[1], "dismiss_refusal ") || !strings.HasPrefix(said[2], "dismiss_refusal ") {
			t.Errorf("the audit log says of the clerk %q, want both dismissals and the record taken off", said)
		}
		if err := st.TakeOffRefused(ctx, clerk, later.ID); err == nil || !strings.Contains(err.Error(), "taken off already") {
			t.Errorf("a refusal dismissed with the record taken off was taken off again: %v", err)
		}
	})

	// Dismissed only, the record stays, through the next snapshot too;
	// the clerk may still take it off later, from the dismissed refusal.
	t.Run("dismissed, then taken off", func(t *testing.T) {
		st, rec := waitingWork(t)
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true, slices.Concat(scope()[:5], keptUsers())...))
		m := refuse(t, st)
		if err := st.DismissRejection(ctx, clerk, m.ID); err != nil {
			t.Fatal(err)
		}
		apply(t, st, page(sync.Cursor{Epoch: "e3", Seq: 3}, true, slices.Concat(scope()[:5], keptUsers())...))
		if r := record(t, st, rec.ID); r.MIS2000ID != "20" {
			t.Fatalf("the record dismissed only, after a snapshot: %+v", r)
		}
		if err := st.TakeOffRefused(ctx, admin, m.ID); !errors.Is(err, data.ErrAccess) {
			t.Fatalf("the state administrator, who may still change the record, took it off: %v", err)
		}
		if err := st.TakeOffRefused(ctx, clerk, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RecordByID(ctx, rec.ID); !errors.Is(err, store.ErrNoRecord) {
			t.Errorf("the record is still here: %v", err)
		}
		if _, err := st.Student(ctx, storetest.Maria); !errors.Is(err, store.ErrNoStudent) {
			t.Errorf("María, whom nothing here names now, is still here: %v", err)
		}
		log, err := st.Audit(ctx, sync.EntityRecord, rec.ID)
		if err != nil || len(log) == 0 || log[0].Action != "take_off_refused" || !strings.Contains(log[0].Before, `"mis2000_id":"20"`) {
			t.Errorf("the audit log of the record: %+v, %v", log, err)
		}
		if err := st.TakeOffRefused(ctx, clerk, m.ID); err == nil || !strings.Contains(err.Error(), "taken off already") {
			t.Errorf("a record taken off was taken off again: %v", err)
		}
	})
}

// A record whose last change typed here the hub refused keeps what the
// clerk typed through a fresh snapshot of the scope (a new epoch after a
// restore or an import), whether its refusal is still listed or only
// dismissed, as it does between snapshots: its student's and the copies
// the hub has come as the hub sends them, and a pulled copy the hub
// changed since (another clerk's edit, a newer version) replaces it, as
// any pull does. A record taken off this computer with its refusal is
// the hub's when a snapshot brings it back, never what was typed.
func TestSnapshotKeepsARefusedRecordAsTyped(t *testing.T) {
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	refuse := func(t *testing.T, st *store.Store) sync.Mutation {
		t.Helper()
		ms := waiting(t, st)
		answer(t, st, sync.Result{MutationID: ms[0].ID, Outcome: sync.Rejected, Reason: "its dates overlap another record"})
		return ms[0]
	}
	// hubHas is the record as the hub holds it, MIS2000 ID 20 at version
	// 1, published to Adair, after the clerk's edit to typed was refused.
	hubHas := func(t *testing.T, typed string) (*store.Store, store.Record, sync.Mutation) {
		t.Helper()
		st, rec := waitingWork(t)
		answer(t, st, applied(waiting(t, st)[0], 1))
		edit := record(t, st, rec.ID).MigrantRecord
		edit.MIS2000ID = typed
		if _, err := st.SaveRecord(ctx, clerk, edit); err != nil {
			t.Fatal(err)
		}
		return st, rec, refuse(t, st)
	}
	snapshot := func(t *testing.T, st *store.Store, epoch string, changes ...sync.Change) {
		t.Helper()
		apply(t, st, page(sync.Cursor{Epoch: epoch, Seq: 40}, true, slices.Concat(adairScope(), keptUsers(), changes)...))
	}
	mis := func(t *testing.T, st *store.Store, id string) string {
		t.Helper()
		r, err := st.RecordByID(ctx, id)
		if errors.Is(err, store.ErrNoRecord) {
			return "none"
		}
		if err != nil {
			t.Fatal(err)
		}
		return r.MIS2000ID
	}

	for _, dismissed := range []bool{false, true} {
		name := map[bool]string{false: "listed", true: "dismissed"}[dismissed]
		t.Run("new record, "+name, func(t *testing.T) {
			st, rec := waitingWork(t)
			m := refuse(t, st)
			if dismissed {
				if err := st.DismissRejection(ctx, clerk, m.ID); err != nil {
					t.Fatal(err)
				}
			}
			snapshot(t, st, "e2")
			if got := mis(t, st, rec.ID); got != "20" {
				t.Fatalf("the refused new record after a snapshot: MIS2000 ID %s, the clerk typed 20", got)
			}
			if rs, _ := st.Rejections(ctx); len(rs) != map[bool]int{false: 1, true: 0}[dismissed] {
				t.Errorf("%d refusals listed", len(rs))
			}
			// Corrected and saved, it goes to the hub as a new record.
			edit := record(t, st, rec.ID).MigrantRecord
			edit.MIS2000ID = "22"
			if _, err := st.SaveRecord(ctx, clerk, edit); err != nil {
				t.Fatal(err)
			}
			if ms := waiting(t, st); len(ms) != 1 || ms[0].Op != sync.OpCreate {
				t.Errorf("the corrected record waits as %s", ops(ms))
			}
		})
		t.Run("edit, "+name, func(t *testing.T) {
			st, rec, m := hubHas(t, "21")
			if dismissed {
				if err := st.DismissRejection(ctx, clerk, m.ID); err != nil {
					t.Fatal(err)
				}
			}
			snapshot(t, st, "e2", migrantRecord(rec.ID, storetest.Maria, "20", 1, 1), copyIn(rec.ID, "001", 1))
			r := record(t, st, rec.ID)
			if r.MIS2000ID != "21" || r.Version != 1 || len(r.Copies) != 1 {
				t.Fatalf("the refused edit after a snapshot: MIS2000 ID %s version %d, %d copies; want 21 as typed, at the hub's version 1, with its copy",
					r.MIS2000ID, r.Version, len(r.Copies))
			}
			// At the hub's published version, the record holds values no
			// district has: not Published.
			if r.Status != data.StatusRefused {
				t.Errorf("the refused edit after a snapshot reads %q, not %q", r.Status, data.StatusRefused)
			}
			// A later version from the hub is another clerk's edit: it
			// replaces the record, snapshot or not.
			apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 41}, false, migrantRecord(rec.ID, storetest.Maria, "30", 2, 1)))
			if got := mis(t, st, rec.ID); got != "30" {
				t.Errorf("the hub's newer version: MIS2000 ID %s, want the other clerk's 30", got)
			}
			if r := record(t, st, rec.ID); r.Status == data.StatusRefused {
				t.Errorf("the hub's newer version still reads %q", r.Status)
			}
		})
	}
	t.Run("the hub published the record meanwhile", func(t *testing.T) {
		st, rec, _ := hubHas(t, "21")
		changed := migrantRecord(rec.ID, storetest.Maria, "20", 1, 1)
		changed.Row["published_at"], changed.Row["published_by"] = "2025-10-01T10:00:00Z", "rita"
		apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 13}, false, changed))
		if r := record(t, st, rec.ID); r.MIS2000ID != "21" || r.PublishedBy != "rita" {
			t.Errorf("the refused edit after the hub published the record: MIS2000 ID %s, published by %q; want 21 as typed, published by rita",
				r.MIS2000ID, r.PublishedBy)
		}
	})
	t.Run("removed from the scope", func(t *testing.T) {
		st, rec, _ := hubHas(t, "21")
		apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 13}, false, removal("migrant_records", "id", rec.ID)))
		if got := mis(t, st, rec.ID); got != "21" {
			t.Errorf("the refused edit after the hub took the record out of the scope: MIS2000 ID %s, want 21 as typed", got)
		}
	})
	t.Run("taken off", func(t *testing.T) {
		st, rec, m := hubHas(t, "21")
		// The hub moves María out of Central, and the clerk takes the
		// record off with its refusal.
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true, slices.Concat(scope()[:5], keptUsers())...))
		if err := st.TakeOffRefused(ctx, clerk, m.ID); err != nil {
			t.Fatal(err)
		}
		// Back in Central at the hub's next epoch, with the hub's record.
		snapshot(t, st, "e3", migrantRecord(rec.ID, storetest.Maria, "20", 1, 1))
		if got := mis(t, st, rec.ID); got != "20" {
			t.Errorf("the record taken off came back as MIS2000 ID %s, want the hub's 20", got)
		}
	})
}
