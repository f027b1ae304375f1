// Package widgets holds Migrant Desk's reusable widgets: the dialogs over
// a window and the Esc key, a one-line entry, a date field with a
// calendar, fixed-column grids, a sortable table heading and the save-file
// dialog. They know nothing of the database or of who is working.
package widgets

import (
	"image/color"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// layer is something drawn over the window that Esc closes: a dialog or
// the calendar pop-up.
type layer struct {
	dialog  dialog.Dialog // nil for a pop-up
	hide    func()
	visible func() bool
	submit  func() // what Enter does; nil for nothing
	escape  func() // what Esc does instead of closing; nil to close
}

// Dialogs shows dialogs over one window and knows what is open, newest
// last, so that Esc closes the top one and shortcuts that would change
// the screen wait.
type Dialogs struct {
	win    fyne.Window
	layers []layer
	closed []func() // to run once no dialog is open (WhenClosed)
}

// NewDialogs is the dialog stack of win. Esc pressed with no entry
// focused closes the top dialog, and Enter does what the top dialog
// confirms, if it confirms anything.
func NewDialogs(win fyne.Window) *Dialogs {
	d := &Dialogs{win: win}
	win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyEscape:
			d.CloseTop()
		case fyne.KeyReturn, fyne.KeyEnter:
			d.SubmitTop()
		}
	})
	return d
}

// Window is the window the dialogs are drawn over.
func (s *Dialogs) Window() fyne.Window { return s.win }

// Show shows d and keeps track of it until it closes.
func (s *Dialogs) Show(d dialog.Dialog) { s.ShowSubmit(d, nil) }

// Confirmer is a confirmation, Fyne's or a Confirm.
type Confirmer interface {
	dialog.Dialog
	Confirm()
}

// ShowConfirm shows a confirmation: Enter confirms it, Esc cancels it.
func (s *Dialogs) ShowConfirm(d Confirmer) { s.ShowSubmit(d, d.Confirm) }

// ShowDestructive shows a confirmation whose confirm loses something
// (typing, a record, access), drawn red. Enter and Esc both give the
// harmless answer: a key pressed out of habit must lose nothing, so only
// a click, or Enter or Space on the confirm button once Tab has reached
// it, confirms.
func (s *Dialogs) ShowDestructive(c *Confirm) {
	c.SetConfirmImportance(widget.DangerImportance)
	s.ShowSubmit(c, c.Hide)
}

// Confirm is a confirmation whose two buttons take the keyboard fully:
// once Tab has reached one, Enter presses it as Space does, and Esc
// cancels. The buttons of Fyne's own confirmation took both keys and did
// nothing with them, so the dialog could be left only with Space or the
// mouse.
type Confirm struct {
	*dialog.CustomDialog
	no, confirm *Button
	confirmed   bool
	answered    func() // the answer of AddAnswer chosen; nil for none
}

// NewConfirm is a confirmation over win titled title, showing content,
// with a dismiss and a confirm button; callback gets whether it was
// confirmed, once it closes.
func NewConfirm(title, confirm, dismiss string, content fyne.CanvasObject, callback func(bool), win fyne.Window) *Confirm {
	c := &Confirm{CustomDialog: dialog.NewCustomWithoutButtons(title, content, win)}
	c.no = NewButtonWithIcon(dismiss, theme.CancelIcon(), c.Hide)
	c.confirm = NewButtonWithIcon(confirm, theme.ConfirmIcon(), c.Confirm)
	c.confirm.Importance = widget.HighImportance
	c.no.OnEscape, c.confirm.OnEscape = c.Hide, c.Hide
	c.SetButtons([]fyne.CanvasObject{c.no, c.confirm})
	c.SetOnClosed(func() {
		switch {
		case c.answered != nil:
			c.answered()
		case callback != nil:
			callback(c.confirmed)
		}
	})
	return c
}

// AddAnswer puts another answer, text, between the dismiss and the
// confirm buttons, for a question with two ways to go on: pressed, it
// closes the dialog and answered runs in place of the callback. Esc
// still dismisses, and Enter does what the way the dialog is shown says
// (ShowConfirm, ShowDestructive).
func (c *Confirm) AddAnswer(text string, icon fyne.Resource, answered func()) {
	b := NewButtonWithIcon(text, icon, func() {
		c.answered = answered
		c.Hide()
	})
	b.OnEscape = c.Hide
	c.SetButtons([]fyne.CanvasObject{c.no, b, c.confirm})
}

