package gui

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
)

// TestConflictResolvedThreeWays: the clerk and another user change the
// same three records, the other first; the clerk's sync brings three
// conflicts, the status bar counts them and opens the Conflicts screen,
// which shows mine and theirs side by side; the clerk keeps theirs for
// one, mine for another and merges the third, and each reaches the hub.
func TestConflictResolvedThreeWays(t *testing.T) {
	h := startHub(t)
	u, st := signedInApp(t, h, storetest.Clerk)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	students := []string{storetest.Maria, storetest.HernandezA, storetest.Tomas}
	ids := map[string]string{}
	for i, id := range students {
		r, err := st.SaveRecord(ctx, clerk, storetest.Record(t, id, fmt.Sprintf("10000%d", i), "2025-09-01", ""))
		if err != nil {
			t.Fatal(err)
		}
		ids[id] = r.ID
	}
	press(t, u, keySync)

	// The state administrator changes them at the hub first...
	other := newWorkstation(t, h, storetest.Admin)
	for i, id := range students {
		r := other.record(t, ids[id])
		r.MIS2000ID = fmt.Sprintf("20000%d", i)
		other.save(t, r.MigrantRecord)
	}
	other.sync(t)
	// ...while the clerk changes them here.
	for i, id := range students {
		r, err := st.RecordByID(ctx, ids[id])
		if err != nil {
			t.Fatal(err)
		}
		r.MIS2000ID = fmt.Sprintf("30000%d", i)
		if _, err := st.SaveRecord(ctx, clerk, r.MigrantRecord); err != nil {
			t.Fatal(err)
		}
	}
	press(t, u, keySync)
	if got := u.status.conflicts.Text; got != "Conflicts: 3" || u.status.conflicts.Importance != widget.WarningImportance {
		t.Errorf("status bar %q", got)
	}
	if !strings.Contains(u.status.message.Text, "3 changes met a change made on the hub first: resolve the conflicts under Conflicts.") {
		t.Errorf("message %q", u.status.message.Text)
	}

	test.Tap(u.status.conflicts)
	u.wait()
	cs := u.conflicts
	if u.current != cs.obj || len(cs.conflicts) != 3 || cs.tabs.Items[0].Text != "Conflicts (3)" {
		t.Fatalf("the Conflicts screen shows %d conflicts", len(cs.conflicts))
	}
	choose := func(stateID string) {
		t.Helper()
		for i, c := range cs.conflicts {
			if c.Student.StateID == stateID {
				cs.list.Select(i)
				return
			}
		}
		t.Fatalf("no conflict of student %s", stateID)
	}

	// Side by side, field by field; the fields that differ stand out.
	choose(storetest.Maria)
	// At the window's default size, beside the comparison, the list says
	// whole whose record it is and when the hub answered.
	u.win.Resize(screenSize) // the test driver lays out again on a change of size only
	u.win.Resize(fyne.NewSize(1280, 700))
	if got := cutCells(cs.list); len(got) > 0 {
		t.Errorf("1280 px wide, the conflicts list cuts short %q", textsOf(got))
	}
	theirs := cs.conflicts[cs.chosen].Theirs
	if theirs.UpdatedBy != storetest.Admin || theirs.UpdatedByName != "Pat Moore" || theirs.UpdatedAt == "" {
		t.Errorf("the hub's copy says it was changed by %q (%q) at %q", theirs.UpdatedBy, theirs.UpdatedByName, theirs.UpdatedAt)
	}
	var rows []string
	for _, row := range cs.compare.Objects[1:] {
		rows = append(rows, strings.Join(labelTexts(row), " | "))
	}
	want := []string{
		"MIS2000 ID | 300000 | 200000",
		"QAD | 09/01/2025 | 09/01/2025",
		"EED | 08/31/2028 | 08/31/2028",
		"Deleted | No | No",
		"Version | 2 | 2",
		"Changed by | You (clerk1), on this computer | Changed by Pat Moore on " + data.LocalTime(theirs.UpdatedAt),
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("the comparison reads\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	for _, o := range walk(cs.compare.Objects[1]) {
		if l, ok := o.(*widget.Label); ok && l.Text == "300000" && l.Importance != widget.WarningImportance {
			t.Error("the MIS2000 IDs differ and do not stand out")
		}
	}

	if cs.warning.Visible() {
		t.Error("a record still in the clerk's region is said to have left it")
	}
	// Had a re-import moved the student out of the region, the
	// comparison would say what keeping theirs does then, and offer
	// nothing else; while a snapshot may yet tell, it offers nothing.
	for _, c := range []struct {
		mark, says string
		theirs     bool
	}{
		{"gone", "Keep theirs removes the record from this computer", true},
		{"unseen", "sync now (Ctrl+R) when you are online, then choose", false},
	} {
		markConflict(t, st.Path(), ids[storetest.HernandezA], c.mark)
		cs.load()
		u.wait()
		choose(storetest.HernandezA)
		if !cs.warning.Visible() || !strings.Contains(cs.warning.Text, c.says) {
			t.Errorf("%s: the warning shows %v, %q", c.mark, cs.warning.Visible(), cs.warning.Text)
		}
		if cs.keepTheirs.Disabled() == c.theirs || !cs.keepMine.Disabled() || !cs.merge.Disabled() {
			t.Errorf("%s: keep theirs, keep mine, merge disabled: %v %v %v", c.mark,
				cs.keepTheirs.Disabled(), cs.keepMine.Disabled(), cs.merge.Disabled())
		}
	}
	unmarkGone(t, st.Path(), ids[storetest.HernandezA])
	cs.load()
	u.wait()
	choose(storetest.Maria)

	// Keep theirs: the hub's record as it is, nothing sent.
	tap(t, u, "Keep theirs")
	if r, _ := st.RecordByID(ctx, ids[storetest.Maria]); r.MIS2000ID != "200000" || r.Version != 2 {
		t.Errorf("kept theirs, the record here reads %s version %d", r.MIS2000ID, r.Version)
	}
	if !strings.Contains(u.status.message.Text, "Kept the hub's record with MIS2000 ID 200000") {
		t.Errorf("message %q", u.status.message.Text)
	}
	// The next conflict is the clerk's to choose.
	if cs.chosen >= 0 || cs.detail.Visible() {
		t.Errorf("after a resolution the screen compares conflict %d by itself", cs.chosen)
	}
	// Keep mine, tapped twice: the second tap finds the buttons off (the
	// first is under way) or nothing compared (it is done), and resolves
	// nothing else.
	choose(storetest.HernandezA)
	keepMine := findButton(u.win.Canvas(), "Keep mine")
	test.Tap(keepMine)
	test.Tap(keepMine)
	u.wait()
	if u.dialogs.Open() {
		t.Fatal("a second tap on Keep mine opened a dialog")
	}
	if len(cs.conflicts) != 1 || cs.conflicts[0].Student.StateID != storetest.Tomas {
		t.Fatalf("after Keep mine tapped twice, %d conflicts are left", len(cs.conflicts))
	}
	// Edit a merge: the record form, with its checks, starting from mine.
	choose(storetest.Tomas)
	tap(t, u, "Edit a merge…")
	f := cs.form
	if f == nil || f.mis.Text != "300002" || f.qad.Entry.Text != "09/01/2025" {
		t.Fatalf("the merge starts from %+v", f)
	}
	if !strings.Contains(strings.Join(texts(u.win.Canvas()), "\n"), "The hub's copy: MIS2000 ID 200002, QAD 09/01/2025, EED 08/31/2028") {
		t.Error("the merge does not show the hub's copy")
	}
	retype(f.qad.Entry, "13/01/2025")
	if !f.qadErr.Visible() || !f.saveBtn.Disabled() {
		t.Errorf("an invalid QAD in the merge: error %q, Save disabled %v", f.qadErr.Text, f.saveBtn.Disabled())
	}
	retype(f.mis, "400002")
	retype(f.qad.Entry, "10/01/2025")
	press(t, u, keySave)
	if cs.form != nil {
		t.Fatalf("the merge was not saved: %q", f.formErr.Text)
	}

	if u.status.conflicts.Text != "Conflicts: 0" || u.status.pending.Text != "Waiting for sync: 0" || len(cs.conflicts) != 0 {
		t.Errorf("after resolving: %q, %q, %d listed", u.status.conflicts.Text, u.status.pending.Text, len(cs.conflicts))
	}
	if !strings.HasPrefix(cs.hint.Text, "No conflicts") {
		t.Errorf("hint %q", cs.hint.Text)
	}
	// The hub has each resolution.
	other.sync(t)
	if r := other.record(t, ids[storetest.Maria]); r.Version != 2 {
		t.Errorf("keeping the hub's record made it version %d there", r.Version)
	}
	for id, want := range map[string]string{
		storetest.Maria:      "200000 09/01/2025 08/31/2028",
		storetest.HernandezA: "300001 09/01/2025 08/31/2028",
		storetest.Tomas:      "400002 10/01/2025 09/30/2028",
	} {
		r := other.record(t, ids[id])
		if got := r.MIS2000ID + " " + r.QAD.US() + " " + r.EED.US(); got != want {
			t.Errorf("the hub has %s for student %s, want %s", got, id, want)
		}
	}
}

// TestRefusedChangeIsShownWithItsReason: an overlap only the hub can see
// (another user's record of the same student) is refused; the status line
// says so, the Conflicts screen lists it with the hub's reason naming the
// other record, and clicking it opens the student.
func TestRefusedChangeIsShownWithItsReason(t *testing.T) {
	u := refusedMaria(t)
	if !strings.Contains(u.status.message.Text, "The hub refused 1 change: see why under Conflicts.") {
		t.Errorf("message %q", u.status.message.Text)
	}
	tap(t, u, "Conflicts")
	cs := u.conflicts
	if len(cs.rejections) != 1 || cs.tabs.Items[1].Text != "Refused by the hub (1)" {
		t.Fatalf("refused %+v", cs.rejections)
	}
	r := cs.rejections[0]
	if r.what != "New record of García López, María José, state ID 1000000001: MIS2000 ID 4512345, QAD 09/01/2025, EED 08/31/2028" {
		t.Errorf("what %q", r.what)
	}
	if !strings.HasPrefix(r.why, "Refused ") || !strings.Contains(r.why, "777777") {
		t.Errorf("why %q", r.why)
	}
	if got := u.status.conflicts.Text; got != "Conflicts: 0 · refused: 1" {
		t.Errorf("status bar before dismissing: %q", got)
	}
	cs.refusedTab.Select(0)
	u.wait()
	if !u.studentShown() || u.student.detail.Student.StateID != storetest.Maria {
		t.Error("clicking the refused change did not open the student")
	}

	// Read, then dismissed: no longer listed or counted.
	tap(t, u, "Conflicts")
	cs.tabs.SelectIndex(1)
	tap(t, u, "Dismiss…")
	if !u.dialogs.Open() || !strings.Contains(strings.Join(texts(u.win.Canvas()), " "), "777777") {
		t.Fatal("dismissing does not show the reason first")
	}
	// By the keyboard, Tab having reached the dialog's buttons: Esc keeps
	// the change listed, Enter on Dismiss dismisses it.
	c := u.win.Canvas()
	c.Focus(focusableButton(t, u, "Keep it listed"))
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	u.wait()
	if u.dialogs.Open() || len(cs.rejections) != 1 {
		t.Fatalf("Esc on Keep it listed: the question open %v, refused %d", u.dialogs.Open(), len(cs.rejections))
	}
	// Enter with no button reached keeps it listed: dismissing is chosen,
	// never pressed out of habit.
	tap(t, u, "Dismiss…")
	c.Unfocus()
	key(u, fyne.KeyReturn)
	if u.dialogs.Open() || len(cs.rejections) != 1 {
		t.Fatalf("Enter on the question: open %v, refused %d", u.dialogs.Open(), len(cs.rejections))
	}
	tap(t, u, "Dismiss…")
	c.Focus(focusableButton(t, u, "Dismiss"))
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	u.wait()
	if len(cs.rejections) != 0 || cs.tabs.Items[1].Text != "Refused by the hub (0)" {
		t.Errorf("after dismissing: %+v", cs.rejections)
	}
	if got := u.status.conflicts.Text; got != "Conflicts: 0" {
		t.Errorf("status bar after dismissing: %q", got)
	}
}

// refusedMaria is a clerk's app synced once, the hub refusing the new
// record of Maria that the clerk saved: an administrator had sent one of
// the same student first.
func refusedMaria(t *testing.T) *UI {
	t.Helper()
	h := startHub(t)
	u, st := signedInApp(t, h, storetest.Clerk)
	other := newWorkstation(t, h, storetest.Admin)
	other.save(t, storetest.Record(t, storetest.Maria, "777777", "2025-10-01", ""))
	other.sync(t)
	if _, err := st.SaveRecord(context.Background(), storetest.User(storetest.Clerk),
		storetest.Record(t, storetest.Maria, "4512345", "2025-09-01", "")); err != nil {
		t.Fatal(err)
	}
	press(t, u, keySync)
	return u
}

// Back from a student opened from the refused changes, the keyboard is
// on their list, the tab shown: it went to the list of conflicts, on the
// tab out of sight, where Enter chose a conflict no one could see.
func TestBackToRefusedChangesKeepsTheKeyboardOnThem(t *testing.T) {
	u := refusedMaria(t)
	u.showConflicts()
	u.wait()
	u.conflicts.tabs.SelectIndex(1)
	u.win.Canvas().Focus(u.conflicts.refusedTab)
	key(u, fyne.KeyReturn)
	if !u.studentShown() {
		t.Fatal("Enter on the refused change opened no student")
	}
	tap(t, u, "Back to Conflicts")
	if got := u.win.Canvas().Focused(); got != u.conflicts.refusedTab {
		t.Errorf("back on the refused changes, the keyboard is on %T %p, not their list %p", got, got, u.conflicts.refusedTab)
	}
	u.showHome()
	u.conflicts.tabs.SelectIndex(0)
	u.showConflicts()
	if got := u.win.Canvas().Focused(); got != u.conflicts.list {
		t.Errorf("on the conflicts tab, the keyboard is on %T, not the list of conflicts", got)
	}
}

// markConflict marks the conflict of a record as the store does when a
// snapshot leaves the record out ("gone": store.Conflict.Gone) or has yet
// to bring it ("unseen": Conflict.Undecided), alone; unmarkGone, as when
// a snapshot brings it back.
func markConflict(t *testing.T, path, id, mark string) {
	t.Helper()
	execOn(t, path, `UPDATE conflicts SET theirs = json_set(json_remove(theirs, '$.gone', '$.unseen'), '$.'||?, json('true'))
		WHERE record_id = ?`, mark, id)
}

func unmarkGone(t *testing.T, path, id string) {
	t.Helper()
	execOn(t, path, `UPDATE conflicts SET theirs = json_remove(theirs, '$.gone', '$.unseen') WHERE record_id = ?`, id)
}

func execOn(t *testing.T, path, q string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// slowKeep holds Keep mine until gate is closed.
type slowKeep struct {
	conflictStore
	gate chan struct{}
}

func (s slowKeep) KeepMine(ctx context.Context, u data.User, id string, seen int) error {
	<-s.gate
	return s.conflictStore.KeepMine(ctx, u, id, seen)
}

// TestConflictsReadAgainDuringAResolution: a sync that ends while Keep
// mine is applied reads the conflicts again, the one being resolved
// still among them; its buttons stay off until the resolution is done,
// so a second tap does nothing.
func TestConflictsReadAgainDuringAResolution(t *testing.T) {
	u, _, _ := mariaInConflict(t)
	test.Tap(u.status.conflicts)
	u.wait()
	cs := u.conflicts
	gate := make(chan struct{})
	cs.st = slowKeep{cs.st, gate}
	keepMine := findButton(u.win.Canvas(), "Keep mine")
	test.Tap(keepMine)
	if !keepMine.Disabled() {
		t.Fatal("Keep mine is still on while it is applied")
	}
	cs.load() // as a sync's end does with the screen shown
	if !u.tasks.until(func() bool { return strings.HasPrefix(cs.hint.Text, "1 record") }) {
		t.Fatal("the conflicts were not read again")
	}
	if !keepMine.Disabled() || cs.chosen != 0 {
		t.Errorf("read again during the resolution: Keep mine on %v, conflict %d compared", !keepMine.Disabled(), cs.chosen)
	}
	test.Tap(keepMine)
	close(gate)
	u.wait()
	if u.dialogs.Open() || len(cs.conflicts) != 0 {
		t.Fatalf("after the resolution: a dialog open %v, %d conflicts", u.dialogs.Open(), len(cs.conflicts))
	}
}

// mariaInConflict is a clerk's app synced with a hub, and a record of
// María in conflict: the clerk saved it as 100000 and synced; then an
// administrator, on the workstation returned, changed it to 200000 at
// the hub while the clerk changed it to 300000 here, and did each of
// beforeSync with the app before the sync that brought the conflict.
func mariaInConflict(t *testing.T, beforeSync ...func(*UI)) (*UI, *store.Store, *workstation) {
	t.Helper()
	h := startHub(t)
	u, st := signedInApp(t, h, storetest.Clerk)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	r, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "100000", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	press(t, u, keySync)
	other := newWorkstation(t, h, storetest.Admin)
	o := other.record(t, r.ID)
	o.MIS2000ID = "200000"
	other.save(t, o.MigrantRecord)
	other.sync(t)
	mine, _ := st.RecordByID(ctx, r.ID)
	mine.MIS2000ID = "300000"
	if _, err := st.SaveRecord(ctx, clerk, mine.MigrantRecord); err != nil {
		t.Fatal(err)
	}
	for _, f := range beforeSync {
		f(u)
	}
	press(t, u, keySync)
	if u.status.conflicts.Text != "Conflicts: 1" {
		t.Fatalf("no conflict: %q", u.status.conflicts.Text)
	}
	return u, st, other
}

// TestStudentShowsItsRecordInConflict: the student screen of a record in
// conflict says so on the record, and where to resolve it, instead of
// showing this computer's values as if they stood.
func TestStudentShowsItsRecordInConflict(t *testing.T) {
	u, _, _ := mariaInConflict(t, func(u *UI) {
		u.openStudent(storetest.Maria)
		u.wait()
	})
	if len(u.student.cards) != 1 {
		t.Fatalf("the student shows %d records", len(u.student.cards))
	}
	c := u.student.cards[0]
	if got := strings.TrimSpace(c.badge.Text); got != "In conflict" {
		t.Errorf("the record's badge says %q", got)
	}
	if !strings.Contains(c.detail.Text, "Someone else changed this record on the hub") {
		t.Errorf("the record says %q", c.detail.Text)
	}
	test.Tap(u.status.conflicts)
	u.wait()
	u.conflicts.list.Select(0)
	test.Tap(u.conflicts.keepMine)
	u.wait()
	u.openStudent(storetest.Maria)
	u.wait()
	if got := strings.TrimSpace(u.student.cards[0].badge.Text); got == "In conflict" {
		t.Errorf("after keeping mine the record's badge still says %q", got)
	}
}

// Enter presses the button of the Conflicts screen the keyboard is on,
// as on every other screen: its buttons were Fyne's own, which take
// Space only (and show no focus ring on a coloured button).
func TestConflictsButtonsTakeEnter(t *testing.T) {
	u := refusedMaria(t)
	tap(t, u, "Conflicts")
	u.conflicts.tabs.SelectIndex(1)
	u.wait()
	tried := pressEnterOnEach(t, "Conflicts", u.win.Canvas().Content())
	for _, want := range []string{"Back", "Dismiss…"} {
		if !slices.Contains(tried, want) {
			t.Errorf("%q is not among the buttons tried, %q", want, tried)
		}
	}
}

// TestDismissingTheRefusalOfAStudentLeftOutAsksToTakeTheRecordOff: the
// hub refused the record of María, whom its snapshot left out of the
// clerk's region. Dismissing the refusal asks whether to take the record
// off this computer too: Enter keeps the refusal listed, Dismiss only
// keeps the record, Dismiss and take off removes it (and María), the
// typed values staying in the outbox.
func TestDismissingTheRefusalOfAStudentLeftOutAsksToTakeTheRecordOff(t *testing.T) {
	refused := func(t *testing.T) (*UI, *store.Store, store.Record) {
		h := startHub(t)
		u, st := signedInApp(t, h, storetest.Clerk)
		// Offline from here: the hub of the test has not left María out,
		// and the sync that follows a dismissal is not this test's.
		h.stop()
		rec := leftOutMaria(t, st)
		ms, err := st.PendingMutations(context.Background(), 10)
		if err != nil || len(ms) != 1 {
			t.Fatalf("waiting %+v, %v", ms, err)
		}
		if err := st.MarkPushed(context.Background(), []sync.Result{{MutationID: ms[0].ID, Outcome: sync.Rejected,
			Reason: "student 1000000001 is not in the Central region"}}); err != nil {
			t.Fatal(err)
		}
		tap(t, u, "Conflicts")
		u.conflicts.tabs.SelectIndex(1)
		u.wait()
		tap(t, u, "Dismiss…")
		said := strings.Join(texts(u.win.Canvas()), " ")
		if !strings.Contains(said, "cannot be corrected or sent again from this computer") {
			t.Fatalf("the question does not say why the record may go: %q", said)
		}
		return u, st, rec
	}
	still := func(t *testing.T, st *store.Store, rec store.Record) bool {
		_, err := st.RecordByID(context.Background(), rec.ID)
		return err == nil
	}

	t.Run("Enter, then dismiss only", func(t *testing.T) {
		u, st, rec := refused(t)
		u.win.Canvas().Unfocus()
		key(u, fyne.KeyReturn)
		if u.dialogs.Open() || len(u.conflicts.rejections) != 1 || !still(t, st, rec) {
			t.Fatalf("Enter on the question: open %v, refused %d, record here %v", u.dialogs.Open(), len(u.conflicts.rejections), still(t, st, rec))
		}
		tap(t, u, "Dismiss…")
		c := u.win.Canvas()
		c.Focus(focusableButton(t, u, "Dismiss only"))
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		u.wait()
		if len(u.conflicts.rejections) != 0 || !still(t, st, rec) {
			t.Errorf("Dismiss only: refused %d, record here %v; want it dismissed, the record kept", len(u.conflicts.rejections), still(t, st, rec))
		}
		// Dismissed only, the record may still be taken off, from the
		// dismissed change; what was typed stays listed.
		test.Tap(u.conflicts.showDismissed)
		u.wait()
		tap(t, u, "Take off…")
		if said := strings.Join(texts(u.win.Canvas()), " "); !strings.Contains(said, "what you typed stays listed here") {
			t.Fatalf("taking off a record dismissed only asks %q", said)
		}
		tap(t, u, "Take off")
		if still(t, st, rec) {
			t.Fatal("the record dismissed only was not taken off")
		}
		if shown := u.conflicts.refusedShown(); len(shown) != 1 || shown[0].takeOff || !strings.Contains(shown[0].what, "MIS2000 ID 999") {
			t.Errorf("after the take off, the dismissed listed: %+v", shown)
		}
		if b := findButton(u.win.Canvas(), "Take off…"); b != nil && b.Visible() {
			t.Error("a record taken off is offered to be taken off again")
		}
	})
	t.Run("take off", func(t *testing.T) {
		u, st, rec := refused(t)
		tap(t, u, "Dismiss and take off")
		if len(u.conflicts.rejections) != 0 || still(t, st, rec) {
			t.Fatalf("taken off: refused %d, record here %v", len(u.conflicts.rejections), still(t, st, rec))
		}
		if got := u.status.conflicts.Text; got != "Conflicts: 0" {
			t.Errorf("status bar after taking the record off: %q", got)
		}
		if _, err := st.Student(context.Background(), storetest.Maria); !errors.Is(err, store.ErrNoStudent) {
			t.Errorf("María is still here: %v", err)
		}
		dismissedStayInSight(t, u, "New record of state ID 1000000001: MIS2000 ID 999, QAD 09/01/2025")
	})
}

// dismissedStayInSight checks that the Conflicts screen, whose one
// refused change is dismissed, lists it again with what was typed (it
// begins with what) when asked, and copies it; a dismissed change is
// not dismissed again, and is not counted.
func dismissedStayInSight(t *testing.T, u *UI, what string) {
	t.Helper()
	cs := u.conflicts
	if len(cs.refusedShown()) != 0 || cs.showDismissed.Disabled() {
		t.Fatalf("before asking, %d refusals listed; the dismissed offered: %v", len(cs.refusedShown()), !cs.showDismissed.Disabled())
	}
	if got := cs.refHint.Text; !strings.Contains(got, "What was typed in the 1 change you dismissed stays on this computer") {
		t.Errorf("the hint reads %q", got)
	}
	test.Tap(cs.showDismissed)
	u.wait()
	shown := cs.refusedShown()
	if len(shown) != 1 || !strings.HasPrefix(shown[0].what, what) || !strings.HasPrefix(shown[0].why, "Dismissed. Refused ") {
		t.Fatalf("the dismissed listed: %+v, want %q", shown, what)
	}
	if b := findButton(u.win.Canvas(), "Dismiss…"); b != nil && b.Visible() {
		t.Error("a dismissed change offers to be dismissed again")
	}
	tap(t, u, "Copy")
	if got := fyne.CurrentApp().Clipboard().Content(); !strings.HasPrefix(got, what) || !strings.Contains(got, "\nDismissed. Refused ") {
		t.Errorf("the clipboard holds %q", got)
	}
	if got := u.status.message.Text; !strings.HasPrefix(got, "Copied the refused change to the clipboard") {
		t.Errorf("the status bar says %q", got)
	}
	if got := cs.tabs.Items[1].Text; got != "Refused by the hub (0)" {
		t.Errorf("the tab reads %q", got)
	}
}

// TestRefusedRevokeSaysWhereToGo: a state administrator revokes, offline,
// a grant that another administrator ended and made again meanwhile, and
// saves a record another user sent first; the hub refuses both. The
// refused changes say what to do of each kind, a click on the revoke
// opens the Users and access tab of its district, as a click on the
// record opens its student, and every reason reads in full in the list
// at 1366×768, the hub's long sentence wrapped rather than cut.
func TestRefusedRevokeSaysWhereToGo(t *testing.T) {
	u := refusedRevoke(t)
	u.win.Resize(screenSize)
	u.showConflicts()
	u.wait()
	cs := u.conflicts
	cs.tabs.SelectIndex(1)
	if len(cs.rejections) != 2 {
		t.Fatalf("refused %+v", cs.rejections)
	}
	for _, want := range []string{"A record's change: click it to open the student",
		"A grant or revoke of the QA Migrant report: the reason says who changed it since",
		"click it to open the Users and access tab"} {
		if !strings.Contains(cs.refHint.Text, want) {
			t.Errorf("the hint %q does not say %q", cs.refHint.Text, want)
		}
	}
	revoke := slices.IndexFunc(cs.rejections, func(r refusal) bool { return strings.HasPrefix(r.what, "Revocation") })
	if revoke < 0 || !strings.Contains(cs.rejections[revoke].why, "Dan Moss granted Cora Díaz the report again on ") {
		t.Fatalf("no refused revoke with the hub's reason: %+v", cs.rejections)
	}
	// The coordinator is named as everywhere else, not by user name alone.
	if want := "for Cora Díaz (" + storetest.Coordinator + ")"; !strings.HasSuffix(cs.rejections[revoke].what, want) {
		t.Errorf("the refused revoke reads %q, not ending %q", cs.rejections[revoke].what, want)
	}
	for _, r := range cs.rejections {
		var why *widget.Label
		for _, o := range shown(cs.refusedTab) {
			if l, ok := o.(*widget.Label); ok && l.Text == r.why {
				why = l
			}
		}
		if why == nil {
			t.Fatalf("the reason %q is not shown", r.why)
		}
		// What a label cannot show is cut with an ellipsis, or runs past
		// its row: the reason fits its row only wrapped to its lines.
		if why.Truncation != fyne.TextTruncateOff || why.Size().Height < why.MinSize().Height {
			t.Errorf("the reason %q is cut to %v in the list (truncation %v)", r.why, why.Size(), why.Truncation)
		}
	}

	cs.refusedTab.Select(revoke)
	u.wait()
	w := u.districts["001"]
	if w == nil || w.tabs.Selected().Text != "Users and access" {
		t.Fatalf("clicking the refused revoke did not open the Users and access tab of district 001: %v", w)
	}
	cs.refusedTab.Select(1 - revoke)
	u.wait()
	if !u.studentShown() || u.student.detail.Student.StateID != storetest.Maria {
		t.Error("clicking the refused record did not open the student")
	}
}

// refusedRevoke is a state administrator's app whose sync the hub
// answered with two refusals: a revoke of Cora's grant to district 001,
// which the district's administrator ended and made again meanwhile, and
// a new record of Maria, whom a clerk sent one of first.
func refusedRevoke(t *testing.T) *UI {
	t.Helper()
	ctx := context.Background()
	h := startHub(t)
	u, st := signedInApp(t, h, storetest.Admin)
	admin := storetest.User(storetest.Admin)
	if err := st.SetReportAccess(ctx, admin, storetest.Coordinator, "001", true); err != nil {
		t.Fatal(err)
	}
	press(t, u, keySync)
	// The hub stamps a grant to the second: the grant made again is
	// another one only a second later.
	time.Sleep(1100 * time.Millisecond)
	other := newWorkstation(t, h, storetest.DistrictAdmin)
	for _, grant := range []bool{false, true} {
		if err := other.st.SetReportAccess(ctx, other.user, storetest.Coordinator, "001", grant); err != nil {
			t.Fatal(err)
		}
	}
	other.sync(t)
	clerk := newWorkstation(t, h, storetest.Clerk)
	clerk.save(t, storetest.Record(t, storetest.Maria, "777777", "2025-10-01", ""))
	clerk.sync(t)
	if err := st.SetReportAccess(ctx, admin, storetest.Coordinator, "001", false); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveRecord(ctx, admin, storetest.Record(t, storetest.Maria, "4512345", "2025-09-01", "")); err != nil {
		t.Fatal(err)
	}
	press(t, u, keySync)
	return u
}

// TestHowToSaysWhatToDoOfARefusedChange: Help → How to… tells each role
// what to do of the changes the hub refuses it: a record is corrected in
// its student, a grant or revoke made again in Users and access.
func TestHowToSaysWhatToDoOfARefusedChange(t *testing.T) {
	want := map[string][]string{
		data.RoleClerk:         {"Refused by the hub: click it to open the student, correct the record"},
		data.RoleDistrictAdmin: {"A grant or revoke of the QA Migrant report the hub refused", "Users and access tab and grant or revoke it again"},
		data.RoleStateAdmin: {"Refused by the hub: click it to open the student, correct the record",
			"A grant or revoke of the QA Migrant report the hub refused", "Users and access tab and grant or revoke it again"},
	}
	for _, h := range howTo {
		for _, w := range want[h.role] {
			if !strings.Contains(h.text, w) {
				t.Errorf("How to… for %s does not say %q", h.role, w)
			}
		}
	}
}
