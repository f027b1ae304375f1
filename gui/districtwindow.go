package gui

import (
	"context"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/gui/widgets"
	"migrantdesk/report"
)

// districtStore is what a district window reads and writes: its tabs'
// interfaces together.
type districtStore interface {
	districtRecords
	worklistStore
	reportStore
	accessStore
	districtWatcher
}

// districtWatcher tells a district window when its district's copies
// change (a publish, a removal, a sync's pull), from whichever goroutine
// wrote them; an empty list is any district.
type districtWatcher interface {
	WatchDistricts(fn func(districts []string)) (stop func())
}

// districtEnv is what every district window of the app shares.
type districtEnv struct {
	app    fyne.App
	placer WindowPlacer // nil keeps no position
	st     districtStore
	build  reportBuilder
	tasks  *tasks
	people people
	demo   bool
	wrote  func() // after a change to the database: count again and sync
	// syncNow is Ctrl+R; nil on a database that syncs with no hub,
	// where the window shows no sync line.
	syncNow func()

	regions map[string]string // region names by code
}

// districtTab is what a district window gives each of its tabs: who is
// looking at which district and on which day, the dialogs over the
// window, the message line at its foot, who is who, and the tasks.
type districtTab struct {
	user    data.User
	d       data.District
	today   data.Date
	dialogs *widgets.Dialogs
	say     func(msg string) // what went well
	note    func(msg string) // what is no success: a cancel, a failure a dialog explains
	tasks   *tasks
	people  people
	wrote   func() // after a change to the database: count again and sync
	// hub says the database syncs with a hub: a change made here
	// reaches others' computers only as each syncs.
	hub bool
}

// people are the profiles of the database, to name who did what.
type people []data.User

// name is "Lucía Ramos (clerk1)" for a profile of the database, the user
// name alone otherwise.
func (p people) name(username string) string {
	for _, usr := range p {
		if usr.Username == username {
			return usr.FullName + " (" + username + ")"
		}
	}
	return username
}

// districtWindow is the District Edition of one district: its migrant
// records read-only, the QA Migrant report and, for its administrator,
// who may run the report. Nothing in it can change a record.
type districtWindow struct {
	d        data.District
	user     data.User // who opened it; a later profile change does not carry over
	preview  bool      // a clerk looking at what the district sees
	today    data.Date // the day eligibility is shown for
	demo     bool
	region   string // the district's region, by name
	app      fyne.App
	placer   WindowPlacer
	win      fyne.Window
	dialogs  *widgets.Dialogs
	onClosed func()

	records    *recordList
	recordsTab *container.TabItem
	worklist   *worklistScreen
	report     *reportScreen
	access     *accessScreen // nil unless the user administers the district
	tabs       *container.AppTabs
	message    *widget.Label
	syncLine   *widget.Label // online or offline and the last sync; hidden with no hub
	refreshBtn *widgets.Button
	unwatch    func()
}

