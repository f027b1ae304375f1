package gui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"migrantdesk/data"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
	"migrantdesk/gui/widgets"
)

// menuItems are the main menu's items as "Menu/Item", and the shortcuts
// bound to them.
func menuItems(u *UI) (items []string, shortcuts []string) {
	for _, m := range u.win.MainMenu().Items {
		for _, it := range m.Items {
			if it.IsSeparator {
				continue
			}
			items = append(items, m.Label+"/"+it.Label)
			if it.Shortcut != nil {
				shortcuts = append(shortcuts, it.Shortcut.ShortcutName())
			}
		}
	}
	return items, shortcuts
}

// TestCoordinatorGetsOnlyDistrictWindows: a coordinator started with
// --user gets a list of their districts and their windows; no search, no
// student, no record controls, not even by --open.
func TestCoordinatorGetsOnlyDistrictWindows(t *testing.T) {
	st := districtFixture(t)
	u := start(t, st, Options{User: rosa})
	if u.search != nil || u.student != nil || u.needs != nil || u.home == nil || u.current != u.home.obj {
		t.Fatal("a coordinator gets the clerk's screens")
	}
	items, shortcuts := menuItems(u)
	if want := []string{"File/Demo: switch profile…", "File/Preferences…", "File/Quit", "Districts/Open district window…",
		"Help/Keyboard shortcuts", "Help/How to…", "Help/About Migrant Desk"}; !slices.Equal(items, want) {
		t.Errorf("menu %q, want %q", items, want)
	}
	if len(shortcuts) != 0 {
		t.Errorf("the coordinator's menu binds %q", shortcuts)
	}
	// Two districts: both listed, neither opened until chosen.
	if got := windowTitles(u.app); len(got) != 1 {
		t.Errorf("windows at start %q", got)
	}
	if got := texts(u.win.Canvas()); !slices.Contains(got, "You serve 2 districts. Click one to open its window.") {
		t.Errorf("the main window says %q", got)
	}
	tap(t, u, "002 Barren County")
	want := []string{"Migrant Desk", "Migrant Desk — 002 Barren County"}
	if got := windowTitles(u.app); !slices.Equal(got, want) {
		t.Errorf("windows %q, want %q", got, want)
	}
	if findButton(u.win.Canvas(), "001 Adair County") == nil || findButton(u.win.Canvas(), "003 Calloway County") != nil {
		t.Errorf("the list offers %q", texts(u.win.Canvas()))
	}
	u.closeDistricts()

	// A student named at start is refused, with the reason.
	u = start(t, st, Options{User: rosa, Open: storetest.Maria})
	if u.student != nil || !u.dialogs.Open() {
		t.Fatal("a coordinator opened a student")
	}
	if want := "Rosa Díaz (District coordinator) may not open a student's detail: district windows show the records published to your districts."; !slices.Contains(texts(u.win.Canvas()), want) {
		t.Errorf("the refusal reads %q, want %q", texts(u.win.Canvas()), want)
	}
}

// TestDistrictUsersWithOneDistrictGetItsWindow: a coordinator or an
// administrator of one district finds its window open at start.
func TestDistrictUsersWithOneDistrictGetItsWindow(t *testing.T) {
	st := districtFixture(t)
	for _, user := range []string{tom, admin} {
		u := start(t, st, Options{User: user})
		want := []string{"Migrant Desk", "Migrant Desk — 001 Adair County"}
		if got := windowTitles(u.app); !slices.Equal(got, want) {
			t.Errorf("%s: windows %q, want %q", user, got, want)
		}
		if u.search != nil || u.student != nil {
			t.Errorf("%s gets the clerk's screens", user)
		}
		u.win.Close()
	}
}

