package gui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Keyboard shortcuts. They sit on main-menu items: the window triggers a
// main-menu shortcut before the focused widget sees the key, so Ctrl+S
// saves even while the cursor is in an entry of the form.
var (
	keySearch = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	keyNew    = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	keySave   = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
)

func (u *UI) mainMenu() *fyne.MainMenu {
	search := fyne.NewMenuItem("Advanced Search", u.showSearch)
	search.Shortcut = keySearch
	newRecord := fyne.NewMenuItem("New migrant record", u.newRecord)
	newRecord.Shortcut = keyNew
	save := fyne.NewMenuItem("Save migrant record", u.saveRecord)
	save.Shortcut = keySave
	needs := fyne.NewMenuItem("Needs publishing", u.showNeeds)
	publish := fyne.NewMenuItem("Publish this student's records…", u.publishStudent)
	profile := fyne.NewMenuItem("Change profile…", func() { u.askProfile(u.afterProfileChange) })

	// District windows (District Edition, district*.go) open from here.
	districts := fyne.NewMenuItem("Open district window…", u.openDistrictPicker)

	return fyne.NewMainMenu(
		fyne.NewMenu("File", profile),
		fyne.NewMenu("Student", search, fyne.NewMenuItemSeparator(), newRecord, save),
		fyne.NewMenu("Publish", publish, needs),
		fyne.NewMenu("Districts", districts),
	)
}

func (u *UI) toolbar() fyne.CanvasObject {
	search := widget.NewButtonWithIcon("Search (Ctrl+F)", theme.SearchIcon(), u.showSearch)
	needs := widget.NewButtonWithIcon("Needs publishing", theme.UploadIcon(), u.showNeeds)
	return container.NewHBox(search, needs)
}

// showSearch is Ctrl+F: back to Advanced Search with the cursor in Last name.
func (u *UI) showSearch() {
	if u.dialogs.open() {
		return
	}
	u.show(u.search.obj)
	u.win.Canvas().Focus(u.search.last)
}

// newRecord is Ctrl+N: a new Student Migrant Detail for the student shown.
func (u *UI) newRecord() {
	if u.dialogs.open() || !u.student.shown() {
		return
	}
	u.student.newRecord()
}

// saveRecord is Ctrl+S: saves the Student Migrant Detail being edited.
func (u *UI) saveRecord() {
	if f := u.student.form; f != nil {
		f.save()
	}
}

func (u *UI) showNeeds() {
	if u.dialogs.open() {
		return
	}
	u.show(u.needs.obj)
	u.needs.load()
}

func (u *UI) publishStudent() {
	if u.dialogs.open() || !u.student.shown() {
		return
	}
	u.student.publish()
}

// afterProfileChange closes the district windows, which show what their
// profile may see, and recounts for the new profile.
func (u *UI) afterProfileChange() {
	u.closeDistricts()
	u.status.setUser(u.user, len(u.users) == 0)
	u.refreshStatus()
	if u.current == u.needs.obj {
		u.needs.load()
	}
}
