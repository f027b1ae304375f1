package gui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// The keyboard path, end to end: each test drives a screen with key
// events only, as a person who does not take the mouse.

// key sends a key to whatever has the keyboard in u's window: the focused
// control, else the window (as the driver does).
func key(u *UI, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	c := u.win.Canvas()
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else {
		c.OnTypedKey()(ev)
	}
	u.wait()
}

// tab moves the keyboard to the next control, as Tab does.
func tab(u *UI) { u.win.Canvas().FocusNext() }

func TestKeyboardStartUpProfile(t *testing.T) {
	st := openDemo(t)
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefLastUser, storetest.Admin)
	u := newUI(t, a, st, Options{})
	u.ShowMain()
	u.wait()
	pick, ok := u.win.Canvas().Focused().(*widgets.Select)
	if !ok {
		t.Fatalf("the profile question starts with the keyboard on %T, not the list", u.win.Canvas().Focused())
	}
	// The question says how, in text as readable as the rest.
	var hint *widget.Label
	for _, o := range walk(u.win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "Left or Right") {
			hint = l
		}
	}
	if hint == nil || hint.Text != "Press Left or Right to choose a profile, then Enter to work as that profile." ||
		hint.Importance != widget.MediumImportance {
		t.Errorf("the keyboard hint is %+v", hint)
	}
	// Right chooses the next profile; Tab goes to the button; Enter works
	// as that profile.
	want := pick.SelectedIndex() + 1
	key(u, fyne.KeyRight)
	tab(u)
	if b, ok := u.win.Canvas().Focused().(*widgets.Button); !ok || b.Text != "Work as this profile" {
		t.Fatalf("Tab went to %T", u.win.Canvas().Focused())
	}
	key(u, fyne.KeyReturn)
	if u.user.Username != u.users[want].Username {
		t.Fatalf("working as %q, want %q", u.user.Username, u.users[want].Username)
	}

	// Switching: Enter in the list itself answers, Esc cancels.
	u.switchProfile()
	key(u, fyne.KeyEscape)
	if u.dialogs.Open() {
		t.Fatal("Esc left the profile switch open")
	}
	u.switchProfile()
	key(u, fyne.KeyLeft)
	key(u, fyne.KeyReturn)
	if u.dialogs.Open() || u.user.Username != u.users[want-1].Username {
		t.Fatalf("Enter in the list: working as %q, dialog open %v", u.user.Username, u.dialogs.Open())
	}
}

func TestKeyboardSignInTakesEnter(t *testing.T) {
	u := start(t, storetest.Open(t), Options{})
	if u.signIn == nil {
		t.Fatal("no sign-in at start")
	}
	if u.win.Canvas().Focused() != u.signIn.hub {
		t.Fatal("the sign-in does not start in its first empty field")
	}
	// Tab through the fields to Work on this computer only, and Enter.
	for i := 0; i < 10; i++ {
		if b, ok := u.win.Canvas().Focused().(*widgets.Button); ok && b == u.signIn.local {
			break
		}
		tab(u)
	}
	key(u, fyne.KeyReturn)
	if u.signIn != nil || u.search == nil {
		t.Fatal("Enter on Work on this computer only did not start the work")
	}
}

