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
	"migrantdesk/gui/widgets"
)

// searchLimit is how many matches a search shows; more means the clerk
// should say more about the student.
const searchLimit = 200

// resultColumns are the columns of the search results, wide enough to read
// a compound surname, a school name and a district name; a wider window
// gives the names, schools and districts more. Together they fit the
// window's default width with no scroll bar, so each is at most a few
// pixels wider than its widest value (TestResultColumnsAreWideEnough).
var resultColumns = []widgets.Column{
	growing("Name", 312), col("Birth date", 96), col("Gender", 90), col("State ID", 104),
	growing("School", 298), col("Grade", 58), growing("District", 282),
}

// studentFinder is what Advanced Search reads.
type studentFinder interface {
	Districts(ctx context.Context, region string) ([]data.District, error)
	Search(ctx context.Context, q store.Query) ([]store.Result, error)
	RecentStudents(ctx context.Context, username string) ([]store.Result, error)
	Path() string
}

// searchScreen is Advanced Search: everything the clerk knows about the
// student, and the students that match. A clerk finds every student of
// the state, so as not to enter one twice.
type searchScreen struct {
	st       studentFinder
	tasks    *tasks
	win      fyne.Window
	hub      string // the hub the students come from; "" for a database that does not sync
	user     string // whose recently opened students the screen offers
	open     func(stateID string)
	last     *widgets.Entry
	first    *widgets.Entry
	birth    *widgets.Entry
	stateID  *widgets.Entry
	gender   *widget.Select
	district *widget.Select
	button   *widgets.Button
	hint     *widget.Label
	list     *widget.Label   // what the table shows: results, or the students opened recently
	imports  *widgets.Button // Import the state extract, on a database without students; nil for those who may not
	table    *widgets.RowTable
	actions  *fyne.Container // Search, Clear, and Import on a database without students
	obj      fyne.CanvasObject

	districts []data.District // the district choices, after "Any district"
	results   []store.Result
	recent    bool // the table shows the students opened recently, not results
	seq       int  // the latest search; older answers are dropped
}

const anyChoice = "Any"

// searchHint is what the search says before a search.
const searchHint = "Type what you know about the student and press Enter."

// newSearchScreen is the search of st, in win, whose students come from
// hub ("" none), for username; open opens a student found.
func newSearchScreen(st studentFinder, t *tasks, win fyne.Window, hub, username string, open func(stateID string)) *searchScreen {
	s := &searchScreen{
		st:      st,
		tasks:   t,
		win:     win,
		hub:     hub,
		user:    username,
		open:    open,
		list:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		last:    widgets.NewEntry("e.g. García López"),
		first:   widgets.NewEntry("e.g. María"),
		birth:   widgets.NewEntry("MM/DD/YYYY"),
		stateID: widgets.NewEntry("10 digits"),
		hint:    widget.NewLabel(searchHint),
	}
	for _, e := range []*widgets.Entry{s.last, s.first, s.birth, s.stateID} {
		e.OnSubmitted = func(string) { s.run() }
		e.OnDown = s.toResults
	}
	genders := []string{anyChoice}
	for _, g := range data.Genders() {
		genders = append(genders, data.GenderName(g))
	}
	s.gender = widget.NewSelect(genders, nil)
	s.gender.SetSelectedIndex(0)
	s.district = widget.NewSelect([]string{anyChoice}, nil)
	s.district.SetSelectedIndex(0)
	s.button = widgets.NewButtonWithIcon("Search", theme.SearchIcon(), s.run)
	s.button.Importance = widget.HighImportance
	clear := widgets.NewButton("Clear", s.clear)
	s.hint.Wrapping = fyne.TextWrapWord
	s.table = s.newTable()
	s.list.Hide()

	form := container.NewGridWithColumns(6,
		labeled("Last name", s.last), labeled("First name", s.first), labeled("Birth date", s.birth),
		labeled("State ID", s.stateID), labeled("Gender", s.gender), labeled("District", s.district),
	)
	s.actions = container.NewHBox(s.button, clear)
	buttons := border(nil, nil, container.NewVBox(s.actions), nil, newHintPlace(s.hint))
	top := container.NewVBox(heading("Advanced Search"), form, buttons, s.list)
	// In a window too short for the search and a few results (a small
	// laptop at 150%), the screen scrolls down to a table of four rows
	// rather than showing one row under the search.
	s.obj = container.NewVScroll(border(top, nil, nil, nil, fourRows(s.table)))
	return s
}

// offerImport offers, on a database without students, to import the
// state extract with run.
func (s *searchScreen) offerImport(run func()) {
	s.imports = widgets.NewButtonWithIcon("Import the state extract…", theme.DownloadIcon(), run)
	s.imports.Importance = widget.HighImportance
	s.imports.Hide()
	s.actions.Add(s.imports)
}

