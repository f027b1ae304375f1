package e2etest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// TestRestoredHubPendingEditOfLostRecord: a clerk creates records, syncs
// (the hub acknowledges them), then edits one and deletes another offline.
// Meanwhile the hub is restored from a backup (`hub backup`) taken before
// the records were created. At the next sync the waiting edit and delete
// must reach the hub (README "After a restore": changes still waiting
// are kept and pushed as usual, and what the hub acknowledged is sent
// again), not be refused for good or answered as done.
func TestRestoredHubPendingEditOfLostRecord(t *testing.T) {
	r := newRig(t, onSQLite, 500, 41)
	r.rosa.sync(r.proxy.URL)
	backup := filepath.Join(r.dir, "hub-before.db")
	mustRun(t, "hub", "backup", "--db", r.hubDB, backup)

	r.migrant(0, 4)
	if s := r.rosa.sync(r.proxy.URL); s.Applied == 0 || s.Applied != s.Pushed {
		t.Fatalf("sync before the restore: %+v", s)
	}
	// Offline: edit one record (and publish it again), delete another.
	var edited, deleted, typed string
	local := openSQL(t, r.rosa.db)
	local.QueryRow(`SELECT id FROM migrant_records WHERE deleted = 0 ORDER BY id LIMIT 1`).Scan(&edited)
	local.QueryRow(`SELECT id FROM migrant_records WHERE deleted = 0 ORDER BY id LIMIT 1 OFFSET 1`).Scan(&deleted)
	withStore(t, r.rosa.db, func(st *store.Store, u data.User) {
		ctx := context.Background()
		rec, err := st.RecordByID(ctx, edited)
		if err != nil {
			t.Fatal(err)
		}
		m := rec.MigrantRecord
		m.MIS2000ID = "999999"
		if _, err := st.SaveRecord(ctx, u, m); err != nil {
			t.Fatal(err)
		}
		typed = m.MIS2000ID
		d, err := st.RecordByID(ctx, deleted)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.DeleteRecord(ctx, u, deleted, d.Version); err != nil {
			t.Fatal(err)
		}
	})

	r.hub.stop()
	restoreHub(t, backup, r.hubDB)
	r.restartHub()
	s := r.rosa.sync(r.proxy.URL)
	t.Logf("sync after the restore: %+v", s)
	r.rosa.sync(r.proxy.URL)

	var rejected []string
	rows, _ := local.Query(`SELECT op || ': ' || reason FROM outbox WHERE state = 'rejected'`)
	for rows.Next() {
		var x string
		rows.Scan(&x)
		rejected = append(rejected, x)
	}
	rows.Close()
	h := openSQL(t, r.hubDB)
	var hubMIS, localMIS string
	var hubDeleted int
	h.QueryRow(`SELECT mis2000_id FROM migrant_records WHERE id = ?`, edited).Scan(&hubMIS)
	h.QueryRow(`SELECT deleted FROM migrant_records WHERE id = ?`, deleted).Scan(&hubDeleted)
	local.QueryRow(`SELECT mis2000_id FROM migrant_records WHERE id = ?`, edited).Scan(&localMIS)
	hubAudit(t, r.hubDB, edited)
	hubAudit(t, r.hubDB, deleted)
	if len(rejected) > 0 {
		t.Errorf("the hub refused for good changes waiting at the restore: %q", rejected)
	}
	if hubMIS != typed || localMIS != typed {
		t.Errorf("the clerk typed MIS2000 ID %s offline; after the restore the hub holds %q and the workstation %q", typed, hubMIS, localMIS)
	}
	if hubDeleted != 1 {
		t.Errorf("the clerk deleted record %s offline; after the restore it is live again on the hub (deleted = %d)", deleted, hubDeleted)
	}
}

