package e2etest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
	"migrantdesk/data/sync/client"
)

// Scenarios the property test found, replayed step by step against a hub
// served in process over hubtest.State().

// desk is a workstation of the scenarios.
type desk struct {
	t    *testing.T
	user data.User
	path string
	st   *store.Store
	c    *client.Client
}

func scenarioHub(t *testing.T, be backend) (hubStore, string) {
	t.Helper()
	h, url, _ := scenarioHubAt(t, be)
	return h, url
}

// scenarioHubAt is scenarioHub, with the hub's database for the test's
// own reads.
func scenarioHubAt(t *testing.T, be backend) (h hubStore, url, db string) {
	t.Helper()
	db = newHubDB(t, be, t.TempDir())
	h = openHub(t, db)
	importExtract(t, h, hubtest.State())
	for _, u := range append(hubtest.Users(), Rita) {
		if err := h.SaveAccount(context.Background(), "test", hub.Account{User: u, PasswordHash: testHash}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(hub.NewServer(h, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	t.Cleanup(srv.Close)
	return h, srv.URL, db
}

func newDesk(t *testing.T, url string, u data.User) *desk {
	t.Helper()
	d := &desk{t: t, user: u, path: filepath.Join(t.TempDir(), u.Username+".db")}
	var err error
	if d.st, err = store.Open(d.path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.st.Close() })
	if d.c, err = client.New(url); err != nil {
		t.Fatal(err)
	}
	if err := d.c.SignIn(context.Background(), u.Username, Password); err != nil {
		t.Fatal(err)
	}
	d.sync()
	return d
}

func (d *desk) sync() client.Summary {
	d.t.Helper()
	s, err := d.c.Sync(context.Background(), d.st, nil)
	if err != nil {
		d.t.Fatalf("%s: sync: %v", d.user.Username, err)
	}
	return s
}

func (d *desk) save(r data.MigrantRecord) store.Record {
	d.t.Helper()
	rec, err := d.st.SaveRecord(context.Background(), d.user, r)
	if err != nil {
		d.t.Fatalf("%s: save: %v", d.user.Username, err)
	}
	return rec
}

func (d *desk) publish(id string) {
	d.t.Helper()
	if res, err := d.st.Publish(context.Background(), d.user, []string{id}, nil); err != nil || res.Published != 1 {
		d.t.Fatalf("%s: publish: %+v, %v", d.user.Username, res, err)
	}
}

func (d *desk) record(id string) data.MigrantRecord {
	d.t.Helper()
	r, err := d.st.RecordByID(context.Background(), id)
	if err != nil {
		d.t.Fatal(err)
	}
	return r.MigrantRecord
}

// A clerk whose edit of a record conflicts with another clerk's edit and
// publish skips, while the conflict is open, the copies the hub sends of
// the record; once the conflict is resolved, the hub's copies must reach
// the clerk all the same. Keeping the hub's side gives way, and the hub,
// told so, keeps the record as it stands: on both workstations it stays
// as the other clerk left it, published, by them.
func TestConflictThenCopiesArrive(t *testing.T) { eachBackend(t, testConflictThenCopiesArrive) }

func testConflictThenCopiesArrive(t *testing.T, be backend) {
	h, _, rosa, rita, id := sharedRecord(t, be)
	rec := rita.record(id)

	edit := rita.record(rec.ID)
	edit.MIS2000ID = "2"
	rita.save(edit)
	rita.publish(rec.ID)
	rita.sync()

	mine := rosa.record(rec.ID)
	mine.MIS2000ID = "3"
	rosa.save(mine)
	s := rosa.sync()
	t.Logf("first: %+v", s)
	if s.Conflict != 1 {
		t.Fatalf("rosa's edit against version 1: %+v", s)
	}
	if err := rosa.st.KeepTheirs(context.Background(), rosa.user, rec.ID); err != nil {
		t.Fatal(err)
	}
	if s := rosa.sync(); s.Applied != 1 || s.Conflict != 0 {
		t.Errorf("keeping the hub's copy: %+v", s)
	}
	rita.sync()
	for _, d := range []*desk{rosa, rita} {
		r := recordOf(t, d.st, rec.ID)
		if r.Status != data.StatusPublished || r.Version != 2 || r.MIS2000ID != "2" || r.UpdatedBy != Rita.Username {
			t.Errorf("%s: after keep theirs the record is %s, version %d, MIS2000 ID %s, by %s; want published, 2, 2, by %s",
				d.user.Username, r.Status, r.Version, r.MIS2000ID, r.UpdatedBy, Rita.Username)
		}
	}
	checkConverged(t, h, rosa.user, rosa.path)
}

// A clerk's publish that conflicts with another clerk's edit leaves the
// clerk's own copies on the workstation; once the conflict is resolved by
// keeping the hub's record, the copies the hub never had must go.
func TestConflictedPublishCopiesGo(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) { testConflictedPublish(t, be, nil) })
}

// The same after a re-import moved the student to another district: the
// copy the clerk wrote for the district the student left must go as
// well, though no enrollment on the hub names that district any more.
func TestConflictedPublishAfterMove(t *testing.T) {
	eachBackend(t, func(t *testing.T, be backend) {
		testConflictedPublish(t, be, func(h hubStore) {
			ex := hubtest.State()
			for i, e := range ex.Enrollments {
				if e.StateID == hubtest.Maria {
					ex.Enrollments[i].SchoolNumber = "002010" // Barren, in the same region
				}
			}
			if sh, ok := h.(*sqlitehub.DB); ok {
				// A re-import is told apart from the first by its time,
				// which has seconds (see newWorld).
				sh.Store().SetClock(func() time.Time { return time.Now().Add(time.Minute) })
			}
			importExtract(t, h, ex)
		})
	})
}

// testConflictedPublish has rosa publish a record rita has edited, to
// Adair (001), where rosa's workstation has María enrolled, and then
// (with moved) changes the hub before rosa syncs.
func testConflictedPublish(t *testing.T, be backend, moved func(hubStore)) {
	h, url := scenarioHub(t, be)
	rosa, rita := newDesk(t, url, hubtest.ClerkC), newDesk(t, url, Rita)
	rec := rita.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "1", QAD: data.NewDate(2025, 3, 1), EED: data.NewDate(2025, 4, 22)})
	rita.sync()
	rosa.sync()

	edit := rita.record(rec.ID)
	edit.MIS2000ID = "2"
	rita.save(edit)
	rita.sync()

	rosa.publish(rec.ID)
	if moved != nil {
		moved(h)
	}
	if s := rosa.sync(); s.Conflict != 1 {
		t.Fatalf("rosa's publish of version 1: %+v", s)
	}
	if err := rosa.st.KeepTheirs(context.Background(), rosa.user, rec.ID); err != nil {
		t.Fatal(err)
	}
	rosa.sync()
	checkConverged(t, h, rosa.user, rosa.path)
}

