package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// key delivers a key as a window does: to the focused control, else to
// the window.
func key(c fyne.Canvas, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
	} else {
		c.OnTypedKey()(ev)
	}
}

// A dialog with a Close button closes on Esc and on Enter also when the
// keyboard is on that button: a Fyne button takes both keys and does
// nothing with them, so Tab to Close, then Esc, left the dialog open.
func TestShowCustomClosesFromItsButton(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel("window"))
	w.Resize(fyne.NewSize(800, 600))
	d := NewDialogs(w)
	for _, k := range []fyne.KeyName{fyne.KeyEscape, fyne.KeyReturn} {
		d.ShowCustom("Something", widget.NewLabel("text"))
		w.Canvas().FocusNext()
		if w.Canvas().Focused() == nil {
			t.Fatal("Tab reaches no control of the dialog")
		}
		key(w.Canvas(), k)
		if d.Open() {
			t.Errorf("%s with the keyboard on Close left the dialog open", k)
			d.CloseTop()
		}
	}
}
