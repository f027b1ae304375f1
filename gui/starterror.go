package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// ShowStartError shows why the app could not start (its database would
// not open, say), in a window of its own whose Close button quits the
// app. A double-clicked migrantdesk.exe is a GUI program with no console,
// and the app started from a Linux desktop's menu has none either: what
// it writes to standard error there, no one reads, and the app would seem
// not to start at all.
func ShowStartError(a fyne.App, err error) fyne.Window {
	w := a.NewWindow("Migrant Desk")
	msg := widget.NewLabel("Migrant Desk cannot start:\n\n" + widgets.Sentence(err.Error()))
	msg.Wrapping = fyne.TextWrapWord
	// Enter and Esc close it also with the keyboard on Close, where Tab
	// puts it: a Fyne button takes both keys and does nothing with them.
	closeButton := widgets.NewButton("Close", a.Quit)
	closeButton.OnEscape = func() { closeButton.OnTapped() }
	closeButton.Importance = widget.HighImportance
	// In a scroll, the wrapped label does not ask for the height of one
	// word a line.
	w.SetContent(border(nil, container.NewHBox(layout.NewSpacer(), closeButton), nil, nil, container.NewVScroll(msg)))
	w.Resize(fyne.NewSize(560, 220))
	w.SetCloseIntercept(a.Quit)
	// Nothing else to do in this window: Enter or Escape closes it, as
	// they close a message box.
	w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		switch k.Name {
		case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape:
			closeButton.OnTapped()
		}
	})
	w.Show()
	return w
}

// Opening is the window that says the database at path is being opened,
// while it takes long: a database of an earlier release is upgraded
// first, after a copy of it is made (seconds at a state's scale), and a
// double-click that shows nothing for that long is double-clicked again.
type Opening struct {
	w       fyne.Window
	msg     *widget.Label
	path    string
	what    string // what keeps the open long, as the store said it
	waiting bool   // for another program's write, what keeps it now
	closing bool
}

// ShowOpening shows the Opening window of the database at path. Closing it calls quit
// and says that the app ends once the database is open, never in the
// middle of its upgrade; the window stays up until then.
func ShowOpening(a fyne.App, path string, quit func()) *Opening {
	o := &Opening{w: a.NewWindow("Migrant Desk"), msg: widget.NewLabel(""), path: path}
	o.msg.Wrapping = fyne.TextWrapWord
	o.show()
	// In a scroll, the wrapped label does not ask for the height of one
	// word a line.
	o.w.SetContent(border(nil, widget.NewProgressBarInfinite(), nil, nil, container.NewVScroll(o.msg)))
	o.w.Resize(fyne.NewSize(520, 240))
	o.w.SetCloseIntercept(func() { o.closed(quit) })
	o.w.Show()
	return o
}

// Say shows what keeps the open long now, as the store says it
// (store.OpenSaying).
func (o *Opening) Say(what string) {
	// A wait is said beside what is waiting: the upgrade, say.
	o.waiting = what == store.WaitMessage
	if !o.waiting && what != store.WaitOverMessage {
		o.what = what
	}
	o.show()
}

// closed is the person closing the window: the app quits, but not while
// the database is upgraded.
func (o *Opening) closed(quit func()) {
	o.closing = true
	o.show()
	quit()
}

// Close closes the window.
func (o *Opening) Close() { o.w.Close() }

func (o *Opening) show() {
	text := fmt.Sprintf("Opening %s…", o.path)
	if o.what != "" {
		text += "\n\n" + widgets.Sentence(o.what)
	}
	if o.waiting {
		// At start no publish of this app's is under way: the writer is
		// another program, an import or a sync.
		text += "\n\nWaiting for another program writing to this database (an import or a sync) to finish."
	}
	if o.closing {
		text += "\n\nMigrant Desk closes as soon as the database is open: stopping part way could leave it half upgraded."
	}
	o.msg.SetText(text)
}
