package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
)

// row is a pulled row: column, value, column, value...
func row(table string, kv ...string) sync.Change {
	c := sync.Change{Table: table, Row: map[string]string{}}
	for i := 0; i < len(kv); i += 2 {
		c.Row[kv[i]] = kv[i+1]
	}
	return c
}

func removal(table string, kv ...string) sync.Change {
	c := row(table, kv...)
	c.Deleted = true
	return c
}

// page numbers the changes up to next.Seq.
func page(next sync.Cursor, snapshot bool, changes ...sync.Change) sync.Page {
	for i := range changes {
		changes[i].Seq = next.Seq - int64(len(changes)-1-i)
	}
	return sync.Page{Changes: changes, Next: next, Snapshot: snapshot}
}

func student(id, last, first string) sync.Change {
	return row("students", "state_id", id, "local_number", "", "last_name", last, "first_name", first, "middle_name", "",
		"birth_date", "2012-05-05", "gender", "F", "race", "1")
}

func enrollment(id, stateID, school, start, end string) sync.Change {
	return row("enrollments", "id", id, "state_id", stateID, "school_number", school, "grade", "06", "service_type", "P",
		"start_date", start, "end_date", end)
}

func migrantRecord(id, stateID, mis string, version, published int) sync.Change {
	return row("migrant_records", "id", id, "state_id", stateID, "mis2000_id", mis, "qad", "2025-09-01", "eed", "2028-08-31",
		"version", strconv.Itoa(version), "deleted", "0", "created_at", "2025-09-02T10:00:00Z", "created_by", "hub",
		"updated_at", "2025-09-02T10:00:00Z", "updated_by", "hub", "published_version", strconv.Itoa(published),
		"published_at", "", "published_by", "")
}

func copyIn(recordID, district string, version int) sync.Change {
	return row("published", "record_id", recordID, "district_number", district, "version", strconv.Itoa(version),
		"mis2000_id", "1", "qad", "2025-09-01", "eed", "2028-08-31", "published_at", "2025-09-03T10:00:00Z", "published_by", "hub")
}

// scope is a clerk's first snapshot: a region, two districts, a student
// enrolled in the first, with a record published there.
func scope() []sync.Change {
	return []sync.Change{
		row("regions", "code", "C", "name", "Central"),
		row("districts", "number", "001", "name", "Adair County", "region_code", "C"),
		row("districts", "number", "002", "name", "Barren County", "region_code", "C"),
		row("schools", "number", "001010", "district_number", "001", "name", "Adair Elementary", "classification", "A1"),
		row("schools", "number", "002010", "district_number", "002", "name", "Barren Middle", "classification", "J1"),
		student("S1", "Peña", "Lucía"),
		enrollment("E1", "S1", "001010", "2024-08-10", ""),
		migrantRecord("R1", "S1", "1", 1, 1),
		copyIn("R1", "001", 1),
		row("users", "username", "c1", "full_name", "Cora Díaz", "role", data.RoleCoordinator, "region_code", "",
			"district_number", "", "email", ""),
		row("user_districts", "username", "c1", "district_number", "001"),
		row("report_grants", "username", "c1", "district_number", "001", "granted_by", "d1", "granted_at", "2025-09-01T10:00:00Z"),
	}
}

