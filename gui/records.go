package gui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// districtColumns are the columns of a district's record list. Those of
// a set width fit their widest value (a 12-digit MIS2000 ID, "Not yet
// active") and their heading, no more: what they spare goes to School,
// whose long names ("Erlanger-Elsmere Independent Middle School") a
// 1260-pixel window cut while the dates had room to spare.
var districtColumns = []widgets.Column{
	growing("Name", 200), col("State ID", 97), col("Birth date", 92), col("Grade", 60), growing("School", 259),
	col("Withdrawn", 94), col("MIS2000 ID", 113), col("QAD", 92), col("EED", 92), col("Eligibility", 106),
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

// districtRecords is what the records tab reads: the records published
// to the district and, for a record's detail, its student.
type districtRecords interface {
	DistrictRecords(ctx context.Context, district string) ([]store.DistrictRecord, error)
	Student(ctx context.Context, stateID string) (store.StudentDetail, error)
}

// recordList is the district's migrant records, read-only: a table that
// filters by name and sorts by any column, and a detail view.
type recordList struct {
	st     districtRecords
	tab    districtTab
	all    []listed               // in the order sorted
	shown  []store.DistrictRecord // all, filtered
	filter *keyEntry
	count  *widget.Label
	table  *widgets.RowTable
	obj    fyne.CanvasObject

	// A worklist line shows only its records: by record ID, with its
	// title in the bar above the table.
	only     map[string]string
	scope    *fyne.Container
	scopeMsg *widget.Label
	showAll  *widgets.Button

	sortCol int
	desc    bool
}

func newRecordList(st districtRecords, tab districtTab) *recordList {
	l := &recordList{st: st, tab: tab, filter: newKeyEntry("Filter by name, state ID or MIS2000 ID"), count: widget.NewLabel("Reading the records…")}
	l.filter.OnChanged = func(string) { l.apply() }
	l.filter.OnEscape = func() { l.filter.SetText("") }
	l.filter.OnDown = l.toTable
	l.table = l.newTable()
	hint := wrapped("Click a record, or reach it with Down from the filter and the arrows and press Enter, to see everything about it. " +
		"The records are read-only here: " +
		"they change when the regional clerk publishes them again.")
	filter := container.NewGridWrap(fyne.NewSize(380, l.filter.MinSize().Height), l.filter)
	l.scopeMsg = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.scopeMsg.Wrapping = fyne.TextWrapWord
	l.count.Wrapping = fyne.TextWrapWord // it names the district
	l.showAll = widgets.NewButtonWithIcon("Show all records", theme.ListIcon(), func() { l.showOnly("", nil) })
	l.scope = border(nil, nil, widget.NewIcon(theme.SearchIcon()), l.showAll, l.scopeMsg)
	l.scope.Hide()
	top := container.NewVBox(l.scope, border(nil, nil, filter, nil, l.count))
	l.obj = border(top, hint, nil, nil, l.table)
	return l
}

// keyEntry is an entry that hands the keys a window acts on (F5) to its
// window: a focused entry takes every key, and Fyne makes no shortcut of a
// key without a modifier.
type keyEntry struct {
	widgets.Entry
	onKey func(*fyne.KeyEvent) bool // true when the window took the key
}

func newKeyEntry(placeholder string) *keyEntry {
	e := &keyEntry{}
	e.ExtendBaseWidget(e)
	e.PlaceHolder = placeholder
	return e
}

func (e *keyEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.onKey != nil && e.onKey(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

// showOnly narrows the list to the records given (a worklist line, titled
// title), or shows them all again for nil.
func (l *recordList) showOnly(title string, records map[string]string) {
	l.only = records
	if records == nil {
		l.scope.Hide()
	} else {
		l.scopeMsg.SetText("Showing: " + title)
		l.scope.Show()
	}
	l.apply()
}

// newTable is the records as rows: the arrows, Page Up and Down, Home and
// End move a highlighted record, kept in view below the header, and Enter
// or a click opens it, as in Advanced Search's results.
func (l *recordList) newTable() *widgets.RowTable {
	t := widgets.NewRowTable(l.tab.dialogs.Window(), func() int { return len(l.shown) }, districtColumns,
		func(row, col int) string { return districtCell(l.shown[row], col, l.tab.today) })
	t.CreateHeader = func() fyne.CanvasObject { return widgets.NewSortHeader(l.sortBy) }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widgets.SortHeader).Set(id.Col, districtColumns[id.Col].Title, l.order(id.Col))
		}
	}
	t.OnActivate = func(row int) { l.showRecord(l.shown[row]) }
	return t
}

// toTable puts the keyboard on the records, when some are shown.
func (l *recordList) toTable() {
	if len(l.shown) > 0 {
		l.tab.dialogs.Window().Canvas().Focus(l.table)
	}
}

// load reads the records published to the district, off the UI goroutine.
func (l *recordList) load() {
	district := l.tab.d.Number
	l.tab.tasks.run("reading the district's records", func() func() {
		recs, err := l.st.DistrictRecords(context.Background(), district)
		return func() {
			if err != nil {
				l.count.SetText(sentence(err.Error()))
				return
			}
			at := ""
			if row := l.table.Row(); row < len(l.shown) {
				at = l.shown[row].RecordID
			}
			l.all = make([]listed, len(recs))
			for i, r := range recs {
				l.all[i] = newListed(r)
			}
			l.sort()
			l.match()
			// The same records again, most often: the record the keys
			// reached stays, and the view with it.
			l.table.Keep(max(0, slices.IndexFunc(l.shown, func(r store.DistrictRecord) bool { return r.RecordID == at })))
			l.count.SetText(l.countText())
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

// order is the order column col is sorted in, if it is the sort column.
func (l *recordList) order(col int) widgets.Order {
	switch {
	case col != l.sortCol:
		return widgets.Unsorted
	case l.desc:
		return widgets.Descending
	}
	return widgets.Ascending
}

// sort orders the records by the sort column; ties keep name order.
// Records not withdrawn come after those withdrawn in either order, as
// Excel sorts the blanks of the Detail report's Withdrawal Date.
func (l *recordList) sort() {
	byName := func(a, b listed) int { return compareRecords(a, b, colName, l.tab.today) }
	slices.SortStableFunc(l.all, byName)
	slices.SortStableFunc(l.all, func(a, b listed) int {
		if l.sortCol == colWithdrawn && a.Withdrawn.IsZero() != b.Withdrawn.IsZero() {
			if a.Withdrawn.IsZero() {
				return 1
			}
			return -1
		}
		c := compareRecords(a, b, l.sortCol, l.tab.today)
		if l.desc {
			return -c
		}
		return c
	})
}

// apply shows the records that match the filter, from the first.
func (l *recordList) apply() {
	l.match()
	l.table.Reset()
	l.count.SetText(l.countText())
}

// match picks the records shown: those that match the filter and the
// worklist line.
func (l *recordList) match() {
	words := strings.Fields(data.NormalizeName(l.filter.Text))
	l.shown = l.shown[:0]
	for _, r := range l.all {
		if _, in := l.only[r.RecordID]; (l.only == nil || in) && r.matches(words) {
			l.shown = append(l.shown, r.DistrictRecord)
		}
	}
}

func (l *recordList) countText() string {
	active := 0
	for _, r := range l.all {
		if r.Active(l.tab.today) {
			active++
		}
	}
	s := fmt.Sprintf("%s published to %s, %s active today", data.Count(len(l.all), "migrant record"), l.tab.d.Name, data.Thousands(active))
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
