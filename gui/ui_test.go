package gui

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

func TestWindowTitleAndDemoMarker(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk})
	if got := u.win.Title(); got != "Migrant Desk" {
		t.Errorf("title %q", got)
	}
	if !hasText(u.win.Content(), "DEMO DATA — not real students") {
		t.Error("the demo database has no marker")
	}

	notDemo(t, st)
	u = start(t, st, Options{})
	if hasText(u.win.Content(), "DEMO DATA — not real students") {
		t.Error("a real database is marked as demo data")
	}
}

// notDemo makes the fixture a database that is not a demo, as one made by
// importing the state extract is.
func notDemo(t *testing.T, st *store.Store) {
	t.Helper()
	if err := st.SetMeta(context.Background(), store.MetaDemo, ""); err != nil {
		t.Fatal(err)
	}
}

// hasText reports whether a canvas.Text with that text is drawn in o.
func hasText(o fyne.CanvasObject, s string) bool {
	for _, c := range walk(o) {
		if t, ok := c.(*canvas.Text); ok && t.Text == s {
			return true
		}
	}
	return false
}

func TestSearchHints(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk})
	s := u.search
	if u.current != s.obj || u.win.Canvas().Focused() != s.last {
		t.Fatal("the app does not open on Advanced Search with the cursor in Last name")
	}

	// Nothing typed: say what to type.
	pressEnter(u, s.last)
	if s.hint.Text != "Type at least one of last name, first name, birth date, state ID, gender or district." {
		t.Errorf("empty search hint %q", s.hint.Text)
	}
	// A birth date that is not one.
	test.Type(s.birth, "2/30/2012")
	pressEnter(u, s.birth)
	if s.hint.Text != `Birth date: "2/30/2012" is not a valid date: February 2012 has 29 days.` {
		t.Errorf("bad birth date hint %q", s.hint.Text)
	}
	// No match: a hint, not an empty table.
	retype(s.birth, "")
	test.Type(s.last, "Zzyzx")
	pressEnter(u, s.last)
	if len(s.results) != 0 || !strings.HasPrefix(s.hint.Text, "No student matches.") {
		t.Errorf("%d results, hint %q", len(s.results), s.hint.Text)
	}
	// Two Maria Hernandez: birth date, school and district tell them apart.
	retype(s.last, "hernandez")
	test.Type(s.first, "maria")
	pressEnter(u, s.first)
	if len(s.results) != 2 || !strings.HasPrefix(s.hint.Text, "2 students found.") {
		t.Fatalf("%d results, hint %q", len(s.results), s.hint.Text)
	}
	var rows []string
	for _, r := range s.results {
		rows = append(rows, resultCell(r, 1)+" "+resultCell(r, 4)+" "+resultCell(r, 6))
	}
	slices.Sort(rows)
	want := []string{"02/02/2011 Barren Middle 002 Barren County", "09/09/2014 Calloway Elementary 003 Calloway County"}
	if !slices.Equal(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	// Clear empties the form and the results.
	tap(t, u, "Clear")
	if s.last.Text != "" || s.first.Text != "" || len(s.results) != 0 {
		t.Error("Clear left something behind")
	}
}

// TestSearchWhileStudentsArrive: on a workstation whose snapshot was cut
// part way (the app or the hub killed during a first sync), a search by
// name says the students are still arriving, and not only what it found:
// "No student matches" sent a clerk looking for a typing mistake.
func TestSearchWhileStudentsArrive(t *testing.T) {
	st := openDemo(t)
	if err := st.SetMeta(context.Background(), store.MetaCursor, `{"epoch":"e1","seq":5,"snapshot":"students\u001f0000000009"}`); err != nil {
		t.Fatal(err)
	}
	u := start(t, st, Options{User: storetest.Clerk})
	s := u.search
	test.Type(s.last, "hernandez")
	pressEnter(u, s.last)
	want := "2 students found so far. Your students are still arriving from the hub: until the sync that brings them has finished, " +
		"a search by name or district finds only some of them, and one by state ID or birth date every student that has arrived. " +
		"Sync now (Ctrl+R) brings the rest."
	if len(s.results) != 2 || s.hint.Text != want {
		t.Errorf("%d results, hint %q", len(s.results), s.hint.Text)
	}
	retype(s.last, "zzyzx")
	pressEnter(u, s.last)
	if len(s.results) != 0 || !strings.HasPrefix(s.hint.Text, "No student found yet. Your students are still arriving from the hub: ") {
		t.Errorf("%d results, hint %q", len(s.results), s.hint.Text)
	}
}

