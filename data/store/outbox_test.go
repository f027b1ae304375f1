package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
)

// waiting is every mutation waiting for the hub, oldest first.
func waiting(t *testing.T, st *store.Store) []sync.Mutation {
	t.Helper()
	ms, err := st.PendingMutations(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func ops(ms []sync.Mutation) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.Op
	}
	return strings.Join(s, " ")
}

func payload(t *testing.T, m sync.Mutation) sync.Record {
	t.Helper()
	r, err := m.Decode()
	if err != nil {
		t.Fatal(err)
	}
	return r.(sync.Record)
}

func answer(t *testing.T, st *store.Store, results ...sync.Result) {
	t.Helper()
	if err := st.MarkPushed(context.Background(), results); err != nil {
		t.Fatal(err)
	}
}

func applied(m sync.Mutation, version int) sync.Result {
	return sync.Result{MutationID: m.ID, Outcome: sync.Applied, Version: version}
}

func record(t *testing.T, st *store.Store, id string) store.Record {
	t.Helper()
	r, err := st.RecordByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOutboxInOrderAndBounded(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	rec, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "1", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	edit := rec.MigrantRecord
	edit.MIS2000ID = "2"
	if _, err := st.SaveRecord(ctx, clerk, edit); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, clerk, []string{rec.ID}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Ana, "3", "2025-09-01", "")); err != nil {
		t.Fatal(err)
	}
	first, err := st.PendingMutations(ctx, 2)
	if err != nil || ops(first) != "create update" || first[0].BaseVersion != 0 || first[1].BaseVersion != 1 {
		t.Fatalf("first batch %+v, %v", first, err)
	}
	all := waiting(t, st)
	if ops(all) != "create update publish create" || all[0].ID != first[0].ID {
		t.Fatalf("outbox %s", ops(all))
	}
	if p := payload(t, all[2]); p.Version != 2 || strings.Join(p.Districts, " ") != "001" {
		t.Fatalf("publish payload %+v", p)
	}
	if n, err := st.Pending(ctx); err != nil || n != 4 {
		t.Fatalf("pending %d, %v", n, err)
	}
	if _, err := st.PendingMutations(ctx, 0); err == nil {
		t.Fatal("an empty batch was asked for and given")
	}
}

func TestMarkPushedMovesToTheHubsVersions(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	rec, _ := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "1", "2025-09-01", ""))
	answer(t, st, applied(waiting(t, st)[0], 1))
	if n, _ := st.Pending(ctx); n != 0 {
		t.Fatalf("%d waiting after the hub applied the only one", n)
	}

	// The hub numbers the edit 5 (it had versions of its own in between):
	// the local record, its copies and the publish still waiting follow.
	edit := rec.MigrantRecord
	edit.MIS2000ID = "2"
	st.SaveRecord(ctx, clerk, edit)
	st.Publish(ctx, clerk, []string{rec.ID}, nil)
	ms := waiting(t, st)
	answer(t, st, applied(ms[0], 5))
	r := record(t, st, rec.ID)
	if r.Version != 5 || r.PublishedVersion != 5 || r.Copies[0].Version != 5 || r.Status != data.StatusPublished {
		t.Fatalf("after the hub's version 5: %+v", r)
	}
	ms = waiting(t, st)
	if len(ms) != 1 || ms[0].Op != sync.OpPublish || ms[0].BaseVersion != 5 || payload(t, ms[0]).Version != 5 {
		t.Fatalf("the waiting publish was not rebased: %+v", ms)
	}
	before := storetest.CountRows(t, st)
	answer(t, st, sync.Result{MutationID: ms[0].ID, Outcome: sync.Duplicate, Version: 5})
	answer(t, st, applied(ms[0], 9)) // answered already: nothing happens
	if r := record(t, st, rec.ID); r.Version != 5 {
		t.Fatalf("a second answer moved the version to %d", r.Version)
	}
	if after := storetest.CountRows(t, st); after.Pending != before.Pending-1 || after.Outbox != before.Outbox {
		t.Fatalf("counts %+v after %+v", after, before)
	}

	err := st.MarkPushed(ctx, []sync.Result{{MutationID: "not-ours", Outcome: sync.Applied, Version: 1}})
	if err == nil || !strings.Contains(err.Error(), "never sent") {
		t.Fatalf("an answer to a mutation never sent: %v", err)
	}
}

