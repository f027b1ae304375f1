package gui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"migrantdesk/data/argon2id"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// TestSignInWithTheHub: a new workstation asks to sign in; the hub refuses
// a wrong password and the screen says so; the right one signs in, the
// first sync shows its progress and brings the clerk's students, and the
// database and the preferences remember the hub.
func TestSignInWithTheHub(t *testing.T) {
	h := startHub(t)
	st := storetest.OpenEmpty(t)
	a := test.NewTempApp(t)
	u := newUI(t, a, st, Options{})
	u.ShowMain()
	u.wait()
	s := u.signIn
	if s == nil || s.local == nil {
		t.Fatal("a new workstation shows no sign-in with Work on this computer only")
	}
	if u.win.Canvas().Focused() != s.hub {
		t.Error("the cursor does not start in the hub's address")
	}

	signInAs(t, u, h.url, storetest.Clerk, "not the password")
	if u.signIn == nil || s.problem.Text != "The hub refused your user name or password; check them and try again (passwords are case-sensitive)." {
		t.Fatalf("a wrong password reads %q", s.problem.Text)
	}
	if _, synced, _ := st.Identity(context.Background()); synced {
		t.Fatal("a refused sign-in made the database someone's")
	}

	s.password.SetText("")
	test.Type(s.password, password)
	s.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	// The first sync is a snapshot: a dialog shows a bar and the students
	// received of those the hub said it holds, and goes away when it is
	// done.
	var seen []string
	if !u.tasks.until(func() bool {
		if u.snapshot != nil {
			seen = append(seen, u.snapshot.count.Text)
		}
		return u.snapshot != nil && strings.HasSuffix(u.snapshot.count.Text, " students")
	}) {
		t.Fatalf("the first sync showed no progress of a number of students: %q", seen)
	}
	if !u.snapshot.done.Visible() || u.snapshot.bar.Visible() || u.snapshot.done.Value <= 0 ||
		!strings.HasPrefix(u.snapshot.count.Text, "Receiving your students: ") {
		t.Errorf("the first sync's progress reads %q, the bar at %v", u.snapshot.count.Text, u.snapshot.done.Value)
	}
	u.wait()
	if u.snapshot != nil || u.dialogs.Open() {
		t.Error("the first sync's dialog stayed after the sync")
	}

	if u.user.Username != storetest.Clerk || u.search == nil {
		t.Fatalf("signed in as %q", u.user.Username)
	}
	for got, want := range map[string]string{
		u.status.profile.Text:   "Signed in as Lucía Ramos, Regional data clerk, Central region (clerk1) · hub " + h.url,
		u.status.link.Text:      "Online",
		u.status.pending.Text:   "Waiting for sync: 0",
		u.status.last.Text:      "Last sync: just now",
		u.status.conflicts.Text: "Conflicts: 0",
	} {
		if got != want {
			t.Errorf("status bar %q, want %q", got, want)
		}
	}
	if got := a.Preferences().String(prefHubURL); got != h.url {
		t.Errorf("the hub remembered is %q", got)
	}
	id, synced, err := st.Identity(context.Background())
	if err != nil || !synced || id.HubURL != h.url || id.User.Username != storetest.Clerk || !argon2id.VerifyPassword(id.Verifier, password) {
		t.Errorf("the database remembers %+v (%v)", id, err)
	}
	// The clerk's region arrived: the search finds María.
	test.Type(u.search.last, "garcia")
	pressEnter(u, u.search.last)
	if len(u.search.results) != 1 || u.search.results[0].Student.StateID != storetest.Maria {
		t.Fatalf("search after the first sync: %+v (hint %q)", u.search.results, u.search.hint.Text)
	}

	// A record saved and published reaches the hub by itself: each change
	// is followed by a sync.
	enterRecord(t, u, storetest.Maria, "4512345", "09/01/2025")
	tap(t, u, "Publish 1 record… (Ctrl+P)")
	tap(t, u, "Publish")
	if got := u.status.pending.Text; got != "Waiting for sync: 0" {
		t.Errorf("after saving and publishing: %q (%q)", got, u.status.message.Text)
	}
	coordinator := newWorkstation(t, h, storetest.Coordinator)
	if recs, _ := coordinator.st.DistrictRecords(context.Background(), "001"); len(recs) != 1 || recs[0].MIS2000ID != "4512345" {
		t.Errorf("the coordinator of 001 receives %+v", recs)
	}
}

