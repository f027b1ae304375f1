package gui

import (
	"context"
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// saveRecord stores a record as another clerk would, for a test's start.
func saveRecord(t *testing.T, st *store.Store, stateID, mis, qad string) store.Record {
	t.Helper()
	r, err := st.SaveRecord(context.Background(), data.Operator("other"), data.MigrantRecord{StateID: stateID, MIS2000ID: mis, QAD: storetest.Day(t, qad)})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// openOn starts the UI on one student's detail.
func openOn(t *testing.T, st *store.Store, stateID string) *UI {
	t.Helper()
	u := start(t, st, Options{User: storetest.Clerk, Open: stateID})
	if !u.studentShown() {
		t.Fatalf("student %s is not shown", stateID)
	}
	return u
}

func TestNewRecordStartsFromThePreviousOne(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "000777", "2021-03-15")
	u := openOn(t, st, storetest.Maria)
	press(t, u, keyNew)
	f := u.student.form
	if f.mis.Text != "000777" {
		t.Errorf("MIS2000 ID = %q, want the previous record's 000777", f.mis.Text)
	}
	if u.win.Canvas().Focused() != f.qad.Entry {
		t.Error("with the MIS2000 ID filled in, the cursor should start in the QAD")
	}
}

// A QAD the form refuses (before the birth date, in the future) fills in
// no EED: 12/31/2007 once appeared for a QAD before the student was born.
func TestRefusedQADFillsInNoEED(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	press(t, u, keyNew)
	f := u.student.form
	birth := f.edit.student.BirthDate
	for _, qad := range []data.Date{birth.AddDays(-1), today().AddDays(1)} {
		retype(f.qad.Entry, qad.US())
		if !f.qadErr.Visible() {
			t.Errorf("QAD %s is not refused", qad.US())
		}
		if f.eed.Entry.Text != "" {
			t.Errorf("QAD %s, refused (%q), fills in the EED %s", qad.US(), f.qadErr.Text, f.eed.Entry.Text)
		}
	}
	// The day of the birth is a QAD like any other.
	retype(f.qad.Entry, birth.US())
	if want := data.DefaultExpiration(birth, birth).US(); f.eed.Entry.Text != want || f.qadErr.Visible() {
		t.Errorf("QAD %s: EED %q, want %s; error %q", birth.US(), f.eed.Entry.Text, want, f.qadErr.Text)
	}
}

func TestOverlapIsRefusedNamingTheOtherRecord(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "000777", "2022-09-01") // window 09/01/2022 – 08/31/2025
	u := openOn(t, st, storetest.Maria)
	press(t, u, keyNew)
	f := u.student.form
	test.Type(f.qad.Entry, "01/15/2025")
	want := "This record cannot be saved: the eligibility window overlaps the student's record with MIS2000 ID 000777 (09/01/2022 – 08/31/2025)."
	if f.formErr.Text != want || !f.formErr.Visible() {
		t.Errorf("form error = %q, want %q", f.formErr.Text, want)
	}
	if !f.saveBtn.Disabled() {
		t.Error("Save is enabled for an overlapping record")
	}

	// A window after the other record's is fine.
	retype(f.qad.Entry, "09/01/2025")
	if f.formErr.Visible() || f.saveBtn.Disabled() {
		t.Errorf("a later window is refused: %q", f.formErr.Text)
	}

	// Another clerk saves an overlapping record while this form is open:
	// the store refuses the save, and the form names that record.
	saveRecord(t, st, storetest.Maria, "000888", "2025-10-01")
	press(t, u, keySave)
	if u.student.form == nil {
		t.Fatal("the form closed although the store refused the record")
	}
	want = "This record cannot be saved: the eligibility window overlaps the student's record with MIS2000 ID 000888 (10/01/2025 – 09/30/2028)."
	if f.formErr.Text != want {
		t.Errorf("form error = %q, want %q", f.formErr.Text, want)
	}
	if n := len(records(t, st, storetest.Maria)); n != 2 {
		t.Errorf("%d records stored, want the 2 saved by the other clerk", n)
	}
}

