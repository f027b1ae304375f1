package gui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
	"migrantdesk/report"
	"migrantdesk/report/agile"
)

// reportStore is what the report tab asks of the database: whether the
// user may run the report, and to audit an export.
type reportStore interface {
	CanRunReport(ctx context.Context, u data.User, d data.District) (store.ReportAccess, error)
	report.Auditor
}

// reportBuilder reads a district's QA Migrant report for a period, for
// the user who exports it (the New since column).
type reportBuilder func(ctx context.Context, user data.User, district string, p data.Period) (*report.QA, error)

// reportApp is what the report tab asks of the app: where the last report
// was saved, and to open a saved one.
type reportApp interface {
	Preferences() fyne.Preferences
	OpenURL(u *url.URL) error
}

// prefReportFolder is the preference holding the folder a report was last
// saved in, where the next save dialog opens.
const prefReportFolder = "report_folder"

// Period choices.
const (
	periodCurrent = iota
	periodPrevious
	periodCustom
)

// reportScreen is the QA Migrant report of the district: what it is, the
// reporting period, and the two exports. Users without access are told
// whom to ask, and get no way to make it.
type reportScreen struct {
	st         reportStore
	app        reportApp
	tab        districtTab
	saver      widgets.FileSaver
	side       *fyne.Container // the period and exports, or why there are none
	sideScroll *container.Scroll

	presets   [2]data.Period // current and previous school year
	period    *widget.RadioGroup
	choices   []string
	custom    *fyne.Container
	fromDate  *widgets.DateField
	toDate    *widgets.DateField
	from, to  *widgets.Entry // the date fields' entries
	fromErr   *widget.Label
	toErr     *widget.Label
	periodErr *widget.Label
	summary   *widget.Label

	// What each export of the period chosen will hold, counted before
	// anything is saved.
	counts    *widget.Label
	counted   *reportCount       // nil until the period's count is in
	counting  data.Period        // the period being counted, if any
	stopCount context.CancelFunc // stops that count

	password    *widgets.Entry
	confirm     *widgets.Entry
	passwordErr *widget.Label
	detailBtn   *widgets.Button
	aggBtn      *widgets.Button

	running   *fyne.Container
	stage     *widget.Label
	cancelBtn *widgets.Button
	stop      context.CancelFunc // cancels the report being made, if any

	controls fyne.CanvasObject
	denied   *widget.Label
	obj      fyne.CanvasObject

	// build reads the report; tests replace it to hold a report in
	// progress until it is cancelled.
	build reportBuilder
	// open opens a saved file with the program the computer has for it,
	// or says why it could not.
	open func(path string) error
}

// reportCount is how many rows and students a period's report holds.
type reportCount struct {
	period         data.Period
	rows, students int
}

