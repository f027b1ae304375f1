package gui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/demo"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// District Edition profiles of the fixture.
const (
	rosa  = "rdiaz"   // Rosa Díaz, coordinator of 001 and 002, no report access
	tom   = "tbaker"  // Tom Baker, coordinator of 001, granted by Ana Torres
	admin = "atorres" // Ana Torres, district administrator of 001
)

// fixtureDay is the day the district windows of the tests are shown on:
// a fixed day, so that "active" and the school-year presets do not move
// with the calendar.
const fixtureDay = "2026-03-01"

// districtFixture is the clerk's fixture with District Edition profiles
// and published records: district 001 has four (María's expired and
// active ones, Ana's, and Sean's at a private school), 002 has one.
func districtFixture(t *testing.T) *store.Store {
	t.Helper()
	st := openDemo(t)
	ctx := context.Background()
	for _, u := range []data.User{
		{Username: rosa, FullName: "Rosa Díaz", Role: data.RoleCoordinator, Districts: []string{"001", "002"}, Email: "rosa.diaz@adair.example"},
		{Username: tom, FullName: "Tom Baker", Role: data.RoleCoordinator, Districts: []string{"001"}},
		{Username: admin, FullName: "Ana Torres", Role: data.RoleDistrictAdmin, DistrictNumber: "001", Email: "ana.torres@adair.example"},
	} {
		if err := st.SaveUser(ctx, "tester", u); err != nil {
			t.Fatal(err)
		}
	}
	rec := func(stateID, mis, qad, eed string) data.MigrantRecord {
		return data.MigrantRecord{StateID: stateID, MIS2000ID: mis, QAD: storetest.Day(t, qad), EED: storetest.Day(t, eed)}
	}
	recs := []data.MigrantRecord{
		rec(storetest.Maria, "004500001", "2024-08-15", "2024-12-31"),
		rec(storetest.Maria, "004500001", "2025-09-01", "2028-08-31"),
		rec(storetest.Ana, "004500004", "2024-09-01", "2027-08-31"),
		rec(storetest.Sean, "004500005", "2025-09-01", "2028-08-31"),
		rec(storetest.HernandezA, "004500002", "2025-09-01", "2028-08-31"),
	}
	if _, err := st.ImportRecords(ctx, data.Operator(storetest.Clerk), recs, true); err != nil {
		t.Fatal(err)
	}
	adm, err := st.UserByName(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetReportAccess(ctx, adm, tom, "001", true); err != nil {
		t.Fatal(err)
	}
	return st
}

// openDistrictWindow starts the app as user and opens district number's
// window as of fixtureDay, with its records and access read.
func openDistrictWindow(t *testing.T, st *store.Store, user, number string) (*UI, *districtWindow) {
	t.Helper()
	u := start(t, st, Options{User: user})
	d, err := st.District(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	w := u.showDistrict(u.user, d, storetest.Day(t, fixtureDay))
	u.wait()
	t.Cleanup(func() {
		if u.districts[number] == w {
			w.win.Close()
		}
	})
	return u, w
}

// windowTitles are the titles of the app's windows, sorted; the test
// driver's own untitled window is left out.
func windowTitles(a fyne.App) []string {
	var out []string
	for _, w := range a.Driver().AllWindows() {
		if w.Title() != "" {
			out = append(out, w.Title())
		}
	}
	slices.Sort(out)
	return out
}

// pickerEntry is the filter of the district picker shown over the main window.
func pickerEntry(t *testing.T, u *UI) *widgets.Entry {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no district picker is shown")
	}
	for _, o := range walk(top) {
		if e, ok := o.(*widgets.Entry); ok && e.PlaceHolder == "Type a district number or name" {
			return e
		}
	}
	t.Fatal("the district picker has no filter")
	return nil
}

func TestDistrictPickerAndWindows(t *testing.T) {
	st := districtFixture(t)
	u := start(t, st, Options{User: rosa})

	// Rosa coordinates 001 and 002: the picker offers those two only.
	// Asked for twice before the districts are read, it opens once.
	u.openDistrictPicker()
	u.openDistrictPicker()
	u.wait()
	if n := len(u.win.Canvas().Overlays().List()); n != 1 {
		t.Fatalf("asked for twice, %d pickers opened", n)
	}
	e := pickerEntry(t, u)
	if got := texts(u.win.Canvas()); !slices.Contains(got, "001 Adair County") || !slices.Contains(got, "002 Barren County") ||
		slices.Contains(got, "003 Calloway County") {
		t.Errorf("the picker lists %q", got)
	}
	// Typing filters by name; Enter opens the one left.
	test.Type(e, "barr")
	if got := texts(u.win.Canvas()); slices.Contains(got, "001 Adair County") || !slices.Contains(got, "Press Enter to open it.") {
		t.Errorf("after typing barr the picker shows %q", got)
	}
	pressEnter(u, e)
	want := []string{"Migrant Desk", "Migrant Desk — 002 Barren County"}
	if got := windowTitles(u.app); !slices.Equal(got, want) {
		t.Fatalf("windows %q, want %q", got, want)
	}
	if u.dialogs.Open() {
		t.Error("the picker stays open after opening a district")
	}

	// By number, without its leading zeros.
	u.openDistrictPicker()
	u.wait()
	e = pickerEntry(t, u)
	test.Type(e, "1")
	pressEnter(u, e)
	want = []string{"Migrant Desk", "Migrant Desk — 001 Adair County", "Migrant Desk — 002 Barren County"}
	if got := windowTitles(u.app); !slices.Equal(got, want) {
		t.Fatalf("windows %q, want %q", got, want)
	}

	// Opening a district again brings its window forward: no second window.
	u.openDistrict("001")
	u.wait()
	if got := windowTitles(u.app); len(got) != 3 {
		t.Errorf("opening 001 again made windows %q", got)
	}

	// Ctrl+W closes one alone; the main window and the other stay.
	u.districts["002"].win.Canvas().(fyne.Shortcutable).TypedShortcut(keyCloseWindow)
	want = []string{"Migrant Desk", "Migrant Desk — 001 Adair County"}
	if got := windowTitles(u.app); !slices.Equal(got, want) {
		t.Errorf("after closing 002 the windows are %q, want %q", got, want)
	}
	if u.districts["002"] != nil {
		t.Error("the closed window is still known")
	}
	// And it opens again.
	u.openDistrict("002")
	u.wait()
	if got := windowTitles(u.app); len(got) != 3 {
		t.Errorf("reopening 002 gave windows %q", got)
	}
	// Another profile starting to work closes them all.
	u.closeDistricts()
	if got := windowTitles(u.app); len(got) != 1 || len(u.districts) != 0 {
		t.Errorf("after closing all, windows %q", got)
	}

	// A district the profile may not see is refused, even when asked by number.
	u.openDistrict("003")
	u.wait()
	if got := windowTitles(u.app); len(got) != 1 {
		t.Errorf("a coordinator opened 003: %q", got)
	}
	if !slices.Contains(texts(u.win.Canvas()), "Rosa Díaz (District coordinator) may not open district 003 Calloway County.") {
		t.Errorf("no reason given: %q", texts(u.win.Canvas()))
	}
}

func TestClosingTheMainWindowClosesDistrictWindows(t *testing.T) {
	st := districtFixture(t)
	u := start(t, st, Options{User: admin})
	u.openDistrict("001")
	u.wait()
	if got := windowTitles(u.app); len(got) != 2 {
		t.Fatalf("windows %q", got)
	}
	u.win.Close()
	if got := windowTitles(u.app); len(got) != 0 {
		t.Errorf("after closing the main window: %q", got)
	}
}

func TestDistrictAdministratorGetsTheWindowStraightAway(t *testing.T) {
	st := districtFixture(t)
	u := start(t, st, Options{User: admin})
	u.openDistrictPicker()
	u.wait()
	want := []string{"Migrant Desk", "Migrant Desk — 001 Adair County"}
	if got := windowTitles(u.app); !slices.Equal(got, want) {
		t.Errorf("windows %q, want %q: a user with one district needs no picker", got, want)
	}
	u.districts["001"].win.Close()
}

func TestClerkPreviewsTheDistrictsOfTheRegion(t *testing.T) {
	st := districtFixture(t)
	u := start(t, st, Options{User: storetest.Clerk})
	u.openDistrictPicker()
	u.wait()
	got := texts(u.win.Canvas())
	if !slices.Contains(got, "001 Adair County") || !slices.Contains(got, "002 Barren County") || slices.Contains(got, "003 Calloway County") {
		t.Errorf("a clerk of region C is offered %q", got)
	}
	u.dialogs.CloseTop()

	_, w := openDistrictWindow(t, st, storetest.Clerk, "001")
	isNote := func(s string) bool {
		return strings.HasPrefix(s, "Preview as district: this window shows exactly what 001 Adair County sees")
	}
	if !w.preview || !slices.ContainsFunc(labelTexts(w.win.Content()), isNote) {
		t.Errorf("the clerk's window has no preview note: %q", labelTexts(w.win.Content()))
	}
	if w.access != nil || len(w.tabs.Items) != 3 {
		t.Error("a clerk sees the Users and access tab")
	}
	// The same records as the district's own coordinator.
	_, cw := openDistrictWindow(t, st, tom, "001")
	if cw.preview {
		t.Error("the coordinator's window says it is a preview")
	}
	if !slices.Equal(listedNames(w), listedNames(cw)) {
		t.Errorf("the clerk sees %q, the district %q", listedNames(w), listedNames(cw))
	}
}

// labelTexts are the texts of the labels drawn in o, in order.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	for _, c := range walk(o) {
		if l, ok := c.(*widget.Label); ok && l.Visible() {
			out = append(out, l.Text)
		}
	}
	return out
}