// Confirm closes the dialog confirmed.
func (c *Confirm) Confirm() {
	c.confirmed = true
	c.Hide()
}

// SetConfirmImportance sets how the confirm button is drawn: red for an
// answer that loses something.
func (c *Confirm) SetConfirmImportance(i widget.Importance) {
	c.confirm.Importance = i
	c.confirm.Refresh()
}

// ShowSubmit shows d, on which Enter runs submit (when not nil), and
// keeps track of it until it closes. The dialog's own OnClosed, set
// before, still runs.
func (s *Dialogs) ShowSubmit(d dialog.Dialog, submit func()) { s.ShowForm(d, submit, nil) }

// ShowForm is ShowSubmit for a form on which Esc runs escape (when not
// nil) instead of closing it: a form with changes asks before they are
// lost.
func (s *Dialogs) ShowForm(d dialog.Dialog, submit, escape func()) {
	shown := true
	d.SetOnClosed(func() {
		shown = false
		s.runClosed()
	})
	s.layers = append(s.layers, layer{dialog: d, hide: d.Hide, visible: func() bool { return shown }, submit: submit, escape: escape})
	d.Show()
}

// SubmitTop does what Enter does on the top dialog: confirms it, when it
// confirms anything.
func (s *Dialogs) SubmitTop() {
	s.prune()
	if n := len(s.layers); n > 0 && s.layers[n-1].submit != nil {
		s.layers[n-1].submit()
	}
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

// WhenClosed runs f once no dialog is open over the window: at once
// when none is, else when the last one closes.
func (s *Dialogs) WhenClosed(f func()) {
	s.closed = append(s.closed, f)
	s.runClosed()
}

func (s *Dialogs) runClosed() {
	if s.Open() {
		return
	}
	fs := s.closed
	s.closed = nil
	for _, f := range fs {
		f()
	}
}

// Open reports whether anything is open over the window.
func (s *Dialogs) Open() bool {
	s.prune()
	return len(s.layers) > 0
}

// AddShortcut makes sc a shortcut of the window that waits while a
// dialog is open: the dialog owns the keyboard, and its entries hand the
// window the shortcuts they do not know, so Ctrl+W typed in a password
// prompt closed the window behind it. Esc closes the dialog first.
func (s *Dialogs) AddShortcut(sc fyne.Shortcut, do func()) {
	s.win.Canvas().AddShortcut(sc, func(fyne.Shortcut) {
		if !s.Open() {
			do()
		}
	})
}

// Covered reports whether something is open over d, a confirmation over
// a form say: the shortcuts of d wait then, as those of the window do.
func (s *Dialogs) Covered(d dialog.Dialog) bool {
	s.prune()
	for i, l := range s.layers {
		if l.dialog == d {
			return i < len(s.layers)-1
		}
	}
	return false
}

// CloseTop does what Esc does to what is on top: closes it, or, for a
// form with changes, asks first.
func (s *Dialogs) CloseTop() {
	s.prune()
	if n := len(s.layers); n > 0 {
		top := s.layers[n-1]
		if top.escape != nil {
			top.escape()
			return
		}
		s.layers = s.layers[:n-1]
		top.hide()
	}
}

// ShowCustom shows content in a dialog with a Close button. The button
// closes it on Esc and Enter too: a Fyne button with the keyboard takes
// both keys and does nothing with them.
func (s *Dialogs) ShowCustom(title string, content fyne.CanvasObject) dialog.Dialog {
	d := dialog.NewCustomWithoutButtons(title, Fitted(content, s.win), s.win)
	closeBtn := NewButton("Close", d.Hide)
	closeBtn.OnEscape = d.Hide
	d.SetButtons([]fyne.CanvasObject{closeBtn})
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
	focusRing
	OnEscape func()
	// OnDown, when set, runs on the Down arrow: from a search field, it
	// goes down to the results.
	OnDown func()
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
	if ev.Name == fyne.KeyDown && e.OnDown != nil {
		e.OnDown()
		return
	}
	e.Entry.TypedKey(ev)
}

// MaxPaste bounds what one paste puts in an entry. No field of the app
// takes a quarter of it (a path the most); a megabyte pasted by mistake (a
// column of a spreadsheet) held the window still for most of a minute
// while Fyne laid it out, in gigabytes of memory. Past it, the start of
// the text is pasted, which the field refuses as too long where it
// checks.
const MaxPaste = 1 << 10

// TypedShortcut pastes at most MaxPaste bytes, and hands the window the
// shortcuts that are not the entry's own: the driver gives every
// shortcut to the focused entry, which drops those it does not know, so
// a window's Ctrl+W or Ctrl+Tab did nothing while the cursor was in a
// field.
func (e *Entry) TypedShortcut(s fyne.Shortcut) {
	if p, ok := s.(*fyne.ShortcutPaste); ok && p.Clipboard != nil {
		text := p.Clipboard.Content()
		if len(text) > MaxPaste {
			n := MaxPaste
			for n > 0 && !utf8.RuneStart(text[n]) {
				n--
			}
			text = text[:n]
		}
		s = &fyne.ShortcutPaste{Clipboard: pasted(text)}
	}
	if c, ok := s.(*desktop.CustomShortcut); ok && !editingKey(c.KeyName) {
		if win, ok := e.canvas().(fyne.Shortcutable); ok {
			win.TypedShortcut(s)
			return
		}
	}
	e.Entry.TypedShortcut(s)
}

// pasted is a clipboard holding the text a paste takes.
type pasted string

func (p pasted) Content() string { return string(p) }
func (pasted) SetContent(string) {}

// canvas is the canvas of the window whose keyboard the entry has. The
// driver finds the canvas of an object by the object drawn, which for
// an entry within another widget (a filter that takes F5) is not e.
func (e *Entry) canvas() fyne.Canvas {
	for _, w := range fyne.CurrentApp().Driver().AllWindows() {
		if f, ok := w.Canvas().Focused().(interface{ entry() *Entry }); ok && f.entry() == e {
			return w.Canvas()
		}
	}
	return nil
}

func (e *Entry) entry() *Entry { return e }

// editingKey reports whether an entry's own shortcuts use the key: with
// a modifier, the arrows, Home and End move by words or to the ends, and
// Backspace and Delete delete words.
func editingKey(k fyne.KeyName) bool {
	switch k {
	case fyne.KeyLeft, fyne.KeyRight, fyne.KeyUp, fyne.KeyDown, fyne.KeyHome, fyne.KeyEnd, fyne.KeyBackspace, fyne.KeyDelete:
		return true
	}
	return false
}

// Button is a button the keyboard works fully: Space or Enter presses
// it, and Esc runs OnEscape when set, so that Esc closes a dialog
// whichever of its controls has the focus.
type Button struct {
	widget.Button
	focusRing
	OnEscape func()
}

// NewButton is a button labelled text that runs tapped.
func NewButton(text string, tapped func()) *Button {
	b := &Button{}
	b.Text, b.OnTapped = text, tapped
	b.ExtendBaseWidget(b)
	return b
}

// NewButtonWithIcon is NewButton with an icon before the text.
func NewButtonWithIcon(text string, icon fyne.Resource, tapped func()) *Button {
	b := NewButton(text, tapped)
	b.Icon = icon
	return b
}

// TypedKey presses the button on Enter as on Space, and passes Esc on.
func (b *Button) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape:
		if b.OnEscape != nil {
			b.OnEscape()
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() {
			b.Tapped(nil)
		}
	default:
		b.Button.TypedKey(ev)
	}
}