// TestFailedSaveWritesNothing: when the database refuses a save, as a
// full disk does, the clerk reads what happened, the form stays open with
// Save enabled, nothing is left behind (the record, its outbox entry and
// its audit row roll back together), and once the database takes writes
// again the same Save works.
func TestFailedSaveWritesNothing(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	before := storetest.CountRows(t, st)
	heal := storetest.FailWrites(t, st)
	press(t, u, keyNew)
	f := u.student.form
	test.Type(f.mis, "4512345")
	test.Type(f.qad.Entry, "09/01/2025")
	press(t, u, keySave)

	if u.student.form == nil {
		t.Fatal("the form closed although nothing was saved")
	}
	if !strings.HasPrefix(f.formErr.Text, "The record was not saved, nothing was changed: ") ||
		!strings.Contains(f.formErr.Text, storetest.DiskFull) {
		t.Errorf("the clerk reads %q", f.formErr.Text)
	}
	if f.saveBtn.Disabled() {
		t.Error("Save is disabled after a failed save; the clerk cannot try again")
	}
	if after := storetest.CountRows(t, st); after != before {
		t.Errorf("a failed save left rows behind: %+v, before %+v", after, before)
	}

	// Once the database takes writes again, Save works.
	heal()
	press(t, u, keySave)
	if u.student.form != nil {
		t.Fatalf("second try: %q", f.formErr.Text)
	}
	after := storetest.CountRows(t, st)
	if after.Records != before.Records+1 || after.Pending != before.Pending+1 || after.Audit != before.Audit+1 {
		t.Errorf("after the second try %+v, before %+v", after, before)
	}
}

func TestEditAfterPublishingNeedsPublishing(t *testing.T) {
	st := openDemo(t)
	r := saveRecord(t, st, storetest.Maria, "000777", "2025-09-01")
	if _, err := st.Publish(context.Background(), data.Operator("other"), []string{r.ID}, nil); err != nil {
		t.Fatal(err)
	}
	u := openOn(t, st, storetest.Maria)
	tap(t, u, "Edit")
	f := u.student.form
	if f.mis.Text != "000777" || f.qad.Entry.Text != "09/01/2025" || f.eed.Entry.Text != "08/31/2028" {
		t.Fatalf("edit form holds %q %q %q", f.mis.Text, f.qad.Entry.Text, f.eed.Entry.Text)
	}
	// The stored EED is the computed one, so it follows the QAD.
	retype(f.qad.Entry, "08/15/2025")
	if f.eed.Entry.Text != "08/14/2028" {
		t.Errorf("EED = %q after changing the QAD, want 08/14/2028", f.eed.Entry.Text)
	}
	tap(t, u, "Save (Ctrl+S)")

	got := records(t, st, storetest.Maria)[0]
	if got.Version != 2 || got.QAD.US() != "08/15/2025" || got.Status != data.StatusNeedsPublishing {
		t.Fatalf("after the edit: version %d, QAD %s, status %v", got.Version, got.QAD.US(), got.Status)
	}
	c := u.student.cards[0]
	if c.badge.Text != " Needs publishing " {
		t.Errorf("badge %q", c.badge.Text)
	}
	if !strings.Contains(c.detail.Text, "• Changed on ") || !strings.Contains(c.detail.Text, " by Lucía Ramos after it was published.") {
		t.Errorf("the card does not say why: %q", c.detail.Text)
	}
}

// Edit then Save with nothing changed says so: it once said "Saved the
// change to the record" while the store kept version 1.
func TestSavingAnUnchangedEditSaysNothingChanged(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "000777", "2025-09-01")
	u := openOn(t, st, storetest.Maria)
	tap(t, u, "Edit")
	tap(t, u, "Save (Ctrl+S)")
	if got := records(t, st, storetest.Maria)[0]; got.Version != 1 {
		t.Fatalf("saving an unchanged record made version %d", got.Version)
	}
	if msg := u.status.message.Text; !strings.HasPrefix(msg, "Nothing was changed in the record with MIS2000 ID 000777 of ") {
		t.Errorf("after saving an unchanged record the status bar says %q", msg)
	}
	tap(t, u, "Edit")
	retype(u.student.form.mis, "000778")
	tap(t, u, "Save (Ctrl+S)")
	if msg := u.status.message.Text; !strings.HasPrefix(msg, "Saved the change to the record with MIS2000 ID 000778 of ") {
		t.Errorf("after a change the status bar says %q", msg)
	}
}