func apply(t *testing.T, st *store.Store, p sync.Page) {
	t.Helper()
	if err := st.ApplyPage(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

func cursor(t *testing.T, st *store.Store) sync.Cursor {
	t.Helper()
	c, err := st.Cursor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reopen closes st and opens its database again, as a workstation
// started again after it stopped part way through a sync.
func reopen(t *testing.T, st *store.Store) *store.Store {
	t.Helper()
	path := st.Path()
	st.Close()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func found(t *testing.T, st *store.Store, q store.Query) string {
	t.Helper()
	rs, err := st.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.Student.StateID)
	}
	return strings.Join(ids, " ")
}

func TestPullSnapshotThenChanges(t *testing.T) {
	st := storetest.OpenEmpty(t)
	ctx := context.Background()
	if c := cursor(t, st); c != (sync.Cursor{}) {
		t.Fatalf("a new workstation's cursor is %+v", c)
	}
	err := st.ApplyPage(ctx, page(sync.Cursor{Epoch: "e1", Seq: 10}, false, scope()...))
	if !errors.Is(err, store.ErrEpoch) {
		t.Fatalf("changes before a snapshot: %v", err)
	}

	// The snapshot comes in two pages; the second does not empty the first.
	ch := scope()
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: "students\x1f0000000003"}, true, ch[:5]...))
	if c := cursor(t, st); c != (sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: "students\x1f0000000003"}) {
		t.Fatalf("cursor %+v", c)
	}
	if err := st.ApplyPage(ctx, page(sync.Cursor{Epoch: "e1", Seq: 12}, false, ch[5:]...)); err == nil {
		t.Fatal("changes were applied in the middle of a snapshot")
	}
	// The students' tables are written without their secondary indexes
	// until the snapshot's last page, which builds them all again, but
	// for those led by the state ID, which the rows come in the order of.
	const indexes = `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL`
	const studentIndexes = indexes + ` AND tbl_name IN ('students', 'enrollments', 'programs', 'name_tokens')`
	all := count(t, st, indexes)
	if n := count(t, st, studentIndexes+` AND name NOT IN ('enrollments_student', 'programs_student')`); n != 0 {
		t.Fatalf("%d indexes of the students' tables in the middle of a snapshot", n)
	}
	if n := count(t, st, studentIndexes+` AND name IN ('enrollments_student', 'programs_student')`); n != 2 {
		t.Fatalf("%d of the 2 indexes led by the state ID kept in the middle of a snapshot", n)
	}
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 9}, true, ch[5:]...))
	if n := count(t, st, indexes); n <= all || n != count(t, storetest.OpenEmpty(t), indexes) {
		t.Fatalf("%d indexes after the snapshot, %d in the middle of it", n, all)
	}
	ds, _ := st.Districts(ctx, "C")
	if len(ds) != 2 {
		t.Fatalf("the second snapshot page emptied the first: %+v", ds)
	}
	r := record(t, st, "R1")
	if r.Status != data.StatusPublished || len(r.Copies) != 1 {
		t.Fatalf("pulled record %+v", r)
	}
	if got := found(t, st, store.Query{Last: "pena", District: "001"}); got != "S1" {
		t.Fatalf("a pulled student is found as %q", got)
	}
	gs, err := st.Grantees(ctx, "001")
	if err != nil || len(gs) != 1 || gs[0].Username != "c1" || !gs[0].Granted || gs[0].GrantedBy != "d1" {
		t.Fatalf("pulled users and grants: %+v, %v", gs, err)
	}

	// A change: she moves to Barren too, and is renamed. Barren's school
	// is private but a district enrollment all the same.
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 12}, false,
		enrollment("E2", "S1", "002010", "2025-01-06", ""),
		student("S1", "Peña Ruiz", "Lucía")))
	if got := found(t, st, store.Query{Last: "ruiz", District: "002"}); got != "S1" {
		t.Fatalf("after the change the student is found as %q", got)
	}
	if n, err := st.CountNeedsPublishing(ctx, "C"); err != nil || n != 1 {
		t.Fatalf("a new district enrollment leaves %d records to publish, %v", n, err)
	}
	list, _ := st.NeedsPublishing(ctx, "C")
	if len(list) != 1 || districtNumbers(list[0].Targets) != "001 002" {
		t.Fatalf("needs publishing %+v", list)
	}

	// Removals: the Barren enrollment goes; a page already applied
	// changes nothing.
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 13}, false, removal("enrollments", "id", "E2")))
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 13}, false, removal("enrollments", "id", "E1")))
	if got := found(t, st, store.Query{District: "002"}); got != "" {
		t.Fatalf("district 002 still lists %q", got)
	}
	if n, _ := st.CountNeedsPublishing(ctx, ""); n != 0 {
		t.Fatalf("%d records to publish once the enrollment is gone", n)
	}
	if got := found(t, st, store.Query{District: "001"}); got != "S1" {
		t.Fatalf("a change already pulled was applied again: district 001 lists %q", got)
	}
	// A district taken from a coordinator goes from the directory.
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 14}, false, removal("user_districts", "username", "c1", "district_number", "001")))
	if n := count(t, st, `SELECT count(*) FROM user_districts WHERE username = 'c1'`); n != 0 {
		t.Fatalf("the coordinator keeps %d districts after the removal", n)
	}

	// A restored hub has a new epoch: only a snapshot is taken from it.
	err = st.ApplyPage(ctx, page(sync.Cursor{Epoch: "e2", Seq: 3}, false, student("S2", "Otro", "Ana")))
	if !errors.Is(err, store.ErrEpoch) {
		t.Fatalf("a page of a new epoch: %v", err)
	}
	// It starts over when the epoch changes again part way.
	apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 2, Snapshot: "students\x1fS1"}, true, row("regions", "code", "W", "name", "Western"),
		student("S1", "Peña", "Lucía")))
	apply(t, st, page(sync.Cursor{Epoch: "e3", Seq: 2}, true, row("regions", "code", "W", "name", "Western"),
		student("S2", "Otro", "Ana")))
	if n := count(t, st, indexes); n != count(t, storetest.OpenEmpty(t), indexes) {
		t.Fatalf("%d indexes after a snapshot started over", n)
	}
	if ds, _ := st.Districts(ctx, ""); len(ds) != 0 {
		t.Fatalf("the new epoch's snapshot kept the old districts: %+v", ds)
	}
	if got := found(t, st, store.Query{Last: "pena"}) + "|" + found(t, st, store.Query{Last: "otro"}); got != "|S2" {
		t.Fatalf("after the new snapshot: %q", got)
	}
}

func TestApplyPageAndCursorAreAtomic(t *testing.T) {
	st := storetest.OpenEmpty(t)
	ctx := context.Background()
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 9}, true, scope()...))
	before, at := storetest.CountRows(t, st), cursor(t, st)
	next := sync.Cursor{Epoch: "e1", Seq: 12}
	changes := func() []sync.Change {
		return []sync.Change{student("S2", "Núñez", "Ana"), migrantRecord("R2", "S2", "2", 1, 0), enrollment("E9", "S2", "001010", "2024-08-10", "")}
	}
	unchanged := func(what string) {
		t.Helper()
		if got := found(t, st, store.Query{Last: "nunez"}); got != "" {
			t.Errorf("%s: the page's student is there", what)
		}
		if c := cursor(t, st); c != at {
			t.Errorf("%s: the cursor moved to %+v", what, c)
		}
		if after := storetest.CountRows(t, st); after != before {
			t.Errorf("%s: rows %+v, had %+v", what, after, before)
		}
	}

	// The cursor is written last; when it cannot be, nothing of the page stays.
	heal := storetest.FailWritesTo(t, st, "meta")
	if err := st.ApplyPage(ctx, page(next, false, changes()...)); err == nil || !strings.Contains(err.Error(), storetest.DiskFull) {
		t.Fatalf("a page whose cursor cannot be written: %v", err)
	}
	unchanged("cursor refused")
	heal()

	// A row the database refuses half way through the page.
	bad := changes()
	bad = slices.Insert(bad, 2, enrollment("E8", "S2", "999999", "2024-08-10", ""))
	if err := st.ApplyPage(ctx, page(sync.Cursor{Epoch: "e1", Seq: 13}, false, bad...)); err == nil {
		t.Fatal("an enrollment at an unknown school was applied")
	}
	unchanged("bad row")

	apply(t, st, page(next, false, changes()...))
	if got := found(t, st, store.Query{Last: "nunez"}); got != "S2" || cursor(t, st) != next {
		t.Fatalf("the page applied once healed: %q, cursor %+v", got, cursor(t, st))
	}
}