// listedNames are the list's rows as name, grade and eligibility.
func listedNames(w *districtWindow) []string {
	out := make([]string, len(w.records.shown))
	for i, r := range w.records.shown {
		out[i] = districtCell(r, colName, w.today) + " " + districtCell(r, colGrade, w.today) + " " + districtCell(r, colEligibility, w.today)
	}
	return out
}

func TestDistrictRecordsFilterAndSort(t *testing.T) {
	st := districtFixture(t)
	_, w := openDistrictWindow(t, st, rosa, "001")
	l := w.records
	w.tabs.Select(w.recordsTab)

	byName := []string{
		"García López, María José 06 Active",  // QAD 09/01/2025
		"García López, María José 06 Expired", // QAD 08/15/2024
		"Núñez, Ana 09 Active",
		"O'Neil, Sean 08 Active",
	}
	if got := listedNames(w); !slices.Equal(got, byName) {
		t.Fatalf("district 001 lists %q, want %q", got, byName)
	}
	if l.count.Text != "4 migrant records published to Adair County, 3 active today." {
		t.Errorf("count %q", l.count.Text)
	}
	row := make([]string, len(districtColumns))
	for c := range districtColumns {
		row[c] = districtCell(l.shown[2], c, w.today)
	}
	wantRow := []string{"Núñez, Ana", storetest.Ana, "01/20/2010", "09", "Adair Elementary", "12/19/2025", "004500004", "09/01/2024", "08/31/2027", "Active"}
	if !slices.Equal(row, wantRow) {
		t.Errorf("Ana's row %q, want %q", row, wantRow)
	}
	// The table draws the rows.
	if got := labelTexts(l.table); !slices.Contains(got, "O'Neil, Sean") || !slices.Contains(got, "St. Mary Academy") {
		t.Errorf("the table draws %q", got)
	}

	// Click Grade: K to 12; again: 12 to K; names break ties.
	tapHeader(t, l, "Grade")
	want := []string{"García López, María José 06 Active", "García López, María José 06 Expired", "O'Neil, Sean 08 Active", "Núñez, Ana 09 Active"}
	if got := listedNames(w); !slices.Equal(got, want) {
		t.Errorf("by grade %q, want %q", got, want)
	}
	if h := sortHeaders(l)[colGrade]; h.Order() != widgets.Ascending {
		t.Errorf("sorted by grade, its heading shows the order %v", h.Order())
	}
	tapHeader(t, l, "Grade")
	want = []string{"Núñez, Ana 09 Active", "O'Neil, Sean 08 Active", "García López, María José 06 Active", "García López, María José 06 Expired"}
	if got := listedNames(w); !slices.Equal(got, want) {
		t.Errorf("by grade, reversed %q, want %q", got, want)
	}
	if h := sortHeaders(l)[colGrade]; h.Order() != widgets.Descending {
		t.Errorf("sorted by grade again, its heading shows the order %v", h.Order())
	}
	// Eligibility: active ones first, then expired.
	tapHeader(t, l, "Eligibility")
	if got := listedNames(w); got[3] != "García López, María José 06 Expired" {
		t.Errorf("by eligibility %q", got)
	}
	// QAD: earliest first.
	tapHeader(t, l, "QAD")
	var qads []string
	for _, r := range l.shown {
		qads = append(qads, r.QAD.US())
	}
	if want := []string{"08/15/2024", "09/01/2024", "09/01/2025", "09/01/2025"}; !slices.Equal(qads, want) {
		t.Errorf("by QAD %q, want %q", qads, want)
	}
	// School: Adair Elementary before St. Mary Academy.
	tapHeader(t, l, "School")
	if got := districtCell(l.shown[3], colSchool, w.today); got != "St. Mary Academy" {
		t.Errorf("last by school: %q", got)
	}
	tapHeader(t, l, "Name")

	// Filter: accents and case do not matter; every word must match.
	for _, c := range []struct {
		typed string
		n     int
	}{{"nunez", 1}, {"GARCIA lop", 2}, {"maria", 2}, {"ana", 1}, {"004500005", 1}, {"1000000", 4}, {"maria nunez", 0}, {"zz", 0}} {
		l.filter.SetText(c.typed)
		if len(l.shown) != c.n {
			t.Errorf("filter %q shows %d records, want %d", c.typed, len(l.shown), c.n)
		}
	}
	retype(&l.filter.Entry, "nunez")
	if l.count.Text != "1 shown of 4 migrant records published to Adair County, 3 active today." {
		t.Errorf("count %q", l.count.Text)
	}
	// Esc in the filter clears it.
	l.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(l.shown) != 4 {
		t.Errorf("Esc left %d records shown", len(l.shown))
	}
}

