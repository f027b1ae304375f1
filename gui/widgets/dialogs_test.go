package widgets

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

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

// The keyboard stays on an item of a list that grew shorter: widget.List
// keeps the item the arrows reached past the end, where Enter and Down
// did nothing and no item was outlined, so a clerk back on Needs
// publishing after publishing the record they had opened from it could
// open none of the others with the keyboard.
func TestListKeepsTheKeyboardOnAnItemWhenItShrinks(t *testing.T) {
	test.NewTempApp(t)
	items := []string{"a", "b", "c", "d", "e"}
	var opened []string
	l := NewList(func() int { return len(items) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(items[i]) })
	l.OnSelected = func(i widget.ListItemID) {
		l.UnselectAll()
		opened = append(opened, items[i])
	}
	w := test.NewTempWindow(t, l)
	w.Resize(fyne.NewSize(300, 400))
	w.Canvas().Focus(l)
	for range 4 {
		key(w.Canvas(), fyne.KeyDown)
	}
	key(w.Canvas(), fyne.KeyReturn)
	items = items[:2]
	l.Refresh()
	key(w.Canvas(), fyne.KeyReturn)
	key(w.Canvas(), fyne.KeyUp)
	key(w.Canvas(), fyne.KeyReturn)
	if want := []string{"e", "b", "a"}; !slices.Equal(opened, want) {
		t.Errorf("Enter, then Enter and Up Enter after the list shrank to 2 opened %q, want %q", opened, want)
	}

	key(w.Canvas(), fyne.KeyDown)
	items = nil
	l.Refresh()
	items = []string{"x", "y", "z"}
	l.Refresh()
	key(w.Canvas(), fyne.KeyReturn)
	if want := "x"; opened[len(opened)-1] != want {
		t.Errorf("Enter on a list emptied then filled again opened %q, want %q", opened[len(opened)-1], want)
	}

	// Selecting in code, as the conflicts list does to keep comparing
	// the same record, leaves the keyboard where it was.
	items = []string{"a", "b", "c", "d", "e"}
	l.Refresh()
	for range 4 {
		key(w.Canvas(), fyne.KeyDown)
	}
	l.Select(1)
	items = items[:3]
	l.Refresh()
	key(w.Canvas(), fyne.KeyReturn)
	if want := "c"; opened[len(opened)-1] != want {
		t.Errorf("Enter after a Select in code and the list shrank to 3 opened %q, want %q", opened[len(opened)-1], want)
	}
}

// A message to a person starts with a capital letter and ends with one
// stop: one that trails off keeps its ellipsis and gets no full stop
// after it ("finish…." in the status bar read as a typing mistake).
func TestSentence(t *testing.T) {
	if got := Sentence("database is locked"); got != "Database is locked." {
		t.Errorf("an error reads %q", got)
	}
	for _, ended := range []string{"Saved.", "Is it?", "Waiting for another import/publish to finish…"} {
		if got := Sentence(ended); got != ended {
			t.Errorf("Sentence(%q) = %q, another stop after its own", ended, got)
		}
	}
}

// clipboard is a clipboard of a test.
type clipboard struct{ text string }

func (c *clipboard) Content() string        { return c.text }
func (c *clipboard) SetContent(text string) { c.text = text }

// A megabyte pasted by mistake puts only its first MaxPaste bytes in an
// entry, cut between characters; a paste within the bound goes in
// whole, where the cursor is.
func TestPasteBounded(t *testing.T) {
	test.NewTempApp(t)
	e := NewEntry("")
	test.NewTempWindow(t, e)
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: &clipboard{"ñ" + strings.Repeat("Núñez García ", 80_000)}})
	if n := len(e.Text); n > MaxPaste || n < MaxPaste-3 || !utf8.ValidString(e.Text) || !strings.HasPrefix(e.Text, "ñNúñez García ") {
		t.Fatalf("a megabyte pasted put %d bytes in the entry (valid UTF-8: %v)", n, utf8.ValidString(e.Text))
	}
	e.SetText("García")
	e.CursorColumn = 0
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: &clipboard{"López "}})
	if e.Text != "López García" {
		t.Errorf("a short paste gives %q", e.Text)
	}
}
