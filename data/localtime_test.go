package data

import (
	"testing"
	"time"
)

// Stored times are UTC; people read them on their own clock. 02:30 UTC
// on the 30th is still the 29th in Texas.
func TestTimesReadOnTheLocalClock(t *testing.T) {
	defer func(l *time.Location) { time.Local = l }(time.Local)
	time.Local = time.FixedZone("CST", -6*3600)
	ts := "2026-11-30T02:30:00Z"
	if got := DayOf(ts); got != "11/29/2026" {
		t.Errorf("DayOf(%s) = %s", ts, got)
	}
	if got := LocalTime(ts); got != "11/29/2026 8:30 PM" {
		t.Errorf("LocalTime(%s) = %s", ts, got)
	}
	for in, want := range map[string]string{"2026-11-30": "11/30/2026", "": "", "soon": "soon"} {
		if got := LocalTime(in); got != want {
			t.Errorf("LocalTime(%q) = %q, want %q", in, got, want)
		}
	}
}