// sortHeaders are the column headings the table draws.
func sortHeaders(l *recordList) []*widgets.SortHeader {
	var out []*widgets.SortHeader
	for _, o := range walk(l.table) {
		if h, ok := o.(*widgets.SortHeader); ok && h.Visible() {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b *widgets.SortHeader) int { return a.Column() - b.Column() })
	return out
}

func headerTexts(l *recordList) []string {
	var out []string
	for _, h := range sortHeaders(l) {
		out = append(out, h.Text())
	}
	return out
}

// tapHeader clicks the column heading with that text.
func tapHeader(t *testing.T, l *recordList, text string) {
	t.Helper()
	for _, h := range sortHeaders(l) {
		if h.Text() == text {
			test.Tap(h)
			return
		}
	}
	t.Fatalf("no heading %q among %q", text, headerTexts(l))
}

// The heading of the column the list is sorted by reads whole and shows
// the order, whichever the column: "Withdrawn ▲" was cut to "Withdra…"
// in its column as wide as its dates, and so were Birth date and Grade,
// so the list said neither the column it was sorted by nor the order.
func TestDistrictSortHeadingShowsColumnAndOrder(t *testing.T) {
	st := districtFixture(t)
	_, w := openDistrictWindow(t, st, rosa, "001")
	w.tabs.Select(w.recordsTab)
	w.win.Resize(firstSize)
	l := w.records
	for col, c := range districtColumns {
		for _, order := range []widgets.Order{widgets.Ascending, widgets.Descending} {
			if l.order(col) != order {
				tapHeader(t, l, c.Title)
			}
			h := sortHeaders(l)[col]
			need := fyne.MeasureText(h.Text(), theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*theme.InnerPadding()
			if need > h.Size().Width {
				t.Errorf("sorted by %s, its heading %q needs %.0f px and has %.0f: it is cut", c.Title, h.Text(), need, h.Size().Width)
			}
			mark := h.Mark()
			if h.Order() != order || !mark.Visible() || mark.Position().X < 0 || mark.Position().X+mark.Size().Width > h.Size().Width {
				t.Errorf("sorted by %s (%v), its heading shows the order %v, its arrow shown %v at %v of %v", c.Title, order,
					h.Order(), mark.Visible(), mark.Position(), h.Size())
			}
		}
	}
}

// Sorted by Withdrawn, the records with a withdrawal date come first
// in either order, those still enrolled (no date) after them, as Excel
// sorts the Detail report's Withdrawal Date: a first click showed every
// record still enrolled, over a thousand in a large district, before
// the first withdrawn one.
func TestDistrictSortByWithdrawnPutsNoDateLast(t *testing.T) {
	st := districtFixture(t)
	_, w := openDistrictWindow(t, st, rosa, "001")
	w.tabs.Select(w.recordsTab)
	l := w.records
	for _, order := range []string{"ascending", "descending"} {
		tapHeader(t, l, "Withdrawn")
		var got []string
		for _, r := range l.shown {
			got = append(got, r.Withdrawn.US())
		}
		if len(got) < 2 || got[0] == "" || got[len(got)-1] != "" {
			t.Errorf("sorted by Withdrawn, %s: %q, want the dates first and no date last", order, got)
		}
	}
}

func TestDistrictRecordDetail(t *testing.T) {
	st := districtFixture(t)
	ctx := context.Background()
	// The clerk changes Ana's record after publishing: the district keeps
	// seeing the published copy.
	recs, err := st.StudentRecords(ctx, storetest.Ana)
	if err != nil {
		t.Fatal(err)
	}
	edit := recs[0].MigrantRecord
	edit.MIS2000ID = "999"
	if _, err := st.SaveRecord(ctx, data.Operator(storetest.Clerk), edit); err != nil {
		t.Fatal(err)
	}
	u, w := openDistrictWindow(t, st, rosa, "001")
	retype(&w.records.filter.Entry, "nunez")
	w.records.table.Select(widget.TableCellID{Row: 0, Col: 0})
	u.wait()
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("clicking a record shows no detail")
	}
	got := labelTexts(top)
	for _, want := range []string{
		"Núñez, Ana",
		"State ID 1000000004 · local number L4 · born 01/20/2010 (age 16) · Female · Hispanic/Latino",
		"MIS2000 ID", "004500004",
		"Last Qualifying Arrival Date (QAD)", "09/01/2024",
		"Eligibility Expiration Date (EED)", "08/31/2027",
		"Eligibility on 03/01/2026", "Active",
		"001010 Adair Elementary", "P primary", "08/10/2024", "12/19/2025",
		"None (no FRAM row means paid meals)",
		"Math: no test on record\nReading: no test on record",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("the detail does not show %q: %q", want, got)
		}
	}
	for _, never := range []string{"999", "003010 Calloway Elementary"} {
		if slices.Contains(got, never) {
			t.Errorf("the detail shows %q, which district 001 may not see", never)
		}
	}
	if !slices.ContainsFunc(got, func(s string) bool { return strings.HasSuffix(s, "by Lucía Ramos (clerk1) (version 1)") }) {
		t.Errorf("the detail does not say who published: %q", got)
	}
	// Esc closes it.
	w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if w.dialogs.Open() {
		t.Error("Esc did not close the detail")
	}
}