// An answer carries a record's copies only to a user who may write the
// record: a clerk of another region who publishes a record of region C,
// or sends again the mutation of rita's publish (an answer is found by
// its ID alone), learns nothing of its copies; rita, sending it again,
// does.
func TestAnswerCopiesInScope(t *testing.T) { eachBackend(t, testAnswerCopiesInScope) }

func testAnswerCopiesInScope(t *testing.T, be backend) {
	h, url := scenarioHub(t, be)
	rita := newDesk(t, url, Rita)
	rec := rita.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "1", QAD: data.NewDate(2025, 3, 1), EED: data.NewDate(2025, 4, 22)})
	rita.sync()
	rita.publish(rec.ID)
	ms, err := rita.st.PendingMutations(context.Background(), 10)
	if err != nil || len(ms) != 1 || ms[0].Op != sync.OpPublish {
		t.Fatalf("rita's waiting changes: %+v, %v", ms, err)
	}
	published := ms[0]
	rita.sync()

	other := published
	other.ID = uuid.NewString()
	for _, c := range []struct {
		who  data.User
		m    sync.Mutation
		want sync.Outcome
	}{
		{hubtest.ClerkW, published, sync.Duplicate},
		{hubtest.ClerkW, other, sync.Rejected},
		{Rita, published, sync.Duplicate},
	} {
		res, err := h.Push(context.Background(), c.who, sync.Cursor{}, []sync.Mutation{c.m})
		if err != nil || len(res) != 1 || res[0].Outcome != c.want {
			t.Fatalf("%s sending %s: %+v, %v", c.who.Username, c.m.ID, res, err)
		}
		if c.who.Username == Rita.Username {
			if res[0].Copies == nil || len(*res[0].Copies) != 1 || (*res[0].Copies)[0]["district_number"] != "001" {
				t.Errorf("rita's own publish sent again: copies %v, want Adair's", res[0].Copies)
			}
		} else if res[0].Copies != nil {
			t.Errorf("%s sending %s was told the copies %v", c.who.Username, c.m.ID, *res[0].Copies)
		}
	}
}

