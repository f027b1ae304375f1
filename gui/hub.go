package gui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// The shell's side of the hub: the sign-in at start, and what the main
// window shows of the background sync (the UI is the syncer's syncView).

// askSignIn puts the sign-in in the main window, offering the hub the
// database syncs with, else the one signed in to last.
func (u *UI) askSignIn() {
	hubURL := u.hub
	if hubURL == "" {
		hubURL = u.app.Preferences().String(prefHubURL)
	}
	var local func()
	if u.owner == nil {
		local = u.workLocally
	}
	u.signIn = newSignInScreen(u.life, u.st, u.tasks, u.win, hubURL, u.owner, u.hubOnly, u.signedIn, local)
	top := container.NewVBox()
	if u.demo {
		top.Add(demoBanner())
	}
	// Scrolled, in a window no taller than a small screen at 150% has,
	// with the menu bar.
	u.win.SetContent(sized(border(top, nil, nil, nil, container.NewVScroll(u.signIn.obj)), signInWidth, smallScreen.Height-menuBarHeight()))
	u.win.Canvas().Focus(u.signIn.first())
}

// workLocally is "Work on this computer only": no hub, and the person
// signed in to the computer works, as the state administrator.
func (u *UI) workLocally() {
	u.signIn = nil
	u.user = operator()
	u.build()
	u.started()
}

// signedIn starts the work of the user who signed in: their screens, and
// the background sync, which starts at once when the hub answered the
// sign-in.
func (u *UI) signedIn(sess session) {
	if u.life.Err() != nil {
		return
	}
	u.signIn = nil
	u.app.Preferences().SetString(prefHubURL, sess.hubURL)
	u.user, u.hub, u.owner = sess.user, sess.hubURL, &sess.user
	u.sync = newSyncer(u.st, u.tasks, u, sess)
	u.build()
	u.started()
	if sess.client == nil {
		u.status.warn(sentence(sess.offline()+", so your password was checked on this computer.") +
			" You can work as usual: your changes are kept and sent when the hub answers.")
	}
	u.sync.start()
}

// syncNow is Sync now (Ctrl+R), which asks for the password again when
// the hub refused the one kept.
func (u *UI) syncNow() {
	if u.sync == nil || u.dialogs.Open() {
		return
	}
	if u.sync.state == linkSignedOut {
		u.askPassword()
		return
	}
	u.sync.now(true)
}

// askPassword asks for the password after the hub refused the one the
// app kept (it was changed at the hub, say), and syncs with it.
func (u *UI) askPassword() {
	pw := widgets.NewEntry("")
	pw.Password = true
	intro := widgets.Paragraph(fmt.Sprintf("The hub at %s refused the password kept since you signed in; it may have "+
		"been changed, or your account disabled (your state administrator can say). Type your password to sync again. Your changes are kept meanwhile.", u.hub), 440)
	// The app's confirmation, not Fyne's form: its buttons show the focus
	// ring, where the form's blue Sign in showed no focus at all.
	d := widgets.NewConfirm("Sign in to the hub again", "Sign in", "Cancel", container.NewVBox(intro, labeled("Password", pw)),
		func(ok bool) {
			if ok && pw.Text != "" {
				u.sync.signInAgain(pw.Text)
			}
		}, u.win)
	pw.OnSubmitted = func(string) { d.Confirm() }
	u.dialogs.ShowConfirm(d)
	u.win.Canvas().Focus(pw)
}

// syncProgress shows a sync under way in the status bar, and in the
// first sync's dialog.
func (u *UI) syncProgress(stage string, rows, total int) {
	u.status.syncing(stage, rows)
	switch {
	case u.snapshot == nil || stage == "":
	case total > 0:
		// The hub said how many students the first sync brings: the bar
		// shows how far it has come.
		u.snapshot.bar.Stop()
		u.snapshot.bar.Hide()
		u.snapshot.done.Show()
		u.snapshot.done.SetValue(float64(min(rows, total)) / float64(total))
		u.snapshot.count.SetText(fmt.Sprintf("%s: %s of %s students", stage, data.Thousands(rows), data.Thousands(total)))
	default:
		u.snapshot.progress(stage, rows)
	}
}

