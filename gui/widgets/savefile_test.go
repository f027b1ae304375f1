package widgets

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestFyneSaveDialog drives the fallback save dialog: it opens in the
// folder given with the suggested name, and Save answers the path without
// leaving an empty file behind.
func TestFyneSaveDialog(t *testing.T) {
	test.NewTempApp(t)
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(1000, 700))
	defer win.Close()
	dir := t.TempDir()
	got := make(chan string, 1)
	FyneSaver{}.SaveAs(SaveRequest{Win: win, Title: "Save the Detail report (Excel)", Dir: dir,
		Name: "report.xlsx", Kind: "Excel workbook", Ext: ".xlsx"}, func(path string) { got <- path })
	save := findButton(win.Canvas().Overlays().Top(), "Save")
	if save == nil || save.Disabled() {
		t.Fatal("the save dialog has no enabled Save button")
	}
	test.Tap(save)
	if path := <-got; path != filepath.Join(dir, "report.xlsx") {
		t.Errorf("the dialog answered %q", path)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("the dialog left %v", files)
	}
}

// findButton finds a visible button by its text in o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	for _, d := range drawn(o) {
		if b, ok := d.(*widget.Button); ok && b.Text == text && b.Visible() {
			return b
		}
	}
	return nil
}

// savers keeps the requests it is given and answers a path in dir.
type savers struct {
	dir  string
	asks []SaveRequest
}

func (s *savers) SaveAs(req SaveRequest, done func(path string)) {
	s.asks = append(s.asks, req)
	done(filepath.Join(s.dir, req.Name))
}

// TestNativeSaveFallsBack checks that a system dialog that panics (no
// display, no GTK) gives way to the fallback, that one that works answers
// its path, and that both answer through post, on the UI goroutine.
func TestNativeSaveFallsBack(t *testing.T) {
	test.NewTempApp(t)
	saved := nativeSave
	defer func() { nativeSave = saved }()
	req := SaveRequest{Dir: t.TempDir(), Name: "report.pdf", Ext: ".pdf"}
	fallback := &savers{dir: "/fallback"}
	posted := make(chan func(), 1)
	n := NativeSaver{Fallback: fallback, Post: func(f func()) { posted <- f }}
	nativeSave = func(SaveRequest) (string, error) {
		panic("gtk initialisation failed; presumably no X server is available")
	}
	var got string
	n.SaveAs(req, func(path string) { got = path })
	(<-posted)()
	if got != "/fallback/report.pdf" || len(fallback.asks) != 1 {
		t.Errorf("after the panic the answer is %q, the fallback was asked %d times", got, len(fallback.asks))
	}

	nativeSave = func(r SaveRequest) (string, error) { return filepath.Join(r.Dir, "chosen.pdf"), nil }
	n.SaveAs(req, func(path string) { got = path })
	(<-posted)()
	if got != filepath.Join(req.Dir, "chosen.pdf") || len(fallback.asks) != 1 {
		t.Errorf("the system dialog's answer is %q, the fallback was asked %d times", got, len(fallback.asks))
	}
}
