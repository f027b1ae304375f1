package gui

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/xuri/excelize/v2"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
	"migrantdesk/report"
)

// tempSaver stands for the save dialog: it answers a file of the
// suggested name in dir, or cancels when dir is "", and keeps the
// requests it was given.
type tempSaver struct {
	dir  string
	asks *[]widgets.SaveRequest
}

func (s tempSaver) SaveAs(req widgets.SaveRequest, done func(path string)) {
	if s.asks != nil {
		*s.asks = append(*s.asks, req)
	}
	if s.dir == "" {
		done("")
		return
	}
	done(filepath.Join(s.dir, req.Name))
}

// tapReport taps an export button and waits for the report to be made.
func tapReport(t *testing.T, u *UI, w *districtWindow, b *widgets.Button) {
	t.Helper()
	u.wait() // the period's counts
	if b.Disabled() {
		t.Fatalf("%q is disabled: %q %q", b.Text, w.report.summary.Text, w.report.counts.Text)
	}
	test.Tap(b)
	u.wait()
}

// exports are the export rows of the audit log, oldest first.
func exports(t *testing.T, st *store.Store) (users []string, rows []store.ExportAudit) {
	t.Helper()
	entries, err := st.Audit(context.Background(), "report", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range slices.Backward(entries) {
		var x store.ExportAudit
		if err := json.Unmarshal([]byte(e.After), &x); err != nil {
			t.Fatalf("audit row %q: %v", e.After, err)
		}
		users = append(users, e.User+" "+e.Action)
		rows = append(rows, x)
	}
	return users, rows
}

func TestReportWithoutGrantSaysWhomToAsk(t *testing.T) {
	st := districtFixture(t)
	_, w := openDistrictWindow(t, st, rosa, "001")
	w.tabs.SelectIndex(2)
	if w.report.allowed() {
		t.Fatal("a coordinator without the grant gets the report controls")
	}
	want := "Access to the QA Migrant report for 001 Adair County has not been granted to you. " +
		"Ask your district administrator, Ana Torres (ana.torres@adair.example), to grant it."
	if got := labelTexts(w.report.obj); !slices.Contains(got, want) {
		t.Errorf("the report screen says %q, want %q", got, want)
	}
	for _, text := range []string{"Save Detail report (Excel)…", "Save Aggregated report (PDF)…"} {
		if findButton(w.win.Canvas(), text) != nil {
			t.Errorf("%q is on screen without access", text)
		}
	}
	// The records are still there, and so is the description of the report.
	if len(w.records.shown) != 4 {
		t.Errorf("%d records shown", len(w.records.shown))
	}
	intro := introText(w)
	for _, want := range []string{report.Exclusions, "contains personally identifiable information (PII)",
		"Detail report (Excel)", "Aggregated report (PDF)", "audit log"} {
		if !strings.Contains(intro, want) {
			t.Errorf("the landing text does not say %q", want)
		}
	}
}

// introText is the landing text of the report screen, bullets included.
func introText(w *districtWindow) string {
	var b strings.Builder
	var add func(segs []widget.RichTextSegment)
	add = func(segs []widget.RichTextSegment) {
		for _, s := range segs {
			switch s := s.(type) {
			case *widget.ListSegment:
				add(s.Items)
			case *widget.ParagraphSegment:
				add(s.Texts)
			default:
				b.WriteString(s.Textual())
			}
		}
	}
	for _, o := range walk(w.report.obj) {
		if rt, ok := o.(*widget.RichText); ok {
			add(rt.Segments)
		}
	}
	return b.String()
}

func TestReportDetailFromTheScreen(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, tom, "001")
	dir := t.TempDir()
	var asks []widgets.SaveRequest
	w.report.saver = tempSaver{dir: dir, asks: &asks}
	r := w.report
	if !r.allowed() {
		t.Fatal("a coordinator with the grant has no report controls")
	}
	var opened []string
	r.open = func(path string) error {
		opened = append(opened, path)
		return nil
	}

	// The presets, as of 03/01/2026.
	want := []string{"Current school year 2025–26 (08/01/2025 – 06/30/2026)", "Previous school year 2024–25 (08/01/2024 – 06/30/2025)", "Custom dates"}
	if !slices.Equal(r.period.Options, want) || r.period.Selected != want[0] {
		t.Errorf("period choices %q (%q chosen), want %q", r.period.Options, r.period.Selected, want)
	}
	if r.custom.Visible() {
		t.Error("the custom dates show for a preset")
	}
	r.period.SetSelected(want[1])
	u.wait() // the period's counts
	if r.summary.Text != "The report covers 08/01/2024 – 06/30/2025: 334 days." {
		t.Errorf("summary %q", r.summary.Text)
	}

	// A password typed twice differently blocks the Detail report only.
	test.Type(r.password, "s3cret")
	if r.passwordErr.Text != "Type the password a second time to confirm it." || !r.detailBtn.Disabled() {
		t.Errorf("password error %q, Detail disabled %v", r.passwordErr.Text, r.detailBtn.Disabled())
	}
	test.Type(r.confirm, "s3crex")
	if r.passwordErr.Text != "The two passwords differ." || !r.detailBtn.Disabled() || r.aggBtn.Disabled() {
		t.Errorf("password error %q, Detail disabled %v, Aggregated disabled %v", r.passwordErr.Text, r.detailBtn.Disabled(), r.aggBtn.Disabled())
	}
	// Pasted with the line end of a copied cell into both, which no one
	// can type where Excel asks for the password, it blocks the Detail
	// report too: the workbook would never open.
	r.password.SetText("s3cret\r ")
	r.confirm.SetText("s3cret\r ")
	if !strings.HasPrefix(r.passwordErr.Text, "Character 7 of the password is a control character (U+000D), pasted with it") ||
		!r.detailBtn.Disabled() {
		t.Errorf("password error %q, Detail disabled %v", r.passwordErr.Text, r.detailBtn.Disabled())
	}
	retype(r.password, "s3cret")
	retype(r.confirm, "s3cret")
	if r.passwordErr.Visible() {
		t.Errorf("password error %q for equal passwords", r.passwordErr.Text)
	}

	tapReport(t, u, w, r.detailBtn)
	name := "QA Migrant detail 001 2024-08-01 to 2025-06-30.xlsx"
	if len(asks) != 1 || asks[0].Name != name || asks[0].Ext != ".xlsx" || asks[0].Win != w.win {
		t.Fatalf("save dialog asked %+v", asks)
	}
	path := filepath.Join(dir, name)
	if _, err := excelize.OpenFile(path); err == nil {
		t.Error("the workbook opens without its password")
	}
	f, err := excelize.OpenFile(path, excelize.Options{Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(report.DetailSheet)
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(report.DetailColumns[:], name) }
	var got []string
	for _, row := range rows[1:] {
		got = append(got, strings.Join([]string{row[col("Last Name")], row[col("School Name")], row[col("MIS2000 ID")],
			row[col("Last Qualifying Arrival Date")], row[col("Eligibility Expiration Date")]}, "|"))
	}
	// Sean (private school) is left out; María's row has the record of
	// that year.
	wantRows := []string{
		"García López|Adair Elementary|004500001|08/15/2024|12/31/2024",
		"Núñez|Adair Elementary|004500004|09/01/2024|08/31/2027",
	}
	if !slices.Equal(got, wantRows) {
		t.Errorf("workbook rows %q, want %q", got, wantRows)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the workbook holds PII and is readable by others: %v %v", fi.Mode(), err)
	}

	// The export is in the audit log.
	users, audits := exports(t, st)
	wantAudit := store.ExportAudit{Report: "QA Migrant detail", District: "001", Period: "2024-08-01/2025-06-30", Rows: 2, File: path,
		Encrypted: true, Encryption: report.DetailEncryption, Stage: store.ExportStarted}
	done := wantAudit
	done.Stage = store.ExportCompleted
	if !slices.Equal(users, []string{"tbaker export", "tbaker export"}) || audits[0] != wantAudit || audits[1] != done {
		t.Errorf("audit %q %+v, want %+v", users, audits, wantAudit)
	}
	// The user is told, and may open the file.
	if w.message.Text != "Saved the Detail report (Excel) (2 rows) to "+path+"." {
		t.Errorf("message %q", w.message.Text)
	}
	if !slices.Contains(labelTexts(w.win.Canvas().Overlays().Top()),
		"The Detail report (Excel) of 001 Adair County for 08/01/2024 – 06/30/2025, 2 rows, is saved to:\n"+path+
			"\n\nIt opens only with the password you typed. The export is recorded in the audit log.") {
		t.Errorf("the saved dialog says %q", labelTexts(w.win.Canvas().Overlays().Top()))
	}
	tapIn(t, u, w, "Open the file")
	if w.dialogs.Open() || !slices.Equal(opened, []string{path}) {
		t.Errorf("after Open the file: dialog open %v, opened %q", w.dialogs.Open(), opened)
	}
	if got := fileURL(path).String(); got != "file://"+strings.ReplaceAll(path, " ", "%20") {
		t.Errorf("file URL %q", got)
	}

	// The folder is remembered for the next save.
	if got := u.app.Preferences().String(prefReportFolder); got != dir {
		t.Errorf("remembered folder %q, want %q", got, dir)
	}
	tapReport(t, u, w, r.aggBtn)
	if len(asks) != 2 || asks[1].Dir != dir {
		t.Errorf("the second save starts in %q, want %q", asks[1].Dir, dir)
	}
}

func TestReportAggregatedWithCustomDates(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, admin, "001")
	dir := t.TempDir()
	w.report.saver = tempSaver{dir: dir}
	r := w.report
	r.period.SetSelected("Custom dates")
	if !r.custom.Visible() {
		t.Fatal("the custom dates do not show")
	}
	// Errors show beside the field while typing.
	retype(r.from, "13/01/2025")
	if r.fromErr.Text != `"13/01/2025" is not a valid date: month 13 is not between 1 and 12.` || !r.aggBtn.Disabled() {
		t.Errorf("From error %q, Aggregated disabled %v", r.fromErr.Text, r.aggBtn.Disabled())
	}
	retype(r.from, "08/01/2025")
	retype(r.to, "07/31/2025")
	if r.fromErr.Visible() || r.periodErr.Text != "The period starts (08/01/2025) after it ends (07/31/2025)." || !r.aggBtn.Disabled() {
		t.Errorf("From error %q, period error %q, Aggregated disabled %v", r.fromErr.Text, r.periodErr.Text, r.aggBtn.Disabled())
	}
	retype(r.to, "")
	if r.periodErr.Visible() || r.toErr.Visible() || !r.aggBtn.Disabled() ||
		r.summary.Text != "Type the first and the last day of the period, as MM/DD/YYYY." {
		t.Errorf("empty To: errors %q %q, summary %q", r.periodErr.Text, r.toErr.Text, r.summary.Text)
	}
	retype(r.to, "6/30/2026")
	if r.periodErr.Visible() || r.summary.Text != "The report covers 08/01/2025 – 06/30/2026: 334 days." {
		t.Errorf("period error %q, summary %q", r.periodErr.Text, r.summary.Text)
	}

	tapReport(t, u, w, r.aggBtn)
	path := filepath.Join(dir, "QA Migrant aggregated 001 2025-08-01 to 2026-06-30.pdf")
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(b), "%PDF-") {
		t.Fatalf("no PDF at %s: %v", path, err)
	}
	users, audits := exports(t, st)
	want := store.ExportAudit{Report: "QA Migrant aggregated", District: "001", Period: "2025-08-01/2026-06-30", Rows: 2, File: path,
		Stage: store.ExportStarted}
	done := want
	done.Stage = store.ExportCompleted
	if !slices.Equal(users, []string{"atorres export", "atorres export"}) || audits[0] != want || audits[1] != done {
		t.Errorf("audit %q %+v, want %+v", users, audits, want)
	}
	if w.message.Text != "Saved the Aggregated report (PDF) (2 students) to "+path+"." {
		t.Errorf("message %q", w.message.Text)
	}
	if w.message.Importance != widget.SuccessImportance {
		t.Errorf("%q is shown with importance %v", w.message.Text, w.message.Importance)
	}
}

