package gui

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// screenSize is what a 1366×768 laptop leaves a window: the title bar and
// a taskbar take about 60 pixels of the height.
var screenSize = fyne.NewSize(1366, 708)

// shoot captures w at the laptop's size and at its minimum size into the
// test's artifact directory (go test -artifacts keeps them), and fails
// when the window needs more than the laptop has at 150% display
// scaling: then something is off the screen.
func shoot(t *testing.T, name string, w fyne.Window) {
	t.Helper()
	min := w.Content().MinSize()
	need := min
	if w.MainMenu() != nil {
		need.Height += menuBarHeight()
	}
	if need.Width > smallScreen.Width || need.Height > smallScreen.Height {
		t.Errorf("%s needs %v, its menu bar included, more than a 1366×768 screen at 150%% leaves a window (%v)", name, need, smallScreen)
	}
	for _, s := range []struct {
		label string
		size  fyne.Size
	}{{"1366x768", screenSize}, {"minimum", min}} {
		w.Resize(s.size)
		f, err := os.Create(filepath.Join(t.ArtifactDir(), name+"-"+s.label+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, w.Canvas().Capture()); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// TestScreensFitAndShots writes a screenshot of each main screen at
// 1366×768 and at the window's minimum size, as each role sees it. Each
// fits a 1366×768 laptop at 150%: the clerk's window once needed
// 1000×600 units (1500×900 pixels), a district window 1125 units wide,
// the sign-in 577 units tall.
func TestScreensFitAndShots(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk})
	shoot(t, "clerk-search-recent", u.win)
	retype(u.search.last, "hernandez")
	pressEnter(u, u.search.last)
	shoot(t, "clerk-search-results", u.win)
	u.openStudent(storetest.Maria)
	u.wait()
	shoot(t, "clerk-student", u.win)
	u.showNeeds()
	u.wait()
	shoot(t, "clerk-needs-publishing", u.win)
	u.showReconcile()
	shoot(t, "clerk-reconciliation", u.win)
	u.showShortcuts()
	shoot(t, "help-shortcuts", u.win)
	u.dialogs.CloseTop()

	// Typing kept from an app that ended: offered at the next start, and
	// on the student's screen.
	if err := st.KeepDraft(context.Background(), storetest.User(storetest.Clerk),
		store.Draft{StateID: storetest.Maria, MIS2000ID: "123456789012", QAD: "09/01/2025", EED: "08/31/2028"}); err != nil {
		t.Fatal(err)
	}
	kept := start(t, st, Options{User: storetest.Clerk})
	shoot(t, "clerk-typing-kept-offer", kept.win)
	key(kept, fyne.KeyEscape)
	kept.openStudent(storetest.Maria)
	kept.wait()
	shoot(t, "clerk-student-typing-kept", kept.win)
	tap(t, kept, "Go on typing")
	shoot(t, "clerk-typing-kept-form", kept.win)

	admin := start(t, st, Options{User: storetest.Admin})
	admin.showImport()
	shoot(t, "admin-import", admin.win)
	tap(t, admin, "Check the extract")
	shoot(t, "admin-import-path-error", admin.win)

	for _, who := range []string{storetest.Coordinator, storetest.DistrictAdmin} {
		d := start(t, st, Options{User: who})
		shoot(t, who+"-districts", d.win)
		for n, w := range d.districts {
			for i, tab := range w.tabs.Items {
				w.tabs.SelectIndex(i)
				d.wait()
				shoot(t, who+"-district-"+n+"-"+tab.Text, w.win)
			}
		}
	}

	signin := start(t, storetest.Open(t), Options{})
	shoot(t, "sign-in", signin.win)
}

// cutCells are the labels under o that end their text (clipped or with
// an ellipsis) and need more width than they have.
func cutCells(o fyne.CanvasObject) []*widget.Label {
	var out []*widget.Label
	for _, c := range walk(o) {
		l, ok := c.(*widget.Label)
		if !ok || !l.Visible() || l.Text == "" || l.Truncation == fyne.TextTruncateOff || l.Wrapping != fyne.TextWrapOff {
			continue
		}
		if need := widget.NewLabel(l.Text).MinSize().Width; need > l.Size().Width+0.5 {
			out = append(out, l)
		}
	}
	return out
}

func textsOf(ls []*widget.Label) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Text
	}
	return out
}