// newDistrictWindow builds the window of district d for usr, showing
// eligibility and the school-year presets as of the day given; onClosed
// runs when it closes.
func newDistrictWindow(env districtEnv, usr data.User, d data.District, on data.Date, onClosed func()) *districtWindow {
	w := &districtWindow{
		d:        d,
		user:     usr,
		preview:  usr.Role == data.RoleClerk,
		today:    on,
		demo:     env.demo,
		region:   regionName(env.regions, d.RegionCode),
		app:      env.app,
		placer:   env.placer,
		onClosed: onClosed,
		message:  widget.NewLabel(""),
		syncLine: widget.NewLabel(""),
	}
	if env.syncNow == nil {
		w.syncLine.Hide()
	}
	w.win = env.app.NewWindow(districtTitle(d))
	w.dialogs = widgets.NewDialogs(w.win)
	tab := districtTab{user: usr, d: d, today: on, dialogs: w.dialogs, say: w.say, note: w.note, tasks: env.tasks, people: env.people, wrote: env.wrote,
		hub: env.syncNow != nil}
	w.records = newRecordList(env.st, tab)
	w.recordsTab = container.NewTabItemWithIcon("Migrant records", theme.ListIcon(), w.records.obj)
	w.worklist = newWorklistScreen(env.st, tab, w.preview, func(title string, records map[string]string, click bool) {
		if !click && w.records.only == nil {
			return // the records tab shows them all now
		}
		w.records.showOnly(title, records)
		if click {
			w.tabs.Select(w.recordsTab)
		}
	})
	w.report = newReportScreen(env.st, env.build, env.app, tab)
	reportTab := container.NewTabItemWithIcon("QA Migrant report", theme.DocumentIcon(), w.report.obj)
	w.tabs = container.NewAppTabs(container.NewTabItemWithIcon("Worklist", theme.HomeIcon(), w.worklist.obj), w.recordsTab, reportTab)
	var accessTab *container.TabItem
	if usr.Administers(d.Number) {
		w.access = newAccessScreen(env.st, tab)
		accessTab = container.NewTabItemWithIcon("Users and access", theme.AccountIcon(), w.access.obj)
		w.tabs.Append(accessTab)
	}
	// Access may change while the window is open (a grant, a sync):
	// each visit reads it again.
	w.tabs.OnSelected = func(t *container.TabItem) {
		switch t {
		case reportTab:
			w.report.load()
		case accessTab:
			w.access.load()
		}
	}
	w.message.Truncation = fyne.TextTruncateEllipsis
	w.win.SetContent(border(w.header(), w.footer(), nil, nil, w.tabs))
	w.dialogs.AddShortcut(keyCloseWindow, w.win.Close)
	if env.syncNow != nil {
		w.dialogs.AddShortcut(keySync, env.syncNow)
	}
	w.dialogs.AddShortcut(keyNextTab, func() { w.nextTab(1) })
	w.dialogs.AddShortcut(keyPreviousTab, func() { w.nextTab(-1) })
	w.dialogs.AddShortcut(keySearch, func() {
		w.tabs.Select(w.recordsTab)
		w.win.Canvas().Focus(w.records.filter)
	})
	// The dialogs' key handler (Esc) keeps the keys the window leaves.
	dialogKeys := w.win.Canvas().OnTypedKey()
	w.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if !w.typedKey(k) && dialogKeys != nil {
			dialogKeys(k)
		}
	})
	w.records.filter.onKey = w.typedKey
	number, t := d.Number, env.tasks
	w.unwatch = env.st.WatchDistricts(func(ds []string) {
		if len(ds) == 0 || slices.Contains(ds, number) {
			t.run("reading the district again", func() func() { return w.refresh })
		}
	})
	w.win.SetOnClosed(w.closed)
	return w
}

// typedKey acts on the keys of the window: F5 refreshes it, but not
// while a dialog has the keyboard, as the shortcuts of the window wait.
func (w *districtWindow) typedKey(k *fyne.KeyEvent) bool {
	if k.Name != fyne.KeyF5 || w.dialogs.Open() {
		return false
	}
	w.refresh()
	return true
}

// refresh reads the district's records and worklist again (F5, or on its
// own when the district's copies change); the report screen reads its
// counts again for the period chosen, and the access tab its grants, as
// a sync may bring a grant given at another workstation.
func (w *districtWindow) refresh() {
	w.records.load()
	w.worklist.load()
	w.report.load()
	if w.access != nil {
		w.access.load()
	}
}

// keyCloseWindow (Ctrl+W) closes a district window; Ctrl+F there goes
// to the filter of its record list.
var keyCloseWindow = &desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierShortcutDefault}

// keyNextTab (Ctrl+Tab) and keyPreviousTab (Ctrl+Shift+Tab) go from tab
// to tab of a district window: Fyne's tabs take no focus, so Tab alone
// never reached the QA Migrant report or Users and access.
var (
	keyNextTab     = &desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierControl}
	keyPreviousTab = &desktop.CustomShortcut{KeyName: fyne.KeyTab, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift}
)

// nextTab shows the tab by places after the one shown, round, and puts
// the keyboard on its first control: the one that had it is hidden now.
// Refresh, in the header, is the last control before the tab's own, and
// Fyne offers no other way to the first control of a part of a window.
func (w *districtWindow) nextTab(by int) {
	n := len(w.tabs.Items)
	w.tabs.SelectIndex((w.tabs.SelectedIndex() + by + n) % n)
	c := w.win.Canvas()
	c.Focus(w.refreshBtn)
	c.FocusNext()
}

// districtTitle is the window title, "Migrant Desk — 012 Adair County".
func districtTitle(d data.District) string {
	return "Migrant Desk — " + d.Number + " " + d.Name
}

