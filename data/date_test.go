package data

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	good := []struct {
		in   string
		want Date
	}{
		{"2025-09-01", NewDate(2025, time.September, 1)},
		{"09/01/2025", NewDate(2025, time.September, 1)},
		{"9/1/2025", NewDate(2025, time.September, 1)},
		{" 02/29/2024 ", NewDate(2024, time.February, 29)},
		{"12/31/1999", NewDate(1999, time.December, 31)},
		{"02/29/2000", NewDate(2000, time.February, 29)},
	}
	for _, c := range good {
		got, err := ParseDate(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, reason string }{
		{"13/45/2025", "month 13 is not between 1 and 12"},
		{"02/30/2025", "February 2025 has 28 days"},
		{"02/29/2025", "February 2025 has 28 days"},
		{"04/31/2025", "April 2025 has 30 days"},
		{"02/29/1900", "February 1900 has 28 days"},
		{"2100-02-29", "February 2100 has 28 days"},
		{"2025-09-01-1", "use YYYY-MM-DD or MM/DD/YYYY"},
		{"09/01/25", "the year needs four digits"},
		{"25-09-01", "use YYYY-MM-DD or MM/DD/YYYY"},
		{"09-01-2025", "use YYYY-MM-DD or MM/DD/YYYY"},
		{"Sept 1 2025", "use MM/DD/YYYY"},
		{"09/0x/2025", "only digits"},
		{"09/01/2025/1", "use MM/DD/YYYY"},
		{"00/10/2025", "month 0 is not between 1 and 12"},
		{"01/00/2025", "January 2025 has 31 days"},
		{"01/01/1800", "the year must be between"},
		{"+1/01/2025", "only digits"},
		{"2025/09/01", "with slashes the year comes last: 09/01/2025 (MM/DD/YYYY), or 2025-09-01"},
		// as a spreadsheet saves a date cell that has a time format
		{"9/1/2025 0:00", "a time of day follows the date; give the date alone"},
		{"09/01/2025 12:00:00 AM", "a time of day follows the date"},
		{"2025-09-01 00:00:00", "a time of day follows the date"},
		{"2025-09-01T00:00:00", "a time of day follows the date"},
	}
	for _, c := range bad {
		_, err := ParseDate(c.in)
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("ParseDate(%q) error = %v; want it to say %q", c.in, err, c.reason)
		}
		if err != nil && !strings.Contains(err.Error(), strings.TrimSpace(c.in)) {
			t.Errorf("ParseDate(%q) error %q does not quote the input", c.in, err)
		}
	}
	if _, err := ParseDate("   "); !errors.Is(err, ErrDateRequired) {
		t.Errorf("blank: got %v, want ErrDateRequired", err)
	}
	if d, err := ParseOptionalDate(""); err != nil || !d.IsZero() {
		t.Errorf("optional blank: %v %v", d, err)
	}
}

func TestDateForms(t *testing.T) {
	d := NewDate(2028, time.August, 31)
	if d.String() != "2028-08-31" || d.US() != "08/31/2028" {
		t.Fatalf("got %s and %s", d, d.US())
	}
	var zero Date
	if zero.String() != "" || zero.US() != "" {
		t.Fatal("zero date should print empty")
	}
	if NewDate(2024, 12, 31).AddDays(1) != NewDate(2025, 1, 1) {
		t.Fatal("AddDays across a year")
	}
}

func TestPeriod(t *testing.T) {
	p := Period{NewDate(2025, 8, 1), NewDate(2026, 6, 30)}
	cases := []struct {
		start, end Date
		want       bool
	}{
		{NewDate(2025, 1, 1), 0, true},                     // open end
		{NewDate(2025, 1, 1), NewDate(2025, 7, 31), false}, // ended the day before
		{NewDate(2025, 1, 1), NewDate(2025, 8, 1), true},   // ended on the first day
		{NewDate(2026, 6, 30), 0, true},                    // started on the last day
		{NewDate(2026, 7, 1), 0, false},                    // started after
		{NewDate(2025, 9, 1), NewDate(2025, 10, 1), true},  // inside
		{NewDate(2024, 9, 1), NewDate(2027, 10, 1), true},  // around
	}
	for _, c := range cases {
		if got := p.Overlaps(c.start, c.end); got != c.want {
			t.Errorf("Overlaps(%s, %s) = %v", c.start, c.end, got)
		}
	}
	if err := (Period{NewDate(2026, 1, 2), NewDate(2026, 1, 1)}).Validate(); err == nil {
		t.Error("a period that ends before it starts must be refused")
	}
	if SchoolYearOf(NewDate(2026, 7, 15)) != SchoolYear(2026) || SchoolYearOf(NewDate(2026, 6, 30)) != SchoolYear(2025) {
		t.Error("school year boundaries")
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-09-01", "09/01/2025", "13/45/2025", "02/30/2025", "1/1/25", "", "//", "--", "9999-99-99", "0/0/0000", "２０２５-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		// A parsed date prints back to a form that parses to the same day.
		for _, form := range []string{d.String(), d.US()} {
			again, err := ParseDate(form)
			if err != nil || again != d {
				t.Fatalf("%q parsed to %v, whose form %q gives %v, %v", s, d, form, again, err)
			}
		}
		if d.Time().Year() != d.Year() || int(d.Time().Month()) != int(d.Month()) || d.Time().Day() != d.Day() {
			t.Fatalf("%q gave a day that does not exist: %v", s, d)
		}
	})
}