// Check is a check box that Space toggles as a key, as a Button is
// pressed, rather than as a typed character. Space on a dialog button
// closes the dialog on the key and hands the focus back to where it was
// before the character arrives: a check box that opened the dialog would
// take that character and toggle again (and open it again).
type Check struct {
	widget.Check
	focusRing
}

// NewCheck is a check box labelled text; changed runs as it toggles.
func NewCheck(text string, changed func(bool)) *Check {
	c := &Check{}
	c.Text, c.OnChanged = text, changed
	c.ExtendBaseWidget(c)
	return c
}

// TypedKey toggles the box on Space.
func (c *Check) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeySpace && !c.Disabled() {
		c.SetChecked(!c.Checked)
	}
}

// TypedRune ignores the typed space: the key has toggled the box.
func (c *Check) TypedRune(rune) {}

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
// Go's lower-case style. A message that trails off (waiting for
// something…) keeps its ellipsis alone: "finish…." read as a typing
// mistake.
func Sentence(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	switch r[len(r)-1] {
	case '.', '!', '?', '…':
	default:
		r = append(r, '.')
	}
	return string(r)
}

// Select is a drop-down on which Enter runs OnSubmitted, as in an entry,
// so that a dialog asking one choice is answered with the keyboard: the
// arrows choose, Enter confirms.
type Select struct {
	widget.Select
	focusRing
	OnSubmitted func()
	OnEscape    func()
}

