package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

func recordFor(t testing.TB, stateID, mis, qad, eed string) data.MigrantRecord {
	r := data.MigrantRecord{StateID: stateID, MIS2000ID: mis, QAD: storetest.Day(t, qad)}
	if eed != "" {
		r.EED = storetest.Day(t, eed)
	}
	return r
}

func TestSaveRecordWritesOutboxAndAudit(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	rec, err := st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, storetest.Maria, "000123", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID == "" || rec.Version != 1 || rec.EED != storetest.Day(t, "2028-08-31") {
		t.Fatalf("saved %+v", rec)
	}
	if rec.MIS2000ID != "000123" {
		t.Fatalf("leading zeros lost: %q", rec.MIS2000ID)
	}
	if rec.Status != data.StatusSaved || rec.CreatedBy != "rosa" {
		t.Fatalf("status %v by %q", rec.Status, rec.CreatedBy)
	}
	if n := count(t, st, `SELECT count(*) FROM outbox WHERE entity_id = ? AND op = 'create' AND base_version = 0`, rec.ID); n != 1 {
		t.Fatalf("outbox rows: %d", n)
	}
	if n := count(t, st, `SELECT count(*) FROM audit WHERE entity_id = ? AND action = 'create' AND username = 'rosa'`, rec.ID); n != 1 {
		t.Fatalf("audit rows: %d", n)
	}

	edit := rec.MigrantRecord
	edit.EED = storetest.Day(t, "2027-06-01")
	rec2, err := st.SaveRecord(ctx, data.Operator("rosa"), edit)
	if err != nil {
		t.Fatal(err)
	}
	if rec2.Version != 2 || rec2.EED != storetest.Day(t, "2027-06-01") {
		t.Fatalf("edited %+v", rec2)
	}
	if n := count(t, st, `SELECT count(*) FROM audit WHERE entity_id = ? AND action = 'update' AND before LIKE '%2028-08-31%' AND after LIKE '%2027-06-01%'`, rec.ID); n != 1 {
		t.Fatal("the update's audit row lacks before and after")
	}

	// Saving the version opened before the edit is a conflict, not an overwrite.
	stale := rec.MigrantRecord
	stale.MIS2000ID = "999"
	_, err = st.SaveRecord(ctx, data.Operator("other"), stale)
	var ce *data.ConflictError
	if !errors.As(err, &ce) || ce.Current != 2 {
		t.Fatalf("stale edit: %v", err)
	}
	if n := count(t, st, `SELECT count(*) FROM migrant_records WHERE mis2000_id = '999'`); n != 0 {
		t.Fatal("a stale edit was written")
	}

	// Saving without a change writes nothing.
	before := count(t, st, `SELECT count(*) FROM outbox`)
	if _, err := st.SaveRecord(ctx, data.Operator("rosa"), rec2.MigrantRecord); err != nil {
		t.Fatal(err)
	}
	if count(t, st, `SELECT count(*) FROM outbox`) != before {
		t.Fatal("an unchanged save queued a mutation")
	}
}

func TestSaveRecordRefusals(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	if _, err := st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, storetest.Maria, "1", "2022-01-10", "")); err != nil {
		t.Fatal(err)
	}
	_, err := st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, storetest.Maria, "2", "2024-06-01", ""))
	var oe *data.OverlapError
	if !errors.As(err, &oe) || oe.Other.MIS2000ID != "1" {
		t.Fatalf("overlap: %v", err)
	}
	_, err = st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, storetest.Maria, "2", "2025-02-01", "2028-02-01"))
	var fe *data.FieldError
	if !errors.As(err, &fe) || fe.Field != "EED" || !strings.Contains(err.Error(), "01/31/2028 at the latest") {
		t.Fatalf("late EED: %v", err)
	}
	_, err = st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, "9999999999", "2", "2025-02-01", ""))
	if !errors.Is(err, store.ErrNoStudent) {
		t.Fatalf("unknown student: %v", err)
	}
	if n := count(t, st, `SELECT count(*) FROM migrant_records`); n != 1 {
		t.Fatalf("%d records after refusals", n)
	}
	if n := count(t, st, `SELECT count(*) FROM outbox`); n != 1 {
		t.Fatalf("%d outbox rows after refusals", n)
	}
}

