package gui

import (
	"fmt"
	"os/user"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// Profiles are a demo convenience. A database that is not a demo works
// as the user who signs in to its hub at start (with the password checked
// on this computer when the hub cannot be reached), or, if it has never
// synced and the person chooses to work on this computer only, as the
// person signed in to the computer, as the state administrator
// (data.Operator: whoever can open the file can change it anyway).
// Switching to a profile with no password would only pretend to restrict
// anyone, so only a demo database offers its profiles, so that every role
// can be tried.

// prefLastUser is the preference holding the demo profile chosen last.
const prefLastUser = "last_user"

// whoWorks decides who works at start from the --user name: the named
// profile on a demo database, the computer's user on a demo one without
// profiles, and nobody yet (the zero User) when the question is open: a
// demo profile to choose, or a sign-in. --user on a database that is not
// a demo, or that has synced (signedIn not nil), is refused.
func whoWorks(signedIn *store.Identity, demo bool, users []data.User, name, path string) (data.User, error) {
	switch {
	case signedIn != nil && name != "":
		return data.User{}, fmt.Errorf("--user %s picks a demo profile, and %s syncs with %s: "+
			"sign in as %s, who synced it last", name, path, signedIn.HubURL, signedIn.User.Username)
	case !demo && name != "":
		return data.User{}, fmt.Errorf("--user %s picks a demo profile, and %s is not a demo database: "+
			"sign in to its hub at start, or work on this computer only", name, path)
	case name != "":
		for _, usr := range users {
			if usr.Username == name {
				return usr, nil
			}
		}
		return data.User{}, fmt.Errorf("there is no user %q; the profiles in %s are: %s", name, path, userNames(users))
	case signedIn == nil && demo && len(users) == 0:
		return operator(), nil
	}
	return data.User{}, nil
}

// operator is the person signed in to the computer, as data.Operator.
func operator() data.User {
	name := "unknown"
	if cur, err := user.Current(); err == nil && cur.Username != "" {
		name = cur.Username
	}
	return data.Operator(name)
}

func userNames(us []data.User) string {
	if len(us) == 0 {
		return "none"
	}
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = u.Username
	}
	return strings.Join(names, ", ")
}

// profileLabel is how a profile reads in the list: name, role, and the
// region (named from regions, by code) or districts it works for.
func profileLabel(usr data.User, regions map[string]string) string {
	s := fmt.Sprintf("%s (%s) — %s", usr.FullName, usr.Username, data.RoleName(usr.Role))
	switch {
	case usr.RegionCode != "":
		s += ", " + regionName(regions, usr.RegionCode)
	case usr.DistrictNumber != "":
		s += ", district " + usr.DistrictNumber
	case len(usr.Districts) > 0:
		s += ", " + data.Count(len(usr.Districts), "district")
	}
	return s
}

// switchProfile is File → Demo: switch profile. The district windows
// close (they show what their profile may see) and the main window is
// built again for the profile chosen.
func (u *UI) switchProfile() {
	if !u.profiles() || u.dialogs.Open() {
		return
	}
	u.askProfile(func() {
		u.closeDistricts()
		u.build()
		u.load()
	})
}

// askProfile asks which demo profile is working, offering the one chosen
// last, then calls done.
func (u *UI) askProfile(done func()) {
	labels := make([]string, len(u.users))
	last := u.app.Preferences().String(prefLastUser)
	if u.user.Username != "" {
		last = u.user.Username
	}
	// Offer the profile used last, else the first clerk: the main window
	// is the clerk's.
	choice, clerk := -1, -1
	for i, usr := range u.users {
		labels[i] = profileLabel(usr, u.regions)
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
	pick := widgets.NewSelect(labels)
	pick.SetSelectedIndex(choice)
	intro := widgets.Paragraph("This is a demo database: its profiles let you try each role without signing in. "+
		"Records you save and publish are signed with the profile. A real database asks its user to sign in "+
		"to the state hub, and offers no profiles.", 520)
	var d *dialog.CustomDialog
	ok := widgets.NewButton("Work as this profile", func() {
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
	// The keyboard answers it: the arrows choose, Tab goes to the button,
	// Enter on either works as this profile.
	pick.OnSubmitted = ok.OnTapped
	// Plain, not dim: the dim of a secondary line is too faint to read
	// on the dark theme, and the keys are what a keyboard user needs.
	content := container.NewVBox(intro, pick,
		widgets.Paragraph("Press Left or Right to choose a profile, then Enter to work as that profile.", 520))
	title := "Demo: switch profile"
	if u.user.Username == "" {
		title = "Demo: choose a profile"
	}
	d = dialog.NewCustomWithoutButtons(title, content, u.win)
	if u.user.Username == "" {
		// At start there is no profile to fall back on: the question
		// stays until it is answered, and Esc does not close it.
		d.SetButtons([]fyne.CanvasObject{ok})
		d.Show()
	} else {
		cancel := widgets.NewButton("Cancel", d.Hide)
		cancel.OnEscape, ok.OnEscape, pick.OnEscape = d.Hide, d.Hide, d.Hide
		d.SetButtons([]fyne.CanvasObject{cancel, ok})
		u.dialogs.ShowSubmit(d, ok.OnTapped)
	}
	u.win.Canvas().Focus(pick)
}