func TestDeleteKeepsATombstone(t *testing.T) {
	st := openDemo(t)
	r := saveRecord(t, st, storetest.Maria, "000777", "2025-09-01")
	u := openOn(t, st, storetest.Maria)

	tap(t, u, "Delete…")
	tap(t, u, "Keep it")
	if n := len(records(t, st, storetest.Maria)); n != 1 {
		t.Fatalf("Keep it deleted the record (%d left)", n)
	}

	tap(t, u, "Delete…")
	tap(t, u, "Delete")
	if n := len(records(t, st, storetest.Maria)); n != 0 {
		t.Fatalf("%d records after deleting", n)
	}
	if len(u.student.cards) != 0 {
		t.Error("the deleted record is still shown")
	}
	audit, err := st.Audit(context.Background(), "migrant_record", r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) == 0 || audit[0].Action != "delete" || audit[0].User != storetest.Clerk || !strings.Contains(audit[0].Before, `"mis2000_id":"000777"`) {
		t.Errorf("audit log after delete: %+v", audit)
	}
	if !strings.Contains(u.status.message.Text, "Deleted the record with MIS2000 ID 000777") {
		t.Errorf("status: %q", u.status.message.Text)
	}
}

func TestFormKeyboard(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	press(t, u, keyNew)
	f := u.student.form
	c := u.win.Canvas()

	// Tab follows the form: MIS2000 ID, QAD, EED, then the buttons.
	if c.Focused() != f.mis {
		t.Fatalf("the form opens with %T focused, want the MIS2000 ID", c.Focused())
	}
	for _, want := range []fyne.Focusable{f.qad.Entry, f.eed.Entry} {
		test.FocusNext(c)
		if c.Focused() != want {
			t.Fatalf("Tab moved to %T, want the next field", c.Focused())
		}
	}
	test.FocusNext(c)
	if b, ok := c.Focused().(*widgets.Button); !ok || b.Text != "Cancel" {
		t.Errorf("Tab after the EED moved to %T, want Cancel", c.Focused())
	}

	// Enter in a field saves when the record is valid.
	test.Type(f.mis, "4512345")
	test.Type(f.qad.Entry, "09/01/2025")
	pressEnter(u, f.qad.Entry)
	if u.student.form != nil {
		t.Fatalf("Enter did not save: %q", f.formErr.Text)
	}

	// Esc closes the form without saving.
	press(t, u, keyNew)
	f = u.student.form
	f.mis.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if u.student.form != nil || u.dialogs.Open() {
		t.Error("Esc did not close the form")
	}
	if n := len(records(t, st, storetest.Maria)); n != 1 {
		t.Errorf("%d records, want the one saved with Enter", n)
	}

	// Esc with nothing focused closes the top dialog too.
	tap(t, u, "Delete…")
	c.Unfocus()
	c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if u.dialogs.Open() {
		t.Error("Esc did not close the delete confirmation")
	}
}

func TestCalendarPicksADate(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	press(t, u, keyNew)
	f := u.student.form
	test.Type(f.qad.Entry, "09/01/2025")
	f.qad.Entry.ActionItem.(*widgets.TapIcon).Tapped(nil)
	if !f.qad.CalendarShown() {
		t.Fatal("the calendar did not open")
	}
	// The calendar opens on September 2025; pick the 15th.
	day15 := findButton(u.win.Canvas(), "15")
	if day15 == nil {
		t.Fatal("no day 15 in the calendar")
	}
	test.Tap(day15)
	if f.qad.Entry.Text != "09/15/2025" || f.qad.CalendarShown() {
		t.Errorf("after picking: QAD %q, calendar visible %v", f.qad.Entry.Text, f.qad.CalendarShown())
	}
	if f.eed.Entry.Text != "09/14/2028" {
		t.Errorf("EED %q after picking the QAD", f.eed.Entry.Text)
	}
	// Esc closes the calendar, not the form.
	f.qad.Entry.ActionItem.(*widgets.TapIcon).Tapped(nil)
	u.dialogs.CloseTop()
	if f.qad.CalendarShown() || u.student.form == nil {
		t.Error("Esc should close the calendar and leave the form open")
	}
}

// TestDatesAreMonthFirstInAnyLocale: widget.DateEntry reads 03/04/2025 as
// the 3rd of April under LANG=C or en_GB; the form's date fields read
// MM/DD/YYYY (and YYYY-MM-DD) whatever the locale.
func TestDatesAreMonthFirstInAnyLocale(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	press(t, u, keyNew)
	f := u.student.form
	for _, in := range []string{"03/04/2025", "3/4/2025", "2025-03-04"} {
		retype(f.qad.Entry, in)
		d, err := f.qad.Date()
		if err != nil || d.String() != "2025-03-04" {
			t.Errorf("QAD %q read as %v (%v), want March 4, 2025", in, d, err)
		}
	}
}