// allowedControls are the controls of a district window that take input
// and why none of them can change a record. Anything else that takes
// input fails TestDistrictWindowIsReadOnly.
func allowedControls(w *districtWindow) map[fyne.CanvasObject]string {
	r := w.report
	allowed := map[fyne.CanvasObject]string{
		w.records.filter:  "filters the list on screen",
		r.period:          "chooses the report period",
		r.from:            "types the report period",
		r.to:              "types the report period",
		r.password:        "password of the report file",
		r.confirm:         "password of the report file",
		r.detailBtn:       "writes a report file, not a record",
		r.aggBtn:          "writes a report file, not a record",
		r.cancelBtn:       "cancels a report file being written",
		w.refreshBtn:      "reads the district's records again",
		w.records.showAll: "shows every record again after a worklist line",
	}
	for _, b := range w.worklist.buttons {
		allowed[b] = "shows a worklist line's records"
	}
	if w.access != nil {
		for _, c := range w.access.checks {
			allowed[c] = "grants a user report access, not a record"
		}
	}
	return allowed
}

// inputs lists the objects in o that take input and are enabled, except
// those allowed (whose insides are not searched).
func inputs(o fyne.CanvasObject, allowed map[fyne.CanvasObject]string) []fyne.CanvasObject {
	if _, ok := allowed[o]; ok {
		return nil
	}
	var out []fyne.CanvasObject
	if d, ok := o.(fyne.Disableable); ok && !d.Disabled() {
		out = append(out, o)
	}
	switch c := o.(type) {
	case *container.AppTabs:
		// The tab bar only switches tabs; the tabs' contents are searched.
		for _, it := range c.Items {
			out = append(out, inputs(it.Content, allowed)...)
		}
	case fyne.Widget:
		for _, child := range test.WidgetRenderer(c).Objects() {
			out = append(out, inputs(child, allowed)...)
		}
	case *fyne.Container:
		for _, child := range c.Objects {
			out = append(out, inputs(child, allowed)...)
		}
	}
	return out
}

