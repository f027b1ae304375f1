package gui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/gui/widgets"
)

// districtPicker asks which district window to open, among the districts
// the user may see; a clerk's region has some forty, so it filters by
// number or name as the user types.
type districtPicker struct {
	dialogs *widgets.Dialogs
	open    func(number string)
	all     []data.District
	shown   []data.District
	filter  *widgets.Entry
	list    *widgets.List
	hint    *widget.Label
	dlg     *dialog.CustomDialog
}

// openDistrictPicker shows the districts the current user may see and
// opens the one chosen. A user who sees only one district gets its window
// straight away.
func (u *UI) openDistrictPicker() {
	if u.dialogs.Open() {
		return
	}
	usr := u.user
	u.tasks.run("listing the districts", func() func() {
		ds, err := u.st.VisibleDistricts(context.Background(), usr)
		return func() {
			switch {
			case err != nil:
				u.dialogs.ShowError("District windows", err)
			case len(ds) == 0:
				u.dialogs.ShowError("District windows", errNoDistricts(usr))
			case len(ds) == 1:
				u.openDistrict(ds[0].Number)
			case u.dialogs.Open():
				// Asked for again while the districts were read (a
				// second click): the first one's picker is open.
			default:
				newDistrictPicker(ds, u.dialogs, u.openDistrict).show()
			}
		}
	})
}

func newDistrictPicker(ds []data.District, dialogs *widgets.Dialogs, open func(number string)) *districtPicker {
	p := &districtPicker{dialogs: dialogs, open: open, all: ds, shown: ds,
		filter: widgets.NewEntry("Type a district number or name"), hint: widget.NewLabel("")}
	p.list = widgets.NewList(
		func() int { return len(p.shown) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(p.shown[id].Number + " " + p.shown[id].Name)
		})
	p.list.OnSelected = func(id widget.ListItemID) {
		p.list.UnselectAll()
		if id >= 0 && id < len(p.shown) {
			p.choose(p.shown[id])
		}
	}
	p.filter.OnChanged = func(string) { p.apply() }
	p.filter.OnSubmitted = func(string) {
		if len(p.shown) > 0 {
			p.choose(p.shown[0])
		}
	}
	// Down goes from the filter to the districts, as from a search field
	// to its results: a state administrator's "county" matches a hundred.
	p.filter.OnDown = func() {
		if len(p.shown) > 0 {
			p.dialogs.Window().Canvas().Focus(p.list)
		}
	}
	p.filter.OnEscape = func() { p.dlg.Hide() }
	p.list.OnEscape = func() { p.dlg.Hide() }
	p.apply()
	top := container.NewVBox(p.filter, p.hint)
	content := container.NewGridWrap(fyne.NewSize(460, 420), border(top, nil, nil, nil, p.list))
	p.dlg = dialog.NewCustomWithoutButtons("Open a district window", content, dialogs.Window())
	// The app's button, not the dialog's own: it shows the focus ring.
	cancel := widgets.NewButton("Cancel", p.dlg.Hide)
	cancel.OnEscape = p.dlg.Hide
	p.dlg.SetButtons([]fyne.CanvasObject{cancel})
	return p
}

func (p *districtPicker) show() {
	p.dialogs.Show(p.dlg)
	p.dialogs.Window().Canvas().Focus(p.filter)
}

// apply lists the districts whose number starts with, or whose name has a
// word starting with, what is typed.
func (p *districtPicker) apply() {
	typed := strings.TrimSpace(p.filter.Text)
	words := strings.Fields(data.NormalizeName(typed))
	p.shown = nil
	for _, d := range p.all {
		if numberStarts(d.Number, typed) || len(words) > 0 && nameStarts(d.Name, words) {
			p.shown = append(p.shown, d)
		}
	}
	p.list.Refresh()
	switch len(p.shown) {
	case 0:
		p.hint.SetText(fmt.Sprintf("No district of the %d you may open matches.", len(p.all)))
	case 1:
		p.hint.SetText("Press Enter to open it.")
	default:
		p.hint.SetText(fmt.Sprintf("%d of %d districts. Click one, or press Enter to open the first (Down and Enter, another).", len(p.shown), len(p.all)))
	}
}

// numberStarts reports whether a district number starts with what is
// typed, leading zeros aside: 12 finds 012.
func numberStarts(number, typed string) bool {
	if strings.HasPrefix(number, typed) {
		return true
	}
	t := strings.TrimLeft(typed, "0")
	return t != "" && strings.HasPrefix(strings.TrimLeft(number, "0"), t)
}

// nameStarts reports whether every typed word starts a word of the name.
func nameStarts(name string, words []string) bool {
	have := strings.Fields(data.NormalizeName(name))
	for _, w := range words {
		found := false
		for _, h := range have {
			found = found || strings.HasPrefix(h, w)
		}
		if !found {
			return false
		}
	}
	return true
}

func (p *districtPicker) choose(d data.District) {
	p.dlg.Hide()
	p.open(d.Number)
}
