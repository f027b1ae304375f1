package gui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// restarted is the clerk's app started again on st, signed in to the
// hub of other, as after Migrant Desk ended without a word.
func restarted(t *testing.T, st *store.Store, other *workstation) *UI {
	t.Helper()
	u := start(t, st, Options{})
	signInAs(t, u, other.hub.url, storetest.Clerk, password)
	if u.signIn != nil {
		t.Fatalf("not signed in again: %q", u.signIn.problem.Text)
	}
	return u
}

// typeMerge opens the merge of the conflict shown and types in it.
func typeMerge(t *testing.T, u *UI, mis, qad string) *recordForm {
	t.Helper()
	u.showConflicts()
	u.wait()
	tap(t, u, "Edit a merge…")
	f := u.conflicts.form
	if f == nil {
		t.Fatal("Edit a merge opened no form")
	}
	retype(f.mis, mis)
	retype(f.qad.Entry, qad)
	u.wait()
	return f
}

// merges are the merges the store keeps of what the clerk typed.
func merges(t *testing.T, st *store.Store) []store.Draft {
	t.Helper()
	var out []store.Draft
	for _, d := range drafts(t, st) {
		if d.Merge {
			out = append(out, d)
		}
	}
	return out
}

// TestMergeTypingOutlivesTheApp: what a clerk types in the merge of a
// conflict is kept as they type, so that an app that ends without a
// word loses none of it. The next start offers it, Go on typing opens
// the merge holding it, saying that the hub's copy changed meanwhile;
// Later leaves it on the Conflicts screen, whose Discard forgets it. The
// merge typed again waits, on the Conflicts screen, for a sync that may
// find the record gone; saved, it resolves the conflict against the
// hub's copy as it is now, and leaves nothing kept.
func TestMergeTypingOutlivesTheApp(t *testing.T) {
	u, st, other := mariaInConflict(t)
	f := typeMerge(t, u, "400000", "10/01/2025")
	if ms := merges(t, st); len(ms) != 1 || draftTexts(ms[0]) != f.texts() || ms[0].Version != 2 {
		t.Fatalf("kept %+v as the clerk typed the merge, want %q against the hub's version 2", ms, f.texts())
	}

	// Meanwhile the administrator changes the record again at the hub.
	r := other.record(t, u.conflicts.conflicts[0].RecordID)
	r.MIS2000ID = "200001"
	other.save(t, r.MigrantRecord)
	other.sync(t)

	v := restarted(t, st, other)
	if !onScreen(v, "Typing not saved") || !onScreen(v, "a merge of the conflict over the record with MIS2000 ID 300000") ||
		!onScreen(v, "Later leaves it on the Conflicts screen") {
		t.Fatalf("the next start does not offer the merge typed: %q", texts(v.win.Canvas()))
	}
	tap(t, v, "Go on typing")
	g := v.conflicts.form
	if v.current != v.conflicts.obj || g == nil || g.texts() != f.texts() || !g.edited() {
		t.Fatalf("Go on typing opened the Conflicts screen %v, a merge %v, want it holding %q", v.current == v.conflicts.obj, g != nil, f.texts())
	}
	if !onScreen(v, "The form holds the merge you typed") || !onScreen(v, "The hub's copy has changed since") ||
		!onScreen(v, "The hub's copy: MIS2000 ID 200001") {
		t.Errorf("the merge reopened says %q", texts(v.win.Canvas()))
	}

	// It ends again; this time the clerk looks later.
	w := restarted(t, st, other)
	key(w, fyne.KeyEscape)
	w.showConflicts()
	w.wait()
	c := w.conflicts
	if !c.draftBox.Visible() || !strings.Contains(c.draftText.Text, "Not saved when Migrant Desk closed: a merge you typed") ||
		!strings.Contains(c.draftText.Text, "MIS2000 ID 400000, QAD 10/01/2025") {
		t.Fatalf("the Conflicts screen shows %v %q, want the merge typed", c.draftBox.Visible(), c.draftText.Text)
	}
	if !onScreen(w, "your merge not saved") {
		t.Error("the list of conflicts does not say which has a merge typed")
	}
	tap(t, w, "Discard…")
	tap(t, w, "Discard")
	if ms := merges(t, st); len(ms) != 0 || c.draftBox.Visible() || onScreen(w, "your merge not saved") {
		t.Fatalf("discarded, the merge typed is still kept %+v, or shown %v", ms, c.draftBox.Visible())
	}

	// Typed again; at the next start a sync under way may yet find the
	// record gone from the clerk's region: the merge waits for it.
	f = typeMerge(t, w, "400001", "10/01/2025")
	markConflict(t, st.Path(), r.ID, "unseen")
	x := restarted(t, st, other)
	tap(t, x, "Go on typing")
	c = x.conflicts
	if x.current != c.obj || c.form != nil || !c.draftGo.Disabled() ||
		!strings.Contains(c.draftText.Text, "It can be saved once the sync under way ends.") {
		t.Fatalf("while the sync may find the record gone, Go on typing opened a merge %v; the screen says %q",
			c.form != nil, c.draftText.Text)
	}
	unmarkGone(t, st.Path(), r.ID)
	c.load()
	x.wait()
	tap(t, x, "Go on typing")
	if c.form == nil || c.form.texts() != f.texts() {
		t.Fatalf("Go on typing on the Conflicts screen opened %v, want a merge holding %q", c.form != nil, f.texts())
	}
	press(t, x, keySave)
	if x.conflicts.form != nil || len(x.conflicts.conflicts) != 0 {
		t.Fatalf("the merge typed again was not saved: %q", f.formErr.Text)
	}
	got, err := st.RecordByID(context.Background(), r.ID)
	if err != nil || got.MIS2000ID != "400001" || got.Version != 4 {
		t.Errorf("the merge saved made the record %s version %d (%v), want 400001 version 4", got.MIS2000ID, got.Version, err)
	}
	if ds := drafts(t, st); len(ds) != 0 {
		t.Errorf("the merge saved is still kept: %+v", ds)
	}
}