// A clerk's record the hub refuses (it overlaps a record another clerk
// pushed first) and its publish with it: the copies the publish wrote on
// the clerk's workstation were never the hub's, and must go, so that
// neither the record's status nor the clerk's QA report shows it in a
// district that never received it.
func TestRefusedPublishTakesItsCopiesBack(t *testing.T) {
	eachBackend(t, testRefusedPublishTakesItsCopiesBack)
}

func testRefusedPublishTakesItsCopiesBack(t *testing.T, be backend) {
	h, url := scenarioHub(t, be)
	rosa, rita := newDesk(t, url, hubtest.ClerkC), newDesk(t, url, Rita)
	rosa.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "7", QAD: data.NewDate(2024, 8, 1), EED: data.NewDate(2025, 9, 19)})
	rosa.sync()
	mine := rita.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "8", QAD: data.NewDate(2024, 9, 1), EED: data.NewDate(2025, 10, 19)})
	rita.publish(mine.ID)
	if len(recordOf(t, rita.st, mine.ID).Copies) != 1 {
		t.Fatal("rita's publish wrote no copy on her workstation")
	}
	if s := rita.sync(); s.Rejected != 2 {
		t.Fatalf("rita's overlapping record and its publish: %+v, want both refused", s)
	}
	r := recordOf(t, rita.st, mine.ID)
	if len(r.Copies) != 0 || r.Status == data.StatusPublished {
		t.Errorf("after the refusal rita's record is %s with %d copies, want none", r.Status, len(r.Copies))
	}
	_, rows, err := rita.st.QARows(context.Background(), "001", data.Period{From: data.NewDate(2024, 8, 1), To: data.NewDate(2025, 6, 30)})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range rows {
		if q.Record.ID == mine.ID {
			t.Errorf("rita's QA report of 001 lists the refused record %s", mine.ID)
		}
	}
	checkConverged(t, h, rosa.user, rosa.path)
}

