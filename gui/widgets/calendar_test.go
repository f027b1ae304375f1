package widgets

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

func TestCalendarStartsOnSundayAndJumps(t *testing.T) {
	test.NewTempApp(t)
	var got time.Time
	c := NewCalendar(time.Date(2025, time.March, 4, 15, 0, 0, 0, time.Local), func(d time.Time) { got = d })
	test.NewTempWindow(t, c)
	cells := c.Cells()
	if cells[0] != "Su" || cells[6] != "Sa" {
		t.Fatalf("headings %q, want Su … Sa", cells[:7])
	}
	// 1 March 2025 is a Saturday: six blanks, then the 1st under Sa.
	if cells[7+6] != "1" || cells[7+5] != "" {
		t.Fatalf("first week %q, want the 1st under Sa", cells[7:14])
	}
	if c.Title() != "March 2025" {
		t.Fatalf("title %q", c.Title())
	}
	c.NextMonth()
	c.NextYear()
	if c.Title() != "April 2026" {
		t.Fatalf("after a month and a year on: %q", c.Title())
	}
	c.PrevYear()
	c.PrevYear()
	c.PrevMonth()
	if c.Title() != "March 2024" {
		t.Fatalf("after two years and a month back: %q", c.Title())
	}
	c.Pick(31)
	if want := time.Date(2024, time.March, 31, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("picked %v, want %v", got, want)
	}
	c.NextMonth()
	got = time.Time{}
	c.Pick(31) // April has 30 days
	if !got.IsZero() {
		t.Fatalf("picked %v in a month without a 31st", got)
	}
}