func TestKeyboardSearchResults(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	s := u.search
	if u.win.Canvas().Focused() != s.last {
		t.Fatal("the search does not start in Last name")
	}
	// Down with no results stays in the field.
	key(u, fyne.KeyDown)
	if u.win.Canvas().Focused() != s.last {
		t.Fatal("Down left the field with no results to go to")
	}
	test.Type(s.last, "hernandez")
	key(u, fyne.KeyReturn)
	if len(s.results) < 2 {
		t.Fatalf("%d results for hernandez", len(s.results))
	}
	// Down from the field goes to the first row, highlighted.
	key(u, fyne.KeyDown)
	if u.win.Canvas().Focused() != s.table || s.table.Row() != 0 || !s.table.Focused() {
		t.Fatalf("Down from the field: keyboard on %T, row %d", u.win.Canvas().Focused(), s.table.Row())
	}
	last := len(s.results) - 1
	for range last + 1 { // one past the last row: stays on it
		key(u, fyne.KeyDown)
	}
	key(u, fyne.KeyUp)
	if s.table.Row() != last-1 {
		t.Fatalf("row %d after moving to the end and up one, want %d", s.table.Row(), last-1)
	}
	row := s.table.Row()
	key(u, fyne.KeyReturn)
	if !u.studentShown() || u.student.detail.Student.StateID != s.results[row].Student.StateID {
		t.Fatal("Enter did not open the highlighted student")
	}

	// Tab reaches the results too: from the field, through the other
	// controls, to the table.
	press(t, u, keySearch)
	for i := 0; i < 12 && u.win.Canvas().Focused() != s.table; i++ {
		tab(u)
	}
	if u.win.Canvas().Focused() != s.table {
		t.Fatal("Tab never reached the results")
	}
	key(u, fyne.KeyEnd)
	if s.table.Row() != len(s.results)-1 {
		t.Errorf("End: row %d of %d", s.table.Row(), len(s.results))
	}
}

func TestKeyboardNewRecordWithoutStudentSaysWhy(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	press(t, u, keyNew)
	if u.student.form != nil || !u.status.message.Visible() ||
		!strings.Contains(u.status.message.Text, "Ctrl+N) is for the student on screen") {
		t.Fatalf("Ctrl+N on the search: form %v, message %q", u.student.form != nil, u.status.message.Text)
	}
}

func TestKeyboardEscOnFormAsksBeforeDiscarding(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk, Open: storetest.Maria})
	u.wait()
	// Unchanged: Esc closes at once.
	press(t, u, keyNew)
	if u.student.form == nil {
		t.Fatal("Ctrl+N opened no form")
	}
	key(u, fyne.KeyEscape)
	if u.student.form != nil || u.dialogs.Open() {
		t.Fatal("Esc on an unchanged form did not close it")
	}

	// Changed: Esc asks, from the field and from a button; Esc on the
	// question keeps editing, Discard closes.
	press(t, u, keyNew)
	f := u.student.form
	test.Type(f.mis, "123")
	key(u, fyne.KeyEscape)
	if u.student.form == nil || !strings.Contains(strings.Join(texts(u.win.Canvas()), " "), "Discard your changes?") {
		t.Fatal("Esc in a changed field did not ask before discarding")
	}
	key(u, fyne.KeyEscape)
	if u.student.form == nil || f.mis.Text != "123" {
		t.Fatal("Esc on the question discarded the changes")
	}
	// Enter out of habit keeps the typing too: it answers Keep editing.
	key(u, fyne.KeyEscape)
	u.win.Canvas().Unfocus()
	key(u, fyne.KeyReturn)
	if u.student.form == nil || f.mis.Text != "123" || strings.Contains(strings.Join(texts(u.win.Canvas()), " "), "Discard your changes?") {
		t.Fatalf("Enter on the question: form open %v, typing %q, question still open %v", u.student.form != nil, f.mis.Text,
			strings.Contains(strings.Join(texts(u.win.Canvas()), " "), "Discard your changes?"))
	}
	u.win.Canvas().Focus(f.reset)
	u.win.Canvas().Focus(f.saveBtn)
	key(u, fyne.KeyEscape)
	if !strings.Contains(strings.Join(texts(u.win.Canvas()), " "), "Discard your changes?") {
		t.Fatal("Esc on a button of a changed form did not ask")
	}
	tap(t, u, "Discard")
	if u.student.form != nil || u.dialogs.Open() {
		t.Fatal("Discard did not close the form")
	}
	if recs := records(t, u.st, storetest.Maria); len(recs) != 0 {
		t.Fatalf("discarding saved %d records", len(recs))
	}
}

