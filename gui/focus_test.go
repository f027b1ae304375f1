package gui

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/gui/widgets"
)

// luminance is WCAG 2.x relative luminance.
func luminance(c color.Color) float64 {
	r, g, b, _ := color.NRGBAModel.Convert(c).RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG 2.x contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

var variants = []struct {
	name string
	v    fyne.ThemeVariant
}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}}

// The focus ring stands out 3:1 (WCAG 2.x non-text contrast) from every
// surface it is drawn on, in each theme the app offers.
func TestFocusRingContrastsWithItsSurroundings(t *testing.T) {
	for _, vr := range variants {
		th := variantTheme{Theme: theme.DefaultTheme(), variant: vr.v, forced: true}
		ring := widgets.FocusRingColor(th, vr.v)
		for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground} {
			if c := contrast(ring, th.Color(bg, vr.v)); c < 3 {
				t.Errorf("%s theme: the focus ring is %.2f:1 against the %s colour, under 3:1", vr.name, c, bg)
			}
		}
	}
}

// A control with the keyboard looks clearly different from the same
// control without it: enough of its pixels change by 3:1 or more to make
// a line at least one pixel thick all round it (WCAG 2.4.13 asks two, of
// an indicator that contrasts 3:1 with the unfocused state). Fyne's own
// focus, a tint of the primary colour over the control, did not change a
// blue button at all.
func TestFocusShowsOnEveryControl(t *testing.T) {
	a := test.NewTempApp(t)
	importances := []struct {
		name string
		i    widget.Importance
	}{
		{"medium", widget.MediumImportance}, {"high (blue)", widget.HighImportance},
		{"danger (red)", widget.DangerImportance}, {"low", widget.LowImportance},
		{"success", widget.SuccessImportance}, {"warning", widget.WarningImportance},
	}
	for _, vr := range variants {
		a.Settings().SetTheme(variantTheme{Theme: theme.DefaultTheme(), variant: vr.v, forced: true})
		type control struct {
			name string
			make func(w fyne.Window) fyne.Focusable
		}
		var controls []control
		for _, imp := range importances {
			controls = append(controls, control{imp.name + " button", func(fyne.Window) fyne.Focusable {
				b := widgets.NewButtonWithIcon("Publish…", theme.ConfirmIcon(), func() {})
				b.Importance = imp.i
				return b
			}})
		}
		controls = append(controls,
			control{"check box", func(fyne.Window) fyne.Focusable { return widgets.NewCheck("Left the program", nil) }},
			control{"entry", func(fyne.Window) fyne.Focusable {
				e := widgets.NewEntry("Last name")
				e.SetText("Delgado")
				return e
			}},
			control{"drop-down", func(fyne.Window) fyne.Focusable {
				s := widgets.NewSelect([]string{"Light", "Dark"})
				s.SetSelected("Light")
				return s
			}},
			control{"list item", func(fyne.Window) fyne.Focusable {
				return widgets.NewList(func() int { return 3 }, func() fyne.CanvasObject { return widget.NewLabel("") },
					func(id widget.ListItemID, o fyne.CanvasObject) {
						o.(*widget.Label).SetText(fmt.Sprintf("district %d", id))
					})
			}},
			control{"table row", func(w fyne.Window) fyne.Focusable {
				return widgets.NewRowTable(w, func() int { return 3 },
					[]widgets.Column{{Title: "Name", Width: 120}, {Title: "School", Width: 120}},
					func(row, col int) string { return fmt.Sprintf("cell %d %d", row, col) })
			}},
		)
		for _, c := range controls {
			w := test.NewWindow(nil)
			f := c.make(w)
			obj := f.(fyne.CanvasObject)
			w.SetContent(container.NewWithoutLayout(obj))
			size := obj.MinSize()
			switch f.(type) {
			case *widgets.RowTable, *widgets.List:
				size = fyne.NewSize(260, 120)
			}
			obj.Resize(size)
			obj.Move(fyne.NewPos(20, 20))
			w.Resize(fyne.NewSize(size.Width+40, size.Height+40))
			before := w.Canvas().Capture()
			w.Canvas().Focus(f)
			after := w.Canvas().Capture()
			changed := strongChanges(before, after)
			// For a table or a list the row or item is what shows the
			// focus, not the whole.
			h := size.Height
			switch f.(type) {
			case *widgets.RowTable, *widgets.List:
				h = widget.NewLabel("").MinSize().Height
			}
			if want := int(2 * (size.Width + h)); changed < want {
				t.Errorf("%s theme, %s: %d pixels change 3:1 or more as it takes the focus, under the %d of a line round it",
					vr.name, c.name, changed, want)
			}
			w.Close()
		}
	}
}