// At 1366×768 the long names, schools and districts of the search
// results and of a student's enrollments are read whole: the search once
// cut "Cardenas Alvarez, Maria de los Angeles Yesenia" at a fixed 320 px,
// the enrollments "008080 Trinity Lutheran School (non-p" at 270 px with
// a third of the window empty. In a narrower window a value cut short
// ends in an ellipsis, and a school's classification comes before its
// name.
func TestLongValuesFitAt1366x768(t *testing.T) {
	ex := storetest.Extract()
	for i := range ex.Schools {
		if ex.Schools[i].Number == "001900" { // Sean's private school
			ex.Schools[i].Name = "Trinity Lutheran School"
		}
	}
	// A name of the demo database (state ID 1001210758 there).
	ex.Students = append(ex.Students, data.Student{StateID: "1000000099", LocalNumber: "L99", LastName: "Cardenas Alvarez",
		FirstName: "Maria de los Angeles", MiddleName: "Yesenia", BirthDate: data.NewDate(2010, 12, 21), Gender: "F", Race: "1"})
	ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "E99", StateID: "1000000099", SchoolNumber: "001010",
		Grade: "10", ServiceType: "P", Start: data.NewDate(2026, 8, 14)})
	st := openDemoOf(t, ex)
	u := start(t, st, Options{User: storetest.Clerk})
	narrow := u.win.Content().MinSize()
	// ellipsized checks that the window cuts no cell of o short at
	// 1366×768, and ends with an ellipsis those it cuts at its minimum
	// size; it returns how many it cut there.
	ellipsized := func(what string, o fyne.CanvasObject) int {
		u.win.Resize(screenSize)
		if got := cutCells(o); len(got) > 0 {
			t.Errorf("at 1366×768 these cells of %s are cut short: %q", what, textsOf(got))
		}
		u.win.Resize(narrow)
		cut := cutCells(o)
		for _, l := range cut {
			if l.Truncation != fyne.TextTruncateEllipsis {
				t.Errorf("%v wide, a cell of %s is clipped with no ellipsis: %q", narrow.Width, what, l.Text)
			}
		}
		return len(cut)
	}
	retype(u.search.last, "cardenas")
	pressEnter(u, u.search.last)
	if len(u.search.results) != 1 {
		t.Fatalf("%d results for cardenas", len(u.search.results))
	}
	cut := ellipsized("the search results", u.search.table)
	u.openStudent(storetest.Sean)
	u.wait()
	cut += ellipsized("the Enrollments table", u.student.enrollments.Object())
	if cut == 0 {
		t.Errorf("%v wide, the window cuts no cell short: the test shows nothing of the ellipsis", narrow.Width)
	}
	if got := u.student.enrollments.Cell(0, 1); !strings.HasPrefix(got, "001900 (non-public) ") {
		t.Errorf("the school's classification is not before its name: %q", got)
	}
}

// inWindow fails when the dialog on top needs more room than the window
// has, or the button with that text on it is not wholly inside the
// window, or the dialog's title is above it.
func inWindow(t *testing.T, u *UI, what, title, button string) {
	t.Helper()
	c := u.win.Canvas()
	top := c.Overlays().Top()
	var b fyne.CanvasObject
	for _, o := range walk(top) {
		switch w := o.(type) {
		case *widget.Button:
			if w.Text == button {
				b = w
			}
		case *widgets.Button:
			if w.Text == button {
				b = w
			}
		}
	}
	if b == nil {
		t.Fatalf("%s: no button %q on the dialog", what, button)
	}
	// Fyne squeezes a dialog taller than its window into it, and draws
	// what it holds over one another: the buttons over the last field.
	if need := top.MinSize(); need.Width > c.Size().Width || need.Height > c.Size().Height {
		t.Errorf("%s needs %v, more than the window's %v", what, need, c.Size())
	}
	if p := posIn(t, top, b); p.Y < 0 || p.Y+b.Size().Height > c.Size().Height {
		t.Errorf("%s: %q is at %.0f to %.0f, outside a window %.0f tall", what, button, p.Y, p.Y+b.Size().Height, c.Size().Height)
	}
	for _, o := range walk(top) {
		if l, ok := o.(*widget.Label); ok && l.Text == title {
			if p := posIn(t, top, l); p.Y < 0 {
				t.Errorf("%s: the title %q is %.0f above the window", what, title, -p.Y)
			}
			return
		}
	}
	t.Errorf("%s: no title %q on the dialog", what, title)
}