// syncSnapshot shows the progress of a first sync, which brings the
// user's whole scope and takes a while.
func (u *UI) syncSnapshot() {
	if u.snapshot == nil {
		u.snapshot = newSnapshotDialog(u.dialogs)
	}
}

// syncDone shows how a sync went, and shows again what it changed.
func (u *UI) syncDone(r syncResult) {
	if u.snapshot != nil {
		u.snapshot.d.Hide()
		u.snapshot = nil
	}
	u.status.setLink(r.state)
	if !r.quiet {
		if r.err != nil || r.sum.Conflict+r.sum.Rejected > 0 {
			u.status.warnSync(syncMessage(r))
		} else {
			u.status.synced(syncMessage(r))
		}
	}
	u.refreshStatus()
	if r.sum.Pulled > 0 || u.accessWaits {
		u.pulled(r.err == nil)
	}
	if u.conflicts != nil && u.current == u.conflicts.obj {
		u.conflicts.load()
	}
}

// tick is the clock: "2 minutes ago" moves on.
func (u *UI) tick() { u.status.tick() }

// pulled reads again what a pull may have changed on screen: the users
// who are named, and, after a sync that went through, the signed-in
// user's access (followAccess); then, unless that access changed and the
// screens were built anew, the districts of a first sync, the student
// shown (unless it is being edited) and the district windows. A sync cut
// part way may have applied a user without their districts: its access
// waits for a whole one.
func (u *UI) pulled(whole bool) {
	username := u.user.Username
	follow := whole && u.sync != nil
	u.tasks.run("reading what the hub sent", func() func() {
		ctx := context.Background()
		users, err := u.st.Users(ctx)
		regions, rerr := regionNames(ctx, u.st)
		var iderr error
		if err == nil && follow {
			iderr = keepIdentity(ctx, u.st, username, users)
		}
		return func() {
			if rerr == nil {
				// A first sync brings the region names the status
				// bar shows.
				u.regions = regions
			}
			if !whole && u.sync != nil {
				// What it applied may be the user's new access: the
				// next whole sync looks, whether it pulls or not.
				u.accessWaits = true
			}
			if iderr != nil {
				u.status.warn(sentence(iderr.Error()))
			}
			if err == nil {
				u.users = users
				if follow && u.followAccess() {
					return
				}
			}
			u.status.setUser(u.user, u.profiles(), u.hub, u.regions)
			u.reloadPulled()
		}
	})
}

// keepIdentity writes into the database's identity the signed-in user as
// the pulls of a whole sync left them: a sign-in without the hub takes
// the identity, which is then the hub's last word, whether it came with
// the last online sign-in or with a pull since.
func keepIdentity(ctx context.Context, st *store.Store, username string, users []data.User) error {
	i := slices.IndexFunc(users, func(x data.User) bool { return x.Username == username })
	if i < 0 {
		return nil
	}
	id, synced, err := st.Identity(ctx)
	if err != nil || !synced || id.User.Username != username {
		return err
	}
	now := users[i]
	if now.SameAccess(id.User) && now.FullName == id.User.FullName && now.Email == id.User.Email {
		return nil
	}
	id.User = now
	return st.SetIdentity(ctx, id)
}

// reloadPulled reads again what the screens show of the database.
func (u *UI) reloadPulled() {
	switch {
	case u.search != nil && len(u.search.districts) == 0:
		u.search.loadDistricts()
	case u.home != nil:
		first := len(u.home.buttons.Objects) == 0
		u.home.load(func(ds []data.District) {
			if first {
				u.openOnlyDistrict(ds)
			}
		})
	}
	if u.studentShown() && u.student.form == nil && !u.dialogs.Open() {
		u.student.reload()
	}
	// The whole window: a pull may bring a report grant or its
	// revocation as well as records.
	for _, w := range u.districts {
		w.refresh()
	}
}