// strongChanges counts the pixels that differ 3:1 or more between a and b.
func strongChanges(a, b image.Image) int {
	n := 0
	r := a.Bounds().Intersect(b.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if contrast(a.At(x, y), b.At(x, y)) >= 3 {
				n++
			}
		}
	}
	return n
}

// The buttons of the app's dialogs draw the focus ring: the district
// picker's Cancel and the blue Sign in of the password asked again were
// Fyne's own, whose focus on blue showed nothing.
func TestDialogButtonsShowTheFocus(t *testing.T) {
	plain := func(t *testing.T, u *UI) {
		t.Helper()
		top := u.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("no dialog is shown")
		}
		for _, o := range walk(top) {
			if b, ok := o.(*widget.Button); ok {
				t.Errorf("the dialog's %q button is Fyne's, which draws no focus ring", b.Text)
			}
		}
	}
	t.Run("district picker", func(t *testing.T) {
		u := start(t, districtFixture(t), Options{User: rosa})
		u.openDistrictPicker()
		u.wait()
		plain(t, u)
	})
	t.Run("password asked again", func(t *testing.T) {
		_, u := signedOutApp(t)
		press(t, u, keySync)
		plain(t, u)
	})
}

// A button with the keyboard keeps its own colour, the ring around it
// saying where the keyboard is: Fyne blended its focus tint, a blue,
// over the fill, and a red Delete turned purple, no longer the colour
// of what loses something.
func TestFocusedButtonKeepsItsColour(t *testing.T) {
	a := test.NewTempApp(t)
	for _, vr := range variants {
		a.Settings().SetTheme(variantTheme{Theme: theme.DefaultTheme(), variant: vr.v, forced: true})
		for name, imp := range map[string]widget.Importance{"red": widget.DangerImportance, "blue": widget.HighImportance,
			"green": widget.SuccessImportance, "orange": widget.WarningImportance} {
			b := widgets.NewButtonWithIcon("Delete…", theme.DeleteIcon(), func() {})
			b.Importance = imp
			w := test.NewWindow(container.NewWithoutLayout(b))
			b.Resize(b.MinSize())
			b.Move(fyne.NewPos(20, 20))
			w.Resize(fyne.NewSize(b.MinSize().Width+40, b.MinSize().Height+40))
			// Inside the fill, before the icon.
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
			x, y := int(pos.X)+3, int(pos.Y+b.Size().Height/2)
			before := w.Canvas().Capture().At(x, y)
			w.Canvas().Focus(b)
			if after := w.Canvas().Capture().At(x, y); contrast(before, after) > 1.1 {
				t.Errorf("%s theme, %s button: its fill goes from %v to %v as it takes the focus", vr.name, name, before, after)
			}
			w.Close()
		}
	}
}

