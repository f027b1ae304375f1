package gui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/reconcile"
	"migrantdesk/gui/widgets"
	"migrantdesk/report"
)

// ReconcileStore is what the MIS2000 reconciliation screen asks of the
// database; *store.Store has it.
type ReconcileStore interface {
	report.SnapshotLoader
	report.Auditor
}

// fileOpener asks the user for a file to read. done runs on the UI
// goroutine with its path, or "" when the user cancelled. Tests replace
// it with one that answers a path.
type fileOpener interface {
	openFile(win fyne.Window, title string, exts []string, done func(path string))
}

// fyneOpener is Fyne's own open dialog, drawn inside the window; shown
// through dialogs when set, so that Esc closes it as it does any other.
type fyneOpener struct {
	dialogs *widgets.Dialogs
}

func (o fyneOpener) openFile(win fyne.Window, title string, exts []string, done func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			fyne.LogError("open dialog", err)
		}
		if r == nil {
			done("")
			return
		}
		path := r.URI().Path()
		r.Close()
		done(path)
	}, win)
	d.SetTitleText(title)
	d.SetConfirmText("Open")
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	if dir, err := storage.ListerForURI(storage.NewFileURI(reportFolder(fyne.CurrentApp().Preferences()))); err == nil {
		d.SetLocation(dir)
	}
	d.Resize(fyne.NewSize(820, 560))
	if o.dialogs != nil {
		o.dialogs.Show(d)
		return
	}
	d.Show()
}

// reconcileScreen compares an MIS2000 export with the records (SPEC §5):
// the clerk picks the file, sees the districts × categories summary and a
// district's message, copies the message, and saves the workbook with
// the messages.
type reconcileScreen struct {
	st      ReconcileStore
	win     fyne.Window
	user    data.User
	regions map[string]string // region names by code
	post    func(func())
	opener  fileOpener
	saver   widgets.FileSaver

	path    string         // the export chosen
	file    *widgets.Entry // the export's path: chosen, typed or pasted
	asOf    *widgets.Entry
	asOfErr *widget.Label
	pickBtn *widgets.Button
	runBtn  *widgets.Button
	saveBtn *widgets.Button
	copyBtn *widgets.Button

	running   *fyne.Container
	progress  *widget.ProgressBar
	stage     *widget.Label
	cancelBtn *widgets.Button
	stop      context.CancelFunc // cancels the comparison or export under way, if any

	notes    *widget.Label
	table    *summaryTable
	summary  *fyne.Container // the progress and the notes over the table
	msgTitle *widget.Label
	message  *widget.Label
	status   *widget.Label

	split *container.Split // the summary beside the message

	result   *report.Reconciliation
	selected int // the summary line whose message is shown; -1 for none

	obj fyne.CanvasObject
}

// NewReconcileScreen builds the MIS2000 reconciliation screen for user,
// in win. st reads the records and writes the export's audit row; post
// hands a function to the UI goroutine (fyne.Do in the app). A clerk
// compares the districts of the clerk's region, anyone else every
// district; the messages are signed with user.FullName, the audit log
// names user.Username.
func NewReconcileScreen(st ReconcileStore, win fyne.Window, user data.User, post func(func())) fyne.CanvasObject {
	return newReconcileScreen(st, win, user, nil, post).obj
}

