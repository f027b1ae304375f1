package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// ColumnTable is a widget.Table with a header row whose growing columns
// take the width the table has beyond its columns' widths, as RowTable's
// do: a long list in a wider window shows long names and schools whole.
type ColumnTable struct {
	widget.Table
	growingColumns
}

// NewColumnTable is a table with a header row in the columns given, its
// cells made and filled as widget.NewTableWithHeaders does.
func NewColumnTable(cols []Column, length func() (int, int), create func() fyne.CanvasObject,
	update func(widget.TableCellID, fyne.CanvasObject)) *ColumnTable {
	t := &ColumnTable{growingColumns: newGrowingColumns(cols)}
	t.Length, t.CreateCell, t.UpdateCell = length, create, update
	t.ShowHeaderRow = true
	t.ExtendBaseWidget(t)
	t.setWidths(&t.Table)
	return t
}

// Resize gives the growing columns the width the table has beyond its
// columns' widths.
func (t *ColumnTable) Resize(size fyne.Size) {
	t.fit(&t.Table, size)
	t.Table.Resize(size)
}