func TestKeyboardPublishEnterAndEsc(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk, Open: storetest.Maria})
	saveRecord(t, st, storetest.Maria, "4512345", "2025-09-01")
	u.student.reload()
	u.wait()
	press(t, u, keyNew) // a dialog over the student: Publish waits
	key(u, fyne.KeyEscape)
	u.publishStudent()
	u.wait()
	if !u.dialogs.Open() {
		t.Fatal("no publish confirmation")
	}
	key(u, fyne.KeyEscape)
	if u.dialogs.Open() {
		t.Fatal("Esc did not cancel the publish confirmation")
	}
	if r := records(t, st, storetest.Maria)[0]; len(r.Copies) != 0 {
		t.Fatal("Esc published")
	}
	u.publishStudent()
	u.wait()
	key(u, fyne.KeyReturn)
	u.wait()
	if r := records(t, st, storetest.Maria)[0]; len(r.Copies) == 0 {
		t.Fatal("Enter did not publish")
	}
}

// Ctrl+P publishes the student on screen, as the Publish button does:
// Publish had no key of its own while New (Ctrl+N) and Save (Ctrl+S)
// did. With no student on screen it says why nothing happened.
func TestKeyboardCtrlPPublishes(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "4512345", "2025-09-01")
	u := start(t, st, Options{User: storetest.Clerk})
	press(t, u, keyPublish)
	if u.dialogs.Open() {
		t.Fatal("Ctrl+P with no student on screen asked to publish")
	}
	if msg := u.status.message.Text; !strings.Contains(msg, "Ctrl+P") || !strings.Contains(msg, "open the student") {
		t.Errorf("Ctrl+P with no student on screen says %q", msg)
	}
	u.openStudent(storetest.Maria)
	u.wait()
	press(t, u, keyPublish)
	if !strings.Contains(strings.Join(texts(u.win.Canvas()), " "), "Publish 1 State Migrant Record") {
		t.Fatal("Ctrl+P on a student with a record to publish asked nothing")
	}
	key(u, fyne.KeyReturn)
	u.wait()
	if r := records(t, st, storetest.Maria)[0]; r.Status != data.StatusPublished {
		t.Errorf("Ctrl+P, then Enter, left the record %v", r.Status)
	}
}

// In Preferences the keyboard is on the theme choice after a click or a
// Tab; Esc there must still close the dialog, which a radio button, taking
// Esc and doing nothing with it, did not.
func TestKeyboardEscClosesPreferencesFromTheThemeChoice(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	u.wait()
	u.showPreferences()
	u.win.Canvas().FocusNext()
	if u.win.Canvas().Focused() == nil {
		t.Fatal("Tab reaches no control of Preferences")
	}
	key(u, fyne.KeyEscape)
	if u.dialogs.Open() {
		t.Error("Esc with the keyboard on the theme choice left Preferences open")
	}
}

// TestShortcutHelpNamesTheDistrictWindowKeys: the keys a district window
// binds (F5, Ctrl+W, Ctrl+R, Ctrl+F) are in Help → Keyboard shortcuts,
// with what they do there.
func TestShortcutHelpNamesTheDistrictWindowKeys(t *testing.T) {
	help := map[string]string{}
	for _, r := range shortcutRows {
		help[r[0]] = r[1]
	}
	for key, says := range map[string]string{
		"F5":     "district window",
		"Ctrl+W": "district window",
		"Ctrl+R": "district window",
		"Ctrl+F": "district window",
	} {
		if !strings.Contains(help[key], says) {
			t.Errorf("the help says of %s %q, nothing of the %s", key, help[key], says)
		}
	}
}

// tabStops are the controls Tab visits in u's window from nothing
// focused, once round, each named by its text (a button, an entry's
// placeholder) or its type.
func tabStops(u *UI) []string {
	c := u.win.Canvas()
	c.Unfocus()
	var names []string
	var first fyne.Focusable
	for range 200 {
		test.FocusNext(c)
		f := c.Focused()
		if f == nil || f == first {
			break
		}
		if first == nil {
			first = f
		}
		name := fmt.Sprintf("%T", f)
		switch w := f.(type) {
		case *widget.Button:
			name = w.Text
		case *widgets.Button:
			name = w.Text
		case *widgets.Entry:
			name = w.PlaceHolder
		}
		names = append(names, name)
	}
	return names
}

