package gui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// canRun asks the database whether a user may run a district's report.
func canRun(t *testing.T, st *store.Store, username, district string) bool {
	t.Helper()
	ctx := context.Background()
	usr, err := st.UserByName(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.District(ctx, district)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := st.CanRunReport(ctx, usr, d)
	if err != nil {
		t.Fatal(err)
	}
	return acc.Allowed
}

// accessRows are the coordinator rows as the screen shows them.
func accessRows(a *accessScreen) []string {
	var out []string
	for _, row := range a.rows.Objects {
		out = append(out, labelTexts(row)[0]+" | "+labelTexts(row)[2])
	}
	return out
}

func TestDistrictAdministratorGrantsAccess(t *testing.T) {
	st := districtFixture(t)
	// Rosa has her window open, without access.
	ru, rw := openDistrictWindow(t, st, rosa, "001")
	if rw.report.allowed() {
		t.Fatal("Rosa may run the report before the grant")
	}

	u, w := openDistrictWindow(t, st, admin, "001")
	if got := tabNames(w.tabs); !slices.Equal(got, []string{"Worklist", "Migrant records", "QA Migrant report", "Users and access"}) {
		t.Fatalf("tabs %q", got)
	}
	w.tabs.SelectIndex(3)
	u.wait()
	a := w.access
	want := []string{"Cora Díaz (coord1) | Not granted", "Rosa Díaz (rdiaz) | Not granted",
		"Tom Baker (tbaker) | Granted " + storetest.Now().Format("01/02/2006") + " by Ana Torres (atorres)"}
	if got := accessRows(a); !slices.Equal(got, want) {
		t.Errorf("coordinators %q, want %q", got, want)
	}
	if a.hint.Text != "1 of 3 coordinators may run the QA Migrant report." {
		t.Errorf("hint %q", a.hint.Text)
	}

	// Grant Rosa.
	test.Tap(a.checks[rosa])
	u.wait()
	if !canRun(t, st, rosa, "001") {
		t.Fatal("ticking Rosa's box did not grant her the report")
	}
	if w.message.Text != "Rosa Díaz may now run the QA Migrant report of 001." || a.hint.Text != "2 of 3 coordinators may run the QA Migrant report." {
		t.Errorf("message %q, hint %q", w.message.Text, a.hint.Text)
	}
	if !a.checks[rosa].Checked {
		t.Error("Rosa's box is not ticked after the grant")
	}
	audit, err := st.Audit(context.Background(), "user", rosa)
	if err != nil || len(audit) == 0 || audit[0].User != admin || audit[0].Action != "grant report" {
		t.Errorf("audit %+v %v", audit, err)
	}

	// Rosa's open window finds the grant when she goes to the report.
	rw.tabs.SelectIndex(1)
	rw.tabs.SelectIndex(2)
	ru.wait()
	if !rw.report.allowed() || findButton(rw.win.Canvas(), "Save Detail report (Excel)…") == nil {
		t.Error("Rosa's report screen does not offer the report after the grant")
	}

	// Revoke Tom.
	test.Tap(a.checks[tom])
	tapIn(t, u, w, "Revoke access")
	if canRun(t, st, tom, "001") {
		t.Fatal("unticking Tom's box did not revoke his access")
	}
	if w.message.Text != "Tom Baker may no longer run the QA Migrant report of 001." {
		t.Errorf("message %q", w.message.Text)
	}
	_, tw := openDistrictWindow(t, st, tom, "001")
	if tw.report.allowed() {
		t.Error("Tom still gets the report controls after the revocation")
	}
}

func TestUsersAndAccessTabIsTheAdministrators(t *testing.T) {
	st := districtFixture(t)
	ctx := context.Background()
	// Calloway's only coordinator leaves it, so that it has none.
	cora := storetest.User(storetest.Coordinator)
	cora.Districts = []string{"001"}
	if err := st.SaveUser(ctx, "tester", cora); err != nil {
		t.Fatal(err)
	}
	u := start(t, st, Options{User: storetest.Admin})
	for _, c := range []struct {
		user, district string
		tab            bool
	}{{admin, "001", true}, {storetest.Admin, "003", true}, {rosa, "001", false}, {tom, "001", false}, {storetest.Clerk, "001", false}} {
		usr, err := st.UserByName(ctx, c.user)
		if err != nil {
			t.Fatal(err)
		}
		d, err := st.District(ctx, c.district)
		if err != nil {
			t.Fatal(err)
		}
		w := newDistrictWindow(u.districtEnv(), usr, d, storetest.Day(t, fixtureDay), func() {})
		if has := slices.Contains(tabNames(w.tabs), "Users and access"); has != c.tab {
			t.Errorf("%s in %s: Users and access tab %v, want %v", c.user, c.district, has, c.tab)
		}
		w.win.Close()
	}
	au, w := openDistrictWindow(t, st, storetest.Admin, "003")
	w.tabs.SelectIndex(3)
	au.wait()
	if w.access.hint.Text != "003 Calloway County has no coordinators yet: a state administrator adds them." {
		t.Errorf("hint %q", w.access.hint.Text)
	}
}

// A grant says whom by in full at the window's first size: every grant
// of the demo ("Granted 12/03/2026 by Denise Caudill (denise.ca…") was
// cut, beside a coordinator column with room to spare.
func TestAccessGrantSaysWhomByInFull(t *testing.T) {
	st := districtFixture(t)
	ctx := context.Background()
	long := data.User{Username: "guadalupe.hernandez", FullName: "Guadalupe Hernández", Role: data.RoleDistrictAdmin, DistrictNumber: "001"}
	if err := st.SaveUser(ctx, "tester", long); err != nil {
		t.Fatal(err)
	}
	if err := st.SetReportAccess(ctx, long, rosa, "001", true); err != nil {
		t.Fatal(err)
	}
	u, w := openDistrictWindow(t, st, admin, "001")
	w.win.Resize(fyne.NewSize(1260, 630))
	w.tabs.SelectIndex(3)
	u.wait()
	var status *widget.Label
	for _, o := range walk(w.access.obj) {
		if l, ok := o.(*widget.Label); ok && strings.HasSuffix(l.Text, "by Guadalupe Hernández (guadalupe.hernandez)") {
			status = l
		}
	}
	if status == nil {
		t.Fatal("the grant is not shown")
	}
	if status.Truncation == fyne.TextTruncateEllipsis {
		t.Errorf("%q is cut to %.0f wide", status.Text, status.Size().Width)
	}
}

// Unticking a grant took the report away at once, with no word: a stray
// click or Space on the box revoked a coordinator. Now it asks, naming
// who loses what, and only the confirmation revokes.
func TestRevokingReportAccessAsksFirst(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, admin, "001")
	w.tabs.SelectIndex(3)
	u.wait()
	a := w.access

	test.Tap(a.checks[tom])
	u.wait()
	if !canRun(t, st, tom, "001") {
		t.Fatal("unticking Tom's box revoked his access before any confirmation")
	}
	if !a.checks[tom].Checked {
		t.Error("Tom's box shows no access while he still has it")
	}
	asked := strings.Join(texts(w.win.Canvas()), "\n")
	for _, want := range []string{"Tom Baker (tbaker) will no longer be able to run the QA Migrant report of 001 " + w.d.Name} {
		if !strings.Contains(asked, want) {
			t.Errorf("the confirmation does not say %q:\n%s", want, asked)
		}
	}

	// Enter, meant for something else, answers Keep access; so does the
	// button.
	w.dialogs.SubmitTop()
	u.wait()
	if w.dialogs.Open() || !canRun(t, st, tom, "001") || !a.checks[tom].Checked {
		t.Fatalf("Enter on the question: still open %v, access kept %v", w.dialogs.Open(), canRun(t, st, tom, "001"))
	}
	test.Tap(a.checks[tom])
	u.wait()
	tapIn(t, u, w, "Keep access")
	if !canRun(t, st, tom, "001") || !a.checks[tom].Checked {
		t.Fatal("Keep access took Tom's access away")
	}
	if audit, err := st.Audit(context.Background(), "user", tom); err != nil || len(audit) > 0 && audit[0].Action == "revoke report" {
		t.Errorf("a kept grant is audited as revoked: %+v %v", audit, err)
	}

	test.Tap(a.checks[tom])
	tapIn(t, u, w, "Revoke access")
	if canRun(t, st, tom, "001") {
		t.Fatal("the confirmed revocation left Tom his access")
	}
	if a.checks[tom].Checked || w.message.Text != "Tom Baker may no longer run the QA Migrant report of 001." {
		t.Errorf("box ticked %v, message %q", a.checks[tom].Checked, w.message.Text)
	}
	audit, err := st.Audit(context.Background(), "user", tom)
	if err != nil || len(audit) == 0 || audit[0].User != admin || audit[0].Action != "revoke report" {
		t.Errorf("audit %+v %v", audit, err)
	}
}

