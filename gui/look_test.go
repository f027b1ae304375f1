package gui

import (
	"image/color"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// A border in reading order lays its centre out again when its top grows,
// at the next look at its size, without being asked: Fyne re-lays out one
// container a frame whose child changed size, and with the centre after
// the top, a search's results refilled in the frame that its hint grew a
// line took that turn, and the table was drawn over the hint's last line
// and the Results heading.
func TestBorderFollowsItsTopsHeight(t *testing.T) {
	top := canvas.NewRectangle(color.Black)
	top.SetMinSize(fyne.NewSize(100, 20))
	center := canvas.NewRectangle(color.White)
	c := border(top, nil, nil, nil, center)
	c.Resize(fyne.NewSize(400, 300))
	if center.Position().Y < 20 {
		t.Fatalf("the centre starts at %v, inside the top", center.Position().Y)
	}
	top.SetMinSize(fyne.NewSize(100, 60)) // the hint wrapped to more lines
	c.MinSize()                           // the canvas asks every frame
	if y := center.Position().Y; y < 60 {
		t.Errorf("after the top grew to 60, the centre starts at %v, under the top", y)
	}
}

// A hint of two lines beside Search and Clear leaves the buttons their
// own height, at the top: stretched to the hint's, they looked like two
// tall boxes.
func TestSearchButtonsKeepTheirHeight(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	u.win.Resize(fyne.NewSize(900, 600))
	fyne.DoAndWait(func() {
		u.search.hint.SetText(strings.Repeat("A hint long enough to wrap to a second line beside the buttons. ", 12))
	})
	u.wait()
	u.win.Resize(fyne.NewSize(900, 601)) // lays the screen out again, as the next frame would
	b := u.search.button
	if h, want := b.Size().Height, b.MinSize().Height; h > want+1 {
		t.Errorf("the Search button is %v high beside a hint of %v, not its own %v", h, u.search.hint.Size().Height, want)
	}
}

// The results stay where they are from one search to the next: the hint
// over them says one line after some searches (a single match, none)
// and two after others (many found), and the table jumped by a line.
// Checked in the first window, at 1366×768 and on a 1280×720 screen.
func TestSearchResultsStayPutWhateverTheHint(t *testing.T) {
	u := searchInAppTheme(t)
	s := u.search
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject
	wrapped := false
	for _, size := range []fyne.Size{firstSize, screenSize, fyne.NewSize(1280, 641)} {
		var tops []float32
		for _, n := range []int{26, 1, 0, 26} {
			s.show(store.Query{Last: "Garcia"}, make([]store.Result, n), n > 1)
			u.win.Resize(fyne.NewSize(size.Width, size.Height+1)) // lays the screen out again, as the next frame would
			u.win.Resize(size)
			tops = append(tops, abs(s.table).Y)
			wrapped = wrapped || widget.NewLabel(s.hint.Text).MinSize().Width > s.hint.Size().Width
		}
		if slices.Min(tops) != slices.Max(tops) {
			t.Errorf("at %v the results start at %v after searches with 26, 1, 0 and 26 found", size, tops)
		}
	}
	if !wrapped {
		t.Errorf("no hint took two lines: the test tried nothing")
	}
}

// In a window 1366 wide every hint the search gives fits on one line,
// and the hint takes one line: a place of two lines whatever the width
// left a blank line between every hint and the results.
func TestSearchHintLeavesNoBlankLine(t *testing.T) {
	u := searchInAppTheme(t)
	s := u.search
	twoLines := widget.NewLabel("A\nA").MinSize().Height
	for _, n := range []int{-1, 1, 0, 26, searchLimit} { // -1: before any search
		if n >= 0 {
			s.show(store.Query{Last: "Garcia"}, make([]store.Result, n), false)
		}
		u.win.Resize(fyne.NewSize(screenSize.Width, screenSize.Height+1)) // lays the screen out again, as the next frame would
		u.win.Resize(screenSize)
		place := s.hint.Size().Height
		if place > twoLines-1 {
			t.Errorf("after a search that found %d, the hint %q has %v of height, the %v of two lines", n, s.hint.Text, place, twoLines)
		}
	}
}

// searchInAppTheme is the first window of a clerk, on the search, in the
// theme the app runs with (text of the test theme is of another size).
func searchInAppTheme(t *testing.T) *UI {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.DefaultTheme())
	u := newUI(t, a, openDemo(t), Options{User: storetest.Clerk})
	u.ShowMain()
	u.wait()
	return u
}
