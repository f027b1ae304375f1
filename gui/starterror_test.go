package gui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data/store"
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
	// As a sentence: Go's errors are lower case with no full stop, and
	// the window read "... then ends: start Migrant Desk again then".
	want := "Database " + why[len("database "):] + "."
	if !strings.Contains(strings.Join(text, "\n"), want) {
		t.Errorf("the window says %q, not why the app cannot start as a sentence: %q", text, want)
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

// TestOpeningSaysWhatItWaitsFor: the window shown while the database
// opens says what keeps it (an upgrade, a wait for another program),
// as the store says it, and closed, it stays up to say that the app
// ends once the database is open, not at once.
func TestOpeningSaysWhatItWaitsFor(t *testing.T) {
	a := test.NewTempApp(t)
	const path = `C:\Users\rosa\AppData\Local\Migrant Desk\migrantdesk.db`
	o := ShowOpening(a, path, func() {})
	shows := func(want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(o.msg.Text, w) {
				t.Errorf("the window says %q, not %q", o.msg.Text, w)
			}
		}
	}
	shows("Opening " + path)
	o.Say(fmt.Sprintf(store.UpgradeCopyMessage, "migrantdesk.db.v11-1.bak"))
	copying := "This database is of an earlier release of Migrant Desk: keeping a copy of it as migrantdesk.db.v11-1.bak"
	shows("Opening "+path, copying)
	o.Say(store.WaitMessage)
	shows(copying, "Waiting for another program writing to this database (an import or a sync) to finish.")
	o.Say(store.WaitOverMessage)
	shows(copying)
	if strings.Contains(o.msg.Text, "Waiting") {
		t.Errorf("the window still says %q once the wait is over", o.msg.Text)
	}
	o.Say(fmt.Sprintf(store.UpgradeMessage, "migrantdesk.db.v11-1.bak"))
	shows("Upgrading the database to this release")
	if strings.Contains(o.msg.Text, "Waiting") || strings.Contains(o.msg.Text, "keeping a copy") {
		t.Errorf("the window still says %q once the store has gone on to upgrade", o.msg.Text)
	}
	o.Say(store.WaitMessage)
	quit := 0
	o.closed(func() { quit++ })
	if quit != 1 {
		t.Errorf("closing the window quit the app %d times, want once", quit)
	}
	shows("Upgrading the database", "Waiting for another program writing to this database (an import or a sync) to finish.", "Migrant Desk closes as soon as the database is open")
}