func TestReportCancel(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, admin, "001")
	dir := t.TempDir()
	r := w.report

	// Cancelling the save dialog saves nothing.
	w.report.saver = tempSaver{}
	tapReport(t, u, w, r.detailBtn)
	if w.message.Text != "Nothing was saved." || r.running.Visible() || r.detailBtn.Disabled() {
		t.Errorf("after cancelling the dialog: %q, running %v", w.message.Text, r.running.Visible())
	}
	if w.message.Importance != widget.MediumImportance {
		t.Errorf("%q is shown with importance %v, as if something had succeeded", w.message.Text, w.message.Importance)
	}

	// A report being made stops on Cancel: no file, no audit row.
	w.report.saver = tempSaver{dir: dir}
	started := make(chan struct{})
	r.build = func(ctx context.Context, user data.User, district string, p data.Period) (*report.QA, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	test.Tap(r.detailBtn)
	<-started
	if !r.running.Visible() || !r.detailBtn.Disabled() || !r.aggBtn.Disabled() || r.cancelBtn.Disabled() {
		t.Errorf("while running: progress shown %v, Detail disabled %v, Cancel disabled %v",
			r.running.Visible(), r.detailBtn.Disabled(), r.cancelBtn.Disabled())
	}
	if !strings.HasPrefix(r.stage.Text, "Reading the records of 001 Adair County") {
		t.Errorf("stage %q", r.stage.Text)
	}
	test.Tap(r.cancelBtn)
	u.wait()
	if w.message.Text != "Cancelled: no file was saved." || r.running.Visible() || r.detailBtn.Disabled() {
		t.Errorf("after Cancel: %q, running %v, Detail disabled %v", w.message.Text, r.running.Visible(), r.detailBtn.Disabled())
	}
	if w.message.Importance != widget.MediumImportance {
		t.Errorf("%q is shown with importance %v, as if something had succeeded", w.message.Text, w.message.Importance)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("a cancelled report left %v", files)
	}
	if users, _ := exports(t, st); len(users) != 0 {
		t.Errorf("a cancelled report is in the audit log: %q", users)
	}

	// Closing the window cancels too.
	started = make(chan struct{})
	test.Tap(r.aggBtn)
	<-started
	w.win.Close()
	u.wait()
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("a report cancelled by closing the window left %v", files)
	}
}

