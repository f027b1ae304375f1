package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
)

// statusCounter is what the status bar reads.
type statusCounter interface {
	Path() string
	Pending(ctx context.Context) (int, error)
	CountNeedsPublishing(ctx context.Context, region string) (int, error)
}

// statusBar is the line at the bottom of the window: the database in
// use, who is working, what waits for sync or publishing, and the result
// of the last action.
type statusBar struct {
	st      statusCounter
	tasks   *tasks
	region  string // whose records need publishing; "" every region
	db      *widget.Label
	profile *widget.Label
	pending *widget.Label
	unpub   *widget.Label // nil for those who do not publish
	message *widget.Label
	obj     fyne.CanvasObject
}

// newStatusBar is the status bar of a worker of region (""for all);
// publishes says whether the worker publishes records, and so is shown
// how many need it.
func newStatusBar(st statusCounter, t *tasks, region string, publishes bool) *statusBar {
	s := &statusBar{
		st:      st,
		tasks:   t,
		region:  region,
		db:      widget.NewLabel("Database: " + st.Path()),
		profile: widget.NewLabel("Profile: choosing…"),
		pending: widget.NewLabel("Waiting for sync: …"),
		message: widget.NewLabel(""),
	}
	s.db.Truncation = fyne.TextTruncateEllipsis
	s.message.Importance = widget.SuccessImportance
	s.message.Truncation = fyne.TextTruncateEllipsis
	s.message.Hide()
	counts := container.NewHBox(s.profile, widget.NewSeparator(), s.pending)
	if publishes {
		s.unpub = widget.NewLabel("Need publishing: …")
		counts.Add(widget.NewSeparator())
		counts.Add(s.unpub)
	}
	line := container.NewBorder(nil, nil, nil, counts, s.db)
	s.obj = container.NewVBox(widget.NewSeparator(), s.message, line)
	return s
}

// setUser says who works: the user who last signed in to the hub, a
// demo profile, or the computer's user.
func (s *statusBar) setUser(usr data.User, profile bool, hub string) {
	switch {
	case usr.Username == "":
	case hub != "":
		s.profile.SetText(fmt.Sprintf("Working as %s, %s, who last signed in to %s", usr.FullName, data.RoleName(usr.Role), hub))
	case !profile:
		s.profile.SetText(fmt.Sprintf("Working as %s, the computer's user (%s: no hub to sign in to yet)",
			usr.Username, data.RoleName(usr.Role)))
	case usr.Role == data.RoleClerk:
		s.profile.SetText(fmt.Sprintf("Demo profile: %s, %s, region %s", usr.FullName, data.RoleName(usr.Role), usr.RegionCode))
	default:
		s.profile.SetText(fmt.Sprintf("Demo profile: %s, %s", usr.FullName, data.RoleName(usr.Role)))
	}
}

// say shows the result of the last action.
func (s *statusBar) say(msg string) {
	s.message.SetText(msg)
	s.message.Show()
}

// refresh counts, off the UI goroutine, the changes waiting for sync and
// the records of the region that need publishing.
func (s *statusBar) refresh() {
	s.tasks.run(func() func() {
		pending, err := s.st.Pending(context.Background())
		return func() {
			if err != nil {
				s.pending.SetText("Waiting for sync: unknown (" + err.Error() + ")")
				return
			}
			s.pending.SetText(fmt.Sprintf("Waiting for sync: %d", pending))
		}
	})
	if s.unpub == nil {
		return
	}
	// Counting what needs publishing reads every record of the region;
	// the sync count does not wait for it.
	region := s.region
	s.tasks.run(func() func() {
		needs, err := s.st.CountNeedsPublishing(context.Background(), region)
		return func() {
			if err != nil {
				s.unpub.SetText("Need publishing: unknown (" + err.Error() + ")")
				return
			}
			s.unpub.SetText(fmt.Sprintf("Need publishing: %d", needs))
		}
	})
}
