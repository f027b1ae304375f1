package data

import (
	"fmt"
	"strings"
	"time"
)

// Date is a calendar day with no time of day and no time zone, held as the
// number YYYYMMDD so that dates compare with < and ==. The zero Date means
// "no date" (an open end date, or a field left blank).
type Date int32

// NewDate returns the Date for a year, month and day that are known valid.
func NewDate(y int, m time.Month, d int) Date {
	return Date(y*10000 + int(m)*100 + d)
}

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// Today is the local calendar day.
func Today() Date { return DateOf(time.Now()) }

// IsZero reports whether d is "no date".
func (d Date) IsZero() bool { return d == 0 }

// Year, Month and Day split the date.
func (d Date) Year() int          { return int(d) / 10000 }
func (d Date) Month() time.Month  { return time.Month(int(d) / 100 % 100) }
func (d Date) Day() int           { return int(d) % 100 }
func (d Date) Time() time.Time    { return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC) }
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// String is the ISO form YYYY-MM-DD, or "" for the zero Date. It is also the
// form stored in the database, so text comparison there matches Date order.
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year(), int(d.Month()), d.Day())
}

// US is the form clerks read and type: MM/DD/YYYY, or "" for the zero Date.
func (d Date) US() string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("%02d/%02d/%04d", int(d.Month()), d.Day(), d.Year())
}

// AddMonths adds n calendar months. A day that does not exist in the target
// month rolls over into the next one, the way an anniversary of February 29
// falls on March 1 in a common year.
func (d Date) AddMonths(n int) Date {
	return DateOf(d.Time().AddDate(0, n, 0))
}

// DateError says what is wrong with a typed or imported date.
type DateError struct {
	Input  string
	Reason string
}

func (e *DateError) Error() string {
	if e.Input == "" {
		return e.Reason
	}
	return fmt.Sprintf("%q is not a valid date: %s", e.Input, e.Reason)
}

// ErrDateRequired is returned by ParseDate for a blank input.
var ErrDateRequired = &DateError{Reason: "a date is required (MM/DD/YYYY)"}

// MinYear and MaxYear bound the years a date may have: nothing in this
// program's records is older than the oldest living student's birth or
// further away than an eligibility window from now.
const (
	MinYear = 1900
	MaxYear = 2199
)

// ParseDate reads a date typed as MM/DD/YYYY (one-digit month and day are
// accepted) or YYYY-MM-DD. Blank input is ErrDateRequired; a two-digit year,
// a month outside 1–12 or a day the month does not have is refused with a
// reason a clerk can act on.
func ParseDate(s string) (Date, error) {
	if d, ok := isoDate(s); ok {
		return d, nil
	}
	return parseDate(s)
}

// DateAtMidnight reads a date followed by midnight, as programs that keep
// dates as date-times write them ("2/10/2013 12:00:00 AM", "2013-02-10
// 00:00:00.000", "2013-02-10T00:00:00Z"): midnight is the start of the
// day, so the date is the date itself. Any other time of day may be a
// day shifted by a time zone, and is not read (ok is false), nor is a
// date ParseDate refuses.
func DateAtMidnight(s string) (d Date, ok bool) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " T")
	if i <= 0 || !isMidnight(s[i+1:]) {
		return 0, false
	}
	d, err := ParseDate(s[:i])
	return d, err == nil
}

// isMidnight reports whether t is midnight as a clock writes it: H:MM,
// H:MM:SS or H:MM:SS.fff with every figure zero, or 12 and the rest zero
// before AM; a Z (UTC) may follow.
func isMidnight(t string) bool {
	t = strings.TrimSuffix(strings.TrimSpace(t), "Z")
	hour := 0
	if u := strings.ToUpper(t); strings.HasSuffix(u, "AM") {
		t, hour = strings.TrimSpace(t[:len(t)-2]), 12
	}
	parts := strings.Split(t, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	if h, ok := digits(parts[0]); !ok || h != hour || len(parts[0]) > 2 {
		return false
	}
	for i, p := range parts[1:] {
		if i == 1 {
			// seconds may have a fraction
			whole, frac, _ := strings.Cut(p, ".")
			if strings.Trim(frac, "0") != "" {
				return false
			}
			p = whole
		}
		if n, ok := digits(p); !ok || n != 0 || len(p) != 2 {
			return false
		}
	}
	return true
}

// ParseOptionalDate is ParseDate where blank means "no date".
func ParseOptionalDate(s string) (Date, error) {
	if d, ok := isoDate(s); ok {
		return d, nil
	}
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	return parseDate(s)
}

// isoDate reads the common case of a date, YYYY-MM-DD with a day that
// every month has, without allocating: a state extract has millions of
// dates, and a page of search results hundreds. Anything else is left to
// parseDate, which accepts the same dates and explains the bad ones.
func isoDate(v string) (Date, bool) {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		if i == 4 || i == 7 {
			continue
		}
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		n = n*10 + int(v[i]-'0')
	}
	y, m, d := n/10000, n/100%100, n%100
	if y < MinYear || y > MaxYear || m < 1 || m > 12 || d < 1 || d > 28 {
		return 0, false
	}
	return Date(n), true
}