// TestReportCountsBeforeSaving: choosing a period shows what each export
// will hold; a period with nobody says so and offers no export.
func TestReportCountsBeforeSaving(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, admin, "001")
	r := w.report
	r.period.SetSelected(r.choices[periodPrevious])
	u.wait()
	want := "The Detail report (Excel) will hold 2 rows (one per qualifying enrollment) of 2 students; the Aggregated report (PDF) counts 2 students."
	if r.counts.Text != want || r.detailBtn.Disabled() || r.aggBtn.Disabled() {
		t.Errorf("counts %q (Detail disabled %v, Aggregated %v), want %q", r.counts.Text, r.detailBtn.Disabled(), r.aggBtn.Disabled(), want)
	}

	// Custom dates have the calendar; a period before any record holds
	// nobody.
	r.period.SetSelected("Custom dates")
	r.fromDate.PickDate()
	if !r.fromDate.CalendarShown() {
		t.Error("the From date has no calendar")
	}
	w.dialogs.CloseTop()
	retype(r.from, "01/01/2020")
	retype(r.to, "06/30/2020")
	if !r.detailBtn.Disabled() || !r.aggBtn.Disabled() {
		t.Error("the exports are offered before the new period is counted")
	}
	u.wait()
	if !strings.HasPrefix(r.counts.Text, "No student of 001 Adair County is in the report for 01/01/2020 – 06/30/2020") ||
		!strings.HasSuffix(r.counts.Text, "There is nothing to export.") || !r.detailBtn.Disabled() || !r.aggBtn.Disabled() {
		t.Errorf("empty period: %q, Detail disabled %v, Aggregated %v", r.counts.Text, r.detailBtn.Disabled(), r.aggBtn.Disabled())
	}
}

