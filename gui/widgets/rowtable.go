package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// RowTable is a table of whole rows, such as search results, that the
// keyboard works as well as the mouse: Tab reaches it, Up and Down move a
// highlighted row, Enter or Space opens it, and a click opens the row
// clicked. widget.Table moves a focused cell, drawn as a faint outline on
// one cell, and Space selects it; a person scanning results reads rows.
type RowTable struct {
	widget.Table
	// OnActivate opens a row: clicked, or Enter on the highlighted row.
	OnActivate func(row int)

	win  fyne.Window
	rows func() int
	growingColumns
	row     int // the highlighted row
	focused bool
}

// NewRowTable is a table, in window win, of rows() rows in the columns
// given; cell is the text of one cell.
func NewRowTable(win fyne.Window, rows func() int, cols []Column, cell func(row, col int) string) *RowTable {
	t := &RowTable{win: win, rows: rows, growingColumns: newGrowingColumns(cols)}
	t.Length = func() (int, int) { return rows(), len(cols) }
	t.CreateCell = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateClip
		bg := canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
		return container.NewStack(bg, l)
	}
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		c := o.(*fyne.Container)
		bg := c.Objects[0].(*canvas.Rectangle)
		bg.FillColor = theme.Color(theme.ColorNameSelection)
		// The selection tint alone is faint; the ring, cell by cell,
		// outlines the row between the table's dividers.
		bg.StrokeColor = FocusRingColor(theme.Current(), fyne.CurrentApp().Settings().ThemeVariant())
		bg.StrokeWidth = focusRingWidth
		bg.Hidden = !t.focused || id.Row != t.row
		bg.Refresh()
		l := c.Objects[1].(*widget.Label)
		text := cell(id.Row, id.Col)
		l.Truncation = Truncation(text, l.TextStyle, t.widths[id.Col])
		l.SetText(text)
	}
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(cols[id.Col].Title)
		}
	}
	t.OnSelected = func(id widget.TableCellID) {
		t.UnselectAll()
		t.row = id.Row
		t.Refresh()
		if t.OnActivate != nil && id.Row >= 0 && id.Row < rows() {
			t.OnActivate(id.Row)
		}
	}
	t.ExtendBaseWidget(t)
	t.setWidths(&t.Table)
	return t
}

// Resize gives the growing columns the width the table has beyond its
// columns' widths.
func (t *RowTable) Resize(size fyne.Size) {
	t.fit(&t.Table, size)
	t.Table.Resize(size)
}

// Tapped gives the table the keyboard in its window, then highlights and
// opens the row clicked, for the arrows to go on from it. widget.Table
// looks its canvas up by its own pointer, of which the app's driver knows
// no canvas once another widget extends it: a click left the keys where
// they were. The focus comes first, so that a row opened in a dialog
// gives the keys back to the table when the dialog closes, and a row
// opened in another screen keeps the focus that screen gives.
func (t *RowTable) Tapped(ev *fyne.PointEvent) {
	if !fyne.CurrentDevice().IsMobile() {
		t.win.Canvas().Focus(t)
	}
	t.Table.Tapped(ev)
}

// Row is the highlighted row.
func (t *RowTable) Row() int { return t.row }

// Reset highlights the first row and scrolls to it, for new contents.
func (t *RowTable) Reset() {
	t.row = 0
	t.ScrollToTop()
	t.Refresh()
}

// Keep highlights row for rows read anew, such as the same record found
// again after a refresh: the view stays where it was, moving only to keep
// the row in view while the table has the keyboard.
func (t *RowTable) Keep(row int) {
	t.row = max(0, min(t.rows()-1, row))
	if t.focused && t.rows() > 0 {
		ShowRow(&t.Table, widget.TableCellID{Row: t.row, Col: 0})
	}
	t.Refresh()
}

// FocusGained shows the highlighted row. The table's own focus marker,
// a cell outline, is left off: it would mark another cell than the row.
func (t *RowTable) FocusGained() {
	t.focused = true
	t.Refresh()
}

// FocusLost hides the highlight: the keyboard is elsewhere.
func (t *RowTable) FocusLost() {
	t.focused = false
	t.Refresh()
}

// Focused reports whether the table has the keyboard.
func (t *RowTable) Focused() bool { return t.focused }

// TypedKey moves the highlighted row with Up, Down, Page Up, Page Down,
// Home and End, and opens it with Enter or Space.
func (t *RowTable) TypedKey(ev *fyne.KeyEvent) {
	n := t.rows()
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace:
		if t.OnActivate != nil && t.row >= 0 && t.row < n {
			t.OnActivate(t.row)
		}
		return
	}
	row, ok := RowKey(ev.Name, t.row, n)
	if !ok {
		t.Table.TypedKey(ev) // Left and Right scroll the columns
		return
	}
	if n == 0 {
		return
	}
	t.row = row
	ShowRow(&t.Table, widget.TableCellID{Row: t.row, Col: 0})
	t.Refresh()
}

// RowKey is the row of n that a key moves a table of rows to from row:
// Up and Down one row, Page Up and Page Down ten, Home and End the first
// and the last. ok is false for any other key. Every table worked by the
// row moves by these keys alike.
func RowKey(key fyne.KeyName, row, n int) (to int, ok bool) {
	move := 0
	switch key {
	case fyne.KeyDown:
		move = 1
	case fyne.KeyUp:
		move = -1
	case fyne.KeyPageDown:
		move = 10
	case fyne.KeyPageUp:
		move = -10
	case fyne.KeyHome:
		move = -n
	case fyne.KeyEnd:
		move = n
	default:
		return row, false
	}
	return max(0, min(n-1, row+move)), true
}
