package gui

import (
	"context"
	"strings"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
	"migrantdesk/report"
)

// startChecks is what the app looks at once it starts.
type startChecks interface {
	Notices() []string
	VerifyAuditAtStart(ctx context.Context) (store.AuditCheck, error)
	SetWaitNotice(notice func(string), wait time.Duration)
	report.ExportLog
}

// checkAtStart has a write that waits for another process's say so in
// the status bar, then, off the UI goroutine, finds what the person
// should hear of at start: what opening the database changed (its
// permissions), an audit log that was tampered with, and partial report
// files that killed exports left, which it removes. It shows them in one
// dialog, if there are any.
func (u *UI) checkAtStart(st startChecks) {
	waiting := widgets.Sentence(store.WaitMessage + "…")
	st.SetWaitNotice(func(msg string) {
		u.tasks.do(func() {
			if msg == store.WaitOverMessage {
				u.status.settle(waiting)
			} else {
				u.status.warn(waiting)
			}
		})
	}, 0)
	u.tasks.run("checking the database at start", func() func() {
		ctx := context.Background()
		says := append([]string(nil), st.Notices()...)
		if c, err := st.VerifyAuditAtStart(ctx); err != nil {
			says = append(says, "the audit log could not be checked: "+err.Error())
		} else if !c.OK() {
			says = append(says, "the audit log was changed outside Migrant Desk: "+strings.Join(c.Problems, "; ")+
				". Tell your state administrator; migrantdeskctl audit verify gives the details")
		}
		n, err := report.RemoveStale(ctx, st)
		if n > 0 {
			says = append(says, "removed "+data.Count(n, "unfinished report file")+" that an interrupted export left (they could hold student data)")
		}
		if err != nil {
			says = append(says, "unfinished report files that an interrupted export left (they could hold student data) may remain: "+
				err.Error()+". Remove them, or tell your administrator")
		}
		if len(says) == 0 {
			return nil
		}
		return func() {
			for i, s := range says {
				says[i] = widgets.Sentence(s)
			}
			u.dialogs.ShowCustom("About this database", widgets.Paragraph(strings.Join(says, "\n\n"), 520))
		}
	})
}
