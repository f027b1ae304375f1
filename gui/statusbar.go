package gui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/gui/widgets"
)

// statusCounter is what the status bar reads.
type statusCounter interface {
	Path() string
	Pending(ctx context.Context) (int, error)
	CountNeedsPublishing(ctx context.Context, region string) (int, error)
	CountConflicts(ctx context.Context) (int, error)
	CountRejections(ctx context.Context) (int, error)
	LastSync(ctx context.Context) (time.Time, error)
}

// statusBar is the two lines at the bottom of the window: who is working
// on which database; then where the workstation stands with its hub
// (online or offline, changes waiting, the last sync, conflicts to
// resolve) and what needs publishing; above them, the result of the last
// action.
type statusBar struct {
	st      statusCounter
	tasks   *tasks
	region  string // whose records need publishing; "" every region
	hub     bool   // the database syncs with a hub
	db      *widget.Label
	profile *widget.Label
	link    *widget.Label
	// pending says what waits for the hub; clicked, it explains.
	pending   *widgets.Button
	waiting   int // changes waiting, as last counted
	refused   int // changes the hub refused that the clerk has not dismissed
	explain   func(title, text string)
	last      *widget.Label
	lastAt    time.Time
	conflicts *widgets.Button
	unpub     *widget.Label // nil for those who do not publish
	message   *widget.Label
	// when is the time of the message, so that it reads as past; the
	// message is about here as it was said (said), and goes quiet once
	// the person moves on, or after messageFresh.
	when       *widget.Label
	here, said place
	saidCount  int // messages said so far, so a timer quiets only its own
	// warning is a problem said that the person has not dismissed: it
	// stays, held beside a later message on the message line (heldLine),
	// until dismiss; fromSync when a sync said it, which a later sync
	// that goes through settles.
	warning  string
	fromSync bool
	hinting  bool // the message is a hint, which goes quiet as a result does
	held     *widget.Label
	heldLine fyne.CanvasObject
	dismiss  *widgets.Button // beside the message, when it is the warning
	// beside holds the message and the warning held (besideMessage).
	beside  *fyne.Container
	msgLine fyne.CanvasObject
	obj     fyne.CanvasObject
	// state and busy are where the link stands, for the district
	// windows, which cover this bar; onLink tells them of a change.
	state  linkState
	busy   bool
	onLink func()
}

// newStatusBar is the status bar of a worker of region (""for all);
// publishes says whether the worker publishes records, and so is shown
// how many need it; hub whether the database syncs with a hub, and
// conflicts opens the Conflicts screen; explain shows what a count means.
func newStatusBar(st statusCounter, t *tasks, region string, publishes, hub bool, conflicts func(), explain func(title, text string)) *statusBar {
	s := &statusBar{
		st:      st,
		tasks:   t,
		region:  region,
		hub:     hub,
		db:      widget.NewLabel("Database: " + st.Path()),
		profile: widget.NewLabel("Profile: choosing…"),
		link:    widget.NewLabel(""),
		explain: explain,
		message: widget.NewLabel(""),
	}
	s.pending = widgets.NewButtonWithIcon("", theme.InfoIcon(), s.explainPending)
	s.pending.Importance = widget.LowImportance
	s.pending.SetText(standaloneChanges)
	if hub {
		s.pending.SetText("Waiting for sync: …")
	}
	s.db.Truncation = fyne.TextTruncateEllipsis
	s.message.Importance = widget.SuccessImportance
	s.message.Truncation = fyne.TextTruncateEllipsis
	s.message.Hide()
	s.when = widget.NewLabel("")
	s.held = widget.NewLabel("")
	s.held.Importance = widget.WarningImportance
	s.held.Truncation = fyne.TextTruncateEllipsis
	s.dismiss = widgets.NewButtonWithIcon("Dismiss", theme.CancelIcon(), s.dismissWarning)
	s.dismiss.Importance = widget.LowImportance
	s.dismiss.Hide()
	counts := container.NewHBox(s.link, widget.NewSeparator(), s.pending)
	if hub {
		s.last = widget.NewLabel("Last sync: …")
		s.conflicts = widgets.NewButton("Conflicts: …", conflicts)
		s.conflicts.Importance = widget.LowImportance
		counts.Add(widget.NewSeparator())
		counts.Add(s.last)
		counts.Add(widget.NewSeparator())
		counts.Add(s.conflicts)
	} else {
		s.link.SetText("This computer only: no hub")
	}
	if publishes {
		s.unpub = widget.NewLabel("Need publishing: …")
		counts.Add(widget.NewSeparator())
		counts.Add(s.unpub)
	}
	who := border(nil, nil, container.NewHBox(s.profile, widget.NewSeparator()), nil, s.db)
	dismissHeld := widgets.NewButtonWithIcon("Dismiss", theme.CancelIcon(), s.dismissWarning)
	dismissHeld.Importance = widget.LowImportance
	s.heldLine = border(nil, nil, widget.NewSeparator(), dismissHeld, s.held)
	s.heldLine.Hide()
	s.beside = container.New(besideMessage{message: s.message, held: s.held}, s.message, s.heldLine)
	s.msgLine = border(nil, nil, s.when, s.dismiss, s.beside)
	s.msgLine.Hide()
	s.obj = container.NewVBox(widget.NewSeparator(), s.msgLine, who, counts)
	return s
}

