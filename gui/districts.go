package gui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/gui/widgets"
)

// districtLister is what the district lists read: the districts a user
// may open.
type districtLister interface {
	VisibleDistricts(ctx context.Context, u data.User) ([]data.District, error)
}

// districtsScreen is the main window of a district coordinator or
// administrator (District Edition): their districts, each opening its
// window. They never search the state or open a student.
type districtsScreen struct {
	st      districtLister
	user    data.User
	tasks   *tasks
	open    func(number string)
	hint    *widget.Label
	buttons *fyne.Container
	obj     fyne.CanvasObject
}

func newDistrictsScreen(st districtLister, usr data.User, t *tasks, open func(number string)) *districtsScreen {
	s := &districtsScreen{st: st, user: usr, tasks: t, open: open, hint: wrapped("Reading your districts…"), buttons: container.NewVBox()}
	intro := wrapped(fmt.Sprintf("District Edition: %s, %s. A district window shows the migrant records the regional "+
		"clerks have published to the district, read-only, and its QA Migrant report. Several can be open at once.",
		usr.FullName, strings.ToLower(data.RoleName(usr.Role))))
	top := container.NewVBox(heading("Your districts"), intro, s.hint)
	s.obj = border(top, nil, nil, nil, container.NewVScroll(container.NewHBox(s.buttons)))
	return s
}

// load lists the districts off the UI goroutine, then hands them to then.
func (s *districtsScreen) load(then func([]data.District)) {
	usr := s.user
	s.tasks.run("listing the districts", func() func() {
		ds, err := s.st.VisibleDistricts(context.Background(), usr)
		return func() {
			if err != nil {
				s.hint.SetText(sentence(err.Error()))
				return
			}
			s.set(ds)
			then(ds)
		}
	})
}

func (s *districtsScreen) set(ds []data.District) {
	s.buttons.Objects = nil
	for _, d := range ds {
		number := d.Number
		b := widgets.NewButtonWithIcon(d.Number+" "+d.Name, theme.ListIcon(), func() { s.open(number) })
		b.Alignment = widget.ButtonAlignLeading
		s.buttons.Add(b)
	}
	s.buttons.Refresh()
	if len(ds) == 0 {
		s.hint.SetText(sentence(errNoDistricts(s.user).Error()))
		return
	}
	s.hint.SetText("You serve " + data.Count(len(ds), "district") + ". Click one to open its window.")
}

// errNoDistricts is why a user has no district window to open.
func errNoDistricts(usr data.User) error {
	return fmt.Errorf("%s (%s) has no district to open; a state administrator gives coordinators their districts",
		usr.FullName, data.RoleName(usr.Role))
}

// errDistrictEdition is why a District Edition user cannot open a student.
func errDistrictEdition(usr data.User) error {
	return &data.AccessError{User: usr, What: "open a student's detail: district windows show the records published to your districts"}
}
