// Package gui is Migrant Desk's desktop interface, one file per screen:
// the sign-in; for a regional data clerk the main window with Advanced
// Search, the student detail, the Student Migrant Detail form,
// publishing and the status bar; for a district coordinator or
// administrator the list of their districts; the district windows
// (District Edition); and the Conflicts screen of a workstation that
// syncs with a hub, which it does in the background.
//
// Each screen is built by a function that receives only what it uses: an
// interface with the store methods it calls, the user, and the tasks
// that carry background work back to the UI goroutine. The UI type below
// is the shell that wires them to the database; no screen holds it.
//
// It is built on a fyne.App that it is given and never makes one (only
// cmd/migrantdesk imports fyne/v2/app), so tests drive every screen with
// Fyne's test driver.
package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// Options are the start-up choices cmd/migrantdesk takes from its flags.
type Options struct {
	// User is the demo profile to work as (--user); "" asks at start,
	// offering the profile used last. A database that is not a demo
	// refuses it: its user signs in.
	User string
	// Open is the state ID of a student to open once the window is shown.
	Open string
	// District is the number of a district whose window (District
	// Edition) opens once the main window is shown.
	District string
	// Placer keeps where each window was left on the desktop, which Fyne
	// cannot; nil (tests, or where the system does not tell) keeps their
	// sizes only.
	Placer WindowPlacer
	// Quitting, when set, is called as the app starts to quit from a
	// window: the main window closing, or File → Quit.
	Quitting func()
}

// WindowPlacer reads and sets where a window is on the desktop, in the
// desktop's pixels; cmd/migrantdesk gives one that calls the system.
type WindowPlacer interface {
	// Position is where w is now; ok is false when that is not known
	// (not shown, minimised, or a system that does not say).
	Position(w fyne.Window) (x, y int, ok bool)
	// Move puts w, shown, at x, y, or nearer so that it stays on a
	// screen; where x, y is on no screen now, w stays where it opened.
	Move(w fyne.Window, x, y int)
	// Room is the most content, in w's units, that w may have and keep
	// its frame whole on its screen, less the taskbar; ok is false when
	// the system does not say.
	Room(w fyne.Window) (room fyne.Size, ok bool)
}

// UI is the main window: the shell that wires the screens of whoever is
// working to the database, and keeps the district windows open.
type UI struct {
	app     fyne.App
	st      *store.Store
	opts    Options
	win     fyne.Window
	shown   bool // the main window is on the desktop, so it can be placed
	dialogs *widgets.Dialogs
	tasks   *tasks
	// life ends as the app begins to quit: a sign-in under way stops,
	// and one that went through starts nothing on a window gone.
	life context.Context
	end  context.CancelFunc

	// who is working: the hub's user, a demo profile, or the computer's
	// user (see whoWorks).
	user    data.User
	users   []data.User
	regions map[string]string // region names by code, as the extract has them
	demo    bool
	// clerksImport: the state lets clerks load the extract here (see
	// data.ImportPolicy).
	clerksImport bool
	hub          string     // the hub the database syncs with, if it has
	owner        *data.User // the hub's user the database belongs to, if it has synced
	sync         *syncer    // nil without a hub
	// hubOnly: the hub refused the password the database kept a
	// verifier of (store.ForgetRefused), so its owner signs in with the
	// hub alone.
	hubOnly bool
	// accessWaits: the next whole sync looks at the user's access,
	// whether it pulls or not: a change waits for what is under way, or
	// came with a sync cut part way (followAccess, pulled).
	accessWaits bool

	// quitAsked: the app asks whether to quit without saving a form;
	// closing the window again waits for the answer.
	quitAsked bool

	signIn   *signInScreen   // the sign-in, while it is shown
	snapshot *snapshotDialog // the progress of a first sync, while shown

	content *fyne.Container // holds the screen being shown
	current fyne.CanvasObject
	status  *statusBar
	// A clerk's (and a state administrator's) screens; nil for District
	// Edition users, who get home instead.
	search    *searchScreen
	student   *studentScreen
	needs     *needsScreen
	reconcile *reconcileScreen
	home      *districtsScreen
	conflicts *conflictsScreen // nil without a hub
	imports   *importScreen    // nil until File → Import is chosen

	// districts are the district windows open, by district number, so
	// that opening a district again brings its window forward. Only the
	// UI goroutine touches them.
	districts map[string]*districtWindow
}

// New builds the main window on a and reads who works from st. It fails
// when opts.User names no profile, or names one on a database that is not
// a demo.
func New(a fyne.App, st *store.Store, opts Options) (*UI, error) {
	return newWithPost(a, st, opts, fyne.Do)
}

