package gui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/gui/widgets"
)

// The pieces every screen draws its text with, so that headings, notes
// and errors look the same everywhere.

func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// border is container.NewBorder with its parts in reading order: top,
// left, centre, right, bottom. Tab goes through a container's objects in
// their order, and container.NewBorder puts the centre first: Tab went to
// a student's record cards before the buttons above them, and to a screen
// before the toolbar over it.
func border(top, bottom, left, right fyne.CanvasObject, center ...fyne.CanvasObject) *fyne.Container {
	var all []fyne.CanvasObject
	for _, o := range []fyne.CanvasObject{top, left} {
		if o != nil {
			all = append(all, o)
		}
	}
	all = append(all, center...)
	for _, o := range []fyne.CanvasObject{right, bottom} {
		if o != nil {
			all = append(all, o)
		}
	}
	return container.New(&readingBorder{border: layout.NewBorderLayout(top, bottom, left, right),
		edges: [4]fyne.CanvasObject{top, bottom, left, right}}, all...)
}

// readingBorder is the border layout of border, which lays its objects
// out again when an edge's size changes. Fyne re-lays out, each frame,
// one container whose child changed size (the last it finds): with the
// centre after the top, the search's results refilled in the frame its
// hint grew a line took that turn, and the table was drawn over the
// hint's last line and the Results heading. The canvas asks every
// container its MinSize each frame, which is where the change is seen.
type readingBorder struct {
	border fyne.Layout
	edges  [4]fyne.CanvasObject // top, bottom, left, right; nil where none

	laid  bool // laid out once: the size is known
	size  fyne.Size
	sizes [4]fyne.Size // the edges' sizes when last laid out
}

func (l *readingBorder) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.laid, l.size, l.sizes = true, size, l.edgeSizes()
	l.border.Layout(objects, size)
}

func (l *readingBorder) MinSize(objects []fyne.CanvasObject) fyne.Size {
	if l.laid && l.edgeSizes() != l.sizes {
		l.Layout(objects, l.size)
	}
	return l.border.MinSize(objects)
}

// edgeSizes are the minimum sizes of the edges shown.
func (l *readingBorder) edgeSizes() [4]fyne.Size {
	var out [4]fyne.Size
	for i, e := range l.edges {
		if e != nil && e.Visible() {
			out[i] = e.MinSize()
		}
	}
	return out
}

// labeled puts a field's name above it.
func labeled(name string, field fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), field)
}

// field is a form field with its name above and its error below.
func field(name string, input fyne.CanvasObject, errLabel fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), input, errLabel)
}

// inlineField is field with the name before the input, on its line: a
// line less, where the height is short.
func inlineField(name string, input fyne.CanvasObject, errLabel *widget.Label) fyne.CanvasObject {
	label := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVBox(border(nil, nil, label, nil, input), errLabel)
}

