package gui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

var enrollmentColumns = []column{
	{"District", 230}, {"School", 270}, {"Grade", 65}, {"Type", 110}, {"Start", 110}, {"Withdrawal", 110},
}

var programColumns = []column{
	{"Program", 250}, {"Start", 110}, {"End", 110},
}

// studentScreen is one student's detail: identity, enrollments, programs,
// latest levels and the migrant record history with each record's status.
type studentScreen struct {
	u      *UI
	detail store.StudentDetail
	loaded bool

	title       *widget.Label
	facts       *widget.Label
	newButton   *widget.Button
	publishBtn  *widget.Button
	records     *fyne.Container
	cards       []*recordCard
	enrollments *gridTable
	programs    *gridTable
	levels      *widget.Label
	scroll      *container.Scroll
	obj         fyne.CanvasObject

	form *recordForm // the Student Migrant Detail being edited, if any
}

func newStudentScreen(u *UI) *studentScreen {
	s := &studentScreen{
		u:           u,
		title:       heading(""),
		facts:       widget.NewLabel(""),
		records:     container.NewVBox(),
		enrollments: newGridTable(enrollmentColumns),
		programs:    newGridTable(programColumns),
		levels:      widget.NewLabel(""),
	}
	s.facts.Wrapping = fyne.TextWrapWord
	s.enrollments.empty = "No enrollment in the state extract: an out-of-school youth, or a student not enrolled yet."
	s.programs.empty = "No FRAM, Homeless, English Learner or IEP rows. No FRAM row means paid meals (not economically disadvantaged)."
	back := widget.NewButtonWithIcon("Back to search", theme.NavigateBackIcon(), u.showSearch)
	s.newButton = widget.NewButtonWithIcon("New record (Ctrl+N)", theme.ContentAddIcon(), s.newRecord)
	s.newButton.Importance = widget.HighImportance
	s.publishBtn = widget.NewButtonWithIcon("Publish records…", theme.UploadIcon(), s.publish)
	actions := container.NewHBox(back, s.newButton, s.publishBtn)
	head := container.NewVBox(s.title, s.facts, actions)

	recordsCard := widget.NewCard("Migrant records", "Student Migrant Detail history, latest first", s.records)
	enrollCard := widget.NewCard("Enrollments", "", s.enrollments.obj)
	programCard := widget.NewCard("Programs", "", s.programs.obj)
	levelCard := widget.NewCard("Latest state assessment", "", s.levels)
	lower := container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(340, 0), levelCard), programCard)
	body := container.NewVBox(recordsCard, enrollCard, lower)
	s.scroll = container.NewVScroll(body)
	s.obj = container.NewBorder(head, nil, nil, nil, s.scroll)
	return s
}

// shown reports whether a student is on screen.
func (s *studentScreen) shown() bool { return s.loaded && s.u.current == s.obj }

// openStudent reads a student off the UI goroutine and shows the detail.
func (u *UI) openStudent(stateID string) {
	u.background(func() func() {
		d, err := u.st.Student(context.Background(), stateID)
		return func() {
			if errors.Is(err, store.ErrNoStudent) {
				u.showError("Student not found", fmt.Errorf("no student has state ID %s in %s", stateID, u.st.Path()))
				return
			}
			if err != nil {
				u.showError("The student could not be opened", err)
				return
			}
			u.student.set(d)
			u.show(u.student.obj)
		}
	})
}

// reload reads the student shown again, after a save, delete or publish.
func (s *studentScreen) reload() {
	if s.loaded {
		s.u.openStudent(s.detail.Student.StateID)
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
	s.setRecords(d.Records)
	s.setEnrollments(d.Enrollments)
	s.setPrograms(d.Programs)
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

func (s *studentScreen) setRecords(recs []store.Record) {
	s.cards = nil
	s.records.Objects = nil
	if len(recs) == 0 {
		hint := widget.NewLabel("No migrant record yet. Click New record (Ctrl+N) to enter the Student Migrant Detail from the Certificate of Eligibility.")
		hint.Wrapping = fyne.TextWrapWord
		s.records.Add(hint)
	}
	unpublished := 0
	for _, r := range recs {
		c := newRecordCard(s, r)
		s.cards = append(s.cards, c)
		s.records.Add(c.obj)
		if r.Status != data.StatusPublished && len(r.Targets) > 0 {
			unpublished++
		}
	}
	s.records.Refresh()
	if unpublished == 0 {
		s.publishBtn.SetText("Publish records…")
		s.publishBtn.Disable()
	} else {
		s.publishBtn.SetText(fmt.Sprintf("Publish %d record%s…", unpublished, plural(unpublished)))
		s.publishBtn.Enable()
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (s *studentScreen) setEnrollments(es []data.PlacedEnrollment) {
	rows := make([][]string, len(es))
	for i, e := range es {
		end := "enrolled"
		if !e.End.IsZero() {
			end = e.End.US()
		}
		school := e.School.Number + " " + e.School.Name
		if !e.School.Public() {
			school += " (non-public)"
		}
		rows[i] = []string{e.District.Number + " " + e.District.Name, school, e.Grade, serviceName(e.ServiceType), e.Start.US(), end}
	}
	s.enrollments.setRows(rows)
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

func (s *studentScreen) setPrograms(ps []data.Program) {
	rows := make([][]string, len(ps))
	for i, p := range ps {
		end := "ongoing"
		if !p.End.IsZero() {
			end = p.End.US()
		}
		rows[i] = []string{programName(p), p.Start.US(), end}
	}
	s.programs.setRows(rows)
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

func (s *studentScreen) newRecord() {
	if !s.loaded || s.form != nil {
		return
	}
	s.openForm(store.Record{MigrantRecord: data.MigrantRecord{StateID: s.detail.Student.StateID, MIS2000ID: s.previousMIS2000ID()}})
}

// publish asks to publish the student's records that are not published as
// they should be.
func (s *studentScreen) publish() {
	var todo []store.Unpublished
	for _, r := range s.detail.Records {
		if r.Status != data.StatusPublished && len(r.Targets) > 0 {
			todo = append(todo, store.Unpublished{Record: r, Student: s.detail.Student})
		}
	}
	if len(todo) == 0 {
		return
	}
	s.u.confirmPublish(todo, s.reload)
}
