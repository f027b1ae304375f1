package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Column is one column of a table: its heading and width. A column that
// grows (names, schools, districts: text of no set length) shares the
// width the table has beyond its columns' widths with the other growing
// ones, in proportion to their widths; with none, the last column takes it.
type Column struct {
	Title string
	Width float32
	Grow  bool
}

// growingColumns are a table's columns with their widths now: the
// growing ones take the width the table has beyond the columns' widths.
type growingColumns struct {
	cols   []Column
	widths []float32 // the columns' widths now, growing ones grown
}

func newGrowingColumns(cols []Column) growingColumns {
	return growingColumns{cols: cols, widths: widths(cols, 0)}
}

// setWidths gives t's columns their widths now.
func (g *growingColumns) setWidths(t *widget.Table) {
	for i, w := range g.widths {
		t.SetColumnWidth(i, w)
	}
}

// fit grows the growing columns of t to a table of size, or narrows
// them, down to half, in a table narrower than its columns (as
// ColumnsLayout does), changing only the widths that change. A table
// narrower than its columns scrolled sideways, and a scroll of a few
// units cut the start of every name in the first column.
func (g *growingColumns) fit(t *widget.Table, size fyne.Size) {
	gaps := float32(len(g.cols)) * t.Theme().Size(theme.SizeNamePadding)
	for i, w := range shrunk(g.cols, size.Width-gaps) {
		if w != g.widths[i] {
			g.widths[i] = w
			t.SetColumnWidth(i, w)
		}
	}
}

// widths are the columns' widths in a table of width total, the space
// between cells left out.
func widths(cols []Column, total float32) []float32 {
	w := make([]float32, len(cols))
	var sum, growing float32
	for i, c := range cols {
		w[i] = c.Width
		sum += c.Width
		if c.Grow {
			growing += c.Width
		}
	}
	extra := total - sum
	switch {
	case extra <= 0 || len(w) == 0:
	case growing == 0:
		w[len(w)-1] += extra
	default:
		for i, c := range cols {
			if c.Grow {
				w[i] += extra * c.Width / growing
			}
		}
	}
	return w
}

// shrunk are the columns' widths in a row of width total that may be
// narrower than their widths: the growing columns give up what is
// missing, in proportion to their widths, down to half of them, so that
// a window shrunk to fit a small screen at 150% still shows every column.
func shrunk(cols []Column, total float32) []float32 {
	w := widths(cols, total)
	var sum, growing float32
	for i, c := range cols {
		sum += w[i]
		if c.Grow {
			growing += c.Width
		}
	}
	if missing := sum - total; missing > 0 && growing > 0 {
		for i, c := range cols {
			if c.Grow {
				w[i] -= min(missing, growing/2) * c.Width / growing
			}
		}
	}
	return w
}

// Truncation is how a cell of the width given ends its text: clipped
// when it fits, else with an ellipsis, which tells the reader there is
// more. Fyne shapes an ellipsis afresh at every layout, which made a
// student's detail take 40 ms with every cell ellipsized; a text's
// measure is cached.
func Truncation(text string, style fyne.TextStyle, width float32) fyne.TextTruncation {
	if fyne.MeasureText(text, theme.TextSize(), style).Width+2*theme.InnerPadding() > width {
		return fyne.TextTruncateEllipsis
	}
	return fyne.TextTruncateClip
}

// ColumnsLayout places objects side by side in the widths of the columns,
// growing ones wider in a wider container and narrower, down to half, in
// a narrower one. A label cut short there ends
// in an ellipsis.
func ColumnsLayout(cols []Column) fyne.Layout {
	return &columnsLayout{cols: cols}
}

type columnsLayout struct {
	cols []Column
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, w := range shrunk(l.cols, size.Width) {
		o := objs[i]
		if lbl, ok := o.(*widget.Label); ok && lbl.Truncation != fyne.TextTruncateOff {
			if t := Truncation(lbl.Text, lbl.TextStyle, w); t != lbl.Truncation {
				lbl.Truncation = t
				lbl.Refresh()
			}
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		if l.cols[i].Grow {
			s.Width += l.cols[i].Width / 2
		} else {
			s.Width += l.cols[i].Width
		}
		s.Height = max(s.Height, o.MinSize().Height)
	}
	return s
}

// HeaderRow is the bold headings of the columns on the header background.
func HeaderRow(cols []Column) fyne.CanvasObject {
	head := make([]fyne.CanvasObject, len(cols))
	for i, c := range cols {
		head[i] = widget.NewLabelWithStyle(c.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	return container.NewStack(bg, container.New(ColumnsLayout(cols), head...))
}

// GridTable shows a few rows of text under bold headings, in columns wide
// enough to read. It is for short lists (a student's enrollments and
// programs); long lists use a virtualized widget.Table. Only a cell cut
// short ends in an ellipsis (see truncation).
type GridTable struct {
	cols  []Column
	empty string
	rows  *fyne.Container
	obj   fyne.CanvasObject
}

// NewGridTable is an empty table of the columns; empty is what it says
// while it has no rows.
func NewGridTable(cols []Column, empty string) *GridTable {
	g := &GridTable{cols: cols, empty: empty, rows: container.NewVBox()}
	g.obj = container.NewVBox(HeaderRow(cols), g.rows)
	return g
}

// Object is the table to put on screen.
func (g *GridTable) Object() fyne.CanvasObject { return g.obj }

// SetRows replaces the rows; each row has one text per column.
func (g *GridTable) SetRows(rows [][]string) {
	if len(rows) == 0 {
		l := widget.NewLabel(g.empty)
		l.Wrapping = fyne.TextWrapWord
		g.rows.Objects = []fyne.CanvasObject{l}
		g.rows.Refresh()
		return
	}
	objs := make([]fyne.CanvasObject, len(rows))
	for r, row := range rows {
		cells := make([]fyne.CanvasObject, len(row))
		for i, text := range row {
			l := widget.NewLabel(text)
			l.Truncation = fyne.TextTruncateClip
			cells[i] = l
		}
		objs[r] = container.New(ColumnsLayout(g.cols), cells...)
	}
	g.rows.Objects = objs
	g.rows.Refresh()
}

// Cell is the text at a row and column.
func (g *GridTable) Cell(row, col int) string {
	return g.rows.Objects[row].(*fyne.Container).Objects[col].(*widget.Label).Text
}

// Len is the number of rows.
func (g *GridTable) Len() int {
	if len(g.rows.Objects) == 1 {
		if _, ok := g.rows.Objects[0].(*widget.Label); ok {
			return 0
		}
	}
	return len(g.rows.Objects)
}