func recordOf(t *testing.T, st *store.Store, id string) store.Record {
	t.Helper()
	r, err := st.RecordByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A clerk whose edit meets another clerk's deletion, and who keeps their
// own: the record comes back on the hub with the clerk's values, as the
// next version after the deletion, and the conflict is over (before, the
// hub answered each such push with the same conflict again).
func TestKeepMineRestoresADeletedRecord(t *testing.T) {
	eachBackend(t, testKeepMineRestoresADeletedRecord)
}

func testKeepMineRestoresADeletedRecord(t *testing.T, be backend) {
	h, _, rosa, rita, id := sharedRecord(t, be)
	rec := rita.record(id)
	mine := rosa.record(rec.ID)
	mine.MIS2000ID = "3"
	rosa.save(mine)
	if err := rita.st.DeleteRecord(context.Background(), rita.user, rec.ID, 1); err != nil {
		t.Fatal(err)
	}
	rita.sync()
	if s := rosa.sync(); s.Conflict != 1 {
		t.Fatalf("rosa's edit of a record rita deleted: %+v", s)
	}
	if cs, err := rosa.st.Conflicts(context.Background()); err != nil || len(cs) != 1 || !cs[0].Theirs.Deleted {
		t.Fatalf("rosa's conflicts: %+v, %v", cs, err)
	}
	if err := rosa.st.KeepMine(context.Background(), rosa.user, rec.ID, theirsVersion(t, rosa, rec.ID)); err != nil {
		t.Fatal(err)
	}
	if s := rosa.sync(); s.Applied != 1 || s.Conflict != 0 {
		t.Errorf("keeping mine against the deletion: %+v", s)
	}
	if n, _ := rosa.st.CountConflicts(context.Background()); n != 0 {
		t.Errorf("%d conflicts after keeping mine", n)
	}
	rita.sync()
	for _, d := range []*desk{rosa, rita} {
		if r := recordOf(t, d.st, rec.ID); r.MIS2000ID != "3" || r.Version != 3 {
			t.Errorf("%s: the record kept reads MIS2000 ID %s, version %d; want 3, 3", d.user.Username, r.MIS2000ID, r.Version)
		}
	}
	checkConverged(t, h, rosa.user, rosa.path)
	checkConverged(t, h, rita.user, rita.path)
}

// An export saved under a path of thousands of characters (folders in
// folders): its audit row reaches the hub with the path's end, and the
// record saved after it too. Before, the hub refused the whole push for
// the row's size, and every change after it waited for good.
func TestLongExportPathReachesTheHub(t *testing.T) { eachBackend(t, testLongExportPathReachesTheHub) }

func testLongExportPathReachesTheHub(t *testing.T, be backend) {
	_, url, hubDB := scenarioHubAt(t, be)
	rita := newDesk(t, url, Rita)
	path := "/home/rita/" + strings.Repeat("Reportes y Datos Año 2025/", 200) + "QA Migrant detail 001.xlsx"
	if err := rita.st.AuditExport(context.Background(), rita.user.Username, store.ExportAudit{Report: "QA Migrant detail",
		District: "001", Period: "2025-08-01/2026-06-30", Rows: 3, File: path, Stage: store.ExportStarted}); err != nil {
		t.Fatal(err)
	}
	rec := rita.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "1", QAD: data.NewDate(2024, 8, 1), EED: data.NewDate(2025, 9, 19)})
	if s := rita.sync(); s.Applied != 2 || s.Rejected != 0 {
		t.Fatalf("the export's row and the record after it: %+v", s)
	}
	files, err := rita.st.ExportFiles(context.Background())
	if err != nil || len(files) != 1 || files[0] != path {
		t.Errorf("this workstation's log lost the export's whole path: %d files, %v", len(files), err)
	}
	var after string
	db := openSQL(t, hubDB)
	defer db.Close()
	if err := db.QueryRow(`SELECT after FROM audit WHERE action = 'export'`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	var e store.ExportAudit
	if err := json.Unmarshal([]byte(after), &e); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(e.File, "…") || !strings.HasSuffix(e.File, "Año 2025/QA Migrant detail 001.xlsx") || !utf8.ValidString(e.File) {
		t.Errorf("the hub's copy of the export names the file %.80q…", e.File)
	}
	if r := recordOf(t, rita.st, rec.ID); r.Version != 1 {
		t.Errorf("the record saved after the export: %+v", r)
	}
}

// conflictOf has rita edit the shared record (MIS2000 ID 1 to 2) and
// sync, and rosa edit it to mine offline and meet the conflict.
func conflictOf(t *testing.T, be backend, mine string) (h hubStore, hubDB string, rosa, rita *desk, id string) {
	t.Helper()
	h, hubDB, rosa, rita, id = sharedRecord(t, be)
	edit := rita.record(id)
	edit.MIS2000ID = "2"
	rita.save(edit)
	rita.sync()
	m := rosa.record(id)
	m.MIS2000ID = mine
	rosa.save(m)
	if s := rosa.sync(); s.Conflict != 1 {
		t.Fatalf("rosa's edit against version 1: %+v", s)
	}
	return h, hubDB, rosa, rita, id
}

// sharedRecord has rita save a record of María's (MIS2000 ID 1), and
// both clerks of region C sync it.
func sharedRecord(t *testing.T, be backend) (h hubStore, hubDB string, rosa, rita *desk, id string) {
	t.Helper()
	h, url, hubDB := scenarioHubAt(t, be)
	rosa, rita = newDesk(t, url, hubtest.ClerkC), newDesk(t, url, Rita)
	rec := rita.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "1", QAD: data.NewDate(2024, 8, 1), EED: data.NewDate(2025, 9, 19)})
	rita.sync()
	rosa.sync()
	return h, hubDB, rosa, rita, rec.ID
}

// A clerk keeps the hub's side offline, and the other clerk changes the
// record again before the clerk syncs: the clerk gave way already, and
// takes the newer record as it is, not a conflict of values the clerk
// never typed.
func TestKeepTheirsAfterTheHubMovedOn(t *testing.T) { eachBackend(t, testKeepTheirsAfterTheHubMovedOn) }