// before fails unless Tab reaches each of want in that order.
func before(t *testing.T, screen string, stops []string, want ...string) {
	t.Helper()
	at := -1
	for k, w := range want {
		i := slices.Index(stops, w)
		if i < 0 {
			t.Fatalf("%s: Tab never reaches %q: %q", screen, w, stops)
		}
		if i < at {
			t.Errorf("%s: Tab reaches %q before %q, against the reading order: %q", screen, w, want[k-1], stops)
		}
		at = i
	}
}

// Tab goes through a screen as it reads, top to bottom: the toolbar, the
// screen's own buttons and fields, then its list. A Fyne border layout
// lists its centre first, so Tab went to a student's record cards before
// Back to search, New record and Publish above them, and to the search
// results before the toolbar.
func TestTabFollowsTheReadingOrder(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "4512345", "2025-09-01")
	u := openOn(t, st, storetest.Maria)
	before(t, "the student", tabStops(u), "Search (Ctrl+F)", "Back to search", "New record (Ctrl+N)", "Publish 1 record… (Ctrl+P)", "Edit", "Delete…")

	press(t, u, keySearch)
	retype(u.search.last, "hernandez")
	pressEnter(u, u.search.last)
	before(t, "the search", tabStops(u), "Search (Ctrl+F)", "e.g. García López", "Clear", "*widgets.RowTable")

	u.showNeeds()
	u.wait()
	before(t, "Needs publishing", tabStops(u), "Needs publishing", "Publish 1 record…", "Refresh", "*widgets.List")
}

// Every menu item is reached from the keyboard, and the Help says how:
// one with a shortcut by that shortcut, every other through the menu
// bar, which Alt opens (Fyne's menu bar on Linux and Windows). Needs
// publishing, MIS2000 reconciliation, Conflicts, Preferences and Quit
// have no shortcut of their own, and the Help named no way to them.
func TestShortcutHelpNamesAKeyForEveryMenuItem(t *testing.T) {
	help := map[string]string{}
	for _, r := range shortcutRows {
		help[r[0]] = r[1]
	}
	if says := help["Alt"]; !strings.Contains(says, "menu") || !strings.Contains(says, "Enter") {
		t.Errorf("the help says of Alt %q, not how to open the menu bar and run an item", says)
	}
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	for _, m := range u.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Shortcut == nil {
				continue
			}
			sc := it.Shortcut.(*desktop.CustomShortcut)
			name := "Ctrl+" + string(sc.KeyName)
			listed := false
			for k := range help {
				listed = listed || k == name || strings.HasPrefix(k, name+" ")
			}
			if !listed {
				t.Errorf("%s → %s has the shortcut %s, which the help does not list", m.Label, it.Label, name)
			}
		}
	}
}

// A list the arrows reached opens its item on Enter, as the search results
// do: widget.List took Enter and did nothing with it, so the clerk on
// Needs publishing had to know that Space opens a record's student, and
// in the district picker that Space opens a district.
func TestEnterOpensTheListItemTheArrowsReached(t *testing.T) {
	u := needsMaria(t)
	u.win.Canvas().Focus(u.needs.list)
	key(u, fyne.KeyReturn)
	if !u.studentShown() || u.student.detail.Student.StateID != storetest.Maria {
		t.Error("Enter on the record in Needs publishing did not open its student")
	}

	d := start(t, districtFixture(t), Options{User: rosa})
	d.openDistrictPicker()
	d.wait()
	pickerEntry(t, d)
	test.FocusNext(d.win.Canvas()) // from the filter to the list
	downEnterOpens002(t, d, "Tab from the picker's filter")
}

// downEnterOpens002 checks that the picker's list has the keyboard, how
// says how it got there, and that Down and Enter there open 002.
func downEnterOpens002(t *testing.T, u *UI, how string) {
	t.Helper()
	if _, ok := u.win.Canvas().Focused().(*widgets.List); !ok {
		t.Fatalf("%s went to %T, not its list", how, u.win.Canvas().Focused())
	}
	key(u, fyne.KeyDown)
	key(u, fyne.KeyReturn)
	if got := windowTitles(u.app); !slices.Contains(got, "Migrant Desk — 002 Barren County") {
		t.Errorf("%s, then Down and Enter, opened %q, not 002", how, got)
	}
}

