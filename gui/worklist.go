package gui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// worklistStore is what the worklist reads and writes: when the user last
// looked at the district, and the district's worklist since then.
type worklistStore interface {
	LookAtDistrict(ctx context.Context, u data.User, district string) (before string, ok bool, err error)
	LastLook(ctx context.Context, user, district string) (at string, ok bool, err error)
	DistrictWorklist(ctx context.Context, u data.User, district string, since data.WorkSince, today data.Date) (store.Worklist, error)
}

// worklistScreen is the summary a district window opens on: what needs
// the coordinator's eye since they last looked, four counts that each
// show their records in the records tab.
type worklistScreen struct {
	st      worklistStore
	tab     districtTab
	preview bool // a clerk's preview: looking is not recorded
	// show shows a line's records in the records tab, going there when
	// asked (a click), or only when it shows a line already (a refresh).
	show func(title string, records map[string]string, click bool)
	line int // the line last shown, -1 for none

	since data.WorkSince
	known bool // since is read; it stays for the window's life
	// looking is set while the look is being recorded, so that a refresh
	// asked for meanwhile waits for it (again) rather than recording a
	// second look, which would read the first one's time as the last look.
	looking, again bool
	list           store.Worklist
	intro          *widget.Label
	buttons        [data.NumWorkItems]*widgets.Button
	obj            fyne.CanvasObject
}

func newWorklistScreen(st worklistStore, tab districtTab, preview bool, show func(title string, records map[string]string, click bool)) *worklistScreen {
	s := &worklistScreen{st: st, tab: tab, preview: preview, show: show, line: -1, intro: wrapped("Reading the worklist…")}
	rows := container.NewVBox()
	icons := workIcons()
	for i := range s.buttons {
		item := i
		b := widgets.NewButtonWithIcon("", icons[i], func() { s.open(item) })
		b.Alignment = widget.ButtonAlignLeading
		b.Disable()
		s.buttons[i] = b
		rows.Add(b)
	}
	hint := wrapped("Click a line to see its records in the Migrant records tab; click a record there to see everything about it. " +
		"Each line counts the records as the district received them.")
	s.obj = container.NewVScroll(container.NewVBox(heading("Worklist"), s.intro, rows, widget.NewSeparator(), hint))
	return s
}

// workIcons are the lines' icons, asked of the theme when a window is
// made: a theme icon made at package start asks for an app that does not
// exist yet, and Fyne logs an error for each.
func workIcons() [data.NumWorkItems]fyne.Resource {
	return [data.NumWorkItems]fyne.Resource{theme.MailSendIcon(), theme.AccountIcon(), theme.HistoryIcon(), theme.WarningIcon()}
}

// load reads when the user last looked (once: opening the window is the
// look, except in a clerk's preview), then the worklist since then. Once
// read, when they looked before stays, so that a refresh, or a retry after
// the worklist failed, counts from the same look.
func (s *worklistScreen) load() {
	if s.looking {
		s.again = true
		return
	}
	usr, d, today := s.tab.user, s.tab.d, s.tab.today
	known, since := s.known, s.since
	s.looking = !known
	s.tab.tasks.run("reading the work list", func() func() {
		ctx := context.Background()
		var err error
		if !known {
			since, err = s.readSince(ctx, usr, d.Number, today)
		}
		read := err == nil
		var wl store.Worklist
		if err == nil {
			wl, err = s.st.DistrictWorklist(ctx, usr, d.Number, since, today)
		}
		return func() {
			s.looking = false
			if read {
				s.since, s.known = since, true
			}
			if err != nil {
				s.intro.SetText(sentence(err.Error()))
			} else {
				s.list = wl
				s.set()
			}
			if s.again {
				s.again = false
				s.load()
			}
		}
	})
}

// readSince is when the user last looked, and notes that they look now.
func (s *worklistScreen) readSince(ctx context.Context, usr data.User, district string, today data.Date) (data.WorkSince, error) {
	var at string
	var ok bool
	var err error
	if s.preview {
		at, ok, err = s.st.LastLook(ctx, usr.Username, district)
	} else {
		at, ok, err = s.st.LookAtDistrict(ctx, usr, district)
	}
	if err != nil || !ok {
		return data.FirstLook(today), err
	}
	return data.LookedAt(at)
}

// sinceText is "since you last looked (11/20/2026)", or since the school
// year began for a first look.
func (s *worklistScreen) sinceText() string {
	if s.since.At == data.FirstLook(s.tab.today).At {
		return fmt.Sprintf("since the school year began (%s)", s.since.Day.AddDays(1).US())
	}
	return fmt.Sprintf("since you last looked (%s)", s.since.Day.US())
}

// titles are the lines of the summary, by item, with their counts.
func (s *worklistScreen) titles() [data.NumWorkItems]string {
	students := func(i int) int {
		seen := map[string]bool{}
		for _, id := range s.list[i] {
			seen[id] = true
		}
		return len(seen)
	}
	year := data.SchoolYearOf(s.tab.today)
	n := [data.NumWorkItems]int{len(s.list[data.WorkPublished]), students(data.WorkEnrolled), students(data.WorkEnding), students(data.WorkFreeMeal)}
	return [data.NumWorkItems]string{
		fmt.Sprintf("%s published to the district %s", data.Count(n[0], "record"), s.sinceText()),
		data.Count(n[1], "migrant student") + " newly enrolled in the district since then",
		fmt.Sprintf("%s whose eligibility ends within %d days (by %s)", data.Count(n[2], "student"),
			data.EndingWithinDays, s.tab.today.AddDays(data.EndingWithinDays).US()),
		fmt.Sprintf("%s enrolled now with no free-meal status (Economically Disadvantaged \"No\" in the %d–%02d report)",
			data.Count(n[3], "student"), year.From.Year(), year.To.Year()%100),
	}
}

func (s *worklistScreen) set() {
	whose := "your"
	if s.preview {
		whose = "the coordinator's"
	}
	s.intro.SetText(fmt.Sprintf("What needs %s attention %s, as of %s:", whose, s.sinceText(), s.tab.today.US()))
	for i, t := range s.titles() {
		b := s.buttons[i]
		b.SetText(t)
		enable(b, len(s.list[i]) > 0)
		b.Importance = widget.MediumImportance
		if len(s.list[i]) > 0 {
			b.Importance = widget.HighImportance
		}
		b.Refresh()
	}
	if s.line >= 0 {
		s.show(s.titles()[s.line], s.list[s.line], false)
	}
}

// open shows an item's records in the records tab.
func (s *worklistScreen) open(item int) {
	s.line = item
	s.show(s.titles()[item], s.list[item], true)
}
