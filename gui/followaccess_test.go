package gui

import (
	"context"
	"errors"
	"slices"
	"strings"
	gosync "sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync/client"
	"migrantdesk/report"
)

// setAccount changes a user at the hub, as `hub user edit` does; the
// password stays.
func (h *testHub) setAccount(t *testing.T, usr data.User) {
	t.Helper()
	if err := h.db.SaveAccount(context.Background(), "test", hub.Account{User: usr}); err != nil {
		t.Fatal(err)
	}
}

// takeDistrict003 takes district 003 from the coordinator at the hub.
func takeDistrict003(t *testing.T, h *testHub) {
	t.Helper()
	cora := storetest.User(storetest.Coordinator)
	cora.Districts = []string{"001"}
	h.setAccount(t, cora)
}

// TestAccessChangedAtTheHub: a district taken from a coordinator at the
// hub is gone from the app at the next sync (its window closed, the
// district list without it, a dialog saying so), without signing in
// again; the window of the district kept opens again. The next sign-in
// with the hub out of reach keeps the access the sync brought.
func TestAccessChangedAtTheHub(t *testing.T) {
	h := startHub(t)
	u, st := signedInApp(t, h, storetest.Coordinator)
	u.wait()
	if u.home == nil || len(u.home.buttons.Objects) != 2 {
		t.Fatalf("the coordinator of 001 and 003 starts with %d districts", len(u.home.buttons.Objects))
	}
	u.openDistrict("001")
	u.openDistrict("003")
	u.wait()
	before := u.districts["001"]
	if before == nil || u.districts["003"] == nil {
		t.Fatal("the district windows did not open")
	}
	takeDistrict003(t, h)
	press(t, u, keySync)
	u.wait()
	if !slices.Equal(u.user.Districts, []string{"001"}) || len(u.home.buttons.Objects) != 1 {
		t.Errorf("after the sync: districts %v, listed %d", u.user.Districts, len(u.home.buttons.Objects))
	}
	if got := windowTitles(u.app); !slices.Equal(got, []string{"Migrant Desk", "Migrant Desk — 001 Adair County"}) {
		t.Errorf("windows after the sync: %q", got)
	}
	if w := u.districts["001"]; w == nil || w == before || !slices.Equal(w.user.Districts, []string{"001"}) {
		t.Error("the window of 001 was not opened again for the new access")
	}
	if !slices.Contains(texts(u.win.Canvas()), "An administrator at the state hub changed what you may see and do. "+
		"You now work as district coordinator, district 001.") {
		t.Errorf("no dialog says so: %q", texts(u.win.Canvas()))
	}

	if got := offlineDistricts(t, h, u, st); !slices.Equal(got, []string{"001"}) {
		t.Errorf("signed in offline with districts %v", got)
	}
}

// offlineDistricts closes u, takes the hub off the network, signs the
// coordinator in again on st, and returns the districts they work with.
func offlineDistricts(t *testing.T, h *testHub, u *UI, st *store.Store) []string {
	t.Helper()
	u.win.Close()
	h.stop()
	offline := start(t, st, Options{})
	signInAs(t, offline, h.url, storetest.Coordinator, password)
	return offline.user.Districts
}

// TestOfflineSignInAfterACutPull: the hub's last word on a user is the
// newer of the last online sign-in and the last whole sync. Signed in
// online after a district was taken, with every pull cut since, the next
// sign-in without the hub does not give the district back.
func TestOfflineSignInAfterACutPull(t *testing.T) {
	h := startHub(t)
	u, st := signedInApp(t, h, storetest.Coordinator)
	u.wait()
	u.win.Close()
	takeDistrict003(t, h)

	again := start(t, st, Options{})
	h.cutPulls.Store(1000)
	signInAs(t, again, h.url, storetest.Coordinator, password)
	if !slices.Equal(again.user.Districts, []string{"001"}) {
		t.Fatalf("signed in online with %v", again.user.Districts)
	}
	again.wait()
	if got := offlineDistricts(t, h, again, st); !slices.Equal(got, []string{"001"}) {
		t.Errorf("signed in offline with %v after the hub said 001 only", got)
	}
}