// newReportScreen is the report tab of a district window: st says who may
// run it and audits exports, build reads the report.
func newReportScreen(st reportStore, build reportBuilder, app reportApp, tab districtTab) *reportScreen {
	r := &reportScreen{
		st:          st,
		app:         app,
		tab:         tab,
		saver:       widgets.DefaultSaver(tab.tasks.post),
		side:        container.NewStack(widget.NewLabel("Checking your access to the report…")),
		fromDate:    widgets.NewDateField(tab.dialogs),
		toDate:      widgets.NewDateField(tab.dialogs),
		fromErr:     errorLabel(),
		toErr:       errorLabel(),
		periodErr:   errorLabel(),
		summary:     widget.NewLabel(""),
		counts:      widget.NewLabel(""),
		password:    widgets.NewEntry("Password (optional)"),
		confirm:     widgets.NewEntry("Confirm the password"),
		passwordErr: errorLabel(),
		stage:       widget.NewLabel(""),
		denied:      widget.NewLabel(""),
		build:       build,
	}
	r.open = func(path string) error { return openFile(app, path) }
	r.from, r.to = r.fromDate.Entry, r.toDate.Entry
	cur := data.SchoolYearOf(tab.today)
	r.presets = [2]data.Period{cur, data.SchoolYear(cur.From.Year() - 1)}
	r.choices = []string{
		fmt.Sprintf("Current school year %s", schoolYearText(r.presets[0])),
		fmt.Sprintf("Previous school year %s", schoolYearText(r.presets[1])),
		"Custom dates",
	}
	r.period = widget.NewRadioGroup(r.choices, nil)
	r.period.Required = true
	r.period.SetSelected(r.choices[periodCurrent])
	r.from.SetText(r.presets[0].From.US())
	r.to.SetText(r.presets[0].To.US())
	r.password.Password = true
	r.confirm.Password = true
	r.summary.Wrapping = fyne.TextWrapWord
	// The stage names the district and the file: a long one widened the
	// window past the screen while a report was made.
	r.stage.Truncation = fyne.TextTruncateEllipsis
	r.counts.Wrapping = fyne.TextWrapWord
	r.denied.Wrapping = fyne.TextWrapWord
	r.denied.Importance = widget.WarningImportance

	r.custom = container.NewGridWithColumns(2,
		inlineField("From", r.from, r.fromErr), inlineField("To", r.to, r.toErr))
	// The dates on the line of "Custom dates", not a line of their own:
	// in the first window (1260×630) that line put "Save Aggregated
	// report (PDF)…" below the column's fold.
	period := container.New(lastChoiceFields{indent: widget.NewRadioGroup(r.choices[periodCustom:], nil).MinSize().Width},
		r.period, r.custom)
	r.detailBtn = widgets.NewButtonWithIcon("Save "+report.DetailKind.Title+"…", theme.DocumentSaveIcon(), func() { r.export(report.DetailKind) })
	r.detailBtn.Importance = widget.HighImportance
	r.aggBtn = widgets.NewButtonWithIcon("Save "+report.AggregatedKind.Title+"…", theme.DocumentSaveIcon(), func() { r.export(report.AggregatedKind) })
	r.aggBtn.Importance = widget.HighImportance
	r.cancelBtn = widgets.NewButtonWithIcon("Cancel", theme.CancelIcon(), r.cancel)
	r.running = container.NewVBox(widget.NewProgressBarInfinite(), border(nil, nil, nil, r.cancelBtn, r.stage))
	r.running.Hide()

	r.controls = container.NewVBox(
		heading("Reporting period"), period, r.periodErr, r.summary, r.counts,
		widget.NewSeparator(),
		heading(report.DetailKind.Title+": contains PII"),
		wrapped("One row per qualifying enrollment. A password is optional: with one, Excel and LibreOffice "+
			"ask for it before opening the file. Use one whenever the file may leave this computer."),
		border(nil, nil, nil, r.detailBtn, container.NewGridWithColumns(2, r.password, r.confirm)),
		r.passwordErr,
		widget.NewSeparator(),
		border(nil, nil, nil, r.aggBtn, heading(report.AggregatedKind.Title+": no PII")),
		wrapped("Unduplicated counts by grade, gender, race/ethnicity, student group and school, to check "+
			"the School Report Card counts."),
		r.running)
	r.period.OnChanged = func(string) { r.check() }
	for _, e := range []*widgets.Entry{r.from, r.to, r.password, r.confirm} {
		e.OnChanged = func(string) { r.check() }
	}
	// Enter finishes what the keyboard started: the password, its
	// confirmation, then the Detail report while the two agree.
	r.password.OnSubmitted = func(string) { r.tab.dialogs.Window().Canvas().Focus(r.confirm) }
	r.confirm.OnSubmitted = func(string) {
		if !r.detailBtn.Disabled() {
			r.export(report.DetailKind)
		}
	}
	r.check()

	intro := widget.NewRichTextFromMarkdown(reportIntro())
	intro.Wrapping = fyne.TextWrapWord
	landing := container.NewVBox(intro, wrapped(auditNote))
	r.sideScroll = container.NewVScroll(r.side)
	r.obj = container.New(halves{}, container.NewVScroll(landing), r.sideScroll)
	return r
}

// lastChoiceFields lays out a vertical radio group and, when shown, the
// fields of its last choice on that choice's line, indent from the left,
// past the choice's text.
type lastChoiceFields struct{ indent float32 }

// lastLine is where the last choice's line starts, in a group as high as h.
func lastLine(group fyne.CanvasObject, h float32) float32 {
	n := max(len(group.(*widget.RadioGroup).Options), 1)
	return h - h/float32(n)
}

func (l lastChoiceFields) MinSize(objs []fyne.CanvasObject) fyne.Size {
	group, fields := objs[0].MinSize(), objs[1]
	if !fields.Visible() {
		return group
	}
	f := fields.MinSize()
	return fyne.NewSize(max(group.Width, l.indent+f.Width), max(group.Height, lastLine(objs[0], group.Height)+f.Height))
}

func (l lastChoiceFields) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	group, fields := objs[0], objs[1]
	h := group.MinSize().Height
	group.Move(fyne.NewPos(0, 0))
	group.Resize(fyne.NewSize(size.Width, h))
	fields.Move(fyne.NewPos(l.indent, lastLine(group, h)))
	fields.Resize(fyne.NewSize(max(0, size.Width-l.indent), fields.MinSize().Height))
}