func newReconcileScreen(st ReconcileStore, win fyne.Window, user data.User, regions map[string]string, post func(func())) *reconcileScreen {
	s := &reconcileScreen{
		st: st, win: win, user: user, regions: regions, post: post,
		opener:   fyneOpener{},
		saver:    widgets.DefaultSaver(post),
		file:     widgets.NewEntry("the MIS2000 export: choose it, or type or paste its path"),
		asOf:     widgets.NewEntry("MM/DD/YYYY"),
		asOfErr:  errorLabel(),
		progress: widget.NewProgressBar(),
		stage:    widget.NewLabel(""),
		notes:    widget.NewLabel(""),
		msgTitle: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		message:  wrapped(reconcileIntro),
		status:   wrapped(""),
		selected: -1,
	}
	s.message.Selectable = true
	// One line per note, cut to the window: a wrapped label above the
	// table would keep the height of its first layout. The workbook has
	// every note in full.
	s.notes.Truncation = fyne.TextTruncateEllipsis
	s.notes.Hide()
	// Fyne's open dialog takes no typed name, and the Tab key reaches
	// few of its controls: the path typed or pasted here (Windows's
	// Copy as path quotes it) is the keyboard's way to the export.
	s.file.OnChanged = func(text string) {
		s.path = pastedPath(text)
		s.check()
	}
	s.file.OnSubmitted = func(string) { s.compare() }
	s.asOf.SetText(data.Today().US())
	s.asOf.OnChanged = func(string) { s.check() }
	s.asOf.OnSubmitted = func(string) { s.compare() }

	s.pickBtn = widgets.NewButtonWithIcon("Choose the MIS2000 export…", theme.FolderOpenIcon(), s.pick)
	s.pickBtn.Importance = widget.HighImportance
	s.runBtn = widgets.NewButtonWithIcon("Compare", theme.ViewRefreshIcon(), s.compare)
	s.saveBtn = widgets.NewButtonWithIcon("Save the workbook and messages…", theme.DocumentSaveIcon(), s.save)
	s.saveBtn.Importance = widget.HighImportance
	s.copyBtn = widgets.NewButtonWithIcon("Copy the message", theme.ContentCopyIcon(), s.copyMessage)
	s.cancelBtn = widgets.NewButtonWithIcon("Cancel", theme.CancelIcon(), s.cancel)
	s.running = container.NewVBox(s.progress, border(nil, nil, nil, s.cancelBtn, s.stage))
	s.running.Hide()
	s.table = s.newSummaryTable()

	// Each line above or below the summary is a district less in view
	// (the first 1260×630 window has room for ten lines of text): the
	// heading shares its line with the scope and Save, the file its line
	// with the day, the message's title with Copy.
	asOf := container.NewHBox(widget.NewLabelWithStyle("As of", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewGridWrap(fyne.NewSize(160, s.asOf.MinSize().Height), s.asOf), s.runBtn)
	// The scope gives way to Save in a narrow window: a long region name
	// made the line wider than a small laptop at 150% leaves a window.
	scope := widget.NewLabel(s.scope())
	scope.Truncation = fyne.TextTruncateEllipsis
	top := container.NewVBox(
		border(nil, nil, heading("MIS2000 reconciliation"), s.saveBtn, scope),
		border(nil, nil, s.pickBtn, asOf, s.file),
		s.asOfErr)
	s.summary = container.New(headOverLayout{}, container.NewVBox(s.running, s.notes), container.New(wholeRows{s.table}, s.table))
	msgPane := border(border(nil, nil, nil, s.copyBtn, s.msgTitle), s.status, nil, nil,
		container.New(wholeLines{}, container.NewVScroll(s.message)))
	// The message beside the summary, both the whole height: one over
	// the other, the first window showed two districts and two lines of
	// the message. The district and its total stay in view at the left
	// of the summary, the categories scroll beside them. The clip keeps
	// the notes off the message when the summary's pane is dragged
	// narrower than they are.
	s.split = container.NewHSplit(container.NewClip(s.summary), msgPane)
	s.split.Offset = summaryShare
	s.obj = border(top, nil, nil, nil, s.split)
	s.check()
	return s
}

// reconcileIntro is what the message pane says before a comparison.
const reconcileIntro = "Choose the MIS2000 export (CSV, or an Excel workbook: the sheet with its columns is read) to compare it with the " +
	"migrant records as of the day above. Every discrepancy goes to the district of its row, or to the one the record is " +
	"published to. The summary then shows each district's discrepancies by category, and choosing a district shows " +
	"its message here, ready to copy into an email. Save the workbook to keep every discrepancy, with the messages " +
	"beside it."

// region is the region compared: a clerk's own, every region for anyone
// else.
func (s *reconcileScreen) region() string {
	if s.user.Role == data.RoleClerk {
		return s.user.RegionCode
	}
	return ""
}

func (s *reconcileScreen) scope() string {
	if r := s.region(); r != "" {
		return "Only the districts of the " + regionName(s.regions, r) + " are compared."
	}
	return "The districts of every region are compared."
}

// first is the control the keyboard starts on: choosing the export, or,
// while a comparison or an export runs, its Cancel (the others are
// disabled then, and Fyne puts the keyboard on none of them).
func (s *reconcileScreen) first() fyne.Focusable {
	if s.stop != nil {
		return s.cancelBtn
	}
	return s.pickBtn
}

// check enables what can be done now and says what is wrong with the
// typed day.
func (s *reconcileScreen) check() {
	_, err := data.ParseDate(s.asOf.Text)
	// The line is under the file, at the other end of the window from
	// the day: it names the field it is about.
	why := ""
	if err != nil {
		why = "As of: " + err.Error()
	}
	setError(s.asOfErr, why)
	idle := s.stop == nil
	enable(s.pickBtn, idle)
	enable(s.file, idle)
	enable(s.asOf, idle)
	enable(s.runBtn, idle && err == nil && s.path != "")
	enable(s.saveBtn, idle && s.result != nil)
	enable(s.copyBtn, s.messageShown())
}

// messageShown reports whether the message pane holds a district's
// message, one that can be copied.
func (s *reconcileScreen) messageShown() bool {
	return s.result != nil && s.selected >= 0 && s.selected < len(s.result.Summary) &&
		s.result.Summary[s.selected].District.Name != ""
}

// pick asks for the export, then compares it.
func (s *reconcileScreen) pick() {
	s.opener.openFile(s.win, "Choose the MIS2000 export", []string{".csv", ".xlsx"}, func(path string) {
		if path == "" {
			return
		}
		s.file.SetText(path)
		s.compare()
	})
}

// begin disables the controls and shows the progress with its Cancel.
func (s *reconcileScreen) begin(cancel context.CancelFunc, stage string) {
	s.stop = cancel
	s.progress.SetValue(0)
	s.stage.SetText(stage)
	s.running.Show()
	s.summary.Refresh()
	s.check()
}

func (s *reconcileScreen) end() {
	if s.stop != nil {
		s.stop()
	}
	s.stop = nil
	s.running.Hide()
	s.summary.Refresh()
	s.check()
}

func (s *reconcileScreen) cancel() {
	if s.stop != nil {
		s.stop()
		s.stage.SetText("Cancelling…")
	}
}

// compare reads the export and compares it off the UI goroutine.
func (s *reconcileScreen) compare() {
	day, err := data.ParseDate(s.asOf.Text)
	if err != nil || s.path == "" || s.stop != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	// What the panes show is of the last file or day: its refusal was
	// read as this file's, and its summary saved by Save.
	s.table.UnselectAll()
	s.result, s.selected = nil, -1
	s.table.Refresh()
	s.setNotes("")
	s.msgTitle.SetText("")
	s.message.SetText("Comparing " + filepath.Base(s.path) + " with the records as of " + day.US() + "…")
	s.status.SetText("")
	s.begin(cancel, "Reading "+filepath.Base(s.path)+"…")
	st, usr, path, region := s.st, s.user, s.path, s.region()
	go func() {
		r, err := report.Reconcile(ctx, st, usr, path, day, region, func(step int, what string) {
			s.post(func() {
				s.progress.SetValue(float64(step) / report.ReconcileSteps)
				s.stage.SetText(what)
			})
		})
		s.post(func() {
			s.end()
			s.compared(r, err)
		})
	}()
}

// compared shows a comparison's summary and the first district's message,
// or why there is none.
func (s *reconcileScreen) compared(r *report.Reconciliation, err error) {
	s.table.UnselectAll()
	switch {
	case errors.Is(err, context.Canceled):
		s.message.SetText(reconcileIntro)
		s.status.SetText("Cancelled: nothing was compared.")
		return
	case err != nil:
		s.result, s.selected = nil, -1
		s.setNotes("")
		s.msgTitle.SetText("The export could not be compared")
		s.message.SetText(sentence(err.Error()))
		s.status.SetText("")
		s.check()
		return
	}
	s.result, s.selected = r, -1
	s.setNotes(summaryText(r))
	s.status.SetText("")
	first := 0
	for i, l := range r.Summary {
		if l.Total > 0 && l.District.Name != "" {
			first = i
			break
		}
	}
	if len(r.Summary) > 0 {
		s.table.Select(widget.TableCellID{Row: first, Col: 0})
		// Select scrolls one header row too far (fyne-io/fyne#6505): in a
		// summary pane a row or two high, the district chosen went out of
		// view above, beside its message.
		widgets.ShowRow(&s.table.Table, widget.TableCellID{Row: first, Col: 0})
	} else {
		// No district line: the export names no district, and nothing
		// was found.
		s.msgTitle.SetText("")
		s.message.SetText("No discrepancy: the records agree with every row compared.")
	}
	s.check()
}

// setNotes shows the notes over the summary table, none taking no room.
func (s *reconcileScreen) setNotes(text string) {
	s.notes.SetText(text)
	s.notes.Hidden = text == ""
	s.summary.Refresh()
}

// headOverLayout puts its first object over its second and takes the
// first one's height out of the second's: the pair asks for no more
// room than the second alone. Lines that come and go over the summary
// (the progress, the notes) then shrink the summary, where they would
// grow the window, which Fyne never gives back and remembers for the
// next start.
type headOverLayout struct{}

func (headOverLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	head, body := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(head.Width, body.Width), body.Height)
}