func TestPulledRowsAreChecked(t *testing.T) {
	st := storetest.OpenEmpty(t)
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 9}, true, scope()...))
	extra := student("S3", "A", "B")
	extra.Row["last_key"] = "b"
	missing := student("S3", "A", "B")
	delete(missing.Row, "race")
	bad := migrantRecord("R3", "S1", "3", 1, 0)
	bad.Row["version"] = "one"
	for _, c := range []struct {
		name, why string
		change    sync.Change
	}{
		{"unknown table", "not a table a pull can change", row("meta", "key", "demo", "value", "1")},
		{"derived column", "the row has columns", extra},
		{"missing column", "the row has columns", missing},
		{"bad date", "column start_date", enrollment("E3", "S1", "001010", "2024-13-01", "")},
		{"bad version", "column version", bad},
		{"removal by name", "the row has columns", removal("students", "state_id", "S1", "last_name", "Peña")},
	} {
		err := st.ApplyPage(context.Background(), page(sync.Cursor{Epoch: "e1", Seq: 20}, false, c.change))
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if c := cursor(t, st); c.Seq != 9 {
		t.Fatalf("refused pages moved the cursor to %+v", c)
	}
}

func TestPullNeverOverwritesLocalWork(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	clerk, dan := storetest.User(storetest.Clerk), storetest.User(storetest.DistrictAdmin)

	// Pushed and acknowledged: the hub's snapshot replaces it.
	pushed, _ := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.HernandezA, "10", "2025-09-01", ""))
	answer(t, st, applied(waiting(t, st)[0], 1))
	// Waiting: kept, and a pulled copy of it does not overwrite it.
	mine, _ := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "20", "2025-09-01", ""))
	if err := st.SetReportAccess(ctx, dan, storetest.Coordinator, "001", true); err != nil {
		t.Fatal(err)
	}

	snapshot := []sync.Change{
		row("regions", "code", "C", "name", "Central"),
		row("districts", "number", "001", "name", "Adair County", "region_code", "C"),
		row("schools", "number", "001010", "district_number", "001", "name", "Adair Elementary", "classification", "A1"),
		student(storetest.Maria, "García López", "María"),
		enrollment("E1", storetest.Maria, "001010", "2024-08-10", ""),
		migrantRecord(mine.ID, storetest.Maria, "99", 3, 3),
		copyIn(mine.ID, "001", 3),
		row("report_grants", "username", storetest.Coordinator, "district_number", "001", "granted_by", "someone", "granted_at", "2025-01-01T00:00:00Z"),
	}
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 8, Snapshot: "students\x1f0000000003"}, true, snapshot[:3]...))
	if _, err := st.RecordByID(ctx, pushed.ID); !errors.Is(err, store.ErrNoRecord) {
		t.Fatalf("an acknowledged record the snapshot lacks: %v", err)
	}
	// Found while the snapshot goes on, which the search says too.
	if rs, err := st.Search(ctx, store.Query{Last: "garcia"}); !errors.Is(err, store.ErrSearchPartial) ||
		len(rs) != 1 || rs[0].Student.StateID != storetest.Maria {
		t.Fatalf("the student of a waiting record is found as %+v (%v)", rs, err)
	}
	if n, _ := st.CountNeedsPublishing(ctx, "C"); n != 1 {
		t.Fatalf("%d records to publish while the snapshot comes, want the waiting one: her enrollment here stays until it brings hers", n)
	}
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 20}, true, snapshot[3:]...))
	if n, _ := st.CountNeedsPublishing(ctx, "C"); n != 1 {
		t.Fatalf("%d records to publish once the enrollment is back, want the waiting one", n)
	}
	// The record waits; its copies are the hub's to say (see
	// TestCopiesFollowTheHub).
	r := record(t, st, mine.ID)
	if r.MIS2000ID != "20" || r.Version != 1 || len(r.Copies) != 1 {
		t.Fatalf("a pulled row overwrote a waiting record, or its copy was passed over: %+v", r)
	}
	// Out of the scope on the hub, but the student of local work stays.
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 21}, false, removal("enrollments", "id", "E1"),
		removal("migrant_records", "id", mine.ID), removal("students", "state_id", storetest.Maria)))
	if r := record(t, st, mine.ID); r.MIS2000ID != "20" {
		t.Fatalf("a removal took a waiting record: %+v", r)
	}
	if got := found(t, st, store.Query{Last: "garcia"}); got != storetest.Maria {
		t.Fatalf("the student of a waiting record is found as %q after its removal", got)
	}
	if c := storetest.CountRows(t, st); c.Grants != 1 || c.Pending != 2 {
		t.Fatalf("local work lost: %+v", c)
	}

	// Once a record is in conflict, the hub's newer rows become theirs.
	m := waiting(t, st)[0]
	theirs := sync.Record{ID: mine.ID, StateID: storetest.Maria, MIS2000ID: "99", QAD: "2025-09-01", EED: "2028-08-31", Version: 3}
	answer(t, st, sync.Result{MutationID: m.ID, Outcome: sync.Conflict, Current: &theirs})
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 22}, false, migrantRecord(mine.ID, storetest.Maria, "98", 4, 3)))
	cs, _ := st.Conflicts(ctx)
	if len(cs) != 1 || cs[0].Theirs.MIS2000ID != "98" || cs[0].Theirs.Version != 4 || cs[0].Mine.MIS2000ID != "20" {
		t.Fatalf("conflict after a newer pulled row: %+v", cs)
	}
	if r := record(t, st, mine.ID); r.MIS2000ID != "20" {
		t.Fatalf("a pulled row overwrote a record in conflict: %+v", r)
	}
}