// schoolYearText is "2025–26 (08/01/2025 – 06/30/2026)".
func schoolYearText(p data.Period) string {
	return fmt.Sprintf("%d–%02d (%s)", p.From.Year(), p.To.Year()%100, p)
}

// reportIntro is the landing text: what the report is for, who is and is
// never in it, and what each export holds.
func reportIntro() string {
	return "## QA Migrant report\n\n" +
		"Find the district's migrant students who are enrolled and eligible for services in a reporting " +
		"period, and check their data before the School Report Card counts are final.\n\n" +
		"**Who is in it.** " + report.Inclusion + "\n\n" +
		"**Who is never in it.** " + report.Exclusions + "\n\n" +
		"**Two exports.**\n\n" +
		"* **Detail report (Excel)**: one row per qualifying enrollment, with names, birth dates and IDs. " +
		"It contains personally identifiable information (PII): keep it only where student records may be " +
		"kept, and protect it with a password when it may leave this computer. A \"No\" under Economically " +
		"Disadvantaged is highlighted as a data-quality issue.\n" +
		"* **Aggregated report (PDF)**: unduplicated student counts by grade, gender, race/ethnicity, student " +
		"group and school, with a chart of the grade counts. It holds no student names or IDs.\n"
}

// auditNote follows the landing text: a paragraph after a list would be
// drawn as part of its last item.
const auditNote = "Every export is written to the audit log: who made it, which report, the district, " +
	"the period, the number of rows and the file."

// load asks again whether the user may run the report (a grant may have
// arrived since the window opened) and shows the controls or the reason;
// the period's counts are read again, as the records may have changed.
func (r *reportScreen) load() {
	r.counted = nil
	if r.stopCount != nil {
		r.stopCount()
		r.stopCount, r.counting = nil, data.Period{}
	}
	usr, d := r.tab.user, r.tab.d
	r.tab.tasks.run("checking who may run the report", func() func() {
		acc, err := r.st.CanRunReport(context.Background(), usr, d)
		return func() {
			switch {
			case err != nil:
				r.denied.SetText(sentence(err.Error()))
				r.side.Objects = []fyne.CanvasObject{r.denied}
			case !acc.Allowed:
				r.denied.SetText(acc.Why)
				r.side.Objects = []fyne.CanvasObject{widget.NewCard("Access not granted", "", r.denied)}
			default:
				r.side.Objects = []fyne.CanvasObject{r.controls}
			}
			r.side.Refresh()
			r.check()
		}
	})
}

// allowed reports whether the controls are on screen.
func (r *reportScreen) allowed() bool {
	return len(r.side.Objects) == 1 && r.side.Objects[0] == r.controls
}

// selectedPeriod is the period chosen, or why there is none.
func (r *reportScreen) selectedPeriod() (data.Period, error) {
	switch r.choice() {
	case periodCurrent, periodPrevious:
		return r.presets[r.choice()], nil
	}
	from, ferr := data.ParseDate(r.from.Text)
	to, terr := data.ParseDate(r.to.Text)
	if err := errors.Join(ferr, terr); err != nil {
		return data.Period{}, err
	}
	p := data.Period{From: from, To: to}
	return p, p.Validate()
}

func (r *reportScreen) choice() int {
	for i, c := range r.choices {
		if c == r.period.Selected {
			return i
		}
	}
	return periodCurrent
}

// check shows the errors of what is typed, beside the field, and enables
// the exports when the period (and the password, for the Detail report)
// is right.
func (r *reportScreen) check() {
	custom := r.choice() == periodCustom
	if custom {
		r.custom.Show()
	} else {
		r.custom.Hide()
	}
	typedError := func(e *widgets.Entry, l *widget.Label) {
		_, err := data.ParseDate(e.Text)
		if !custom || strings.TrimSpace(e.Text) == "" {
			err = nil
		}
		setError(l, errText(err))
	}
	typedError(r.from, r.fromErr)
	typedError(r.to, r.toErr)
	p, err := r.selectedPeriod()
	setError(r.periodErr, "")
	switch {
	case err == nil:
		days := int(p.To.Time().Sub(p.From.Time()).Hours()/24) + 1
		r.summary.SetText(fmt.Sprintf("The report covers %s: %d days.", p, days))
	case custom && !r.fromErr.Visible() && !r.toErr.Visible() && strings.TrimSpace(r.from.Text) != "" && strings.TrimSpace(r.to.Text) != "":
		setError(r.periodErr, err.Error())
		r.summary.SetText("")
	default:
		r.summary.SetText("Type the first and the last day of the period, as MM/DD/YYYY.")
	}

	pwOK := r.password.Text == r.confirm.Text
	var pwErr error
	if r.password.Text != "" {
		pwErr = agile.CheckPassword(r.password.Text)
	}
	switch {
	case pwErr != nil:
		setError(r.passwordErr, pwErr.Error())
	case pwOK:
		setError(r.passwordErr, "")
	case r.confirm.Text == "":
		setError(r.passwordErr, "type the password a second time to confirm it")
	default:
		setError(r.passwordErr, "the two passwords differ")
	}
	idle := r.stop == nil
	known := err == nil && r.counted != nil && r.counted.period == p
	switch {
	case err != nil:
		r.counts.SetText("")
	case !known:
		r.count(p)
	}
	exportable := known && data.MayExportReport(r.tab.d, p, r.counted.students) == nil
	enable(r.detailBtn, idle && exportable && pwOK && pwErr == nil)
	enable(r.aggBtn, idle && exportable)
}