// NewSelect is a drop-down of options.
func NewSelect(options []string) *Select {
	s := &Select{}
	s.Options = options
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey confirms on Enter and passes every other key on.
func (s *Select) TypedKey(ev *fyne.KeyEvent) {
	switch {
	case (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && s.OnSubmitted != nil:
		s.OnSubmitted()
	case ev.Name == fyne.KeyEscape && s.OnEscape != nil:
		s.OnEscape()
	default:
		s.Select.TypedKey(ev)
	}
}

// List is a list whose item the arrows reached opens on Enter, as on
// Space: widget.List takes Enter and does nothing with it, where a
// person who moved down a list with the keyboard presses Enter. Esc runs
// OnEscape when set: a list in a dialog takes Esc before the window does.
// When the list grows shorter than the item the keyboard is on, the
// keyboard moves up to its last item: widget.List left it past the end,
// where Enter and Down did nothing and no item was outlined.
type List struct {
	widget.List
	OnEscape func()
	// OnSubmitted, when set, runs on Enter instead of choosing the item:
	// a list that only shows things, in a dialog that asks a question,
	// has nothing to choose, and Enter answers the dialog.
	OnSubmitted func()
	// OnSelected is widget.List's, which the list hears first: a click
	// puts the keyboard on the item clicked, and says so only there.
	OnSelected func(widget.ListItemID)
	// at is the item the keyboard is on, which widget.List does not
	// tell: moved as the arrows and clicks move it, not by Select. A
	// click on the item already selected is not heard: it leaves at
	// behind only if the arrows moved off that item since.
	at        widget.ListItemID
	selecting bool                          // in Select, which leaves the keyboard where it is
	heights   map[widget.ListItemID]float32 // set by SetItemHeight
	focusRing
}

// NewList is a list of length() items, made by create and filled by
// update.
func NewList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *List {
	l := &List{}
	// Each item has the focus ring, drawn on it: widget.List shows the
	// item the keyboard is on with the faint tint of a hovered one.
	l.Length = length
	l.CreateItem = func() fyne.CanvasObject {
		ring := canvas.NewRectangle(color.Transparent)
		ring.StrokeWidth = focusRingWidth
		ring.Hide()
		return container.New(&itemRing{}, create(), ring)
	}
	l.UpdateItem = func(id widget.ListItemID, o fyne.CanvasObject) {
		c := o.(*fyne.Container)
		ring := c.Objects[1].(*canvas.Rectangle)
		ring.StrokeColor = FocusRingColor(theme.Current(), fyne.CurrentApp().Settings().ThemeVariant())
		ring.Hidden = !l.focused || id != l.at
		if !ring.Hidden {
			at := c.Layout.(*itemRing)
			if bar := l.scrollBar(); bar != at.right {
				at.right = bar
				at.Layout(c.Objects, c.Size())
			}
		}
		ring.Refresh()
		update(id, c.Objects[0])
	}
	l.List.OnSelected = func(id widget.ListItemID) {
		if !l.selecting {
			l.at = id
		}
		if l.OnSelected != nil {
			l.OnSelected(id)
		}
	}
	l.ExtendBaseWidget(l)
	return l
}

// itemRing lays out a list item and its focus ring, the ring right
// short of the item's right edge: Fyne draws a list's scroll bar over
// that edge, and the ring ran under it.
type itemRing struct{ right float32 }

func (r *itemRing) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
	objs[1].Move(fyne.NewPos(0, 0))
	objs[1].Resize(fyne.NewSize(max(0, size.Width-r.right), size.Height))
}

func (r *itemRing) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[0].MinSize() }

