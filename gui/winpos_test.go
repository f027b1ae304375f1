package gui

import (
	"context"
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"migrantdesk/data/store/storetest"
)

// deskPlacer stands for the desktop in these tests: where each window
// is, as a person left it, and where the app moved each one. Fyne's test
// driver has no desktop, and the real one is tried under Xvfb by
// cmd/migrantdesk's TestWindowPositionKept.
type deskPlacer struct {
	at    map[fyne.Window][2]int // where a person left each window
	moved map[fyne.Window][2]int // where the app put each window
	room  fyne.Size              // what the screen has room for; none said when zero
}

func newDeskPlacer() *deskPlacer {
	return &deskPlacer{at: map[fyne.Window][2]int{}, moved: map[fyne.Window][2]int{}}
}

func (p *deskPlacer) Position(w fyne.Window) (x, y int, ok bool) {
	at, ok := p.at[w]
	return at[0], at[1], ok
}

func (p *deskPlacer) Move(w fyne.Window, x, y int) { p.moved[w] = [2]int{x, y} }

func (p *deskPlacer) Room(fyne.Window) (fyne.Size, bool) { return p.room, p.room != fyne.Size{} }

// TestWindowPositionKept: the main window and each district window open
// where they were left, each district at its own place; a position that
// cannot be read moves nothing, and one the system cannot tell keeps the
// one kept before.
func TestWindowPositionKept(t *testing.T) {
	st := districtFixture(t)
	a := test.NewTempApp(t)
	desk := newDeskPlacer()
	u := newUI(t, a, st, Options{User: rosa, Placer: desk})
	u.ShowMain()
	u.wait()
	if len(desk.moved) != 0 {
		t.Fatalf("with no place kept, windows were moved: %v", desk.moved)
	}
	u.openDistrict("001")
	u.openDistrict("002")
	u.wait()
	desk.at[u.win] = [2]int{120, -80}
	desk.at[u.districts["001"].win] = [2]int{700, 40}
	desk.at[u.districts["002"].win] = [2]int{-1500, 300}
	u.win.Close()

	u = newUI(t, a, st, Options{User: rosa, Placer: desk})
	u.ShowMain()
	u.wait()
	u.openDistrict("002")
	u.openDistrict("001")
	u.wait()
	for w, want := range map[fyne.Window][2]int{u.win: {120, -80}, u.districts["001"].win: {700, 40}, u.districts["002"].win: {-1500, 300}} {
		if got, ok := desk.moved[w]; !ok || got != want {
			t.Errorf("%s opened at %v (moved %v), want %v", w.Title(), got, ok, want)
		}
	}

	// The system cannot tell (minimised, Wayland): the last place stays.
	delete(desk.at, u.districts["001"].win)
	u.districts["001"].win.Close()
	if got := readWindowPrefs(a).Place["district.001"]; got != [2]int{700, 40} {
		t.Errorf("a place the system could not tell replaced the kept one: %v", got)
	}

	for _, kept := range []string{"", "{", `{"place":{"district.001":"700,40"}}`,
		`{"place":{"district.001":[40000,0]}}`, `{"place":{"district.001":[0,-40000]}}`} {
		a.Preferences().SetString(prefWindows, kept)
		clear(desk.moved)
		u.openDistrict("001")
		u.wait()
		if got, ok := desk.moved[u.districts["001"].win]; ok {
			t.Errorf("the place kept as %q moved the window to %v", kept, got)
		}
		u.districts["001"].win.Close()
	}
}

// TestWindowPlacesBounded: the places kept stop at maxWindowKept; the
// next window kept starts them afresh rather than none being kept again.
func TestWindowPlacesBounded(t *testing.T) {
	a := test.NewTempApp(t)
	desk := newDeskPlacer()
	w := a.NewWindow("district")
	desk.at[w] = [2]int{5, 6}
	for i := range maxWindowKept {
		keepWindows(a, desk, keptWindow{size: "district", place: fmt.Sprintf("district.%04d", i), win: w})
	}
	if got := len(readWindowPrefs(a).Place); got != maxWindowKept {
		t.Fatalf("%d places kept, want %d", got, maxWindowKept)
	}
	keepWindows(a, desk, keptWindow{size: "district", place: "district.new", win: w})
	if got := readWindowPrefs(a).Place; len(got) != 1 || got["district.new"] != [2]int{5, 6} {
		t.Errorf("past the bound, the places kept are %v, want district.new alone", got)
	}
}

