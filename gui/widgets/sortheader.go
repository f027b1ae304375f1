package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// SortHeader is a column heading of a widget.Table that sorts the table
// when clicked. The table reuses headings for other columns as it
// scrolls, so the column is set with the text (Set, from the table's
// UpdateHeader).
type SortHeader struct {
	widget.BaseWidget
	label *widget.Label
	col   int
	onTap func(col int)
}

// NewSortHeader is a heading that calls onTap with its column.
func NewSortHeader(onTap func(col int)) *SortHeader {
	h := &SortHeader{label: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), onTap: onTap}
	h.label.Truncation = fyne.TextTruncateEllipsis
	h.ExtendBaseWidget(h)
	return h
}

// Set makes the heading that of column col, reading text.
func (h *SortHeader) Set(col int, text string) {
	h.col = col
	h.label.SetText(text)
}

// Column is the column the heading is of.
func (h *SortHeader) Column() int { return h.col }

// Text is what the heading reads.
func (h *SortHeader) Text() string { return h.label.Text }

func (h *SortHeader) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(h.label) }

// Tapped sorts by the column.
func (h *SortHeader) Tapped(*fyne.PointEvent) { h.onTap(h.col) }

// Cursor shows the hand, as over a button.
func (h *SortHeader) Cursor() desktop.Cursor { return desktop.PointerCursor }
