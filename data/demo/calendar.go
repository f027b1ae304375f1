package demo

import (
	"time"

	"migrantdesk/data"
)

// calendar places the two school years the extract covers around the
// reference day: the current one, which has started by today, and the
// one before it.
type calendar struct {
	today data.Date
	cur   int // the year the current school year starts in
}

func newCalendar(today data.Date) calendar {
	y := today.Year()
	// Every district has started by August 21 (see makeDistricts); before
	// that, the school year that ended in May is still the current one.
	if today < data.NewDate(y, time.August, 21) {
		y--
	}
	return calendar{today: today, cur: y}
}

// start is the year school year yi starts in: 0 the previous, 1 the current.
func (c calendar) start(yi int) int { return c.cur - 1 + yi }

// springEnd is June 30 of school year yi, when its programs end.
func (c calendar) springEnd(yi int) data.Date {
	return data.NewDate(c.start(yi)+1, time.June, 30)
}

// birthFor is a birth date for a child who is age years old on September 1
// of the current school year, the cut-off for school entry (K at 5).
func (c calendar) birthFor(r rng, age int) data.Date {
	lo := data.NewDate(c.cur-age-1, time.September, 2)
	hi := data.NewDate(c.cur-age, time.September, 1)
	return r.dateBetween(lo, hi)
}