// TestClerkCannotChangeAnotherRegionsStudent: a clerk of region C finds a
// student of region W (so as not to enter them twice) but every control
// that would change their records is disabled, and the screen says why.
func TestClerkCannotChangeAnotherRegionsStudent(t *testing.T) {
	st := openDemo(t)
	saveRecord(t, st, storetest.HernandezB, "999", "2025-09-01") // Calloway (W) only
	u := openOn(t, st, storetest.HernandezB)
	s := u.student
	if !s.newButton.Disabled() || !s.publishBtn.Disabled() || !s.cards[0].edit.Disabled() || !s.cards[0].delete.Disabled() {
		t.Errorf("controls enabled: New %v, Publish %v, Edit %v, Delete %v",
			!s.newButton.Disabled(), !s.publishBtn.Disabled(), !s.cards[0].edit.Disabled(), !s.cards[0].delete.Disabled())
	}
	want := "Lucía Ramos (Regional data clerk) may not change the migrant records of student 1000000003: " +
		"the student is enrolled in the Western region only, not in your Central region; ask that region's clerk."
	if !s.readOnlyBox.Visible() || s.readOnly.Text != want {
		t.Errorf("the screen says %q (shown %v), want %q", s.readOnly.Text, s.readOnlyBox.Visible(), want)
	}
	// The shortcuts do nothing either.
	press(t, u, keyNew)
	u.publishStudent()
	if s.form != nil || u.dialogs.Open() {
		t.Error("Ctrl+N or Publish opened something for another region's student")
	}

	// A student of the clerk's region, and one enrolled nowhere (an
	// out-of-school youth), are the clerk's to change.
	for _, id := range []string{storetest.Maria, storetest.Ana, storetest.Tomas} {
		u.openStudent(id)
		u.wait()
		if s.newButton.Disabled() || s.readOnlyBox.Visible() {
			t.Errorf("student %s: New disabled %v, note %q", id, s.newButton.Disabled(), s.readOnly.Text)
		}
	}
}

// TestClerkCannotChangeAStudentTheHubLeftOut: a student kept here for a
// record waiting to be pushed, whom the hub's snapshot no longer counts
// in the clerk's region, is enrolled nowhere here, yet not the clerk's
// to change: the controls are disabled and the screen says why.
func TestClerkCannotChangeAStudentTheHubLeftOut(t *testing.T) {
	st := openDemo(t)
	leftOutMaria(t, st)
	u := openOn(t, st, storetest.Maria)
	s := u.student
	if !s.newButton.Disabled() || !s.cards[0].edit.Disabled() {
		t.Errorf("controls enabled: New %v, Edit %v", !s.newButton.Disabled(), !s.cards[0].edit.Disabled())
	}
	want := "Lucía Ramos (Regional data clerk) may not change the migrant records of student 1000000001: " +
		"the hub no longer counts the student in your Central region (the last sync left them out); " +
		"the changes already saved here are still sent, and the hub answers for them; ask the state administrator."
	if !s.readOnlyBox.Visible() || s.readOnly.Text != want {
		t.Errorf("the screen says %q (shown %v), want %q", s.readOnly.Text, s.readOnlyBox.Visible(), want)
	}
}

// leftOutMaria has Lucía, the Central clerk, save a record of María,
// which waits to be pushed while the hub's whole snapshot of Central
// leaves María out; it returns the record saved.
func leftOutMaria(t *testing.T, st *store.Store) store.Record {
	t.Helper()
	ctx := context.Background()
	lucia := storetest.User(storetest.Clerk)
	rec, err := st.SaveRecord(ctx, lucia, data.MigrantRecord{StateID: storetest.Maria, MIS2000ID: "999", QAD: storetest.Day(t, "2025-09-01")})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ApplyPage(ctx, sync.Page{Snapshot: true, Next: sync.Cursor{Epoch: "e2", Seq: 3}, Changes: []sync.Change{
		{Table: "regions", Row: map[string]string{"code": "C", "name": "Central"}},
		{Table: "users", Row: map[string]string{"username": lucia.Username, "full_name": lucia.FullName, "role": lucia.Role,
			"region_code": "C", "district_number": "", "email": ""}},
	}}); err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestEmptyRecordsHintFollowsTheRefusal: a student without records says
// how to enter one only to a user who may.
func TestEmptyRecordsHintFollowsTheRefusal(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.HernandezB) // Calloway (W), not Lucía's region
	got := texts(u.win.Canvas())
	if !slices.Contains(got, "No migrant record yet.") {
		t.Errorf("another region's student without records: the screen says %q", got)
	}
	u.openStudent(storetest.Ana)
	u.wait()
	want := "No migrant record yet. Click New record (Ctrl+N) to enter the Student Migrant Detail from the Certificate of Eligibility."
	if got := texts(u.win.Canvas()); !slices.Contains(got, want) {
		t.Errorf("the clerk's own student without records: the screen says %q", got)
	}
}

