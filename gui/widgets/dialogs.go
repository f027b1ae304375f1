// Package widgets holds Migrant Desk's reusable widgets: the dialogs over
// a window and the Esc key, a one-line entry, a date field with a
// calendar, fixed-column grids, a sortable table heading and the save-file
// dialog. They know nothing of the database or of who is working.
package widgets

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// layer is something drawn over the window that Esc closes: a dialog or
// the calendar pop-up.
type layer struct {
	hide    func()
	visible func() bool
}

// Dialogs shows dialogs over one window and knows what is open, newest
// last, so that Esc closes the top one and shortcuts that would change
// the screen wait.
type Dialogs struct {
	win    fyne.Window
	layers []layer
}

// NewDialogs is the dialog stack of win. Esc pressed with no entry
// focused closes the top dialog.
func NewDialogs(win fyne.Window) *Dialogs {
	d := &Dialogs{win: win}
	win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			d.CloseTop()
		}
	})
	return d
}

// Window is the window the dialogs are drawn over.
func (s *Dialogs) Window() fyne.Window { return s.win }

// Show shows d and keeps track of it until it closes.
func (s *Dialogs) Show(d dialog.Dialog) {
	shown := true
	d.SetOnClosed(func() { shown = false })
	s.layers = append(s.layers, layer{hide: d.Hide, visible: func() bool { return shown }})
	d.Show()
}

// ShowPopUp shows p and keeps track of it; a pop-up also closes when the
// user clicks outside it.
func (s *Dialogs) ShowPopUp(p *widget.PopUp) {
	s.layers = append(s.layers, layer{hide: p.Hide, visible: p.Visible})
	p.Show()
}

func (s *Dialogs) prune() {
	for len(s.layers) > 0 && !s.layers[len(s.layers)-1].visible() {
		s.layers = s.layers[:len(s.layers)-1]
	}
}

// Open reports whether anything is open over the window.
func (s *Dialogs) Open() bool {
	s.prune()
	return len(s.layers) > 0
}

// CloseTop closes what is on top, as Esc does.
func (s *Dialogs) CloseTop() {
	s.prune()
	if n := len(s.layers); n > 0 {
		top := s.layers[n-1]
		s.layers = s.layers[:n-1]
		top.hide()
	}
}

// ShowCustom shows content in a dialog with a Close button.
func (s *Dialogs) ShowCustom(title string, content fyne.CanvasObject) dialog.Dialog {
	d := dialog.NewCustom(title, "Close", content, s.win)
	s.Show(d)
	return d
}

// ShowError tells the user in a dialog what went wrong, as a sentence.
func (s *Dialogs) ShowError(title string, err error) {
	s.ShowCustom(title, Paragraph(Sentence(err.Error()), 480))
}

// Entry is a one-line entry on which Esc runs OnEscape, when set: the
// focused entry gets the key before the window does, so without it Esc in
// a field of a dialog would not close the dialog.
type Entry struct {
	widget.Entry
	OnEscape func()
}

// NewEntry is an empty entry showing placeholder.
func NewEntry(placeholder string) *Entry {
	e := &Entry{}
	e.ExtendBaseWidget(e)
	e.PlaceHolder = placeholder
	return e
}

// TypedKey handles Esc and passes every other key to the entry.
func (e *Entry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.OnEscape != nil {
		e.OnEscape()
		return
	}
	e.Entry.TypedKey(ev)
}

// Paragraph is text wrapped to a width, as tall as its lines. A dialog
// sizes itself before a wrapping label knows its width, so the height is
// worked out from the text.
func Paragraph(text string, width float32) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	pad := theme.InnerPadding()
	var height float32
	for _, line := range strings.Split(text, "\n") {
		size := fyne.MeasureText(line+" ", theme.TextSize(), fyne.TextStyle{})
		// Words do not break mid-line, so allow a fifth more.
		height += size.Height * float32(1+int(size.Width*1.2/(width-2*pad)))
	}
	return container.NewGridWrap(fyne.NewSize(width, height+2*pad), l)
}

// Sentence starts a message with a capital letter and ends it with a
// full stop, the way a message to a person reads: errors are written in
// Go's lower-case style.
func Sentence(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	switch r[len(r)-1] {
	case '.', '!', '?':
	default:
		r = append(r, '.')
	}
	return string(r)
}
