package gui

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/importer"
	"migrantdesk/data/reconcile"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
	"migrantdesk/report"
	"migrantdesk/report/reconciletest"
)

// pathOpener stands for the open dialog: it answers path ("" cancels).
type pathOpener struct{ path string }

func (o *pathOpener) openFile(_ fyne.Window, _ string, _ []string, done func(string)) { done(o.path) }

// reconcileFixture is the reconciliation screen of a clerk of region C on
// reconciletest's state, with the dialogs answered by the test and what
// background work hands to the UI queued for the test's goroutine.
type reconcileFixture struct {
	t      *testing.T
	s      *reconcileScreen
	st     *store.Store
	queue  chan func()
	opener *pathOpener
	saved  string // the folder the save dialog answers in
}

func newReconcileFixture(t *testing.T) *reconcileFixture {
	a := test.NewTempApp(t)
	w := a.NewWindow("Reconcile")
	t.Cleanup(w.Close)
	f := &reconcileFixture{t: t, st: reconciletest.Open(t, filepath.Join(t.TempDir(), "r.db")), queue: make(chan func(), 1024),
		opener: &pathOpener{path: reconciletest.Export()}, saved: t.TempDir()}
	clerk := data.User{Username: "clerk1", FullName: reconciletest.Clerk, Role: data.RoleClerk, RegionCode: "C"}
	f.s = newReconcileScreen(f.st, w, clerk, nil, func(fn func()) { f.queue <- fn })
	f.s.opener = f.opener
	f.s.saver = tempSaver{dir: f.saved}
	w.SetContent(f.s.obj)
	w.Resize(fyne.NewSize(1280, 800))
	return f
}

// settle runs on the test's goroutine what background work hands to the
// UI, until the screen has nothing under way.
func (f *reconcileFixture) settle() {
	f.t.Helper()
	deadline := time.After(20 * time.Second)
	for f.s.stop != nil {
		select {
		case fn := <-f.queue:
			fn()
		case <-deadline:
			f.t.Fatal("the comparison did not finish")
		}
	}
	for {
		select {
		case fn := <-f.queue:
			fn()
		default:
			return
		}
	}
}

func (f *reconcileFixture) tap(b *widgets.Button) {
	f.t.Helper()
	if b.Disabled() {
		f.t.Fatalf("%q is disabled", b.Text)
	}
	test.Tap(b)
	f.settle()
}

// compareAsOf types the day and picks the export, which compares it.
func (f *reconcileFixture) compareAsOf(day string) {
	f.t.Helper()
	retype(f.s.asOf, day)
	f.tap(f.s.pickBtn)
}

// rows is the summary table as text, row by row.
func (f *reconcileFixture) rows() []string {
	rows, cols := f.s.table.Length()
	var out []string
	for r := range rows {
		var cells []string
		for c := range cols {
			cells = append(cells, f.s.cell(r, c))
		}
		out = append(out, strings.Join(cells, " "))
	}
	return out
}