// TestRecordFormLayout keeps the form's layout with errors showing: each
// error under its field, the EED help, nothing clipped. The master is
// testdata/record_form_errors.xml.
func TestRecordFormLayout(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	press(t, u, keyNew)
	f := u.student.form
	u.win.Canvas().Unfocus()
	f.mis.SetText("12AB")
	f.qad.Entry.SetText("09/01/2025")
	f.eed.Entry.SetText("09/30/2028")
	test.AssertObjectRendersToMarkup(t, "record_form_errors.xml", f.content)
}

// The control that puts the computed EED back is a button a clerk can
// tell from the field headings around it: drawn as a button, with an
// icon, and naming the date it puts back. As a low-importance button
// without an icon it read as one more bold heading with no field.
func TestRecordFormResetLooksLikeAButton(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	press(t, u, keyNew)
	f := u.student.form
	f.mis.SetText("4512345")
	f.qad.Entry.SetText("09/01/2025")
	f.eed.Entry.SetText("09/30/2028")
	if !f.reset.Visible() {
		t.Fatal("a later EED shows no way back to the computed date")
	}
	if f.reset.Importance == widget.LowImportance || f.reset.Icon == nil {
		t.Errorf("the reset control has importance %v and icon %v: it looks like a heading", f.reset.Importance, f.reset.Icon)
	}
	if want := "Use the computed date, 08/31/2028"; f.reset.Text != want {
		t.Errorf("the reset button says %q, want %q", f.reset.Text, want)
	}
	test.Tap(f.reset)
	if f.eed.Entry.Text != "08/31/2028" || f.reset.Visible() {
		t.Errorf("after the reset: EED %q, button visible %v", f.eed.Entry.Text, f.reset.Visible())
	}
}

// TestBadgeColourSaysWhetherToPublish: a saved record that was never
// published calls for the clerk to publish it as much as a changed one
// does, and its badge is the same orange; one with no district to publish
// to, which the clerk cannot publish, is not.
func TestBadgeColourSaysWhetherToPublish(t *testing.T) {
	adair := []data.District{{Number: "001", Name: "Adair County"}}
	for _, c := range []struct {
		st      data.Status
		targets []data.District
		want    color.Color
	}{
		{data.StatusNeedsPublishing, adair, badgeOrange},
		{data.StatusSaved, adair, badgeOrange},
		{data.StatusPublished, adair, badgeGreen},
		{data.StatusSaved, nil, theme.Color(theme.ColorNamePrimary)},
	} {
		obj, _ := statusBadge(c.st, c.targets)
		if got := obj.(*fyne.Container).Objects[0].(*canvas.Rectangle).FillColor; got != c.want {
			t.Errorf("%s with %d districts to publish to: badge %v, want %v", c.st, len(c.targets), got, c.want)
		}
	}
}

// Enter or Ctrl+S on a form that cannot be saved yet says why beside the
// field to fix and puts the cursor there: the clerk who typed the MIS2000
// ID and pressed Enter got nothing, not even the empty QAD named, since
// an untouched empty field shows no error.
func TestSaveOfAnIncompleteFormPointsAtTheField(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	press(t, u, keyNew)
	f := u.student.form
	c := u.win.Canvas()
	test.Type(f.mis, "4512345")
	pressEnter(u, f.mis)
	if u.student.form == nil {
		t.Fatal("the form closed with no QAD")
	}
	if !f.qadErr.Visible() || f.qadErr.Text == "" {
		t.Errorf("Enter with no QAD says nothing beside the QAD (%q)", f.qadErr.Text)
	}
	if c.Focused() != f.qad.Entry {
		t.Errorf("Enter with no QAD left the cursor on %T, not in the QAD", c.Focused())
	}

	// Ctrl+S too, and the first field to fix is the one that gets the cursor.
	retype(f.mis, "12AB")
	c.Focus(f.eed.Entry)
	press(t, u, keySave)
	if c.Focused() != f.mis || !f.misErr.Visible() {
		t.Errorf("Ctrl+S with a wrong MIS2000 ID: cursor on %T, error %q", c.Focused(), f.misErr.Text)
	}
	if n := len(records(t, st, storetest.Maria)); n != 0 {
		t.Errorf("%d records saved from a form with errors", n)
	}
}

