package gui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/gui/widgets"
)

// TestStartErrorIsShown: why the app cannot start is in a window, with a
// Close button, not only on a standard error no one reads.
func TestStartErrorIsShown(t *testing.T) {
	a := test.NewTempApp(t)
	why := `database C:\Users\rosa\AppData\Local\Migrant Desk\migrantdesk.db has schema version 12, newer than this program knows (10): use a newer Migrant Desk`
	w := ShowStartError(a, errors.New(why))
	var text, buttons []string
	var closeButton *widgets.Button
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *widget.Label:
			text = append(text, o.Text)
		case *widgets.Button:
			buttons = append(buttons, o.Text)
			closeButton = o
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case *container.Scroll:
			walk(o.Content)
		}
	}
	walk(w.Content())
	if !strings.Contains(strings.Join(text, "\n"), why) {
		t.Errorf("the window says %q, not why the app cannot start", text)
	}
	if strings.Join(buttons, ",") != "Close" {
		t.Errorf("the window's buttons are %q, want Close", buttons)
	}
	// Also with the keyboard on Close, where Tab puts it: the button
	// took both keys and did nothing with them.
	for _, onClose := range []bool{false, true} {
		for _, key := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEscape} {
			closed := false
			closeButton.OnTapped = func() { closed = true }
			ev := &fyne.KeyEvent{Name: key}
			if onClose {
				w.Canvas().Focus(closeButton)
				w.Canvas().Focused().TypedKey(ev)
			} else {
				w.Canvas().OnTypedKey()(ev)
			}
			if !closed {
				t.Errorf("%s did not close the window (keyboard on Close: %v)", key, onClose)
			}
		}
	}
}
