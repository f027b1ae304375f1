package data

import (
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "district", "1 district"}, {0, "district", "0 districts"}, {2, "copy", "2 copies"},
		{1, "discrepancy", "1 discrepancy"}, {3, "day", "3 days"}, {1204, "change", "1,204 changes"},
		{2, "match", "2 matches"}, {2, "class", "2 classes"}, {1000000, "row", "1,000,000 rows"},
	} {
		if got := Count(c.n, c.noun); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", -1000: "-1,000", -123: "-123", 123456789: "123,456,789"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestWait(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                       "1 second",
		300 * time.Millisecond:                  "1 second",
		time.Second:                             "1 second",
		39*time.Second + time.Millisecond:       "40 seconds",
		59 * time.Second:                        "59 seconds",
		time.Minute:                             "1 minute",
		time.Minute + time.Second:               "2 minutes",
		15 * time.Minute:                        "15 minutes",
		14*time.Minute + 59500*time.Millisecond: "15 minutes",
	} {
		if got := Wait(d); got != want {
			t.Errorf("Wait(%v) = %q, want %q", d, got, want)
		}
	}
}