func TestReconcileScreenComparesAndShowsMessages(t *testing.T) {
	f := newReconcileFixture(t)
	s := f.s
	if !s.runBtn.Disabled() || !s.saveBtn.Disabled() || !s.copyBtn.Disabled() {
		t.Error("with no file chosen, Compare, Save and Copy are enabled")
	}
	f.compareAsOf("11/03/2025")

	want := []string{
		"001 Adair County 8 0 1 1 0 0 3 0 1 2",
		"002 Barren County 5 0 0 0 1 1 0 1 0 2",
		"Total 13 0 1 1 1 1 3 1 1 4",
	}
	if got := f.rows(); !slices.Equal(got, want) {
		t.Errorf("summary (region C):\n%q\nwant\n%q", got, want)
	}
	for _, w := range []string{"As of 11/03/2025: 11 rows of mis2000.csv compared, 13 discrepancies.",
		"Rows: 11 compared; 1 left out, from districts of other regions", "Rows not read: 3, left out of the comparison: mis2000.csv line 15",
		"Columns not used: Program Year"} {
		if !strings.Contains(s.notes.Text, w) {
			t.Errorf("the notes lack %q:\n%s", w, s.notes.Text)
		}
	}
	if strings.Contains(s.notes.Text, "Windows-1252") {
		t.Errorf("a UTF-8 export is said to be Windows-1252:\n%s", s.notes.Text)
	}
	if s.msgTitle.Text != "Message to 001 Adair County" || !strings.HasPrefix(s.message.Text, "Dear migrant program coordinator of 001 Adair County,") ||
		!strings.HasSuffix(s.message.Text, "Thank you,\nLucía Ramos\n") {
		t.Errorf("first message %q:\n%s", s.msgTitle.Text, s.message.Text)
	}

	s.table.Select(widget.TableCellID{Row: 1, Col: 3})
	if s.msgTitle.Text != "Message to 002 Barren County" || !strings.Contains(s.message.Text, "found 5 discrepancies") {
		t.Errorf("002's message %q:\n%s", s.msgTitle.Text, s.message.Text)
	}
	f.tap(s.copyBtn)
	if got := fyne.CurrentApp().Clipboard().Content(); got != s.message.Text {
		t.Errorf("the clipboard holds %q", got)
	}
	if s.status.Text != "Copied the message to 002 Barren County to the clipboard." {
		t.Errorf("status %q", s.status.Text)
	}
	s.table.Select(widget.TableCellID{Row: 2, Col: 0}) // the totals: no message
	if !s.copyBtn.Disabled() || s.msgTitle.Text != "" {
		t.Errorf("the totals row shows %q and can be copied: %v", s.msgTitle.Text, !s.copyBtn.Disabled())
	}
}

func TestReconcileScreenSavesTheWorkbookAndMessages(t *testing.T) {
	f := newReconcileFixture(t)
	f.compareAsOf("2025-11-03")
	f.tap(f.s.saveBtn)

	book := filepath.Join(f.saved, "MIS2000 reconciliation C 2025-11-03.xlsx")
	dir := filepath.Join(f.saved, "MIS2000 reconciliation C 2025-11-03 messages")
	if _, err := os.Stat(book); err != nil {
		t.Fatalf("%v; status %q", err, f.s.status.Text)
	}
	if got, _ := filepath.Glob(filepath.Join(dir, "*")); !slices.Equal(got, []string{filepath.Join(dir, "001.txt"), filepath.Join(dir, "002.txt")}) {
		t.Errorf("messages %q", got)
	}
	if want := "Saved " + book + " and 2 messages in " + dir + "."; f.s.status.Text != want {
		t.Errorf("status %q, want %q", f.s.status.Text, want)
	}
	entries, err := f.st.Audit(context.Background(), "report", "")
	if err != nil || len(entries) != 4 || entries[0].User != "clerk1" || !strings.Contains(entries[1].After, `"District":"C"`) ||
		!strings.Contains(entries[0].After, `"Stage":"completed"`) || !strings.Contains(entries[3].After, `"Stage":"started"`) {
		t.Errorf("audit log %+v, %v", entries, err)
	}
	if f.s.stop != nil || f.s.saveBtn.Disabled() {
		t.Error("the screen is still busy after saving")
	}
}