// buttonObject is the button with that text as the window draws it: a
// *widgets.Button is not the *widget.Button findButton returns for it.
func buttonObject(c fyne.Canvas, text string) fyne.CanvasObject {
	b := findButton(c, text)
	for _, o := range walk(c.Overlays().Top()) {
		if kb, ok := o.(*widgets.Button); ok && &kb.Button == b {
			return kb
		}
	}
	return b
}

// TestDistrictWindowIsReadOnly walks everything a district window can
// show — every tab, the record table's cells, the record detail, the
// report's controls and its "saved" dialog — and fails on any control that
// takes input other than the allowed ones (report period, password,
// export buttons, the administrator's grant boxes, the list filter): no
// entry, choice or button can change a record.
func TestDistrictWindowIsReadOnly(t *testing.T) {
	st := districtFixture(t)
	for _, user := range []string{admin, rosa, storetest.Clerk} {
		t.Run(user, func(t *testing.T) {
			u, w := openDistrictWindow(t, st, user, "001")
			w.report.saver = tempSaver{dir: t.TempDir()}
			dialogButtons := map[fyne.CanvasObject]string{}
			check := func(where string, o fyne.CanvasObject) {
				t.Helper()
				allowed := allowedControls(w)
				for b, why := range dialogButtons {
					allowed[b] = why
				}
				for _, in := range inputs(o, allowed) {
					t.Errorf("%s: %T %s takes input", where, in, describe(in))
				}
			}
			check("window", w.win.Content())
			for _, tab := range w.tabs.Items {
				w.tabs.Select(tab)
				u.wait()
				check(tab.Text+" tab", tab.Content)
			}
			if n := len(labelTexts(w.records.table)); n < len(districtColumns)*4 {
				t.Errorf("the walk reached only %d labels in the table", n)
			}

			// The detail of every record: only its Close button.
			for i := range w.records.shown {
				w.records.table.Select(widget.TableCellID{Row: i, Col: 0})
				u.wait()
				top := w.win.Canvas().Overlays().Top()
				if top == nil {
					t.Fatalf("record %d shows no detail", i)
				}
				dialogButtons[buttonObject(w.win.Canvas(), "Close")] = "closes the detail"
				check("record detail", top)
				test.Tap(findButton(w.win.Canvas(), "Close"))
			}

			// The report's "saved" dialog: Close and Open the file.
			if w.report.allowed() {
				tapReport(t, u, w, w.report.aggBtn)
				top := w.win.Canvas().Overlays().Top()
				if top == nil {
					t.Fatal("no dialog after saving the report")
				}
				dialogButtons[buttonObject(w.win.Canvas(), "Close")] = "closes the dialog"
				dialogButtons[buttonObject(w.win.Canvas(), "Open the file")] = "opens the saved report file"
				check("report saved dialog", top)
			}
		})
	}
}