func (headOverLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	head, body := objs[0], objs[1]
	h := min(head.MinSize().Height, size.Height)
	if h > 0 {
		h += theme.Padding()
	}
	head.Move(fyne.NewPos(0, 0))
	head.Resize(fyne.NewSize(size.Width, head.MinSize().Height))
	body.Move(fyne.NewPos(0, h))
	body.Resize(fyne.NewSize(size.Width, max(0, size.Height-h)))
}

// summaryShare is the summary's part of the width, the message's the
// rest: the district, its total and four categories in the first
// 1260×630 window, beside a message of lines an email has.
const summaryShare = 0.55

// wholeRows gives the summary table the height of its header and whole
// rows, as many as its room has, and leaves the rest blank: a row the
// keyboard reaches is in view whole, none cut in half at the bottom.
type wholeRows struct{ table *summaryTable }

func (w wholeRows) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[0].MinSize() }

func (w wholeRows) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	header := w.table.CreateHeader().MinSize().Height
	stride := max(summaryCell().MinSize().Height, header) + pad
	h := size.Height
	if rows := int((h - header + pad) / stride); rows > 0 {
		h = header + float32(rows)*stride - pad
	}
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(size.Width, h))
}

// wholeLines gives a scrolled label the height of its whole lines, as
// many as its room has, and leaves the rest blank: scrolled to its top,
// the message shows no line cut in half at its bottom.
type wholeLines struct{}

