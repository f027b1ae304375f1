package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// FocusRinged is a theme that gives the colour of the outline drawn
// around the control that has the keyboard. Fyne shows the focus as a
// tint blended over a control's fill, the primary colour: on a blue
// button the tint is the button's own colour and showed nothing, on a red
// one next to nothing, so a clerk working with Tab could not tell which
// button Enter would press. The app's theme gives a colour that stands
// out from the window's and the dialogs' backgrounds; a theme that does
// not gets the text colour.
type FocusRinged interface {
	FocusRingColor(fyne.ThemeVariant) color.Color
}

// Sizes of the focus ring: the gap between the control and the ring,
// which leaves the ring against the background whatever the fill of the
// control (blue, red, grey), and the ring's width.
const (
	focusRingGap   = 2
	focusRingWidth = 2
)

// FocusRingColor is the focus ring's colour in th, variant v.
func FocusRingColor(th fyne.Theme, v fyne.ThemeVariant) color.Color {
	if r, ok := th.(FocusRinged); ok {
		return r.FocusRingColor(v)
	}
	return th.Color(theme.ColorNameForeground, v)
}

// ringRenderer is a widget's renderer with the focus ring around it,
// outside its bounds, shown while focused says so.
type ringRenderer struct {
	fyne.WidgetRenderer
	ring    *canvas.Rectangle
	focused func() bool
	objects []fyne.CanvasObject
}

func withFocusRing(r fyne.WidgetRenderer, focused func() bool) *ringRenderer {
	ring := canvas.NewRectangle(color.Transparent)
	ring.StrokeWidth = focusRingWidth
	ring.CornerRadius = theme.InputRadiusSize() + focusRingGap
	rr := &ringRenderer{WidgetRenderer: r, ring: ring, focused: focused}
	rr.update()
	return rr
}

func (r *ringRenderer) Layout(size fyne.Size) {
	r.WidgetRenderer.Layout(size)
	out := float32(focusRingGap + focusRingWidth/2)
	r.ring.Move(fyne.NewPos(-out, -out))
	r.ring.Resize(fyne.NewSize(size.Width+2*out, size.Height+2*out))
}

// Objects are the widget's, then the ring: the widget may change its
// objects (a button given an icon), so they are asked each time.
func (r *ringRenderer) Objects() []fyne.CanvasObject {
	r.objects = append(append(r.objects[:0], r.WidgetRenderer.Objects()...), r.ring)
	return r.objects
}

func (r *ringRenderer) Refresh() {
	r.WidgetRenderer.Refresh()
	r.update()
}

func (r *ringRenderer) update() {
	r.ring.StrokeColor = FocusRingColor(theme.Current(), fyne.CurrentApp().Settings().ThemeVariant())
	r.ring.Hidden = !r.focused()
	r.ring.Refresh()
}

// focusRing is what a control keeps to draw its focus ring: whether it
// has the keyboard.
type focusRing struct{ focused bool }

func (f *focusRing) hasFocus() bool { return f.focused }

// CreateRenderer draws the button with its focus ring.
func (b *Button) CreateRenderer() fyne.WidgetRenderer {
	return withFocusRing(b.Button.CreateRenderer(), b.hasFocus)
}

// FocusGained shows the focus ring. widget.Button is not told: it
// would blend the focus tint, a blue, over its fill, and a red button
// that turned purple no longer said that it loses something. The ring
// alone says where the keyboard is.
func (b *Button) FocusGained() {
	b.focused = true
	b.Refresh()
}

// FocusLost hides the focus ring.
func (b *Button) FocusLost() {
	b.focused = false
	b.Refresh()
}

// CreateRenderer draws the check box with its focus ring.
func (c *Check) CreateRenderer() fyne.WidgetRenderer {
	return withFocusRing(c.Check.CreateRenderer(), c.hasFocus)
}

// FocusGained shows the focus ring.
func (c *Check) FocusGained() {
	c.focused = true
	c.Check.FocusGained()
}

// FocusLost hides the focus ring.
func (c *Check) FocusLost() {
	c.focused = false
	c.Check.FocusLost()
}

// CreateRenderer draws the drop-down with its focus ring.
func (s *Select) CreateRenderer() fyne.WidgetRenderer {
	return withFocusRing(s.Select.CreateRenderer(), s.hasFocus)
}

// FocusGained shows the focus ring.
func (s *Select) FocusGained() {
	s.focused = true
	s.Select.FocusGained()
}

// FocusLost hides the focus ring.
func (s *Select) FocusLost() {
	s.focused = false
	s.Select.FocusLost()
}

// CreateRenderer draws the entry with its focus ring: the entry's own
// focus, its border in the primary colour, is a thin line.
func (e *Entry) CreateRenderer() fyne.WidgetRenderer {
	return withFocusRing(e.Entry.CreateRenderer(), e.hasFocus)
}

// FocusGained shows the focus ring.
func (e *Entry) FocusGained() {
	e.focused = true
	e.Entry.FocusGained()
}

// FocusLost hides the focus ring.
func (e *Entry) FocusLost() {
	e.focused = false
	e.Entry.FocusLost()
}

// FocusGained shows the focus ring on the item the keyboard is on.
func (l *List) FocusGained() {
	l.focused = true
	l.List.FocusGained()
}

// FocusLost hides the focus ring.
func (l *List) FocusLost() {
	l.focused = false
	l.List.FocusLost()
}