// TestReportOpenFileSaysWhy: when nothing opens the saved file, the user
// is told why and where the file is.
func TestReportOpenFileSaysWhy(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, admin, "001")
	dir := t.TempDir()
	w.report.saver = tempSaver{dir: dir}
	// A stand-in for xdg-open on a computer with no program for
	// workbooks: it says so and exits 3, as xdg-open does.
	opener := filepath.Join(dir, "fake-open")
	script := "#!/bin/sh\necho \"xdg-open: no method available for opening '$1'\" >&2\nexit 3\n"
	if err := os.WriteFile(opener, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	w.report.open = func(path string) error { return xdgOpen(context.Background(), opener, path, 5*time.Second) }
	tapReport(t, u, w, w.report.aggBtn)
	tapIn(t, u, w, "Open the file")
	got := strings.Join(labelTexts(w.win.Canvas().Overlays().Top()), " ")
	for _, want := range []string{"The file could not be opened", "No program on this computer is set to open PDF files",
		"fake-open said: xdg-open: no method available for opening", "open it from its folder, " + dir} {
		if !strings.Contains(got, want) {
			t.Errorf("the error says %q, without %q", got, want)
		}
	}
	if err := xdgOpen(context.Background(), filepath.Join(dir, "no-such-opener"), "/tmp/x.pdf", time.Second); err == nil ||
		!strings.Contains(err.Error(), "this computer has no "+dir+"/no-such-opener to open files with") {
		t.Errorf("a missing opener: %v", err)
	}
}

