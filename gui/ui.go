// Package gui is Migrant Desk's desktop interface: the main window with
// Advanced Search, the student detail, the Student Migrant Detail form,
// publishing and the status bar, one file per screen.
//
// It is built on a fyne.App that it is given and never makes one (only
// cmd/migrantdesk imports fyne/v2/app), so tests drive every screen with
// Fyne's test driver.
package gui

import (
	"context"
	"fmt"
	"os/user"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// Options are the start-up choices cmd/migrantdesk takes from its flags.
type Options struct {
	// User is the local profile to work as; "" asks at start, offering the
	// profile used last.
	User string
	// Open is the state ID of a student to open once the window is shown.
	Open string
	// District is the number of a district whose window (District
	// Edition) opens once the main window is shown.
	District string
}

// UI is the main window and everything on it.
type UI struct {
	app  fyne.App
	st   *store.Store
	opts Options
	win  fyne.Window

	// who is working: a profile of the database, or the OS user when the
	// database has none.
	user  data.User
	users []data.User
	demo  bool

	content *fyne.Container // holds the screen being shown
	current fyne.CanvasObject
	search  *searchScreen
	student *studentScreen
	needs   *needsScreen
	status  *statusBar
	dialogs dialogStack
	// districts are the district windows open, by district number, so
	// that opening a district again brings its window forward. Only the
	// UI goroutine touches them.
	districts map[string]*districtWindow

	// post hands a function to the UI goroutine: fyne.Do in the app. Fyne's
	// test driver would run it on the calling goroutine, beside the test's
	// own, so tests queue it and run it on theirs (see wait in the tests).
	post func(func())
	// busy counts background work whose result is not on screen yet.
	busy atomic.Int64
}

// New builds the main window on a and reads what it needs from st. It
// fails when opts.User names no profile of the database.
func New(a fyne.App, st *store.Store, opts Options) (*UI, error) {
	ctx := context.Background()
	u := &UI{app: a, st: st, opts: opts, post: fyne.Do}
	var err error
	if u.demo, err = st.IsDemo(ctx); err != nil {
		return nil, err
	}
	if u.users, err = st.Users(ctx); err != nil {
		return nil, err
	}
	if opts.User != "" {
		if u.user, err = st.UserByName(ctx, opts.User); err != nil {
			return nil, fmt.Errorf("%w; the profiles in %s are: %s", err, st.Path(), userNames(u.users))
		}
	} else if len(u.users) == 0 {
		u.user = osUser()
	}
	u.win = a.NewWindow("Migrant Desk")
	// Closing the main window ends the app, district windows included.
	u.win.SetMaster()
	u.win.SetOnClosed(u.closeDistricts)
	u.build()
	return u, nil
}

// osUser is who works when the database has no profiles: the person
// signed in to the computer, with no role.
func osUser() data.User {
	name := "unknown"
	if cur, err := user.Current(); err == nil && cur.Username != "" {
		name = cur.Username
	}
	return data.User{Username: name, FullName: name}
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

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// ShowMain shows the main window on the search screen, asks which profile
// is working when that is not settled yet, and opens the student named by
// Options.Open.
func (u *UI) ShowMain() {
	u.win.Resize(fyne.NewSize(1280, 800))
	u.win.Show()
	u.search.loadDistricts()
	u.showSearch()
	if u.user.Username == "" {
		u.askProfile(u.afterProfile)
		return
	}
	u.afterProfile()
}

func (u *UI) afterProfile() {
	u.status.setUser(u.user, len(u.users) == 0)
	u.refreshStatus()
	if u.opts.Open != "" {
		u.openStudent(u.opts.Open)
	} else {
		u.win.Canvas().Focus(u.search.last)
	}
	if u.opts.District != "" {
		u.openDistrict(u.opts.District)
	}
}

// region is the region whose records the worker publishes: a clerk's own,
// every region for anyone else.
func (u *UI) region() string {
	if u.user.Role == data.RoleClerk {
		return u.user.RegionCode
	}
	return ""
}

// show puts a screen in the main area.
func (u *UI) show(screen fyne.CanvasObject) {
	u.current = screen
	u.content.Objects = []fyne.CanvasObject{screen}
	u.content.Refresh()
}

// background runs work off the UI goroutine, then hands its returned
// function (if any) to the UI goroutine. A search on a big database or a
// publish never freezes the window.
func (u *UI) background(work func() (apply func())) {
	u.busy.Add(1)
	post := u.post
	go func() {
		apply := work()
		post(func() {
			defer u.busy.Add(-1)
			if apply != nil {
				apply()
			}
		})
	}()
}

// do updates the UI from a background goroutine without waiting for it,
// as a progress bar does.
func (u *UI) do(update func()) { u.post(update) }

// today is the day rules compare with ("a QAD in the future").
func today() data.Date { return data.Today() }

func (u *UI) build() {
	u.status = newStatusBar(u)
	u.search = newSearchScreen(u)
	u.student = newStudentScreen(u)
	u.needs = newNeedsScreen(u)
	u.content = container.NewStack()
	top := container.NewVBox()
	if u.demo {
		top.Add(demoBanner())
	}
	top.Add(u.toolbar())
	u.win.SetContent(container.NewBorder(top, u.status.obj, nil, nil, u.content))
	u.win.SetMainMenu(u.mainMenu())
	u.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			u.dialogs.closeTop()
		}
	})
}