// Down from the district picker's filter reaches its list, as Down from
// a search field reaches the results: with a hundred districts matching
// "county", Down did nothing and the person had to know of Tab.
func TestDownFromThePickersFilterReachesItsList(t *testing.T) {
	u := start(t, districtFixture(t), Options{User: rosa})
	u.openDistrictPicker()
	u.wait()
	pickerEntry(t, u)
	key(u, fyne.KeyDown)
	downEnterOpens002(t, u, "Down from the picker's filter")
}

// Esc closes the district picker from its list as from its filter: the
// list took Esc and did nothing with it, and the picker stayed open.
func TestEscClosesTheDistrictPickerFromItsList(t *testing.T) {
	u := start(t, districtFixture(t), Options{User: rosa})
	u.openDistrictPicker()
	u.wait()
	pickerEntry(t, u)
	test.FocusNext(u.win.Canvas())
	key(u, fyne.KeyEscape)
	if u.dialogs.Open() {
		t.Error("Esc with the keyboard on the picker's list left the picker open")
	}
}

// A screen opened from the toolbar or the menu puts the keyboard on what
// the clerk does there first, as Advanced Search puts it in Last name:
// the Needs publishing list (Down and Enter open a record), the MIS2000
// reconciliation's Choose the export, the list of conflicts. They left
// it on the screen before, out of sight: Enter on Needs publishing
// searched again with the Last name field hidden behind it, and Enter on
// a student opened from the results opened the highlighted result again.
func TestScreensOpenWithTheKeyboardOnTheirFirstControl(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	c := u.win.Canvas()
	retype(u.search.last, "hernandez")
	pressEnter(u, u.search.last)
	key(u, fyne.KeyDown)
	key(u, fyne.KeyReturn)
	if !u.studentShown() {
		t.Fatal("Down and Enter on the results opened no student")
	}
	if c.Focused() == u.search.table {
		t.Error("the student is shown with the keyboard still on the search results behind it")
	}

	u.showNeeds()
	u.wait()
	if c.Focused() != u.needs.list {
		t.Errorf("Needs publishing opens with the keyboard on %T, not its list", c.Focused())
	}
	u.showReconcile()
	if c.Focused() != u.reconcile.pickBtn {
		t.Errorf("MIS2000 reconciliation opens with the keyboard on %T, not Choose the MIS2000 export", c.Focused())
	}
	// Back on it while a comparison runs: on its Cancel, the one control
	// enabled.
	u.showNeeds()
	u.reconcile.begin(func() {}, "Comparing…")
	u.showReconcile()
	if c.Focused() != u.reconcile.cancelBtn {
		t.Errorf("MIS2000 reconciliation, a comparison running, opens with the keyboard on %T, not Cancel", c.Focused())
	}
	u.reconcile.end()

	h := startHub(t)
	s, _ := signedInApp(t, h, storetest.Clerk)
	s.showConflicts()
	s.wait()
	if s.win.Canvas().Focused() != s.conflicts.list {
		t.Errorf("Conflicts opens with the keyboard on %T, not its list", s.win.Canvas().Focused())
	}
}

// A student whose detail arrives while a dialog is open still takes the
// keyboard off the results once the dialog closes: the keyboard went
// back to the results, out of sight, and Enter opened the highlighted
// student again.
func TestStudentShownUnderADialogTakesTheKeyboardOffTheResults(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	s := u.search
	test.Type(s.last, "hernandez")
	key(u, fyne.KeyReturn)
	key(u, fyne.KeyDown)
	s.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.showShortcuts() // before the student is read
	u.wait()
	if !u.studentShown() || !u.dialogs.Open() {
		t.Fatal("the student is not shown under the shortcuts")
	}
	key(u, fyne.KeyEscape)
	if u.dialogs.Open() {
		t.Fatal("Esc left the shortcuts open")
	}
	if got := u.win.Canvas().Focused(); got == s.table {
		t.Error("with the dialog closed, the keyboard is back on the search results behind the student")
	}
}