// A record's copies are the hub's: pulled while an edit of the record
// waits or a conflict of it is open, passed over only while a publish or
// delete of the record, which wrote copies here, waits; the hub's answer
// to that change, or a conflict, sets them.
func TestCopiesFollowTheHub(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 10}, true,
		row("regions", "code", "C", "name", "Central"),
		row("districts", "number", "001", "name", "Adair County", "region_code", "C"),
		row("districts", "number", "002", "name", "Barren County", "region_code", "C"),
		row("schools", "number", "001010", "district_number", "001", "name", "Adair Elementary", "classification", "A1"),
		student(storetest.Maria, "García López", "María"),
		enrollment("E1", storetest.Maria, "001010", "2024-08-10", "")))
	rec, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "20", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	answer(t, st, applied(waiting(t, st)[0], 1))
	copies := func(want ...string) {
		t.Helper()
		var got []string
		for _, c := range record(t, st, rec.ID).Copies {
			got = append(got, fmt.Sprintf("%s@%d", c.District.Number, c.Version))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("copies %v, want %v", got, want)
		}
	}
	if _, err := st.Publish(ctx, clerk, []string{rec.ID}, nil); err != nil {
		t.Fatal(err)
	}
	publish := waiting(t, st)[0]
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 11}, false, copyIn(rec.ID, "002", 1)))
	copies("001@1")

	theirs := sync.Record{ID: rec.ID, StateID: storetest.Maria, MIS2000ID: "21", QAD: "2025-09-01", EED: "2028-08-31", Version: 2}
	none := []map[string]string{}
	answer(t, st, sync.Result{MutationID: publish.ID, Outcome: sync.Conflict, Current: &theirs, Copies: &none})
	copies()
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 12}, false, copyIn(rec.ID, "002", 2)))
	copies("002@2")

	if err := st.KeepTheirs(ctx, clerk, rec.ID); err != nil {
		t.Fatal(err)
	}
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 14}, false, removal("published", "record_id", rec.ID, "district_number", "002"),
		copyIn(rec.ID, "001", 2)))
	copies("001@2")
	answer(t, st, applied(waiting(t, st)[0], 2))

	if _, err := st.Publish(ctx, clerk, []string{rec.ID}, nil); err != nil {
		t.Fatal(err)
	}
	first := waiting(t, st)[0]
	if _, err := st.Publish(ctx, clerk, []string{rec.ID}, nil); err != nil {
		t.Fatal(err)
	}
	hub := []map[string]string{copyIn(rec.ID, "001", 2).Row, copyIn(rec.ID, "002", 2).Row}
	then := hub[:1:1]
	// The first publish's answer leaves the copies to the second's.
	answer(t, st, sync.Result{MutationID: first.ID, Outcome: sync.Applied, Version: 2, Copies: &then})
	copies("001@2")
	answer(t, st, sync.Result{MutationID: waiting(t, st)[0].ID, Outcome: sync.Applied, Version: 2, Copies: &hub})
	copies("001@2", "002@2")

	wrong := []map[string]string{copyIn("another", "001", 2).Row}
	if _, err := st.Publish(ctx, clerk, []string{rec.ID}, nil); err != nil {
		t.Fatal(err)
	}
	err = st.MarkPushed(ctx, []sync.Result{{MutationID: waiting(t, st)[0].ID, Outcome: sync.Applied, Version: 2, Copies: &wrong}})
	if err == nil || !strings.Contains(err.Error(), "holds a copy of record another") {
		t.Fatalf("an answer with another record's copy: %v", err)
	}
	copies("001@2") // as the publish wrote them, waiting still
	if len(waiting(t, st)) != 1 {
		t.Fatal("a refused answer was recorded")
	}
}

