package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// column is one column of a table: its heading and width.
type column struct {
	title string
	width float32
}

// columnsLayout places objects side by side in fixed widths; the last one
// also takes whatever width is left.
type columnsLayout struct {
	widths []float32
}

func (l *columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for i, o := range objs {
		w := l.widths[i]
		if i == len(objs)-1 && size.Width-x > w {
			w = size.Width - x
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (l *columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		s.Width += l.widths[i]
		s.Height = max(s.Height, o.MinSize().Height)
	}
	return s
}

// gridTable shows a few rows of text under bold headings, in columns wide
// enough to read. It is for the short lists of a student's detail
// (enrollments, programs); long lists use a virtualized widget.Table.
// Cells clip rather than end in an ellipsis: Fyne shapes an ellipsis
// afresh at every layout, which made a student's detail take 40 ms.
type gridTable struct {
	cols  []column
	empty string // shown instead of rows when there are none
	rows  *fyne.Container
	obj   fyne.CanvasObject
}

func newGridTable(cols []column) *gridTable {
	g := &gridTable{cols: cols, empty: "None.", rows: container.NewVBox()}
	head := make([]fyne.CanvasObject, len(cols))
	for i, c := range cols {
		head[i] = widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	header := container.NewStack(bg, container.New(g.layout(), head...))
	g.obj = container.NewVBox(header, g.rows)
	return g
}

func (g *gridTable) layout() fyne.Layout {
	w := make([]float32, len(g.cols))
	for i, c := range g.cols {
		w[i] = c.width
	}
	return &columnsLayout{widths: w}
}

// setRows replaces the rows; each row has one text per column.
func (g *gridTable) setRows(rows [][]string) {
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
		objs[r] = container.New(g.layout(), cells...)
	}
	g.rows.Objects = objs
	g.rows.Refresh()
}

// cell is the text at a row and column, for tests.
func (g *gridTable) cell(row, col int) string {
	return g.rows.Objects[row].(*fyne.Container).Objects[col].(*widget.Label).Text
}

// len is the number of rows.
func (g *gridTable) len() int {
	if len(g.rows.Objects) == 1 {
		if _, ok := g.rows.Objects[0].(*widget.Label); ok {
			return 0
		}
	}
	return len(g.rows.Objects)
}
