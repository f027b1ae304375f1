package gui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/assets"

	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// TestRecentlyOpenedOnSearch: a student opened shows on the search
// screen, newest first, for that user only, and opens again with the
// keyboard.
func TestRecentlyOpenedOnSearch(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk})
	if len(u.search.results) != 0 || u.search.list.Text != "" {
		t.Fatalf("a new user has recent students: %d, %q", len(u.search.results), u.search.list.Text)
	}
	u.openStudent(storetest.HernandezB)
	u.wait()
	u.openStudent(storetest.Maria)
	u.wait()
	press(t, u, keySearch)
	s := u.search
	if !s.recent || len(s.results) != 2 || s.results[0].Student.StateID != storetest.Maria ||
		!strings.HasPrefix(s.list.Text, "Recently opened (2 students)") {
		t.Fatalf("recent: %v, %d rows, %q", s.recent, len(s.results), s.list.Text)
	}
	key(u, fyne.KeyDown)
	key(u, fyne.KeyDown)
	key(u, fyne.KeyReturn)
	if !u.studentShown() || u.student.detail.Student.StateID != storetest.HernandezB {
		t.Fatal("Enter on the second recent student did not open them")
	}
	// A search replaces the list; Clear brings it back.
	press(t, u, keySearch)
	test.Type(s.last, "garcia")
	key(u, fyne.KeyReturn)
	if s.recent || s.list.Text != "Results" {
		t.Fatalf("after a search: recent %v, %q", s.recent, s.list.Text)
	}
	tap(t, u, "Clear")
	if !s.recent || len(s.results) != 2 || s.results[0].Student.StateID != storetest.HernandezB {
		t.Fatalf("after Clear: recent %v, %d rows", s.recent, len(s.results))
	}
	// Another user has their own list.
	other := start(t, st, Options{User: storetest.Admin})
	if len(other.search.results) != 0 {
		t.Errorf("the administrator sees the clerk's recent students")
	}
}

// TestHelpMenu: the shortcuts, the user's own how-to first, and About
// with the version, the database and the hub.
func TestHelpMenu(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk})
	var help *fyne.Menu
	for _, m := range u.win.MainMenu().Items {
		if m.Label == "Help" {
			help = m
		}
	}
	if help == nil {
		t.Fatal("no Help menu")
	}
	for _, want := range []struct{ item, says string }{
		{"Keyboard shortcuts", "Ctrl+N"},
		{"How to…", "Find the student first (Ctrl+F)"},
		{"About Migrant Desk", st.Path()},
	} {
		for _, it := range help.Items {
			if it.Label == want.item {
				it.Action()
			}
		}
		all := strings.Join(texts(u.win.Canvas()), " ")
		if !u.dialogs.Open() || !strings.Contains(all, want.says) {
			t.Errorf("%s does not say %q", want.item, want.says)
		}
		key(u, fyne.KeyEscape)
	}
	if about := u.aboutText(); !strings.Contains(about, assets.Version) || !strings.Contains(about, "this computer only") {
		t.Errorf("About says %q", about)
	}
}

// TestThemeAndWindowSizeKept: the theme chosen in Preferences applies at
// once and at the next start; the window opens at the size it was left.
func TestThemeAndWindowSizeKept(t *testing.T) {
	st := openDemo(t)
	a := test.NewTempApp(t)
	u := newUI(t, a, st, Options{User: storetest.Clerk})
	u.ShowMain()
	u.wait()
	u.showPreferences()
	var pick *widgets.Select
	for _, o := range walk(u.win.Canvas().Overlays().Top()) {
		if s, ok := o.(*widgets.Select); ok {
			pick = s
		}
	}
	if pick == nil || pick.Selected != "Same as the computer" {
		t.Fatal("Preferences offer no theme, or not the computer's by default")
	}
	pick.SetSelected("Dark")
	if a.Preferences().String(prefTheme) != themeDark {
		t.Fatalf("theme kept as %q", a.Preferences().String(prefTheme))
	}
	if v, ok := a.Settings().Theme().(variantTheme); !ok || v.variant != theme.VariantDark {
		t.Fatalf("theme applied: %T", a.Settings().Theme())
	}
	key(u, fyne.KeyEscape)
	u.win.Resize(fyne.NewSize(1300, 720))
	u.win.Close()

	a.Settings().SetTheme(theme.DefaultTheme())
	u2 := newUI(t, a, st, Options{User: storetest.Clerk})
	if _, ok := a.Settings().Theme().(variantTheme); !ok {
		t.Error("the theme chosen is not applied at the next start")
	}
	if got := u2.win.Canvas().Size(); got != fyne.NewSize(1300, 720) {
		t.Errorf("the window opens at %v, want the size it was left at", got)
	}
}

// Help → Keyboard shortcuts is read whole at 1366×768: in a grid every
// row took the height of the tallest, so a description of three lines
// (Alt's) ran into the row below.
func TestShortcutsHelpFitsTheWindow(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	u.win.Resize(screenSize)
	u.showShortcuts()
	if !slices.Contains(texts(u.win.Canvas()), "Keyboard shortcuts") {
		t.Fatal("no Keyboard shortcuts dialog")
	}
	top := u.win.Canvas().Overlays().Top()
	for _, o := range walk(top) {
		l, ok := o.(*widget.Label)
		if !ok || l.Wrapping == fyne.TextWrapOff || l.Text == "" {
			continue
		}
		need := widget.NewLabel(l.Text)
		need.Wrapping = l.Wrapping
		need.Resize(fyne.NewSize(l.Size().Width, 0))
		if h := need.MinSize().Height; h > l.Size().Height+0.5 {
			t.Errorf("%q needs %v high at its width %v, and has %v", l.Text, h, l.Size().Width, l.Size().Height)
		}
		if pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(l); pos.Y+l.Size().Height > screenSize.Height {
			t.Errorf("%q ends at %v, below the window's %v", l.Text, pos.Y+l.Size().Height, screenSize.Height)
		}
	}
}