func TestRejectionKeptWithItsReason(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	rec, _ := st.SaveRecord(ctx, storetest.User(storetest.Clerk), storetest.Record(t, storetest.Maria, "1", "2025-09-01", ""))
	m := waiting(t, st)[0]
	answer(t, st, sync.Result{MutationID: m.ID, Outcome: sync.Rejected, Reason: "the student is out of your scope"})
	if ms := waiting(t, st); len(ms) != 0 {
		t.Fatalf("a rejected mutation is pushed again: %+v", ms)
	}
	rs, err := st.Rejections(ctx)
	if err != nil || len(rs) != 1 || rs[0].ID != m.ID || rs[0].Reason != "the student is out of your scope" || rs[0].At == "" {
		t.Fatalf("rejections %+v, %v", rs, err)
	}
	if r := record(t, st, rec.ID); r.MIS2000ID != "1" {
		t.Fatal("the rejected record is gone from the workstation")
	}
}

// TestDismissRejection: a refusal the clerk has read is no longer listed
// or counted, is noted in the audit log, and cannot be dismissed twice;
// a change still waiting for the hub cannot be dismissed at all.
func TestDismissRejection(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	rec, _ := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "1", "2025-09-01", ""))
	m := waiting(t, st)[0]
	answer(t, st, sync.Result{MutationID: m.ID, Outcome: sync.Rejected, Reason: "the student is out of your scope"})
	if n, err := st.CountRejections(ctx); err != nil || n != 1 {
		t.Fatalf("count before dismissing: %d, %v", n, err)
	}
	edit := rec.MigrantRecord
	edit.MIS2000ID = "2"
	if _, err := st.SaveRecord(ctx, clerk, edit); err != nil {
		t.Fatal(err)
	}
	pending := waiting(t, st)[0]
	if err := st.DismissRejection(ctx, clerk, pending.ID); err == nil {
		t.Fatal("a change waiting for the hub was dismissed")
	}
	if err := st.DismissRejection(ctx, clerk, m.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := st.CountRejections(ctx); err != nil || n != 0 {
		t.Fatalf("count after dismissing: %d, %v", n, err)
	}
	if rs, err := st.Rejections(ctx); err != nil || len(rs) != 0 {
		t.Fatalf("rejections after dismissing: %+v, %v", rs, err)
	}
	if err := st.DismissRejection(ctx, clerk, m.ID); err == nil || !strings.Contains(err.Error(), "dismissed already") {
		t.Fatalf("dismissed twice: %v", err)
	}
	if ms := waiting(t, st); len(ms) != 1 || ms[0].ID != pending.ID {
		t.Fatalf("waiting after dismissing: %+v", ms)
	}
	log, err := st.Audit(ctx, m.Entity, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range log {
		found = found || e.Action == "dismiss_refusal" && e.User == storetest.Clerk && e.Before == "the student is out of your scope"
	}
	if !found {
		t.Fatalf("no dismissal in the audit log: %+v", log)
	}
}

// conflicted saves a record of María, has the hub apply it, edits and
// publishes it, and has the hub answer both with a conflict: another
// clerk changed it to theirs first.
func conflicted(t *testing.T, st *store.Store, theirs sync.Record) store.Record {
	t.Helper()
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	rec, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "111", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	answer(t, st, applied(waiting(t, st)[0], 1))
	edit := rec.MigrantRecord
	edit.MIS2000ID = "222"
	if _, err := st.SaveRecord(ctx, clerk, edit); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, clerk, []string{rec.ID}, nil); err != nil {
		t.Fatal(err)
	}
	theirs.ID, theirs.StateID = rec.ID, storetest.Maria
	var rs []sync.Result
	for _, m := range waiting(t, st) {
		rs = append(rs, sync.Result{MutationID: m.ID, Outcome: sync.Conflict, Current: &theirs})
	}
	answer(t, st, rs...)
	return record(t, st, rec.ID)
}

