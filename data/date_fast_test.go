package data

import (
	"fmt"
	"strings"
	"testing"
)

func TestISODate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
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
				want, err := parseDate(s)
				if ok && (err != nil || got != want) {
					t.Errorf("isoDate(%q) = %v, parseDate gives %v, %v", s, got, want, err)
				}
			}
		}
	}
}

// TestParseDateIsItsRule: every day of the years a date can have and of
// their edges, other spellings, blanks and wrong dates read through the
// fast path as the general rule reads them, errors included.
func TestParseDateIsItsRule(t *testing.T) {
	var in []string
	for _, y := range []int{1899, 1900, 1999, 2000, 2012, 2024, 2100, 2199, 2200} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				in = append(in, fmt.Sprintf("%04d-%02d-%02d", y, m, d))
			}
		}
	}
	in = append(in, "", " ", "2012-3-04", "03/04/2012", "2012-03-04 ", " 2012-03-04", "2012-03-0a",
		"20120-3-04", "2012/03/04", "+012-03-04", "2012-03--4", "2012-0304x", "９９９９-03-04", "2012-03-04x",
		"          ", "\t         ", "  2012-3-4")
	for _, s := range in {
		want, wantErr := parseDate(s)
		got, err := ParseDate(s)
		if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("%q: ParseDate gives %v, %v; parseDate %v, %v", s, got, err, want, wantErr)
		}
		if strings.TrimSpace(s) == "" {
			want, wantErr = 0, nil
		}
		got, err = ParseOptionalDate(s)
		if got != want || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("%q: ParseOptionalDate gives %v, %v; parseDate %v, %v", s, got, err, want, wantErr)
		}
	}
}
