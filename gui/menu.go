package gui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"migrantdesk/gui/widgets"
)

// Keyboard shortcuts. They sit on main-menu items: the window triggers a
// main-menu shortcut before the focused widget sees the key, so Ctrl+S
// saves even while the cursor is in an entry of the form.
var (
	keySearch = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	keyNew    = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	keySave   = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
	keySync   = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	// Ctrl+P prints elsewhere; Migrant Desk prints nothing, and P is
	// Publish as N is New and S is Save.
	keyPublish = &desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierShortcutDefault}
)

// mainMenu offers what the user working may do: File (with the demo
// profile switch on a demo database), and the district windows; a clerk
// also gets Student and Publish; a workstation that syncs, Sync.
func (u *UI) mainMenu() *fyne.MainMenu {
	file := fyne.NewMenu("File")
	if u.profiles() {
		file.Items = append(file.Items, fyne.NewMenuItem("Demo: switch profile…", u.switchProfile), fyne.NewMenuItemSeparator())
	}
	if u.mayImport() {
		file.Items = append(file.Items, fyne.NewMenuItem("Import the state extract…", u.showImport), fyne.NewMenuItemSeparator())
	}
	quit := fyne.NewMenuItem("Quit", func() {
		u.askBeforeQuitting(func() {
			u.quitting()
			u.app.Quit() // the driver closes every window
		})
	})
	quit.IsQuit = true
	file.Items = append(file.Items, fyne.NewMenuItem("Preferences…", u.showPreferences), fyne.NewMenuItemSeparator(), quit)
	menus := []*fyne.Menu{file}
	if u.user.CanSearchStudents() {
		search := fyne.NewMenuItem("Advanced Search", u.showSearch)
		search.Shortcut = keySearch
		newRecord := fyne.NewMenuItem("New migrant record", u.newRecord)
		newRecord.Shortcut = keyNew
		save := fyne.NewMenuItem("Save migrant record", u.saveRecord)
		save.Shortcut = keySave
		needs := fyne.NewMenuItem("Needs publishing", u.showNeeds)
		publish := fyne.NewMenuItem("Publish this student's records…", u.publishStudent)
		publish.Shortcut = keyPublish
		reconcile := fyne.NewMenuItem("MIS2000 reconciliation", u.showReconcile)
		menus = append(menus,
			fyne.NewMenu("Student", search, fyne.NewMenuItemSeparator(), newRecord, save),
			fyne.NewMenu("Publish", publish, needs, fyne.NewMenuItemSeparator(), reconcile))
	}
	if u.user.Username != "" {
		menus = append(menus, fyne.NewMenu("Districts", fyne.NewMenuItem("Open district window…", u.openDistrictPicker)))
	}
	if u.sync != nil {
		now := fyne.NewMenuItem("Sync now", u.syncNow)
		now.Shortcut = keySync
		menus = append(menus, fyne.NewMenu("Sync", now, fyne.NewMenuItem("Conflicts and refused changes", u.showConflicts)))
	}
	menus = append(menus, u.helpMenu())
	return fyne.NewMainMenu(menus...)
}

// toolbar is the row of buttons under the menu: a clerk's screens, and
// Sync now on a workstation that syncs; nil when there is nothing to put
// in it.
func (u *UI) toolbar() fyne.CanvasObject {
	bar := container.NewHBox()
	if u.user.CanSearchStudents() {
		bar.Add(widgets.NewButtonWithIcon("Search (Ctrl+F)", theme.SearchIcon(), u.showSearch))
		bar.Add(widgets.NewButtonWithIcon("Needs publishing", theme.UploadIcon(), u.showNeeds))
		bar.Add(widgets.NewButtonWithIcon("MIS2000 reconciliation", theme.ViewRefreshIcon(), u.showReconcile))
	}
	if u.sync != nil {
		bar.Add(widgets.NewButtonWithIcon("Sync now (Ctrl+R)", theme.ViewRefreshIcon(), u.syncNow))
		bar.Add(widgets.NewButtonWithIcon("Conflicts", theme.WarningIcon(), u.showConflicts))
	}
	if len(bar.Objects) == 0 {
		return nil
	}
	return bar
}

