package gui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"migrantdesk/data"
	"migrantdesk/data/store/storetest"
)

// TestReimportAsksToPublishAgain: a record published to Adair needs
// publishing again when a newer extract enrolls the student in Barren
// during the eligibility window; the Needs publishing list says why and
// publishes it to both.
func TestReimportAsksToPublishAgain(t *testing.T) {
	st := openDemo(t)
	ctx := context.Background()
	r := saveRecord(t, st, storetest.Maria, "000777", "2025-09-01")
	if _, err := st.Publish(ctx, data.Operator("other"), []string{r.ID}, nil); err != nil {
		t.Fatal(err)
	}
	u := start(t, st, Options{User: storetest.Clerk})
	if got := u.status.unpub.Text; got != "Need publishing: 0" {
		t.Fatalf("status bar before the re-import: %q", got)
	}

	ex := storetest.Extract()
	ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "E7", StateID: storetest.Maria, SchoolNumber: "002010",
		Grade: "06", ServiceType: "S", Start: storetest.Day(t, "2026-01-12")})
	if _, err := st.ImportExtract(ctx, ex, "tester"); err != nil {
		t.Fatal(err)
	}

	// The student's detail shows the record needs publishing, and why.
	u.openStudent(storetest.Maria)
	u.wait()
	c := u.student.cards[0]
	if c.badge.Text != " Needs publishing " {
		t.Errorf("badge %q", c.badge.Text)
	}
	if !strings.Contains(c.detail.Text, "• The student is now enrolled in district 002 Barren County, which has not received it.") {
		t.Errorf("the card does not say why: %q", c.detail.Text)
	}
	if got := u.student.enrollments.Len(); got != 2 {
		t.Errorf("%d enrollments shown, want 2", got)
	}

	// The Needs publishing list of the clerk's region has it.
	u.showNeeds()
	u.wait()
	if len(u.needs.recs) != 1 || u.needs.recs[0].ID != r.ID {
		t.Fatalf("needs publishing lists %d records", len(u.needs.recs))
	}
	if !strings.HasPrefix(u.needs.hint.Text, "1 record of the Central region needs publishing.") {
		t.Errorf("hint %q", u.needs.hint.Text)
	}
	tap(t, u, "Publish 1 record…")
	if !slices.Contains(texts(u.win.Canvas()), "Goes to 2 districts:\n    → 001 Adair County\n    → 002 Barren County") {
		t.Errorf("the confirmation does not list both districts: %q", texts(u.win.Canvas()))
	}
	tap(t, u, "Publish")

	got := records(t, st, storetest.Maria)[0]
	if got.Status != data.StatusPublished || len(got.Copies) != 2 {
		t.Errorf("after publishing: status %v, %d copies", got.Status, len(got.Copies))
	}
	if len(u.needs.recs) != 0 || u.needs.publish.Disabled() == false {
		t.Error("the list still offers records to publish")
	}
	if !strings.HasPrefix(u.needs.hint.Text, "Every migrant record of the Central region is published") {
		t.Errorf("empty list hint %q", u.needs.hint.Text)
	}
	if got := u.status.unpub.Text; got != "Need publishing: 0" {
		t.Errorf("status bar after publishing: %q", got)
	}
}