// Keeping the hub's copy adopts the hub's record as it stands, last
// publish and copies included, and tells the hub with a change of
// nothing, based on its version.
func TestKeepTheirsAdoptsTheHubsRecord(t *testing.T) {
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	for _, deleted := range []bool{false, true} {
		t.Run(map[bool]string{false: "edited", true: "deleted"}[deleted], func(t *testing.T) {
			st := storetest.Open(t)
			theirs := sync.Record{MIS2000ID: "333", QAD: "2025-10-01", EED: "2028-09-30", Version: 4, PublishedVersion: 4,
				Deleted: deleted, UpdatedBy: "rita", UpdatedAt: "2025-10-02T10:00:00Z"}
			rec := conflicted(t, st, theirs)
			copies := []map[string]string{copyIn(rec.ID, "001", 4).Row}
			if deleted {
				copies = nil
			}
			// The hub's copies, as the answer to the mutation sent again
			// brings them.
			cs, err := st.Conflicts(ctx)
			if err != nil || len(cs) != 1 {
				t.Fatalf("conflicts %+v, %v", cs, err)
			}
			cur := theirs
			cur.ID, cur.StateID = rec.ID, storetest.Maria
			answer(t, st, sync.Result{MutationID: cs[0].MutationID, Outcome: sync.Conflict, Current: &cur, Copies: &copies})
			before := storetest.CountRows(t, st)
			if err := st.KeepTheirs(ctx, clerk, rec.ID); err != nil {
				t.Fatal(err)
			}
			after := storetest.CountRows(t, st)
			if after.Conflicts != 0 || after.Audit != before.Audit+1 {
				t.Fatalf("counts %+v after %+v", after, before)
			}
			// The hub is told, with a change of nothing on its version.
			op := map[bool]string{false: sync.OpUpdate, true: sync.OpDelete}[deleted]
			ms := waiting(t, st)
			if len(ms) != 1 || ms[0].Op != op || ms[0].BaseVersion != 4 || payload(t, ms[0]).Version != 4 || payload(t, ms[0]).MIS2000ID != "333" {
				t.Fatalf("keep theirs sends %+v", ms)
			}
			r, err := st.RecordByID(ctx, rec.ID)
			if deleted {
				if !errors.Is(err, store.ErrNoRecord) {
					t.Fatalf("the hub's deletion kept: %+v, %v", r, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("%s %s %s v%d published v%d by %s", r.MIS2000ID, r.QAD, r.EED, r.Version, r.PublishedVersion, r.UpdatedBy)
			if got != "333 2025-10-01 2028-09-30 v4 published v4 by rita" || r.Status != data.StatusPublished || len(r.Copies) != 1 {
				t.Fatalf("after keep theirs: %s, %v, %d copies", got, r.Status, len(r.Copies))
			}
			// The answer, a duplicate (the confirmation sent again after
			// a new epoch), carries the record as it was at the first
			// answer: the pulls bring it as it is, not this.
			old := cur
			old.MIS2000ID, old.Version = "111", 1
			answer(t, st, sync.Result{MutationID: ms[0].ID, Outcome: sync.Duplicate, Version: 4, Current: &old})
			if r := record(t, st, rec.ID); r.MIS2000ID != "333" || r.Version != 4 {
				t.Errorf("a duplicate's copy of the record was taken: %s v%d", r.MIS2000ID, r.Version)
			}
		})
	}
}

func TestConflictKeptForAPerson(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	rec := conflicted(t, st, sync.Record{MIS2000ID: "333", QAD: "2025-09-01", EED: "2028-08-31", Version: 2})
	if rec.MIS2000ID != "222" || rec.Version != 2 {
		t.Fatalf("the local record was overwritten: %+v", rec)
	}
	cs, err := st.Conflicts(ctx)
	if err != nil || len(cs) != 1 {
		t.Fatalf("conflicts %+v, %v", cs, err)
	}
	c := cs[0]
	if c.RecordID != rec.ID || c.Mine.MIS2000ID != "222" || c.Theirs.MIS2000ID != "333" || c.Theirs.Version != 2 ||
		c.Student.LastName != "García López" {
		t.Fatalf("conflict %+v", c)
	}
	if n, _ := st.CountConflicts(ctx); n != 1 {
		t.Fatalf("%d conflicts counted", n)
	}
	// The student's detail marks the record, which the student screen
	// shows as in conflict rather than by its status.
	if d, err := st.Student(ctx, rec.StateID); err != nil || len(d.Records) != 1 || !d.Records[0].Conflicted {
		t.Fatalf("the student's records %+v, %v; want the record marked in conflict", d.Records, err)
	}
	if ms := waiting(t, st); len(ms) != 0 {
		t.Fatalf("changes of a record in conflict are still pushed: %s", ops(ms))
	}

	// Until it is resolved, the record takes no other change.
	before := storetest.CountRows(t, st)
	edit := rec.MigrantRecord
	edit.MIS2000ID = "444"
	if _, err := st.SaveRecord(ctx, clerk, edit); !errors.Is(err, store.ErrUnresolved) {
		t.Fatalf("edit of a record in conflict: %v", err)
	}
	if err := st.DeleteRecord(ctx, clerk, rec.ID, rec.Version); !errors.Is(err, store.ErrUnresolved) {
		t.Fatalf("delete of a record in conflict: %v", err)
	}
	res, err := st.Publish(ctx, clerk, []string{rec.ID}, nil)
	if err != nil || res.Published != 0 || res.Skipped[rec.ID] == "" {
		t.Fatalf("publish of a record in conflict: %+v, %v", res, err)
	}
	if after := storetest.CountRows(t, st); after != before {
		t.Fatalf("refused changes wrote rows: %+v, had %+v", after, before)
	}
	if err := st.KeepMine(ctx, storetest.User(storetest.Coordinator), rec.ID, 2); !errors.Is(err, data.ErrAccess) {
		t.Fatalf("a coordinator resolved a clerk's conflict: %v", err)
	}
}

func TestResolveConflict(t *testing.T) {
	theirs := sync.Record{MIS2000ID: "333", QAD: "2025-10-01", EED: "2028-09-30", Version: 4}
	for _, c := range []struct {
		name    string
		resolve func(*store.Store, string) error
		want    string // MIS2000 ID, QAD, EED
	}{
		{"keep mine", func(st *store.Store, id string) error {
			return st.KeepMine(context.Background(), storetest.User(storetest.Clerk), id, 4)
		}, "222 2025-09-01 2028-08-31"},
		{"merge", func(st *store.Store, id string) error {
			m := data.MigrantRecord{ID: id, MIS2000ID: "222", QAD: storetest.Day(t, "2025-10-01"), Version: 4}
			return st.KeepMerged(context.Background(), storetest.User(storetest.Clerk), m)
		}, "222 2025-10-01 2028-09-30"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := storetest.Open(t)
			rec := conflicted(t, st, theirs)
			before := storetest.CountRows(t, st)
			if err := c.resolve(st, rec.ID); err != nil {
				t.Fatal(err)
			}
			r := record(t, st, rec.ID)
			if got := r.MIS2000ID + " " + r.QAD.String() + " " + r.EED.String(); got != c.want || r.Version != 5 {
				t.Fatalf("resolved to %s version %d, want %s version 5", got, r.Version, c.want)
			}
			if r.Status != data.StatusNeedsPublishing {
				t.Errorf("a resolved record is %v", r.Status)
			}
			ms := waiting(t, st)
			if len(ms) != 1 || ms[0].Op != sync.OpUpdate || ms[0].BaseVersion != 4 || payload(t, ms[0]).Version != 5 {
				t.Fatalf("the resolution's mutation: %+v", ms)
			}
			after := storetest.CountRows(t, st)
			if after.Conflicts != 0 || after.Audit != before.Audit+1 || after.Outbox != before.Outbox+1 {
				t.Fatalf("counts %+v after %+v", after, before)
			}
			a, _ := st.Audit(context.Background(), sync.EntityRecord, rec.ID)
			if a[0].Action != "resolve conflict: "+c.name || !strings.Contains(a[0].Before, `"mis2000_id":"333"`) {
				t.Fatalf("audit %+v", a[0])
			}
			if err := c.resolve(st, rec.ID); !errors.Is(err, store.ErrNoConflict) {
				t.Fatalf("resolved twice: %v", err)
			}
		})
	}

	t.Run("refused merge", func(t *testing.T) {
		st := storetest.Open(t)
		rec := conflicted(t, st, theirs)
		before := storetest.CountRows(t, st)
		m := data.MigrantRecord{ID: rec.ID, MIS2000ID: "222", QAD: storetest.Day(t, "2025-10-01"), EED: storetest.Day(t, "2029-01-01"), Version: 4}
		var fe *data.FieldError
		if err := st.KeepMerged(context.Background(), storetest.User(storetest.Clerk), m); !errors.As(err, &fe) || fe.Field != "EED" {
			t.Fatalf("a merge with a late EED: %v", err)
		}
		// One made against an older copy of the hub's than the conflict
		// holds now (a sync brought a newer one meanwhile), and keeping
		// mine so, are refused: the newer copy would go unseen.
		m.EED, m.Version = storetest.Day(t, "2028-09-30"), 3
		if err := st.KeepMerged(context.Background(), storetest.User(storetest.Clerk), m); !errors.Is(err, store.ErrTheirsChanged) {
			t.Fatalf("a merge against version 3: %v", err)
		}
		if err := st.KeepMine(context.Background(), storetest.User(storetest.Clerk), rec.ID, 3); !errors.Is(err, store.ErrTheirsChanged) {
			t.Fatalf("keep mine against version 3: %v", err)
		}
		if after := storetest.CountRows(t, st); after != before {
			t.Fatalf("a refused merge wrote rows: %+v, had %+v", after, before)
		}
	})
}

// An export's audit row waits in the outbox for the hub, named by its
// hash, with the row as the workstation's log holds it; an answer of the
// hub's takes it out like any mutation.
func TestExportAuditTravels(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	if err := st.AuditExport(ctx, "clerk1", store.ExportAudit{District: "001", Stage: store.ExportCompleted}); err != nil {
		t.Fatal(err)
	}
	ms, err := st.PendingMutations(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var sent []sync.Mutation
	for _, m := range ms {
		if m.Entity == sync.EntityAudit {
			sent = append(sent, m)
		}
	}
	if len(sent) != 1 || sent[0].Op != sync.OpAppend {
		t.Fatalf("the outbox holds %d audit rows: %+v", len(sent), sent)
	}
	var row sync.AuditRow
	if err := json.Unmarshal(sent[0].Payload, &row); err != nil {
		t.Fatal(err)
	}
	r := data.AuditRow{Seq: row.Seq, At: row.At, User: "clerk1", Action: row.Action, Entity: row.Entity,
		EntityID: row.EntityID, Before: row.Before, After: row.After}
	check, err := st.VerifyAudit(ctx)
	if err != nil || row.Action != "export" || row.EntityID != "001" || row.Hash != sent[0].EntityID || check.Rows < 1 {
		t.Fatalf("the row %+v (verify %+v, %v)", row, check, err)
	}
	// The hash sent is the one the log holds for that row.
	var prev string
	if row.Seq > 1 {
		prev = auditHashAt(t, st, row.Seq-1)
	}
	if data.AuditHash(prev, r) != row.Hash {
		t.Fatal("the hash sent is not the log's hash of the row")
	}
	if err := st.MarkPushed(ctx, []sync.Result{{MutationID: sent[0].ID, Outcome: sync.Applied}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.Pending(ctx); n != len(ms)-1 {
		t.Fatalf("%d waiting after the hub took the row", n)
	}
}

func auditHashAt(t *testing.T, st *store.Store, seq int64) string {
	t.Helper()
	var h string
	if err := st.DB().QueryRow(`SELECT hash FROM audit WHERE seq = ?`, seq).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

// The hub's answer to a keep theirs, asked again after it was lost, is a
// duplicate: its copy of the record is taken while the record here is
// still at its version. Sent again after a new epoch (Resend) while a
// later edit of the record is in a conflict of its own, its copy is not:
// the clerk's typed values stay the record here.
func TestKeepTheirsAnswerTakenOnlyAtItsVersion(t *testing.T) {
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	st := storetest.Open(t)
	theirs := sync.Record{MIS2000ID: "333", QAD: "2025-10-01", EED: "2028-09-30", Version: 4, PublishedVersion: 3,
		PublishedAt: "2025-10-01T10:00:00Z", PublishedBy: "rita"}
	rec := conflicted(t, st, theirs)
	if err := st.KeepTheirs(ctx, clerk, rec.ID); err != nil {
		t.Fatal(err)
	}
	confirmation := waiting(t, st)[0]
	cur := theirs
	cur.ID, cur.StateID, cur.PublishedVersion, cur.PublishedBy = rec.ID, storetest.Maria, 4, "pat"
	answer(t, st, sync.Result{MutationID: confirmation.ID, Outcome: sync.Duplicate, Version: 4, Current: &cur})
	if r := record(t, st, rec.ID); r.PublishedVersion != 4 || r.Status != data.StatusPublished {
		t.Fatalf("the duplicate answer at the record's version was not taken: published %d, %v", r.PublishedVersion, r.Status)
	}

	edit := record(t, st, rec.ID).MigrantRecord
	edit.MIS2000ID = "444"
	if _, err := st.SaveRecord(ctx, clerk, edit); err != nil {
		t.Fatal(err)
	}
	newer := cur
	newer.MIS2000ID, newer.Version = "555", 5
	answer(t, st, sync.Result{MutationID: waiting(t, st)[0].ID, Outcome: sync.Conflict, Current: &newer})
	if _, err := st.Resend(ctx); err != nil {
		t.Fatal(err)
	}
	stale := cur
	stale.MIS2000ID, stale.Version = "111", 1
	answer(t, st, sync.Result{MutationID: confirmation.ID, Outcome: sync.Applied, Version: 1, Current: &stale})
	if r := record(t, st, rec.ID); r.MIS2000ID != "444" {
		t.Errorf("a keep theirs sent again took the record from under the clerk's edit in conflict: MIS2000 ID %s v%d", r.MIS2000ID, r.Version)
	}
}