// besideMessage lays out the message line: the last message, and on its
// right the warning held, with its Dismiss, while one is. On a line of
// its own the warning took a row of search results from a 1366x768
// laptop; a message is most often short, and the line has room for
// both. The shorter of the two shows whole when it fits in half the
// line, the other taking the rest, cut short with an ellipsis.
type besideMessage struct {
	message, held *widget.Label
}

func (l besideMessage) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	message, held := objs[0], objs[1]
	width := size.Width
	if held.Visible() {
		// The separator and Dismiss around the warning's text.
		around := held.MinSize().Width - l.held.MinSize().Width
		width = firstShare(textWidth(l.message), textWidth(l.held)+around, size.Width)
		held.Move(fyne.NewPos(width, 0))
		held.Resize(fyne.NewSize(size.Width-width, size.Height))
	}
	message.Move(fyne.NewPos(0, 0))
	message.Resize(fyne.NewSize(width, size.Height))
}

func (l besideMessage) MinSize(objs []fyne.CanvasObject) fyne.Size {
	size := objs[0].MinSize()
	if objs[1].Visible() {
		held := objs[1].MinSize()
		size = fyne.NewSize(size.Width+held.Width, max(size.Height, held.Height))
	}
	return size
}

// firstShare is the width the first of two texts, a and b wide, gets of
// a line total wide: all it needs when both fit or it is the shorter and
// fits in half, else what the other leaves when that one fits in half,
// else half.
func firstShare(a, b, total float32) float32 {
	switch {
	case a+b <= total, a <= total/2:
		return a
	case b <= total/2:
		return total - b
	default:
		return total / 2
	}
}

// textWidth is the width l needs to show its text whole on a line: what
// a label of that text not cut short measures, and a unit more, since
// Fyne ends a label given exactly that width with an ellipsis.
func textWidth(l *widget.Label) float32 {
	return widget.NewLabelWithStyle(l.Text, l.Alignment, l.TextStyle).MinSize().Width + 1
}

// standaloneChanges is what the status bar says of changes on a database
// that syncs with no hub: they are saved, and nothing waits for anyone.
const standaloneChanges = "Changes saved on this computer"

// explainPending says what the sync count means, and what to do about it.
func (s *statusBar) explainPending() {
	if !s.hub {
		s.explain("Changes on this computer", "This database does not sync with a state hub: what you save is kept "+
			"in this file only, and nothing is waiting to be sent. Each change is still recorded, so that the "+
			"database can later be connected to the state's hub without losing any of them.")
		return
	}
	text := "No change is waiting: everything you saved has reached the hub."
	if s.waiting > 0 {
		text = fmt.Sprintf("%s you saved on this computer %s not reached the hub yet. They are kept here and sent "+
			"with the next sync: every few minutes while the hub can be reached, or now with Sync now (Ctrl+R). "+
			"Nothing is lost while you work offline.", capital(data.Count(s.waiting, "change")), data.Agree(s.waiting, "has", "have"))
	}
	if s.refused > 0 {
		text += fmt.Sprintf("\n\nThe hub refused %s. Open Conflicts to read why, and dismiss each once you have dealt with it.",
			data.Count(s.refused, "change"))
	}
	s.explain("Changes waiting for the hub", text)
}