func TestPublishTargetsAndRepublish(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	// Ana moved from Adair (001) to Calloway (003) in January 2026.
	rec, err := st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, storetest.Ana, "55", "2025-03-01", "2025-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	if got := districtNumbers(rec.Targets); got != "001" {
		t.Fatalf("targets of a window ending before the move: %s", got)
	}
	res, err := st.Publish(ctx, data.Operator("rosa"), []string{rec.ID}, nil)
	if err != nil || res.Published != 1 || res.Copies != 1 {
		t.Fatalf("publish: %+v %v", res, err)
	}
	rec, _ = st.RecordByID(ctx, rec.ID)
	if rec.Status != data.StatusPublished || districtNumbers(copyDistricts(rec.Copies)) != "001" || rec.PublishedBy != "rosa" {
		t.Fatalf("after publish: %v %+v", rec.Status, rec.Copies)
	}

	// Extending the window past the move calls for Calloway too. Who
	// changed it reads by the full name.
	edit := rec.MigrantRecord
	edit.EED = storetest.Day(t, "2026-06-30")
	rec, err = st.SaveRecord(ctx, storetest.User(storetest.ClerkWest), edit)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != data.StatusNeedsPublishing || len(rec.Reasons) != 2 {
		t.Fatalf("after edit: %v %q", rec.Status, rec.Reasons)
	}
	if !strings.Contains(rec.Reasons[0], "changed on 11/29/2026 by Rosa Delgado after") || !strings.Contains(rec.Reasons[1], "003 Calloway County") {
		t.Fatalf("reasons: %q", rec.Reasons)
	}
	list, err := st.NeedsPublishing(ctx, "W")
	if err != nil || len(list) != 1 || list[0].Student.LastName != "Núñez" || !strings.Contains(list[0].Reasons[0], "by Rosa Delgado after") {
		t.Fatalf("needs publishing in W: %+v %v", list, err)
	}
	var progress []int
	if _, err := st.Publish(ctx, data.Operator("rosa"), []string{rec.ID}, func(done, total int) { progress = append(progress, done, total) }); err != nil {
		t.Fatal(err)
	}
	if len(progress) != 2 || progress[0] != 1 || progress[1] != 1 {
		t.Fatalf("progress %v", progress)
	}
	rec, _ = st.RecordByID(ctx, rec.ID)
	if rec.Status != data.StatusPublished || districtNumbers(copyDistricts(rec.Copies)) != "001 003" {
		t.Fatalf("after republish: %v %+v", rec.Status, rec.Copies)
	}
	for _, c := range rec.Copies {
		if c.Version != 2 {
			t.Fatalf("copy in %s has version %d", c.District.Number, c.Version)
		}
	}

	// Shortening it again removes Calloway's copy at the next publish.
	edit = rec.MigrantRecord
	edit.EED = storetest.Day(t, "2025-10-31")
	rec, _ = st.SaveRecord(ctx, data.Operator("rosa"), edit)
	if !strings.Contains(strings.Join(rec.Reasons, " "), "publishing removes that district's copy") {
		t.Fatalf("reasons: %q", rec.Reasons)
	}
	st.Publish(ctx, data.Operator("rosa"), []string{rec.ID}, nil)
	if n := count(t, st, `SELECT count(*) FROM published WHERE record_id = ?`, rec.ID); n != 1 {
		t.Fatalf("%d copies after shortening", n)
	}
}

func TestNewEnrollmentTriggersRepublish(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	rec, _ := st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, storetest.Maria, "7", "2025-09-01", ""))
	st.Publish(ctx, data.Operator("rosa"), []string{rec.ID}, nil)
	ex := storetest.Extract()
	ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "E5", StateID: storetest.Maria, SchoolNumber: "002010",
		Grade: "06", ServiceType: "S", Start: storetest.Day(t, "2026-09-01")})
	if _, err := st.ImportExtract(ctx, ex, "state"); err != nil {
		t.Fatal(err)
	}
	rec, _ = st.RecordByID(ctx, rec.ID)
	if rec.Status != data.StatusNeedsPublishing || len(rec.Reasons) != 1 || !strings.Contains(rec.Reasons[0], "002 Barren County") {
		t.Fatalf("after a new enrollment: %v %q", rec.Status, rec.Reasons)
	}
}

func TestPublishWithNoDistrict(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	// María enrolled in August 2024; a window that ended before has no district.
	rec, err := st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, storetest.Maria, "7", "2021-01-01", "2023-12-31"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Publish(ctx, data.Operator("rosa"), []string{rec.ID}, nil)
	if err != nil || res.Published != 0 || res.Skipped[rec.ID] == "" {
		t.Fatalf("%+v %v", res, err)
	}
	list, _ := st.NeedsPublishing(ctx, "")
	if len(list) != 0 {
		t.Fatal("a record with nowhere to go is listed as needing publishing")
	}
}

func TestDeleteKeepsTombstone(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	rec, _ := st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, storetest.Maria, "7", "2025-09-01", ""))
	st.Publish(ctx, data.Operator("rosa"), []string{rec.ID}, nil)
	if err := st.DeleteRecord(ctx, data.Operator("rosa"), rec.ID, rec.Version+5); err == nil {
		t.Fatal("deleting a version that is not current must be refused")
	}
	if err := st.DeleteRecord(ctx, data.Operator("rosa"), rec.ID, rec.Version); err != nil {
		t.Fatal(err)
	}
	recs, _ := st.StudentRecords(ctx, storetest.Maria)
	if len(recs) != 0 {
		t.Fatal("a deleted record is still listed")
	}
	if n := count(t, st, `SELECT count(*) FROM migrant_records WHERE id = ? AND deleted = 1`, rec.ID); n != 1 {
		t.Fatal("no tombstone")
	}
	if n := count(t, st, `SELECT count(*) FROM published WHERE record_id = ?`, rec.ID); n != 0 {
		t.Fatal("districts still see a deleted record")
	}
	if n := count(t, st, `SELECT count(*) FROM audit WHERE entity_id = ? AND action = 'delete'`, rec.ID); n != 1 {
		t.Fatal("delete not audited")
	}
	// The window is free again.
	if _, err := st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, storetest.Maria, "8", "2025-09-01", "")); err != nil {
		t.Fatal(err)
	}
}