// TestSignInTakesTabAndEnter: Tab goes from the hub's address to the
// user name, the password and Sign in, and Enter in any field signs in.
func TestSignInTakesTabAndEnter(t *testing.T) {
	h := startHub(t)
	u := start(t, storetest.OpenEmpty(t), Options{})
	s := u.signIn
	c := u.win.Canvas()
	want := []fyne.Focusable{s.hub, s.username, s.password, s.signIn, s.local}
	c.Focus(s.hub)
	for i, next := range want[1:] {
		if e, ok := c.Focused().(*widgets.Entry); ok && e.AcceptsTab() {
			t.Fatalf("field %d takes Tab as text", i)
		}
		c.FocusNext() // what the window does with Tab
		if c.Focused() != next {
			t.Fatalf("Tab from field %d went to %T", i, c.Focused())
		}
	}

	s.hub.SetText(h.url)
	test.Type(s.username, storetest.ClerkWest)
	test.Type(s.password, password)
	s.username.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	if u.user.Username != storetest.ClerkWest {
		t.Fatalf("Enter in the user name did not sign in: %q", s.problem.Text)
	}
}

// TestOfflineSignInChecksThePasswordHere: a clerk who signed in once opens
// the app while the hub is down; the password is checked against the
// verifier in the database. The clerk works offline, nothing is lost,
// Sync now says the hub cannot be reached, and once it is back Ctrl+R
// sends the change.
func TestOfflineSignInChecksThePasswordHere(t *testing.T) {
	h := startHub(t)
	first, st := signedInApp(t, h, storetest.Clerk)
	first.win.Close()
	h.stop()

	u := start(t, st, Options{})
	s := u.signIn
	if s == nil || s.local != nil {
		t.Fatal("a database that belongs to a hub's user offers no sign-in, or offers to work without the hub")
	}
	if s.hub.Text != h.url || s.username.Text != storetest.Clerk || u.win.Canvas().Focused() != s.password {
		t.Errorf("the sign-in offers %q %q, cursor in %T", s.hub.Text, s.username.Text, u.win.Canvas().Focused())
	}
	signInAs(t, u, h.url, storetest.Clerk, "not the password")
	if want := "The hub cannot be reached, and this is not the password you last signed in with on this computer; check it and try again."; s.problem.Text != want {
		t.Fatalf("a wrong password offline reads %q", s.problem.Text)
	}
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.user.Username != storetest.Clerk || u.search == nil {
		t.Fatalf("offline sign-in: %q", s.problem.Text)
	}
	if got := u.status.link.Text; got != "Offline: changes wait for the hub" {
		t.Errorf("status %q", got)
	}
	if !strings.HasPrefix(u.status.message.Text, "The hub cannot be reached, so your password was checked on this computer.") {
		t.Errorf("message %q", u.status.message.Text)
	}

	// A record saved offline waits; the sync that follows the save fails
	// quietly.
	enterRecord(t, u, storetest.Maria, "4512345", "09/01/2025")
	if got := u.status.pending.Text; got != "Waiting for sync: 1" {
		t.Errorf("status %q", got)
	}
	if !strings.HasPrefix(u.status.message.Text, "Saved the record with MIS2000 ID 4512345") {
		t.Errorf("the failed sync after the save hid what the save said: %q", u.status.message.Text)
	}
	// Ctrl+R while the hub is down says so, and keeps the change.
	press(t, u, keySync)
	if got := u.status.message.Text; got != "The hub cannot be reached; your changes are kept and will be sent later." {
		t.Errorf("Sync now offline says %q", got)
	}
	if c := storetest.CountRows(t, st); c.Pending != 1 || c.Records != 1 {
		t.Errorf("after the failed sync: %+v", c)
	}

	// The hub is back: Ctrl+R sends the record.
	h.restart(t)
	press(t, u, keySync)
	if u.status.link.Text != "Online" || u.status.pending.Text != "Waiting for sync: 0" {
		t.Errorf("after the hub came back: %q, %q, %q", u.status.link.Text, u.status.pending.Text, u.status.message.Text)
	}
	if got := u.status.message.Text; got != "Synced with the hub: sent 1 change, received 1 change." {
		t.Errorf("message %q", got)
	}
	other := newWorkstation(t, h, storetest.Admin)
	if recs, _ := other.st.StudentRecords(context.Background(), storetest.Maria); len(recs) != 1 || recs[0].MIS2000ID != "4512345" {
		t.Errorf("the hub has %+v", recs)
	}
}

