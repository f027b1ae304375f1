package widgets

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The keyboard moves the highlighted row of a table with a header row,
// and the row it reaches must be wholly in view below the header: Fyne
// 2.7 scrolls one header too far (fyne-io/fyne#6505), which left a row
// reached from below, row 0 always, under the header.
func TestRowTableKeepsTheRowItReachesInView(t *testing.T) {
	test.NewTempApp(t)
	rows := 60
	w := test.NewTempWindow(t, nil)
	table := NewRowTable(w, func() int { return rows }, []Column{{Title: "Name", Width: 200, Grow: true}},
		func(row, _ int) string { return fmt.Sprintf("row %d", row) })
	w.SetContent(table)
	w.Resize(fyne.NewSize(400, 300))
	w.Canvas().Focus(table)
	press := func(k fyne.KeyName, times int) {
		for range times {
			table.TypedKey(&fyne.KeyEvent{Name: k})
		}
	}
	for _, step := range []struct {
		key   fyne.KeyName
		times int
		want  int
	}{
		{fyne.KeyDown, 20, 20},
		{fyne.KeyUp, 1, 19},
		{fyne.KeyUp, 19, 0},
		{fyne.KeyEnd, 1, rows - 1},
		{fyne.KeyPageUp, 2, rows - 21},
		{fyne.KeyHome, 1, 0},
		{fyne.KeyPageDown, 3, 30},
		{fyne.KeyUp, 4, 26},
	} {
		press(step.key, step.times)
		if table.Row() != step.want {
			t.Fatalf("after %s ×%d: row %d, want %d", step.key, step.times, table.Row(), step.want)
		}
		if !rowInView(table, fmt.Sprintf("row %d", step.want)) {
			t.Errorf("after %s ×%d: row %d is not wholly in view", step.key, step.times, step.want)
		}
	}
}

// A click on a row gives the table the keyboard, for the arrows to go on
// from the row clicked. widget.Table focuses itself in the canvas its
// driver finds for its own pointer: the app's driver has none for a table
// another widget extends, and Fyne's test driver answers the window made
// last, here another one, so the keys stayed where they were.
func TestRowTableClickGivesItTheKeys(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	var opened []int
	table := NewRowTable(w, func() int { return 10 }, []Column{{Title: "Name", Width: 200, Grow: true}},
		func(row, _ int) string { return fmt.Sprintf("row %d", row) })
	table.OnActivate = func(row int) { opened = append(opened, row) }
	filter := widget.NewEntry()
	w.SetContent(container.NewBorder(filter, nil, nil, nil, table))
	w.Resize(fyne.NewSize(400, 300))
	test.NewTempWindow(t, widget.NewLabel("another window"))
	w.Canvas().Focus(filter)

	// Row 2, below the header row, rows 0 and 1.
	cell := table.CreateCell().MinSize().Height + theme.Padding()
	test.TapAt(table, fyne.NewPos(50, 3.5*cell))
	if w.Canvas().Focused() != table {
		t.Fatalf("after a click on row %v, the keys are with %T", opened, w.Canvas().Focused())
	}
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if len(opened) != 1 || opened[0] != 2 || table.Row() != 3 {
		t.Errorf("clicked row %v, then Down: row %d highlighted; want row 2 opened, then row 3", opened, table.Row())
	}
}

// rowInView says a cell of text is drawn wholly inside the table, below
// its header row.
func rowInView(table *RowTable, text string) bool {
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(table).Y
	header := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Height
	for _, o := range drawn(table) {
		l, ok := o.(*widget.Label)
		if !ok || l.Text != text || !l.Visible() {
			continue
		}
		y := d.AbsolutePositionForObject(l).Y
		return y >= top+header && y+l.Size().Height <= top+table.Size().Height
	}
	return false
}

// drawn is o and what it draws, through the renderers widgets have.
func drawn(o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	var kids []fyne.CanvasObject
	switch c := o.(type) {
	case fyne.Widget:
		kids = test.WidgetRenderer(c).Objects()
	case *fyne.Container:
		kids = c.Objects
	}
	for _, k := range kids {
		out = append(out, drawn(k)...)
	}
	return out
}

// shownRing is the focus ring drawn on the list's items, nil when none.
func shownRing(l *List) *canvas.Rectangle {
	for _, o := range test.WidgetRenderer(l).Objects() {
		for _, r := range walkObjects(o) {
			if rect, ok := r.(*canvas.Rectangle); ok && rect.StrokeWidth == focusRingWidth && rect.Visible() {
				return rect
			}
		}
	}
	return nil
}

func walkObjects(o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, walkObjects(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, walkObjects(c)...)
		}
	}
	return out
}

// The ring of the item the keyboard is on stays clear of the scroll bar
// Fyne draws over the right edge of a list that scrolls (the clerk's
// Needs publishing and the publish confirmation): its right edge ran
// under the bar. A list that does not scroll keeps its ring to the edge.
func TestListRingClearsTheScrollBar(t *testing.T) {
	test.NewTempApp(t)
	n := 3
	l := NewList(func() int { return n },
		func() fyne.CanvasObject { return widget.NewLabel("Arnold, Kennedy · State ID 6017182431") },
		func(i widget.ListItemID, o fyne.CanvasObject) {})
	w := test.NewTempWindow(t, l)
	w.Resize(fyne.NewSize(400, 300))
	w.Canvas().Focus(l)
	right := func() float32 {
		r := shownRing(l)
		if r == nil {
			t.Fatal("no focus ring on the list with the keyboard")
		}
		return r.Position().X + r.Size().Width
	}
	itemWidth := l.Size().Width
	if got := right(); got < itemWidth-1 {
		t.Errorf("a list that does not scroll has its ring end at %v, not at the edge %v", got, itemWidth)
	}

	n = 40
	l.Refresh()
	key(w.Canvas(), fyne.KeyDown)
	if got, bar := right(), itemWidth-theme.ScrollBarSize(); got > bar {
		t.Errorf("in a list that scrolls the ring ends at %v, under the scroll bar from %v", got, bar)
	}
}