func TestReconcileScreenRefusals(t *testing.T) {
	f := newReconcileFixture(t)
	s := f.s
	retype(s.asOf, "11/31/2025")
	if !s.asOfErr.Visible() || s.asOfErr.Text != `As of: "11/31/2025" is not a valid date: November 2025 has 30 days.` {
		t.Errorf("as-of error %q", s.asOfErr.Text)
	}

	bad := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(bad, []byte("MIS ID,Name,DOB\n1,a,1/1/2010\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.opener.path = bad
	f.compareAsOf("11/03/2025")
	if s.msgTitle.Text != "The export could not be compared" || !strings.Contains(s.message.Text, "export.csv line 1, column QAD: the header has no QAD column") {
		t.Errorf("refusal %q:\n%s", s.msgTitle.Text, s.message.Text)
	}
	if !s.saveBtn.Disabled() || len(f.rows()) != 0 {
		t.Error("a refused export can be saved, or shows a summary")
	}

	f.opener.path = "" // the dialog cancelled: the file stays the one chosen
	f.tap(s.pickBtn)
	if s.path != bad {
		t.Errorf("path %q after a cancelled dialog", s.path)
	}
}

func TestNewReconcileScreen(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("x")
	defer w.Close()
	obj := NewReconcileScreen(reconcileStoreStub{}, w, data.User{FullName: "Pat Moore"}, fyne.Do)
	w.SetContent(obj)
	if !slices.ContainsFunc(labelTexts(obj), func(s string) bool { return strings.Contains(s, "every region are compared") }) {
		t.Errorf("labels %q", labelTexts(obj))
	}
}

// reconcileStoreStub shows the screen needs no more than ReconcileStore.
type reconcileStoreStub struct{ ReconcileStore }

// reconcileInApp is the reconciliation screen in the app's window, of a
// clerk of region C on reconciletest's state, in the theme the app runs
// with; finish runs what the comparison under way hands to the UI until
// it is done.
func reconcileInApp(t *testing.T) (u *UI, s *reconcileScreen, finish func()) {
	t.Helper()
	st := reconciletest.Open(t, filepath.Join(t.TempDir(), "r.db"))
	ctx := context.Background()
	clerk := data.User{Username: "clerk1", FullName: reconciletest.Clerk, Role: data.RoleClerk, RegionCode: "C"}
	if err := st.SaveUser(ctx, "tester", clerk); err != nil {
		t.Fatal(err)
	}
	if err := st.SetMeta(ctx, store.MetaDemo, "1"); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.DefaultTheme()) // the theme the app runs with, not the test theme
	u = newUI(t, a, st, Options{User: "clerk1"})
	u.ShowMain()
	u.wait()
	u.showReconcile()
	s = u.reconcile
	s.opener = &pathOpener{path: reconciletest.Export()}
	retype(s.asOf, "11/03/2025")
	q := queues[u.tasks]
	return u, s, func() {
		deadline := time.After(30 * time.Second)
		for s.stop != nil {
			select {
			case f := <-q:
				f()
			case <-deadline:
				t.Fatal("the comparison did not finish")
			}
		}
		u.wait()
	}
}

// The notes over the summary (two to four lines) and, on Compare again,
// the progress row once came on top of what the window had: Fyne grew
// the main window (700 → 710 → 729 px under Xvfb at 1366×768) and never
// gave the height back, past what screenSize allows a window.
func TestReconcileScreenDoesNotGrowTheWindow(t *testing.T) {
	u, s, finish := reconcileInApp(t)
	before := u.win.Content().MinSize()
	tap(t, u, "Choose the MIS2000 export…")
	finish()
	if s.result == nil {
		t.Fatalf("no comparison: %q %q", s.msgTitle.Text, s.message.Text)
	}
	after := u.win.Content().MinSize()
	test.Tap(s.runBtn) // Compare again: the progress row shows while it runs
	during := u.win.Content().MinSize()
	if !s.running.Visible() {
		t.Fatal("no progress row while comparing again")
	}
	finish()
	if after.Height > before.Height || during.Height > before.Height {
		t.Errorf("the reconciliation screen needs more height as it fills (%.0f → %.0f → %.0f px): the window grows past what it was given",
			before.Height, after.Height, during.Height)
	}
	if during.Height > screenSize.Height {
		t.Errorf("while comparing again the window needs %v, more than a 1366×768 screen leaves a window (%v)", during, screenSize)
	}
	// The notes take their room from the summary table, which keeps
	// room for rows at 1366×768.
	u.win.Resize(screenSize)
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject
	if notes, table := abs(s.notes), abs(s.table); s.notes.Size().Height < s.notes.MinSize().Height || notes.Y+s.notes.Size().Height > table.Y {
		t.Errorf("the notes (%v at %v) do not sit whole over the summary table (at %v)", s.notes.Size(), notes, table)
	}
	if h, line := s.table.Size().Height, widget.NewLabel("0").MinSize().Height; h < 3*line {
		t.Errorf("at 1366×768 the summary table is %.0f px tall under the notes: less than its heading and two districts", h)
	}
}

// The summary's columns name what they count, each once: its first
// column is the district, so the category "District differs" may not be
// headed "District" as well, nor "QAD differs" a bare "QAD", which reads
// as a date.
func TestReconcileSummaryHeadersAreDistinct(t *testing.T) {
	seen := map[string]int{}
	for c := 0; c < reconcile.NumCategories+2; c++ {
		h := summaryHeader(c)
		if prev, ok := seen[h]; ok {
			t.Errorf("columns %d and %d are both headed %q", prev, c, h)
		}
		seen[h] = c
	}
	for _, want := range []string{"QAD differs", "EED differs", "District differs"} {
		if _, ok := seen[want]; !ok {
			t.Errorf("no column is headed %q", want)
		}
	}
}

// An export of another region compares nothing for a clerk: the screen
// said "No district of the export is in the records" (untrue: they are,
// in another region), or showed the districts the records alone have
// something for, as if the export had been checked.
func TestReconcileScreenRefusesAnotherRegionsExport(t *testing.T) {
	f := newReconcileFixture(t)
	src, err := os.ReadFile(reconciletest.Export())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(src), "\n")
	f.opener.path = filepath.Join(t.TempDir(), "western.csv")
	if err := os.WriteFile(f.opener.path, []byte(lines[0]+lines[8]), 0o600); err != nil { // line 9: district 003, region W
		t.Fatal(err)
	}
	f.compareAsOf("11/03/2025")
	s := f.s
	if s.msgTitle.Text != "The export could not be compared" || s.message.Text != "Every row of western.csv (1 row) is of a district of "+
		"another region, none of the Central region, so nothing was compared; check that this is the export of the Central region." {
		t.Errorf("%q:\n%s", s.msgTitle.Text, s.message.Text)
	}
	if !s.saveBtn.Disabled() || len(f.rows()) != 0 {
		t.Errorf("another region's export can be saved, or shows a summary: %q", f.rows())
	}
}