// TestSignInWhileTheHubLocksOutThisNetwork: the hub refuses every
// sign-in from an address that failed a few times, for a while (up to 15
// minutes), whoever signs in from it: a colleague's typos at the same
// office, behind the same address, lock out a clerk whose password is
// right. The clerk works on, the password checked on this computer as
// when the hub cannot be reached, and is told why; a wrong password is
// still refused. Before, the clerk could not open the app at all until
// the hub let the address in again.
func TestSignInWhileTheHubLocksOutThisNetwork(t *testing.T) {
	h := startHub(t)
	first, st := signedInApp(t, h, storetest.Clerk)
	first.win.Close()
	lockOut(t, h)

	u := start(t, st, Options{})
	signInAs(t, u, h.url, storetest.Clerk, "not the password")
	if want := "this is not the password you last signed in with on this computer"; !strings.Contains(u.signIn.problem.Text, want) {
		t.Fatalf("a wrong password while the hub locks this network out reads %q", u.signIn.problem.Text)
	}
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.signIn != nil || u.user.Username != storetest.Clerk || u.search == nil {
		t.Fatalf("the clerk could not sign in while the hub locks this network out: %q", u.signIn.problem.Text)
	}
	if msg := u.status.message.Text; !strings.HasPrefix(msg, "The hub refuses sign-ins from here for a while, after too many failed ones, so your password was checked on this computer.") {
		t.Errorf("the sign-in says %q", msg)
	}
	// A record saved meanwhile waits, and the sync that follows the save,
	// turned away too, fails quietly, as offline.
	enterRecord(t, u, storetest.Maria, "4512345", "09/01/2025")
	if got := u.status.pending.Text; got != "Waiting for sync: 1" || u.status.link.Text != "Offline: changes wait for the hub" {
		t.Errorf("status %q, %q", u.status.link.Text, got)
	}
	if !strings.HasPrefix(u.status.message.Text, "Saved the record with MIS2000 ID 4512345") {
		t.Errorf("the sync after the save hid what the save said: %q", u.status.message.Text)
	}
}

// lockOut has the hub lock out an address with failed sign-ins of a user
// name it does not know, and gives the hub's answer to it to every
// sign-in after: the test's address locked out for as long as the test
// takes, however slow the machine, where the hub's own lockout of the
// test's address would end after seconds.
func lockOut(t *testing.T, h *testHub) {
	t.Helper()
	for range 10 {
		r := httptest.NewRequest("POST", "/v1/signin", strings.NewReader(`{"username":"nobody","password":"guess"}`))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = "192.0.2.1:4000"
		rec := httptest.NewRecorder()
		h.api.ServeHTTP(rec, r)
		switch rec.Code {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests:
			h.lockout.Store(rec)
			return
		default:
			t.Fatalf("a guess at the hub: %d %s", rec.Code, rec.Body)
		}
	}
	t.Fatal("the hub did not lock out an address after ten failed sign-ins")
}

// TestAnotherUsersDatabaseIsRefused: a database that belongs to one clerk
// refuses another's sign-in with a sentence, and stays the first's.
func TestAnotherUsersDatabaseIsRefused(t *testing.T) {
	h := startHub(t)
	w := newWorkstation(t, h, storetest.Clerk)
	u := start(t, w.st, Options{})
	signInAs(t, u, h.url, storetest.ClerkWest, password)
	want := w.st.Path() + " belongs to Lucía Ramos (clerk1); sign in as clerk1, or start Migrant Desk with another database (--db FILE)."
	if u.signIn == nil || u.signIn.problem.Text != want {
		t.Fatalf("another user's sign-in reads %q", u.signIn.problem.Text)
	}
	if id, _, _ := w.st.Identity(context.Background()); id.User.Username != storetest.Clerk {
		t.Errorf("the database now belongs to %q", id.User.Username)
	}
}