// With a first name typed and more matches than the search shows, the
// hint asks for what was not typed (a 200,000-student demo, First name
// "ma", once said "add a first name or a birth date").
func TestSearchLimitHintNamesWhatWasNotTyped(t *testing.T) {
	ex := storetest.Extract()
	for i := range 210 {
		id := fmt.Sprintf("20000%05d", i)
		ex.Students = append(ex.Students, data.Student{StateID: id, LocalNumber: "M" + id, LastName: fmt.Sprintf("Apellido%03d", i),
			FirstName: "Marisol", BirthDate: data.NewDate(2012, 1, 1+i%28), Gender: "F", Race: "1"})
		ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "M" + id, StateID: id, SchoolNumber: "001010",
			Grade: "06", ServiceType: "P", Start: data.NewDate(2026, 8, 14)})
	}
	st := openDemoOf(t, ex)
	u := start(t, st, Options{User: storetest.Clerk})
	retype(u.search.first, "marisol")
	pressEnter(u, u.search.first)
	if len(u.search.results) < searchLimit {
		t.Fatalf("%d results", len(u.search.results))
	}
	want := fmt.Sprintf("The first %d matches are shown: add a last name or a birth date to find the student.", searchLimit)
	if h := u.search.hint.Text; h != want {
		t.Errorf("a first name was typed, and the hint says %q, want %q", h, want)
	}
}

func TestResultColumnsAreWideEnough(t *testing.T) {
	// The widest values a clerk meets must fit their column at the
	// default text size: a long compound name, a long school name, and
	// each column's bold heading.
	long := map[int]string{
		1: "12/31/2012",
		2: "Non-binary",
		3: "1234567890",
		0: "Hernandez Salinas, Maria Guadalupe Marisol",
		4: "Raceland-Worthington Middle/High School",
		6: "423 Raceland-Worthington Independent",
	}
	for col, text := range long {
		w := fyne.MeasureText(text, 14, fyne.TextStyle{}).Width + 2*8 // label padding
		if w > resultColumns[col].Width {
			t.Errorf("column %s is %v wide; %q needs %v", resultColumns[col].Title, resultColumns[col].Width, text, w)
		}
	}
	for _, c := range resultColumns {
		if w := fyne.MeasureText(c.Title, 14, fyne.TextStyle{Bold: true}).Width + 2*8; w > c.Width {
			t.Errorf("column %s is %v wide; its heading needs %v", c.Title, c.Width, w)
		}
	}
}

func TestProfileIsAskedAndRemembered(t *testing.T) {
	st := openDemo(t)
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefLastUser, storetest.Admin)
	u := newUI(t, a, st, Options{})
	u.ShowMain()
	u.wait()
	pick := findSelect(u.win.Canvas())
	if pick == nil {
		t.Fatal("no profile question at start")
	}
	if pick.Selected != "Pat Moore (admin) — State administrator" {
		t.Errorf("the question offers %q, want the profile used last", pick.Selected)
	}
	if !slices.Contains(pick.Options, "Lucía Ramos (clerk1) — Regional data clerk, Central region") {
		t.Errorf("options %q", pick.Options)
	}
	if got := u.status.link.Text; got != "Demo database: no hub" {
		t.Errorf("while the profile is chosen the status bar says %q", got)
	}
	// Esc does not dismiss the question at start: someone must be working.
	u.dialogs.CloseTop()
	if findSelect(u.win.Canvas()) == nil {
		t.Fatal("the profile question went away without an answer")
	}
	pick.SetSelected("Lucía Ramos (clerk1) — Regional data clerk, Central region")
	tap(t, u, "Work as this profile")
	if u.user.Username != storetest.Clerk || a.Preferences().String(prefLastUser) != storetest.Clerk {
		t.Errorf("working as %q, remembered %q", u.user.Username, a.Preferences().String(prefLastUser))
	}
	if got := u.status.profile.Text; got != "Demo profile: Lucía Ramos, Regional data clerk, Central region" {
		t.Errorf("status bar %q", got)
	}
}