// snapshotStub is a store that has the records of one snapshot.
type snapshotStub struct {
	reconcileStoreStub
	snap reconcile.Snapshot
}

func (s snapshotStub) ReconcileSnapshot(context.Context, []data.MIS2000Row, data.Date) (*reconcile.Snapshot, error) {
	return &s.snap, nil
}

// An export without a District column that agrees with the records has
// no district line in the summary: the screen said "No district of the
// export is in the records", as if the export were of no use.
func TestReconcileScreenSaysAnExportAgrees(t *testing.T) {
	f := newReconcileFixture(t)
	day := reconciletest.AsOf
	qad, eed := data.NewDate(2024, time.September, 1), data.NewDate(2027, time.August, 31)
	torres := reconcile.Student{
		Student: data.Student{StateID: "2000000001", LastName: "Torres", FirstName: "Ana", BirthDate: data.NewDate(2012, time.March, 4)},
		Records: []reconcile.Record{{ID: "r1", MIS2000ID: "11111111", QAD: qad, EED: eed, Published: true, Copies: []string{"001"}}},
	}
	f.s.st = snapshotStub{snap: reconcile.Snapshot{AsOf: day, Students: []reconcile.Student{torres},
		Districts: []data.District{{Number: "001", Name: "Adair County", RegionCode: "C"}}}}
	f.opener.path = filepath.Join(t.TempDir(), "mis2000.csv")
	export := "MIS2000 ID,Last Name,First Name,Birth Date,QAD,EED\n11111111,Torres,Ana,03/04/2012,09/01/2024,08/31/2027\n"
	if err := os.WriteFile(f.opener.path, []byte(export), 0o600); err != nil {
		t.Fatal(err)
	}
	f.compareAsOf(day.US())
	if got := f.rows(); len(got) != 1 || got[0] != "Total 0 0 0 0 0 0 0 0 0 0" {
		t.Errorf("summary %q", got)
	}
	if f.s.message.Text != "No discrepancy: the records agree with every row compared." {
		t.Errorf("message %q", f.s.message.Text)
	}
}