func testKeepTheirsAfterTheHubMovedOn(t *testing.T, be backend) {
	h, _, rosa, rita, id := conflictOf(t, be, "3")
	if err := rosa.st.KeepTheirs(context.Background(), rosa.user, id); err != nil {
		t.Fatal(err)
	}
	edit := rita.record(id)
	edit.MIS2000ID = "4"
	rita.save(edit)
	rita.sync()
	if s := rosa.sync(); s.Conflict != 0 || s.Applied != 1 {
		t.Errorf("rosa's sync says %+v: a keep theirs met by a newer edit is done, with nothing to resolve", s)
	}
	if n, _ := rosa.st.CountConflicts(context.Background()); n != 0 {
		t.Errorf("rosa, who gave way, has %d conflicts again", n)
	}
	if r := recordOf(t, rosa.st, id); r.MIS2000ID != "4" || r.Version != 3 {
		t.Errorf("rosa holds MIS2000 ID %s version %d, want rita's 4 at version 3", r.MIS2000ID, r.Version)
	}
	checkConverged(t, h, rosa.user, rosa.path)
}

// Keeping one's own record when it says what the hub's says (both clerks
// made the same correction) is an edit like any other: both workstations
// and the hub end up with the same record.
func TestKeepMineOfTheSameEdit(t *testing.T) { eachBackend(t, testKeepMineOfTheSameEdit) }

func testKeepMineOfTheSameEdit(t *testing.T, be backend) {
	h, _, rosa, rita, id := conflictOf(t, be, "2")
	if err := rosa.st.KeepMine(context.Background(), rosa.user, id, theirsVersion(t, rosa, id)); err != nil {
		t.Fatal(err)
	}
	if s := rosa.sync(); s.Applied != 1 {
		t.Errorf("keep mine: %+v", s)
	}
	rita.sync()
	checkConverged(t, h, rosa.user, rosa.path)
	checkConverged(t, h, rita.user, rita.path)
}

// Keeping the hub's deletion is a confirmation the hub audits, as it
// audits every change it applies.
func TestKeepTheirsOfADeletionAudited(t *testing.T) { eachBackend(t, testKeepTheirsOfADeletionAudited) }