// pressSpace presses Space as the driver delivers it: the key to what has
// the focus, then the typed character to what has it after the key.
func pressSpace(u *UI, c fyne.Canvas) {
	if f := c.Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	}
	if f := c.Focused(); f != nil {
		f.TypedRune(' ')
	}
	u.wait()
}

// Space on the confirmation's button closed it and gave the focus back
// to the check box with the typed space still to come, which unticked
// the box again: the confirmation came straight back, so Keep access
// could not be chosen from the keyboard, and a confirmed revocation
// asked a second time.
func TestRevokeConfirmationByKeyboard(t *testing.T) {
	st := districtFixture(t)
	u, w := openDistrictWindow(t, st, admin, "001")
	w.tabs.SelectIndex(3)
	u.wait()
	c := w.win.Canvas()

	c.Focus(w.access.checks[tom])
	pressSpace(u, c)
	if !w.dialogs.Open() || !canRun(t, st, tom, "001") {
		t.Fatalf("Space on Tom's box: confirmation shown %v, Tom may run the report %v", w.dialogs.Open(), canRun(t, st, tom, "001"))
	}
	c.FocusNext() // Keep access, the first button
	pressSpace(u, c)
	if w.dialogs.Open() {
		t.Error("Space on Keep access: the confirmation is still (or again) shown")
	}
	if !canRun(t, st, tom, "001") || !w.access.checks[tom].Checked {
		t.Fatal("Keep access took Tom's access away")
	}
	// Esc with the keyboard on a button of the question keeps the access.
	c.Focus(w.access.checks[tom])
	pressSpace(u, c)
	c.FocusNext()
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	u.wait()
	if w.dialogs.Open() || !canRun(t, st, tom, "001") {
		t.Fatalf("Esc on Keep access: the question open %v, Tom may run the report %v", w.dialogs.Open(), canRun(t, st, tom, "001"))
	}

	c.Focus(w.access.checks[tom])
	pressSpace(u, c)
	c.FocusNext()
	c.FocusNext() // Revoke access
	pressSpace(u, c)
	if canRun(t, st, tom, "001") {
		t.Fatal("Space on Revoke access left Tom his access")
	}
	if w.dialogs.Open() {
		t.Error("the revocation, confirmed, is asked again")
	}
	// The list is read again after the change; the keyboard stays on
	// Tom's box, so Space gives the access back.
	if c.Focused() != fyne.Focusable(w.access.checks[tom]) {
		t.Fatalf("the focus is on %T %p, not on Tom's box as read again", c.Focused(), c.Focused())
	}
	pressSpace(u, c)
	if !canRun(t, st, tom, "001") || !w.access.checks[tom].Checked {
		t.Error("Space on Tom's box, after the revocation, did not grant it again")
	}
}