func describe(o fyne.CanvasObject) string {
	switch w := o.(type) {
	case *widget.Button:
		return "«" + w.Text + "»"
	case *widgets.Entry:
		return "«" + w.PlaceHolder + "»"
	case *widget.Check:
		return "«" + w.Text + "»"
	}
	return ""
}

// tapIn taps the button with that text in a district window.
func tapIn(t *testing.T, u *UI, w *districtWindow, text string) {
	t.Helper()
	b := findButton(w.win.Canvas(), text)
	if b == nil || b.Disabled() {
		t.Fatalf("no enabled button %q in %s", text, w.win.Title())
	}
	test.Tap(b)
	u.wait()
}

// tabNames are the tabs of a district window.
func tabNames(tabs *container.AppTabs) []string {
	var out []string
	for _, it := range tabs.Items {
		out = append(out, it.Text)
	}
	return out
}

// A coordinator who widens the district window gets the room for what has
// no set length: long compound names and school names, which the list
// cut with an ellipsis at any window size.
func TestDistrictRecordsNamesTakeAWiderWindow(t *testing.T) {
	st := districtFixture(t)
	_, w := openDistrictWindow(t, st, rosa, "001")
	w.tabs.Select(w.recordsTab)
	cellWidth := func(text string) float32 {
		t.Helper()
		for _, c := range walk(w.records.table) {
			if l, ok := c.(*widget.Label); ok && l.Visible() && l.Text == text {
				return l.Size().Width
			}
		}
		t.Fatalf("no cell shows %q", text)
		return 0
	}
	w.win.Resize(fyne.NewSize(1280, 700))
	name, school := cellWidth("Núñez, Ana"), cellWidth("Adair Elementary")
	w.win.Resize(fyne.NewSize(1800, 700))
	if got := cellWidth("Núñez, Ana"); got <= name {
		t.Errorf("the Name column stays %.0f px wide in a window 520 px wider (was %.0f)", got, name)
	}
	if got := cellWidth("Adair Elementary"); got <= school {
		t.Errorf("the School column stays %.0f px wide in a window 520 px wider (was %.0f)", got, school)
	}
}

// TestLongDistrictNameWraps: a district's long name wraps in its window
// rather than widening it: one of a hundred characters made the window
// wider than a 1366-pixel screen, and wider still while a report of the
// district was made.
func TestLongDistrictNameWraps(t *testing.T) {
	u := start(t, districtFixture(t), Options{User: rosa})
	d, err := u.st.District(context.Background(), "001")
	if err != nil {
		t.Fatal(err)
	}
	short := u.showDistrict(u.user, d, storetest.Day(t, fixtureDay))
	u.wait()
	want := short.win.Content().MinSize().Width
	short.win.Close()
	d.Name = "Peñasco-Müller O'Malley Consolidated Independent School District of the Upper Río Grande Valley"
	long := u.showDistrict(u.user, d, storetest.Day(t, fixtureDay))
	u.wait()
	t.Cleanup(long.win.Close)
	if got := long.win.Content().MinSize().Width; got > want {
		t.Errorf("with a long name the window needs %v wide, with a short one %v", got, want)
	}
	long.report.begin(func() {}, "Reading the records of 001 "+d.Name+"…")
	if got := long.win.Content().MinSize().Width; got > want {
		t.Errorf("making a report of the long name's district, the window needs %v wide", got)
	}
	long.report.end()
	if !slices.Contains(labelTexts(long.win.Content()), "001 "+d.Name) {
		t.Error("the header does not name the district in full")
	}
}

// manyRecords is a district of n published records, one student each,
// named so that the list sorts them by number.
type manyRecords int

func (n manyRecords) DistrictRecords(context.Context, string) ([]store.DistrictRecord, error) {
	out := make([]store.DistrictRecord, n)
	for i := range out {
		out[i] = store.DistrictRecord{RecordID: fmt.Sprint(i), MIS2000ID: fmt.Sprintf("0045%05d", i),
			Student: manyStudent(i)}
	}
	return out, nil
}