// The row the keyboard is on in a table has one ring round the whole
// row: its top edge runs unbroken from the first column to the last,
// and no edge of the ring stands between two cells. A ring round each
// cell outlined cells, and the eye read cells, not a row. So it is once
// the keyboard has scrolled the table, whose cells then show other
// columns than they were made for (Fyne's table reuses them).
func TestFocusedTableRowHasOneRing(t *testing.T) {
	a := test.NewTempApp(t)
	for _, c := range []struct {
		rows, down int
		widths     [3]float32
	}{{3, 0, [3]float32{120, 120, 60}}, {100, 40, [3]float32{100, 100, 100}}} {
		for _, vr := range variants {
			th := variantTheme{Theme: theme.DefaultTheme(), variant: vr.v, forced: true}
			a.Settings().SetTheme(th)
			ring := widgets.FocusRingColor(th, vr.v)
			w := test.NewWindow(nil)
			w.SetPadded(false)
			tbl := widgets.NewRowTable(w, func() int { return c.rows },
				[]widgets.Column{{Title: "Name", Width: c.widths[0]}, {Title: "School", Width: c.widths[1]}, {Title: "Grade", Width: c.widths[2]}},
				func(row, col int) string { return fmt.Sprintf("cell %d %d", row, col) })
			w.SetContent(container.NewWithoutLayout(tbl))
			tbl.Resize(fyne.NewSize(320, 160))
			tbl.Move(fyne.NewPos(20, 20))
			w.Resize(fyne.NewSize(360, 200))
			w.Canvas().Focus(tbl)
			for range c.down {
				tbl.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
			}
			img := w.Canvas().Capture()
			isRing := func(x, y int) bool { return contrast(img.At(x, y), ring) < 1.1 }
			// The unpadded window shows the table where it was moved to. The
			// ring's left edge is found down its first pixels.
			x0, x1 := 20, 20+int(tbl.Size().Width)
			top, bottom := -1, -1
			for y := 20; y < 20+int(tbl.Size().Height); y++ {
				for x := x0; x < x0+2*int(theme.Padding()); x++ {
					if isRing(x, y) {
						if top < 0 {
							x0, top = x, y
						}
						bottom = y
						break
					}
				}
			}
			if top < 0 || bottom-top < 10 {
				t.Fatalf("%s theme, row %d: no ring on the left of the focused row", vr.name, c.down)
			}
			// Between the ring's top edge and the text of the row.
			inside := top + focusRingPixels + 1
			right := x1
			for !isRing(right, inside) && right > x0 {
				right--
			}
			if right < x1-2*focusRingPixels-int(theme.Padding()) {
				t.Errorf("%s theme, row %d: the ring ends at x %d, short of the row's end at %d", vr.name, c.down, right, x1)
			}
			var gaps, walls []int
			for x := x0 + 1; x < right; x++ {
				if !isRing(x, top) {
					gaps = append(gaps, x)
				}
				if x > x0+2*focusRingPixels && x < right-2*focusRingPixels && isRing(x, inside) {
					walls = append(walls, x)
				}
			}
			if len(gaps) > 0 {
				t.Errorf("%s theme, row %d: the ring's top edge is broken at x %v", vr.name, c.down, gaps)
			}
			if len(walls) > 0 {
				t.Errorf("%s theme, row %d: the ring crosses the row at x %v, between its cells", vr.name, c.down, walls)
			}
			w.Close()
		}
	}
}

// focusRingPixels is the ring's width on a canvas at scale 1.
const focusRingPixels = 2

// Text said as a warning, a success or an error (the status bar, the
// record form's checks, a note) reads 4.5:1 (WCAG 2.x AA for text) on
// every surface it is drawn on, in each theme, and so does the text of a
// button of that colour. Fyne's light theme wrote a saved record's
// message in a bright green of 1.5:1 on white, and warnings in an orange
// of 2.2:1.
func TestStatusColoursReadAsText(t *testing.T) {
	for _, vr := range variants {
		th := variantTheme{Theme: theme.DefaultTheme(), variant: vr.v, forced: true}
		for _, c := range []struct{ text, on fyne.ThemeColorName }{
			{theme.ColorNameWarning, theme.ColorNameForegroundOnWarning},
			{theme.ColorNameSuccess, theme.ColorNameForegroundOnSuccess},
			{theme.ColorNameError, theme.ColorNameForegroundOnError},
		} {
			text := th.Color(c.text, vr.v)
			for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground} {
				if r := contrast(text, th.Color(bg, vr.v)); r < 4.5 {
					t.Errorf("%s theme: %s text is %.2f:1 on the %s colour, under 4.5:1", vr.name, c.text, r, bg)
				}
			}
			if r := contrast(th.Color(c.on, vr.v), text); r < 4.5 {
				t.Errorf("%s theme: a %s button's text is %.2f:1 on its fill, under 4.5:1", vr.name, c.text, r)
			}
		}
		// A note: warning text on a pale wash of the warning colour.
		warning := th.Color(theme.ColorNameWarning, vr.v)
		wash := over(withAlpha(warning, noteWash), th.Color(theme.ColorNameBackground, vr.v))
		if r := contrast(warning, wash); r < 4.5 {
			t.Errorf("%s theme: a note's text is %.2f:1 on its background, under 4.5:1", vr.name, r)
		}
	}
}

// over is c, partly transparent, laid over the opaque bg.
func over(c, bg color.Color) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	b := color.NRGBAModel.Convert(bg).(color.NRGBA)
	mix := func(x, y uint8) uint8 { return uint8((int(x)*int(n.A) + int(y)*(255-int(n.A)) + 127) / 255) }
	return color.NRGBA{R: mix(n.R, b.R), G: mix(n.G, b.G), B: mix(n.B, b.B), A: 0xff}
}
