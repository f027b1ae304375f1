package gui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/importer"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// extractLoader is what importing the state extract reads and writes.
type extractLoader interface {
	PlanExtract(ctx context.Context, fill func(data.ExtractSink) error, progress func(rows int)) (store.ExtractPlan, error)
	LoadExtract(ctx context.Context, u data.User, fill func(*store.ExtractLoad) error) (store.ExtractCounts, error)
}

// problemColumns are the columns of the problems an extract was refused
// for.
var problemColumns = []widgets.Column{col("File", 170), col("Sheet", 110), col("Line", 70), col("Column", 150), col("Problem", 640)}

// importScreen loads the state extract from the app: the person picks the
// folder of CSV files or the workbook; the app checks it and works out
// what it would change without writing anything; the person reads the
// problems (file, line and column, copyable) or the summary, and
// confirms; the import runs in one transaction with a progress bar, and
// Cancel leaves the database as it was.
type importScreen struct {
	st      extractLoader
	user    data.User
	tasks   *tasks
	win     fyne.Window
	dialogs *widgets.Dialogs
	done    func(msg string) // after an import: say it, read again what it changed

	path     *widgets.Entry
	pathErr  *widget.Label // what is wrong with the path, under it
	check    *widgets.Button
	run      *widgets.Button
	cancel   *widgets.Button
	copyAll  *widgets.Button
	hint     *widget.Label
	summary  *widget.Label
	bar      *widget.ProgressBar         // an import's rows, of the total the check counted
	spin     *widget.ProgressBarInfinite // a check, whose total is not known yet
	problems *widgets.RowTable
	obj      fyne.CanvasObject

	probs   []importer.Problem
	checked string             // the path the summary is of; "" none
	plan    store.ExtractPlan  // what importing checked would change
	stop    context.CancelFunc // cancels the check or the import under way; nil when idle
}

// importIntro is what the screen says before anything is chosen.
const importIntro = "Choose the state extract: a folder of CSV files (regions.csv, districts.csv, schools.csv, students.csv, " +
	"enrollments.csv, and optionally programs.csv and assessments.csv) or an Excel workbook with a sheet of each name. " +
	"Check it first: nothing is written until you confirm, and a cancelled import leaves the database as it was."

func newImportScreen(st extractLoader, usr data.User, t *tasks, win fyne.Window, dialogs *widgets.Dialogs, back func(), done func(string)) *importScreen {
	s := &importScreen{st: st, user: usr, tasks: t, win: win, dialogs: dialogs, done: done,
		path: widgets.NewEntry("the extract's folder, or its .xlsx workbook"), pathErr: errorLabel(), hint: wrapped(importIntro),
		summary: wrapped(""), bar: widget.NewProgressBar(), spin: widget.NewProgressBarInfinite()}
	s.path.OnSubmitted = func(string) { s.startCheck() }
	s.path.OnChanged = func(string) { s.reset() }
	folder := widgets.NewButtonWithIcon("Choose folder…", theme.FolderOpenIcon(), s.chooseFolder)
	book := widgets.NewButtonWithIcon("Choose workbook…", theme.FileIcon(), s.chooseWorkbook)
	s.check = widgets.NewButtonWithIcon("Check the extract", theme.SearchIcon(), s.startCheck)
	s.check.Importance = widget.HighImportance
	s.run = widgets.NewButtonWithIcon("Import", theme.DownloadIcon(), s.confirm)
	s.run.Importance = widget.HighImportance
	s.run.Disable()
	s.cancel = widgets.NewButtonWithIcon("Cancel", theme.CancelIcon(), s.stopWork)
	s.cancel.Hide()
	s.copyAll = widgets.NewButtonWithIcon("Copy the problems", theme.ContentCopyIcon(), s.copyProblems)
	s.copyAll.Hide()
	s.bar.Hide()
	s.spin.Hide()
	s.summary.Hide()
	s.problems = widgets.NewRowTable(s.win, func() int { return len(s.probs) }, problemColumns, func(row, c int) string {
		return problemCell(s.probs[row], c)
	})
	s.problems.OnActivate = func(row int) {
		fyne.CurrentApp().Clipboard().SetContent(s.probs[row].String())
		s.hint.SetText("Copied the problem of line " + fmt.Sprint(s.probs[row].Line) + " to the clipboard.")
	}
	s.problems.Hide()

	backBtn := widgets.NewButtonWithIcon("Back", theme.NavigateBackIcon(), back)
	pick := border(nil, nil, nil, container.NewHBox(folder, book), s.path)
	top := container.NewVBox(
		container.NewHBox(backBtn, heading("Import the state extract")),
		s.hint,
		field("Extract", pick, s.pathErr),
		container.NewHBox(s.check, s.run, s.cancel, s.copyAll),
		s.bar,
		s.spin,
		s.summary,
	)
	// In a window too short for the choice, the messages and the
	// problems (a small laptop at 150%), the screen scrolls down to a
	// list of four problems rather than growing past the screen.
	s.obj = container.NewVScroll(border(top, nil, nil, nil, fourRows(s.problems)))
	return s
}

