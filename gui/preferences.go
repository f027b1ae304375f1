package gui

import (
	"encoding/json"
	"image/color"
	"maps"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/gui/widgets"
)

// Preferences kept by the app (fyne.App.Preferences, per user of the
// computer): the theme, and each window's size and position.
const (
	prefTheme = "theme" // themeLight, themeDark or themeSystem
	// The windows' sizes and places, a windowPrefs as JSON.
	prefWindows = "windows"
	// Sizes as earlier builds kept them, prefWindowBefore+name+".width"
	// and ".height": read until the window's size is kept anew.
	prefWindowBefore = "window."
)

// The theme choices.
const (
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"
)

// themeChoices are the theme choices as Preferences offers them.
var themeChoices = []struct{ key, label string }{
	{themeSystem, "Same as the computer"},
	{themeLight, "Light"},
	{themeDark, "Dark"},
}

// Focus ring colours, which stand out at least 3:1 (WCAG's contrast for
// what is not text) from the backgrounds of windows and dialogs, where
// the ring is drawn: a deep blue on the light theme, a pale one on the
// dark.
var (
	focusRingLight = color.NRGBA{R: 0x0b, G: 0x3d, B: 0x91, A: 0xff}
	focusRingDark  = color.NRGBA{R: 0x9e, G: 0xc9, B: 0xff, A: 0xff}
)

// variantTheme is the default theme with a focus that shows: a ring
// around the control (Fyne's focus is a faint tint, the same blue as a
// blue button), held to one variant, light or dark, when forced, else
// following the computer's.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
	forced  bool
}

func (t variantTheme) Color(name fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.forced {
		v = t.variant
	}
	if name == theme.ColorNameFocus {
		return withAlpha(t.Theme.Color(theme.ColorNamePrimary, v), 0x70)
	}
	if c, ok := statusColours[v][name]; ok {
		return c
	}
	return t.Theme.Color(name, v)
}

// statusColours replace Fyne's colours of a warning, a success and an
// error where those do not read as text (4.5:1, WCAG AA) on the theme's
// backgrounds: the light theme's bright green of a saved record's
// message was 1.5:1 on white, its orange warnings 2.2:1 (and 1.9:1 on a
// note's wash of orange), its red 3.7:1; the dark theme's red was 3.9:1
// on a menu. Each is as dark (light) as a button of that colour needs
// for its text to read too.
var statusColours = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantLight: {
		theme.ColorNameWarning: color.NRGBA{R: 0x9c, G: 0x45, B: 0x00, A: 0xff},
		theme.ColorNameSuccess: color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff},
		theme.ColorNameError:   color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff},
	},
	theme.VariantDark: {
		theme.ColorNameError: color.NRGBA{R: 0xff, G: 0x66, B: 0x59, A: 0xff},
	},
}

// FocusRingColor is the colour of the ring around the control that has
// the keyboard (widgets.FocusRinged).
func (t variantTheme) FocusRingColor(v fyne.ThemeVariant) color.Color {
	if t.forced {
		v = t.variant
	}
	if v == theme.VariantDark {
		return focusRingDark
	}
	return focusRingLight
}

// applyTheme sets a's theme to the one chosen in Preferences. A theme
// set by someone else than the app (a test's) stays for the computer's
// choice.
func applyTheme(a fyne.App) {
	switch a.Preferences().String(prefTheme) {
	case themeLight:
		a.Settings().SetTheme(variantTheme{Theme: theme.DefaultTheme(), variant: theme.VariantLight, forced: true})
	case themeDark:
		a.Settings().SetTheme(variantTheme{Theme: theme.DefaultTheme(), variant: theme.VariantDark, forced: true})
	default:
		cur := a.Settings().Theme()
		if _, ours := cur.(variantTheme); ours || cur == theme.DefaultTheme() {
			a.Settings().SetTheme(variantTheme{Theme: theme.DefaultTheme()})
		}
	}
}