// The form keeps its place while the clerk types: an error appearing
// under a field, the EED help once the QAD is a date, the way back to the
// computed EED, each grew the dialog, which Fyne centres again, so every
// field and both buttons jumped up or down under the cursor and the mouse
// at nearly every key of a date.
func TestRecordFormKeepsItsPlaceWhileTyping(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	u.win.Resize(fyne.NewSize(1260, 630))
	press(t, u, keyNew)
	f := u.student.form
	d := fyne.CurrentApp().Driver()
	where := func() [3]fyne.Position {
		return [3]fyne.Position{d.AbsolutePositionForObject(f.saveBtn), d.AbsolutePositionForObject(f.qad.Entry),
			d.AbsolutePositionForObject(f.eed.Entry)}
	}
	start := where()
	step := func(what string) {
		t.Helper()
		if now := where(); now != start {
			t.Fatalf("after %s the Save button, QAD and EED moved from %v to %v", what, start, now)
		}
	}
	for _, r := range "45123X" {
		test.Type(f.mis, string(r))
		step("typing " + f.mis.Text + " in the MIS2000 ID")
	}
	f.mis.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	step("correcting the MIS2000 ID")
	for _, r := range "09/01/2025" {
		test.Type(f.qad.Entry, string(r))
		step("typing " + f.qad.Entry.Text + " in the QAD")
	}
	retype(f.eed.Entry, "08/01/2025")
	step("an EED before the QAD")
	// Tab goes on in the order the fields are read: the reset button,
	// on the EED heading line, comes after the EED.
	c := u.win.Canvas()
	c.Focus(f.qad.Entry)
	for _, want := range []fyne.Focusable{f.eed.Entry, f.reset} {
		test.FocusNext(c)
		if c.Focused() != want {
			t.Fatalf("Tab moved to %T, want %T", c.Focused(), want)
		}
	}
	test.Tap(f.reset)
	step("going back to the computed EED")
}

// The keyboard is not lost when the form closes unsaved or a record is
// deleted: Esc on a new form left it nowhere, so Tab started again at
// the toolbar; a delete left it on the Delete button of the card just
// removed. Esc gives it back to what opened the form (Edit), or to New
// record; a delete puts it on New record.
func TestKeyboardComesBackAfterTheFormOrADelete(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "000777", "2021-03-15")
	u := openOn(t, st, storetest.Maria)
	c := u.win.Canvas()

	c.Unfocus()
	press(t, u, keyNew)
	u.student.form.mis.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	u.wait()
	if c.Focused() != u.student.newButton {
		t.Errorf("Esc on a new form left the keyboard on %T, not New record", c.Focused())
	}

	edit := u.student.cards[0].edit
	c.Focus(edit)
	edit.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	if u.student.form == nil {
		t.Fatal("Enter on Edit opened no form")
	}
	u.student.form.mis.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	u.wait()
	if c.Focused() != edit {
		t.Errorf("Esc on the form left the keyboard on %T, not the Edit that opened it", c.Focused())
	}

	del := u.student.cards[0].delete
	c.Focus(del)
	del.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	c.Focus(focusableButton(t, u, "Delete"))
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	if len(u.student.cards) != 0 {
		t.Fatalf("%d records shown after the delete", len(u.student.cards))
	}
	if c.Focused() != u.student.newButton {
		t.Errorf("after the delete the keyboard is on %T, not New record", c.Focused())
	}
}

// TestFormSaysWhatIsWrongWithAPaste: a paste far longer than an MIS2000
// ID is told so beside the field in the words of a form, not of an
// imported file's column and header; nothing is saved.
func TestFormSaysWhatIsWrongWithAPaste(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk})
	u.openStudent(storetest.Maria)
	u.wait()
	press(t, u, keyNew)
	f := u.student.form
	test.Type(f.mis, strings.Repeat("4512345 ", 50))
	test.Type(f.qad.Entry, "09/01/2025")
	press(t, u, keySave)
	if want := "The value is too long (399 bytes, at most 300)."; f.misErr.Text != want {
		t.Errorf("MIS2000 ID error = %q, want %q", f.misErr.Text, want)
	}
	if u.student.form == nil || len(records(t, st, storetest.Maria)) != 0 {
		t.Error("the form was saved")
	}
}