func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// dim is a line of secondary text, such as where the database is.
func dim(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// errorLabel is the red sentence beside a field; hidden while empty.
func errorLabel() *widget.Label {
	l := wrapped("")
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

// pastedPath is a file's or folder's path as typed or pasted: without
// the spaces around it, nor the quotes of Windows's Copy as path.
func pastedPath(text string) string {
	return strings.Trim(strings.TrimSpace(text), `"`)
}

// oneLineKept is l with a line of room kept while l is hidden: an error
// that comes and goes moves nothing below it, unless it needs two lines.
func oneLineKept(l *widget.Label) fyne.CanvasObject {
	return container.NewStack(widget.NewLabel(" "), l)
}

func setError(l *widget.Label, msg string) {
	l.SetText(sentence(msg))
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

func sentence(s string) string { return widgets.Sentence(s) }

// enable enables or disables a control.
func enable(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// note is a paragraph on a pale warning background with an icon, for
// what the user must know before anything else on the screen: that a
// window is a preview, that records cannot be changed here.
func note(icon fyne.Resource, text *widget.Label) fyne.CanvasObject {
	text.Wrapping = fyne.TextWrapWord
	text.Importance = widget.WarningImportance
	bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameWarning), noteWash))
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(bg, border(nil, nil, container.NewPadded(widget.NewIcon(icon)), nil, text))
}

// noteWash is the alpha of a note's pale warning background.
const noteWash = 0x30

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// Badge colours dark enough for white text to read on them, in the light
// theme and the dark.
var (
	badgeOrange = color.NRGBA{R: 0xc2, G: 0x4e, B: 0x00, A: 0xff}
	badgeGreen  = color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
	badgeRed    = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
)

// demoBanner marks a window that shows generated demo data, so that no one
// takes it for real students.
func demoBanner() fyne.CanvasObject {
	bg := canvas.NewRectangle(badgeOrange)
	text := canvas.NewText("DEMO DATA — not real students", color.White)
	text.TextStyle = fyne.TextStyle{Bold: true}
	text.TextSize = theme.TextSize() * 1.2
	text.Alignment = fyne.TextAlignCenter
	return container.NewStack(bg, container.NewPadded(text))
}

// lower starts a text with a small letter, to use it mid-sentence.
func lower(s string) string {
	r := []rune(s)
	if len(r) > 0 && r[0] >= 'A' && r[0] <= 'Z' {
		r[0] += 'a' - 'A'
	}
	return string(r)
}

// capital starts a text with a capital letter.
func capital(s string) string {
	r := []rune(s)
	if len(r) > 0 && r[0] >= 'a' && r[0] <= 'z' {
		r[0] -= 'a' - 'A'
	}
	return string(r)
}

// regionName is how a region reads: "Central region" from the names the
// database holds by code, "region C" for a code it has no name for.
func regionName(names map[string]string, code string) string {
	return data.RegionNames(names).Of(code)
}

// smallScreen is what the smallest screen the app is used on leaves a
// window, in Fyne units: a 1366×768 laptop at 150% display scaling,
// 910×512 units, less a taskbar (72 px) and a title bar (45 px). No
// window may need more: the rest would be off the screen.
var smallScreen = fyne.NewSize(900, 430)

// firstSize is a window's size at its first opening, before the person
// has sized it, its menu bar included: with a Windows title bar (31 px
// at 100%) and taskbar (48 px) it must fit both a 1366×768 laptop at
// 100% and the common 1920×1080 laptop at 150% (1280×720 units), on
// each of which 1280×700 hid the status bar under the taskbar. A size
// the person leaves a window at is kept (windowSize); the smallest
// screens at 150% get a window larger than theirs at first
// (smallScreen is what the windows shrink to).
var firstSize = fyne.NewSize(1260, 630)

// menuBarHeight is what Fyne's menu bar, drawn in the window on Linux
// and Windows above its content, takes of the window's height: a line of
// text and its padding.
func menuBarHeight() float32 { return widget.NewLabel("File").MinSize().Height }

// fourRows gives a table at least the height of its header and four
// rows of text: a screen that scrolls in a short window shows that much
// of its table rather than a row.
func fourRows(table fyne.CanvasObject) fyne.CanvasObject {
	return sized(table, 0, 5*widget.NewLabel("").MinSize().Height)
}

// sized gives o at least the width and height given, so that a dialog
// showing it opens at a readable size.
func sized(o fyne.CanvasObject, width, height float32) fyne.CanvasObject {
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(width, height))
	return container.NewStack(r, o)
}

// col is a table column of a heading and a width.
func col(title string, width float32) widgets.Column {
	return widgets.Column{Title: title, Width: width}
}

// growing is a column of text of no set length (a name, a school, a
// district), which takes its share of a table wider than its columns.
func growing(title string, width float32) widgets.Column {
	return widgets.Column{Title: title, Width: width, Grow: true}
}

// halves lays out two columns side by side, of equal widths where the
// window has the room; in a narrower one the right column keeps its
// minimum width and the left one, which scrolls, takes what is left. A
// grid of two columns needed twice the wider one, and the report
// screen, 1125 units, did not fit a small screen at 150%.
type halves struct{}

func (halves) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	right := max((size.Width-pad)/2, objs[1].MinSize().Width)
	left := max(0, size.Width-pad-right)
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(left, size.Height))
	objs[1].Move(fyne.NewPos(left+pad, 0))
	objs[1].Resize(fyne.NewSize(right, size.Height))
}

func (halves) MinSize(objs []fyne.CanvasObject) fyne.Size {
	l, r := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(l.Width+theme.Padding()+r.Width, max(l.Height, r.Height))
}