// showPreferences is File → Preferences…: the theme, applied at once
// and kept for the next start.
func (u *UI) showPreferences() {
	if u.dialogs.Open() {
		return
	}
	labels := make([]string, len(themeChoices))
	current := u.app.Preferences().StringWithFallback(prefTheme, themeSystem)
	selected := themeChoices[0].label
	for i, c := range themeChoices {
		labels[i] = c.label
		if c.key == current {
			selected = c.label
		}
	}
	// A drop-down rather than radio buttons: a radio button with the
	// keyboard takes Esc and Enter and does nothing with them, so the
	// dialog did not close from the keyboard.
	pick := widgets.NewSelect(labels)
	pick.SetSelected(selected)
	pick.OnEscape = u.dialogs.CloseTop
	pick.OnSubmitted = u.dialogs.CloseTop
	pick.OnChanged = func(label string) {
		for _, c := range themeChoices {
			if c.label == label {
				u.app.Preferences().SetString(prefTheme, c.key)
			}
		}
		applyTheme(u.app)
	}
	content := container.NewVBox(
		widget.NewLabelWithStyle("Theme", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		pick,
		widgets.Paragraph("Each window also remembers its size and, where the system tells it (Windows, Linux under X11), its place on the screen: it opens the next time as you left it.", 420),
	)
	u.dialogs.ShowCustom("Preferences", content)
}

// windowPrefs are the windows' sizes and places, by window name, all
// in the one preference prefWindows: Fyne writes its preferences file at
// the first change and holds later ones back for 100 ms, and what it
// holds back as the app quits can be lost (its last save races the
// process's end), so everything kept at once goes in one change.
type windowPrefs struct {
	Size  map[string][2]float32 `json:"size,omitempty"`  // width, height
	Place map[string][2]int     `json:"place,omitempty"` // x, y in the desktop's pixels
}

// Bounds on what is read back, for a file edited by hand or written by
// a version that got it wrong: X11's coordinates are 16-bit and no
// screen is wider than maxExtent. Places beyond maxWindowKept (a clerk
// who has previewed a thousand districts) are forgotten, all but those
// of the windows being kept, rather than grow without end.
const (
	maxPosition   = 1 << 15
	maxExtent     = 1 << 14
	maxWindowPref = 64 << 10 // bytes
	maxWindowKept = 1000     // sizes or places
)

// readWindowPrefs reads the kept sizes and places, leaving out any that
// is out of bounds; a preference that does not read as one keeps none.
func readWindowPrefs(a fyne.App) windowPrefs {
	var wp windowPrefs
	raw := a.Preferences().String(prefWindows)
	if raw == "" || len(raw) > maxWindowPref || json.Unmarshal([]byte(raw), &wp) != nil ||
		len(wp.Size) > maxWindowKept || len(wp.Place) > maxWindowKept {
		return windowPrefs{}
	}
	maps.DeleteFunc(wp.Size, func(_ string, s [2]float32) bool {
		return !(s[0] > 0 && s[0] <= maxExtent && s[1] > 0 && s[1] <= maxExtent)
	})
	maps.DeleteFunc(wp.Place, func(_ string, p [2]int) bool {
		return abs(p[0]) > maxPosition || abs(p[1]) > maxPosition
	})
	return wp
}

// windowSize is the size window name was left at, else def; never
// smaller than min, so that a size kept from a larger screen or an older
// version still shows everything.
func windowSize(a fyne.App, name string, def, min fyne.Size) fyne.Size {
	if s, ok := readWindowPrefs(a).Size[name]; ok {
		def = fyne.NewSize(s[0], s[1])
	} else if w, h := a.Preferences().Float(prefWindowBefore+name+".width"), a.Preferences().Float(prefWindowBefore+name+".height"); w > 0 && w <= maxExtent && h > 0 && h <= maxExtent {
		def = fyne.NewSize(float32(w), float32(h))
	}
	return fyne.NewSize(max(def.Width, min.Width), max(def.Height, min.Height))
}

// placeWindow moves w, just shown, to where window name was left, if
// the placer can; with no place kept, w stays where it opened. Then it
// shrinks w to what its screen has room for, and moves it whole onto
// it: a size kept on a larger monitor, or the first size on a small
// screen at 150%, would put the status bar under the taskbar.
func placeWindow(a fyne.App, p WindowPlacer, name string, w fyne.Window) {
	if p == nil {
		return
	}
	if at, ok := readWindowPrefs(a).Place[name]; ok {
		p.Move(w, at[0], at[1])
	}
	room, ok := p.Room(w)
	size := w.Canvas().Size()
	if !ok || size.Width <= room.Width && size.Height <= room.Height {
		return
	}
	least := w.Content().MinSize()
	w.Resize(fyne.NewSize(max(least.Width, min(size.Width, room.Width)), max(least.Height, min(size.Height, room.Height))))
	if x, y, ok := p.Position(w); ok {
		p.Move(w, x, y)
	}
}

// keptWindow is a window and the names its size and place are kept
// under (the district windows share one size, each has its own place).
type keptWindow struct {
	size, place string
	win         fyne.Window
}

// keepWindows records the size and place of each window, in one change.
// A place the placer cannot tell (minimised, no X11) leaves the one kept
// before.
func keepWindows(a fyne.App, p WindowPlacer, ws ...keptWindow) {
	wp := readWindowPrefs(a)
	if wp.Size == nil {
		wp.Size = map[string][2]float32{}
	}
	if wp.Place == nil || len(wp.Place)+len(ws) > maxWindowKept {
		wp.Place = map[string][2]int{}
	}
	for _, w := range ws {
		if size := w.win.Canvas().Size(); size.Width > 0 && size.Height > 0 && size.Width <= maxExtent && size.Height <= maxExtent {
			wp.Size[w.size] = [2]float32{size.Width, size.Height}
		}
		if p == nil {
			continue
		}
		if x, y, ok := p.Position(w.win); ok && abs(x) <= maxPosition && abs(y) <= maxPosition {
			wp.Place[w.place] = [2]int{x, y}
		}
	}
	// Map keys marshal sorted, so that windows left as they were make
	// the same text, which Fyne does not count as a change.
	if b, err := json.Marshal(wp); err == nil {
		a.Preferences().SetString(prefWindows, string(b))
	}
}

func abs(v int) int { return max(v, -v) }