// TestNeedsPublishingPublishesMany publishes several students' records in
// one go from the list, with the progress shown.
func TestNeedsPublishingPublishesMany(t *testing.T) {
	st := openDemo(t)
	// In student name order, as the list shows them.
	var ids []string
	for _, id := range []string{storetest.Maria, storetest.HernandezA, storetest.Ana} {
		ids = append(ids, saveRecord(t, st, id, "1"+id[7:], "2025-09-01").ID)
	}
	western := saveRecord(t, st, storetest.HernandezB, "999", "2025-09-01").ID // region W only: not the clerk's
	u := start(t, st, Options{User: storetest.Clerk})
	if got := u.status.unpub.Text; got != "Need publishing: 3" {
		t.Errorf("status bar: %q", got)
	}
	u.showNeeds()
	u.wait()
	var names, listed []string
	for _, r := range u.needs.recs {
		names = append(names, r.Student.FullName())
		listed = append(listed, r.ID)
	}
	if !slices.Equal(names, []string{"García López, María José", "Hernandez, Maria", "Núñez, Ana"}) {
		t.Errorf("needs publishing lists %q", names)
	}
	if !slices.Equal(listed, ids) {
		t.Errorf("needs publishing lists records %q, want %q (not region W's %s)", listed, ids, western)
	}
	// A row opens its student.
	u.needs.list.Select(1)
	u.wait()
	if !u.studentShown() || u.student.detail.Student.StateID != storetest.HernandezA {
		t.Fatal("the second row did not open its student")
	}

	u.showNeeds()
	u.wait()
	tap(t, u, "Publish all 3 records…")
	tap(t, u, "Publish")
	for i, id := range []string{storetest.Maria, storetest.HernandezA, storetest.Ana} {
		if r := records(t, st, id)[0]; r.ID != ids[i] || r.Status != data.StatusPublished {
			t.Errorf("student %s: record %s %v, want %s published", id, r.ID, r.Status, ids[i])
		}
	}
	if r := records(t, st, storetest.HernandezB)[0]; r.ID != western || r.Status != data.StatusSaved {
		t.Errorf("region W's record %s is %v: publishing all took another region's record", r.ID, r.Status)
	}
	if got := u.status.message.Text; got != "Published 3 records: sent to 3 districts." {
		t.Errorf("status message %q", got)
	}
}

// A student opened from Needs publishing goes back there, with the list
// read again (the record just published has left it), not to a search
// the clerk never made; one opened from the search goes back to it.
func TestBackGoesToTheScreenTheStudentWasOpenedFrom(t *testing.T) {
	u := needsMaria(t)
	u.needs.list.Select(0)
	u.wait()
	if !u.studentShown() {
		t.Fatal("choosing the record did not open its student")
	}
	tap(t, u, "Publish 1 record… (Ctrl+P)")
	tap(t, u, "Publish")
	tap(t, u, "Back to Needs publishing")
	if u.current != u.needs.obj {
		t.Fatal("Back from a student opened from Needs publishing did not go back to it")
	}
	if len(u.needs.recs) != 0 {
		t.Errorf("the list back from publishing still has %d records", len(u.needs.recs))
	}

	u.openStudent(storetest.Maria)
	u.wait()
	tap(t, u, "Back to search")
	if u.current != u.search.obj {
		t.Error("Back from a student opened by its ID did not go back to the search")
	}
}

// needsMaria is a clerk's app on Needs publishing, which lists Maria's
// new record alone.
func needsMaria(t *testing.T) *UI { return needsOf(t, storetest.Maria) }

// needsOf is a clerk's app on Needs publishing, which lists a new record
// of each student named.
func needsOf(t *testing.T, stateIDs ...string) *UI {
	t.Helper()
	st := openDemo(t)
	for i, id := range stateIDs {
		saveRecord(t, st, id, fmt.Sprint(4512345+i), "2025-09-01")
	}
	u := start(t, st, Options{User: storetest.Clerk})
	u.showNeeds()
	u.wait()
	if len(u.needs.recs) != len(stateIDs) {
		t.Fatalf("%d records need publishing, want %d", len(u.needs.recs), len(stateIDs))
	}
	return u
}

// Back on Needs publishing after publishing the last record of the list,
// opened with Down and Enter, Enter opens the record now last: the
// keyboard stayed past the list's new end, where Enter and the arrows
// did nothing.
func TestBackOnNeedsPublishingEnterOpensARecordLeft(t *testing.T) {
	u := needsOf(t, storetest.Maria, storetest.HernandezA)
	left := u.needs.recs[0].StateID
	key(u, fyne.KeyDown)
	key(u, fyne.KeyReturn)
	if !u.studentShown() || u.student.detail.Student.StateID != u.needs.recs[1].StateID {
		t.Fatal("Down and Enter on Needs publishing did not open the second record's student")
	}
	tap(t, u, "Publish 1 record… (Ctrl+P)")
	tap(t, u, "Publish")
	tap(t, u, "Back to Needs publishing")
	if len(u.needs.recs) != 1 {
		t.Fatalf("back from publishing, %d records need publishing, want 1", len(u.needs.recs))
	}
	key(u, fyne.KeyReturn)
	if !u.studentShown() || u.student.detail.Student.StateID != left {
		t.Error("Enter on Needs publishing, back from publishing, opened no student")
	}
}