// problemCell is the text of one cell of the problems.
func problemCell(p importer.Problem, c int) string {
	switch c {
	case 0:
		return p.File
	case 1:
		return p.Sheet
	case 2:
		if p.Line == 0 {
			return ""
		}
		return fmt.Sprint(p.Line)
	case 3:
		return p.Column
	}
	return p.Msg
}

func (s *importScreen) chooseFolder() {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err == nil && u != nil {
			s.path.SetText(u.Path())
		}
	}, s.win)
	s.dialogs.Show(d)
}

func (s *importScreen) chooseWorkbook() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err == nil && r != nil {
			s.path.SetText(r.URI().Path())
			r.Close()
		}
	}, s.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".xlsx"}))
	s.dialogs.Show(d)
}

// reset forgets the last check: the path changed.
func (s *importScreen) reset() {
	if s.stop != nil {
		return
	}
	s.checked = ""
	setError(s.pathErr, "")
	s.run.Disable()
	s.summary.Hide()
	s.problems.Hide()
	s.copyAll.Hide()
}

// busy shows work under way, which Cancel stops: an import with its
// share done (counted), a check with a moving bar.
func (s *importScreen) busy(on, counted bool) {
	enable(s.check, !on)
	enable(s.path, !on)
	switch {
	case !on:
		s.stop = nil
		s.cancel.Hide()
		s.bar.Hide()
		s.spin.Stop()
		s.spin.Hide()
		return
	case counted:
		s.bar.SetValue(0)
		s.bar.Show()
	default:
		s.spin.Show()
		s.spin.Start()
	}
	s.run.Disable()
	s.cancel.Show()
}

// startCheck reads and checks the extract, and works out what importing
// it would change, off the UI goroutine.
func (s *importScreen) startCheck() {
	path := pastedPath(s.path.Text)
	if path == "" || s.stop != nil {
		setError(s.pathErr, "Choose the extract's folder or workbook first, or type its path.")
		s.win.Canvas().Focus(s.path)
		return
	}
	s.reset()
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.busy(true, false)
	s.hint.SetText("Checking " + path + "…")
	s.tasks.run("checking the files to import", func() func() {
		plan, err := s.planOf(ctx, path)
		return func() {
			s.busy(false, false)
			s.showCheck(path, plan, err)
		}
	})
}

// pathError is an extract that could not be opened at all: the path is
// what to fix, so the error is shown under it.
type pathError struct{ error }

func (e pathError) Unwrap() error { return e.error }

// planOf reads the extract at path and plans its import.
func (s *importScreen) planOf(ctx context.Context, path string) (store.ExtractPlan, error) {
	x, err := importer.OpenExtract(path)
	if err != nil {
		return store.ExtractPlan{}, pathError{err}
	}
	defer x.Close()
	return s.st.PlanExtract(ctx, func(sink data.ExtractSink) error { return x.Scan(sink) }, func(rows int) {
		s.tasks.do(func() { s.hint.SetText(fmt.Sprintf("Checking %s: %s read…", path, data.Count(rows, "row"))) })
	})
}

