package gui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// worklistLines are the worklist's lines as shown.
func worklistLines(w *districtWindow) []string {
	var out []string
	for _, b := range w.worklist.buttons {
		out = append(out, b.Text)
	}
	return out
}

// TestWorklistFiltersTheRecords: the district window opens on the
// worklist; each line shows its records in the records tab, and a row
// there opens the record.
func TestWorklistFiltersTheRecords(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, rosa, "001")
	if w.tabs.Selected().Text != "Worklist" {
		t.Fatalf("the window opens on %q", w.tabs.Selected().Text)
	}
	want := []string{
		"4 records published to the district since the school year began (08/01/2025)",
		"0 migrant students newly enrolled in the district since then",
		"0 students whose eligibility ends within 60 days (by 04/30/2026)",
		`0 students enrolled now with no free-meal status (Economically Disadvantaged "No" in the 2025–26 report)`,
	}
	if got := worklistLines(w); !slices.Equal(got, want) {
		t.Fatalf("worklist:\n%q\nwant\n%q", got, want)
	}
	if !w.worklist.buttons[data.WorkEnrolled].Disabled() || w.worklist.buttons[data.WorkPublished].Disabled() {
		t.Error("an empty line can be clicked, or a full one cannot")
	}

	tapIn(t, u, w, want[data.WorkPublished])
	if w.tabs.Selected() != w.recordsTab {
		t.Fatal("the line did not show the records tab")
	}
	if !w.records.scope.Visible() || w.records.scopeMsg.Text != "Showing: "+want[data.WorkPublished] {
		t.Errorf("the records tab does not say what it shows: %q", w.records.scopeMsg.Text)
	}
	retype(&w.records.filter.Entry, "sean")
	if got := listedNames(w); !slices.Equal(got, []string{"O'Neil, Sean 08 Active"}) {
		t.Errorf("published since, filtered, lists %q", got)
	}
	if !strings.HasPrefix(w.records.count.Text, "1 shown of 4 migrant records") {
		t.Errorf("count %q", w.records.count.Text)
	}
	w.records.table.Select(widget.TableCellID{Row: 0, Col: 0})
	u.wait()
	if !w.dialogs.Open() || !slices.Contains(texts(w.win.Canvas()), "004500005") {
		t.Error("the row did not open Sean's record")
	}
	w.dialogs.CloseTop()
	retype(&w.records.filter.Entry, "")

	tapIn(t, u, w, "Show all records")
	if len(w.records.shown) != 4 || w.records.scope.Visible() {
		t.Errorf("Show all records shows %d, scope shown %v", len(w.records.shown), w.records.scope.Visible())
	}

	// The next time, the worklist counts from this look.
	w.win.Close()
	u.wait()
	d, _ := st.District(context.Background(), "001")
	w = u.showDistrict(u.user, d, storetest.Day(t, fixtureDay))
	u.wait()
	defer w.win.Close()
	if got := worklistLines(w)[data.WorkPublished]; got != "0 records published to the district since you last looked (11/29/2026)" {
		t.Errorf("after a look: %q", got)
	}
}