// count reads, off the UI goroutine, how many rows and students the
// report of p holds, and shows them; a count of another period under way
// is dropped.
func (r *reportScreen) count(p data.Period) {
	if !r.allowed() || r.stopCount != nil && r.counting == p {
		return
	}
	if r.stopCount != nil {
		r.stopCount()
	}
	ctx, stop := context.WithCancel(context.Background())
	r.stopCount, r.counting = stop, p
	r.counts.Importance = widget.MediumImportance
	r.counts.SetText("Counting the students of the period…")
	usr, d := r.tab.user, r.tab.d
	r.tab.tasks.run("counting the students of the period", func() func() {
		q, err := r.build(ctx, usr, d.Number, p)
		return func() {
			if ctx.Err() != nil {
				return // another period, or the window closed
			}
			stop()
			r.stopCount, r.counting = nil, data.Period{}
			if err != nil {
				r.counts.Importance = widget.DangerImportance
				r.counts.SetText(sentence(err.Error()))
				return
			}
			r.counted = &reportCount{period: p, rows: len(q.Rows), students: q.Counts.Total}
			r.counts.SetText(countsText(d, p, *r.counted))
			r.counts.Importance = widget.MediumImportance
			if data.MayExportReport(d, p, r.counted.students) != nil {
				r.counts.Importance = widget.WarningImportance
			}
			r.counts.Refresh()
			r.check()
		}
	})
}

