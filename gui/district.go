package gui

import (
	"cmp"
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// districtWindow is the District Edition of one district: its migrant
// records read-only, the QA Migrant report and, for its administrator,
// who may run the report. Nothing in it can change a record.
type districtWindow struct {
	u       *UI
	d       data.District
	user    data.User // who opened it; a later profile change does not carry over
	preview bool      // a clerk looking at what the district sees
	today   data.Date // the day eligibility is shown for
	win     fyne.Window
	dialogs dialogStack
	saver   fileSaver

	records *recordList
	report  *reportScreen
	access  *accessScreen // nil unless the user administers the district
	tabs    *container.AppTabs
	message *widget.Label
}

// openDistrict opens the window of a district the user may see, or brings
// it forward when it is open already.
func (u *UI) openDistrict(number string) {
	if w := u.districts[number]; w != nil {
		w.win.RequestFocus()
		return
	}
	usr := u.user
	u.background(func() func() {
		d, err := u.st.District(context.Background(), number)
		return func() {
			switch {
			case err != nil:
				u.showError("District window", err)
			case !usr.CanSeeDistrict(d):
				u.showError("District window", fmt.Errorf("%s (%s) may not open district %s %s",
					usr.FullName, data.RoleName(usr.Role), d.Number, d.Name))
			case u.districts[number] != nil:
				u.districts[number].win.RequestFocus()
			default:
				newDistrictWindow(u, usr, d, today()).show()
			}
		}
	})
}

// newDistrictWindow builds the window of district d for usr, showing
// eligibility and the school-year presets as of the day given.
func newDistrictWindow(u *UI, usr data.User, d data.District, on data.Date) *districtWindow {
	w := &districtWindow{
		u:       u,
		d:       d,
		user:    usr,
		preview: usr.Role == data.RoleClerk,
		today:   on,
		saver:   defaultSaver(),
		message: widget.NewLabel(""),
	}
	w.win = u.app.NewWindow(districtTitle(d))
	w.records = newRecordList(w)
	w.report = newReportScreen(w)
	reportTab := container.NewTabItemWithIcon("QA Migrant report", theme.DocumentIcon(), w.report.obj)
	w.tabs = container.NewAppTabs(container.NewTabItemWithIcon("Migrant records", theme.ListIcon(), w.records.obj), reportTab)
	var accessTab *container.TabItem
	if usr.Administers(d.Number) {
		w.access = newAccessScreen(w)
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
	w.message.Importance = widget.SuccessImportance
	w.message.Truncation = fyne.TextTruncateEllipsis
	w.win.SetContent(container.NewBorder(w.header(), w.footer(), nil, nil, w.tabs))
	w.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			w.dialogs.closeTop()
		}
	})
	w.win.Canvas().AddShortcut(keyCloseWindow, func(fyne.Shortcut) { w.win.Close() })
	w.win.Canvas().AddShortcut(keySearch, func(fyne.Shortcut) {
		w.tabs.SelectIndex(0)
		w.win.Canvas().Focus(w.records.filter)
	})
	w.win.SetOnClosed(w.closed)
	return w
}

// keyCloseWindow (Ctrl+W) closes a district window; Ctrl+F there goes
// to the filter of its record list.
var keyCloseWindow = &desktop.CustomShortcut{KeyName: fyne.KeyW, Modifier: fyne.KeyModifierShortcutDefault}

// closeDistricts closes every district window of the UI, as when another
// profile starts working: the windows show what their profile may see.
func (u *UI) closeDistricts() {
	for _, w := range u.districts {
		w.win.Close()
	}
}

// districtTitle is the window title, "Migrant Desk — 012 Adair County".
func districtTitle(d data.District) string {
	return "Migrant Desk — " + d.Number + " " + d.Name
}

func (w *districtWindow) show() {
	if w.u.districts == nil {
		w.u.districts = map[string]*districtWindow{}
	}
	w.u.districts[w.d.Number] = w
	w.win.Resize(fyne.NewSize(1280, 760))
	w.win.Show()
	w.records.load()
	w.report.load()
}

