package gui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/gui/widgets"
)

// Preferences kept by the app (fyne.App.Preferences, per user of the
// computer): the theme, and each window's size.
const (
	prefTheme = "theme" // themeLight, themeDark or themeSystem
	// Window sizes are kept as prefWindow+name+".width" and ".height".
	prefWindow = "window."
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

// variantTheme is the default theme with a focus that shows (Fyne's is
// a faint tint, easy to lose on a dark button), held to one variant,
// light or dark, when forced, else following the computer's.
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
	return t.Theme.Color(name, v)
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
	radio := widget.NewRadioGroup(labels, nil)
	radio.SetSelected(selected)
	radio.Required = true
	radio.OnChanged = func(label string) {
		for _, c := range themeChoices {
			if c.label == label {
				u.app.Preferences().SetString(prefTheme, c.key)
			}
		}
		applyTheme(u.app)
	}
	content := container.NewVBox(
		widget.NewLabelWithStyle("Theme", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		radio,
		widgets.Paragraph("Each window also remembers its size: it opens the next time as you left it.", 420),
	)
	u.dialogs.ShowCustom("Preferences", content)
}

// windowSize is the size window name was left at, else def; never
// smaller than min, so that a size kept from a larger screen or an older
// version still shows everything.
func windowSize(a fyne.App, name string, def, min fyne.Size) fyne.Size {
	p := a.Preferences()
	w := p.FloatWithFallback(prefWindow+name+".width", float64(def.Width))
	h := p.FloatWithFallback(prefWindow+name+".height", float64(def.Height))
	return fyne.NewSize(max(float32(w), min.Width), max(float32(h), min.Height))
}

// keepWindowSize records the size of window name, as it closes.
func keepWindowSize(a fyne.App, name string, w fyne.Window) {
	size := w.Canvas().Size()
	if size.Width <= 0 || size.Height <= 0 {
		return
	}
	a.Preferences().SetFloat(prefWindow+name+".width", float64(size.Width))
	a.Preferences().SetFloat(prefWindow+name+".height", float64(size.Height))
}