// followAccess shows the signed-in user a change to their access that a
// whole sync brought (an administrator at the hub gave them another
// role, region or districts): the hub decides their syncs by it already,
// and the app's screens and checks now follow it too, not the next
// sign-in. The district windows close, and those of the districts the
// user still serves open again, for the new access. Nothing under way is
// taken away for it: until the person is done (settled), the change
// waits for a later sync. It reports whether it built the screens anew.
func (u *UI) followAccess() bool {
	i := slices.IndexFunc(u.users, func(x data.User) bool { return x.Username == u.user.Username })
	if i < 0 {
		return false
	}
	now := u.users[i]
	if now.SameAccess(u.user) {
		u.user.FullName, u.user.Email = now.FullName, now.Email
		u.accessWaits = false
		return false
	}
	if !u.settled() {
		u.accessWaits = true
		u.status.warn(fmt.Sprintf("An administrator at the hub changed your access: you now work as %s. Migrant Desk "+
			"switches to it at the first sync after you close what is open; a record of a student you no longer serve "+
			"cannot be saved here.", accessLabel(now, u.regions)))
		return false
	}
	u.accessWaits = false
	var reopen []string
	for _, w := range u.districts {
		if now.CanSeeDistrict(w.d) {
			reopen = append(reopen, w.d.Number)
		}
	}
	slices.Sort(reopen)
	u.user = now
	u.closeDistricts()
	u.build()
	u.load()
	for _, n := range reopen {
		u.openDistrict(n)
	}
	u.dialogs.ShowCustom("Your access has changed", widgets.Paragraph(
		"An administrator at the state hub changed what you may see and do. You now work as "+
			accessLabel(now, u.regions)+".", 440))
	return true
}

// settled reports whether the person is in the middle of nothing that
// building the screens anew would take away: no dialog over a window
// (a record being typed is one), no report being made, and neither the
// import nor the reconciliation screen shown (a file chosen, a
// comparison read).
func (u *UI) settled() bool {
	if u.dialogs.Open() || u.imports != nil && u.current == u.imports.obj || u.reconcile != nil && u.current == u.reconcile.obj {
		return false
	}
	for _, w := range u.districts {
		if w.dialogs.Open() || w.report.stop != nil {
			return false
		}
	}
	return true
}

// accessLabel is a user's role and what it covers, as the middle of a
// sentence says it: "district coordinator, districts 001, 003".
func accessLabel(usr data.User, regions map[string]string) string {
	s := strings.ToLower(data.RoleName(usr.Role))
	switch {
	case usr.Role == data.RoleClerk:
		s += ", " + regionName(regions, usr.RegionCode)
	case len(usr.OwnDistricts()) == 1:
		s += ", district " + usr.OwnDistricts()[0]
	case len(usr.OwnDistricts()) > 1:
		s += ", districts " + strings.Join(usr.OwnDistricts(), ", ")
	}
	return s
}

// snapshotDialog is the progress of a first sync: a bar that moves while
// the rows arrive, and how many rows and pages so far (the hub does not
// say how many there will be).
type snapshotDialog struct {
	d     dialog.Dialog
	bar   *widget.ProgressBarInfinite
	done  *widget.ProgressBar // in place of bar once the hub says how many
	count *widget.Label
	stage string
	pages int // pages of the stage received so far
}

// progress counts a page received: the client reports each page with the
// rows of the sync so far.
func (s *snapshotDialog) progress(stage string, rows int) {
	if stage != s.stage {
		s.stage, s.pages = stage, 0
	}
	s.pages++
	s.count.SetText(fmt.Sprintf("%s: %s so far, in %s…", stage, data.Count(rows, "row"), data.Count(s.pages, "page")))
}

func newSnapshotDialog(dialogs *widgets.Dialogs) *snapshotDialog {
	s := &snapshotDialog{bar: widget.NewProgressBarInfinite(), done: widget.NewProgressBar(), count: widget.NewLabel("Connecting to the hub…")}
	s.done.Hide()
	intro := widgets.Paragraph("This first sync copies the students and migrant records you work with from the hub to this "+
		"computer; later syncs only send and receive changes. You can go on working: what arrives shows as it comes.", 460)
	content := container.NewVBox(intro, s.bar, s.done, s.count)
	d := dialog.NewCustomWithoutButtons("Getting your records from the hub", content, dialogs.Window())
	d.SetButtons([]fyne.CanvasObject{widgets.NewButton("Continue in the background", d.Hide)})
	s.d = d
	dialogs.Show(d)
	return s
}