// On a small laptop at 150% a dialog shows its title and its buttons:
// the keyboard shortcuts (676 units tall) and the record form with its
// errors (545) were taller than the window, squeezed into it with Save
// drawn over the errors. Their content scrolls instead.
func TestDialogsFitASmallScreen(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.Maria, "000777", "2025-09-01")
	u := openOn(t, st, storetest.Maria)
	u.win.Resize(smallScreen)
	for _, d := range []struct {
		what, title, button string
		show                func()
	}{
		{"Help → Keyboard shortcuts", "Keyboard shortcuts", "Close", u.showShortcuts},
		{"Help → How to…", "How to use Migrant Desk", "Close", u.showHowTo},
		{"Help → About", "About Migrant Desk", "Close", u.showAbout},
		{"File → Preferences", "Preferences", "Close", u.showPreferences},
		{"Publish", "Publish 1 State Migrant Record", "Publish", u.publishStudent},
	} {
		d.show()
		u.wait()
		inWindow(t, u, d.what, d.title, d.button)
		u.dialogs.CloseTop()
		u.wait()
	}

	press(t, u, keyNew)
	f := u.student.form
	retype(f.mis, "12AB")
	f.qad.Entry.SetText("")
	press(t, u, keySave)
	if !f.misErr.Visible() || !f.qadErr.Visible() {
		t.Fatal("the form shows no errors")
	}
	inWindow(t, u, "the record form with its errors", "New Student Migrant Detail", "Save (Ctrl+S)")
}

// Help → How to… opens on the user's own role, its tab in sight: for a
// state administrator the fourth tab was folded into the tabs' "•••"
// menu, the page shown under a tab with no name. The state
// administrator's page says where accounts are kept.
func TestHowToShowsTheOwnRolesTab(t *testing.T) {
	st := openDemo(t)
	for _, user := range []string{storetest.Admin, storetest.Clerk} {
		u := start(t, st, Options{User: user})
		u.win.Resize(smallScreen)
		u.showHowTo()
		u.wait()
		top := u.win.Canvas().Overlays().Top()
		var tabs *container.AppTabs
		shown := map[string]bool{}
		for _, o := range walk(top) {
			switch w := o.(type) {
			case *container.AppTabs:
				tabs = w
			case *canvas.Text:
				if w.Visible() {
					shown[w.Text] = true
				}
			}
		}
		if tabs == nil {
			t.Fatalf("%s: How to shows no tabs", user)
		}
		own := data.RoleName(u.user.Role)
		if got := tabs.Selected().Text; got != own {
			t.Errorf("%s: How to opens on %q, want %q", user, got, own)
		}
		for _, r := range data.Roles() {
			if !shown[data.RoleName(r)] {
				t.Errorf("%s: the tab %q is not in sight on How to", user, data.RoleName(r))
			}
		}
		if user == storetest.Admin {
			var page string
			for _, o := range walk(tabs.Selected().Content) {
				if l, ok := o.(*widget.Label); ok {
					page += l.Text
				}
			}
			if !strings.Contains(page, "migrantdeskctl hub user") || !strings.Contains(page, "migrantdeskctl import") {
				t.Errorf("the state administrator's How to does not say where accounts and the extract are kept: %q", page)
			}
		}
		u.dialogs.CloseTop()
		u.wait()
	}
}

// posIn is where o is in root, which is at the window's origin, through
// the renderers the widgets already have.
func posIn(t *testing.T, root, o fyne.CanvasObject) fyne.Position {
	t.Helper()
	p, ok := findPos(root, o)
	if !ok {
		t.Fatalf("%T is not on the dialog", o)
	}
	return p
}

func findPos(root, o fyne.CanvasObject) (fyne.Position, bool) {
	if root == o {
		return root.Position(), true
	}
	for _, ch := range children(root) {
		if p, ok := findPos(ch, o); ok {
			return root.Position().Add(p), true
		}
	}
	return fyne.Position{}, false
}

// A row of Needs publishing that the window cuts short ends in an
// ellipsis: on a small laptop at 150% "De los Santos Medina, Inés Rosa ·
// … · Saved, not pub" was clipped mid-word, the record's state lost.
func TestNeedsPublishingRowsCutEndInAnEllipsis(t *testing.T) {
	ex := storetest.Extract()
	ex.Students = append(ex.Students, data.Student{StateID: "1000000098", LocalNumber: "L98", LastName: "De los Santos Medina",
		FirstName: "Inés Rosa", BirthDate: data.NewDate(2010, 4, 26), Gender: "F", Race: "1"})
	ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "E98", StateID: "1000000098", SchoolNumber: "001010",
		Grade: "10", ServiceType: "P", Start: data.NewDate(2026, 8, 14)})
	st := openDemoOf(t, ex)
	saveRecord(t, st, "1000000098", "76404992", "2026-03-15")
	u := start(t, st, Options{User: storetest.Clerk})
	u.win.Resize(smallScreen)
	u.showNeeds()
	u.wait()
	u.win.Content().Refresh()
	cut := cutCells(u.needs.list)
	if len(cut) == 0 {
		t.Fatalf("%v wide, no row of Needs publishing is cut short: the test shows nothing", smallScreen.Width)
	}
	for _, l := range cut {
		if l.Truncation != fyne.TextTruncateEllipsis {
			t.Errorf("a row is clipped with no ellipsis: %q", l.Text)
		}
	}
}