// TestPulledColumnsAreTheSchemas holds the protocol's column lists to the
// schema: a pulled row carries every column of its table except those the
// workstation derives, so a column added to the schema is either derived
// or added to the protocol.
func TestPulledColumnsAreTheSchemas(t *testing.T) {
	st := storetest.OpenEmpty(t)
	derived := map[string][]string{
		"students":        {"last_key", "first_key", "sort_key"},
		"schools":         {"public"},
		"migrant_records": {"needs_publish", "publish_districts"},
	}
	for _, table := range sync.Tables() {
		rows, err := st.DB().Query(`SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for rows.Next() {
			var c string
			rows.Scan(&c)
			if !slices.Contains(derived[table], c) {
				cols = append(cols, c)
			}
		}
		rows.Close()
		slices.Sort(cols)
		want := slices.Sorted(slices.Values(sync.Columns(table)))
		if !slices.Equal(cols, want) {
			t.Errorf("table %s has columns %v; the protocol carries %v", table, cols, want)
		}
	}
}

// A snapshot's search index is made from its pages as they are written
// when one process writes them all, else read back from the database at
// its last page: both are the same index. A page of students and their
// rows, written without SQLite's check of each row's parents, is refused
// when a row names a student or a school the workstation does not hold.
func TestSnapshotSearchIndexFromItsPages(t *testing.T) {
	ch := []sync.Change{
		row("regions", "code", "C", "name", "Central"),
		row("districts", "number", "001", "name", "Adair County", "region_code", "C"),
		row("districts", "number", "002", "name", "Barren County", "region_code", "C"),
		row("schools", "number", "001010", "district_number", "001", "name", "Adair Elementary", "classification", "A1"),
		row("schools", "number", "002010", "district_number", "002", "name", "Barren Middle", "classification", "J1"),
		student("S1", "Peña Ruiz", "Lucía María"),
		enrollment("E1", "S1", "001010", "2024-08-10", ""),
		enrollment("E2", "S1", "002010", "2025-01-06", ""),
	}
	second := []sync.Change{
		student("S2", "de la Cruz", "Ana"),
		student("S3", "Peña", "Ana Lucía"),
		enrollment("E3", "S2", "002010", "2024-08-10", ""),
		enrollment("E4", "S3", "001010", "2024-08-10", "2025-06-01"),
		row("programs", "state_id", "S3", "program", "FRAM", "code", "P", "start_date", "2024-08-13", "end_date", ""),
	}
	last := []sync.Change{migrantRecord("R1", "S1", "1", 1, 1), copyIn("R1", "001", 1)}
	pages := []sync.Page{
		page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: "students\x1fS1"}, true, ch...),
		page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: "students\x1fS3"}, true, second...),
		page(sync.Cursor{Epoch: "e1", Seq: 5}, true, last...),
	}
	const index = `SELECT group_concat(r, '|') FROM (SELECT field || ':' || token || ':' || sort_key || ':' || state_id AS r FROM name_tokens
		UNION ALL SELECT district_number || ':' || sort_key || ':' || state_id || ':' || gender FROM district_students ORDER BY 1)`
	dump := func(st *store.Store) string {
		var s string
		if err := st.DB().QueryRow(index).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	whole := storetest.OpenEmpty(t)
	for _, p := range pages {
		apply(t, whole, p)
	}
	resumed := storetest.OpenEmpty(t)
	apply(t, resumed, pages[0])
	resumed = reopen(t, resumed)
	for _, p := range pages[1:] {
		apply(t, resumed, p)
	}
	got, want := dump(whole), dump(resumed)
	if got != want || !strings.Contains(got, "001:") || !strings.Contains(got, "002:") {
		t.Fatalf("the search index made from the pages:\n%s\nread back from the database:\n%s", got, want)
	}
	for _, q := range []store.Query{{Last: "cruz"}, {Last: "pena", First: "ana"}, {District: "002"}} {
		if a, b := found(t, whole, q), found(t, resumed, q); a != b || a == "" {
			t.Fatalf("%+v finds %q and %q", q, a, b)
		}
	}

	// Rows whose student or school is nowhere.
	for _, bad := range [][]sync.Change{
		{student("S4", "Uno", "Ana"), enrollment("E5", "S9", "001010", "2024-08-10", "")},
		{student("S4", "Uno", "Ana"), enrollment("E5", "S4", "009999", "2024-08-10", "")},
		{row("programs", "state_id", "S9", "program", "FRAM", "code", "P", "start_date", "2024-08-13", "end_date", "")},
	} {
		st := storetest.OpenEmpty(t)
		apply(t, st, pages[0])
		if err := st.ApplyPage(context.Background(), page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: "students\x1fS4"}, true, bad...)); err == nil {
			t.Fatalf("a page whose rows name a student or school not held was applied: %+v", bad)
		}
		if n := count(t, st, `SELECT count(*) FROM students`); n != 1 {
			t.Fatalf("a refused page left %d students", n)
		}
	}
}

// TestSearchWhileStudentsArrive: a snapshot cut part way (the sync or
// the hub killed) leaves students on the workstation that a search by
// name or district cannot find yet, and the search says so rather than
// that no student matches; a state ID finds them, and the snapshot's
// last page makes every search whole again.
func TestSearchWhileStudentsArrive(t *testing.T) {
	ch := scope()
	st := storetest.OpenEmpty(t)
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 9, Snapshot: "students\x1fS1"}, true, ch[:7]...))
	st = reopen(t, st)
	ctx := context.Background()
	for _, q := range []store.Query{{Last: "pena"}, {First: "lucia"}, {District: "001"}} {
		if rs, err := st.Search(ctx, q); !errors.Is(err, store.ErrSearchPartial) {
			t.Fatalf("%+v in the middle of a snapshot: %d found, %v", q, len(rs), err)
		}
	}
	if got := found(t, st, store.Query{StateID: "S1"}); got != "S1" {
		t.Fatalf("in the middle of a snapshot the state ID finds %q", got)
	}
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 9}, true, ch[7:]...))
	for _, q := range []store.Query{{Last: "pena"}, {First: "lucia"}, {District: "001"}} {
		if got := found(t, st, q); got != "S1" {
			t.Fatalf("%+v after the snapshot finds %q", q, got)
		}
	}
}

// A snapshot's pages of students leave the writer's connection without
// SQLite's foreign key checks for the next page: a write between two of
// them has the checks back, and the pages after it are still written
// whole.
func TestWritesBetweenSnapshotPagesAreChecked(t *testing.T) {
	st := storetest.OpenEmpty(t)
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: "students\x1fS0"}, true,
		row("regions", "code", "C", "name", "Central"),
		row("districts", "number", "001", "name", "Adair County", "region_code", "C"),
		row("schools", "number", "001010", "district_number", "001", "name", "Adair Elementary", "classification", "A1")))
	var students []sync.Change
	for i := range 300 { // more than a statement's rows, and a remainder
		id := fmt.Sprintf("S%03d", i)
		students = append(students, student(id, "Peña", "Ana"), enrollment("E"+id, id, "001010", "2024-08-10", ""))
	}
	for i, ch := range [][]sync.Change{students[:300], students[300:]} {
		apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: fmt.Sprintf("students\x1fS%d", i)}, true, ch...))
		err := st.WriteExec(`INSERT INTO enrollments(id, state_id, school_number, grade, service_type, start_date) VALUES('X', 'S999', '001010', '01', 'R', '2024-08-10')`)
		if err == nil {
			t.Fatalf("after snapshot page %d, a write of an enrollment of a student not held was not refused", i+1)
		}
	}
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 5}, true, migrantRecord("R1", "S001", "1", 1, 1)))
	if n := count(t, st, `SELECT count(*) FROM enrollments e JOIN students s USING (state_id)`); n != 300 {
		t.Fatalf("the snapshot's pages hold %d enrollments of their students, not 300", n)
	}
	if err := st.WriteExec(`INSERT INTO enrollments(id, state_id, school_number, grade, service_type, start_date) VALUES('X', 'S999', '001010', '01', 'R', '2024-08-10')`); err == nil {
		t.Fatal("after the snapshot, a write of an enrollment of a student not held was not refused")
	}
}

// TestSnapshotWritesRowsAsChangesDo applies the same rows as a snapshot,
// whose pages are written in bulk (through SQLite's own calls where the
// driver allows), and as changes after an empty snapshot, each written by
// a statement of database/sql: every table, the search index included,
// must hold the same rows with the same values and types.
func TestSnapshotWritesRowsAsChangesDo(t *testing.T) {
	all := scope()
	head, rest := all[:6], all[6:] // up to the student
	children := []sync.Change{
		rest[0],
		student("S2", "de la Cruz", "Ana"),
		enrollment("E2", "S2", "002010", "2024-08-10", "2025-06-01"),
		row("programs", "state_id", "S2", "program", "FRAM", "code", "P", "start_date", "2024-08-13", "end_date", ""),
		row("programs", "state_id", "S1", "program", "FRAM", "code", "P", "start_date", "2024-08-13", "end_date", "2025-05-30"),
		row("assessments", "state_id", "S2", "subject", "R", "test_date", "2025-04-01", "performance_level", "3"),
	}
	last := rest[1:]
	bulk := storetest.OpenEmpty(t)
	for _, p := range []sync.Page{
		page(sync.Cursor{Epoch: "e1", Seq: 9, Snapshot: "students\x1fS1"}, true, slices.Clone(head)...),
		page(sync.Cursor{Epoch: "e1", Seq: 9, Snapshot: "students\x1fS2"}, true, slices.Clone(children)...),
		page(sync.Cursor{Epoch: "e1", Seq: 9}, true, slices.Clone(last)...),
	} {
		apply(t, bulk, p)
	}
	one := storetest.OpenEmpty(t)
	apply(t, one, page(sync.Cursor{Epoch: "e1", Seq: 0}, true))
	apply(t, one, page(sync.Cursor{Epoch: "e1", Seq: int64(len(head) + len(children) + len(last))}, false,
		slices.Concat(head, children, last)...))

	dump := func(st *store.Store, table string) []string {
		rows, err := st.DB().Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				fmt.Fprintf(&b, "%s=%T:%v ", cols[i], v, v)
			}
			out = append(out, b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	for _, table := range append(sync.Tables(), "name_tokens", "district_students") {
		got, want := dump(bulk, table), dump(one, table)
		if !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("%s as a snapshot wrote it:\n%s\nas changes:\n%s", table, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// The pages of a snapshot write their rows 256 to a statement: pages of
// many rows and of a few, the last row of a page and the first of the
// next, a page that fails, and the snapshot taken again after it, all
// land as they would row by row.
func TestSnapshotPagesOfManyRows(t *testing.T) {
	ctx := context.Background()
	head := scope()[:5] // the region, districts and schools
	students := func(from, n int) []sync.Change {
		var ch []sync.Change
		for i := from; i < from+n; i++ {
			id := fmt.Sprintf("S%05d", i)
			ch = append(ch, student(id, fmt.Sprintf("Last%05d", i), "Ana"))
		}
		for i := from; i < from+n; i++ {
			id := fmt.Sprintf("S%05d", i)
			ch = append(ch, enrollment("E"+id, id, "001010", "2024-08-10", ""))
		}
		return ch
	}
	sizes := []int{600, 255, 1, 257, 3}
	var pages []sync.Page
	at := 0
	for i, n := range sizes {
		ch := students(at, n)
		if i == 0 {
			ch = append(slices.Clone(head), ch...)
		}
		at += n
		pages = append(pages, page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: fmt.Sprintf("students\x1fS%05d", at-1)}, true, ch...))
	}
	pages = append(pages, page(sync.Cursor{Epoch: "e1", Seq: 5}, true))

	st := storetest.OpenEmpty(t)
	apply(t, st, pages[0])
	bad := page(pages[1].Next, true, append(students(at, 300), enrollment("EX", "S99999", "001010", "2024-08-10", ""))...)
	if err := st.ApplyPage(ctx, bad); err == nil {
		t.Fatal("a page with an enrollment of a student nowhere was applied")
	}
	for _, p := range pages[1:] {
		apply(t, st, p)
	}
	if n := count(t, st, `SELECT count(*) FROM students`); n != at {
		t.Fatalf("%d students written, want %d", n, at)
	}
	if n := count(t, st, `SELECT count(*) FROM students s JOIN enrollments e ON e.id = 'E' || s.state_id
		WHERE s.last_name = 'Last' || substr(s.state_id, 2)`); n != at {
		t.Fatalf("%d students with their own name and enrollment, want %d", n, at)
	}
	if got := found(t, st, store.Query{Last: "last00855"}); !strings.Contains(got, "S00855") {
		t.Fatalf("the first student of the third page is found as %q", got)
	}

	// The same snapshot again, over the one written.
	again := slices.Clone(pages)
	for i := range again {
		again[i].Changes = slices.Clone(again[i].Changes)
		again[i].Next.Epoch = "e2"
	}
	for _, p := range again {
		apply(t, st, p)
	}
	if n := count(t, st, `SELECT count(*) FROM enrollments`); n != at {
		t.Fatalf("%d enrollments after the snapshot taken again, want %d", n, at)
	}
}

// A record that a later page of a snapshot brings, for a student of an
// earlier page, is flagged for publishing as it would be as a change:
// touchAll's noting of the records' students for the recheck is what
// sets it, at the next count.
func TestSnapshotRecordOfLaterPageNeedsPublish(t *testing.T) {
	all := scope()
	head, rest := all[:6], all[6:]
	children := []sync.Change{rest[0], student("S2", "de la Cruz", "Ana"), enrollment("E2", "S2", "002010", "2024-08-10", "")}
	// R2 is of S2, enrolled in district 002, with no copy: it needs publishing.
	last := append(slices.Clone(rest[1:]), migrantRecord("R2", "S2", "2", 1, 0))
	flag := func(pages ...sync.Page) int {
		st := storetest.OpenEmpty(t)
		for _, p := range pages {
			apply(t, st, p)
		}
		// The count works out the flags of the students a pull noted.
		if _, err := st.CountNeedsPublishing(context.Background(), ""); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := st.DB().QueryRow(`SELECT needs_publish FROM migrant_records WHERE id = 'R2'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	bulk := flag(
		page(sync.Cursor{Epoch: "e1", Seq: 9, Snapshot: "students\x1fS1"}, true, slices.Clone(head)...),
		page(sync.Cursor{Epoch: "e1", Seq: 9, Snapshot: "students\x1fS2"}, true, slices.Clone(children)...),
		page(sync.Cursor{Epoch: "e1", Seq: 9}, true, slices.Clone(last)...))
	one := flag(
		page(sync.Cursor{Epoch: "e1", Seq: 0}, true),
		page(sync.Cursor{Epoch: "e1", Seq: int64(len(head) + len(children) + len(last))}, false, slices.Concat(head, children, last)...))
	if bulk != 1 || one != 1 {
		t.Fatalf("R2's needs_publish: %d from the snapshot, %d from changes; want 1", bulk, one)
	}
}

// A snapshot cut short by a change of the user's scope: the hub starts
// the new scope's snapshot over it, and its first page empties what the
// old scope's pages brought, as a snapshot of another epoch does.
func TestSnapshotOfAnotherScopeStartsOver(t *testing.T) {
	st := storetest.OpenEmpty(t)
	ch := scope()
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: "students\x1f0000000003", Scope: "old"}, true, ch[:6]...))
	if n := count(t, st, `SELECT count(*) FROM students`); n != 1 {
		t.Fatalf("%d students after the old scope's first page", n)
	}
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: "schools\x1f002010", Scope: "new"}, true, ch[:5]...))
	if n := count(t, st, `SELECT count(*) FROM students`); n != 0 {
		t.Fatalf("the new scope's first page kept %d students of the old scope's", n)
	}
	// Its next page, of the same scope, adds to it.
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 5, Scope: "new"}, true, ch[5:7]...))
	if n := count(t, st, `SELECT count(*) FROM schools`); n != 2 {
		t.Fatalf("the new scope's second page emptied its first: %d schools", n)
	}

	// A snapshot under way at a cursor that names no scope (kept before
	// cursors named one) goes on with the pages that do.
	st = storetest.OpenEmpty(t)
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 5, Snapshot: "students\x1f0000000003"}, true, ch[:6]...))
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 5, Scope: "new"}, true, ch[6:7]...))
	if n := count(t, st, `SELECT count(*) FROM students`); n != 1 {
		t.Fatalf("a snapshot's page naming its scope emptied the pages before it, of a cursor naming none: %d students", n)
	}
}

