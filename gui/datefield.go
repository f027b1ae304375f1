package gui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
)

// dateField is a date the clerk types as MM/DD/YYYY (or YYYY-MM-DD) or
// picks from a calendar. It is a plain entry read with data.ParseDate:
// widget.DateEntry reads the format from the locale, and under LANG=C it
// takes 03/04/2025 for the 3rd of April.
type dateField struct {
	u     *UI
	entry *entry
	pop   *widget.PopUp
}

func newDateField(u *UI) *dateField {
	f := &dateField{u: u, entry: newEntry("MM/DD/YYYY")}
	f.entry.ActionItem = newTapIcon(theme.CalendarIcon(), f.pickDate)
	return f
}

// date is the typed date, or why it is not one.
func (f *dateField) date() (data.Date, error) { return data.ParseDate(f.entry.Text) }

func (f *dateField) set(d data.Date) { f.entry.SetText(d.US()) }

// pickDate shows a calendar under the entry, open at the typed date (or
// today); a picked day is written into the entry as MM/DD/YYYY.
func (f *dateField) pickDate() {
	c := fyne.CurrentApp().Driver().CanvasForObject(f.entry)
	if c == nil {
		return
	}
	start := time.Now()
	if d, err := f.date(); err == nil {
		start = d.Time()
	}
	cal := widget.NewCalendar(start, func(t time.Time) {
		f.pop.Hide()
		f.set(data.DateOf(t))
		c.Focus(f.entry)
	})
	f.pop = widget.NewPopUp(cal, c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.entry)
	f.pop.Move(pos.AddXY(0, f.entry.Size().Height))
	f.u.dialogs.showPopUp(f.pop)
}

// tapIcon is an icon that acts when clicked but takes no keyboard focus,
// so Tab goes from one field of a form to the next.
type tapIcon struct {
	widget.BaseWidget
	icon  fyne.Resource
	onTap func()
}

func newTapIcon(icon fyne.Resource, onTap func()) *tapIcon {
	t := &tapIcon{icon: icon, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapIcon) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewCenter(widget.NewIcon(t.icon)))
}

// Tapped runs the action.
func (t *tapIcon) Tapped(*fyne.PointEvent) { t.onTap() }

// Cursor shows the hand, as over a button.
func (t *tapIcon) Cursor() desktop.Cursor { return desktop.PointerCursor }