// moveToWestern re-imports the fixture with the student's enrollments
// moved to Calloway (region W), as a newer extract would.
func moveToWestern(t *testing.T, st *store.Store, stateID string) {
	t.Helper()
	ex := storetest.Extract()
	for i, e := range ex.Enrollments {
		if e.StateID == stateID {
			ex.Enrollments[i].SchoolNumber = "003010"
		}
	}
	if _, err := st.ImportExtract(context.Background(), ex, "tester"); err != nil {
		t.Fatal(err)
	}
}

// TestStoreRefusesWhatTheScreenAllowed: the screen was read while the
// student was the clerk's; by the time the clerk saves, publishes or
// deletes, a newer extract has moved the student to another region. The
// store refuses, and the clerk reads its reason.
func TestStoreRefusesWhatTheScreenAllowed(t *testing.T) {
	refusal := "Lucía Ramos (Regional data clerk) may not change the migrant records of student "
	t.Run("save", func(t *testing.T) {
		st := openDemo(t)
		u := openOn(t, st, storetest.Maria)
		f := typeNewRecord(t, u)
		moveToWestern(t, st, storetest.Maria)
		press(t, u, keySave)
		if u.student.form == nil || !strings.HasPrefix(f.formErr.Text, refusal+storetest.Maria) {
			t.Errorf("form open %v, it says %q", u.student.form != nil, f.formErr.Text)
		}
		if n := len(records(t, st, storetest.Maria)); n != 0 {
			t.Errorf("%d records saved", n)
		}
	})
	t.Run("publish and delete", func(t *testing.T) {
		st := openDemo(t)
		saveRecord(t, st, storetest.HernandezA, "000777", "2025-09-01")
		u := openOn(t, st, storetest.HernandezA)
		moveToWestern(t, st, storetest.HernandezA)
		tap(t, u, "Publish 1 record… (Ctrl+P)")
		tap(t, u, "Publish")
		if got := texts(u.win.Canvas()); !slices.ContainsFunc(got, func(s string) bool {
			return strings.HasPrefix(s, "Publishing stopped and nothing was published: "+refusal+storetest.HernandezA)
		}) {
			t.Errorf("the publish refusal reads %q", got)
		}
		if r := records(t, st, storetest.HernandezA)[0]; r.Status != data.StatusSaved {
			t.Errorf("status %v after a refused publish", r.Status)
		}
		u.dialogs.CloseTop()
		tap(t, u, "Delete…")
		tap(t, u, "Delete")
		if got := texts(u.win.Canvas()); !slices.ContainsFunc(got, func(s string) bool {
			return strings.HasPrefix(s, "Delete migrant record: "+refusal+storetest.HernandezA)
		}) {
			t.Errorf("the delete refusal reads %q", got)
		}
		if n := len(records(t, st, storetest.HernandezA)); n != 1 {
			t.Errorf("%d records after a refused delete", n)
		}
	})
}

// TestProfilesAreADemoConvenience: a demo database offers its profiles,
// labelled as a demo; a real one works as the computer's user, refuses
// --user and offers no switch, so a district administrator cannot become
// another profile (nor anyone become one).
func TestProfilesAreADemoConvenience(t *testing.T) {
	st := districtFixture(t)
	u := start(t, st, Options{User: admin})
	if items, _ := menuItems(u); !slices.Contains(items, "File/Demo: switch profile…") {
		t.Fatalf("a demo database has no profile switch: %q", items)
	}
	u.switchProfile()
	if pick := findSelect(u.win.Canvas()); pick == nil || !slices.Contains(texts(u.win.Canvas()), "Demo: switch profile") {
		t.Errorf("the switch is not labelled as a demo's: %q", texts(u.win.Canvas()))
	}
	u.win.Close()

	notDemo(t, st)
	_, err := New(test.NewTempApp(t), st, Options{User: admin})
	if err == nil || !strings.Contains(err.Error(), "--user atorres picks a demo profile, and ") ||
		!strings.Contains(err.Error(), " is not a demo database") {
		t.Errorf("--user on a real database: %v", err)
	}
	u = startLocal(t, st)
	if u.user.Role != data.RoleStateAdmin || u.user.Username != operator().Username {
		t.Errorf("a real database works as %+v, want the computer's user", u.user)
	}
	items, _ := menuItems(u)
	if slices.ContainsFunc(items, func(s string) bool { return strings.Contains(s, "profile") }) {
		t.Errorf("a real database offers %q", items)
	}
	u.switchProfile()
	if u.dialogs.Open() || findSelect(u.win.Canvas()) != nil {
		t.Error("the profile switch opened on a real database")
	}
}