// closed forgets the window and stops a report being made in it. The app
// and the main window stay open.
func (w *districtWindow) closed() {
	w.report.cancel()
	delete(w.u.districts, w.d.Number)
}

// header names the district and who is looking; a clerk's preview says
// plainly that it is one.
func (w *districtWindow) header() fyne.CanvasObject {
	top := container.NewVBox()
	if w.u.demo {
		top.Add(demoBanner())
	}
	title := heading(w.d.Number + " " + w.d.Name)
	who := widget.NewLabel(fmt.Sprintf("District Edition · region %s · %s, %s", w.d.RegionCode,
		w.user.FullName, data.RoleName(w.user.Role)))
	who.Truncation = fyne.TextTruncateEllipsis
	top.Add(container.NewBorder(nil, nil, title, nil, who))
	if w.preview {
		top.Add(previewNote(w.d))
	}
	return top
}

// previewNote tells a clerk the window shows what the district sees.
func previewNote(d data.District) fyne.CanvasObject {
	text := widget.NewLabel(fmt.Sprintf("Preview as district: this window shows exactly what %s %s sees — "+
		"the records as last published to it, read-only. Changes you have saved but not published do not show here.",
		d.Number, d.Name))
	text.Wrapping = fyne.TextWrapWord
	text.Importance = widget.WarningImportance
	bg := canvas.NewRectangle(withAlpha(theme.Color(theme.ColorNameWarning), 0x30))
	bg.CornerRadius = theme.InputRadiusSize()
	icon := widget.NewIcon(theme.VisibilityIcon())
	return container.NewStack(bg, container.NewBorder(nil, nil, container.NewPadded(icon), nil, text))
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

func (w *districtWindow) footer() fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(), w.message)
}

// say shows the result of the last action at the foot of the window.
func (w *districtWindow) say(msg string) { w.message.SetText(msg) }

// showError tells the user in a dialog over this window what went wrong.
func (w *districtWindow) showError(title string, err error) {
	msg := widget.NewLabel(sentence(err.Error()))
	msg.Wrapping = fyne.TextWrapWord
	w.showDialog(title, container.NewGridWrap(fyne.NewSize(480, 120), msg))
}

// showDialog shows content in a dialog over this window with a Close
// button; Esc closes it too.
func (w *districtWindow) showDialog(title string, content fyne.CanvasObject) dialog.Dialog {
	d := dialog.NewCustom(title, "Close", content, w.win)
	w.dialogs.showDialog(d)
	return d
}

// districtColumns are the columns of a district's record list.
var districtColumns = []column{
	{"Name", 240}, {"State ID", 105}, {"Birth date", 100}, {"Grade", 60}, {"School", 210},
	{"Withdrawn", 100}, {"MIS2000 ID", 100}, {"QAD", 95}, {"EED", 95}, {"Eligibility", 100},
}

// The columns of the record list, in districtColumns order.
const (
	colName = iota
	colStateID
	colBirth
	colGrade
	colSchool
	colWithdrawn
	colMIS2000
	colQAD
	colEED
	colEligibility
)

// recordList is the district's migrant records, read-only: a table that
// filters by name and sorts by any column, and a detail view.
type recordList struct {
	w      *districtWindow
	all    []listed               // in the order sorted
	shown  []store.DistrictRecord // all, filtered
	filter *entry
	count  *widget.Label
	table  *widget.Table
	obj    fyne.CanvasObject

	sortCol int
	desc    bool
}

func newRecordList(w *districtWindow) *recordList {
	l := &recordList{w: w, filter: newEntry("Filter by name, state ID or MIS2000 ID"), count: widget.NewLabel("Reading the records…")}
	l.filter.OnChanged = func(string) { l.apply() }
	l.filter.onEscape = func() { l.filter.SetText("") }
	l.table = l.newTable()
	hint := widget.NewLabel("Click a record to see everything about it. The records are read-only here: " +
		"they change when the regional clerk publishes them again.")
	hint.Wrapping = fyne.TextWrapWord
	filter := container.NewGridWrap(fyne.NewSize(380, l.filter.MinSize().Height), l.filter)
	top := container.NewBorder(nil, nil, filter, nil, l.count)
	l.obj = container.NewBorder(top, hint, nil, nil, l.table)
	return l
}