func (wholeLines) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[0].MinSize() }

func (wholeLines) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	first, stride := lineMetrics()
	h := size.Height
	if h >= first && stride > 0 {
		h = first + float32(int((h-first)/stride))*stride
	}
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(size.Width, h))
}

// lineMetrics are, in a label, how far down its first line ends, and
// how far each next line is below the one before.
func lineMetrics() (first, stride float32) {
	one := widget.NewLabel("A").MinSize().Height
	return one - theme.InnerPadding(), widget.NewLabel("A\nA").MinSize().Height - one
}

// summaryText says what was compared, and what of the file was not.
func summaryText(r *report.Reconciliation) string {
	lines := []string{fmt.Sprintf("As of %s: %s of %s compared, %s.",
		r.AsOf.US(), data.Count(r.Compared, "row"), r.Source.File, data.Count(r.Totals.Total, "discrepancy"))}
	// On the first line: each line over the summary is a district less
	// in view at 1366×768.
	if r.Source.Encoding == "Windows-1252" {
		lines[0] += " Read as Windows-1252 (not UTF-8), as Excel's \"CSV (Comma delimited)\" saves it."
	}
	for _, n := range r.Notes(report.Meta{}) {
		switch {
		case n[0] == "Rows" && r.OutOfRegion == 0 && r.Repeated == 0:
			// "Rows: 104 compared" says again what the first line says.
		case n[0] == "Rows", n[0] == "Rows not read", n[0] == "Columns missing", n[0] == "Columns not used":
			lines = append(lines, n[0]+": "+n[1])
		}
	}
	return strings.Join(lines, "\n")
}