// parseDate is ParseDate's rule for every spelling it accepts.
func parseDate(s string) (Date, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, ErrDateRequired
	}
	// A date cell with a time format is saved as "9/1/2025 0:00": said
	// otherwise, its year or its digits would be blamed, which are right.
	if i := strings.IndexAny(in, " T"); i > 0 {
		if _, err := parseDate(in[:i]); err == nil {
			return 0, &DateError{in, "a time of day follows the date; give the date alone (MM/DD/YYYY)"}
		}
	}
	var y, m, d string
	var three bool
	switch {
	case strings.Contains(in, "/"):
		if m, d, y, three = split3(in, "/"); !three {
			return 0, &DateError{in, "use MM/DD/YYYY"}
		}
		// Year first with slashes is how some systems print dates; the
		// year is there, only in the wrong place.
		if len(m) == 4 && len(y) <= 2 {
			return 0, &DateError{in, fmt.Sprintf("with slashes the year comes last: %s/%s/%s (MM/DD/YYYY), or %s-%s-%s", d, y, m, m, d, y)}
		}
	case strings.Contains(in, "-"):
		if y, m, d, three = split3(in, "-"); !three || len(y) != 4 {
			return 0, &DateError{in, "use YYYY-MM-DD or MM/DD/YYYY"}
		}
	default:
		return 0, &DateError{in, "use MM/DD/YYYY"}
	}
	if len(y) != 4 {
		return 0, &DateError{in, "the year needs four digits (MM/DD/YYYY)"}
	}
	yn, ok1 := digits(y)
	mn, ok2 := digits(m)
	dn, ok3 := digits(d)
	if !ok1 || !ok2 || !ok3 || len(m) > 2 || len(d) > 2 {
		return 0, &DateError{in, "only digits are allowed between the separators"}
	}
	if yn < MinYear || yn > MaxYear {
		return 0, &DateError{in, fmt.Sprintf("the year must be between %d and %d", MinYear, MaxYear)}
	}
	if mn < 1 || mn > 12 {
		return 0, &DateError{in, fmt.Sprintf("month %d is not between 1 and 12", mn)}
	}
	if last := daysIn(yn, time.Month(mn)); dn < 1 || dn > last {
		return 0, &DateError{in, fmt.Sprintf("%s %d has %d days", time.Month(mn), yn, last)}
	}
	return NewDate(yn, time.Month(mn), dn), nil
}

// digits reads a run of decimal digits. Longer than any date part (and
// than an int holds) counts as not digits, as strconv.Atoi's overflow
// did: either way the date is refused with the same reason. Computed in
// the loop that checks the digits: search results parse hundreds of
// stored dates.
func digits(s string) (int, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// split3 cuts s at sep into exactly three parts. Search results parse
// hundreds of stored dates, which strings.Split would allocate for.
func split3(s, sep string) (a, b, c string, ok bool) {
	a, rest, ok1 := strings.Cut(s, sep)
	b, c, ok2 := strings.Cut(rest, sep)
	return a, b, c, ok1 && ok2 && !strings.Contains(c, sep)
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// Period is an inclusive range of days, such as a reporting period.
type Period struct {
	From, To Date
}

// Overlaps reports whether [start, end] shares a day with p; a zero end is
// open (still enrolled, still in the program).
func (p Period) Overlaps(start, end Date) bool {
	return start <= p.To && (end.IsZero() || end >= p.From)
}

// Contains reports whether d falls in p.
func (p Period) Contains(d Date) bool { return d >= p.From && d <= p.To }

// Validate refuses a period whose start is after its end.
func (p Period) Validate() error {
	if p.From.IsZero() || p.To.IsZero() {
		return fmt.Errorf("a period needs both a start and an end date")
	}
	if p.From > p.To {
		return fmt.Errorf("the period starts (%s) after it ends (%s)", p.From.US(), p.To.US())
	}
	return nil
}

func (p Period) String() string { return p.From.US() + " – " + p.To.US() }

// SchoolYear is the period Aug 1 of startYear to Jun 30 of the next year.
func SchoolYear(startYear int) Period {
	return Period{NewDate(startYear, time.August, 1), NewDate(startYear+1, time.June, 30)}
}

// SchoolYearOf is the school year that d falls in; July belongs to the
// school year that starts the next month.
func SchoolYearOf(d Date) Period {
	if d.Month() >= time.July {
		return SchoolYear(d.Year())
	}
	return SchoolYear(d.Year() - 1)
}