func (l *recordList) newTable() *widget.Table {
	t := widget.NewTableWithHeaders(
		func() (int, int) { return len(l.shown), len(districtColumns) },
		func() fyne.CanvasObject {
			lb := widget.NewLabel("")
			lb.Truncation = fyne.TextTruncateEllipsis
			return lb
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(districtCell(l.shown[id.Row], id.Col, l.w.today))
		})
	t.ShowHeaderColumn = false
	t.CreateHeader = func() fyne.CanvasObject { return newSortHeader(l.sortBy) }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*sortHeader).set(id.Col, l.headerText(id.Col))
		}
	}
	for i, c := range districtColumns {
		t.SetColumnWidth(i, c.width)
	}
	t.OnSelected = func(id widget.TableCellID) {
		t.UnselectAll()
		if id.Row >= 0 && id.Row < len(l.shown) {
			l.w.showRecord(l.shown[id.Row])
		}
	}
	return t
}

// load reads the records published to the district, off the UI goroutine.
func (l *recordList) load() {
	district := l.w.d.Number
	l.w.u.background(func() func() {
		recs, err := l.w.u.st.DistrictRecords(context.Background(), district)
		return func() {
			if err != nil {
				l.count.SetText(sentence(err.Error()))
				return
			}
			l.all = make([]listed, len(recs))
			for i, r := range recs {
				l.all[i] = newListed(r)
			}
			l.sort()
			l.apply()
		}
	})
}

// sortBy is a click on a column header: sort by it, or reverse the order
// when it is the sort column already.
func (l *recordList) sortBy(col int) {
	if col == l.sortCol {
		l.desc = !l.desc
	} else {
		l.sortCol, l.desc = col, false
	}
	l.sort()
	l.apply()
}

func (l *recordList) headerText(col int) string {
	title := districtColumns[col].title
	switch {
	case col != l.sortCol:
		return title
	case l.desc:
		return title + " ▼"
	}
	return title + " ▲"
}

// sort orders the records by the sort column; ties keep name order.
func (l *recordList) sort() {
	byName := func(a, b listed) int { return compareRecords(a, b, colName, l.w.today) }
	slices.SortStableFunc(l.all, byName)
	slices.SortStableFunc(l.all, func(a, b listed) int {
		c := compareRecords(a, b, l.sortCol, l.w.today)
		if l.desc {
			return -c
		}
		return c
	})
}

// apply shows the records that match the filter.
func (l *recordList) apply() {
	words := strings.Fields(data.NormalizeName(l.filter.Text))
	l.shown = l.shown[:0]
	for _, r := range l.all {
		if r.matches(words) {
			l.shown = append(l.shown, r.DistrictRecord)
		}
	}
	l.table.Refresh()
	l.table.ScrollToTop()
	l.count.SetText(l.countText())
}

func (l *recordList) countText() string {
	active := 0
	for _, r := range l.all {
		if r.Active(l.w.today) {
			active++
		}
	}
	s := fmt.Sprintf("%d migrant record%s published to %s, %d active today", len(l.all), plural(len(l.all)), l.w.d.Name, active)
	if len(l.shown) != len(l.all) {
		s = fmt.Sprintf("%d shown of %s", len(l.shown), s)
	}
	return s + "."
}

// listed is a record of the list with what sorting and filtering compare,
// worked out once rather than at every comparison or keystroke.
type listed struct {
	store.DistrictRecord
	name   string   // last name, then first and middle, folded
	school string   // folded
	words  []string // the filter matches their starts
}

