package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data/store"
)

// accessColumns are the columns of the coordinator list.
var accessColumns = []column{
	{"Coordinator", 280}, {"E-mail", 260}, {"QA Migrant report", 270}, {"", 300},
}

// accessScreen is the district administrator's tab: the district's
// coordinators and whether each may run the QA Migrant report. A state
// administrator sees it too.
type accessScreen struct {
	w      *districtWindow
	rows   *fyne.Container
	checks map[string]*widget.Check // by user name
	hint   *widget.Label
	obj    fyne.CanvasObject
}

func newAccessScreen(w *districtWindow) *accessScreen {
	a := &accessScreen{w: w, rows: container.NewVBox(), hint: widget.NewLabel("")}
	a.hint.Wrapping = fyne.TextWrapWord
	intro := wrapped(fmt.Sprintf("The coordinators of %s %s see its migrant records. The QA Migrant report's Detail "+
		"export holds personally identifiable information: give it to those who need it. "+
		"Every grant and revocation is written to the audit log.", w.d.Number, w.d.Name))
	head := make([]fyne.CanvasObject, len(accessColumns))
	for i, c := range accessColumns {
		head[i] = widget.NewLabelWithStyle(c.title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	header := container.NewStack(bg, container.New(accessLayout(), head...))
	top := container.NewVBox(heading("Users and access"), intro, header)
	a.obj = container.NewBorder(top, a.hint, nil, nil, container.NewVScroll(a.rows))
	return a
}

func accessLayout() fyne.Layout {
	widths := make([]float32, len(accessColumns))
	for i, c := range accessColumns {
		widths[i] = c.width
	}
	return &columnsLayout{widths: widths}
}

// load reads the coordinators and their grants, off the UI goroutine.
func (a *accessScreen) load() {
	district := a.w.d.Number
	a.w.u.background(func() func() {
		gs, err := a.w.u.st.Grantees(context.Background(), district)
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
	a.checks = map[string]*widget.Check{}
	objs := make([]fyne.CanvasObject, len(gs))
	granted := 0
	for i, g := range gs {
		c := widget.NewCheck("May run the report", nil)
		c.Checked = g.Granted
		username, name := g.Username, g.FullName
		c.OnChanged = func(on bool) { a.change(username, name, on) }
		a.checks[g.Username] = c
		status := "Not granted"
		if g.Granted {
			granted++
			status = fmt.Sprintf("Granted %s by %s", day(g.GrantedAt), a.w.personName(g.GrantedBy))
		}
		email := widget.NewLabel(g.Email)
		email.Truncation = fyne.TextTruncateEllipsis
		objs[i] = container.New(accessLayout(), widget.NewLabel(g.FullName+" ("+g.Username+")"), email, c, widget.NewLabel(status))
	}
	a.rows.Objects = objs
	a.rows.Refresh()
	switch len(gs) {
	case 0:
		a.hint.SetText(fmt.Sprintf("%s %s has no coordinators yet: a state administrator adds them.", a.w.d.Number, a.w.d.Name))
	default:
		a.hint.SetText(fmt.Sprintf("%d of %d coordinator%s may run the QA Migrant report.", granted, len(gs), plural(len(gs))))
	}
}

// change grants or revokes one coordinator's access, then shows the list
// as the database has it (on failure too, so the check box is right).
func (a *accessScreen) change(username, name string, grant bool) {
	admin, district := a.w.user, a.w.d.Number
	a.w.u.background(func() func() {
		err := a.w.u.st.SetReportAccess(context.Background(), admin, username, district, grant)
		return func() {
			a.load()
			switch {
			case err != nil:
				a.w.showError("Report access not changed", err)
			case grant:
				a.w.say(fmt.Sprintf("%s may now run the QA Migrant report of %s.", name, district))
			default:
				a.w.say(fmt.Sprintf("%s may no longer run the QA Migrant report of %s.", name, district))
			}
		}
	})
}
