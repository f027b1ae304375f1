package gui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"migrantdesk/data/store/storetest"
)

// TestTaskPanicShowsDialog: a panic in background work becomes one
// sentence in a dialog instead of ending the app, and the next task runs.
func TestTaskPanicShowsDialog(t *testing.T) {
	u := newUI(t, test.NewTempApp(t), storetest.Open(t), Options{})
	u.win.Show()
	u.tasks.run("testing a panic", func() func() { panic("injected") })
	u.wait()
	want := "Something went wrong while testing a panic: injected. Nothing was changed; please tell your administrator."
	shown := texts(u.win.Canvas())
	if !slices.Contains(shown, want) {
		t.Fatalf("no dialog says %q; the screen says %q", want, shown)
	}
	for _, s := range shown {
		if strings.Contains(s, "goroutine") || strings.Contains(s, ".go:") {
			t.Errorf("a stack trace reached the screen: %q", s)
		}
	}
	ran := false
	u.tasks.run("testing the next task", func() func() { return func() { ran = true } })
	u.wait()
	if !ran {
		t.Error("the task after the panic did not run")
	}
	u.tasks.run("testing a panic on the UI goroutine", func() func() { return func() { panic("in apply") } })
	u.wait()
	if want := "Something went wrong while testing a panic on the UI goroutine: in apply. Nothing was changed; please tell your administrator."; !slices.Contains(texts(u.win.Canvas()), want) {
		t.Errorf("no dialog says %q", want)
	}
	if u.tasks.busy.Load() != 0 {
		t.Errorf("%d tasks still count as busy after their panics", u.tasks.busy.Load())
	}
}
