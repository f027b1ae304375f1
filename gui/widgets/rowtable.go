package widgets

import (
	"image/color"

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
		return newRowCell(l)
	}
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		c := o.(*fyne.Container)
		// The table reuses a cell for any column once it scrolls, and
		// sizes it before this: a cell that now begins or ends the row,
		// or no longer does, is laid out again for its part of the ring.
		if c.Layout.(*rowCell).show(t.focused && id.Row == t.row, id.Col == 0, id.Col == len(cols)-1) {
			c.Layout.Layout(c.Objects, c.Size())
		}
		l := c.Objects[len(c.Objects)-1].(*widget.Label)
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

// rowCell lays out a cell of a RowTable and its part of the highlighted
// row: the selection tint, and the focus ring as one outline round the
// whole row. The tint alone is faint; a ring drawn round each cell
// outlined every cell, and the eye read cells, not a row. Each cell
// draws the ring's top and bottom edges across the gap to its neighbours
// (the table leaves the padding between cells, where it draws its
// dividers, beneath the cells), the first cell the left edge and the
// last the right; the tint spans the gaps too, so the row reads as one
// band.
type rowCell struct {
	fill        *canvas.Rectangle
	edges       [4]*canvas.Rectangle // top, bottom, left, right
	first, last bool
}

// newRowCell is a cell showing label, its highlight hidden.
func newRowCell(label fyne.CanvasObject) *fyne.Container {
	r := &rowCell{fill: canvas.NewRectangle(color.Transparent)}
	objs := []fyne.CanvasObject{r.fill}
	for i := range r.edges {
		r.edges[i] = canvas.NewRectangle(color.Transparent)
		objs = append(objs, r.edges[i])
	}
	r.show(false, false, false)
	return container.New(r, append(objs, label)...)
}

// show highlights the cell as part of the row the keyboard is on, or
// not; first and last say whether the cell begins or ends the row. It
// reports whether they changed, and with them where the highlight goes.
func (r *rowCell) show(lit, first, last bool) (moved bool) {
	moved = r.first != first || r.last != last
	r.first, r.last = first, last
	r.fill.FillColor = theme.Color(theme.ColorNameSelection)
	r.fill.Hidden = !lit
	r.fill.Refresh()
	ring := FocusRingColor(theme.Current(), fyne.CurrentApp().Settings().ThemeVariant())
	for i, e := range r.edges {
		e.FillColor = ring
		e.Hidden = !lit || (i == 2 && !first) || (i == 3 && !last)
		e.Refresh()
	}
	return moved
}

func (r *rowCell) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	gap := theme.Padding()
	left, right := gap/2, gap-gap/2
	if r.first {
		left = 0
	}
	if r.last {
		right = 0
	}
	across := fyne.NewSize(size.Width+left+right, focusRingWidth)
	place := func(o fyne.CanvasObject, x, y float32, s fyne.Size) {
		o.Move(fyne.NewPos(x, y))
		o.Resize(s)
	}
	place(r.fill, -left, 0, fyne.NewSize(across.Width, size.Height))
	place(r.edges[0], -left, 0, across)
	place(r.edges[1], -left, size.Height-focusRingWidth, across)
	place(r.edges[2], 0, 0, fyne.NewSize(focusRingWidth, size.Height))
	place(r.edges[3], size.Width-focusRingWidth, 0, fyne.NewSize(focusRingWidth, size.Height))
	place(objs[len(objs)-1], 0, 0, size)
}

func (r *rowCell) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return objs[len(objs)-1].MinSize()
}
