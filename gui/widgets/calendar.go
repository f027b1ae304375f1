package widgets

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// weekdays are the calendar's column headings. Weeks start on Sunday, as
// on a US calendar: widget.Calendar takes the first day from the locale,
// and under LANG=C or a European locale starts on Monday.
var weekdays = []string{"Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"}

// Calendar is a month of days to pick one from, with buttons that go a
// month or a year back or forward: a birth date or a qualifying arrival
// years back is a few clicks away.
type Calendar struct {
	widget.BaseWidget
	month  time.Time // the first day of the month shown
	picked time.Time // the day the calendar opened at; zero for none
	onPick func(time.Time)
	title  *widget.Label
	days   *fyne.Container
}

// NewCalendar shows the month of start, start marked, and calls onPick
// with the day the user clicks (at midnight UTC).
func NewCalendar(start time.Time, onPick func(time.Time)) *Calendar {
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	c := &Calendar{picked: day, onPick: onPick, title: widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})}
	c.days = container.NewGridWithColumns(len(weekdays))
	c.ExtendBaseWidget(c)
	c.show(time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC))
	return c
}

// Month is the first day of the month shown.
func (c *Calendar) Month() time.Time { return c.month }

// Title is the month and year shown, as the heading reads.
func (c *Calendar) Title() string { return c.title.Text }

// PrevMonth, NextMonth, PrevYear and NextYear move the month shown, as
// their buttons do.
func (c *Calendar) PrevMonth() { c.show(c.month.AddDate(0, -1, 0)) }
func (c *Calendar) NextMonth() { c.show(c.month.AddDate(0, 1, 0)) }
func (c *Calendar) PrevYear()  { c.show(c.month.AddDate(-1, 0, 0)) }
func (c *Calendar) NextYear()  { c.show(c.month.AddDate(1, 0, 0)) }

// Pick picks day of the month shown, as clicking it does; a day the
// month does not have is ignored.
func (c *Calendar) Pick(day int) {
	d := c.month.AddDate(0, 0, day-1)
	if day < 1 || d.Month() != c.month.Month() {
		return
	}
	c.onPick(d)
}

// Cells are the texts of the grid, row by row: the weekday headings, ""
// for the blanks before the 1st, then the days.
func (c *Calendar) Cells() []string {
	out := make([]string, len(c.days.Objects))
	for i, o := range c.days.Objects {
		switch w := o.(type) {
		case *widget.Label:
			out[i] = w.Text
		case *widget.Button:
			out[i] = w.Text
		}
	}
	return out
}

func (c *Calendar) show(month time.Time) {
	c.month = month
	c.title.SetText(fmt.Sprintf("%s %d", month.Month(), month.Year()))
	cells := make([]fyne.CanvasObject, 0, 7*7)
	for _, d := range weekdays {
		cells = append(cells, widget.NewLabelWithStyle(d, fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
	}
	for range int(month.Weekday()) {
		cells = append(cells, widget.NewLabel(""))
	}
	for d := month; d.Month() == month.Month(); d = d.AddDate(0, 0, 1) {
		day := d.Day()
		b := widget.NewButton(fmt.Sprint(day), func() { c.Pick(day) })
		if d.Equal(c.picked) {
			b.Importance = widget.HighImportance
		}
		cells = append(cells, b)
	}
	c.days.Objects = cells
	c.days.Refresh()
}

func (c *Calendar) CreateRenderer() fyne.WidgetRenderer {
	nav := container.NewBorder(nil, nil,
		container.NewHBox(
			widget.NewButtonWithIcon("", theme.MediaFastRewindIcon(), c.PrevYear),
			widget.NewButtonWithIcon("", theme.NavigateBackIcon(), c.PrevMonth)),
		container.NewHBox(
			widget.NewButtonWithIcon("", theme.NavigateNextIcon(), c.NextMonth),
			widget.NewButtonWithIcon("", theme.MediaFastForwardIcon(), c.NextYear)),
		c.title)
	hint := widget.NewLabelWithStyle("Outer arrows: a year · inner arrows: a month", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	hint.Importance = widget.LowImportance
	return widget.NewSimpleRenderer(container.NewBorder(nav, hint, nil, nil, c.days))
}