// showHome goes back to the screen the user starts on: Advanced Search,
// or the list of districts.
func (u *UI) showHome() {
	if u.search != nil {
		u.showSearch()
		return
	}
	u.show(u.home.obj)
}

// showConflicts shows the conflicts to resolve and the changes the hub
// refused.
func (u *UI) showConflicts() {
	if u.conflicts == nil || u.dialogs.Open() {
		return
	}
	u.show(u.conflicts.obj)
	u.win.Canvas().Focus(u.conflicts.shownList())
	u.conflicts.load()
}

// showSearch is Ctrl+F: back to Advanced Search with the cursor in Last
// name.
func (u *UI) showSearch() {
	if u.dialogs.Open() {
		return
	}
	u.show(u.search.obj)
	u.win.Canvas().Focus(u.search.last)
}

// studentShown reports whether a student is on screen.
func (u *UI) studentShown() bool {
	return u.student != nil && u.student.loaded && u.current == u.student.obj
}

// newRecord is Ctrl+N: a new Student Migrant Detail for the student shown.
// With no student shown it says why nothing happened, rather than
// nothing at all.
func (u *UI) newRecord() {
	if u.dialogs.Open() {
		return
	}
	if !u.studentShown() {
		u.status.hint("A new migrant record (Ctrl+N) is for the student on screen: find the student with " +
			"Advanced Search (Ctrl+F), open them, then press Ctrl+N.")
		return
	}
	u.student.newRecord()
}

// saveRecord is Ctrl+S: saves the Student Migrant Detail being edited,
// a record or the merge of a conflict.
func (u *UI) saveRecord() {
	switch {
	case u.student.form != nil:
		u.student.form.saveByKey()
	case u.conflicts != nil && u.conflicts.form != nil:
		u.conflicts.form.saveByKey()
	}
}

func (u *UI) showNeeds() {
	if u.dialogs.Open() {
		return
	}
	u.show(u.needs.obj)
	u.win.Canvas().Focus(u.needs.list) // Down and Enter open a record
	u.needs.load()
}

// showReconcile is the November and February check against MIS2000.
func (u *UI) showReconcile() {
	if u.dialogs.Open() {
		return
	}
	u.show(u.reconcile.obj)
	u.win.Canvas().Focus(u.reconcile.first())
}

// publishStudent is Ctrl+P: publish the records of the student shown.
// With no student shown it says why nothing happened, as Ctrl+N does.
func (u *UI) publishStudent() {
	if u.dialogs.Open() {
		return
	}
	if !u.studentShown() {
		u.status.hint("Publishing (Ctrl+P) is for the student on screen: open the student, then press Ctrl+P; " +
			"Needs publishing lists every record not yet sent.")
		return
	}
	u.student.publish()
}

// openStudent reads a student off the UI goroutine and shows the detail,
// whose back button returns to the search.
func (u *UI) openStudent(stateID string) { u.openStudentFrom(stateID, "search", u.showSearch, nil) }

// openStudentFrom is openStudent from the screen named from, which show
// shows again; then, if not nil, runs once the student is shown.
func (u *UI) openStudentFrom(stateID, from string, show, then func()) {
	if u.student == nil {
		u.dialogs.ShowError("The student could not be opened", errDistrictEdition(u.user))
		return
	}
	s := u.student
	s.open(stateID, func() {
		// The screens were built anew meanwhile (another profile, or the
		// user's access changed at the hub): the student is not theirs to
		// show.
		if u.student != s {
			return
		}
		s.setBack(from, show)
		u.show(s.obj)
		u.noteOpened(stateID)
		if then != nil {
			then()
		}
	})
}

// noteOpened puts a student at the top of the user's recently opened
// students, off the UI goroutine; the search shows them again.
func (u *UI) noteOpened(stateID string) {
	username := u.user.Username
	u.tasks.run("noting the student opened", func() func() {
		err := u.st.NoteOpened(context.Background(), username, stateID)
		return func() {
			if err != nil {
				u.status.warn(sentence(err.Error()))
				return
			}
			u.search.loadRecent()
		}
	})
}
