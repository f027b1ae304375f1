package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SortHeader is a column heading of a widget.Table that sorts the table
// when clicked. The table reuses headings for other columns as it
// scrolls, so the column is set with the text (Set, from the table's
// UpdateHeader).
//
// The heading of the column the table is sorted by is in the primary
// colour, with a small arrow of the order above its title, as Windows
// Explorer shows it: an arrow after the title took the width of two
// letters, and in a column as wide as its dates ("Withdrawn") the title
// was cut to "Withdra…" and the arrow lost, so nothing said which column
// the list was sorted by.
type SortHeader struct {
	widget.BaseWidget
	label *widget.Label
	mark  *canvas.Image
	col   int
	order Order
	onTap func(col int)
}

// Order is the order a column is sorted in, if it is.
type Order int

// The orders of a column.
const (
	Unsorted Order = iota
	Ascending
	Descending
)

// NewSortHeader is a heading that calls onTap with its column.
func NewSortHeader(onTap func(col int)) *SortHeader {
	h := &SortHeader{label: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), onTap: onTap}
	h.label.Truncation = fyne.TextTruncateEllipsis
	h.mark = canvas.NewImageFromResource(nil)
	h.mark.FillMode = canvas.ImageFillContain
	h.mark.Hide()
	h.ExtendBaseWidget(h)
	return h
}

// Set makes the heading that of column col, titled title, sorted in the
// order given.
func (h *SortHeader) Set(col int, title string, order Order) {
	h.col, h.order = col, order
	h.label.Importance = widget.MediumImportance
	h.mark.Hidden = order == Unsorted
	switch order {
	case Ascending:
		h.mark.Resource = theme.NewPrimaryThemedResource(theme.MenuDropUpIcon())
	case Descending:
		h.mark.Resource = theme.NewPrimaryThemedResource(theme.MenuDropDownIcon())
	}
	if order != Unsorted {
		h.label.Importance = widget.HighImportance
	}
	h.label.Text = title
	h.label.Refresh()
	h.mark.Refresh()
}

// Column is the column the heading is of.
func (h *SortHeader) Column() int { return h.col }

// Text is the title of the heading.
func (h *SortHeader) Text() string { return h.label.Text }

// Order is the order the heading's column is sorted in.
func (h *SortHeader) Order() Order { return h.order }

// Mark is the arrow of the order, hidden while the column is not the
// one sorted by.
func (h *SortHeader) Mark() fyne.CanvasObject { return h.mark }

func (h *SortHeader) CreateRenderer() fyne.WidgetRenderer {
	return &sortHeaderRenderer{h: h, objects: []fyne.CanvasObject{h.label, h.mark}}
}

// Tapped sorts by the column.
func (h *SortHeader) Tapped(*fyne.PointEvent) { h.onTap(h.col) }

// Cursor shows the hand, as over a button.
func (h *SortHeader) Cursor() desktop.Cursor { return desktop.PointerCursor }

// markSize is the side of the arrow's icon. Fyne's arrow fills about
// the middle fifth of its icon's height, from 0.375 of it (up) or 0.42
// (down): the icon is placed so that the arrow itself sits in the
// padding above the title.
const markSize = 28

type sortHeaderRenderer struct {
	h       *SortHeader
	objects []fyne.CanvasObject
}

func (r *sortHeaderRenderer) Layout(size fyne.Size) {
	r.h.label.Move(fyne.NewPos(0, 0))
	r.h.label.Resize(size)
	r.h.mark.Resize(fyne.NewSize(markSize, markSize))
	r.h.mark.Move(fyne.NewPos((size.Width-markSize)/2, -markSize*0.36))
}

func (r *sortHeaderRenderer) MinSize() fyne.Size { return r.h.label.MinSize() }

func (r *sortHeaderRenderer) Refresh() {
	r.h.label.Refresh()
	r.h.mark.Refresh()
}

func (r *sortHeaderRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *sortHeaderRenderer) Destroy() {}