// A size kept by an earlier build, under its own keys, is the size the
// window opens at until it is kept anew.
func TestWindowSizeKeptByAnEarlierBuild(t *testing.T) {
	a := test.NewTempApp(t)
	a.Preferences().SetFloat("window.main.width", 1100)
	a.Preferences().SetFloat("window.main.height", 700)
	min := fyne.NewSize(400, 300)
	if got := windowSize(a, "main", fyne.NewSize(1280, 800), min); got != fyne.NewSize(1100, 700) {
		t.Fatalf("the earlier build's size gives %v", got)
	}
	a.Preferences().SetString(prefWindows, `{"size":{"main":[900,650]}}`)
	if got := windowSize(a, "main", fyne.NewSize(1280, 800), min); got != fyne.NewSize(900, 650) {
		t.Fatalf("with a size kept anew: %v", got)
	}
	a.Preferences().SetFloat("window.district.width", -5)
	if got := windowSize(a, "district", fyne.NewSize(1280, 700), min); got != fyne.NewSize(1280, 700) {
		t.Fatalf("an earlier build's size out of bounds gives %v", got)
	}
}

// TestFirstSizeFitsCommonLaptops: at its first opening a window (its
// canvas, the menu bar included), with a Windows title bar over it, fits
// above the taskbar of a 1366×768 laptop at 100% and of a 1920×1080 one
// at 150%, the common setting of such laptops; 1280×700 hid the status
// bar under the taskbar of both.
func TestFirstSizeFitsCommonLaptops(t *testing.T) {
	u := start(t, districtFixture(t), Options{User: storetest.Clerk})
	d, err := u.st.District(context.Background(), "001")
	if err != nil {
		t.Fatal(err)
	}
	w := u.showDistrict(u.user, d, storetest.Day(t, fixtureDay))
	u.wait()
	t.Cleanup(w.win.Close)
	for _, win := range []struct {
		name string
		size fyne.Size
	}{{"the main window", u.win.Canvas().Size()}, {"a district window", w.win.Canvas().Size()}} {
		for _, s := range []struct{ width, height, scale float32 }{{1366, 768, 1}, {1920, 1080, 1.5}} {
			// Windows 10 and 11 at 100%: borders of 8 px, a title bar of
			// 31, a taskbar of 48; all grow with the scale.
			wide := win.size.Width*s.scale + 16*s.scale
			tall := win.size.Height*s.scale + (31+48)*s.scale
			if wide > s.width || tall > s.height {
				t.Errorf("%s opens %v units: %.0f×%.0f px on a %.0f×%.0f screen at %.0f%%",
					win.name, win.size, wide, tall, s.width, s.height, s.scale*100)
			}
		}
	}
}

// TestWindowShrinksToItsScreen: a window larger than its screen has room
// for (a size kept on a larger monitor) opens shrunk to it, never below
// what its content needs, and is moved whole onto the screen.
func TestWindowShrinksToItsScreen(t *testing.T) {
	st := districtFixture(t)
	a := test.NewTempApp(t)
	desk := newDeskPlacer()
	desk.room = fyne.NewSize(1000, 500)
	u := newUI(t, a, st, Options{User: rosa, Placer: desk})
	desk.at[u.win] = [2]int{30, 40}
	before := u.win.Canvas().Size()
	u.ShowMain()
	u.wait()
	least := u.win.Content().MinSize()
	if got := u.win.Canvas().Size(); got.Width != min(before.Width, 1000) || got.Height != max(500, least.Height) {
		t.Errorf("a %v window on a screen with room for 1000×500 opened at %v", before, got)
	}
	if before.Height <= 500 {
		t.Fatalf("the window is %v before it is shown, which fits the room: the test tries nothing", before)
	}
	if got, ok := desk.moved[u.win]; !ok || got != [2]int{30, 40} {
		t.Errorf("the shrunk window was not put back whole on its screen: moved %v %v", got, ok)
	}

	desk.room = fyne.NewSize(2000, 1000)
	clear(desk.moved)
	delete(desk.at, u.win)
	u.win.Resize(before)
	placeWindow(a, desk, u.windowName(), u.win)
	if got := u.win.Canvas().Size(); got != before || len(desk.moved) != 0 {
		t.Errorf("a window with room to spare was resized to %v or moved %v", got, desk.moved)
	}
}