func testKeepTheirsOfADeletionAudited(t *testing.T, be backend) {
	h, hubDB, rosa, rita, id := conflictOf(t, be, "3")
	if err := rita.st.DeleteRecord(context.Background(), rita.user, id, 2); err != nil {
		t.Fatal(err)
	}
	rita.sync()
	rosa.sync() // the hub's side of rosa's conflict is now the deletion
	if cs, err := rosa.st.Conflicts(context.Background()); err != nil || len(cs) != 1 || !cs[0].Theirs.Deleted {
		t.Fatalf("rosa's conflict: %+v, %v", cs, err)
	}
	if err := rosa.st.KeepTheirs(context.Background(), rosa.user, id); err != nil {
		t.Fatal(err)
	}
	rosa.sync()
	if n, _ := rosa.st.CountConflicts(context.Background()); n != 0 {
		t.Errorf("rosa has %d conflicts after keeping the hub's side", n)
	}
	db := openSQL(t, hubDB)
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM audit WHERE entity_id = $1 AND username = $2 AND action = 'confirm'`,
		id, rosa.user.Username).Scan(&n); err != nil || n != 1 {
		t.Errorf("the hub audited %d confirmations of rosa's (%v)", n, err)
	}
	checkConverged(t, h, rosa.user, rosa.path)
}

// A clerk who edits a record twice offline, after another clerk's edit,
// meets a conflict with the first edit; the second, based on the first,
// is one too, and never applied over the other clerk's values (its base
// is the version the hub reached meanwhile).
func TestSecondEditOfAConflictedRecord(t *testing.T) {
	eachBackend(t, testSecondEditOfAConflictedRecord)
}

func testSecondEditOfAConflictedRecord(t *testing.T, be backend) {
	_, _, rosa, rita, id := sharedRecord(t, be)
	edit := rita.record(id)
	edit.MIS2000ID = "2"
	rita.save(edit)
	rita.sync()
	for _, mis := range []string{"3", "4"} {
		m := rosa.record(id)
		m.MIS2000ID = mis
		rosa.save(m)
	}
	if s := rosa.sync(); s.Applied != 0 || s.Conflict == 0 {
		t.Errorf("rosa's two edits against version 1: %+v", s)
	}
	rita.sync()
	if r := recordOf(t, rita.st, id); r.MIS2000ID != "2" || r.Version != 2 {
		t.Errorf("rita's edit was overwritten: MIS2000 ID %s version %d", r.MIS2000ID, r.Version)
	}
	cs, err := rosa.st.Conflicts(context.Background())
	if err != nil || len(cs) != 1 || cs[0].Mine.MIS2000ID != "4" || cs[0].Theirs.MIS2000ID != "2" {
		t.Fatalf("rosa's conflict: %+v, %v", cs, err)
	}
}

// theirsVersion is the version of the hub's copy in d's conflict of a
// record, the one a person would compare with.
func theirsVersion(t *testing.T, d *desk, id string) int {
	t.Helper()
	cs, err := d.st.Conflicts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.RecordID == id {
			return c.Theirs.Version
		}
	}
	t.Fatalf("%s has no conflict of record %s", d.user.Username, id)
	return 0
}

// A clerk's edit the hub refuses (its dates overlap another record), and
// another clerk's edit of the record after it: the clerk's next edit
// meets that edit as a conflict, never overwriting it unseen (the refused
// edit had taken, on the clerk's workstation, the version the other
// clerk's edit took on the hub).
func TestEditAfterARefusedEdit(t *testing.T) { eachBackend(t, testEditAfterARefusedEdit) }

func testEditAfterARefusedEdit(t *testing.T, be backend) {
	_, _, rosa, rita, id := sharedRecord(t, be)
	rita.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "9", QAD: data.NewDate(2025, 10, 1), EED: data.NewDate(2026, 9, 30)})
	rita.sync()
	m := rosa.record(id)
	m.EED = data.NewDate(2025, 12, 31) // overlaps rita's second record
	rosa.save(m)
	if s := rosa.sync(); s.Rejected != 1 {
		t.Fatalf("rosa's overlapping edit: %+v", s)
	}
	e := rita.record(id)
	e.MIS2000ID = "2"
	rita.save(e)
	rita.sync()
	m = rosa.record(id)
	m.EED, m.MIS2000ID = data.NewDate(2025, 9, 19), "5"
	rosa.save(m)
	if s := rosa.sync(); s.Applied != 0 || s.Conflict != 1 {
		t.Errorf("rosa's edit after rita's: %+v", s)
	}
	rita.sync()
	if r := recordOf(t, rita.st, id); r.MIS2000ID != "2" || r.Version != 2 {
		t.Errorf("rita's edit was overwritten: MIS2000 ID %s version %d", r.MIS2000ID, r.Version)
	}
}

// A clerk's new record the hub refuses (its dates overlap a record
// another clerk entered meanwhile), which the clerk corrects as the
// Conflicts screen says to, and publishes: the corrected record reaches
// the hub and the districts. Before, the correction went as an edit of a
// record the hub never had, and was refused ("its creation was refused")
// whatever its values, as was every publish after it: the record stayed
// on the clerk's workstation alone for good. A record refused as new and
// published as it stands, once the other clerk has moved theirs aside,
// goes as well.
func TestCorrectedNewRecordReachesTheHub(t *testing.T) {
	eachBackend(t, testCorrectedNewRecordReachesTheHub)
}

func testCorrectedNewRecordReachesTheHub(t *testing.T, be backend) {
	_, _, rosa, rita, _ := sharedRecord(t, be)
	hers := rita.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "9", QAD: data.NewDate(2025, 10, 1), EED: data.NewDate(2026, 9, 30)})
	mine := rosa.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "7", QAD: data.NewDate(2025, 11, 1), EED: data.NewDate(2026, 3, 31)})
	later := rosa.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "8", QAD: data.NewDate(2026, 9, 1), EED: data.NewDate(2026, 9, 20)})
	rita.sync()
	if s := rosa.sync(); s.Rejected != 2 {
		t.Fatalf("rosa's new records overlapping rita's: %+v", s)
	}

	m := rosa.record(mine.ID)
	m.QAD, m.EED = data.NewDate(2026, 10, 5), data.NewDate(2027, 6, 30)
	rosa.save(m)
	rosa.publish(m.ID)
	if s := rosa.sync(); s.Applied != 2 || s.Rejected != 0 {
		t.Errorf("rosa's corrected record, then published: %+v, want both applied", s)
	}

	e := rita.record(hers.ID)
	e.EED = data.NewDate(2026, 8, 31)
	rita.save(e)
	rita.sync()
	rosa.sync()
	rosa.publish(later.ID)
	if s := rosa.sync(); s.Applied != 2 || s.Rejected != 0 {
		t.Errorf("rosa's refused record published once it overlaps nothing: %+v, want it sent again and published", s)
	}

	rita.sync()
	for _, id := range []string{mine.ID, later.ID} {
		theirs, err := rita.st.RecordByID(context.Background(), id)
		if err != nil {
			t.Errorf("rita does not have rosa's record %s: %v", id, err)
			continue
		}
		ours := recordOf(t, rosa.st, id)
		if theirs.MIS2000ID != ours.MIS2000ID || theirs.QAD != ours.QAD || theirs.EED != ours.EED || theirs.Version != ours.Version {
			t.Errorf("record %s: rita has %+v, rosa %+v", id, theirs.MigrantRecord, ours.MigrantRecord)
		}
		if theirs.Status != data.StatusPublished || len(theirs.Copies) == 0 || ours.Status != data.StatusPublished {
			t.Errorf("record %s: rita sees it %v with %d copies, rosa %v", id, theirs.Status, len(theirs.Copies), ours.Status)
		}
	}
}

// A district administrator revokes, offline, the grant they saw; the
// state administrator meanwhile revokes it and grants it again. The late
// revoke reaches the hub after the new grant and leaves it standing: the
// district administrator finds it refused, in a sentence naming who
// granted it again, and the grant back on their workstation; revoked
// again there, it ends.
func TestLateRevokeLeavesTheNewGrant(t *testing.T) { eachBackend(t, testLateRevokeLeavesTheNewGrant) }

func testLateRevokeLeavesTheNewGrant(t *testing.T, be backend) {
	h, url := scenarioHub(t, be)
	ctx := context.Background()
	cora := hubtest.Coord001.Username
	state := newDesk(t, url, hubtest.Admin)
	ana := newDesk(t, url, hubtest.DAdmin001)
	setAccess := func(d *desk, grant bool) {
		t.Helper()
		if err := d.st.SetReportAccess(ctx, d.user, cora, "001", grant); err != nil {
			t.Fatalf("%s: grant %v: %v", d.user.Username, grant, err)
		}
	}
	granted := func(d *desk) string {
		t.Helper()
		gs, err := d.st.Grantees(ctx, "001")
		i := slices.IndexFunc(gs, func(g store.Grantee) bool { return g.Username == cora })
		if err != nil || i < 0 {
			t.Fatalf("%s: the coordinators of 001: %+v %v", d.user.Username, gs, err)
		}
		return gs[i].GrantedBy
	}

	setAccess(state, true)
	state.sync()
	ana.sync()
	if by := granted(ana); by != hubtest.Admin.Username {
		t.Fatalf("the district administrator sees the grant as by %q", by)
	}
	setAccess(ana, false)

	// The hub stamps a grant to the second: the grant made again is
	// another one once the second has turned, as between two syncs.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	setAccess(state, false)
	state.sync()
	setAccess(state, true)
	state.sync()

	if s := ana.sync(); s.Rejected != 1 || s.Applied != 0 {
		t.Fatalf("the late revoke was answered %+v", s)
	}
	rs, err := ana.st.Rejections(ctx)
	if err != nil || len(rs) != 1 || !strings.Contains(rs[0].Reason, "Pat Moore granted Cora Díaz the report again on ") ||
		!strings.Contains(rs[0].Reason, "Revoke it again if you still mean it") {
		t.Fatalf("the refusal the district administrator reads: %+v %v", rs, err)
	}
	if gs, err := h.ReportGrants(ctx, cora); err != nil || !slices.Equal(gs, []string{"001"}) {
		t.Fatalf("the new grant did not stand on the hub: %v %v", gs, err)
	}
	if by := granted(ana); by != hubtest.Admin.Username {
		t.Fatalf("the grant that stands is not back on the district administrator's workstation: %q", by)
	}

	setAccess(ana, false)
	if s := ana.sync(); s.Applied != 1 || s.Rejected != 0 {
		t.Fatalf("the revoke of the grant seen was answered %+v", s)
	}
	if gs, err := h.ReportGrants(ctx, cora); err != nil || len(gs) != 0 {
		t.Fatalf("the revoke of the grant seen left %v %v", gs, err)
	}
	state.sync()
	if by := granted(state); by != "" {
		t.Fatalf("the state administrator still sees the grant by %q", by)
	}
}