// countsText says what each export of the period will hold, or plainly
// that there is nothing to export.
func countsText(d data.District, p data.Period, c reportCount) string {
	if err := data.MayExportReport(d, p, c.students); err != nil {
		return err.Error()
	}
	return fmt.Sprintf("The %s will hold %s (one per qualifying enrollment) of %s; the %s counts %s.",
		report.DetailKind.Title, data.Count(c.rows, "row"), data.Count(c.students, "student"),
		report.AggregatedKind.Title, data.Count(c.students, "student"))
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// export asks where to save the file, then makes it off the UI goroutine.
func (r *reportScreen) export(x report.Kind) {
	p, err := r.selectedPeriod()
	if err != nil || r.stop != nil {
		return
	}
	j := job{Kind: x, period: p}
	if x.PII {
		j.password = r.password.Text
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.begin(cancel, "Choose where to save the "+x.Title+"…")
	req := widgets.SaveRequest{
		Win:   r.tab.dialogs.Window(),
		Title: "Save the " + x.Title,
		Dir:   reportFolder(r.app.Preferences()),
		Name:  x.FileName(r.tab.d, p),
		Kind:  x.FileType,
		Ext:   x.Ext,
	}
	r.saver.SaveAs(req, func(path string) {
		if path == "" || ctx.Err() != nil {
			r.end()
			r.tab.note("Nothing was saved.")
			return
		}
		if !strings.EqualFold(filepath.Ext(path), x.Ext) {
			path += x.Ext
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		rememberFolder(r.app.Preferences(), path)
		j.path = path
		r.generate(ctx, j)
	})
}

// job is one report file to make.
type job struct {
	report.Kind
	period   data.Period
	password string // of the Detail workbook; "" for none
	path     string
}

// begin disables the exports and shows the progress with its Cancel.
func (r *reportScreen) begin(cancel context.CancelFunc, stage string) {
	r.stop = cancel
	r.stage.SetText(stage)
	r.running.Show()
	r.sideScroll.ScrollToBottom() // the progress and its Cancel are last
	r.period.Disable()
	r.check()
}

func (r *reportScreen) end() {
	if r.stop != nil {
		r.stop()
	}
	r.stop = nil
	r.running.Hide()
	r.period.Enable()
	r.check()
}

// cancel stops the report being made; no file is left and nothing is
// written to the audit log.
func (r *reportScreen) cancel() {
	if r.stop != nil {
		r.stop()
		r.stage.SetText("Cancelling…")
	}
	if r.stopCount != nil {
		r.stopCount()
		r.stopCount, r.counting = nil, data.Period{}
	}
}

// generate makes the file off the UI goroutine, then says how it went.
func (r *reportScreen) generate(ctx context.Context, j job) {
	r.stage.SetText("Reading the records of " + r.tab.d.Number + " " + r.tab.d.Name + "…")
	usr := r.tab.user
	meta := report.Meta{GeneratedAt: time.Now(), GeneratedBy: usr.Signature()}
	r.tab.tasks.run("making the report", func() func() {
		rows, err := r.write(ctx, j, meta)
		return func() { r.finished(j, rows, err) }
	})
}

// write makes the report file through report.Export: a cancelled or
// failed report leaves no file, and no file exists that the audit log
// does not list. It runs off the UI goroutine and reads only what does
// not change.
func (r *reportScreen) write(ctx context.Context, j job, meta report.Meta) (rows int, err error) {
	q, err := r.build(ctx, r.tab.user, r.tab.d.Number, j.period)
	if err != nil {
		return 0, err
	}
	if err := data.MayExportReport(q.District, j.period, q.Counts.Total); err != nil {
		return 0, fmt.Errorf("the records changed since they were counted, and no file was written. %w", err)
	}
	r.tab.tasks.do(func() { r.stage.SetText(fmt.Sprintf("Writing %s…", filepath.Base(j.path))) })
	f := q.AggregatedFile(j.path, meta)
	if j.PII {
		f = q.DetailFile(j.path, meta, j.password)
	}
	return f.Audit.Rows, report.Export(ctx, r.st, r.tab.user.Username, []report.File{f})
}

// finished tells the user how the report went and offers to open the file.
func (r *reportScreen) finished(j job, rows int, err error) {
	r.end()
	switch {
	case errors.Is(err, context.Canceled):
		r.tab.note("Cancelled: no file was saved.")
		return
	case err != nil:
		r.tab.note("The " + j.Title + " was not saved.")
		r.tab.dialogs.ShowError("The "+j.Title+" was not saved", err)
		if errors.Is(err, data.ErrAccess) {
			// The access changed since the exports were shown: show
			// whom to ask in their place.
			r.load()
		}
		return
	}
	what := data.Count(rows, "row")
	if !j.PII {
		what = data.Count(rows, "student")
	}
	r.tab.say(fmt.Sprintf("Saved the %s (%s) to %s.", j.Title, what, j.path))
	// Whoever typed a password is told that the file has it: nothing
	// else said so until the file was opened.
	locked := ""
	if j.PII && j.password != "" {
		locked = "It opens only with the password you typed. "
	}
	msg := fmt.Sprintf("The %s of %s %s for %s, %s, is saved to:\n%s\n\n%sThe export is recorded in the audit log.",
		j.Title, r.tab.d.Number, r.tab.d.Name, j.period, what, j.path, locked)
	var dlg *dialog.CustomDialog
	open := widgets.NewButtonWithIcon("Open the file", theme.FileIcon(), func() {
		dlg.Hide()
		path := j.path
		r.tab.tasks.run("opening the report", func() func() {
			err := r.open(path)
			return func() {
				if err != nil {
					r.tab.dialogs.ShowError("The file could not be opened", err)
				}
			}
		})
	})
	open.Importance = widget.HighImportance
	dlg = dialog.NewCustomWithoutButtons(j.Title+" saved", widgets.Paragraph(msg, 520), r.tab.dialogs.Window())
	dlg.SetButtons([]fyne.CanvasObject{widgets.NewButton("Close", func() { dlg.Hide() }), open})
	r.tab.dialogs.Show(dlg)
}

// fileURL is the file:// URL of a local path, for the system to open.
func fileURL(path string) *url.URL {
	slashed := filepath.ToSlash(path)
	if !strings.HasPrefix(slashed, "/") {
		slashed = "/" + slashed // C:/Users/... on Windows
	}
	return &url.URL{Scheme: "file", Path: slashed}
}

// reportFolder is where the next report is offered: the folder used last,
// else Documents, else the home folder.
func reportFolder(prefs fyne.Preferences) string {
	if dir := prefs.String(prefReportFolder); dir != "" && isDir(dir) {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	if docs := filepath.Join(home, "Documents"); isDir(docs) {
		return docs
	}
	return home
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// rememberFolder keeps the folder of a saved file for the next save.
func rememberFolder(prefs fyne.Preferences, path string) {
	prefs.SetString(prefReportFolder, filepath.Dir(path))
}