// Once a record is saved the keyboard is on the clerk's next step, and
// Enter takes it: Publish, its confirmation, Enter again. The form closed
// with the keyboard nowhere, the buttons of the student screen took Space
// only, and publishing took Alt and four keys through the menu bar.
func TestAfterSaveEnterPublishes(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	c := u.win.Canvas()
	f := typeNewRecord(t, u)
	press(t, u, keySave)
	if u.student.form != nil {
		t.Fatalf("the record was not saved: %q", f.formErr.Text)
	}
	if c.Focused() != u.student.publishBtn {
		t.Fatalf("after Save the keyboard is on %T, not Publish", c.Focused())
	}
	key(u, fyne.KeyReturn)
	if !u.dialogs.Open() {
		t.Fatal("Enter on Publish asked nothing")
	}
	key(u, fyne.KeyReturn)
	if r := records(t, st, storetest.Maria)[0]; len(r.Copies) == 0 {
		t.Fatal("Enter on the confirmation did not publish")
	}
	// Nothing left to publish: the keyboard goes to New record, which
	// Enter presses too.
	if c.Focused() != u.student.newButton {
		t.Fatalf("after publishing the keyboard is on %T, not New record", c.Focused())
	}
	key(u, fyne.KeyReturn)
	if u.student.form == nil {
		t.Error("Enter on New record opened no form")
	}
}

// Enter on a button the keyboard has reached presses it, as Space does
// and as on any desktop: on a coordinator's district buttons, a
// worklist line and the report's Save buttons it did nothing.
func TestEnterPressesTheCoordinatorsButtons(t *testing.T) {
	st := districtFixture(t)
	u := start(t, st, Options{User: rosa})
	u.wait()
	enter := func(c fyne.Canvas, f fyne.Focusable) {
		t.Helper()
		c.Focus(f)
		if c.Focused() != f {
			t.Fatalf("%T takes no keyboard focus", f)
		}
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		u.wait()
	}
	if len(u.home.buttons.Objects) != 2 {
		t.Fatalf("%d district buttons", len(u.home.buttons.Objects))
	}
	enter(u.win.Canvas(), u.home.buttons.Objects[0].(fyne.Focusable))
	w := u.districts["001"]
	if w == nil {
		t.Fatalf("Enter on the first district button opened %q", windowTitles(u.app))
	}
	t.Cleanup(w.win.Close)

	c := w.win.Canvas()
	enter(c, w.worklist.buttons[data.WorkPublished])
	if w.tabs.Selected() != w.recordsTab {
		t.Errorf("Enter on a worklist line left the %q tab shown", w.tabs.Selected().Text)
	}

	if err := st.SetReportAccess(context.Background(), storetest.User(storetest.Admin), rosa, "001", true); err != nil {
		t.Fatal(err)
	}
	var asks []widgets.SaveRequest
	w.report.saver = tempSaver{asks: &asks}
	w.tabs.SelectIndex(2)
	u.wait()
	enter(c, w.report.aggBtn)
	if len(asks) != 1 || asks[0].Ext != ".pdf" {
		t.Errorf("Enter on Save Aggregated report asked where to save %d times (%+v)", len(asks), asks)
	}
}

// Enter presses whichever button has the keyboard, on every screen a
// clerk or an administrator works in, as it does New record and Publish:
// Tab to a record's Edit, or to Publish all on Needs publishing, and
// Enter did nothing, which read as a button that does not work.
func TestEnterPressesTheButtonWithTheKeyboard(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "000777", "2021-03-15")
	u := start(t, st, Options{User: storetest.Admin, Open: storetest.Maria})
	for _, screen := range []struct {
		name string
		show func()
		own  string // a button of the screen itself, not of the toolbar
	}{
		{"the student", func() {}, "Edit"},
		{"Advanced Search", u.showSearch, "Clear"},
		{"Needs publishing", u.showNeeds, "Refresh"},
		{"MIS2000 reconciliation", u.showReconcile, "Choose the MIS2000 export…"},
		{"Import", u.showImport, "Choose folder…"},
	} {
		screen.show()
		u.wait()
		pressable := pressEnterOnEach(t, screen.name, u.win.Canvas().Content())
		if !slices.Contains(pressable, screen.own) {
			t.Errorf("%s: %q is not among the buttons tried, %q", screen.name, screen.own, pressable)
		}
	}
}