func (w *districtWindow) show() {
	w.win.Resize(windowSize(w.app, "district", firstSize, w.win.Content().MinSize()))
	w.win.Show()
	placeWindow(w.app, w.placer, w.kept().place, w.win)
	w.refresh()
}

// kept names what the window keeps: one size for every district window,
// which is a matter of the screen, and a place for each district, as a
// coordinator with several lays their windows side by side and each
// should come back to its own (one shared place would stack them).
func (w *districtWindow) kept() keptWindow {
	return keptWindow{size: "district", place: "district." + w.d.Number, win: w.win}
}

// closed stops a report being made in the window and the news of its
// district. The app and the main window stay open.
func (w *districtWindow) closed() {
	w.unwatch()
	keepWindows(w.app, w.placer, w.kept())
	w.report.cancel()
	w.onClosed()
}

// header names the district and who is looking; a clerk's preview says
// plainly that it is one.
func (w *districtWindow) header() fyne.CanvasObject {
	top := container.NewVBox()
	if w.demo {
		top.Add(demoBanner())
	}
	// A district's name can be long ("... Consolidated Independent School
	// District of the Upper Río Grande Valley"): it wraps, where on one
	// line it widened the window past the screen.
	title := heading(w.d.Number + " " + w.d.Name)
	title.Wrapping = fyne.TextWrapWord
	who := widget.NewLabel(fmt.Sprintf("District Edition · %s · %s, %s", w.region,
		w.user.FullName, data.RoleName(w.user.Role)))
	who.Truncation = fyne.TextTruncateEllipsis
	who.Alignment = fyne.TextAlignTrailing
	w.refreshBtn = widgets.NewButtonWithIcon("Refresh (F5)", theme.ViewRefreshIcon(), w.refresh)
	// The name has a width of its own: a wrapping label measured before
	// the window's first layout, at no width, wanted a line a word and
	// made the window taller than the screen.
	top.Add(container.New(headerLine{who: who}, sized(title, titleWidth, 0), who, w.refreshBtn))
	if w.preview {
		top.Add(note(theme.VisibilityIcon(), widget.NewLabel(fmt.Sprintf("Preview as district: this window shows exactly what %s %s sees — "+
			"the records as last published to it, read-only. Changes you have saved but not published do not show here.",
			w.d.Number, w.d.Name))))
	}
	return top
}

// The least room of the header's line on who is looking, and the least
// the district's name has.
const (
	whoWidth   = 300
	titleWidth = 360
)

// headerLine lays out the district's name, who is looking and the
// Refresh button side by side. Who is looking gets the width its text
// needs where the window has the room, since a coordinator checks there
// whose window it is; the name takes the rest and wraps. In a narrow
// window who is looking shrinks to whoWidth, cut with an ellipsis, and
// the name keeps titleWidth: neither widens the window past a small
// screen. The button and who is looking stay at the top as the name
// wraps, rather than growing as tall as it. Who is looking is clipped
// where it fits: an ellipsis, shaped by Fyne, cut a text given exactly
// its measured width.
type headerLine struct {
	who *widget.Label
}

func (h headerLine) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	title, who, btn := objs[0], objs[1], objs[2]
	pad := theme.Padding()
	b := btn.MinSize()
	needs := fyne.MeasureText(h.who.Text, theme.TextSize(), h.who.TextStyle).Width + 2*theme.InnerPadding()
	ww := max(whoWidth, min(needs, size.Width-b.Width-titleWidth-2*pad))
	tw := size.Width - b.Width - ww - 2*pad
	line := max(b.Height, who.MinSize().Height)
	title.Move(fyne.NewPos(0, 0))
	title.Resize(fyne.NewSize(tw, size.Height))
	who.Move(fyne.NewPos(tw+pad, 0))
	who.Resize(fyne.NewSize(ww, line))
	if t := widgets.Truncation(h.who.Text, h.who.TextStyle, ww); t != h.who.Truncation {
		h.who.Truncation = t
		h.who.Refresh()
	}
	btn.Move(fyne.NewPos(size.Width-b.Width, 0))
	btn.Resize(fyne.NewSize(b.Width, line))
}

func (headerLine) MinSize(objs []fyne.CanvasObject) fyne.Size {
	title, who, btn := objs[0].MinSize(), objs[1].MinSize(), objs[2].MinSize()
	return fyne.NewSize(titleWidth+whoWidth+btn.Width+2*theme.Padding(), max(title.Height, who.Height, btn.Height))
}