func newListed(r store.DistrictRecord) listed {
	st := r.Student
	words := data.SearchTokens(data.NormalizeName(st.LastName + " " + st.FirstName + " " + st.MiddleName))
	return listed{
		DistrictRecord: r,
		name:           data.NormalizeName(st.LastName) + "\x00" + data.NormalizeName(st.FirstName+" "+st.MiddleName),
		school:         data.NormalizeName(r.SchoolName),
		words:          append(words, st.StateID, r.MIS2000ID),
	}
}

// matches reports whether every word typed (folded) starts a word of the
// student's name, the state ID or the MIS2000 ID.
func (l listed) matches(typed []string) bool {
	for _, t := range typed {
		if !slices.ContainsFunc(l.words, func(w string) bool { return strings.HasPrefix(w, t) }) {
			return false
		}
	}
	return true
}

// Eligibility of a record on a day, as the list shows it.
const (
	eligActive  = "Active"
	eligFuture  = "Not yet active"
	eligExpired = "Expired"
)

func eligibility(r store.DistrictRecord, on data.Date) string {
	switch {
	case r.Active(on):
		return eligActive
	case r.QAD > on:
		return eligFuture
	}
	return eligExpired
}

// districtCell is the text of one cell of the record list.
func districtCell(r store.DistrictRecord, col int, on data.Date) string {
	switch col {
	case colName:
		return r.Student.FullName()
	case colStateID:
		return r.Student.StateID
	case colBirth:
		return r.Student.BirthDate.US()
	case colGrade:
		return r.Grade
	case colSchool:
		if r.SchoolName == "" {
			return "not enrolled"
		}
		return r.SchoolName
	case colWithdrawn:
		return r.Withdrawn.US()
	case colMIS2000:
		return r.MIS2000ID
	case colQAD:
		return r.QAD.US()
	case colEED:
		return r.EED.US()
	case colEligibility:
		return eligibility(r, on)
	}
	return ""
}

// compareRecords orders two records by a column: names without accents,
// grades K to 12, dates in time, active before not yet active before
// expired.
func compareRecords(a, b listed, col int, on data.Date) int {
	switch col {
	case colName:
		return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.Student.StateID, b.Student.StateID))
	case colBirth:
		return cmp.Compare(a.Student.BirthDate, b.Student.BirthDate)
	case colGrade:
		return cmp.Compare(data.GradeRank(a.Grade), data.GradeRank(b.Grade))
	case colSchool:
		return cmp.Compare(a.school, b.school)
	case colWithdrawn:
		return cmp.Compare(a.Withdrawn, b.Withdrawn)
	case colQAD:
		return cmp.Compare(a.QAD, b.QAD)
	case colEED:
		return cmp.Compare(a.EED, b.EED)
	case colEligibility:
		return cmp.Compare(eligibilityRank[eligibility(a.DistrictRecord, on)], eligibilityRank[eligibility(b.DistrictRecord, on)])
	}
	return cmp.Compare(districtCell(a.DistrictRecord, col, on), districtCell(b.DistrictRecord, col, on))
}

var eligibilityRank = map[string]int{eligActive: 0, eligFuture: 1, eligExpired: 2}

// sortHeader is a column heading that sorts the list when clicked.
type sortHeader struct {
	widget.BaseWidget
	label *widget.Label
	col   int
	onTap func(col int)
}

func newSortHeader(onTap func(col int)) *sortHeader {
	h := &sortHeader{label: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), onTap: onTap}
	h.label.Truncation = fyne.TextTruncateEllipsis
	h.ExtendBaseWidget(h)
	return h
}

func (h *sortHeader) set(col int, text string) {
	h.col = col
	h.label.SetText(text)
}

func (h *sortHeader) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(h.label) }

// Tapped sorts by the column.
func (h *sortHeader) Tapped(*fyne.PointEvent) { h.onTap(h.col) }

// Cursor shows the hand, as over a button.
func (h *sortHeader) Cursor() desktop.Cursor { return desktop.PointerCursor }

