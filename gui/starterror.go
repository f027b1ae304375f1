package gui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

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
	msg := widget.NewLabel("Migrant Desk cannot start:\n\n" + err.Error())
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

// ShowOpening says that the database at path is being opened, while it
// takes long: a database of an earlier release is upgraded first, after
// a copy of it is made (seconds at a state's scale), and a double-click
// that shows nothing for that long is double-clicked again. Closing the
// window calls quit: the app ends once the database is open, never in
// the middle of its upgrade.
func ShowOpening(a fyne.App, path string, quit func()) fyne.Window {
	w := a.NewWindow("Migrant Desk")
	msg := widgets.Paragraph(fmt.Sprintf("Opening %s…\n\nA database of an earlier release of Migrant Desk is upgraded "+
		"first, once a copy of it is kept beside it: for a large database this takes a minute or two.", path), 460)
	w.SetContent(container.NewVBox(msg, widget.NewProgressBarInfinite()))
	w.SetCloseIntercept(quit)
	w.Show()
	return w
}