// pressEnterOnEach presses Enter on every enabled button shown in o
// that takes the keyboard, checking that each is pressed (its OnTapped
// put back after), and returns their texts. where names the screen.
func pressEnterOnEach(t *testing.T, where string, o fyne.CanvasObject) []string {
	t.Helper()
	var pressable []string
	for _, o := range shown(o) {
		f, ok := o.(fyne.Focusable)
		b := buttonOf(o)
		if !ok || b == nil || b.Disabled() {
			continue
		}
		pressable = append(pressable, b.Text)
		tapped := b.OnTapped
		pressed := false
		b.OnTapped = func() { pressed = true }
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		b.OnTapped = tapped
		if !pressed {
			t.Errorf("%s: Enter on %q does nothing", where, b.Text)
		}
	}
	return pressable
}

// shown lists o and everything drawn inside it that is on screen: what a
// hidden object holds is not.
func shown(o fyne.CanvasObject) []fyne.CanvasObject {
	if !o.Visible() {
		return nil
	}
	out := []fyne.CanvasObject{o}
	for _, child := range children(o) {
		out = append(out, shown(child)...)
	}
	return out
}

// buttonOf is the button o is, plain or of package widgets; nil for any
// other object.
func buttonOf(o fyne.CanvasObject) *widget.Button {
	switch b := o.(type) {
	case *widget.Button:
		return b
	case *widgets.Button:
		return &b.Button
	}
	return nil
}

// Help → How to… shows a tab for every role: at its width the fourth,
// State administrator, went behind a "…" menu that named nothing.
func TestHowToShowsEveryRolesTab(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	u.win.Resize(fyne.NewSize(1260, 630))
	u.showHowTo()
	var shownTabs []string
	for _, o := range shown(u.win.Canvas().Overlays().Top()) {
		if txt, ok := o.(*canvas.Text); ok {
			shownTabs = append(shownTabs, txt.Text)
		}
	}
	for _, h := range howTo {
		if name := data.RoleName(h.role); !slices.Contains(shownTabs, name) {
			t.Errorf("How to… shows no tab %q; it shows %q", name, shownTabs)
		}
	}
}

// New record stays where it is whichever screen the student was opened
// from: the Back button names that screen, and "Back to Needs
// publishing", longer than "Back to search", pushed New record and
// Publish a hundred units to the right under the clerk's mouse.
func TestNewRecordStaysWhereItIsWhereverTheStudentCameFrom(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "000777", "2025-09-01")
	u := openOn(t, st, storetest.Maria)
	d := fyne.CurrentApp().Driver()
	fromSearch := d.AbsolutePositionForObject(u.student.newButton)
	u.showNeeds()
	u.wait()
	u.needs.list.Select(0)
	u.wait()
	if !u.studentShown() || !strings.HasPrefix(u.student.backBtn.Text, "Back to Needs") {
		t.Fatalf("the student is not shown from Needs publishing (back: %q)", u.student.backBtn.Text)
	}
	if fromNeeds := d.AbsolutePositionForObject(u.student.newButton); fromNeeds != fromSearch {
		t.Errorf("New record is at %v from the search, at %v from Needs publishing", fromSearch, fromNeeds)
	}
}

// typeShortcut sends a shortcut as the desktop driver does: to the
// focused widget when it takes shortcuts, else to the window.
func typeShortcut(c fyne.Canvas, s fyne.Shortcut) {
	if f, ok := c.Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(s)
		return
	}
	c.(fyne.Shortcutable).TypedShortcut(s)
}

