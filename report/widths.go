package report

import (
	"strings"
	"unicode/utf8"
)

// columnFit sizes a workbook's columns to their content: each column as
// wide as its longest value and its header on at most two lines, with
// room for the filter button (headers wrap, so a date column is not as
// wide as "Last Qualifying Arrival Date"), and no wider than maxColumnWidth
// (a longer value is cut on screen and whole in its cell).
type columnFit struct {
	headers []string
	longest []int // in characters
}

// maxColumnWidth bounds a column's width, in characters, so that one
// long value does not push the rest of a sheet off the screen.
const maxColumnWidth = 60

func newColumnFit(headers []string) *columnFit {
	longest := make([]int, len(headers))
	for i, name := range headers {
		half := (utf8.RuneCountInString(name) + 1) / 2
		for _, word := range strings.Fields(name) {
			half = max(half, utf8.RuneCountInString(word))
		}
		longest[i] = half + 3
	}
	return &columnFit{headers: headers, longest: longest}
}

// fit widens column i to hold s.
func (c *columnFit) fit(i int, s string) {
	c.longest[i] = max(c.longest[i], utf8.RuneCountInString(s))
}

// widths are the columns' widths, in Excel's units.
func (c *columnFit) widths() []float64 {
	out := make([]float64, len(c.longest))
	for i, l := range c.longest {
		out[i] = columnWidth(l)
	}
	return out
}

// columnWidth is the width, in Excel's units, that shows n characters.
func columnWidth(n int) float64 {
	return min(float64(n)*1.15+2, maxColumnWidth)
}

// headerHeight is the header row's height in points: two lines when any
// header wraps.
func (c *columnFit) headerHeight() float64 {
	for i, name := range c.headers {
		if float64(utf8.RuneCountInString(name)+3)*1.15+2 > columnWidth(c.longest[i]) {
			return 32
		}
	}
	return 17
}