// TestAccessChangeWaitsForTheRecordTyped: a clerk typing a record when
// a change of their access arrives keeps the form and what is typed in
// it; the status bar says what changed, and the change is shown at the
// first sync after the form is closed.
func TestAccessChangeWaitsForTheRecordTyped(t *testing.T) {
	h := startHub(t)
	u, _, f := clerkTyping(t, h)
	lucia := storetest.User(storetest.Clerk)
	lucia.RegionCode = "W"
	h.setAccount(t, lucia)
	// Sync now waits for the form; the background syncs do not.
	u.sync.now(false)
	u.wait()
	if u.student.form != f || f.mis.Text != "4512345" || u.user.RegionCode != "C" {
		t.Fatalf("the sync took the form away (%v), or what was typed (%q), or changed the user at once (%q)",
			u.student.form != f, f.mis.Text, u.user.RegionCode)
	}
	if !strings.HasPrefix(u.status.message.Text, "An administrator at the hub changed your access: "+
		"you now work as regional data clerk, Western region.") {
		t.Errorf("the status bar says %q", u.status.message.Text)
	}
	f.mis.SetText("")
	f.mis.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if u.student.form != nil {
		t.Fatal("Esc did not close the emptied form")
	}
	press(t, u, keySync)
	u.wait()
	if u.user.RegionCode != "W" || !strings.Contains(u.status.profile.Text, "Western region") {
		t.Errorf("after the form closed and a sync: region %q, status %q", u.user.RegionCode, u.status.profile.Text)
	}
}

// clerkTyping signs the clerk of Central in and has them type a new
// record of María: Ctrl+N and the MIS2000 ID.
func clerkTyping(t *testing.T, h *testHub) (*UI, *store.Store, *recordForm) {
	t.Helper()
	u, st := signedInApp(t, h, storetest.Clerk)
	u.openStudent(storetest.Maria)
	u.wait()
	press(t, u, keyNew)
	f := u.student.form
	test.Type(f.mis, "4512345")
	return u, st, f
}

// TestAccessChangeWaitsForADistrictWindow: a dialog open in a district
// window holds the change back until it is closed.
func TestAccessChangeWaitsForADistrictWindow(t *testing.T) {
	h, u, w := coordinatorIn001(t)
	d := w.dialogs.ShowCustom("Something open in the district window", widget.NewLabel("open"))
	takeDistrict003(t, h)
	press(t, u, keySync)
	if u.districts["001"] != w || len(u.user.Districts) != 2 {
		t.Fatalf("with a dialog open in the window of 001: window kept %v, districts %v", u.districts["001"] == w, u.user.Districts)
	}
	d.Hide()
	syncFollows(t, u, "after the dialog closed")
}

// coordinatorIn001 is the coordinator of 001 and 003 signed in to a hub,
// with the window of 001 open.
func coordinatorIn001(t *testing.T) (*testHub, *UI, *districtWindow) {
	t.Helper()
	h := startHub(t)
	u, _ := signedInApp(t, h, storetest.Coordinator)
	u.wait()
	u.openDistrict("001")
	u.wait()
	return h, u, u.districts["001"]
}

// syncFollows syncs, after which the coordinator works with 001 alone.
func syncFollows(t *testing.T, u *UI, when string) {
	t.Helper()
	press(t, u, keySync)
	if !slices.Equal(u.user.Districts, []string{"001"}) {
		t.Errorf("%s: districts %v", when, u.user.Districts)
	}
}

// TestAccessChangeWaitsForAReport: a report being made in a district
// window holds the change back until it is done, and is not cancelled.
func TestAccessChangeWaitsForAReport(t *testing.T) {
	h, u, w := coordinatorIn001(t)
	w.report.saver = tempSaver{dir: t.TempDir()}
	var once gosync.Once
	started, finish := make(chan struct{}), make(chan struct{})
	cancelled := false
	w.report.build = func(ctx context.Context, user data.User, district string, p data.Period) (*report.QA, error) {
		once.Do(func() {
			close(started)
			select {
			case <-finish:
			case <-ctx.Done():
				cancelled = true
			}
		})
		return &report.QA{}, ctx.Err()
	}
	// The Save button's action: the hub's fixture publishes nothing to
	// 001, so the button itself is off for want of rows.
	w.report.export(report.AggregatedKind)
	<-started
	takeDistrict003(t, h)
	u.sync.now(true)
	if !u.tasks.until(func() bool { return u.accessWaits }) {
		t.Fatal("the sync did not see the change")
	}
	if u.districts["001"] != w || len(u.user.Districts) != 2 || w.report.stop == nil {
		t.Errorf("with a report being made in 001: window kept %v, districts %v, report running %v",
			u.districts["001"] == w, u.user.Districts, w.report.stop != nil)
	}
	close(finish)
	u.wait()
	if cancelled {
		t.Error("the report was cancelled")
	}
	// What the report says when it is saved is read and closed first.
	if !w.dialogs.Open() {
		t.Error("the report's end says nothing")
	}
	w.dialogs.CloseTop()
	syncFollows(t, u, "after the report")
}