// After a comparison the first district with discrepancies is selected
// and its message shown; its row must be in view. Fyne 2.7 scrolls a
// table with a header row one header too far (fyne-io/fyne#6505): at the
// app's first size under 1366×768, where the summary pane is a row or two
// high, row 001 was scrolled away and 002 shown beside 001's message.
func TestReconcileScreenShowsTheDistrictItSelects(t *testing.T) {
	f := newReconcileFixture(t)
	f.s.win.Resize(fyne.NewSize(1260, 480))
	f.compareAsOf("11/03/2025")
	if shown := f.districtsShown(); f.s.msgTitle.Text != "Message to 001 Adair County" || !slices.Contains(shown, "001 Adair County") {
		t.Errorf("%q beside rows %q (table %v high)", f.s.msgTitle.Text, shown, f.s.table.Size().Height)
	}
}

// districtsShown are the districts of the summary wholly in view, below
// its header row.
func (f *reconcileFixture) districtsShown() []string {
	table := f.s.table
	top := fyne.CurrentApp().Driver().AbsolutePositionForObject(table).Y
	var shown []string
	for _, o := range walk(table) {
		l, ok := o.(*widget.Label)
		if !ok || !l.Visible() || !strings.HasPrefix(l.Text, "0") || !strings.Contains(l.Text, " ") {
			continue
		}
		y := fyne.CurrentApp().Driver().AbsolutePositionForObject(l).Y
		if y >= top+l.MinSize().Height && y+l.Size().Height <= top+table.Size().Height {
			shown = append(shown, l.Text)
		}
	}
	return shown
}

// The keyboard works the summary by the row: Up and Down choose the
// next district, whose message is shown, and the row chosen is wholly in
// view. Fyne's own table keys moved a cell that Space then chose, and
// left row 0 under the header (fyne-io/fyne#6505) when reached from below.
func TestReconcileScreenKeysChooseDistricts(t *testing.T) {
	f := newReconcileFixture(t)
	f.s.win.Resize(fyne.NewSize(1260, 560))
	snap := reconcile.Snapshot{AsOf: reconciletest.AsOf}
	export := "MIS2000 ID,Last Name,First Name,Birth Date,QAD,District\n"
	for i := 1; i <= 30; i++ {
		n := fmt.Sprintf("%03d", i)
		snap.Districts = append(snap.Districts, data.District{Number: n, Name: "District " + n, RegionCode: "C"})
		export += fmt.Sprintf("%d,Doe,Jan,01/02/2012,09/01/2025,%s\n", 10000000+i, n)
	}
	f.s.st = snapshotStub{snap: snap}
	f.opener.path = filepath.Join(t.TempDir(), "mis2000.csv")
	if err := os.WriteFile(f.opener.path, []byte(export), 0o600); err != nil {
		t.Fatal(err)
	}
	f.compareAsOf(reconciletest.AsOf.US())
	f.s.win.Canvas().Focus(f.s.table)
	press := func(k fyne.KeyName, times int) {
		for range times {
			f.s.table.TypedKey(&fyne.KeyEvent{Name: k})
		}
	}
	for _, step := range []struct {
		key   fyne.KeyName
		times int
		want  string // the district chosen, "" for the totals
	}{
		{fyne.KeyDown, 12, "013"},
		{fyne.KeyUp, 1, "012"},
		{fyne.KeyUp, 11, "001"},
		{fyne.KeyEnd, 1, ""},
		{fyne.KeyPageUp, 1, "021"},
		{fyne.KeyHome, 1, "001"},
		{fyne.KeyPageDown, 2, "021"},
		{fyne.KeyUp, 20, "001"},
	} {
		press(step.key, step.times)
		label, title := "Total", ""
		if step.want != "" {
			label, title = step.want+" District "+step.want, "Message to "+step.want+" District "+step.want
		}
		if f.s.msgTitle.Text != title {
			t.Fatalf("after %s ×%d: %q shown, want %q", step.key, step.times, f.s.msgTitle.Text, title)
		}
		if step.want == "" {
			continue
		}
		if shown := f.districtsShown(); !slices.Contains(shown, label) {
			t.Errorf("after %s ×%d: %s is not wholly in view: %q", step.key, step.times, label, shown)
		}
	}
}