// newWithPost is New with the way to the UI goroutine given: tests queue
// what background work posts and run it on their own goroutine.
func newWithPost(a fyne.App, st *store.Store, opts Options, post func(func())) (*UI, error) {
	ctx := context.Background()
	u := &UI{app: a, st: st, opts: opts, tasks: newTasks(post)}
	u.life, u.end = context.WithCancel(context.Background())
	applyTheme(a)
	var err error
	if u.demo, err = st.IsDemo(ctx); err != nil {
		return nil, err
	}
	if u.users, err = st.Users(ctx); err != nil {
		return nil, err
	}
	if u.regions, err = regionNames(ctx, st); err != nil {
		return nil, err
	}
	clerks, err := st.Meta(ctx, store.MetaClerksImport)
	if err != nil {
		return nil, err
	}
	u.clerksImport = clerks == "1"
	id, synced, err := st.Identity(ctx)
	if err != nil {
		return nil, err
	}
	var signedIn *store.Identity
	if synced {
		signedIn, u.hub, u.owner, u.hubOnly = &id, id.HubURL, &id.User, id.Verifier == ""
	}
	if u.user, err = whoWorks(signedIn, u.demo, u.users, opts.User, st.Path()); err != nil {
		return nil, err
	}
	u.win = a.NewWindow("Migrant Desk")
	// Closing the main window ends the app, district windows included.
	u.win.SetMaster()
	u.win.SetOnClosed(u.closed)
	u.win.SetCloseIntercept(u.closeWindow)
	a.Lifecycle().SetOnExitedForeground(u.keepWindows)
	u.dialogs = widgets.NewDialogs(u.win)
	u.tasks.failed = func(err error) { u.dialogs.ShowError("Something went wrong", err) }
	u.build()
	return u, nil
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// ShowMain shows the main window, asks who is working when that is not
// settled yet (a demo profile on a demo database, else the sign-in), and
// opens what Options name.
func (u *UI) ShowMain() {
	u.win.Show()
	u.shown = true
	placeWindow(u.app, u.opts.Placer, u.windowName(), u.win)
	u.checkAtStart(u.st)
	switch {
	case u.user.Username != "":
		u.started()
	case u.profiles():
		u.askProfile(func() {
			u.build()
			u.started()
		})
	default:
		u.askSignIn()
	}
}

// Stop ends the background sync once Run has returned, whatever made
// the app quit (a signal or File → Quit close no window): what it
// applied is committed, and a page it is applying stops at its next look
// at its context, so the store's Close need not wait for it whole. Then
// it signs out of the hub.
func (u *UI) Stop() {
	u.end()
	if u.sync != nil {
		u.sync.close()
		u.sync.signOut()
	}
}

// closed ends what the main window started: the district windows and
// the background sync.
func (u *UI) closed() {
	u.quitting()
	u.keepWindows()
	u.closeDistricts()
	if u.sync != nil {
		u.sync.close()
	}
}

// closeWindow is the main window's close button, or the system's
// closing it (Alt+F4): the app quits, once it has asked about a form
// not saved.
func (u *UI) closeWindow() { u.askBeforeQuitting(u.win.Close) }

// askBeforeQuitting calls quit at once, or once the person chooses to,
// when a Student Migrant Detail they typed in is not saved: closing the
// window by mistake would lose the typing without a word, as Esc on the
// form does not.
func (u *UI) askBeforeQuitting(quit func()) {
	f := u.unsavedForm()
	switch {
	case f == nil:
		quit()
		return
	case u.quitAsked:
		return
	}
	u.quitAsked = true
	msg := widgets.Paragraph(fmt.Sprintf("The changes you typed in the Student Migrant Detail of %s are not saved. "+
		"Quit and lose them, or keep editing to save them?", f.edit.student.FullName()), 420)
	d := widgets.NewConfirm("Quit without saving?", "Quit without saving", "Keep editing", msg, func(ok bool) {
		u.quitAsked = false
		if ok {
			// Chosen: the typing is not offered again at the next start.
			f.edit.draft.endAndWait()
			quit()
		}
	}, u.win)
	u.dialogs.ShowDestructive(d)
}

// unsavedForm is the Student Migrant Detail open with changes, of a
// student or of a conflict's merge, or nil.
func (u *UI) unsavedForm() *recordForm {
	var forms []*recordForm
	if u.student != nil {
		forms = append(forms, u.student.form)
	}
	if u.conflicts != nil {
		forms = append(forms, u.conflicts.form)
	}
	for _, f := range forms {
		if f != nil && f.edited() {
			return f
		}
	}
	return nil
}

func (u *UI) quitting() {
	u.end()
	if u.opts.Quitting != nil {
		u.opts.Quitting()
	}
}

// keepWindows records the size and place of every window open: as the
// main window closes, and as the app leaves the foreground, since the
// driver quits on SIGTERM or SIGINT (a session that ends, Ctrl+C)
// without closing a window. Another app taking the focus counts too, so
// what is kept is at most as old as the last switch away.
func (u *UI) keepWindows() {
	ws := []keptWindow{{size: u.windowName(), place: u.windowName(), win: u.win}}
	for _, w := range u.districts {
		ws = append(ws, w.kept())
	}
	keepWindows(u.app, u.opts.Placer, ws...)
}

// started reads what the screens show and opens what the options name,
// once someone is working.
func (u *UI) started() {
	u.load()
	u.offerDrafts()
	switch {
	case u.opts.Open != "":
		u.openStudent(u.opts.Open)
	case u.search != nil:
		u.win.Canvas().Focus(u.search.last)
	}
	if u.opts.District != "" {
		u.openDistrict(u.opts.District)
	}
}

// profiles reports whether demo profiles are on offer: on a demo
// database that has some and has never synced with a hub.
func (u *UI) profiles() bool { return u.demo && u.hub == "" && len(u.users) > 0 }

// region is the region whose records the worker publishes: a clerk's own,
// every region for anyone else.
func (u *UI) region() string {
	if u.user.Role == data.RoleClerk {
		return u.user.RegionCode
	}
	return ""
}

// show puts a screen in the main area, and takes the keyboard off the
// screen it replaces: a control hidden with its screen kept the keys, so
// Enter on a student opened from the results opened the highlighted
// result again, and Enter on Needs publishing searched again. With a
// dialog on top (a student read meanwhile) the keyboard is the dialog's
// and stays; the hidden control loses it when the dialog closes, which
// gives it back to the window.
func (u *UI) show(screen fyne.CanvasObject) {
	u.current = screen
	here := place{screen: screen}
	if u.student != nil && screen == u.student.obj {
		here.student = u.student.detail.Student.StateID
	}
	u.status.moved(here)
	u.content.Objects = []fyne.CanvasObject{screen}
	u.content.Refresh()
	u.dialogs.WhenClosed(func() {
		if u.current == screen && u.win.Canvas().Overlays().Top() == nil {
			u.win.Canvas().Unfocus()
		}
	})
}

// today is the day rules compare with ("a QAD in the future").
func today() data.Date { return data.Today() }

// build makes the screens of the user working, afresh: the user is part
// of every screen, so another profile gets new ones. A clerk or a state
// administrator gets the search, the student and publishing; a district
// coordinator or administrator the list of their districts, whose windows
// are all they work in; no one yet (the profile question is open), an
// empty window.
func (u *UI) build() {
	u.search, u.student, u.needs, u.reconcile, u.home, u.conflicts, u.imports = nil, nil, nil, nil, nil, nil, nil
	u.content = container.NewStack()
	u.current = nil
	u.status = newStatusBar(u.st, u.tasks, u.region(), u.user.CanSearchStudents(), u.sync != nil, u.showConflicts, u.explain)
	u.status.setUser(u.user, u.profiles(), u.hub, u.regions)
	u.status.onLink = u.showSyncInDistricts
	if u.sync != nil {
		u.status.setLink(u.sync.state)
		var open func(string)
		if u.user.CanSearchStudents() {
			open = func(stateID string) { u.openStudentFrom(stateID, "Conflicts", u.showConflicts, nil) }
		}
		u.conflicts = newConflictsScreen(u.st, u.user, u.tasks, u.dialogs, u.changed, u.status.say, u.showHome, open)
		u.conflicts.access = u.openAccess
	}
	top := container.NewVBox()
	if u.demo {
		top.Add(demoBanner())
	}
	switch {
	case u.user.CanSearchStudents():
		u.buildClerk()
		u.show(u.search.obj)
	case u.user.DistrictEdition():
		u.home = newDistrictsScreen(u.st, u.user, u.tasks, u.openDistrict)
		u.show(u.home.obj)
	}
	if bar := u.toolbar(); bar != nil {
		top.Add(bar)
	}
	// The window shrinks no further than its screens stay usable at (a
	// screen that scrolls would otherwise let it shrink to a strip), and
	// fits a small laptop at 150%, with the menu bar above it.
	least := fyne.NewSize(smallScreen.Width, smallScreen.Height-menuBarHeight())
	if u.home != nil {
		least.Width = 640
	}
	u.win.SetContent(sized(border(top, u.status.obj, nil, nil, u.content), least.Width, least.Height))
	u.win.SetMainMenu(u.mainMenu())
	// A list of districts needs less. A size the person left it at wins.
	size := firstSize
	if u.home != nil {
		size = fyne.NewSize(820, 520)
	}
	u.win.Resize(windowSize(u.app, u.windowName(), size, u.win.Content().MinSize()))
	if u.shown {
		placeWindow(u.app, u.opts.Placer, u.windowName(), u.win)
	}
}

// windowName names the main window's kept size and place: a clerk's
// screens and a list of districts want different sizes.
func (u *UI) windowName() string {
	if u.home != nil {
		return "districts"
	}
	return "main"
}

// load starts the reads of what the screens show.
func (u *UI) load() {
	u.refreshStatus()
	switch {
	case u.search != nil:
		u.search.loadDistricts()
		u.search.loadRecent()
	case u.home != nil:
		u.home.load(u.openOnlyDistrict)
	}
}

// buildClerk makes the screens of a user who searches the state's
// students and changes their records.
func (u *UI) buildClerk() {
	pub := &publisher{st: u.st, user: u.user, tasks: u.tasks, dialogs: u.dialogs, changed: u.changed}
	u.search = newSearchScreen(u.st, u.tasks, u.win, u.hub, u.user.Username, u.openStudent)
	if u.mayImport() {
		u.search.offerImport(u.showImport)
	}
	u.student = newStudentScreen(u.st, u.user, u.regions, u.tasks, u.dialogs, pub, u.changed)
	// The users are read again after a sync: name them as they are now.
	u.student.name = func(username string) string { return people(u.users).name(username) }
	u.student.onScreen = u.studentShown
	u.needs = newNeedsScreen(u.st, u.region(), u.regions, u.tasks, pub, func(stateID string) {
		u.openStudentFrom(stateID, needsName, u.showNeeds, nil)
	})
	u.needs.focus = func(f fyne.Focusable) {
		if u.current == u.needs.obj && !u.dialogs.Open() {
			u.win.Canvas().Focus(f)
		}
	}
	u.reconcile = newReconcileScreen(u.st, u.win, u.user, u.regions, u.tasks.post)
	u.reconcile.opener = fyneOpener{dialogs: u.dialogs}
}

// changed follows a change written to the database (a save, a publish,
// a grant, a conflict resolved): it says what was done, counts again, and
// sends the change to the hub.
func (u *UI) changed(msg string) {
	if msg != "" {
		u.status.say(msg)
	}
	u.refreshStatus()
	if u.sync != nil {
		u.sync.now(false)
	}
}

// openOnlyDistrict opens, at start, the window of a District Edition
// user's only district: it is all they work in.
func (u *UI) openOnlyDistrict(ds []data.District) {
	if len(ds) == 1 && u.opts.District == "" {
		u.openDistrict(ds[0].Number)
	}
}

// importPolicy is what, besides the role, decides who may load the
// state extract here.
func (u *UI) importPolicy() data.ImportPolicy {
	return data.ImportPolicy{Hub: u.hub, ClerksImport: u.clerksImport}
}

// mayImport reports whether the user working may load the state extract
// from the app.
func (u *UI) mayImport() bool {
	return u.user.Username != "" && u.user.MayImportExtract(u.importPolicy()) == nil
}

// showImport is File → Import the state extract….
func (u *UI) showImport() {
	if u.dialogs.Open() {
		return
	}
	if err := u.user.MayImportExtract(u.importPolicy()); err != nil {
		u.dialogs.ShowError("The state extract cannot be imported here", err)
		return
	}
	if u.imports == nil {
		u.imports = newImportScreen(u.st, u.user, u.tasks, u.win, u.dialogs, u.showHome, u.imported)
	}
	u.show(u.imports.obj)
	u.win.Canvas().Focus(u.imports.path)
}

// imported follows an import: the screens read again what it changed.
func (u *UI) imported(msg string) {
	u.changed(msg)
	u.tasks.run("reading what the import changed", func() func() {
		regions, err := regionNames(context.Background(), u.st)
		return func() {
			if err == nil {
				u.regions = regions
				u.status.setUser(u.user, u.profiles(), u.hub, regions)
				if u.student != nil {
					u.student.regions = regions
				}
			}
		}
	})
	if u.search != nil {
		u.search.loadDistricts()
	}
}

// regionNames reads the names of the regions by code.
func regionNames(ctx context.Context, st *store.Store) (map[string]string, error) {
	rs, err := st.Regions(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(rs))
	for _, r := range rs {
		names[r.Code] = r.Name
	}
	return names, nil
}

// explain shows what something on screen means, in a dialog Esc closes.
func (u *UI) explain(title, text string) {
	if u.dialogs.Open() {
		return
	}
	u.dialogs.ShowCustom(title, widgets.Paragraph(text, 480))
}

// refreshStatus recounts what the status bar shows.
func (u *UI) refreshStatus() { u.status.refresh() }
