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
	obj       fyne.CanvasObject
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
	s.obj = container.NewVBox(widget.NewSeparator(), s.message, who, counts)
	return s
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

// say shows the result of the last action.
func (s *statusBar) say(msg string) {
	s.message.Importance = widget.SuccessImportance
	s.message.SetText(msg)
	s.message.Show()
}

// warn shows a problem the person should act on, such as a sync that
// did not go through.
func (s *statusBar) warn(msg string) {
	s.message.Importance = widget.WarningImportance
	s.message.SetText(msg)
	s.message.Show()
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
