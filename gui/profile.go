package gui

import (
	"fmt"
	"migrantdesk/data"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// prefLastUser is the preference holding the profile chosen last.
const prefLastUser = "last_user"

// profileLabel is how a profile reads in the list: name, role, and the
// region or districts it works for.
func profileLabel(usr data.User) string {
	s := fmt.Sprintf("%s (%s) — %s", usr.FullName, usr.Username, data.RoleName(usr.Role))
	switch {
	case usr.RegionCode != "":
		s += ", region " + usr.RegionCode
	case usr.DistrictNumber != "":
		s += ", district " + usr.DistrictNumber
	case len(usr.Districts) > 0:
		s += fmt.Sprintf(", %d districts", len(usr.Districts))
	}
	return s
}

// askProfile asks which local profile is working, offering the one chosen
// last, then calls done. With no profiles in the database the computer's
// user works, and the status bar says so.
func (u *UI) askProfile(done func()) {
	if len(u.users) == 0 {
		u.user = osUser()
		done()
		return
	}
	labels := make([]string, len(u.users))
	last := u.app.Preferences().String(prefLastUser)
	if u.user.Username != "" {
		last = u.user.Username
	}
	// Offer the profile used last, else the first clerk: this window is
	// the clerk's.
	choice, clerk := -1, -1
	for i, usr := range u.users {
		labels[i] = profileLabel(usr)
		switch {
		case usr.Username == last:
			choice = i
		case clerk < 0 && usr.Role == data.RoleClerk:
			clerk = i
		}
	}
	if choice < 0 {
		choice = max(clerk, 0)
	}
	pick := widget.NewSelect(labels, nil)
	pick.SetSelectedIndex(choice)
	intro := paragraph("Which profile is working at this computer? Records you save and publish are signed with it.", 520)
	var d *dialog.CustomDialog
	ok := widget.NewButton("Work as this profile", func() {
		i := pick.SelectedIndex()
		if i < 0 {
			return
		}
		u.user = u.users[i]
		u.app.Preferences().SetString(prefLastUser, u.user.Username)
		d.Hide()
		done()
	})
	ok.Importance = widget.HighImportance
	content := container.NewVBox(intro, pick)
	d = dialog.NewCustomWithoutButtons("Profile", content, u.win)
	if u.user.Username == "" {
		// At start there is no profile to fall back on: the question
		// stays until it is answered, and Esc does not close it.
		d.SetButtons([]fyne.CanvasObject{ok})
		d.Show()
	} else {
		d.SetButtons([]fyne.CanvasObject{widget.NewButton("Cancel", d.Hide), ok})
		u.dialogs.showDialog(d)
	}
	u.win.Canvas().Focus(pick)
}