// An export saved by Excel as "CSV (Comma delimited)" is Windows-1252:
// the workbook and the command line say it was read so, and the screen
// did not, though a clerk seeing an accent read wrong looks there first.
func TestReconcileScreenSaysAnExportWasWindows1252(t *testing.T) {
	f := newReconcileFixture(t)
	f.opener.path = reconciletest.Windows1252Export(t, "mis2000.csv")
	f.compareAsOf("11/03/2025")
	if !strings.HasPrefix(f.s.notes.Text, "As of 11/03/2025: 11 rows of mis2000.csv compared, 13 discrepancies. Read as Windows-1252 (not UTF-8)") {
		t.Errorf("the notes do not say the export was read as Windows-1252:\n%s", f.s.notes.Text)
	}
	if f.s.result == nil || !strings.Contains(f.s.result.Message(data.District{Number: "002", Name: "Barren County"}, ""), "Núñez") {
		t.Error("the export's accents were not read")
	}
}

// A click on a district gives the summary the keyboard, for Up and Down
// to go on from it. widget.Table focuses itself in the canvas its driver
// finds for its own pointer: the app's driver has none for a table
// another widget extends, and Fyne's test driver answers the window made
// last, here another one, so the keys stayed where they were.
func TestReconcileScreenClickGivesTheSummaryTheKeys(t *testing.T) {
	f := newReconcileFixture(t)
	f.compareAsOf("11/03/2025")
	other := fyne.CurrentApp().NewWindow("Another window")
	t.Cleanup(other.Close)
	c := f.s.win.Canvas()
	c.Focus(f.s.pickBtn)
	// Row 1, below the header row and row 0.
	test.TapAt(f.s.table, fyne.NewPos(50, 2.5*f.s.table.CreateCell().MinSize().Height+3*theme.Padding()))
	if c.Focused() != f.s.table {
		t.Fatalf("after a click on the summary (%q), the keys are with %T", f.s.msgTitle.Text, c.Focused())
	}
	chosen := f.s.msgTitle.Text
	f.s.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	if chosen != "Message to 002 Barren County" || f.s.msgTitle.Text != "Message to 001 Adair County" {
		t.Errorf("clicked %q, then Up: %q", chosen, f.s.msgTitle.Text)
	}
}