// fakeAccess is an accessStore whose writes are refused, as the store
// refuses one that is not the user's to make.
type fakeAccess struct {
	grantees []store.Grantee
	refusal  error
}

func (f *fakeAccess) Grantees(context.Context, string) ([]store.Grantee, error) {
	return f.grantees, nil
}

func (f *fakeAccess) SetReportAccess(context.Context, data.User, string, string, bool) error {
	return f.refusal
}

// TestAccessTabShowsTheStoresRefusal builds the Users and access tab on
// its own, with a store that refuses, as a screen test needs nothing of
// the UI: the refusal is shown and the box shows the grant as it stands.
func TestAccessTabShowsTheStoresRefusal(t *testing.T) {
	test.NewTempApp(t)
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(1000, 600))
	defer win.Close()
	usr := data.User{Username: admin, FullName: "Ana Torres", Role: data.RoleDistrictAdmin, DistrictNumber: "001"}
	st := &fakeAccess{
		grantees: []store.Grantee{{User: data.User{Username: rosa, FullName: "Rosa Díaz", Role: data.RoleCoordinator}}},
		refusal:  &data.AccessError{User: usr, What: "change the report access of district 001: the hub said no"},
	}
	tk := testTasks(t)
	var said []string
	tab := districtTab{user: usr, d: data.District{Number: "001", Name: "Adair County"}, dialogs: widgets.NewDialogs(win),
		say: func(msg string) { said = append(said, msg) }, tasks: tk}
	a := newAccessScreen(st, tab)
	win.SetContent(a.obj)
	a.load()
	tk.wait()
	test.Tap(a.checks[rosa])
	tk.wait()
	if a.checks[rosa].Checked {
		t.Error("the box shows a grant the store refused")
	}
	if got := texts(win.Canvas()); !slices.Contains(got, "Ana Torres (District administrator) may not change the report access of district 001: the hub said no.") {
		t.Errorf("the refusal reads %q", got)
	}
	if len(said) != 0 {
		t.Errorf("the window says %q after a refusal", said)
	}
}

// TestSyncedDatabaseWorksAsItsHubUser: a database that has synced with a
// hub works as the user who signs in there, here with the hub out of
// reach (the password checked against the verifier the last sync left);
// a coordinator's workstation gets the coordinator's windows and no
// profile switch, and --user is refused.
func TestSyncedDatabaseWorksAsItsHubUser(t *testing.T) {
	st := districtFixture(t)
	notDemo(t, st)
	ctx := context.Background()
	coordinator, err := st.UserByName(ctx, rosa)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := argon2id.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	const nowhere = "http://127.0.0.1:1" // nothing listens there
	if err := st.SetIdentity(ctx, store.Identity{HubURL: nowhere, User: coordinator, Verifier: verifier}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(test.NewTempApp(t), st, Options{User: storetest.Admin}); err == nil || !strings.Contains(err.Error(), "syncs with "+nowhere) {
		t.Errorf("--user on a synced database: %v", err)
	}
	u := start(t, st, Options{})
	if u.signIn == nil || u.signIn.username.Text != rosa || u.signIn.local != nil {
		t.Fatal("a synced database does not ask its user to sign in")
	}
	signInAs(t, u, nowhere, rosa, password)
	if u.user.Username != rosa || u.home == nil || u.search != nil {
		t.Errorf("works as %q with the clerk's screens %v (%q)", u.user.Username, u.search != nil, u.signIn.problem.Text)
	}
	if want := "Signed in as Rosa Díaz, District coordinator (rdiaz) · hub " + nowhere; u.status.profile.Text != want {
		t.Errorf("status %q, want %q", u.status.profile.Text, want)
	}
	items, _ := menuItems(u)
	if slices.ContainsFunc(items, func(s string) bool { return strings.Contains(s, "profile") }) || !slices.Contains(items, "Sync/Sync now") {
		t.Errorf("a synced database offers %q", items)
	}
	if findButton(u.win.Canvas(), "Sync now (Ctrl+R)") == nil {
		t.Error("a coordinator's window has no Sync now button")
	}
}