// showCheck shows what the check found: the problems, or the summary of
// what importing will change.
func (s *importScreen) showCheck(path string, plan store.ExtractPlan, err error) {
	var pl *importer.ProblemList
	var bad pathError
	switch {
	case errors.As(err, &bad):
		// Where the person looks: under the path, which has the cursor.
		setError(s.pathErr, err.Error())
		s.hint.SetText(importIntro)
		s.win.Canvas().Focus(s.path)
	case errors.As(err, &pl):
		s.probs = pl.Problems
		s.problems.Reset()
		s.problems.Show()
		s.copyAll.Show()
		more := ""
		if pl.Dropped > 0 {
			more = fmt.Sprintf(" (the first %s are listed)", data.Thousands(len(pl.Problems)))
		}
		s.hint.SetText(fmt.Sprintf("The extract cannot be imported: %s to fix%s. Nothing was written. Fix %s in the files "+
			"and check again; Copy the problems puts the list on the clipboard, Enter on a row copies that problem.",
			data.Count(pl.Len(), "problem"), more, data.Agree(pl.Len(), "it", "them")))
	case errors.Is(err, context.Canceled):
		s.hint.SetText("Check cancelled. Nothing was written.")
	case err != nil:
		s.hint.SetText(sentence(err.Error()))
	default:
		s.checked, s.plan = path, plan
		s.summary.SetText(planSummary(plan))
		s.summary.Show()
		s.run.Enable()
		s.hint.SetText("The extract is correct. Read what it will change, then choose Import.")
		s.win.Canvas().Focus(s.run)
	}
}

// planSummary says what an import will change.
func planSummary(p store.ExtractPlan) string {
	r := p.Rows
	lines := []string{
		fmt.Sprintf("Students: %s (%s new, %s changed, %s as they are).", data.Thousands(r.Students),
			data.Thousands(p.NewStudents), data.Thousands(p.ChangedStudents), data.Thousands(p.SameStudents)),
		fmt.Sprintf("Enrollments: %s (%s new, %s changed%s); the extract replaces the enrollments of each student it lists.",
			data.Thousands(r.Enrollments), data.Thousands(p.NewEnrollments), data.Thousands(p.ChangedEnrollments), movedPlan(p)),
		fmt.Sprintf("Programs: %s and assessments: %s, replacing those of each student listed.",
			data.Count(r.Programs, "row"), data.Count(r.Assessments, "row")),
		fmt.Sprintf("Geography: %s, %s (%s new), %s (%s new).", data.Count(r.Regions, "region"),
			data.Count(r.Districts, "district"), data.Thousands(p.NewDistricts), data.Count(r.Schools, "school"), data.Thousands(p.NewSchools)),
		"Migrant records, publishing and users are kept as they are; records whose students moved are listed under Needs publishing.",
	}
	if kept := r.KeptText(); kept != "" {
		lines[2] += " " + kept
	}
	if !p.Changes() {
		lines = append([]string{"The database already holds this extract's students and enrollments as they are."}, lines...)
	}
	return strings.Join(lines, "\n")
}

// movedPlan says how many of the enrollments changed the extract gives
// to another student under the same enrollment ID, or "" when none: the
// import takes them as the state's record has them, and names them.
func movedPlan(p store.ExtractPlan) string {
	if p.MovedEnrollments == 0 {
		return ""
	}
	return fmt.Sprintf(", %s of them to another student under the same enrollment ID", data.Thousands(p.MovedEnrollments))
}

// confirm asks before the import, which Enter confirms.
func (s *importScreen) confirm() {
	if s.checked == "" || s.dialogs.Open() {
		return
	}
	d := widgets.NewConfirm("Import the state extract?", "Import", "Cancel",
		widgets.Paragraph("Import "+s.checked+"?\n\n"+planSummary(s.plan), 560), func(ok bool) {
			if ok {
				s.load()
			}
		}, s.win)
	s.dialogs.ShowConfirm(d)
}