// Publishing from Needs publishing leaves the keyboard on the screen:
// the button that was pressed is disabled once nothing is left, and the
// keyboard went nowhere, so Tab started again at the top of the window.
// With nothing left to open in the list, it goes to Refresh.
func TestNeedsPublishingKeepsTheKeyboardAfterPublishing(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "000777", "2025-09-01")
	u := start(t, st, Options{User: storetest.Clerk})
	c := u.win.Canvas()
	u.showNeeds()
	u.wait()
	c.Focus(u.needs.publish)
	u.needs.publish.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	if !u.dialogs.Open() {
		t.Fatal("Enter on Publish 1 record… asked nothing")
	}
	tap(t, u, "Publish")
	u.wait()
	if len(u.needs.recs) != 0 {
		t.Fatalf("%d records still listed", len(u.needs.recs))
	}
	if c.Focused() != u.needs.refresh {
		t.Errorf("after publishing the keyboard is on %T, not Refresh", c.Focused())
	}
}

// The publish confirmation's buttons take the keyboard: Tab to Cancel,
// and Enter or Esc cancels; Tab to Publish, and Enter publishes. Fyne's
// confirmation buttons took both keys and did nothing with them, so a
// clerk who had tabbed to one could leave the dialog only with Space or
// the mouse.
func TestPublishConfirmationButtonsTakeEnterAndEsc(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "000777", "2025-09-01")
	u := openOn(t, st, storetest.Maria)
	c := u.win.Canvas()
	for _, k := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEscape} {
		press(t, u, keyPublish)
		if !u.dialogs.Open() {
			t.Fatal("Ctrl+P asked nothing")
		}
		c.Focus(focusableButton(t, u, "Cancel"))
		c.Focused().TypedKey(&fyne.KeyEvent{Name: k})
		u.wait()
		if u.dialogs.Open() {
			t.Fatalf("%s on Cancel left the confirmation open", k)
		}
	}
	if got := records(t, st, storetest.Maria)[0]; got.Status == data.StatusPublished {
		t.Fatal("Cancel published the record")
	}
	press(t, u, keyPublish)
	c.Focus(focusableButton(t, u, "Publish"))
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	if got := records(t, st, storetest.Maria)[0]; got.Status != data.StatusPublished {
		t.Errorf("Enter on Publish left the record %v", got.Status)
	}
}

// focusableButton is the button with that text in the dialog on top, as
// the keyboard reaches it.
func focusableButton(t *testing.T, u *UI, text string) fyne.Focusable {
	t.Helper()
	for _, o := range walk(u.win.Canvas().Overlays().Top()) {
		if b := buttonOf(o); b != nil && b.Text == text {
			return o.(fyne.Focusable)
		}
	}
	t.Fatalf("no button %q in the dialog on top", text)
	return nil
}

// The publish confirmation's list of records shows the focus ring on
// the record the keyboard is on, as every other control does: Fyne's
// list tinted it as faintly as a record under the mouse. Enter there
// publishes and Esc cancels, as they do on the dialog: Fyne's list took
// both keys and did nothing with them.
func TestPublishConfirmationListShowsTheFocus(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "000777", "2025-09-01")
	u := openOn(t, st, storetest.Maria)
	c := u.win.Canvas()
	press(t, u, keyPublish)
	list := findList(c)
	if list == nil {
		t.Fatal("the confirmation shows no list of the app's, which draws the focus ring")
	}
	before := c.Capture()
	c.Focus(list)
	changed := strongChanges(before, c.Capture())
	if want := int(2 * list.Size().Width); changed < want {
		t.Errorf("%d pixels change 3:1 or more as the list takes the focus, under the %d of a ring round its record", changed, want)
	}
	list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	u.wait()
	if u.dialogs.Open() {
		t.Fatal("Esc on the list left the confirmation open")
	}
	if got := records(t, st, storetest.Maria)[0]; got.Status == data.StatusPublished {
		t.Fatal("Esc on the list published the record")
	}
	press(t, u, keyPublish)
	list = findList(c)
	c.Focus(list)
	list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	if got := records(t, st, storetest.Maria)[0]; got.Status != data.StatusPublished {
		t.Errorf("Enter on the list left the record %v", got.Status)
	}
}