func (n manyRecords) Student(_ context.Context, stateID string) (store.StudentDetail, error) {
	var i int
	if _, err := fmt.Sscanf(stateID, "20%08d", &i); err != nil {
		return store.StudentDetail{}, err
	}
	return store.StudentDetail{Student: manyStudent(i)}, nil
}

func manyStudent(i int) data.Student {
	return data.Student{StateID: fmt.Sprintf("20%08d", i), LastName: fmt.Sprintf("Student%02d", i), FirstName: "Ana"}
}

// showManyRecords is the record list of a district of n records, read,
// in a window of the district window's first size.
func showManyRecords(t *testing.T, n int) (*recordList, districtTab, fyne.Canvas) {
	t.Helper()
	win := test.NewTempApp(t).NewWindow("district")
	t.Cleanup(win.Close)
	tab := districtTab{d: data.District{Number: "001", Name: "Adair County"}, today: storetest.Day(t, fixtureDay),
		dialogs: widgets.NewDialogs(win), tasks: testTasks(t)}
	l := newRecordList(manyRecords(n), tab)
	win.SetContent(l.obj)
	win.Resize(fyne.NewSize(1260, 630))
	l.load()
	tab.tasks.wait()
	return l, tab, win.Canvas()
}

// The district's record list takes the keyboard as Advanced Search's
// results do: Down from the filter reaches the first record, the arrows,
// Page Up and Down, Home and End move a highlighted row that stays wholly
// in view below the header (Fyne 2.7 left row 0 under it, fyne-io/fyne#6505),
// and Enter opens the record the keys reached.
func TestDistrictRecordsKeyboardKeepsTheRowInView(t *testing.T) {
	rows := 60
	l, tab, c := showManyRecords(t, rows)
	c.Focus(l.filter)
	key := func(k fyne.KeyName, times int) {
		for range times {
			c.Focused().TypedKey(&fyne.KeyEvent{Name: k})
		}
	}
	key(fyne.KeyDown, 1)
	if c.Focused() != fyne.Focusable(l.table) {
		t.Fatalf("Down from the filter left the keyboard on %T", c.Focused())
	}
	reach := func(k fyne.KeyName, times, want int) {
		t.Helper()
		key(k, times)
		name := manyStudent(want).FullName()
		if !cellInView(l, name) {
			t.Errorf("after %s ×%d: %s is not wholly in view", k, times, name)
		}
		key(fyne.KeyReturn, 1)
		tab.tasks.wait()
		if !tab.dialogs.Open() {
			t.Fatalf("after %s ×%d: Enter opened no record", k, times)
		}
		if got := labelTexts(c.Overlays().Top()); !slices.Contains(got, name) {
			t.Errorf("after %s ×%d: Enter opened %q, want %s", k, times, got, name)
		}
		tab.dialogs.CloseTop()
		c.Focus(l.table)
	}
	reach(fyne.KeyDown, 20, 20)
	reach(fyne.KeyUp, 1, 19)
	reach(fyne.KeyUp, 19, 0)
	reach(fyne.KeyEnd, 1, rows-1)
	reach(fyne.KeyPageUp, 2, rows-21)
	reach(fyne.KeyHome, 1, 0)
	reach(fyne.KeyPageDown, 3, 30)
	reach(fyne.KeyUp, 4, 26)
}

