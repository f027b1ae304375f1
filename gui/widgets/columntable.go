package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ColumnTable is a widget.Table with a header row whose growing columns
// take the width the table has beyond its columns' widths, as RowTable's
// do: a long list in a wider window shows long names and schools whole.
type ColumnTable struct {
	widget.Table
	cols   []Column
	widths []float32 // the columns' widths now, growing ones grown
}

// NewColumnTable is a table with a header row in the columns given, its
// cells made and filled as widget.NewTableWithHeaders does.
func NewColumnTable(cols []Column, length func() (int, int), create func() fyne.CanvasObject,
	update func(widget.TableCellID, fyne.CanvasObject)) *ColumnTable {
	t := &ColumnTable{cols: cols, widths: widths(cols, 0)}
	t.Length, t.CreateCell, t.UpdateCell = length, create, update
	t.ShowHeaderRow = true
	t.ExtendBaseWidget(t)
	for i, w := range t.widths {
		t.SetColumnWidth(i, w)
	}
	return t
}

// Resize gives the growing columns the width the table has beyond its
// columns' widths.
func (t *ColumnTable) Resize(size fyne.Size) {
	gaps := float32(len(t.cols)) * t.Theme().Size(theme.SizeNamePadding)
	for i, w := range widths(t.cols, size.Width-gaps) {
		if w != t.widths[i] {
			t.widths[i] = w
			t.SetColumnWidth(i, w)
		}
	}
	t.Table.Resize(size)
}