// A district window has no menu: its shortcuts are the window's, and the
// driver gives a shortcut to the focused entry first, which dropped
// them. With the cursor in the records' filter (where Ctrl+F puts it)
// Ctrl+W did not close the window.
// Another district window opened since must stay open: the window of
// the field closes, not the last one made.
func TestDistrictShortcutsWorkFromAField(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, rosa, "001")
	d, err := st.District(context.Background(), "002")
	if err != nil {
		t.Fatal(err)
	}
	other := u.showDistrict(u.user, d, storetest.Day(t, fixtureDay))
	u.wait()
	t.Cleanup(func() { other.win.Close() })
	c := w.win.Canvas()
	typeShortcut(c, keySearch)
	if c.Focused() != w.records.filter {
		t.Fatalf("Ctrl+F put the keyboard on %T, not the filter", c.Focused())
	}
	typeShortcut(c, keyCloseWindow)
	u.wait()
	if u.districts["001"] != nil {
		t.Error("Ctrl+W with the cursor in the filter left the district window open")
	}
	if u.districts["002"] == nil {
		t.Error("Ctrl+W in the filter of 001 closed the window of 002")
	}
}

// The tabs of a district window are not reached by Tab: Ctrl+Tab and
// Ctrl+Shift+Tab go from one to the next, from a field too, and put the
// keyboard on the first control of the tab shown, so that a coordinator
// reaches the QA Migrant report and an administrator Users and access
// without the mouse.
func TestDistrictTabsByKeyboard(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, admin, "001")
	c := w.win.Canvas()
	titles := func() []string {
		var out []string
		for range w.tabs.Items {
			out = append(out, w.tabs.Selected().Text)
			typeShortcut(c, keyNextTab)
			u.wait()
		}
		return out
	}
	want := []string{"Worklist", "Migrant records", "QA Migrant report", "Users and access"}
	if got := titles(); !slices.Equal(got, want) {
		t.Fatalf("Ctrl+Tab shows the tabs %q, want %q", got, want)
	}
	if got := w.tabs.Selected().Text; got != "Worklist" {
		t.Errorf("Ctrl+Tab on the last tab shows %q, not the first", got)
	}
	typeShortcut(c, keyPreviousTab)
	u.wait()
	if got := w.tabs.Selected().Text; got != "Users and access" {
		t.Errorf("Ctrl+Shift+Tab on the first tab shows %q, not the last", got)
	}
	if f, ok := c.Focused().(*widgets.Check); !ok || !slices.Contains(slices.Collect(maps.Values(w.access.checks)), f) {
		t.Errorf("on Users and access the keyboard is on %T, not a coordinator's box", c.Focused())
	}
	w.tabs.SelectIndex(0)
	typeShortcut(c, keySearch)
	typeShortcut(c, keyNextTab)
	u.wait()
	if got := w.tabs.Selected().Text; got != "QA Migrant report" {
		t.Fatalf("Ctrl+Tab from the filter shows %q, not the QA Migrant report", got)
	}
	if f, ok := c.Focused().(fyne.CanvasObject); !ok || !isInside(w.report.obj, f) {
		t.Errorf("on the QA Migrant report the keyboard is on %T, not a control of the report", f)
	}

	// With a dialog open the tab behind it stays, and so does the
	// keyboard: it went to a control under the dialog.
	w.dialogs.ShowCustom("A record", widget.NewLabel("read-only"))
	c.FocusNext()
	in := c.Focused()
	typeShortcut(c, keyNextTab)
	u.wait()
	if got := w.tabs.Selected().Text; got != "QA Migrant report" || c.Focused() != in {
		t.Errorf("Ctrl+Tab with a dialog open showed %q and moved the keyboard to %T", got, c.Focused())
	}
	typeShortcut(c, keySearch)
	u.wait()
	if got := w.tabs.Selected().Text; got != "QA Migrant report" || c.Focused() != in {
		t.Errorf("Ctrl+F with a dialog open showed %q and moved the keyboard to %T", got, c.Focused())
	}
}

// isInside reports whether o is drawn inside root.
func isInside(root, o fyne.CanvasObject) bool {
	return slices.Contains(walk(root), o)
}
