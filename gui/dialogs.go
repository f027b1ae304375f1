package gui

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

// dialogStack knows what is open over the window, newest last, so that Esc
// closes the top one and shortcuts that would change the screen wait.
type dialogStack struct {
	layers []layer
}

// showDialog shows d and keeps track of it until it closes.
func (s *dialogStack) showDialog(d dialog.Dialog) {
	shown := true
	d.SetOnClosed(func() { shown = false })
	s.layers = append(s.layers, layer{hide: d.Hide, visible: func() bool { return shown }})
	d.Show()
}

// showPopUp shows p and keeps track of it; a pop-up also closes when the
// user clicks outside it.
func (s *dialogStack) showPopUp(p *widget.PopUp) {
	s.layers = append(s.layers, layer{hide: p.Hide, visible: p.Visible})
	p.Show()
}

func (s *dialogStack) prune() {
	for len(s.layers) > 0 && !s.layers[len(s.layers)-1].visible() {
		s.layers = s.layers[:len(s.layers)-1]
	}
}

// open reports whether anything is open over the window.
func (s *dialogStack) open() bool {
	s.prune()
	return len(s.layers) > 0
}

// closeTop closes what is on top, as Esc does.
func (s *dialogStack) closeTop() {
	s.prune()
	if n := len(s.layers); n > 0 {
		top := s.layers[n-1]
		s.layers = s.layers[:n-1]
		top.hide()
	}
}

// entry is a one-line entry on which Esc closes what is open over the
// window (the focused entry gets the key before the window does).
type entry struct {
	widget.Entry
	onEscape func()
}

func newEntry(placeholder string) *entry {
	e := &entry{}
	e.ExtendBaseWidget(e)
	e.PlaceHolder = placeholder
	return e
}

// TypedKey handles Esc and passes every other key to the entry.
func (e *entry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(ev)
}

// showError tells the clerk in a dialog what went wrong.
func (u *UI) showError(title string, err error) {
	d := dialog.NewCustom(title, "Close", paragraph(sentence(err.Error()), 480), u.win)
	u.dialogs.showDialog(d)
}

// paragraph is text wrapped to a width, as tall as its lines. A dialog
// sizes itself before a wrapping label knows its width, so the height is
// worked out from the text.
func paragraph(text string, width float32) fyne.CanvasObject {
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

// sentence starts a message with a capital letter and ends it with a
// full stop, the way a message to a person reads.
func sentence(s string) string {
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