// TestReplacedHubDatabaseIsRefused: a database that synced with a hub
// under one name is refused by a hub of another name at the same address
// (its database replaced by another hub's), before anything is sent, and
// the app says so rather than asking about a move.
func TestReplacedHubDatabaseIsRefused(t *testing.T) {
	h := startHub(t)
	w := newWorkstation(t, h, storetest.Clerk)
	ctx := context.Background()
	id, _, err := w.st.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id.Hub = "the name of the hub this database synced with"
	if err := w.st.SetIdentity(ctx, id); err != nil {
		t.Fatal(err)
	}
	signIns := h.signIns.Load()
	u := start(t, w.st, Options{})
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.signIn == nil || !strings.Contains(u.signIn.problem.Text, "now serves another hub's database") {
		t.Fatalf("the sign-in to a replaced hub database reads %q", u.signIn.problem.Text)
	}
	if !strings.Contains(strings.Join(texts(u.win.Canvas()), "\n"), "Nothing was sent to it") {
		t.Fatal("the app does not say that the hub's database was replaced")
	}
	if h.signIns.Load() != signIns+1 {
		t.Fatalf("%d sign-ins, not one", h.signIns.Load()-signIns)
	}
	tap(t, u, "Cancel")
	if got, _, _ := w.st.Identity(ctx); got.Hub != id.Hub || u.signIn == nil {
		t.Errorf("after Cancel the database names its hub %q", got.Hub)
	}
}

// TestAnotherHubIsRefused: a database that has synced with one hub is
// refused by another with a sentence that says which is which, before
// anything is sent to it, and the app asks whether that hub is its own,
// moved or restored there. Cancel keeps the database its hub's; it signs
// in to its own as before; and the person who says the other is theirs
// syncs with it.
func TestAnotherHubIsRefused(t *testing.T) {
	h := startHub(t)
	w := newWorkstation(t, h, storetest.Clerk)
	other := startHub(t)
	u := start(t, w.st, Options{})
	signInAs(t, u, other.url, storetest.Clerk, password)
	want := "This database has synced with the hub at " + h.url + ", and the hub at " + other.url + " is another hub: sign in to " +
		h.url + ", or use another database with " + other.url + " (what is in this one stays here)."
	if u.signIn == nil {
		t.Fatal("the database signed in to another hub")
	}
	if u.signIn.problem.Text != want {
		t.Fatalf("the sign-in to another hub reads %q", u.signIn.problem.Text)
	}
	if !strings.Contains(strings.Join(texts(u.win.Canvas()), "\n"), "Sync with "+other.url+" only if your hub moved there") {
		t.Fatal("the app does not ask whether the other hub is this database's own")
	}
	tap(t, u, "Cancel")
	if id, _, _ := w.st.Identity(context.Background()); id.HubURL != h.url || u.signIn == nil {
		t.Errorf("after Cancel the database syncs with %q", id.HubURL)
	}
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.signIn != nil || u.user.Username != storetest.Clerk || u.status.link.Text != "Online" {
		t.Fatalf("the sign-in to its own hub after it: %q", u.status.link.Text)
	}

	u.win.Close()
	u = start(t, w.st, Options{})
	// Out of reach, the other hub cannot say whose it is: no sign-in on
	// this computer for it, whose syncs would be refused with no way on.
	other.stop()
	signInAs(t, u, other.url, storetest.Clerk, password)
	if u.signIn == nil {
		t.Fatal("signed in on this computer for another hub out of reach")
	}
	if !strings.Contains(u.signIn.problem.Text, "cannot be reached, and this database syncs with the hub at "+h.url) {
		t.Fatalf("an offline sign-in to another hub reads %q", u.signIn.problem.Text)
	}
	other.restart(t)
	signInAs(t, u, other.url, storetest.Clerk, password)
	tap(t, u, "Sync with "+other.url)
	u.wait()
	if id, _, _ := w.st.Identity(context.Background()); u.signIn != nil || id.HubURL != other.url || u.status.link.Text != "Online" {
		t.Fatalf("confirmed, the database syncs with %q (%q)", id.HubURL, u.status.link.Text)
	}
}