// SetItemHeight sets an item's height as widget.List does, kept to tell
// whether the items are taller than the list.
func (l *List) SetItemHeight(id widget.ListItemID, height float32) {
	if l.heights == nil {
		l.heights = map[widget.ListItemID]float32{}
	}
	l.heights[id] = height
	l.List.SetItemHeight(id, height)
}

// scrollBar is the width Fyne's scroll bar takes over the items' right
// edge, at its widest (under the mouse), when the items are taller than
// the list; 0 when they fit and it has none.
func (l *List) scrollBar() float32 {
	room := l.Size().Height
	sep := theme.SeparatorThicknessSize()
	var base float32
	h := float32(0)
	for i := range l.Length() {
		ih, ok := l.heights[i]
		if !ok {
			if base == 0 {
				base = l.CreateItem().MinSize().Height
			}
			ih = base
		}
		if h += ih + sep; h-sep > room {
			return theme.ScrollBarSize()
		}
	}
	return 0
}

// Resize lays out the list and moves the ring to or from the scroll
// bar's edge, as a taller or shorter window adds or takes it away.
func (l *List) Resize(size fyne.Size) {
	l.List.Resize(size)
	if l.focused {
		l.RefreshItem(l.at)
	}
}

// TypedKey chooses the item on Enter (or runs OnSubmitted), runs
// OnEscape on Esc, and passes every other key on.
func (l *List) TypedKey(ev *fyne.KeyEvent) {
	l.keepInRange()
	switch {
	case (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && l.OnSubmitted != nil:
		l.OnSubmitted()
	case ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter:
		l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace, Physical: ev.Physical})
	case ev.Name == fyne.KeyEscape && l.OnEscape != nil:
		l.OnEscape()
	case ev.Name == fyne.KeyDown:
		if l.at < l.Length()-1 {
			l.at++
		}
		l.List.TypedKey(ev)
	case ev.Name == fyne.KeyUp:
		if l.at > 0 {
			l.at--
		}
		l.List.TypedKey(ev)
	default:
		l.List.TypedKey(ev)
	}
}

// Select selects an item as widget.List does, the keyboard staying on
// the item it was on.
func (l *List) Select(id widget.ListItemID) {
	l.selecting = true
	defer func() { l.selecting = false }()
	l.List.Select(id)
}

// Refresh shows the items as they are now, the keyboard on one of them.
func (l *List) Refresh() {
	l.keepInRange()
	l.List.Refresh()
}

// keepInRange moves the keyboard up to the last item when the list has
// grown shorter than the item it was on; Up is the only way widget.List
// offers.
func (l *List) keepInRange() {
	last := max(l.Length()-1, 0)
	for l.at > last {
		l.at--
		l.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	}
}

// dialogChrome is what a dialog adds to its content's height: its title,
// its buttons and the padding around them.
const dialogChrome = 130

// fitted is a dialog's content that scrolls when the window is too short
// for all of it, so that the dialog's title and buttons stay inside the
// window.
type fitted struct {
	widget.BaseWidget
	scroll *container.Scroll
	win    fyne.Window
}

// Fitted is content for a dialog over win: as tall as it needs where the
// window has the room, else as tall as the window leaves, scrolling. A
// dialog taller than its window showed neither its top nor its buttons:
// the keyboard shortcuts on a small laptop at 150%, the record form with
// its errors showing.
func Fitted(content fyne.CanvasObject, win fyne.Window) fyne.CanvasObject {
	f := &fitted{scroll: container.NewVScroll(content), win: win}
	f.ExtendBaseWidget(f)
	return f
}

func (f *fitted) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(f.scroll)
}

// MinSize is the content's, no taller than the window leaves a dialog
// (the canvas is asked at every layout, so a window made shorter
// shortens the dialog) and never shorter than a line or two.
func (f *fitted) MinSize() fyne.Size {
	s := f.scroll.Content.MinSize()
	if room := f.win.Canvas().Size().Height - dialogChrome; room > 0 && s.Height > room {
		s.Height = max(room, 2*theme.TextSize())
	}
	return s
}