// loadDistricts reads the district choices, and says what to do when
// the database has none yet.
func (s *searchScreen) loadDistricts() {
	s.tasks.run("reading the district choices", func() func() {
		ds, err := s.st.Districts(context.Background(), "")
		return func() {
			if err != nil {
				s.hint.SetText(sentence(err.Error()))
				return
			}
			s.districts = ds
			switch {
			case len(ds) > 0:
				if s.imports != nil {
					s.imports.Hide()
				}
				if s.seq == 0 {
					s.hint.SetText(searchHint) // the first sync brought the students
				}
			case s.imports != nil:
				s.hint.SetText("This database has no students yet: import the state extract to start.")
				s.imports.Show()
			case s.hub != "":
				s.hint.SetText("No students on this computer yet: they arrive with the first sync with the hub, " +
					"which the status bar below follows.")
			default:
				s.hint.SetText(fmt.Sprintf("This database has no students yet: the state administrator loads the state extract "+
					"(File → Import the state extract…, or migrantdeskctl import --db %s FOLDER).", s.st.Path()))
			}
			opts := []string{anyChoice}
			for _, d := range ds {
				opts = append(opts, d.Number+" "+d.Name)
			}
			s.district.SetOptions(opts)
			s.district.SetSelectedIndex(0)
		}
	})
}

// newTable is the results: Tab or Down from a field reaches them, the
// arrows move the highlighted row, Enter opens it, and so does a click.
func (s *searchScreen) newTable() *widgets.RowTable {
	t := widgets.NewRowTable(s.win, func() int { return len(s.results) }, resultColumns,
		func(row, col int) string { return resultCell(s.results[row], col) })
	t.OnActivate = func(row int) { s.open(s.results[row].Student.StateID) }
	return t
}

// toResults puts the keyboard on the results, when there are some.
func (s *searchScreen) toResults() {
	if len(s.results) > 0 {
		s.win.Canvas().Focus(s.table)
	}
}

// resultCell is the text of one cell of the results.
func resultCell(r store.Result, col int) string {
	switch col {
	case 0:
		return r.Student.FullName()
	case 1:
		return r.Student.BirthDate.US()
	case 2:
		return data.GenderName(r.Student.Gender)
	case 3:
		return r.Student.StateID
	case 4:
		if r.SchoolName == "" {
			return "not enrolled"
		}
		return r.SchoolName
	case 5:
		return r.Grade
	case 6:
		if r.DistrictNumber == "" {
			return ""
		}
		return r.DistrictNumber + " " + r.DistrictName
	}
	return ""
}

// query reads the form, or says what to fix in it.
func (s *searchScreen) query() (store.Query, error) {
	q := store.Query{
		Last:    strings.TrimSpace(s.last.Text),
		First:   strings.TrimSpace(s.first.Text),
		StateID: strings.TrimSpace(s.stateID.Text),
		Limit:   searchLimit,
	}
	var err error
	if q.BirthDate, err = data.ParseOptionalDate(s.birth.Text); err != nil {
		return q, fmt.Errorf("birth date: %w", err)
	}
	if i := s.gender.SelectedIndex(); i > 0 {
		q.Gender = data.Genders()[i-1]
	}
	if i := s.district.SelectedIndex(); i > 0 {
		q.District = s.districts[i-1].Number
	}
	if q.Empty() {
		return q, store.ErrEmptyQuery
	}
	return q, nil
}

// run searches with what the form holds, off the UI goroutine.
func (s *searchScreen) run() {
	q, err := s.query()
	if err != nil {
		s.hint.SetText(sentence(err.Error()))
		return
	}
	s.seq++
	seq := s.seq
	s.hint.SetText("Searching…")
	s.tasks.run("searching", func() func() {
		res, err := s.st.Search(context.Background(), q)
		return func() {
			if seq != s.seq {
				return
			}
			stopped := errors.Is(err, store.ErrSearchStopped)
			arriving := errors.Is(err, store.ErrSearchPartial)
			if err != nil && !stopped && !arriving {
				s.hint.SetText(sentence(err.Error()))
				return
			}
			s.show(q, res, stopped)
			if arriving {
				found := "No student found yet. "
				if n := len(res); n > 0 {
					found = fmt.Sprintf("%s found so far. ", data.Count(n, "student"))
				}
				s.hint.SetText(found + sentence(err.Error()) + " Sync now (Ctrl+R) brings the rest.")
			}
		}
	})
}

// setList says what the table shows; nothing takes no room.
func (s *searchScreen) setList(text string) {
	s.list.SetText(text)
	s.list.Hidden = text == ""
	s.list.Refresh()
}