// After a comparison of a region of thirty districts, the summary shows
// six districts or more, in whole rows, beside the message of the one
// chosen, in whole lines: the summary over the message showed two
// districts and two lines of the message in the first window, and the
// clerk dragged the divider to read either. Checked in the first window,
// at 1366×768 and on a 1280×720 screen; at 150% (900×430) the notes leave
// the summary less than a row, and only the message is checked.
func TestReconcileShowsDistrictsBesideTheMessage(t *testing.T) {
	u, s, finish := reconcileInApp(t)
	tap(t, u, "Choose the MIS2000 export…")
	finish()
	if s.result == nil {
		t.Fatalf("no comparison: %q %q", s.msgTitle.Text, s.message.Text)
	}
	// A region of thirty districts, read with rows left out: the two
	// lines of notes the demo export has.
	r := &report.Reconciliation{Result: &reconcile.Result{AsOf: s.result.AsOf, Compared: 300, OutOfRegion: 4},
		Source: s.result.Source}
	for i := range 30 {
		d := data.District{Number: fmt.Sprintf("%03d", 100+i), Name: fmt.Sprintf("District %d", i)}
		r.Summary = append(r.Summary, reconcile.DistrictCount{District: d, Total: 1})
	}
	s.compared(r, nil)
	if !strings.Contains(s.notes.Text, "\n") {
		t.Fatalf("the notes are one line: %q", s.notes.Text)
	}
	pad := theme.Padding()
	header := s.table.CreateHeader().MinSize().Height
	stride := max(summaryCell().MinSize().Height, header) + pad
	first, line := lineMetrics()
	var msgScroll fyne.CanvasObject
	for _, o := range walk(s.obj) {
		if sc, ok := o.(*container.Scroll); ok && sc.Content == s.message {
			msgScroll = sc
		}
	}
	if msgScroll == nil {
		t.Fatal("the message is in no scroll")
	}
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject
	laptop1280 := fyne.NewSize(1280, 641) // 1280×720 less a title bar and a taskbar
	for _, size := range []fyne.Size{firstSize, screenSize, laptop1280, smallScreen} {
		u.win.Resize(size)
		h := msgScroll.Size().Height
		lines := (h - first) / line
		if h < first || !whole(lines) {
			t.Errorf("at %v the message shows %.2f lines: its last one cut", size, 1+lines)
		}
		if size == smallScreen {
			continue
		}
		shown := (s.table.Size().Height - header + pad) / stride
		switch {
		case !whole(shown):
			t.Errorf("at %v the summary shows %.2f rows: its last one cut", size, shown)
		case shown < 6:
			t.Errorf("at %v the summary shows %.0f districts of %d", size, shown, len(r.Summary))
		}
		if 1+lines < 8 {
			t.Errorf("at %v the message shows %.0f lines", size, 1+lines)
		}
		table, msg := abs(s.table), abs(msgScroll)
		if msg.X < table.X+s.table.Size().Width || msg.Y > table.Y+s.table.Size().Height {
			t.Errorf("at %v the message (at %v) is not beside the summary (at %v, %v)", size, msg, table, s.table.Size())
		}
		// The district and its total stay in view beside the categories.
		if w := s.table.Size().Width; w < 220+60 {
			t.Errorf("at %v the summary is %.0f px wide: the district and its total do not fit", size, w)
		}
	}
}

// whole reports whether n is a whole number, give or take rounding.
func whole(n float32) bool { return math.Abs(float64(n)-math.Round(float64(n))) < 0.01 }

// The notes over the summary say the rows compared once: a line of
// "Rows: 104 compared" under the first line's "104 rows … compared" is
// a district less in view. Rows left out still have their line.
func TestReconcileNotesSayTheRowsOnce(t *testing.T) {
	r := &report.Reconciliation{Result: &reconcile.Result{AsOf: data.NewDate(2026, 11, 3), Compared: 104},
		Source: &importer.MIS2000File{File: "mis2000.csv"}}
	if got := summaryText(r); got != "As of 11/03/2026: 104 rows of mis2000.csv compared, 0 discrepancies." {
		t.Errorf("the notes of an export compared whole:\n%s", got)
	}
	r.OutOfRegion = 2
	if got := summaryText(r); !strings.Contains(got, "\nRows: 104 compared; 2 left out, from districts of other regions") {
		t.Errorf("the notes of an export with rows left out:\n%s", got)
	}
}

// Esc closes the dialog that chooses the MIS2000 export, as it closes
// every other dialog: the reconciliation showed it past the window's
// dialogs, and Esc did nothing.
func TestEscClosesTheChoiceOfTheExport(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	u.showReconcile()
	tap(t, u, "Choose the MIS2000 export…")
	c := u.win.Canvas()
	if c.Overlays().Top() == nil {
		t.Fatal("no dialog to choose the export")
	}
	c.Unfocus()
	key(u, fyne.KeyEscape)
	if c.Overlays().Top() != nil {
		t.Error("Esc left the dialog choosing the export open")
	}
}