// setMIS2000 saves record id on the workstation at path with a new
// MIS2000 ID, as the form would.
func setMIS2000(t *testing.T, path, id, mis string) {
	t.Helper()
	withStore(t, path, func(st *store.Store, u data.User) {
		ctx := context.Background()
		rec, err := st.RecordByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		m := rec.MigrantRecord
		m.MIS2000ID = mis
		if _, err := st.SaveRecord(ctx, u, m); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRestoredHubEditOverwritesAnotherClerks: the hub acknowledged
// rosa's edit of a record (version 2), then was restored from a backup
// taken before it (version 1). Another clerk of the region, yoli, edits
// the record on the restored hub (version 2 again, her values). Rosa,
// still offline, edits the record on top of her own version 2. At rosa's
// sync her edit must meet yoli's as a conflict (SPEC §4: an edit made
// against an old version is a conflict, never silently overwritten); it
// is applied over yoli's instead, and no conflict anywhere shows yoli's
// values.
func TestRestoredHubEditOverwritesAnotherClerks(t *testing.T) {
	r := newRig(t, onSQLite, 500, 43)
	r.rosa.sync(r.proxy.URL)
	r.hub.stop()
	yoli := clerk("yoli", r.region)
	accounts(t, r.hubDB, yoli)
	r.restartHub()
	r.migrant(0, 2)
	r.rosa.sync(r.proxy.URL)
	backup := filepath.Join(r.dir, "hub-before.db")
	mustRun(t, "hub", "backup", "--db", r.hubDB, backup)

	var id string
	openSQL(t, r.rosa.db).QueryRow(`SELECT id FROM migrant_records WHERE deleted = 0 ORDER BY id LIMIT 1`).Scan(&id)
	setMIS2000(t, r.rosa.db, id, "111111") // rosa's first edit, acknowledged
	r.rosa.sync(r.proxy.URL)

	r.hub.stop()
	restoreHub(t, backup, r.hubDB)
	r.restartHub()
	yoliWS := newWorkstation(t, r.dir, "yoli")
	yoliWS.sync(r.proxy.URL)
	setMIS2000(t, yoliWS.db, id, "222222") // yoli's edit on the restored hub
	if s := yoliWS.sync(r.proxy.URL); s.Applied != 1 {
		t.Fatalf("yoli's sync: %+v", s)
	}

	setMIS2000(t, r.rosa.db, id, "333333") // rosa, offline, on top of 111111
	s := r.rosa.sync(r.proxy.URL)
	t.Logf("rosa's sync after the restore: %+v", s)

	var hubMIS string
	openSQL(t, r.hubDB).QueryRow(`SELECT mis2000_id FROM migrant_records WHERE id = ?`, id).Scan(&hubMIS)
	var theirs string
	openSQL(t, r.rosa.db).QueryRow(`SELECT coalesce((SELECT json_extract(theirs, '$.mis2000_id') FROM conflicts WHERE record_id = ?), '')`, id).Scan(&theirs)
	hubAudit(t, r.hubDB, id)
	t.Logf("hub holds %s; rosa's conflict shows the hub's side as %q", hubMIS, theirs)
	if hubMIS != "222222" || theirs != "222222" {
		t.Errorf("the hub holds MIS2000 ID %s (yoli's edit is 222222) and rosa's conflict shows %q as the hub's", hubMIS, theirs)
	}
}

// hubAudit logs the hub's audit rows of a record.
func hubAudit(t *testing.T, hubDB, id string) {
	t.Helper()
	rows, err := openSQL(t, hubDB).Query(`SELECT username, action, json_extract(after, '$.mis2000_id') FROM audit WHERE entity_id = ? ORDER BY seq`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var u, a string
		var mis *string
		rows.Scan(&u, &a, &mis)
		m := ""
		if mis != nil {
			m = *mis
		}
		t.Logf("hub audit of %s: %s %s %s", id[:8], u, a, m)
	}
}

// TestOtherHubDatabaseAtSameAddress: the hub's database is replaced by
// mistake with another state's (where the clerk's user name exists too),
// then put back. The workstation refuses the other hub, sending nothing
// (sent there, its changes were refused for good for students that hub
// lacks), and its offline edit reaches the right hub once it is back.
func TestOtherHubDatabaseAtSameAddress(t *testing.T) {
	r := newRig(t, onSQLite, 500, 47)
	r.rosa.sync(r.proxy.URL)
	r.migrant(0, 2)
	r.rosa.sync(r.proxy.URL)
	otherDir := t.TempDir()
	other := demoExtract(t, otherDir, 500, 99)
	otherDB := filepath.Join(otherDir, "hub.db")
	mustRun(t, "import", "--db", otherDB, other.dir)
	accounts(t, otherDB, r.clerk)

	var id string
	openSQL(t, r.rosa.db).QueryRow(`SELECT id FROM migrant_records WHERE deleted = 0 ORDER BY id LIMIT 1`).Scan(&id)
	setMIS2000(t, r.rosa.db, id, "999999")

	r.hub.stop()
	keep := filepath.Join(r.dir, "hub-right.db")
	copyDB(t, r.hubDB, keep)
	copyDB(t, otherDB, r.hubDB)
	r.restartHub()
	s, ran := r.rosa.trySync(r.proxy.URL)
	if ran.code == 0 || !strings.Contains(ran.stderr, "another hub's database") {
		t.Fatalf("sync with the other state's hub: %+v, %s", s, ran)
	}
	r.hub.stop()
	var sent int
	h := openSQL(t, r.hubDB)
	if err := h.QueryRow(`SELECT count(*) FROM hub_applied`).Scan(&sent); err != nil || sent != 0 {
		t.Fatalf("the other state's hub was sent %d changes (%v)", sent, err)
	}
	h.Close() // before its file is replaced
	copyDB(t, keep, r.hubDB)
	r.restartHub()
	s = r.rosa.sync(r.proxy.URL)
	if s.Applied != 1 || s.Rejected != 0 {
		t.Fatalf("sync with the right hub again: %+v", s)
	}
	var hubMIS, localMIS string
	openSQL(t, r.hubDB).QueryRow(`SELECT mis2000_id FROM migrant_records WHERE id = ?`, id).Scan(&hubMIS)
	openSQL(t, r.rosa.db).QueryRow(`SELECT mis2000_id FROM migrant_records WHERE id = ?`, id).Scan(&localMIS)
	if hubMIS != "999999" || localMIS != "999999" {
		t.Errorf("the clerk typed MIS2000 ID 999999 offline; the right hub holds %q and the workstation %q", hubMIS, localMIS)
	}
}

// TestTrainingCopyIsAnotherHub: a training hub made from a backup of the
// state's hub and served at another address has the state hub's name
// (every copy keeps the audit log's first row), but not its epoch (a
// backup has its own): a workstation of the state's hub refuses it
// unless told it is its hub (--new-hub), before anything is sent to it.
func TestTrainingCopyIsAnotherHub(t *testing.T) {
	r := newRig(t, onSQLite, 500, 53)
	r.rosa.sync(r.hub.URL)
	r.migrant(0, 2)
	r.rosa.sync(r.hub.URL)

	training := filepath.Join(t.TempDir(), "training.db")
	mustRun(t, "hub", "backup", "--db", r.hubDB, training)
	tr := startHub(t, training, "127.0.0.1:0")
	s, ran := r.rosa.trySync(tr.URL)
	if ran.code == 0 || !strings.Contains(ran.stderr, "is another hub") || !strings.Contains(ran.stderr, "--new-hub") {
		t.Fatalf("the sync with a training copy of the hub at %s: %+v, %s", tr.URL, s, ran)
	}
}