// TestAccessChangeWhileOpening: a student or a district whose reading
// was under way when the screens were built anew for another access is
// not shown with the access before.
func TestAccessChangeWhileOpening(t *testing.T) {
	h := startHub(t)
	// A clerk made a coordinator: the student being opened is not shown
	// (District Edition has no student screen).
	u, st := signedInApp(t, h, storetest.Clerk)
	lucia := storetest.User(storetest.Clerk)
	lucia.Role, lucia.RegionCode, lucia.Districts = data.RoleCoordinator, "", []string{"001"}
	changeLocally(t, u, st, lucia, func() { u.openStudent(storetest.Maria) })
	if got := texts(u.win.Canvas()); slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "went wrong") }) {
		t.Errorf("the student's read landing after the new screens: %q", got)
	}

	// A coordinator who lost 003 while its window was being opened.
	u, st = signedInApp(t, h, storetest.Coordinator)
	u.wait()
	cora := storetest.User(storetest.Coordinator)
	cora.Districts = []string{"001"}
	changeLocally(t, u, st, cora, func() { u.openDistrict("003") })
	if w := u.districts["003"]; w != nil {
		t.Errorf("district 003, taken away, has a window open for %v", w.user.Districts)
	}
}

// changeLocally has open start reading, then, before its result is
// shown, the app follow usr as a whole sync had brought it: the order in
// which a sync's pull and a person's click race.
func changeLocally(t *testing.T, u *UI, st interface {
	SaveUser(context.Context, string, data.User) error
	Users(context.Context) ([]data.User, error)
}, usr data.User, open func()) {
	t.Helper()
	if err := st.SaveUser(context.Background(), "pull", usr); err != nil {
		t.Fatal(err)
	}
	users, err := st.Users(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	open()
	u.users = users
	if !u.followAccess() {
		t.Fatal("the app did not follow the new access")
	}
	u.wait()
}

// TestAccessOfACutSync: a sync cut after it applied the user's new
// access is followed by the next whole sync, even one that pulls
// nothing more, and the identity keeps it for a sign-in without the hub.
func TestAccessOfACutSync(t *testing.T) {
	h := startHub(t)
	u, st := signedInApp(t, h, storetest.Coordinator)
	u.wait()
	takeDistrict003(t, h)
	// The part of the cut sync that was applied: the user's row.
	cora := storetest.User(storetest.Coordinator)
	cora.Districts = []string{"001"}
	if err := st.SaveUser(context.Background(), "pull", cora); err != nil {
		t.Fatal(err)
	}
	u.syncDone(syncResult{sum: client.Summary{Pulled: 1}, err: errors.New("connection reset"), state: linkOffline})
	u.wait()
	if len(u.user.Districts) != 2 {
		t.Fatalf("a cut sync was followed: %v", u.user.Districts)
	}
	u.syncDone(syncResult{state: linkOnline})
	u.wait()
	if !slices.Equal(u.user.Districts, []string{"001"}) {
		t.Errorf("after a whole sync the app works with %v", u.user.Districts)
	}
	u.dialogs.CloseTop()
	if got := offlineDistricts(t, h, u, st); !slices.Equal(got, []string{"001"}) {
		t.Errorf("signed in offline with %v", got)
	}
}

// TestReportFollowsTheHubWhileTheChangeWaits: a district administrator
// made a coordinator at the hub (with no grant), while a dialog in their
// district window holds the app's change back, may no longer make the
// report there: the window still shows them as they were, but the
// report tab and the report itself ask the database, which the sync has
// brought up to date.
func TestReportFollowsTheHubWhileTheChangeWaits(t *testing.T) {
	h := startHub(t)
	u, _, w := adminWindow(t, h)
	w.report.load()
	u.wait()
	if !w.report.allowed() {
		t.Fatalf("the district administrator is refused the report: %q", w.report.denied.Text)
	}
	d := w.dialogs.ShowCustom("Something open in the district window", widget.NewLabel("open"))
	dan := storetest.User(storetest.DistrictAdmin)
	dan.Role, dan.DistrictNumber, dan.Districts = data.RoleCoordinator, "", []string{"001"}
	h.setAccount(t, dan)
	press(t, u, keySync)
	u.wait()
	if u.districts["001"] != w || w.user.Role != data.RoleDistrictAdmin {
		t.Fatal("the window was not kept for the dialog open in it")
	}
	if w.report.allowed() || !strings.Contains(w.report.denied.Text, "has not been granted to you") {
		t.Errorf("the report tab still offers the report: %q", w.report.denied.Text)
	}
	p := data.SchoolYearOf(today())
	if _, err := w.report.build(context.Background(), w.user, "001", p); !errors.Is(err, data.ErrAccess) {
		t.Errorf("the report was made for the user as the window last read them: %v", err)
	}
	d.Hide()
}

// On a database that syncs with a hub, a district administrator's grant
// is told to reach the coordinator's computer at its next sync: until
// then the coordinator there is still refused, and should not be sent
// back to ask.
func TestAGrantSaysWhenItReachesTheCoordinator(t *testing.T) {
	u, st, w := adminWindow(t, startHub(t))
	w.access.load()
	u.wait()
	check := w.access.checks[storetest.Coordinator]
	if check == nil || check.Checked {
		t.Fatalf("Cora's box: %v", check)
	}
	test.Tap(check)
	u.wait()
	if !canRun(t, st, storetest.Coordinator, "001") {
		t.Fatal("ticking Cora's box did not grant her the report")
	}
	want := "Cora Díaz may now run the QA Migrant report of 001, once their computer has synced."
	if w.message.Text != want {
		t.Errorf("message %q, want %q", w.message.Text, want)
	}
}

// adminWindow is the app signed in to h as Adair's district
// administrator, with the district's window open.
func adminWindow(t *testing.T, h *testHub) (*UI, *store.Store, *districtWindow) {
	t.Helper()
	u, st := signedInApp(t, h, storetest.DistrictAdmin)
	u.wait()
	u.openDistrict("001")
	u.wait()
	w := u.districts["001"]
	if w == nil || w.access == nil {
		t.Fatal("the district window did not open with its Users and access tab")
	}
	return u, st, w
}

// TestASaveAfterTheAccessChangedSaysSo: a clerk whose access an
// administrator changed at the hub while they typed a record keeps the
// form (the change waits for it), and its save is refused saying that
// the access changed and what to do; what they type meanwhile is not
// kept, and they read why, not to save it.
func TestASaveAfterTheAccessChangedSaysSo(t *testing.T) {
	for _, c := range []struct {
		name    string
		change  func(*data.User)
		refusal string
		// notKept begins what the status bar says of typing after the
		// change; "" for a change that leaves the typing kept.
		notKept string
	}{
		{"made a coordinator of Adair", func(u *data.User) {
			u.Role, u.RegionCode, u.Districts = data.RoleCoordinator, "", []string{"001"}
		}, "Your access changed at the last sync: Lucía Ramos (District coordinator) may not change the migrant records of " +
			"student 1000000001: a district coordinator sees published records read-only.",
			"What you type in the Student Migrant Detail is not kept on this computer: your access changed at the last " +
				"sync: Lucía Ramos (District coordinator) may not change the migrant records of student 1000000001"},
		{"moved to Western", func(u *data.User) { u.RegionCode = "W" },
			"Your access changed at the last sync: Lucía Ramos (Regional data clerk) may not change what this computer " +
				"no longer holds (state ID \"1000000001\": no student has that state ID): the sync took away the students " +
				"you no longer serve; ask the clerk of the student's region.", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := startHub(t)
			u, st, f := clerkTyping(t, h)
			test.Type(f.qad.Entry, "09/01/2025")
			u.wait()
			lucia := storetest.User(storetest.Clerk)
			c.change(&lucia)
			h.setAccount(t, lucia)
			u.sync.now(false)
			u.wait()
			if c.notKept != "" {
				test.Type(f.mis, "6")
				if !u.tasks.until(func() bool { return strings.HasPrefix(u.status.message.Text, c.notKept) }) {
					t.Errorf("the status bar says %q", u.status.message.Text)
				}
				u.wait()
			}
			press(t, u, keySave)
			u.wait()
			if u.student.form != f || f.formErr.Text != c.refusal {
				t.Errorf("the save: form open %v, saying %q", u.student.form == f, f.formErr.Text)
			}
			if n := storetest.CountRows(t, st).Records; n != 0 {
				t.Errorf("%d records saved", n)
			}
		})
	}
}
