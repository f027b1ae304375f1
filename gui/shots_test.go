package gui

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"

	"migrantdesk/data/store/storetest"
)

// screenSize is what a 1366×768 laptop leaves a window: the title bar and
// a taskbar take about 60 pixels of the height.
var screenSize = fyne.NewSize(1366, 708)

// shoot captures w at the laptop's size and at its minimum size into the
// test's artifact directory (go test -artifacts keeps them), and fails
// when the window needs more than the laptop has: then something is
// clipped.
func shoot(t *testing.T, name string, w fyne.Window) {
	t.Helper()
	min := w.Content().MinSize()
	if min.Width > screenSize.Width || min.Height > screenSize.Height {
		t.Errorf("%s needs %v, more than a 1366×768 screen leaves a window (%v)", name, min, screenSize)
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
// 1366×768 and at the window's minimum size, as each role sees it.
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

	admin := start(t, st, Options{User: storetest.Admin})
	admin.showImport()
	shoot(t, "admin-import", admin.win)

	for _, who := range []string{storetest.Coordinator, storetest.DistrictAdmin} {
		d := start(t, st, Options{User: who})
		shoot(t, who+"-districts", d.win)
		for n, w := range d.districts {
			shoot(t, who+"-district-"+n, w.win)
		}
	}

	signin := start(t, storetest.Open(t), Options{})
	shoot(t, "sign-in", signin.win)
}