// The export can be named from the keyboard: its path typed or pasted
// (with the quotes and spaces Windows's Copy as path and a careless paste
// bring) in a field beside Choose, and Enter compares it. Fyne's open
// dialog takes no typed name, and a clerk without the mouse could not
// compare at all.
func TestExportPathCanBeTypedOrPasted(t *testing.T) {
	f := newReconcileFixture(t)
	var field *widgets.Entry
	for _, o := range walk(f.s.obj) {
		if e, ok := o.(*widgets.Entry); ok && e != f.s.asOf {
			field = e
		}
	}
	if field == nil {
		t.Fatal("no field to type the export's path in")
	}
	test.Type(field, `  "`+reconciletest.Export()+`" `)
	field.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	f.settle()
	if f.s.result == nil {
		t.Fatalf("Enter in the path compared nothing: %q", f.s.message.Text)
	}
}

// A region of a long name leaves the screen narrow enough for a small
// laptop at 150%: the scope gives way to Save on the heading line.
func TestReconcileFitsASmallScreenWithALongRegionName(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(theme.DefaultTheme()) // the theme the app runs with, not the test theme
	clerk := data.User{Username: "clerk1", FullName: reconciletest.Clerk, Role: data.RoleClerk, RegionCode: "E"}
	names := map[string]string{"E": "Big Sandy and Eastern Kentucky Cooperative"}
	s := newReconcileScreen(nil, a.NewWindow("Migrant Desk"), clerk, names, func(f func()) { f() })
	if need := s.obj.MinSize().Width; need > smallScreen.Width {
		t.Errorf("the reconciliation screen of the %s needs %.0f wide, more than a small laptop at 150%% leaves (%.0f)",
			names["E"], need, smallScreen.Width)
	}
}

// A comparison under way shows nothing of the one before: the refusal
// of the last file stayed in the message pane, under "The export could
// not be compared", while the next file was read (a clerk took it for
// that file's), and a summary stayed beside a Cancel that then said
// nothing was compared, with Save saving the last file's comparison.
func TestReconcileScreenClearsTheLastComparisonWhileComparing(t *testing.T) {
	f := newReconcileFixture(t)
	s := f.s
	held := &heldStore{ReconcileStore: f.st}
	s.st = held
	good := f.opener.path
	f.opener.path = filepath.Join(t.TempDir(), "students.csv")
	if err := os.WriteFile(f.opener.path, []byte("state_id,last_name,first_name,birth_date\n0123456789,Díaz,Carla,2012-05-05\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.compareAsOf("11/03/2025")
	if s.msgTitle.Text != "The export could not be compared" {
		t.Fatalf("students.csv: %q %q", s.msgTitle.Text, s.message.Text)
	}
	f.opener.path = good
	for _, then := range []string{"refused", "compared"} {
		held.hold = true
		test.Tap(s.pickBtn)
		if s.msgTitle.Text != "" || s.message.Text != "Comparing mis2000.csv with the records as of 11/03/2025…" ||
			len(f.rows()) != 0 || !s.saveBtn.Disabled() || s.notes.Visible() {
			t.Errorf("after a file %s, while comparing: %q %q, rows %q, Save disabled %v", then,
				s.msgTitle.Text, s.message.Text, f.rows(), s.saveBtn.Disabled())
		}
		s.cancel()
		f.settle()
		if s.result != nil || s.message.Text != reconcileIntro || s.status.Text != "Cancelled: nothing was compared." {
			t.Errorf("after a file %s, cancelled: %q, status %q", then, s.message.Text, s.status.Text)
		}
		held.hold = false
		f.tap(s.pickBtn)
		if s.result == nil {
			t.Fatalf("after a file %s: not compared: %q", then, s.message.Text)
		}
	}
}

// heldStore holds a comparison at the records, until it is cancelled,
// while hold is set.
type heldStore struct {
	ReconcileStore
	hold bool
}

func (h *heldStore) ReconcileSnapshot(ctx context.Context, rows []data.MIS2000Row, day data.Date) (*reconcile.Snapshot, error) {
	if h.hold {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return h.ReconcileStore.ReconcileSnapshot(ctx, rows, day)
}