// summaryTable is the summary's table, worked by the row as a
// widgets.RowTable is: Up, Down, Page Up, Page Down, Home and End choose
// a row, which shows its district's message, scrolled wholly into view
// below the header. widget.Table moves a cell that Space then chooses,
// scrolled under the header when it is row 0 (fyne-io/fyne#6505).
type summaryTable struct {
	widget.Table
	win fyne.Window
	row int // the row chosen last, which the keys move from
}

// Tapped chooses the cell clicked and gives the table the keyboard, in
// its window. widget.Table looks its canvas up by its own pointer, of
// which the app's driver knows no canvas once another widget extends
// it: the click chose a district and left the keys where they were.
func (t *summaryTable) Tapped(ev *fyne.PointEvent) {
	t.Table.Tapped(ev)
	if !fyne.CurrentDevice().IsMobile() {
		t.win.Canvas().Focus(t)
	}
}

func (t *summaryTable) TypedKey(ev *fyne.KeyEvent) {
	rows, _ := t.Length()
	row, ok := widgets.RowKey(ev.Name, t.row, rows)
	if !ok || rows == 0 {
		t.Table.TypedKey(ev) // Left and Right scroll the columns
		return
	}
	id := widget.TableCellID{Row: row, Col: 0}
	t.Select(id)
	widgets.ShowRow(&t.Table, id)
}

// newSummaryTable is the districts × categories table: a district per
// row, then the totals; choosing a row shows its district's message.
func (s *reconcileScreen) newSummaryTable() *summaryTable {
	t := &summaryTable{win: s.win}
	t.Length = func() (int, int) {
		if s.result == nil {
			return 0, reconcile.NumCategories + 2
		}
		return len(s.result.Summary) + 1, reconcile.NumCategories + 2
	}
	t.CreateCell = func() fyne.CanvasObject { return summaryCell() }
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		o.(*widget.Label).SetText(s.cell(id.Row, id.Col))
	}
	t.ExtendBaseWidget(t)
	t.ShowHeaderRow = true
	t.StickyColumnCount = 2 // the district and its total
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		o.(*widget.Label).SetText(summaryHeader(id.Col))
	}
	t.SetColumnWidth(0, 220)
	for c := 1; c < reconcile.NumCategories+2; c++ {
		t.SetColumnWidth(c, max(fyne.MeasureText(summaryHeader(c), theme.TextSize(), fyne.TextStyle{Bold: true}).Width+2*theme.InnerPadding(), 60))
	}
	t.OnSelected = func(id widget.TableCellID) {
		t.row = id.Row
		s.showMessage(id)
	}
	return t
}

// summaryCell is a cell of the summary table, each as high as the next.
func summaryCell() *widget.Label {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateClip
	return l
}

// summaryHeader heads a column of the summary: the district, its total,
// then the categories, which scroll beside the two in a narrow pane.
func summaryHeader(col int) string {
	switch col {
	case 0:
		return "District"
	case 1:
		return "Total"
	}
	// The first column is the district, and a bare "QAD" reads as a
	// date: these three say what differs, which the table has the width
	// for.
	switch c := reconcile.Category(col - 2); c {
	case reconcile.QADDiffers, reconcile.EEDDiffers, reconcile.DistrictDiffers:
		return c.String()
	default:
		return c.Short()
	}
}

// cell is the summary table's text at a row and column; the last row is
// the totals.
func (s *reconcileScreen) cell(row, col int) string {
	if s.result == nil || row > len(s.result.Summary) {
		return ""
	}
	line, label := s.result.Totals, "Total"
	if row < len(s.result.Summary) {
		line = s.result.Summary[row]
		label = strings.TrimSpace(line.District.Number + " " + report.DistrictName(line.District))
	}
	switch col {
	case 0:
		return label
	case 1:
		return strconv.Itoa(line.Total)
	}
	return strconv.Itoa(line.Counts[col-2])
}