// A refresh (F5, or a publish arriving) reads the records again: the
// record the keys reached stays highlighted and in view, where the list
// went back to its first record.
func TestDistrictRecordsRefreshKeepsTheRecordTheKeysReached(t *testing.T) {
	l, tab, c := showManyRecords(t, 60)
	c.Focus(l.table)
	for range 30 {
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	}
	l.load()
	tab.tasks.wait()
	name := manyStudent(30).FullName()
	if !cellInView(l, name) {
		t.Errorf("after a refresh %s is not in view", name)
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	tab.tasks.wait()
	if got := labelTexts(c.Overlays().Top()); !slices.Contains(got, name) {
		t.Errorf("after a refresh Enter opened %q, want %s", got, name)
	}
}

// cellInView says a cell of the record list reading text is drawn wholly
// inside the table, below its header row.
func cellInView(l *recordList, text string) bool {
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(l.table).Y
	header := widgets.NewSortHeader(func(int) {}).MinSize().Height
	for _, o := range walk(l.table) {
		lb, ok := o.(*widget.Label)
		if !ok || lb.Text != text || !lb.Visible() {
			continue
		}
		y := d.AbsolutePositionForObject(lb).Y
		return y >= top+header && y+lb.Size().Height <= top+l.table.Size().Height
	}
	return false
}

// The header says who is looking in full where the window has the room:
// at its first size it cut the district administrator's own name and
// role to "Ana …" beside an empty stretch, and a text given exactly its
// width still ended in an ellipsis. The narrowest window still cuts it
// (TestLongDistrictNameWraps keeps that width).
func TestDistrictHeaderNamesWhoIsLookingInFull(t *testing.T) {
	_, w := openDistrictWindow(t, districtFixture(t), admin, "001")
	w.win.Resize(fyne.NewSize(1260, 630))
	var who *widget.Label
	for _, o := range walk(w.win.Content()) {
		if l, ok := o.(*widget.Label); ok && strings.HasPrefix(l.Text, "District Edition · ") {
			who = l
		}
	}
	if who == nil {
		t.Fatal("the header does not say who is looking")
	}
	need := fyne.MeasureText(who.Text, theme.TextSize(), who.TextStyle).Width + 2*theme.InnerPadding()
	if who.Size().Width < need || who.Truncation == fyne.TextTruncateEllipsis {
		t.Errorf("%q is %.0f wide of the %.0f it needs, in a window of 1260, cut with an ellipsis: %v",
			who.Text, who.Size().Width, need, who.Truncation == fyne.TextTruncateEllipsis)
	}
	// In the narrowest window it is cut, and says so.
	w.win.Resize(w.win.Content().MinSize())
	if who.Size().Width >= need || who.Truncation != fyne.TextTruncateEllipsis {
		t.Errorf("in the narrowest window %q is %.0f wide, no ellipsis: %v", who.Text, who.Size().Width, who.Truncation != fyne.TextTruncateEllipsis)
	}
}

// The record list reads the demo's values whole where the window has the
// room: each column of a set width its widest value and its heading, and
// School, at 1260×630, the school of the one record a reviewer saw cut
// ("Lexington Traditional Middl…") and nineteen in twenty of the demo's
// schools and names; at 1366×768, every school. The Withdrawn column,
// often empty, was wider than its dates while School cut its names.
func TestDistrictColumnsFitTheDemosValues(t *testing.T) {
	st := districtFixture(t)
	_, w := openDistrictWindow(t, st, rosa, "001")
	w.tabs.Select(w.recordsTab)
	state, err := demo.Generate(demo.Config{Students: 20000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	need := func(s string, bold bool) float32 {
		return fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{Bold: bold}).Width + 2*theme.InnerPadding()
	}
	// at is what nineteen in twenty of texts need, and the most.
	at := func(texts []string) (p95, most float32) {
		ws := make([]float32, len(texts))
		for i, s := range texts {
			ws[i] = need(s, false)
		}
		slices.Sort(ws)
		return ws[len(ws)*95/100], ws[len(ws)-1]
	}
	var schools, names []string
	for _, s := range state.Extract.Schools {
		schools = append(schools, s.Name)
	}
	for _, s := range state.Extract.Students {
		names = append(names, s.FullName())
	}
	school95, schoolMost := at(schools)
	name95, _ := at(names)
	widths := func(size fyne.Size) map[int]float32 {
		w.win.Resize(size)
		got := map[int]float32{}
		for _, o := range walk(w.records.table) {
			if h, ok := o.(*widgets.SortHeader); ok && h.Visible() {
				got[h.Column()] = h.Size().Width
			}
		}
		if len(got) != len(districtColumns) {
			t.Fatalf("%d of the %d columns in view at %v", len(got), len(districtColumns), size)
		}
		return got
	}
	first := widths(firstSize)
	widest := map[int]string{colStateID: "1464106935", colBirth: "12/31/2026", colGrade: "OSY", colWithdrawn: "12/31/2026",
		colMIS2000: "123456789012", colQAD: "12/31/2026", colEED: "12/31/2026", colEligibility: eligFuture}
	for col, text := range widest {
		c := districtColumns[col]
		if n := max(need(text, false), need(c.Title, true)); first[col] < n {
			t.Errorf("at 1260×630 the %s column is %.0f px wide; %q and its heading need %.0f", c.Title, first[col], text, n)
		}
	}
	for _, c := range []struct {
		col  int
		text string
		need float32
	}{
		{colSchool, "Lexington Traditional Middle School", need("Lexington Traditional Middle School", false)},
		{colSchool, "nineteen in twenty of the demo's schools", school95},
		{colName, "nineteen in twenty of the demo's names", name95},
	} {
		if first[c.col] < c.need {
			t.Errorf("at 1260×630 the %s column is %.0f px wide; %s need %.0f", districtColumns[c.col].Title, first[c.col], c.text, c.need)
		}
	}
	if got := widths(screenSize)[colSchool]; got < schoolMost {
		t.Errorf("at 1366×768 the School column is %.0f px wide; the demo's longest school name needs %.0f", got, schoolMost)
	}
}