// At 1366×768, and in the first window (1260×630), both exports' buttons
// are in view without scrolling the report's column, for a school year
// and for custom dates: "Save Aggregated report (PDF)…" was once 45 px
// below the column's fold, with the intro's column beside it half empty,
// and in the first window the custom dates, a line of their own, pushed
// it 30 px below.
func TestReportActionsVisibleAt1366x768(t *testing.T) {
	st := districtFixture(t)
	_, w := openDistrictWindow(t, st, admin, "001")
	w.tabs.SelectIndex(2)
	r := w.report
	if !r.allowed() {
		t.Fatal("the district administrator may not run the report")
	}
	for _, size := range []fyne.Size{screenSize, firstSize} {
		w.win.Resize(size)
		for _, choice := range []int{periodCurrent, periodCustom} {
			r.period.SetSelected(r.choices[choice])
			w.win.Content().Refresh() // lays the column out again with the dates shown or hidden
			for _, btn := range []*widgets.Button{r.detailBtn, r.aggBtn} {
				y, ok := offsetIn(r.sideScroll.Content, btn)
				if !ok {
					t.Fatalf("%q is not in the report's column", btn.Text)
				}
				if bottom := y + btn.Size().Height - r.sideScroll.Offset.Y; bottom > r.sideScroll.Size().Height {
					t.Errorf("%s: in a window of %v %q is %.0f px below the visible part of the report's column (%.0f px tall)",
						r.choices[choice], size, btn.Text, bottom-r.sideScroll.Size().Height, r.sideScroll.Size().Height)
				}
			}
		}
	}
}

// offsetIn is how far down in the containers under root o is.
func offsetIn(root, o fyne.CanvasObject) (float32, bool) {
	if root == o {
		return 0, true
	}
	if c, ok := root.(*fyne.Container); ok {
		for _, ch := range c.Objects {
			if y, ok := offsetIn(ch, o); ok {
				return ch.Position().Y + y, true
			}
		}
	}
	return 0, false
}