func (w *districtWindow) footer() fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(), border(nil, nil, nil, w.syncLine, w.message))
}

// showSync says where the workstation stands with its hub.
func (w *districtWindow) showSync(text string, imp widget.Importance) {
	w.syncLine.Importance = imp
	w.syncLine.SetText(text)
}

// say shows the result of the last action at the foot of the window.
func (w *districtWindow) say(msg string) { w.tell(msg, widget.SuccessImportance) }

// note says what happened without the green of success: a cancelled
// save has saved nothing, and a failed one has its error dialog.
func (w *districtWindow) note(msg string) { w.tell(msg, widget.MediumImportance) }

func (w *districtWindow) tell(msg string, imp widget.Importance) {
	w.message.Importance = imp
	w.message.SetText(msg)
}

// openDistrict opens the window of a district the user may see, or brings
// it forward when it is open already.
func (u *UI) openDistrict(number string) { u.openDistrictThen(number, nil) }

// openAccess opens the Users and access tab of a district the user
// administers: where a grant or revoke the hub refused is made again.
func (u *UI) openAccess(number string) {
	u.openDistrictThen(number, func(w *districtWindow) {
		if w.access != nil {
			w.tabs.SelectIndex(len(w.tabs.Items) - 1)
		}
	})
}

// openDistrictThen is openDistrict, then, when not nil, has the window
// shown.
func (u *UI) openDistrictThen(number string, then func(*districtWindow)) {
	if then == nil {
		then = func(*districtWindow) {}
	}
	if w := u.districts[number]; w != nil {
		w.win.RequestFocus()
		then(w)
		return
	}
	u.tasks.run("opening the district", func() func() {
		d, err := u.st.District(context.Background(), number)
		return func() {
			// Who works now, which a profile switch or a change of
			// access at the hub may have changed meanwhile.
			usr := u.user
			switch {
			case err != nil:
				u.dialogs.ShowError("District window", err)
			case !usr.CanSeeDistrict(d):
				u.dialogs.ShowError("District window", &data.AccessError{User: usr, What: "open district " + d.Number + " " + d.Name})
			case u.districts[number] != nil:
				u.districts[number].win.RequestFocus()
				then(u.districts[number])
			default:
				then(u.showDistrict(usr, d, today()))
			}
		}
	})
}

// showDistrict opens the window of d for usr, as of the day given, and
// keeps it among the UI's district windows until it closes.
func (u *UI) showDistrict(usr data.User, d data.District, on data.Date) *districtWindow {
	var w *districtWindow
	w = newDistrictWindow(u.districtEnv(), usr, d, on, func() {
		if u.districts[d.Number] == w {
			delete(u.districts, d.Number)
		}
	})
	if u.districts == nil {
		u.districts = map[string]*districtWindow{}
	}
	u.districts[d.Number] = w
	if u.sync != nil {
		w.showSync(u.status.districtLine())
	}
	w.show()
	return w
}

// showSyncInDistricts tells each district window where the workstation
// stands with its hub.
func (u *UI) showSyncInDistricts() {
	if u.sync == nil {
		return
	}
	text, imp := u.status.districtLine()
	for _, w := range u.districts {
		w.showSync(text, imp)
	}
}

// districtEnv wires the district windows to the database.
func (u *UI) districtEnv() districtEnv {
	st := u.st
	env := districtEnv{
		app:    u.app,
		placer: u.opts.Placer,
		st:     st,
		build: func(ctx context.Context, user data.User, district string, p data.Period) (*report.QA, error) {
			return report.Build(ctx, st, user, district, p)
		},
		tasks:  u.tasks,
		people: u.users,
		demo:   u.demo,
		wrote:  func() { u.changed("") },

		regions: u.regions,
	}
	if u.sync != nil {
		env.syncNow = func() {
			// Signing in again asks in the main window.
			if u.sync.state == linkSignedOut {
				u.win.RequestFocus()
			}
			u.syncNow()
		}
	}
	return env
}

// closeDistricts closes every district window of the UI, as when another
// profile starts working: the windows show what their profile may see.
func (u *UI) closeDistricts() {
	for _, w := range u.districts {
		w.win.Close()
	}
}
