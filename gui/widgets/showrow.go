package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ShowRow scrolls t so that the cell id, and the whole of its row, is in
// view below the header row. Fyne 2.7 Table.ScrollTo counts the header
// row's height into a row's place (fyne-io/fyne#6505, open): a row above
// the view, or half under the header, was left under the header, row 0
// always. A row scrolled to from below lands in view, one header too far,
// which harms nothing. The row above id is scrolled to next, through the
// same fault: its place, counted one header too low, is still above the
// top of id, since a row is at least as high as the header (Fyne makes
// every row as high as the header template), so the top of id comes into
// view. A view less than two rows high has no room for that: there the
// row is put at the top, the table scrolled back to its first column.
// Every table with a header row is scrolled here, the keyboard and the
// screens that choose a row alike.
func ShowRow(t *widget.Table, id widget.TableCellID) {
	t.ScrollTo(id)
	if !t.ShowHeaderRow {
		return
	}
	header := headerHeight(t)
	row := max(t.CreateCell().MinSize().Height, header)
	pad := theme.Padding()
	switch {
	case t.Size().Height-header < 2*row+pad:
		t.ScrollToOffset(fyne.NewPos(0, float32(max(id.Row, 0))*(row+pad)))
	case id.Row <= 0:
		// ScrollToTop leaves the view where it was until it is next
		// refreshed; the ScrollTo after it refreshes it, and, the offset
		// now 0, moves it no further.
		t.ScrollToTop()
		t.ScrollTo(id)
	default:
		t.ScrollTo(widget.TableCellID{Row: id.Row - 1, Col: id.Col})
	}
}

// headerHeight is the height of t's header row, made as Fyne makes it.
func headerHeight(t *widget.Table) float32 {
	if t.CreateHeader != nil {
		return t.CreateHeader().MinSize().Height
	}
	return widget.NewLabelWithStyle("00", fyne.TextAlignCenter, fyne.TextStyle{Bold: true}).MinSize().Height
}