// findSelect finds the select of the dialog on top.
func findSelect(c fyne.Canvas) *widget.Select {
	top := c.Overlays().Top()
	if top == nil {
		return nil
	}
	for _, o := range walk(top) {
		if s, ok := o.(*widget.Select); ok {
			return s
		}
		if s, ok := o.(*widgets.Select); ok {
			return &s.Select
		}
	}
	return nil
}

func TestWorkOnThisComputerOnly(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u := start(t, st, Options{})
	if findSelect(u.win.Canvas()) != nil {
		t.Error("asked for a profile in a database with none")
	}
	if u.signIn == nil || u.signIn.local == nil {
		t.Fatal("a database that never synced does not offer to work on this computer only")
	}
	tap(t, u, "Work on this computer only")
	want := "Working as " + operator().Username + ", the computer's user (State administrator), on this computer only"
	if !reflect.DeepEqual(u.user, operator()) || u.status.profile.Text != want {
		t.Errorf("user %+v, status %q", u.user, u.status.profile.Text)
	}
	if got := u.status.link.Text; got != "This computer only: no hub" {
		t.Errorf("status %q", got)
	}
	if items, shortcuts := menuItems(u); slices.ContainsFunc(items, func(s string) bool { return strings.HasPrefix(s, "Sync/") }) ||
		slices.Contains(shortcuts, keySync.ShortcutName()) {
		t.Errorf("a database without a hub offers %q", items)
	}
}

func TestUnknownUserIsRefused(t *testing.T) {
	st := openDemo(t)
	_, err := New(test.NewTempApp(t), st, Options{User: "nobody"})
	if err == nil || !strings.Contains(err.Error(), `there is no user "nobody"`) || !strings.Contains(err.Error(), "clerk1, admin") {
		t.Errorf("err = %v", err)
	}
}

func TestOpenUnknownStudent(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk, Open: "0000000999"})
	if u.studentShown() || !u.dialogs.Open() {
		t.Fatal("no error shown for an unknown state ID")
	}
	found := false
	for _, s := range texts(u.win.Canvas()) {
		if strings.HasPrefix(s, "No student has state ID 0000000999 in ") {
			found = true
		}
	}
	if !found {
		t.Errorf("the error reads %q", texts(u.win.Canvas()))
	}
}

func TestEmptyDatabaseSaysWhatToDo(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u := startLocal(t, st)
	if u.search.hint.Text != "This database has no students yet: import the state extract to start." || !u.search.imports.Visible() {
		t.Errorf("hint %q, import offered %v", u.search.hint.Text, u.search.imports.Visible())
	}
	// A clerk of a state that does not let clerks import is told who does.
	clerk := newSearchScreen(st, u.tasks, u.win, "", "clerk1", func(string) {})
	clerk.loadDistricts()
	u.wait()
	if !strings.HasPrefix(clerk.hint.Text, "This database has no students yet: the state administrator loads the state extract "+
		"(File → Import the state extract…, or migrantdeskctl import --db ") {
		t.Errorf("hint %q", clerk.hint.Text)
	}
}

// TestResultColumnsFitTheDefaultWindow: at the window's first size
// (firstSize) the search results need no horizontal scroll bar. The test
// once resized to 1280 units, 20 more than the first window has, and the
// results of a 1260-unit window scrolled sideways by 12 units, cutting
// the start of every name.
func TestResultColumnsFitTheDefaultWindow(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	for _, size := range []fyne.Size{firstSize, smallScreen} {
		u.win.Resize(size)
		retype(u.search.last, "a")
		pressEnter(u, u.search.last)
		for _, o := range walk(u.search.table) {
			if s, ok := o.(*container.Scroll); ok && s.Content.Size().Width > s.Size().Width {
				t.Errorf("in a window of %v the results are %v wide, in a table of %v: they scroll sideways",
					size, s.Content.Size().Width, s.Size().Width)
			}
		}
	}
}