// load imports the extract checked, in one transaction, with its
// progress; Cancel rolls it back.
func (s *importScreen) load() {
	path, total := s.checked, s.plan.Rows
	all := total.Regions + total.Districts + total.Schools + total.Students + total.Enrollments + total.Programs + total.Assessments
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.busy(true, true)
	s.hint.SetText("Importing " + path + "…")
	usr := s.user
	s.tasks.run("importing", func() func() {
		x, err := importer.OpenExtract(path)
		var c store.ExtractCounts
		if err == nil {
			c, err = s.st.LoadExtract(ctx, usr, func(l *store.ExtractLoad) error {
				return x.Scan(&countingSink{ExtractSink: l, ctx: ctx, tick: func(n int) {
					s.tasks.do(func() { s.bar.SetValue(float64(n) / float64(max(all, 1))) })
				}})
			})
			x.Close()
		}
		return func() {
			s.busy(false, false)
			s.checked = ""
			switch {
			case errors.Is(err, context.Canceled):
				s.hint.SetText("Import cancelled: the database is as it was before.")
			case err != nil:
				s.hint.SetText(sentence(err.Error()) + " Nothing was written: the database is as it was before.")
			default:
				s.summary.Hide()
				msg := "Imported the state extract: " + importedText(c) + "."
				for _, note := range []string{c.KeptText(), c.MovedText()} {
					if note != "" {
						msg += " " + note
					}
				}
				s.hint.SetText(msg)
				s.done(msg)
			}
		}
	})
}

// importedText says what an import wrote.
func importedText(c store.ExtractCounts) string {
	return strings.Join([]string{data.Count(c.Regions, "region"), data.Count(c.Districts, "district"), data.Count(c.Schools, "school"),
		data.Count(c.Students, "student"), data.Count(c.Enrollments, "enrollment"), data.Count(c.Programs, "program row"),
		data.Count(c.Assessments, "assessment")}, ", ")
}

// stopWork is Cancel: the check or the import stops, and an import rolls
// back.
func (s *importScreen) stopWork() {
	if s.stop != nil {
		s.stop()
		s.hint.SetText("Cancelling…")
	}
}

// copyProblems puts every problem on the clipboard, a line each.
func (s *importScreen) copyProblems() {
	lines := make([]string, len(s.probs))
	for i, p := range s.probs {
		lines[i] = p.String()
	}
	fyne.CurrentApp().Clipboard().SetContent(strings.Join(lines, "\n"))
	s.hint.SetText(fmt.Sprintf("Copied %s to the clipboard.", data.Count(len(s.probs), "problem")))
}

// countingSink hands rows on to an import, counting them for the progress
// bar and stopping when the import is cancelled.
type countingSink struct {
	data.ExtractSink
	ctx  context.Context
	n    int
	tick func(rows int)
}

// importTickEvery is how many rows go by between two moves of the bar.
const importTickEvery = 5000

func (c *countingSink) row() error {
	c.n++
	if c.n%importTickEvery == 0 {
		c.tick(c.n)
	}
	return c.ctx.Err()
}

// pass counts a row and hands it on.
func pass[T any](c *countingSink, put func(T) error, row T) error {
	if err := c.row(); err != nil {
		return err
	}
	return put(row)
}

func (c *countingSink) Region(r data.Region) error     { return pass(c, c.ExtractSink.Region, r) }
func (c *countingSink) District(d data.District) error { return pass(c, c.ExtractSink.District, d) }
func (c *countingSink) School(sc data.School) error    { return pass(c, c.ExtractSink.School, sc) }
func (c *countingSink) Student(st data.Student) error  { return pass(c, c.ExtractSink.Student, st) }
func (c *countingSink) Enrollment(e data.Enrollment) error {
	return pass(c, c.ExtractSink.Enrollment, e)
}
func (c *countingSink) Program(p data.Program) error { return pass(c, c.ExtractSink.Program, p) }
func (c *countingSink) Assessment(a data.Assessment) error {
	return pass(c, c.ExtractSink.Assessment, a)
}
