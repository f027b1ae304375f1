package gui

import (
	"context"
	"errors"
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

var enrollmentColumns = []widgets.Column{
	growing("District", 230), growing("School", 270), col("Grade", 65), col("Type", 110), col("Start", 110), col("Withdrawal", 110),
}

var programColumns = []widgets.Column{
	col("Program", 250), col("Start", 110), col("End", 110),
}

// studentStore is what the student screen reads and writes.
type studentStore interface {
	Student(ctx context.Context, stateID string) (store.StudentDetail, error)
	SaveRecord(ctx context.Context, u data.User, r data.MigrantRecord) (store.Record, error)
	DeleteRecord(ctx context.Context, u data.User, id string, version int) error
	Drafts(ctx context.Context, username string) ([]store.Draft, error)
	draftStore
	Path() string
}

// studentScreen is one student's detail: identity, enrollments, programs,
// latest levels and the migrant record history with each record's status.
// The user may change the records only of a student enrolled in the
// user's region, and not of one the hub's last snapshot left out of it
// (data.User.MayWriteRecordsHere); for any other
// the controls are disabled and the screen says why.
type studentScreen struct {
	st      studentStore
	user    data.User
	regions data.RegionNames // to name the regions of a refusal
	// name names a user by full name, from the user name.
	name    func(username string) string
	tasks   *tasks
	dialogs *widgets.Dialogs
	pub     *publisher
	changed func(msg string) // after a write: say what was done
	detail  store.StudentDetail
	loaded  bool
	// refusal is why the user may not change this student's records;
	// nil when they may.
	refusal error

	title       *widget.Label
	facts       *widget.Label
	backBtn     *widgets.Button
	newButton   *widgets.Button
	publishBtn  *widgets.Button
	readOnly    *widget.Label
	readOnlyBox fyne.CanvasObject
	// drafts are the student's typing kept from before (store.Draft),
	// the first of them shown in draftBox until it is typed on or
	// discarded.
	drafts      []store.Draft
	draftText   *widget.Label
	draftGo     *widgets.Button
	draftBox    fyne.CanvasObject
	records     *fyne.Container
	cards       []*recordCard
	enrollments *widgets.GridTable
	programs    *widgets.GridTable
	levels      *widget.Label
	scroll      *container.Scroll
	obj         fyne.CanvasObject

	form *recordForm // the Student Migrant Detail being edited, if any
	// closedDraft is the drafter of the form closed last, whose store
	// may still hold typing it is forgetting: the screen, read again
	// after a save, waits for it rather than offer that typing back.
	closedDraft *drafter
	// onScreen reports whether the screen is the one shown, so that the
	// keyboard goes to none of its buttons from behind another screen.
	onScreen func() bool
}

// newStudentScreen is the detail of a student as usr sees it, read from
// and written to st; pub publishes, changed hears what a write did.
// Its back button returns to the screen the student was opened from
// (setBack).
func newStudentScreen(st studentStore, usr data.User, regions data.RegionNames, t *tasks, dialogs *widgets.Dialogs, pub *publisher,
	changed func(msg string)) *studentScreen {
	s := &studentScreen{
		st:        st,
		user:      usr,
		regions:   regions,
		tasks:     t,
		dialogs:   dialogs,
		pub:       pub,
		changed:   changed,
		title:     heading(""),
		facts:     wrapped(""),
		readOnly:  widget.NewLabel(""),
		draftText: widget.NewLabel(""),
		records:   container.NewVBox(),
		enrollments: widgets.NewGridTable(enrollmentColumns,
			"No enrollment in the state extract: an out-of-school youth, or a student not enrolled yet."),
		programs: widgets.NewGridTable(programColumns,
			"No FRAM, Homeless, English Learner or IEP rows. No FRAM row means paid meals (not economically disadvantaged)."),
		levels: widget.NewLabel(""),
	}
	// Buttons that Enter presses as Space does: after a save the keyboard
	// is on Publish (nextStep).
	s.backBtn = widgets.NewButtonWithIcon("", theme.NavigateBackIcon(), nil)
	s.newButton = widgets.NewButtonWithIcon("New record (Ctrl+N)", theme.ContentAddIcon(), s.newRecord)
	s.newButton.Importance = widget.HighImportance
	s.publishBtn = widgets.NewButtonWithIcon("Publish records… (Ctrl+P)", theme.UploadIcon(), s.publish)
	// Back keeps the room of its longest name, so that New record and
	// Publish stay where the clerk's mouse knows them whichever screen
	// the student was opened from.
	longest := widgets.NewButtonWithIcon("Back to "+needsName, theme.NavigateBackIcon(), nil)
	back := sized(container.NewHBox(s.backBtn), longest.MinSize().Width, 0)
	actions := container.NewHBox(back, s.newButton, s.publishBtn)
	s.readOnlyBox = note(theme.InfoIcon(), s.readOnly)
	s.readOnlyBox.Hide()
	s.draftGo = widgets.NewButtonWithIcon("Go on typing", theme.DocumentCreateIcon(), s.continueDraft)
	s.draftGo.Importance = widget.HighImportance
	drop := widgets.NewButtonWithIcon("Discard…", theme.DeleteIcon(), s.askDiscardDraft)
	// The buttons beside the note, not under it: a line less of the
	// height a small screen at 150% has.
	s.draftBox = border(nil, nil, nil, container.NewHBox(s.draftGo, drop), note(theme.WarningIcon(), s.draftText))
	s.draftBox.Hide()
	head := container.NewVBox(s.title, s.facts, actions, s.readOnlyBox, s.draftBox)

	recordsCard := widget.NewCard("Migrant records", "Student Migrant Detail history, latest first", s.records)
	enrollCard := widget.NewCard("Enrollments", "", s.enrollments.Object())
	programCard := widget.NewCard("Programs", "", s.programs.Object())
	levelCard := widget.NewCard("Latest state assessment", "", s.levels)
	lower := border(nil, nil, nil, container.NewGridWrap(fyne.NewSize(340, 0), levelCard), programCard)
	body := container.NewVBox(recordsCard, enrollCard, lower)
	s.scroll = container.NewVScroll(body)
	s.obj = border(head, nil, nil, nil, s.scroll)
	return s
}

// open reads a student off the UI goroutine, shows the detail, then calls
// shown (if not nil).
func (s *studentScreen) open(stateID string, shown func()) {
	closed := s.closedDraft
	s.closedDraft = nil
	s.tasks.run("opening the student", func() func() {
		ctx := context.Background()
		if closed != nil {
			closed.wait(draftWait)
		}
		d, err := s.st.Student(ctx, stateID)
		var drafts []store.Draft
		var draftsErr error
		if err == nil {
			drafts, draftsErr = s.studentDrafts(ctx, d)
		}
		return func() {
			if errors.Is(err, store.ErrNoStudent) {
				s.dialogs.ShowError("Student not found", fmt.Errorf("no student has state ID %s in %s", stateID, s.st.Path()))
				return
			}
			if err != nil {
				s.dialogs.ShowError("The student could not be opened", err)
				return
			}
			s.set(d)
			s.setDrafts(drafts)
			if draftsErr != nil {
				s.changed(sentence(draftsErr.Error()))
			}
			if shown != nil {
				shown()
			}
		}
	})
}

// needsName is the name of the Needs publishing screen, the longest of
// the screens a student is opened from (setBack's where).
const needsName = "Needs publishing"

// setBack makes the back button return to the screen named where, by
// showing it: a clerk who opened a student from Needs publishing goes on
// down that list, not back to a search they never made.
func (s *studentScreen) setBack(where string, show func()) {
	s.backBtn.SetText("Back to " + where)
	s.backBtn.OnTapped = show
}

// reload reads the student shown again, after a save, delete or publish.
func (s *studentScreen) reload() {
	if s.loaded {
		s.open(s.detail.Student.StateID, nil)
	}
}

// set fills the screen with a student's detail.
func (s *studentScreen) set(d store.StudentDetail) {
	if d.Student.StateID != s.detail.Student.StateID {
		s.scroll.ScrollToTop()
	}
	s.detail, s.loaded = d, true
	st := d.Student
	s.title.SetText(st.FullName())
	s.facts.SetText(identity(st, today()))
	s.refusal = s.user.MayWriteRecordsHere(st.StateID, regionsOf(d.Enrollments), d.LeftOut, s.regions)
	if s.refusal != nil {
		s.readOnly.SetText(sentence(s.refusal.Error()))
		s.readOnlyBox.Show()
	} else {
		s.readOnlyBox.Hide()
	}
	enable(s.newButton, s.refusal == nil)
	s.setRecords(d.Records)
	s.setEnrollments(d.Enrollments)
	s.programs.SetRows(programRows(d.Programs))
	s.setLevels(d)
}

// identity is the line of facts under the student's name.
func identity(st data.Student, on data.Date) string {
	parts := []string{"State ID " + st.StateID}
	if st.LocalNumber != "" {
		parts = append(parts, "local number "+st.LocalNumber)
	}
	born := "born " + st.BirthDate.US()
	if age := yearsBetween(st.BirthDate, on); age >= 0 {
		born += fmt.Sprintf(" (age %d)", age)
	}
	parts = append(parts, born)
	if g := data.GenderName(st.Gender); g != "" {
		parts = append(parts, g)
	}
	if r := data.RaceName(st.Race); r != "" {
		parts = append(parts, r)
	}
	return strings.Join(parts, " · ")
}

// yearsBetween is a person's age on a day, or -1 without a birth date.
func yearsBetween(birth, on data.Date) int {
	if birth.IsZero() {
		return -1
	}
	years := on.Year() - birth.Year()
	if on.Month() < birth.Month() || (on.Month() == birth.Month() && on.Day() < birth.Day()) {
		years--
	}
	return years
}

// regionsOf are the regions a student is enrolled in, as the write rule
// reads them: those of the districts of all the enrollments.
func regionsOf(es []data.PlacedEnrollment) data.StudentRegions {
	var out data.StudentRegions
	for _, e := range es {
		if !slices.Contains(out, e.District.RegionCode) {
			out = append(out, e.District.RegionCode)
		}
	}
	slices.Sort(out)
	return out
}

func (s *studentScreen) setRecords(recs []store.Record) {
	s.cards = nil
	s.records.Objects = nil
	if len(recs) == 0 {
		// The refusal above says who may enter one; pointing at a
		// disabled button would send the user looking for a way round it.
		text := "No migrant record yet."
		if s.refusal == nil {
			text += " Click New record (Ctrl+N) to enter the Student Migrant Detail from the Certificate of Eligibility."
		}
		hint := widget.NewLabel(text)
		hint.Wrapping = fyne.TextWrapWord
		s.records.Add(hint)
	}
	unpublished := 0
	for _, r := range recs {
		c := newRecordCard(s, r)
		s.cards = append(s.cards, c)
		s.records.Add(c.obj)
		if data.NeedsAction(r.Status, r.Targets) {
			unpublished++
		}
	}
	s.records.Refresh()
	// The key in the label, as New record and Save show theirs.
	if unpublished == 0 {
		s.publishBtn.SetText("Publish records… (Ctrl+P)")
	} else {
		s.publishBtn.SetText(fmt.Sprintf("Publish %s… (Ctrl+P)", data.Count(unpublished, "record")))
	}
	enable(s.publishBtn, unpublished > 0 && s.refusal == nil)
}

func (s *studentScreen) setEnrollments(es []data.PlacedEnrollment) {
	rows := make([][]string, len(es))
	for i, e := range es {
		rows[i] = append([]string{e.District.Number + " " + e.District.Name}, enrollmentCells(e)...)
	}
	s.enrollments.SetRows(rows)
}

// enrollmentCells are an enrollment as the tables show it: school, grade,
// service type, start and withdrawal.
func enrollmentCells(e data.PlacedEnrollment) []string {
	end := "enrolled"
	if !e.End.IsZero() {
		end = e.End.US()
	}
	// The classification goes before the name, which a narrow column
	// cuts short: it keeps the school out of the report.
	school := e.School.Number + " " + e.School.Name
	if !e.School.Public() {
		school = e.School.Number + " (non-public) " + e.School.Name
	}
	return []string{school, e.Grade, serviceName(e.ServiceType), e.Start.US(), end}
}

func serviceName(t string) string {
	switch t {
	case data.ServicePrimary:
		return "P primary"
	case data.ServiceSecondary:
		return "S secondary"
	case data.ServiceSpecialEd:
		return "N special ed."
	}
	return t
}

// programRows are programs as the tables show them: name, start, end.
func programRows(ps []data.Program) [][]string {
	rows := make([][]string, len(ps))
	for i, p := range ps {
		end := "ongoing"
		if !p.End.IsZero() {
			end = p.End.US()
		}
		rows[i] = []string{programName(p), p.Start.US(), end}
	}
	return rows
}

func programName(p data.Program) string {
	switch p.Program {
	case data.ProgramFRAM:
		switch p.Code {
		case data.MealsFree:
			return "Meals: free (FRAM F)"
		case data.MealsReduced:
			return "Meals: reduced (FRAM R)"
		case data.MealsPaid:
			return "Meals: paid (FRAM P)"
		}
	case data.ProgramHomeless:
		return "Homeless"
	case data.ProgramEL:
		return "English Learner"
	case data.ProgramIEP:
		return "Disability (IEP)"
	}
	return strings.TrimSpace(p.Program + " " + p.Code)
}

func (s *studentScreen) setLevels(d store.StudentDetail) {
	s.levels.SetText(latestLevels(d.Assessments, today()))
}

// latestLevels says the most recent performance level of each subject on
// or before the day given, as the student detail and the district's record
// detail show it.
func latestLevels(as []data.Assessment, on data.Date) string {
	line := func(name, subject string) string {
		a, ok := data.LatestAssessment(as, subject, on)
		if !ok {
			return name + ": no test on record"
		}
		return fmt.Sprintf("%s: %s (tested %s)", name, a.Level, a.TestDate.US())
	}
	return line("Math", data.SubjectMath) + "\n" + line("Reading", data.SubjectReading)
}

// previousMIS2000ID is the MIS2000 ID of the student's latest record, which
// a new record starts with.
func (s *studentScreen) previousMIS2000ID() string {
	if len(s.detail.Records) == 0 {
		return ""
	}
	return s.detail.Records[0].MIS2000ID
}

// openForm shows the Student Migrant Detail for r: a new record when r.ID
// is "", else an edit of the version shown.
func (s *studentScreen) openForm(r store.Record) {
	if s.form != nil || s.refusal != nil {
		return
	}
	title := "New Student Migrant Detail"
	if r.ID != "" {
		title = "Edit Student Migrant Detail"
	}
	student, user := s.detail.Student, s.user
	typed, changedSince := s.draftFor(r)
	draft := s.drafter(r)
	s.form = openRecordForm(recordEdit{
		title:   title,
		student: student,
		rec:     r,
		others:  s.others(),
		note:    changedSince,
		typed:   typed,
		draft:   draft,
		save: func(rec data.MigrantRecord) (func(), error) {
			saved, err := s.st.SaveRecord(context.Background(), user, rec)
			if err != nil {
				return nil, err
			}
			return func() {
				verb := "Saved"
				switch {
				case rec.ID == "":
				case saved.Version == rec.Version:
					// The store keeps the version when given the values it has.
					verb = "Nothing was changed in"
				default:
					verb = "Saved the change to"
				}
				msg := fmt.Sprintf("%s the record with MIS2000 ID %s of %s.", verb, saved.MIS2000ID, student.FullName())
				if data.NeedsAction(saved.Status, saved.Targets) {
					msg += " Publish it to send it to " + districtList(saved.Targets) + "."
				}
				s.changed(msg)
				s.open(student.StateID, s.nextStep)
			}, nil
		},
		closed: func() {
			s.form, s.closedDraft = nil, draft
			// Fyne gives the keyboard back to what had it before the
			// form: nothing, when Ctrl+N opened it, and Tab then
			// started again at the toolbar.
			s.dialogs.WhenClosed(func() {
				if s.dialogs.Window().Canvas().Focused() == nil {
					s.nextStep()
				}
			})
		},
	}, s.dialogs, s.tasks)
	// The form holds the typing now, and keeps it: the note behind it
	// goes on to the next, if any.
	s.settle(r.ID)
}

// others are the student's records as stored, for the overlap rule.
func (s *studentScreen) others() []data.MigrantRecord {
	out := make([]data.MigrantRecord, len(s.detail.Records))
	for i, r := range s.detail.Records {
		out[i] = r.MigrantRecord
	}
	return out
}

func (s *studentScreen) newRecord() {
	if !s.loaded || s.form != nil || s.refusal != nil {
		return
	}
	s.openForm(store.Record{MigrantRecord: data.MigrantRecord{StateID: s.detail.Student.StateID, MIS2000ID: s.previousMIS2000ID()}})
}

// publish asks to publish the student's records that are not published as
// they should be.
func (s *studentScreen) publish() {
	var todo []store.Unpublished
	for _, r := range s.detail.Records {
		if data.NeedsAction(r.Status, r.Targets) {
			todo = append(todo, store.Unpublished{Record: r, Student: s.detail.Student})
		}
	}
	if len(todo) == 0 || s.refusal != nil {
		return
	}
	s.pub.confirm(todo, func() { s.open(s.detail.Student.StateID, s.nextStep) })
}

// nextStep puts the keyboard on what the clerk does next once a record
// is saved or published: Publish while the student has records to
// publish, else New record. The form and the confirmation closed with
// the keyboard nowhere.
func (s *studentScreen) nextStep() {
	if s.onScreen == nil || !s.onScreen() || s.dialogs.Open() {
		return
	}
	c := s.dialogs.Window().Canvas()
	switch {
	case !s.publishBtn.Disabled():
		c.Focus(s.publishBtn)
	case !s.newButton.Disabled():
		c.Focus(s.newButton)
	}
}