// A record in conflict that leaves the user's scope on the hub (a
// re-import moved its student to another region, and started a new
// epoch) is marked gone when the snapshot that follows, once whole, has
// brought neither it nor its student; keeping the hub's side then takes
// it, and its student, from the workstation. A record the hub deleted is
// never in a snapshot, but its student is while in the scope.
func TestConflictOfARecordGoneFromScope(t *testing.T) {
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	scope := adairScope()
	// inConflict has the clerk's edit of a record of María's refused for
	// the hub's version 2, deleted there or not.
	inConflict := func(t *testing.T, deleted bool) (*store.Store, string) {
		st := storetest.Open(t)
		apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 10}, true, scope...))
		rec, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "20", "2025-09-01", ""))
		if err != nil {
			t.Fatal(err)
		}
		answer(t, st, applied(waiting(t, st)[0], 1))
		edit := rec.MigrantRecord
		edit.MIS2000ID = "22"
		if _, err := st.SaveRecord(ctx, clerk, edit); err != nil {
			t.Fatal(err)
		}
		theirs := sync.Record{ID: rec.ID, StateID: storetest.Maria, MIS2000ID: "21", QAD: "2025-09-01", EED: "2028-08-31",
			Version: 2, Deleted: deleted}
		answer(t, st, sync.Result{MutationID: waiting(t, st)[0].ID, Outcome: sync.Conflict, Current: &theirs})
		return st, rec.ID
	}
	gone := func(t *testing.T, st *store.Store) bool {
		t.Helper()
		cs, err := st.Conflicts(ctx)
		if err != nil || len(cs) != 1 {
			t.Fatalf("conflicts %+v, %v", cs, err)
		}
		return cs[0].Gone
	}

	t.Run("moved", func(t *testing.T) {
		st, id := inConflict(t, false)
		if gone(t, st) {
			t.Fatal("a record in scope is marked gone")
		}
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true, scope[:3]...))
		if !gone(t, st) {
			t.Fatal("a snapshot without the record left it in scope")
		}
		if err := st.KeepMine(ctx, clerk, id, 2); !errors.Is(err, store.ErrGoneFromScope) {
			t.Fatalf("keep mine of a record gone from the scope, which the hub would refuse: %v", err)
		}
		if err := st.KeepTheirs(ctx, clerk, id); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RecordByID(ctx, id); !errors.Is(err, store.ErrNoRecord) {
			t.Errorf("keep theirs of a record gone from the scope kept it: %v", err)
		}
		if n := count(t, st, `SELECT count(*) FROM students WHERE state_id = '`+storetest.Maria+`'`); n != 0 {
			t.Errorf("keep theirs of a record gone from the scope kept its student")
		}
		if len(waiting(t, st)) != 0 {
			t.Errorf("keep theirs of a record gone from the scope sent %+v", waiting(t, st))
		}
	})
	t.Run("back", func(t *testing.T) {
		st, id := inConflict(t, false)
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true, scope[:3]...))
		back := migrantRecord(id, storetest.Maria, "23", 3, 0)
		apply(t, st, page(sync.Cursor{Epoch: "e3", Seq: 3}, true, append(slices.Clone(scope), back)...))
		if gone(t, st) {
			t.Fatal("a snapshot that brings the record back left it gone")
		}
	})
	t.Run("deleted", func(t *testing.T) {
		st, id := inConflict(t, true)
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true, scope...))
		if gone(t, st) {
			t.Fatal("a record the hub deleted, its student still in scope, is marked gone")
		}
		if err := st.KeepTheirs(ctx, clerk, id); err != nil {
			t.Fatal(err)
		}
		if got := found(t, st, store.Query{Last: "garcia"}); got != storetest.Maria {
			t.Errorf("after keeping the hub's deletion the student is found as %q", got)
		}
	})
	t.Run("deleted, enrolled nowhere", func(t *testing.T) {
		// An out-of-school youth is in every clerk's scope: the snapshot
		// brings the student without an enrollment.
		st, _ := inConflict(t, true)
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true, scope[:4]...))
		if gone(t, st) {
			t.Fatal("a record the hub deleted, its student in scope without an enrollment, is marked gone")
		}
	})
	t.Run("cut short", func(t *testing.T) {
		// A snapshot not yet whole decides nothing, and the conflict
		// waits for it to be resolved.
		st, id := inConflict(t, false)
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3, Snapshot: "schools\x1f001010"}, true, scope[:3]...))
		if gone(t, st) {
			t.Fatal("the first page of a snapshot marked a record gone")
		}
		if cs, _ := st.Conflicts(ctx); len(cs) != 1 || !cs[0].Undecided {
			t.Fatalf("a conflict in the middle of a snapshot: %+v", cs)
		}
		for _, resolve := range []func() error{
			func() error { return st.KeepTheirs(ctx, clerk, id) },
			func() error { return st.KeepMine(ctx, clerk, id, 2) },
		} {
			if err := resolve(); !errors.Is(err, store.ErrUndecided) {
				t.Errorf("a resolution in the middle of a snapshot: %v", err)
			}
		}
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true))
		if !gone(t, st) {
			t.Fatal("the snapshot, whole, left the record in scope")
		}
		if err := st.KeepTheirs(ctx, clerk, id); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("deleted and moved", func(t *testing.T) {
		st, id := inConflict(t, true)
		apply(t, st, page(sync.Cursor{Epoch: "e2", Seq: 3}, true, scope[:3]...))
		if !gone(t, st) {
			t.Fatal("a record the hub deleted, its student moved out of the scope, is not marked gone")
		}
		if err := st.KeepTheirs(ctx, clerk, id); err != nil {
			t.Fatal(err)
		}
		if n := count(t, st, `SELECT count(*) FROM students WHERE state_id = '`+storetest.Maria+`'`); n != 0 || len(waiting(t, st)) != 0 {
			t.Errorf("keep theirs of a deleted record gone from the scope kept %d students and sent %+v", n, waiting(t, st))
		}
	})
}