// setUser says who works: the user signed in to the hub, a demo profile,
// or the computer's user; regions names the regions by code.
func (s *statusBar) setUser(usr data.User, profile bool, hub string, regions map[string]string) {
	if profile {
		// While the profile is chosen too, as the window's banner says.
		s.link.SetText("Demo database: no hub")
	}
	who := usr.FullName + ", " + data.RoleName(usr.Role)
	if usr.RegionCode != "" {
		who += ", " + regionName(regions, usr.RegionCode)
	}
	switch {
	case usr.Username == "":
	case hub != "":
		s.profile.SetText(fmt.Sprintf("Signed in as %s (%s) · hub %s", who, usr.Username, hub))
	case !profile:
		s.profile.SetText(fmt.Sprintf("Working as %s, the computer's user (%s), on this computer only",
			usr.Username, data.RoleName(usr.Role)))
	default:
		s.profile.SetText("Demo profile: " + who)
	}
}

// setLink shows where the workstation stands with its hub.
func (s *statusBar) setLink(state linkState) {
	s.state, s.busy = state, false
	defer s.linked()
	switch state {
	case linkOnline:
		s.link.SetText("Online")
		s.link.Importance = widget.SuccessImportance
	case linkOffline:
		s.link.SetText("Offline: changes wait for the hub")
		s.link.Importance = widget.WarningImportance
	case linkSignedOut:
		s.link.SetText("Signed out: sign in again to sync (Ctrl+R)")
		s.link.Importance = widget.DangerImportance
	case linkFailed:
		s.link.SetText("Not synced: see the message above")
		s.link.Importance = widget.DangerImportance
	}
	s.link.Refresh()
}

// syncing shows a sync under way: its stage and the rows so far.
func (s *statusBar) syncing(stage string, rows int) {
	s.busy = true
	defer s.linked()
	s.link.Importance = widget.MediumImportance
	switch {
	case stage == "":
		s.link.SetText("Syncing…")
	default:
		s.link.SetText(fmt.Sprintf("Syncing: %s, %s…", lower(stage), data.Thousands(rows)))
	}
}

// place is where the window is: a screen, and the student it shows.
type place struct {
	screen  fyne.CanvasObject
	student string // the state ID; "" on a screen of no one student
}

// messageFresh is how long the result of an action reads as just done.
var messageFresh = 2 * time.Minute

// say shows the result of the last action, with its time. A message that
// stood until the next action read as current long after: "Saved the
// change" under another student, an hour later. It goes quiet when
// the person moves to another screen or student, or after messageFresh.
func (s *statusBar) say(msg string) {
	s.show(msg, widget.SuccessImportance)
	n := s.saidCount
	time.AfterFunc(messageFresh, func() {
		fyne.Do(func() {
			if s.saidCount == n {
				s.quiet()
			}
		})
	})
}

// warn shows a problem the person should act on, such as a sync that
// did not go through: it stays, and in its colour, until dismissed.
func (s *statusBar) warn(msg string) {
	s.warning, s.fromSync = msg, false
	s.show(msg, widget.WarningImportance)
	s.dismiss.Show()
}

// hint says why a key did nothing (Ctrl+N with no student open): in
// the colour of a warning, to be seen, but it goes quiet as the result
// of an action does, and no Dismiss: there is nothing to acknowledge.
func (s *statusBar) hint(msg string) {
	s.show(msg, widget.WarningImportance)
	s.hinting = true
}

// warnSync is warn for a sync that did not go through.
func (s *statusBar) warnSync(msg string) {
	s.warn(msg)
	s.fromSync = true
}

// synced says a sync went through: a warning of an earlier sync is
// settled by it.
func (s *statusBar) synced(msg string) {
	if s.fromSync {
		s.dismissWarning()
	}
	s.say(msg)
}

func (s *statusBar) show(msg string, importance widget.Importance) {
	s.saidCount++
	s.said, s.hinting = s.here, false
	s.message.Importance = importance
	s.message.SetText(msg)
	s.when.SetText(time.Now().Format("3:04 PM"))
	s.message.Show()
	s.msgLine.Show()
	s.dismiss.Hide()
	// A warning not dismissed stays, beside the message.
	s.held.SetText(s.warning)
	if s.warning == "" || s.warning == msg {
		s.heldLine.Hide()
	} else {
		s.heldLine.Show()
	}
	// Laid out again for the texts: a label cut short measures the same
	// whatever it says, so the window would keep the widths of the
	// message before, and cut short a longer one beside the warning.
	s.beside.Refresh()
}

