package gui

import (
	"context"
	"fmt"
	"image/color"
	"migrantdesk/data"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// statusBar is the line at the bottom of the window: the database in
// use, who is working, what waits for sync or publishing, and the result
// of the last action.
type statusBar struct {
	u       *UI
	db      *widget.Label
	profile *widget.Label
	pending *widget.Label
	unpub   *widget.Label
	message *widget.Label
	obj     fyne.CanvasObject
}

func newStatusBar(u *UI) *statusBar {
	s := &statusBar{
		u:       u,
		db:      widget.NewLabel("Database: " + u.st.Path()),
		profile: widget.NewLabel("Profile: choosing…"),
		pending: widget.NewLabel("Waiting for sync: …"),
		unpub:   widget.NewLabel("Need publishing: …"),
		message: widget.NewLabel(""),
	}
	s.db.Truncation = fyne.TextTruncateEllipsis
	s.message.Importance = widget.SuccessImportance
	s.message.Truncation = fyne.TextTruncateEllipsis
	s.message.Hide()
	counts := container.NewHBox(s.profile, widget.NewSeparator(), s.pending, widget.NewSeparator(), s.unpub)
	line := container.NewBorder(nil, nil, nil, counts, s.db)
	s.obj = container.NewVBox(widget.NewSeparator(), s.message, line)
	return s
}

func (s *statusBar) setUser(usr data.User, noProfiles bool) {
	switch {
	case noProfiles:
		s.profile.SetText(fmt.Sprintf("Signed in as %s (this database has no profiles: working as the computer's user)", usr.Username))
	case usr.Role == data.RoleClerk:
		s.profile.SetText(fmt.Sprintf("Profile: %s, %s, region %s", usr.FullName, data.RoleName(usr.Role), usr.RegionCode))
	default:
		s.profile.SetText(fmt.Sprintf("Profile: %s, %s", usr.FullName, data.RoleName(usr.Role)))
	}
}

// say shows the result of the last action.
func (s *statusBar) say(msg string) {
	s.message.SetText(msg)
	s.message.Show()
}

// refreshStatus counts, off the UI goroutine, the changes waiting for sync
// and the records of the worker's region that need publishing.
func (u *UI) refreshStatus() {
	region := u.region()
	u.background(func() func() {
		pending, err := u.st.Pending(context.Background())
		return func() {
			if err != nil {
				u.status.pending.SetText("Waiting for sync: unknown (" + err.Error() + ")")
				return
			}
			u.status.pending.SetText(fmt.Sprintf("Waiting for sync: %d", pending))
		}
	})
	// Counting what needs publishing reads every record of the region;
	// the sync count does not wait for it.
	u.background(func() func() {
		needs, err := u.st.CountNeedsPublishing(context.Background(), region)
		return func() {
			if err != nil {
				u.status.unpub.SetText("Need publishing: unknown (" + err.Error() + ")")
				return
			}
			u.status.unpub.SetText(fmt.Sprintf("Need publishing: %d", needs))
		}
	})
}

// demoBanner marks a window that shows generated demo data, so that no one
// takes it for real students.
func demoBanner() fyne.CanvasObject {
	bg := canvas.NewRectangle(badgeOrange)
	text := canvas.NewText("DEMO DATA — not real students", color.White)
	text.TextStyle = fyne.TextStyle{Bold: true}
	text.TextSize = theme.TextSize() * 1.2
	text.Alignment = fyne.TextAlignCenter
	return container.NewStack(bg, container.NewPadded(text))
}
