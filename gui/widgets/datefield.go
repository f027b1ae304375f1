package widgets

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
)

// DateField is a date the user types as MM/DD/YYYY (or YYYY-MM-DD) or
// picks from a calendar. It is a plain entry read with data.ParseDate:
// widget.DateEntry reads the format from the locale, and under LANG=C it
// takes 03/04/2025 for the 3rd of April.
type DateField struct {
	Entry   *Entry
	dialogs *Dialogs
	pop     *widget.PopUp
	cal     *Calendar
}

// NewDateField is an empty date field whose calendar opens over the
// dialogs' window, where Esc closes it.
func NewDateField(dialogs *Dialogs) *DateField {
	f := &DateField{Entry: NewEntry("MM/DD/YYYY"), dialogs: dialogs}
	f.Entry.ActionItem = NewTapIcon(theme.CalendarIcon(), f.PickDate)
	return f
}

// Date is the typed date, or why it is not one.
func (f *DateField) Date() (data.Date, error) { return data.ParseDate(f.Entry.Text) }

// Set writes d into the entry as MM/DD/YYYY.
func (f *DateField) Set(d data.Date) { f.Entry.SetText(d.US()) }

// PickDate shows a calendar under the entry, open at the typed date (or
// today); a picked day is written into the entry. The calendar icon does
// this.
func (f *DateField) PickDate() {
	c := f.dialogs.Window().Canvas()
	start := time.Now()
	if d, err := f.Date(); err == nil {
		start = d.Time()
	}
	cal := NewCalendar(start, func(t time.Time) {
		f.pop.Hide()
		f.Set(data.DateOf(t))
		c.Focus(f.Entry)
	})
	f.cal = cal
	f.pop = widget.NewPopUp(cal, c)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(f.Entry)
	f.pop.Move(pos.AddXY(0, f.Entry.Size().Height))
	f.dialogs.ShowPopUp(f.pop)
}

// Calendar is the calendar last opened; nil before PickDate.
func (f *DateField) Calendar() *Calendar { return f.cal }

// CalendarShown reports whether the calendar is open.
func (f *DateField) CalendarShown() bool { return f.pop != nil && f.pop.Visible() }

// TapIcon is an icon that acts when clicked but takes no keyboard focus,
// so Tab goes from one field of a form to the next.
type TapIcon struct {
	widget.BaseWidget
	icon  fyne.Resource
	onTap func()
}

// NewTapIcon is icon, running onTap when clicked.
func NewTapIcon(icon fyne.Resource, onTap func()) *TapIcon {
	t := &TapIcon{icon: icon, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *TapIcon) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewCenter(widget.NewIcon(t.icon)))
}

// Tapped runs the action.
func (t *TapIcon) Tapped(*fyne.PointEvent) { t.onTap() }

// Cursor shows the hand, as over a button.
func (t *TapIcon) Cursor() desktop.Cursor { return desktop.PointerCursor }
