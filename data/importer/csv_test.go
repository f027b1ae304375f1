package importer

import (
	"fmt"
	"testing"

	"migrantdesk/data"
)

func TestISODate(t *testing.T) {
	tests := []struct {
		in   string
		want data.Date
		ok   bool
	}{
		{"2024-02-28", 20240228, true},
		{"1900-01-01", 19000101, true},
		{"2199-12-28", 21991228, true},
		{"2024-02-29", 0, false}, // left to ParseDate: days past 28
		{"2024-12-31", 0, false},
		{"1899-12-01", 0, false},
		{"2200-01-01", 0, false},
		{"2024-00-10", 0, false},
		{"2024-13-10", 0, false},
		{"2024-01-00", 0, false},
		{"2024/01/10", 0, false},
		{" 2024-01-10", 0, false},
		{"2024-1-10", 0, false},
		{"2024-0a-10", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		if got, ok := isoDate(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("isoDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestISODateAgreesWithParseDate checks the fast path against the rule it
// stands in for, over every day written every way of a few years.
func TestISODateAgreesWithParseDate(t *testing.T) {
	for _, y := range []int{1899, 1900, 2000, 2023, 2024, 2199, 2200} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				s := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
				got, ok := isoDate(s)
				want, err := data.ParseDate(s)
				if ok && (err != nil || got != want) {
					t.Errorf("isoDate(%q) = %v, ParseDate gives %v, %v", s, got, want, err)
				}
			}
		}
	}
}