// Keep theirs of a conflict kept before the hub's side carried the
// record's last publish leaves the publish made here, as far as the
// hub's version goes, rather than taking it for never published.
func TestKeepTheirsOfAnOlderConflict(t *testing.T) {
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	st := storetest.Open(t)
	apply(t, st, page(sync.Cursor{Epoch: "e1", Seq: 10}, true, adairScope()...))
	rec, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "20", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, clerk, []string{rec.ID}, nil); err != nil {
		t.Fatal(err)
	}
	for _, m := range waiting(t, st) {
		answer(t, st, applied(m, 1))
	}
	edit := record(t, st, rec.ID).MigrantRecord
	edit.MIS2000ID = "22"
	if _, err := st.SaveRecord(ctx, clerk, edit); err != nil {
		t.Fatal(err)
	}
	theirs := sync.Record{ID: rec.ID, StateID: storetest.Maria, MIS2000ID: "21", QAD: "2025-09-01", EED: "2028-08-31", Version: 2}
	answer(t, st, sync.Result{MutationID: waiting(t, st)[0].ID, Outcome: sync.Conflict, Current: &theirs})
	// As kept before: the hub's side without the mark of its publish.
	if _, err := st.DB().Exec(`UPDATE conflicts SET theirs = json_remove(theirs, '$.publish_known')`); err != nil {
		t.Fatal(err)
	}
	if err := st.KeepTheirs(ctx, clerk, rec.ID); err != nil {
		t.Fatal(err)
	}
	if r := record(t, st, rec.ID); r.PublishedVersion != 1 || r.Version != 2 {
		t.Errorf("keep theirs of an older conflict: version %d, published %d; want 2, 1", r.Version, r.PublishedVersion)
	}
}

// adairScope is a clerk's snapshot of one student, María, enrolled at
// Adair (district 001).
func adairScope() []sync.Change {
	return []sync.Change{
		row("regions", "code", "C", "name", "Central"),
		row("districts", "number", "001", "name", "Adair County", "region_code", "C"),
		row("schools", "number", "001010", "district_number", "001", "name", "Adair Elementary", "classification", "A1"),
		student(storetest.Maria, "García López", "María"),
		enrollment("E1", storetest.Maria, "001010", "2024-08-10", ""),
	}
}