// recordEnrollmentColumns are the columns of a student's enrollments in
// the district, in the record detail.
var recordEnrollmentColumns = []column{
	{"School", 300}, {"Grade", 65}, {"Type", 120}, {"Start", 110}, {"Withdrawal", 110},
}

// showRecord shows everything the district may see about a record: the
// published copy (never the clerk's unpublished changes), the student,
// the student's enrollments in this district, programs and latest
// assessment levels. It has nothing to edit.
func (w *districtWindow) showRecord(r store.DistrictRecord) {
	w.u.background(func() func() {
		d, err := w.u.st.Student(context.Background(), r.Student.StateID)
		return func() {
			if err != nil {
				w.showError("Migrant record", err)
				return
			}
			district := w.d.Number + " " + w.d.Name
			body := container.NewVBox(heading(d.Student.FullName()), widget.NewLabel(identity(d.Student, w.today)),
				widget.NewSeparator(), heading("Migrant record, as published to "+district), w.recordFacts(r),
				widget.NewSeparator(), heading("Enrollments in "+district), w.enrollments(d.Enrollments),
				widget.NewSeparator(), heading("Programs"), programTable(d.Programs),
				widget.NewSeparator(), heading("Latest state assessment"), widget.NewLabel(latestLevels(d.Assessments, w.today)))
			dlg := w.showDialog("Migrant record — read-only", container.NewVScroll(body))
			dlg.Resize(fyne.NewSize(820, 660))
		}
	})
}

func (w *districtWindow) recordFacts(r store.DistrictRecord) fyne.CanvasObject {
	status := eligibility(r, w.today)
	switch status {
	case eligExpired:
		status += " since " + r.EED.AddDays(1).US()
	case eligFuture:
		status += " until " + r.QAD.US()
	}
	rows := [][2]string{
		{"MIS2000 ID", r.MIS2000ID},
		{"Last Qualifying Arrival Date (QAD)", r.QAD.US()},
		{"Eligibility Expiration Date (EED)", r.EED.US()},
		{"Eligibility on " + w.today.US(), status},
		{"Published", fmt.Sprintf("%s by %s (version %d)", day(r.PublishedAt), w.personName(r.PublishedBy), r.Version)},
	}
	objs := make([]fyne.CanvasObject, 0, 2*len(rows))
	for _, row := range rows {
		objs = append(objs, widget.NewLabelWithStyle(row[0], fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), widget.NewLabel(row[1]))
	}
	return container.New(layout.NewFormLayout(), objs...)
}

// personName is "Lucía Ramos (clerk1)" for a profile of this database, the
// user name alone otherwise.
func (w *districtWindow) personName(username string) string {
	for _, usr := range w.u.users {
		if usr.Username == username {
			return usr.FullName + " (" + username + ")"
		}
	}
	return username
}

func (w *districtWindow) enrollments(es []data.PlacedEnrollment) fyne.CanvasObject {
	g := newGridTable(recordEnrollmentColumns)
	var rows [][]string
	for _, e := range es {
		if e.District.Number != w.d.Number {
			continue
		}
		end := "enrolled"
		if !e.End.IsZero() {
			end = e.End.US()
		}
		school := e.School.Number + " " + e.School.Name
		if !e.School.Public() {
			school += " (non-public)"
		}
		rows = append(rows, []string{school, e.Grade, serviceName(e.ServiceType), e.Start.US(), end})
	}
	if len(rows) == 0 {
		rows = [][]string{{"No enrollment in this district in the state extract", "", "", "", ""}}
	}
	g.setRows(rows)
	return g.obj
}

func programTable(ps []data.Program) fyne.CanvasObject {
	g := newGridTable(programColumns)
	rows := make([][]string, len(ps))
	for i, p := range ps {
		end := "ongoing"
		if !p.End.IsZero() {
			end = p.End.US()
		}
		rows[i] = []string{programName(p), p.Start.US(), end}
	}
	if len(rows) == 0 {
		rows = [][]string{{"None (no FRAM row means paid meals)", "", ""}}
	}
	g.setRows(rows)
	return g.obj
}