// TestReportPasswordEnter: the keyboard finishes what it starts. Enter in
// the password goes to its confirmation; Enter there saves the Detail
// report once the two agree, and saves nothing while they differ.
func TestReportPasswordEnter(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, tom, "001")
	var asks []widgets.SaveRequest
	w.report.saver = tempSaver{dir: t.TempDir(), asks: &asks}
	r := w.report
	w.tabs.SelectIndex(2)
	u.wait() // the access and the period's counts
	w.win.Canvas().Focus(r.password)
	test.Type(r.password, "s3cret")
	r.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if w.win.Canvas().Focused() != r.confirm {
		t.Error("Enter in the password did not move the keyboard to its confirmation")
	}
	test.Type(r.confirm, "s3crex")
	r.confirm.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	if len(asks) != 0 {
		t.Fatalf("Enter with two different passwords asked where to save: %+v", asks)
	}
	retype(r.confirm, "s3cret")
	r.confirm.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	if len(asks) != 1 || !strings.HasPrefix(asks[0].Name, "QA Migrant detail") {
		t.Errorf("Enter in the confirmed password asked %+v, want the Detail report saved", asks)
	}
}

// saverFunc stands for the save dialog with a function.
type saverFunc func(req widgets.SaveRequest, done func(path string))

func (f saverFunc) SaveAs(req widgets.SaveRequest, done func(path string)) { f(req, done) }

// A grant revoked while the save dialog is open (a sync brings the
// revocation, the person picks a file after) leaves the coordinator
// without the report: no Detail workbook is written, nor any export
// audited, and they are told who can grant it again.
func TestReportRevokedWhileSaving(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, tom, "001")
	r := w.report
	if !r.allowed() {
		t.Fatal("a coordinator with the grant has no report controls")
	}
	dir := t.TempDir()
	var path string
	r.saver = saverFunc(func(req widgets.SaveRequest, done func(string)) {
		ctx := context.Background()
		adm, err := st.UserByName(ctx, admin)
		if err == nil {
			err = st.SetReportAccess(ctx, adm, tom, "001", false)
		}
		if err != nil {
			t.Error(err)
		}
		path = filepath.Join(dir, req.Name)
		done(path)
	})
	tapReport(t, u, w, r.detailBtn)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the Detail workbook was written after the grant was revoked: %v", err)
	}
	if users, _ := exports(t, st); len(users) != 0 {
		t.Errorf("exports audited after the grant was revoked: %q", users)
	}
	if w.message.Text != "The Detail report (Excel) was not saved." {
		t.Errorf("message %q", w.message.Text)
	}
	shown := strings.Join(labelTexts(w.win.Canvas().Overlays().Top()), " ")
	if !strings.Contains(shown, "has not been granted to you. Ask your district administrator, Ana Torres") {
		t.Errorf("the error says %q", shown)
	}
	u.wait()
	if r.allowed() || !strings.Contains(r.denied.Text, "Ask your district administrator, Ana Torres") {
		t.Errorf("after the refusal the screen shows the exports %v, or %q", r.allowed(), r.denied.Text)
	}
}

// A period emptied between its count and the export (a sync took the
// district's records) writes nothing, and says so in the words of the
// rule the count and the command line use (data.MayExportReport).
func TestReportEmptiedSinceCountedWritesNothing(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, admin, "001")
	dir := t.TempDir()
	r := w.report
	r.saver = tempSaver{dir: dir}
	u.wait() // the period's counts, with students
	r.build = func(_ context.Context, _ data.User, _ string, p data.Period) (*report.QA, error) {
		return report.New(w.d, p, nil), nil
	}
	tapReport(t, u, w, r.aggBtn)
	p, err := r.selectedPeriod()
	if err != nil {
		t.Fatal(err)
	}
	want := data.MayExportReport(w.d, p, 0).Error()
	if got := strings.Join(texts(w.win.Canvas()), "\n"); !strings.Contains(got, want) {
		t.Errorf("the screen does not say %q:\n%s", want, got)
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("an empty report left %v", files)
	}
	if users, _ := exports(t, st); len(users) != 0 {
		t.Errorf("an empty report is in the audit log: %q", users)
	}
}