func TestImportRecordsAllOrNothing(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	recs := []data.MigrantRecord{
		storetest.Record(t, storetest.Maria, "1", "2025-09-01", ""),
		storetest.Record(t, storetest.Ana, "2", "2025-03-01", ""),
		storetest.Record(t, storetest.Ana, "3", "2026-01-01", ""), // overlaps the row above
		storetest.Record(t, "0000000404", "4", "2025-03-01", ""),  // no such student
		storetest.Record(t, storetest.Sean, "x5", "2025-03-01", ""),
	}
	_, err := st.ImportRecords(ctx, data.Operator("bulk"), recs, true)
	var rows store.RowErrors
	if !errors.As(err, &rows) || len(rows) != 3 {
		t.Fatalf("got %v", err)
	}
	if rows[0].Index != 2 || rows[1].Index != 3 || rows[2].Index != 4 {
		t.Fatalf("indexes %+v", rows)
	}
	if n := count(t, st, `SELECT count(*) FROM migrant_records`); n != 0 {
		t.Fatal("a refused bulk load saved records")
	}
	good := []data.MigrantRecord{
		storetest.Record(t, storetest.Maria, "1", "2025-09-01", ""),
		storetest.Record(t, storetest.Ana, "2", "2025-03-01", "2026-06-30"),
		storetest.Record(t, storetest.Sean, "5", "2025-03-01", ""),
	}
	res, err := st.ImportRecords(ctx, data.Operator("bulk"), good, true)
	if err != nil {
		t.Fatal(err)
	}
	// Ana's window reaches both her districts; Sean's private school is
	// still a district enrollment, so his record goes to Adair.
	if res.Saved != 3 || res.Published != 3 || res.Districts != 4 {
		t.Fatalf("%+v", res)
	}
	again, err := st.ImportRecords(ctx, data.Operator("bulk"), good, true)
	if err != nil || again.Unchanged != 3 || again.Saved != 0 {
		t.Fatalf("loading the same file twice: %+v %v", again, err)
	}
	if n := count(t, st, `SELECT count(*) FROM outbox WHERE op = 'publish'`); n != 3 {
		t.Fatalf("%d publish mutations", n)
	}
}

func TestStudentDetail(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	d, err := st.Student(ctx, storetest.Ana)
	if err != nil {
		t.Fatal(err)
	}
	if d.Student.LastName != "Núñez" || len(d.Enrollments) != 2 || d.Enrollments[0].District.Name != "Calloway County" {
		t.Fatalf("%+v", d)
	}
	if _, err := st.Student(ctx, "nope"); !errors.Is(err, store.ErrNoStudent) {
		t.Fatalf("unknown student: %v", err)
	}
	m, _ := st.Student(ctx, storetest.Maria)
	if a, _ := data.LatestAssessment(m.Assessments, "MATH", storetest.Day(t, "2026-06-30")); a.Level != "Apprentice" || a.TestDate != storetest.Day(t, "2025-04-20") {
		t.Fatalf("level %+v", a)
	}
	if _, ok := data.LatestAssessment(m.Assessments, "MATH", storetest.Day(t, "2025-04-19")); ok {
		t.Fatal("a test after the day counted")
	}
}

func TestFailedSaveWritesNothing(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	before := storetest.CountRows(t, st)
	heal := storetest.FailWrites(t, st)
	_, err := st.SaveRecord(ctx, storetest.User(storetest.Clerk), storetest.Record(t, storetest.Maria, "1", "2025-09-01", ""))
	if err == nil || !strings.HasPrefix(err.Error(), "the record was not saved, nothing was changed: ") || !strings.Contains(err.Error(), storetest.DiskFull) {
		t.Fatalf("a save on a full disk: %v", err)
	}
	if after := storetest.CountRows(t, st); after != before {
		t.Fatalf("a failed save left rows: %+v, had %+v", after, before)
	}
	heal()
	if _, err := st.SaveRecord(ctx, storetest.User(storetest.Clerk), storetest.Record(t, storetest.Maria, "1", "2025-09-01", "")); err != nil {
		t.Fatal(err)
	}
	if after := storetest.CountRows(t, st); after.Records != before.Records+1 || after.Pending != before.Pending+1 {
		t.Fatalf("after healing: %+v, had %+v", after, before)
	}
}
