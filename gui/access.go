package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// accessColumns are the columns of the coordinator list. The grant's
// column is the widest: "Granted 12/03/2026 by Guadalupe Hernández
// (guadalupe.hernandez)" is longer than a name or an address, and the
// check box needs 161. A window shrunk to a small screen at 150% leaves
// the name and the address as wide as they were before the grant's
// column grew.
var accessColumns = []widgets.Column{
	growing("Coordinator", 250), growing("E-mail", 250), col("QA Migrant report", 180), growing("", 430),
}

// accessStore is what the Users and access tab reads and writes.
type accessStore interface {
	Grantees(ctx context.Context, district string) ([]store.Grantee, error)
	SetReportAccess(ctx context.Context, admin data.User, username, district string, grant bool) error
}

// accessScreen is the district administrator's tab: the district's
// coordinators and whether each may run the QA Migrant report. A state
// administrator sees it too.
type accessScreen struct {
	st     accessStore
	tab    districtTab
	rows   *fyne.Container
	checks map[string]*widgets.Check // by user name
	hint   *widget.Label
	obj    fyne.CanvasObject
}

// newAccessScreen is the Users and access tab of the district window
// tab; it is given only to those who administer the district.
func newAccessScreen(st accessStore, tab districtTab) *accessScreen {
	a := &accessScreen{st: st, tab: tab, rows: container.NewVBox(), hint: wrapped("")}
	intro := wrapped(fmt.Sprintf("The coordinators of %s %s see its migrant records. The QA Migrant report's Detail "+
		"export holds personally identifiable information: give it to those who need it. "+
		"Every grant and revocation is written to the audit log.", tab.d.Number, tab.d.Name))
	top := container.NewVBox(heading("Users and access"), intro, widgets.HeaderRow(accessColumns))
	a.obj = border(top, a.hint, nil, nil, container.NewVScroll(a.rows))
	return a
}

// load reads the coordinators and their grants, off the UI goroutine.
func (a *accessScreen) load() {
	district := a.tab.d.Number
	a.tab.tasks.run("reading who has access to the district", func() func() {
		gs, err := a.st.Grantees(context.Background(), district)
		return func() {
			if err != nil {
				a.hint.SetText(sentence(err.Error()))
				return
			}
			a.set(gs)
		}
	})
}

func (a *accessScreen) set(gs []store.Grantee) {
	canvas := a.tab.dialogs.Window().Canvas()
	focused := ""
	for username, c := range a.checks {
		if canvas.Focused() == fyne.Focusable(c) {
			focused = username
		}
	}
	a.checks = map[string]*widgets.Check{}
	objs := make([]fyne.CanvasObject, len(gs))
	granted := 0
	for i, g := range gs {
		// Space toggles it as a key, so that Space on the revoke
		// confirmation does not tick it again as the focus comes back.
		c := widgets.NewCheck("May run the report", nil)
		c.Checked = g.Granted
		username, name := g.Username, g.FullName
		c.OnChanged = func(on bool) {
			if on {
				a.change(username, name, true)
				return
			}
			// The box shows the access held until the revocation is
			// confirmed: a stray click or Space must not take it away.
			c.Checked = true
			c.Refresh()
			a.confirmRevoke(username, name)
		}
		a.checks[g.Username] = c
		status := "Not granted"
		if g.Granted {
			granted++
			status = fmt.Sprintf("Granted %s by %s", data.DayOf(g.GrantedAt), a.tab.people.name(g.GrantedBy))
		}
		// Ellipsized, as a narrow window shrinks the columns of text.
		who, email, grant := widget.NewLabel(g.FullName+" ("+g.Username+")"), widget.NewLabel(g.Email), widget.NewLabel(status)
		for _, l := range []*widget.Label{who, email, grant} {
			l.Truncation = fyne.TextTruncateEllipsis
		}
		objs[i] = container.New(widgets.ColumnsLayout(accessColumns), who, email, c, grant)
	}
	a.rows.Objects = objs
	a.rows.Refresh()
	// The box the keyboard was on is replaced by its row read again:
	// the focus goes to the new one, not with the old one off screen.
	if c := a.checks[focused]; c != nil {
		canvas.Focus(c)
	}
	switch len(gs) {
	case 0:
		a.hint.SetText(fmt.Sprintf("%s %s has no coordinators yet: a state administrator adds them.", a.tab.d.Number, a.tab.d.Name))
	default:
		a.hint.SetText(fmt.Sprintf("%d of %s may run the QA Migrant report.", granted, data.Count(len(gs), "coordinator")))
	}
}

// confirmRevoke asks before a coordinator loses the report, naming who
// loses what, since a revocation takes effect at once and only a new
// grant undoes it. Enter keeps the access: revoking takes a click or Tab
// to the button.
func (a *accessScreen) confirmRevoke(username, name string) {
	if a.tab.dialogs.Open() {
		return
	}
	d := a.tab.d
	msg := fmt.Sprintf("%s (%s) will no longer be able to run the QA Migrant report of %s %s: "+
		"neither the Detail workbook nor the Aggregated PDF. They keep seeing the district's migrant records.\n\n"+
		"Giving the report back later takes a new grant. The revocation is written to the audit log.",
		name, username, d.Number, d.Name)
	dlg := widgets.NewConfirm("Revoke "+name+"'s access to the report?", "Revoke access", "Keep access",
		widgets.Paragraph(msg, 480), func(ok bool) {
			if ok {
				a.change(username, name, false)
			}
		}, a.tab.dialogs.Window())
	a.tab.dialogs.ShowDestructive(dlg)
}

// change grants or revokes one coordinator's access, then shows the list
// as the database has it (on failure too, so the check box is right).
func (a *accessScreen) change(username, name string, grant bool) {
	admin, district := a.tab.user, a.tab.d.Number
	a.tab.tasks.run("changing a coordinator's access", func() func() {
		err := a.st.SetReportAccess(context.Background(), admin, username, district, grant)
		return func() {
			a.load()
			if err != nil {
				a.tab.dialogs.ShowError("Report access not changed", err)
				return
			}
			a.tab.wrote()
			msg := fmt.Sprintf("%s may no longer run the QA Migrant report of %s", name, district)
			if grant {
				msg = fmt.Sprintf("%s may now run the QA Migrant report of %s", name, district)
			}
			// Told, so that a coordinator who still finds the report
			// refused is not sent back to ask again. Short: the
			// message line is one line beside the sync line.
			if a.tab.hub {
				msg += ", once their computer has synced"
			}
			a.tab.say(msg + ".")
		}
	})
}