// showMessage shows the message of the district of a summary row.
func (s *reconcileScreen) showMessage(id widget.TableCellID) {
	if s.result == nil || id.Row >= len(s.result.Summary) {
		s.selected = -1
		s.msgTitle.SetText("")
		s.message.SetText("Choose a district in the summary to see its message.")
		s.check()
		return
	}
	s.selected = id.Row
	d := s.result.Summary[id.Row].District
	if d.Name == "" {
		s.msgTitle.SetText(strings.TrimSpace(d.Number + " " + report.DistrictName(d)))
		s.message.SetText("These discrepancies belong to no district of the records, so there is no one to write to: " +
			"they are in the workbook, on the Discrepancies sheet.")
	} else {
		s.msgTitle.SetText("Message to " + d.Number + " " + d.Name)
		s.message.SetText(s.result.Message(d, s.user.FullName))
	}
	s.check()
}

// copyMessage puts the message shown on the clipboard.
func (s *reconcileScreen) copyMessage() {
	if !s.messageShown() {
		return
	}
	fyne.CurrentApp().Clipboard().SetContent(s.message.Text)
	d := s.result.Summary[s.selected].District
	s.status.SetText("Copied the message to " + d.Number + " " + d.Name + " to the clipboard.")
}

// save asks where to save the workbook, then writes it with the messages
// in a folder beside it, off the UI goroutine.
func (s *reconcileScreen) save() {
	if s.result == nil || s.stop != nil {
		return
	}
	r := s.result
	ctx, cancel := context.WithCancel(context.Background())
	s.begin(cancel, "Choose where to save the workbook…")
	app := fyne.CurrentApp()
	req := widgets.SaveRequest{Win: s.win, Title: "Save the reconciliation workbook", Dir: reportFolder(app.Preferences()),
		Name: r.FileName(), Kind: "Excel workbook", Ext: ".xlsx"}
	s.saver.SaveAs(req, func(path string) {
		if path == "" || ctx.Err() != nil {
			s.end()
			s.status.SetText("Nothing was saved.")
			return
		}
		if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
			path += ".xlsx"
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		rememberFolder(app.Preferences(), path)
		dir := strings.TrimSuffix(path, filepath.Ext(path)) + " messages"
		s.stage.SetText("Saving " + filepath.Base(path) + " and the messages…")
		s.progress.SetValue(0.5)
		st, usr := s.st, s.user
		meta := report.Meta{GeneratedAt: time.Now(), GeneratedBy: usr.Signature()}
		go func() {
			files, err := r.Export(ctx, st, usr.Username, path, dir, meta, usr.FullName)
			s.post(func() {
				s.end()
				s.saved(path, dir, len(files), err)
			})
		}()
	})
}

// saved says how the export went and offers to open the workbook.
func (s *reconcileScreen) saved(path, dir string, messages int, err error) {
	switch {
	case errors.Is(err, context.Canceled):
		s.status.SetText("Cancelled: no file was saved.")
		return
	case err != nil:
		s.status.SetText("The workbook was not saved.")
		dialog.NewCustom("The workbook was not saved", "Close", widgets.Paragraph(sentence(err.Error()), 480), s.win).Show()
		return
	}
	s.status.SetText(fmt.Sprintf("Saved %s and %s in %s.", path, data.Count(messages, "message"), dir))
	msg := wrapped(fmt.Sprintf("The reconciliation workbook is saved to:\n%s\n\nThe %s to the districts %s in:\n%s\n\n"+
		"Both hold student names and birth dates. The export is recorded in the audit log.", path,
		data.Count(messages, "message"), data.Agree(messages, "is", "are"), dir))
	var dlg *dialog.CustomDialog
	open := widgets.NewButtonWithIcon("Open the workbook", theme.FileIcon(), func() {
		dlg.Hide()
		if err := fyne.CurrentApp().OpenURL(fileURL(path)); err != nil {
			dialog.NewCustom("The workbook could not be opened", "Close", widgets.Paragraph(sentence(err.Error()), 480), s.win).Show()
		}
	})
	open.Importance = widget.HighImportance
	dlg = dialog.NewCustomWithoutButtons("Reconciliation saved", container.NewGridWrap(fyne.NewSize(520, 190), msg), s.win)
	dlg.SetButtons([]fyne.CanvasObject{widgets.NewButton("Close", func() { dlg.Hide() }), open})
	dlg.Show()
}