// loadRecent reads the students opened recently, and shows them while no
// search has results to show.
func (s *searchScreen) loadRecent() {
	if s.user == "" {
		return
	}
	s.tasks.run("reading the students opened lately", func() func() {
		res, err := s.st.RecentStudents(context.Background(), s.user)
		return func() {
			if err != nil || !(s.recent || len(s.results) == 0) {
				return // a failure here costs a shortcut, not the search
			}
			s.recent = true
			s.results = res
			s.table.Reset()
			s.setList("")
			if len(res) > 0 {
				s.setList(fmt.Sprintf("Recently opened (%s): Down then Enter, or a click, opens one again", data.Count(len(res), "student")))
			}
		}
	})
}

// show shows the results of search q; stopped says the search looked
// through as many students as it may before it found them all.
func (s *searchScreen) show(q store.Query, res []store.Result, stopped bool) {
	s.recent = false
	s.results = res
	s.table.Reset()
	s.setList("Results")
	s.hint.SetText(resultHint(q, len(res), stopped))
}

// resultHint is what the search says of n students found by q; stopped
// says it looked through as many students as it may before it found
// them all.
func resultHint(q store.Query, n int, stopped bool) string {
	switch {
	case stopped:
		return fmt.Sprintf("%s shown, but more may match: the search stopped after looking through "+
			"many students whose names start alike. Type more of the name, a birth date or a state ID.", data.Count(n, "student"))
	case n == 0:
		return "No student matches. Try one surname only (García instead of García López), " +
			"leave out the first name, or search by birth date or state ID alone."
	case n == 1:
		return "1 student found. Click the row, or press Down then Enter, to open the student."
	case n >= searchLimit:
		return fmt.Sprintf("The first %d matches are shown: %s to find the student.", n, narrower(q))
	default:
		return fmt.Sprintf("%s found. Birth date, school and grade tell students of the same name apart; "+
			"click a row, or press Down, move with the arrows and press Enter, to open the student.", data.Count(n, "student"))
	}
}

// resultHints are the longest of each kind of hint a search gives.
func resultHints() []string {
	return []string{
		searchHint,
		resultHint(store.Query{}, searchLimit-1, true),
		resultHint(store.Query{}, 0, false),
		resultHint(store.Query{}, 1, false),
		resultHint(store.Query{}, searchLimit, false),
		resultHint(store.Query{}, searchLimit-1, false),
	}
}

// hintPlace lays out the search's hint as high as the tallest of the
// hints a search gives needs at the hint's width, or as the hint now
// needs when it is taller (an error, students still arriving): the
// results under it stay where they are from one search to the next. A
// place of two lines whatever the width left a blank line under every
// hint in a window 1366 wide, where each fits on one.
type hintPlace struct {
	hints    []string
	probe    *widget.Label
	width    float32 // the width laid out at, where tallest was measured
	measured float32
	tallest  float32
}

func newHintPlace(hint *widget.Label) *fyne.Container {
	probe := widget.NewLabel("")
	probe.Wrapping = hint.Wrapping
	return container.New(&hintPlace{hints: resultHints(), probe: probe}, hint)
}

func (p *hintPlace) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	p.width = size.Width
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}

func (p *hintPlace) MinSize(objs []fyne.CanvasObject) fyne.Size {
	own := objs[0].MinSize()
	// Before its first layout the width is not known: wrapped to none,
	// each word would take a line.
	if p.width > 0 && p.width != p.measured {
		p.measured, p.tallest = p.width, 0
		for _, h := range p.hints {
			p.probe.SetText(h)
			p.probe.Resize(fyne.NewSize(p.width, p.probe.MinSize().Height))
			p.tallest = max(p.tallest, p.probe.MinSize().Height)
		}
	}
	return fyne.NewSize(own.Width, max(own.Height, p.tallest))
}

// narrower says what would narrow a search that found more students than
// it shows: the names and birth date the clerk left out, else more of
// what was typed. Asking for a field already filled in sends the clerk
// looking for a mistake that is not there.
func narrower(q store.Query) string {
	var add []string
	if q.Last == "" {
		add = append(add, "a last name")
	}
	if q.First == "" {
		add = append(add, "a first name")
	}
	if q.BirthDate.IsZero() {
		add = append(add, "a birth date")
	}
	switch len(add) {
	case 0:
		return "type more of the names, or the state ID"
	case 1:
		return "add " + add[0]
	}
	return "add " + strings.Join(add[:len(add)-1], ", ") + " or " + add[len(add)-1]
}

func (s *searchScreen) clear() {
	for _, e := range []*widgets.Entry{s.last, s.first, s.birth, s.stateID} {
		e.SetText("")
	}
	s.gender.SetSelectedIndex(0)
	s.district.SetSelectedIndex(0)
	s.seq++
	s.results = nil
	s.table.Refresh()
	s.setList("")
	s.hint.SetText(searchHint)
	s.win.Canvas().Focus(s.last)
	s.loadRecent()
}