// TestSignedOutByTheHub: the clerk's password is changed at the hub while
// the app runs, which ends the sign-in; the next sync says so and stops,
// the old password no longer signs in on this computer (the hub answers
// a changed password as a disabled account), and Sync now asks for the
// password, then syncs, and the new one signs in on this computer.
func TestSignedOutByTheHub(t *testing.T) {
	h, u := signedOutApp(t)
	if got := u.status.link.Text; got != "Signed out: sign in again to sync (Ctrl+R)" {
		t.Errorf("status %q", got)
	}
	if !strings.HasPrefix(u.status.message.Text, "The hub no longer accepts your user name and password") {
		t.Errorf("message %q", u.status.message.Text)
	}
	if id := identityOf(t, u.st); id.Verifier != "" {
		t.Error("the password changed at the hub still signs in on this computer")
	}
	// A change made meanwhile does not try the refused password again:
	// failed sign-ins would lock the clerk out at the hub.
	tries := h.signIns.Load()
	u.changed("")
	u.wait()
	if h.signIns.Load() != tries {
		t.Error("a change tried the refused password again")
	}
	press(t, u, keySync)
	typeAgain(t, u, changedPassword)
	u.wait()
	if id := identityOf(t, u.st); u.status.link.Text != "Online" || u.dialogs.Open() || !argon2id.VerifyPassword(id.Verifier, changedPassword) {
		t.Errorf("after signing in again: %q, %q", u.status.link.Text, u.status.message.Text)
	}
}

// TestPasswordTypedDuringSignIn: a password typed again while the sign-in
// with the one typed before is still under way (Sync now asks again, as
// the app is still signed out) is the one the next sync signs in with.
// The sync under way took the session back with its own password, and
// the one typed after it was lost: the app stayed signed out, saying the
// hub had refused the password the clerk had just typed right.
func TestPasswordTypedDuringSignIn(t *testing.T) {
	_, u := signedOutApp(t)
	if u.sync.state != linkSignedOut {
		t.Fatalf("the changed password did not sign the app out: %q", u.status.link.Text)
	}
	press(t, u, keySync)
	typeAgain(t, u, "a mistyped passphrase")
	if !u.sync.running {
		t.Fatal("the password typed did not start a sync")
	}
	// Ctrl+R while that sign-in runs: press would wait for it.
	u.syncNow()
	typeAgain(t, u, changedPassword)
	u.wait()
	if u.sync.state != linkOnline || u.status.link.Text != "Online" {
		t.Errorf("after the right password, typed second: state %d, %q, %q", u.sync.state, u.status.link.Text, u.status.message.Text)
	}
}

// changedPassword is the clerk's password once signedOutApp has changed
// it at the hub.
const changedPassword = "a brand new passphrase"

// signedOutApp signs the clerk in to a new hub, changes the clerk's
// password there and syncs: the hub ends the sign-in and refuses the
// password the app kept.
func signedOutApp(t *testing.T) (*testHub, *UI) {
	t.Helper()
	h := startHub(t)
	u, _ := signedInApp(t, h, storetest.Clerk)
	h.setPassword(t, storetest.Clerk, changedPassword)
	press(t, u, keySync)
	return h, u
}

// typeAgain types pw into the dialog Sync now shows when the hub has
// refused the password kept, and submits it, leaving the sync it starts
// to the caller.
func typeAgain(t *testing.T, u *UI, pw string) {
	t.Helper()
	if !slices.ContainsFunc(texts(u.win.Canvas()), func(s string) bool { return strings.Contains(s, "Type your password to sync again.") }) {
		t.Fatalf("Sync now asked for no password: %q", texts(u.win.Canvas()))
	}
	var entry *widgets.Entry
	for _, o := range walk(u.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*widgets.Entry); ok && e.Password {
			entry = e
		}
	}
	test.Type(entry, pw)
	entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}