// TestDistrictWindowFollowsItsCopies: a publish that sends the district a
// record refreshes its open window, the records and the worklist; F5
// reads them again when nothing told the window.
func TestDistrictWindowFollowsItsCopies(t *testing.T) {
	st := districtFixture(t)
	ctx := context.Background()
	u, w := openDistrictWindow(t, st, rosa, "001")
	if len(w.records.all) != 4 {
		t.Fatalf("%d records before", len(w.records.all))
	}
	// Maria Hernandez (of 002) enrolls in Adair in February: her record,
	// published, goes to Adair too.
	ex := storetest.Extract()
	ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "E9", StateID: storetest.HernandezA, SchoolNumber: "001010",
		Grade: "08", ServiceType: "S", Start: storetest.Day(t, "2026-02-02")})
	if _, err := st.ImportExtract(ctx, ex, "tester"); err != nil {
		t.Fatal(err)
	}
	recs, err := st.StudentRecords(ctx, storetest.HernandezA)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Publish(ctx, data.Operator(storetest.Clerk), []string{recs[0].ID}, nil)
	if err != nil || !slices.Equal(res.SentTo, []string{"001", "002"}) {
		t.Fatalf("publish: %+v %v", res, err)
	}
	u.wait()
	if len(w.records.all) != 5 {
		t.Fatalf("the window did not refresh itself: %d records", len(w.records.all))
	}
	lines := worklistLines(w)
	if !strings.HasPrefix(lines[data.WorkPublished], "5 records") || !strings.HasPrefix(lines[data.WorkEnrolled], "1 migrant student ") ||
		!strings.HasPrefix(lines[data.WorkFreeMeal], "1 student ") {
		t.Errorf("worklist after the publish: %q", lines)
	}
	tapIn(t, u, w, lines[data.WorkFreeMeal])
	if got := listedNames(w); !slices.Equal(got, []string{"Hernandez, Maria 08 Active"}) {
		t.Errorf("free meal missing lists %q", got)
	}
	// A refresh keeps the line shown, with its new records.
	ex.Programs = append(ex.Programs, data.Program{StateID: storetest.HernandezA, Program: data.ProgramFRAM, Code: data.MealsFree,
		Start: storetest.Day(t, "2025-08-01")})
	if _, err := st.ImportExtract(ctx, ex, "tester"); err != nil {
		t.Fatal(err)
	}
	u.wait()
	if got := listedNames(w); len(got) != 0 || !w.records.scope.Visible() ||
		!strings.HasPrefix(w.records.scopeMsg.Text, "Showing: 0 students enrolled now with no free-meal status") {
		t.Errorf("after free meals arrived, the line shows %q under %q", got, w.records.scopeMsg.Text)
	}

	// Deleting Sean's record while the window hears nothing: F5 (typed in
	// the filter, which has the focus) shows it.
	w.unwatch()
	w.unwatch = func() {}
	sean, err := st.StudentRecords(ctx, storetest.Sean)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteRecord(ctx, data.Operator(storetest.Clerk), sean[0].ID, sean[0].Version); err != nil {
		t.Fatal(err)
	}
	u.wait()
	if len(w.records.all) != 5 {
		t.Fatal("an unwatched window refreshed")
	}
	w.tabs.Select(w.recordsTab)
	w.win.Canvas().Focus(w.records.filter)
	w.records.filter.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF5})
	u.wait()
	if len(w.records.all) != 4 {
		t.Fatalf("F5 did not refresh: %d records", len(w.records.all))
	}
	// And with nothing focused, from the window.
	w.win.Canvas().Unfocus()
	w.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF5})
	if u.tasks.busy.Load() == 0 {
		t.Error("F5 with nothing focused read nothing")
	}
	u.wait()
	tapIn(t, u, w, "Refresh (F5)")
}

// TestPublishConfirmationShowsRemovals: the confirmation lists the
// districts a record goes to and those whose copy publishing removes;
// the result says both.
func TestPublishConfirmationShowsRemovals(t *testing.T) {
	st := openDemo(t)
	ctx := context.Background()
	op := data.Operator(storetest.Clerk)
	// Ana moved from Adair (001) to Calloway (003) in January 2026.
	r, err := st.SaveRecord(ctx, op, storetest.Record(t, storetest.Ana, "000555", "2025-03-01", "2026-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Publish(ctx, op, []string{r.ID}, nil); err != nil {
		t.Fatal(err)
	}
	edit := r.MigrantRecord
	edit.EED = storetest.Day(t, "2025-10-31")
	if _, err := st.SaveRecord(ctx, op, edit); err != nil {
		t.Fatal(err)
	}
	u := start(t, st, Options{User: storetest.Clerk})
	todo, err := st.NeedsPublishing(ctx, "")
	if err != nil || len(todo) != 1 {
		t.Fatalf("needs publishing: %d %v", len(todo), err)
	}
	var said string
	p := &publisher{st: st, user: u.user, tasks: u.tasks, dialogs: u.dialogs, changed: func(msg string) { said = msg }}
	p.confirm(todo, nil)
	got := texts(u.win.Canvas())
	want := "Goes to 1 district: 001 Adair County\nComes off 1 district (no enrollment there during the window now): 003 Calloway County"
	if !slices.Contains(got, want) {
		t.Fatalf("the confirmation does not list the removal: %q", got)
	}
	if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "it removes 1 copy from districts") }) {
		t.Errorf("the introduction does not count the removal: %q", got)
	}
	tap(t, u, "Publish")
	if said != "Published 1 record of Núñez, Ana: sent to 1 district, removed from 1 district." {
		t.Errorf("result %q", said)
	}
}