// settle takes back the warning msg, if it is still said, once what it
// warned of is over: a write that waited for another program's has had
// its turn.
func (s *statusBar) settle(msg string) {
	if s.warning == msg {
		s.dismissWarning()
	}
}

// dismissWarning is the Dismiss button: the warning is acknowledged.
func (s *statusBar) dismissWarning() {
	if s.message.Importance == widget.WarningImportance && s.message.Text == s.warning {
		s.message.Hide()
		s.msgLine.Hide()
	}
	s.warning, s.fromSync = "", false
	s.heldLine.Hide()
	s.dismiss.Hide()
}

// moved follows the window to another screen or student: the result of
// an action done elsewhere goes quiet.
func (s *statusBar) moved(to place) {
	s.here = to
	if to != s.said {
		s.quiet()
	}
}

// quiet shows the result of the last action in the colour of plain text:
// past, not news (the grey of dim text was too faint to read). A warning
// keeps its colour until dismissed.
func (s *statusBar) quiet() {
	if s.message.Importance == widget.SuccessImportance || s.hinting {
		s.message.Importance = widget.MediumImportance
		s.message.Refresh()
	}
}

// tick brings "2 minutes ago" up to date.
func (s *statusBar) tick() {
	if s.last != nil {
		s.last.SetText("Last sync: " + ago(s.lastAt, time.Now()))
		s.linked()
	}
}

func (s *statusBar) linked() {
	if s.onLink != nil {
		s.onLink()
	}
}

// districtLine is where the workstation stands with its hub, as a
// district window says it: a coordinator reads records there, not
// changes waiting, so offline means records as of the last sync.
func (s *statusBar) districtLine() (string, widget.Importance) {
	last := "Last sync: …"
	if s.last != nil {
		last = s.last.Text
	}
	switch {
	case s.busy:
		return "Syncing… · " + last, widget.MediumImportance
	case s.state == linkOnline:
		return "Online · " + last, widget.SuccessImportance
	case s.state == linkOffline:
		return "Offline: the hub cannot be reached; the records are as of the last sync · " + last, widget.WarningImportance
	case s.state == linkSignedOut:
		return "Signed out: sign in again in the main window to sync · " + last, widget.DangerImportance
	default:
		return "Not synced: the main window says why · " + last, widget.DangerImportance
	}
}

// refresh counts, off the UI goroutine, the changes waiting for sync, the
// conflicts to resolve and the last sync (on a database that syncs with a
// hub: on any other, nothing waits), and the records of the region that
// need publishing.
func (s *statusBar) refresh() {
	if s.hub {
		s.refreshSync()
	}
	if s.unpub == nil {
		return
	}
	// Counting what needs publishing is an indexed count, but the first
	// one after an extract import or a pull works out the flags of the
	// students it changed: the sync count does not wait for it.
	region := s.region
	s.tasks.run("counting the records that need publishing", func() func() {
		needs, err := s.st.CountNeedsPublishing(context.Background(), region)
		return func() {
			if err != nil {
				s.unpub.SetText("Need publishing: unknown (" + err.Error() + ")")
				return
			}
			s.unpub.SetText("Need publishing: " + data.Thousands(needs))
		}
	})
}

// refreshSync counts the changes waiting for the hub, the conflicts and
// refusals, and reads the last sync.
func (s *statusBar) refreshSync() {
	s.tasks.run("counting the changes waiting for sync", func() func() {
		ctx := context.Background()
		pending, err := s.st.Pending(ctx)
		var conflicts, refused int
		var last time.Time
		if err == nil {
			conflicts, err = s.st.CountConflicts(ctx)
		}
		if err == nil {
			refused, err = s.st.CountRejections(ctx)
		}
		if err == nil {
			last, err = s.st.LastSync(ctx)
		}
		return func() {
			if err != nil {
				s.pending.SetText("Waiting for sync: unknown (" + err.Error() + ")")
				return
			}
			s.waiting, s.refused = pending, refused
			s.pending.SetText("Waiting for sync: " + data.Thousands(pending))
			s.lastAt = last
			s.tick()
			text := "Conflicts: " + data.Thousands(conflicts)
			if refused > 0 {
				text += " · refused: " + data.Thousands(refused)
			}
			s.conflicts.SetText(text)
			s.conflicts.Importance = widget.LowImportance
			if conflicts+refused > 0 {
				s.conflicts.Importance = widget.WarningImportance
			}
			s.conflicts.Refresh()
		}
	})
}
