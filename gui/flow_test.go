package gui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// TestClerkFlow walks the regional clerk's procedure as a clerk does it:
// search, open the student, Ctrl+N, type a wrong record and see the
// errors block Save, correct it, Ctrl+S, publish, and read the status
// bar; then checks the database.
func TestClerkFlow(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk})
	ctx := context.Background()

	// Search: the clerk types the surname without its accent and presses Enter.
	test.Type(u.search.last, "garcia")
	pressEnter(u, u.search.last)
	if len(u.search.results) != 1 || u.search.results[0].Student.StateID != storetest.Maria {
		t.Fatalf("search for garcia found %+v, want only María García López", u.search.results)
	}
	want := []string{"García López, María José", "05/05/2012", "Female", storetest.Maria, "Adair Elementary", "06", "001 Adair County"}
	for col, w := range want {
		if got := resultCell(u.search.results[0], col); got != w {
			t.Errorf("result column %s = %q, want %q", resultColumns[col].Title, got, w)
		}
	}

	// Open the student from the results.
	u.search.table.Select(widget.TableCellID{Row: 0, Col: 0})
	u.wait()
	if !u.studentShown() || u.student.title.Text != "García López, María José" {
		t.Fatalf("after choosing the result the screen shows %q", u.student.title.Text)
	}
	if got := u.student.enrollments.Cell(0, 1); got != "001010 Adair Elementary" {
		t.Errorf("first enrollment school = %q", got)
	}
	if got := u.student.levels.Text; got != "Math: Apprentice (tested 04/20/2025)\nReading: Proficient (tested 04/21/2025)" {
		t.Errorf("levels = %q", got)
	}
	if u.student.publishBtn.Disabled() == false {
		t.Error("Publish is enabled for a student with no record")
	}

	// Ctrl+N opens an empty Student Migrant Detail (no previous record).
	press(t, u, keyNew)
	f := u.student.form
	if f == nil {
		t.Fatal("Ctrl+N opened no form")
	}
	if f.mis.Text != "" {
		t.Errorf("MIS2000 ID prefilled with %q for a student with no record", f.mis.Text)
	}
	if !f.saveBtn.Disabled() {
		t.Error("Save is enabled on an empty form")
	}

	// Wrong input: errors appear beside the fields while typing, and Save
	// stays disabled.
	test.Type(f.mis, "12AB")
	if !f.misErr.Visible() || f.misErr.Text != `The MIS2000 ID has only digits, not 'A'.` {
		t.Errorf("MIS2000 ID error = %q (visible %v)", f.misErr.Text, f.misErr.Visible())
	}
	test.Type(f.qad.Entry, "13/01/2025")
	if !f.qadErr.Visible() || !strings.Contains(f.qadErr.Text, "month 13 is not between 1 and 12") {
		t.Errorf("QAD error = %q", f.qadErr.Text)
	}
	if f.eed.Entry.Text != "" || f.eedErr.Visible() {
		t.Errorf("EED = %q (error %q) for an invalid QAD, want it empty, with no error of its own", f.eed.Entry.Text, f.eedErr.Text)
	}
	press(t, u, keySave)
	if !f.saveBtn.Disabled() || u.student.form == nil {
		t.Fatal("Ctrl+S with errors closed the form or enabled Save")
	}
	if n := len(records(t, st, storetest.Maria)); n != 0 {
		t.Fatalf("%d records saved from an invalid form", n)
	}

	// Correct input: the EED is computed from the QAD while typing.
	retype(f.mis, "004512345")
	retype(f.qad.Entry, "09/01/2025")
	if f.misErr.Visible() || f.qadErr.Visible() {
		t.Errorf("errors still shown: %q %q", f.misErr.Text, f.qadErr.Text)
	}
	if f.eed.Entry.Text != "08/31/2028" {
		t.Errorf("EED computed as %q, want 08/31/2028", f.eed.Entry.Text)
	}
	// A later EED is refused with the latest allowed date; an earlier one is fine.
	retype(f.eed.Entry, "09/30/2028")
	if f.eedErr.Text != "The expiration date can be 08/31/2028 at the latest." || !f.saveBtn.Disabled() {
		t.Errorf("EED error = %q, Save disabled %v", f.eedErr.Text, f.saveBtn.Disabled())
	}
	retype(f.eed.Entry, "06/30/2028")
	if f.eedErr.Visible() || f.saveBtn.Disabled() {
		t.Fatalf("valid record: EED error %q, Save disabled %v", f.eedErr.Text, f.saveBtn.Disabled())
	}
	// The clerk set the EED: changing the QAD no longer recomputes it.
	retype(f.qad.Entry, "09/02/2025")
	if f.eed.Entry.Text != "06/30/2028" {
		t.Errorf("EED changed to %q after the clerk set it", f.eed.Entry.Text)
	}

	press(t, u, keySave)
	if u.student.form != nil {
		t.Fatalf("the form is still open after Ctrl+S: %q", f.formErr.Text)
	}
	recs := records(t, st, storetest.Maria)
	if len(recs) != 1 {
		t.Fatalf("%d records after saving, want 1", len(recs))
	}
	r := recs[0]
	if r.MIS2000ID != "004512345" || r.QAD.US() != "09/02/2025" || r.EED.US() != "06/30/2028" || r.CreatedBy != storetest.Clerk {
		t.Errorf("saved record %+v", r.MigrantRecord)
	}
	if len(u.student.cards) != 1 || u.student.cards[0].badge.Text != " Saved, not published " {
		t.Fatalf("record card after save: %d cards", len(u.student.cards))
	}
	if !strings.Contains(u.student.cards[0].detail.Text, "Publishing sends it to 001 Adair County.") {
		t.Errorf("card says %q", u.student.cards[0].detail.Text)
	}
	if got := u.status.unpub.Text; got != "Need publishing: 1" {
		t.Errorf("status bar: %q", got)
	}

	// Publish: the confirmation names the district, then the record is published.
	tap(t, u, "Publish 1 record… (Ctrl+P)")
	if !slices.Contains(texts(u.win.Canvas()), "García López, María José — MIS2000 ID 004512345, 09/02/2025 – 06/30/2028") ||
		!slices.Contains(texts(u.win.Canvas()), "Goes to 1 district: 001 Adair County") {
		t.Errorf("the confirmation does not list the record and its district: %q", texts(u.win.Canvas()))
	}
	tap(t, u, "Publish")
	r = records(t, st, storetest.Maria)[0]
	if r.Status != data.StatusPublished || len(r.Copies) != 1 || r.Copies[0].District.Number != "001" || r.Copies[0].By != storetest.Clerk {
		t.Fatalf("after publishing: status %v, copies %+v", r.Status, r.Copies)
	}
	if got := u.student.cards[0].badge.Text; got != " Published " {
		t.Errorf("badge after publishing = %q", got)
	}
	if !strings.Contains(u.student.cards[0].detail.Text, "Published to 001 Adair County on ") {
		t.Errorf("card says %q", u.student.cards[0].detail.Text)
	}
	if got := u.status.message.Text; got != "Published 1 record of García López, María José: sent to 1 district." {
		t.Errorf("status message %q", got)
	}

	// Status bar: a demo database syncs with no hub, so no count of
	// changes waiting (the outbox holds the create and the publish) but
	// what saving means here; none to publish.
	if got := u.status.pending.Text; got != standaloneChanges {
		t.Errorf("status bar: %q", got)
	}
	test.Tap(u.status.pending)
	if !u.dialogs.Open() || !strings.Contains(strings.Join(texts(u.win.Canvas()), " "), "does not sync with a state hub") {
		t.Error("clicking the sync count explains nothing")
	}
	u.dialogs.CloseTop()
	if got := u.status.unpub.Text; got != "Need publishing: 0" {
		t.Errorf("status bar: %q", got)
	}
	if got := u.status.profile.Text; got != "Demo profile: Lucía Ramos, Regional data clerk, Central region" {
		t.Errorf("status bar: %q", got)
	}
	if !strings.Contains(u.status.db.Text, "desk.db") {
		t.Errorf("status bar does not name the database: %q", u.status.db.Text)
	}

	// The database: record, outbox and audit written by the clerk.
	pending, err := st.Pending(ctx)
	if err != nil || pending != 2 {
		t.Errorf("outbox holds %d changes (%v), want 2", pending, err)
	}
	audit, err := st.Audit(ctx, "migrant_record", r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.User+" "+a.Action)
	}
	if !slices.Equal(actions, []string{"clerk1 publish", "clerk1 create"}) {
		t.Errorf("audit log: %q", actions)
	}

	// Ctrl+F goes back to the search with its results.
	press(t, u, keySearch)
	if u.current != u.search.obj || len(u.search.results) != 1 {
		t.Error("Ctrl+F did not return to the search results")
	}
	if u.win.Canvas().Focused() != u.search.last {
		t.Error("Ctrl+F did not put the cursor in Last name")
	}
}

// records reads a student's records from the database.
func records(t *testing.T, st *store.Store, stateID string) []store.Record {
	t.Helper()
	recs, err := st.StudentRecords(context.Background(), stateID)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