// TestPublishConfirmationFitsTenDistricts: a record going to ten
// districts reads whole without scrolling; many records scroll.
func TestPublishConfirmationFitsTenDistricts(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk})
	rec := store.Unpublished{Student: data.Student{LastName: "Núñez", FirstName: "Ana"}}
	rec.MIS2000ID, rec.QAD, rec.EED = "1", storetest.Day(t, "2025-09-01"), storetest.Day(t, "2028-08-31")
	for i := range 10 {
		rec.Targets = append(rec.Targets, data.District{Number: fmt.Sprintf("%03d", 10+i), Name: fmt.Sprintf("County %c", 'A'+i)})
	}
	p := &publisher{st: st, user: u.user, tasks: u.tasks, dialogs: u.dialogs, changed: func(string) {}}
	p.confirm([]store.Unpublished{rec}, nil)
	list := findList(u.win.Canvas())
	if list == nil {
		t.Fatal("no list in the confirmation")
	}
	item := list.CreateItem()
	list.UpdateItem(0, item)
	if need := item.MinSize().Height; list.Size().Height < need {
		t.Errorf("the list is %v high, its record needs %v: it scrolls", list.Size().Height, need)
	}
	u.dialogs.CloseTop()

	many := slices.Repeat([]store.Unpublished{rec}, 5)
	p.confirm(many, nil)
	if h := findList(u.win.Canvas()).Size().Height; h > maxPublishListHeight {
		t.Errorf("five records make the list %v high, more than %v", h, maxPublishListHeight)
	}
}

// findList is the list in the top overlay of c.
func findList(c fyne.Canvas) *widgets.List {
	for _, o := range walk(c.Overlays().Top()) {
		if l, ok := o.(*widgets.List); ok {
			return l
		}
	}
	return nil
}

// countedLooks is the store with its looks counted and its worklist made
// to fail while failures are left, as a database that is busy would.
type countedLooks struct {
	worklistStore
	looks, failures int
}

func (c *countedLooks) LookAtDistrict(ctx context.Context, u data.User, district string) (string, bool, error) {
	c.looks++
	return c.worklistStore.LookAtDistrict(ctx, u, district)
}

func (c *countedLooks) DistrictWorklist(ctx context.Context, u data.User, district string, since data.WorkSince, today data.Date) (store.Worklist, error) {
	if c.failures > 0 {
		c.failures--
		return store.Worklist{}, errors.New("the database is busy")
	}
	return c.worklistStore.DistrictWorklist(ctx, u, district, since, today)
}

// TestWorklistLooksOncePerWindow: a refresh asked for while the window's
// first load is in flight, or a retry after its worklist failed, does not
// record a second look, and counts from the look before the window's.
func TestWorklistLooksOncePerWindow(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, rosa, "001") // looks on 11/29/2026
	for day, failures := range []int{0, 1} {
		st.SetClock(func() time.Time { return storetest.Now().AddDate(0, 0, day+1) })
		c := &countedLooks{worklistStore: st, failures: failures}
		s := newWorklistScreen(c, w.worklist.tab, false, func(string, map[string]string, bool) {})
		s.load()
		if failures == 0 {
			s.load()
		}
		u.wait()
		if failures > 0 {
			if !strings.Contains(s.intro.Text, "database is busy") {
				t.Fatalf("a failed worklist reads %q", s.intro.Text)
			}
			s.load()
			u.wait()
		}
		want := fmt.Sprintf("since you last looked (11/%d/2026)", 29+day)
		if c.looks != 1 || !strings.Contains(s.intro.Text, want) {
			t.Errorf("window %d: %d looks recorded, it reads %q, want one and %q", day+2, c.looks, s.intro.Text, want)
		}
	}
}
