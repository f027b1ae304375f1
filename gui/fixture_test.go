package gui

import (
	"context"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// day parses a date written in a test.
func mustDate(t testing.TB, s string) data.Date {
	t.Helper()
	d, err := data.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Students of the fixture.
const (
	maria    = "1000000001" // García López, María José: Adair (001), FRAM F, Math and Reading levels
	hernanA  = "1000000002" // Hernandez, Maria born 2011: Barren (002)
	hernanB  = "1000000003" // Hernandez, Maria born 2014: Calloway (003)
	ana      = "1000000004" // Núñez, Ana: Adair until 12/19/2025, then Calloway
	sean     = "1000000005" // O'Neil, Sean: private school only
	clerk    = "clerk1"     // Lucía Ramos, clerk of region C
	stateAdm = "admin"      // Pat Moore, state administrator
)

// fixture is a small state: two regions, three districts, a private school
// and five students, two of them called Maria Hernandez.
func fixture(t testing.TB) *data.Extract {
	return &data.Extract{
		Regions: []data.Region{{Code: "C", Name: "Central"}, {Code: "W", Name: "Western"}},
		Districts: []data.District{
			{Number: "001", Name: "Adair County", RegionCode: "C"},
			{Number: "002", Name: "Barren County", RegionCode: "C"},
			{Number: "003", Name: "Calloway County", RegionCode: "W"},
		},
		Schools: []data.School{
			{Number: "001010", DistrictNumber: "001", Name: "Adair Elementary", Classification: "A1"},
			{Number: "002010", DistrictNumber: "002", Name: "Barren Middle", Classification: "A1"},
			{Number: "003010", DistrictNumber: "003", Name: "Calloway Elementary", Classification: "A1"},
			{Number: "001900", DistrictNumber: "001", Name: "St. Mary Academy", Classification: "J1"},
		},
		Students: []data.Student{
			{StateID: maria, LocalNumber: "L1", LastName: "García López", FirstName: "María", MiddleName: "José", BirthDate: mustDate(t, "2012-05-05"), Gender: "F", Race: "1"},
			{StateID: hernanA, LocalNumber: "L2", LastName: "Hernandez", FirstName: "Maria", BirthDate: mustDate(t, "2011-02-02"), Gender: "F", Race: "1"},
			{StateID: hernanB, LocalNumber: "L3", LastName: "Hernandez", FirstName: "Maria", BirthDate: mustDate(t, "2014-09-09"), Gender: "F", Race: "1"},
			{StateID: ana, LocalNumber: "L4", LastName: "Núñez", FirstName: "Ana", BirthDate: mustDate(t, "2010-01-20"), Gender: "F", Race: "1"},
			{StateID: sean, LocalNumber: "L5", LastName: "O'Neil", FirstName: "Sean", BirthDate: mustDate(t, "2011-03-03"), Gender: "M", Race: "6"},
		},
		Enrollments: []data.Enrollment{
			{ID: "E1", StateID: maria, SchoolNumber: "001010", Grade: "06", ServiceType: "P", Start: mustDate(t, "2024-08-10")},
			{ID: "E2", StateID: hernanA, SchoolNumber: "002010", Grade: "08", ServiceType: "P", Start: mustDate(t, "2024-08-10")},
			{ID: "E3", StateID: hernanB, SchoolNumber: "003010", Grade: "05", ServiceType: "P", Start: mustDate(t, "2024-08-10")},
			{ID: "E4", StateID: ana, SchoolNumber: "001010", Grade: "09", ServiceType: "P", Start: mustDate(t, "2024-08-10"), End: mustDate(t, "2025-12-19")},
			{ID: "E5", StateID: ana, SchoolNumber: "003010", Grade: "09", ServiceType: "P", Start: mustDate(t, "2026-01-05")},
			{ID: "E6", StateID: sean, SchoolNumber: "001900", Grade: "08", ServiceType: "P", Start: mustDate(t, "2024-08-10")},
		},
		Programs: []data.Program{
			{StateID: maria, Program: data.ProgramFRAM, Code: data.MealsFree, Start: mustDate(t, "2024-08-01")},
		},
		Assessments: []data.Assessment{
			{StateID: maria, Subject: data.SubjectMath, TestDate: mustDate(t, "2025-04-20"), Level: "Apprentice"},
			{StateID: maria, Subject: data.SubjectReading, TestDate: mustDate(t, "2025-04-21"), Level: "Proficient"},
		},
	}
}

// openFixture opens a temp demo database holding fixture(t) and two
// profiles: profiles are for demo databases only.
func openFixture(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if _, err := st.ImportExtract(ctx, fixture(t), "tester"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []data.User{
		{Username: clerk, FullName: "Lucía Ramos", Role: data.RoleClerk, RegionCode: "C"},
		{Username: stateAdm, FullName: "Pat Moore", Role: data.RoleStateAdmin},
	} {
		if err := st.SaveUser(ctx, "tester", u); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetMeta(ctx, store.MetaDemo, "1"); err != nil {
		t.Fatal(err)
	}
	return st
}

// start builds the UI on Fyne's test app, shows it and waits until its
// start-up reads are done.
func start(t *testing.T, st *store.Store, opts Options) *UI {
	t.Helper()
	u := newUI(t, test.NewTempApp(t), st, opts)
	u.ShowMain()
	u.wait()
	return u
}

// newUI builds the UI on a test app, with what background work hands to
// the UI goroutine queued for the test's goroutine.
func newUI(t testing.TB, a fyne.App, st *store.Store, opts Options) *UI {
	t.Helper()
	queue := make(chan func(), 1024)
	u, err := newWithPost(a, st, opts, func(f func()) { queue <- f })
	if err != nil {
		t.Fatal(err)
	}
	queues[u.tasks] = queue
	t.Cleanup(func() { delete(queues, u.tasks) })
	return u
}

// testTasks are tasks whose posts queue for the test's goroutine, for a
// screen built without the UI.
func testTasks(t testing.TB) *tasks {
	queue := make(chan func(), 1024)
	tk := newTasks(func(f func()) { queue <- f })
	queues[tk] = queue
	t.Cleanup(func() { delete(queues, tk) })
	return tk
}

// queues hold, per tasks of a test, what its background work hands to
// the UI goroutine.
var queues = map[*tasks]chan func(){}

// wait runs on the test's goroutine, as the app's UI goroutine would,
// what background work hands over, until no work is in flight.
func (t *tasks) wait() {
	q := queues[t]
	for t.busy.Load() > 0 {
		(<-q)()
	}
	for {
		select {
		case f := <-q:
			f()
		default:
			return
		}
	}
}

func (u *UI) wait() { u.tasks.wait() }

// pressEnter types Enter into an entry.
func pressEnter(u *UI, e *widgets.Entry) {
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
}

// retype replaces an entry's text the way a clerk does: select all,
// then type rune by rune.
func retype(e *widgets.Entry, text string) {
	e.SetText("")
	test.Type(e, text)
}

// press runs the main-menu item bound to a shortcut, as the window does
// when the keys are pressed.
func press(t *testing.T, u *UI, sc fyne.Shortcut) {
	t.Helper()
	for _, m := range u.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.Shortcut != nil && it.Shortcut.ShortcutName() == sc.ShortcutName() {
				it.Action()
				u.wait()
				return
			}
		}
	}
	t.Fatalf("no menu item has the shortcut %s", sc.ShortcutName())
}

// findButton finds a button by its text, in the top overlay first (a
// dialog), else in the window.
func findButton(c fyne.Canvas, text string) *widget.Button {
	roots := []fyne.CanvasObject{}
	if top := c.Overlays().Top(); top != nil {
		roots = append(roots, top)
	}
	roots = append(roots, c.Content())
	for _, root := range roots {
		for _, o := range walk(root) {
			if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
				return b
			}
		}
	}
	return nil
}

// tap taps the button with that text, failing when there is none or it
// is disabled.
func tap(t *testing.T, u *UI, text string) {
	t.Helper()
	b := findButton(u.win.Canvas(), text)
	if b == nil {
		t.Fatalf("no button %q on screen", text)
	}
	if b.Disabled() {
		t.Fatalf("button %q is disabled", text)
	}
	test.Tap(b)
	u.wait()
}

// texts are the texts of every label and canvas text on screen,
// overlays included, for "the screen says" checks.
func texts(c fyne.Canvas) []string {
	roots := []fyne.CanvasObject{c.Content()}
	for _, o := range c.Overlays().List() {
		roots = append(roots, o)
	}
	var out []string
	for _, root := range roots {
		for _, o := range walk(root) {
			switch w := o.(type) {
			case *widget.Label:
				if w.Visible() {
					out = append(out, w.Text)
				}
			}
		}
	}
	return out
}

// walk lists o and everything drawn inside it, through the renderers the
// widgets already have.
func walk(o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	switch c := o.(type) {
	case fyne.Widget:
		for _, child := range test.WidgetRenderer(c).Objects() {
			out = append(out, walk(child)...)
		}
	case *fyne.Container:
		for _, child := range c.Objects {
			out = append(out, walk(child)...)
		}
	}
	return out
}