// TestResolvedConflictOffersNoMergeTyping: the merge typed of a conflict
// then resolved otherwise (Keep mine, here at the next start) is
// forgotten with the conflict, and offered neither on the Conflicts
// screen nor at the start after.
func TestResolvedConflictOffersNoMergeTyping(t *testing.T) {
	u, st, other := mariaInConflict(t)
	typeMerge(t, u, "400000", "10/01/2025")
	if len(merges(t, st)) != 1 {
		t.Fatal("the merge typed is not kept")
	}

	v := restarted(t, st, other)
	key(v, fyne.KeyEscape)
	v.showConflicts()
	v.wait()
	if !v.conflicts.draftBox.Visible() {
		t.Fatal("the Conflicts screen does not show the merge typed")
	}
	tap(t, v, "Keep mine")
	if len(v.conflicts.conflicts) != 0 || v.conflicts.draftBox.Visible() {
		t.Fatalf("after Keep mine, %d conflicts, the merge typed shown %v", len(v.conflicts.conflicts), v.conflicts.draftBox.Visible())
	}
	if ms := merges(t, st); len(ms) != 0 {
		t.Errorf("the conflict resolved, the merge typed of it is still kept: %+v", ms)
	}
	w := restarted(t, st, other)
	if onScreen(w, "Typing not saved") {
		t.Errorf("the start after the resolution offers %q", texts(w.win.Canvas()))
	}
}

// heldDrafts reads the drafts, says so on read, then hands them over
// once gate is closed: a reading of the conflicts under way, as a sync
// that ends with the Conflicts screen shown starts one.
type heldDrafts struct {
	conflictStore
	read, gate chan struct{}
}

func (s heldDrafts) Drafts(ctx context.Context, username string) ([]store.Draft, error) {
	ds, err := s.conflictStore.Drafts(ctx, username)
	close(s.read)
	<-s.gate
	return ds, err
}

// TestMergeDiscardedDuringAReadingIsNotOffered: the conflicts read again
// while the clerk types a merge (a sync ended) hold its typing as the
// form kept it. The clerk discards the merge before that reading is
// shown: the screen must not offer the typing thrown away as a merge
// "not saved when Migrant Desk closed".
func TestMergeDiscardedDuringAReadingIsNotOffered(t *testing.T) {
	u, st, _ := mariaInConflict(t)
	f := typeMerge(t, u, "400000", "10/01/2025")
	c := u.conflicts
	held := heldDrafts{c.st, make(chan struct{}), make(chan struct{})}
	c.st = held
	c.load()
	<-held.read
	// Discarded, by hand: the reading under way keeps u.wait from
	// returning until it is shown.
	f.escape()
	test.Tap(findButton(u.win.Canvas(), "Discard"))
	if c.form != nil {
		t.Fatal("Discard left the merge open")
	}
	close(held.gate)
	u.wait()
	if c.draftBox.Visible() || onScreen(u, "your merge not saved") {
		t.Errorf("the merge discarded is offered as not saved: %q", c.draftText.Text)
	}
	if ms := merges(t, st); len(ms) != 0 {
		t.Errorf("the merge discarded is still kept: %+v", ms)
	}
}
