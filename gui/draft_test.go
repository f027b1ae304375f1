package gui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// drafts are the clerk's typing the store keeps.
func drafts(t *testing.T, st *store.Store) []store.Draft {
	t.Helper()
	ds, err := st.Drafts(context.Background(), storetest.Clerk)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// mariasRecord is a record the clerk saved of Maria, MIS2000 ID 500,
// QAD 09/01/2025.
func mariasRecord(t *testing.T, st *store.Store) store.Record {
	t.Helper()
	rec, err := st.SaveRecord(context.Background(), storetest.User(storetest.Clerk), storetest.Record(t, storetest.Maria, "500", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// onScreen reports whether any text of the window (its dialog too)
// holds s.
func onScreen(u *UI, s string) bool {
	return strings.Contains(strings.Join(texts(u.win.Canvas()), " "), s)
}

// TestTypingOutlivesTheApp: what a clerk types in a Student Migrant
// Detail is kept as they type, so that an app that ends without a word
// (Windows logging off, a power cut) loses none of it: the next start
// offers it, Go on typing opens the form holding it, and saving it
// leaves nothing kept.
func TestTypingOutlivesTheApp(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk, Open: storetest.Maria})
	u.wait()
	press(t, u, keyNew)
	f := u.student.form
	retype(f.mis, "4321")
	retype(f.qad.Entry, "09/01/2025")
	u.wait()
	ds := drafts(t, st)
	if len(ds) != 1 || ds[0].StateID != storetest.Maria || ds[0].RecordID != "" ||
		draftTexts(ds[0]) != [3]string{"4321", "09/01/2025", f.eed.Entry.Text} || ds[0].EEDChosen {
		t.Fatalf("kept %+v as the clerk typed, want the three fields, the EED computed", ds)
	}

	// The app ends with the form open; the clerk starts it again.
	again := start(t, st, Options{User: storetest.Clerk})
	again.wait()
	if !onScreen(again, "Typing not saved") || !onScreen(again, "García López") {
		t.Fatalf("the next start does not offer the typing: %q", texts(again.win.Canvas()))
	}
	tap(t, again, "Go on typing")
	if again.student.draftBox.Visible() {
		t.Error("the note of typing kept still shows behind the form that holds it")
	}
	g := again.student.form
	if g == nil || g.texts() != f.texts() || !g.edited() {
		t.Fatalf("Go on typing opened %v, want a form holding %q", g != nil, f.texts())
	}
	press(t, again, keySave)
	recs := again.student.detail.Records
	if again.student.form != nil || len(recs) != 1 || recs[0].MIS2000ID != "4321" {
		t.Fatalf("saving the typing: form open %v, records %+v", again.student.form != nil, recs)
	}
	if ds := drafts(t, st); len(ds) != 0 {
		t.Errorf("typing saved is still kept: %+v", ds)
	}
	if again.student.draftBox.Visible() {
		t.Error("the student's screen still shows typing not saved")
	}
}

// TestTypingForgotten: typing discarded, typed back to what the form
// started with, or chosen to be lost on quitting is not kept; typing
// discarded from the student's screen goes too.
func TestTypingForgotten(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk, Open: storetest.Maria})
	u.wait()
	press(t, u, keyNew)
	f := u.student.form
	retype(f.mis, "77")
	u.wait()
	if len(drafts(t, st)) != 1 {
		t.Fatal("typing not kept")
	}
	retype(f.mis, f.start[0])
	u.wait()
	if ds := drafts(t, st); len(ds) != 0 {
		t.Fatalf("typed back to the start, still kept: %+v", ds)
	}
	retype(f.mis, "78")
	key(u, fyne.KeyEscape)
	tap(t, u, "Discard")
	if ds := drafts(t, st); len(ds) != 0 || u.student.form != nil {
		t.Fatalf("discarded, still kept: %+v", ds)
	}

	press(t, u, keyNew)
	retype(u.student.form.mis, "79")
	u.wait()
	u.closeWindow()
	tap(t, u, "Quit without saving")
	if ds := drafts(t, st); len(ds) != 0 {
		t.Fatalf("quit without saving, still kept: %+v", ds)
	}

	// Kept from before, discarded from the student's screen.
	if err := st.KeepDraft(context.Background(), storetest.User(storetest.Clerk),
		store.Draft{StateID: storetest.Maria, MIS2000ID: "80"}); err != nil {
		t.Fatal(err)
	}
	v := start(t, st, Options{User: storetest.Clerk, Open: storetest.Maria})
	v.wait()
	key(v, fyne.KeyEscape) // Later, on the offer at start
	if !v.student.draftBox.Visible() || !strings.Contains(v.student.draftText.Text, "MIS2000 ID 80") {
		t.Fatalf("the student's screen shows %v %q, want the typing kept", v.student.draftBox.Visible(), v.student.draftText.Text)
	}
	tap(t, v, "Discard…")
	tap(t, v, "Discard")
	if ds := drafts(t, st); len(ds) != 0 || v.student.draftBox.Visible() {
		t.Fatalf("discarded from the screen, still kept: %+v", ds)
	}
}

// TestTypingOfARecordChangedSince: typing kept of an edit whose record a
// sync changed meanwhile says so, on the student's screen and in the
// form, and saves over the record as it is now, not as a conflict with
// the version it was typed on. Typing the store holds already (the app
// ended between the save and forgetting it) is forgotten unseen.
func TestTypingOfARecordChangedSince(t *testing.T) {
	st := openDemo(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	rec := mariasRecord(t, st)
	u := start(t, st, Options{User: storetest.Clerk, Open: storetest.Maria})
	u.wait()
	u.student.openForm(u.student.detail.Records[0])
	retype(u.student.form.mis, "501")
	u.wait()
	changed := rec.MigrantRecord
	changed.MIS2000ID = "502"
	if _, err := st.SaveRecord(ctx, data.Operator("other"), changed); err != nil {
		t.Fatal(err)
	}

	v := start(t, st, Options{User: storetest.Clerk, Open: storetest.Maria})
	v.wait()
	key(v, fyne.KeyEscape)
	if !strings.Contains(v.student.draftText.Text, "The record has changed since") {
		t.Fatalf("the student's screen says %q", v.student.draftText.Text)
	}
	tap(t, v, "Go on typing")
	if f := v.student.form; f == nil || f.mis.Text != "501" || !onScreen(v, "it now holds MIS2000 ID 502") {
		t.Fatalf("the form holds %q and says %q", v.student.form.mis.Text, texts(v.win.Canvas()))
	}
	press(t, v, keySave)
	recs := v.student.detail.Records
	if v.student.form != nil || len(recs) != 1 || recs[0].MIS2000ID != "501" || recs[0].Version != 3 {
		t.Fatalf("saving the typing over a changed record: form open %v, records %+v", v.student.form != nil, recs)
	}

	// Kept, and the same as the record: the app ended after the save.
	if err := st.KeepDraft(ctx, clerk, store.Draft{StateID: storetest.Maria, RecordID: rec.ID, Version: 3,
		MIS2000ID: "501", QAD: recs[0].QAD.US(), EED: recs[0].EED.US()}); err != nil {
		t.Fatal(err)
	}
	w := start(t, st, Options{User: storetest.Clerk, Open: storetest.Maria})
	w.wait()
	if onScreen(w, "Typing not saved") || w.student.draftBox.Visible() || len(drafts(t, st)) != 0 {
		t.Errorf("typing the store holds already is offered or kept: %+v", drafts(t, st))
	}
}

// TestTypingSavedAsTypedOtherwise: typing the store holds already, in the
// form the store keeps it (a QAD typed 9/1/2025 is stored as 09/01/2025,
// an MIS2000 ID without the spaces around it), is forgotten unseen, not
// offered as typing lost.
func TestTypingSavedAsTypedOtherwise(t *testing.T) {
	st := openDemo(t)
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	rec := mariasRecord(t, st)
	for _, d := range []store.Draft{
		{StateID: storetest.Maria, RecordID: rec.ID, Version: rec.Version, MIS2000ID: " 500 ", QAD: "9/1/2025", EED: rec.EED.US()},
		{StateID: storetest.Maria, MIS2000ID: "500", QAD: "2025-09-01", EED: rec.EED.Time().Format("1/2/2006")},
	} {
		if err := st.KeepDraft(ctx, clerk, d); err != nil {
			t.Fatal(err)
		}
	}
	u := start(t, st, Options{User: storetest.Clerk, Open: storetest.Maria})
	u.wait()
	if onScreen(u, "Typing not saved") || u.student.draftBox.Visible() || len(drafts(t, st)) != 0 {
		t.Errorf("typing the store holds already, typed otherwise, is offered or kept: %+v", drafts(t, st))
	}
}

// gatedDrafts holds each draft write, once written, until gate closes:
// a store slow to answer while the clerk types.
type gatedDrafts struct {
	studentStore
	gate chan struct{}
}

func (g gatedDrafts) KeepDraft(ctx context.Context, u data.User, d store.Draft) error {
	err := g.studentStore.KeepDraft(ctx, u, d)
	<-g.gate
	return err
}

// TestTypingSavedIsNotOfferedBack: typing kept while the clerk typed,
// written after the record was saved and before the form's closing
// forgot it, is not offered back by the student's screen read again
// after the save (nor by the next New record).
func TestTypingSavedIsNotOfferedBack(t *testing.T) {
	st := openDemo(t)
	u := openOn(t, st, storetest.Maria)
	gate := make(chan struct{})
	u.student.st = gatedDrafts{studentStore: u.student.st, gate: gate}
	press(t, u, keyNew)
	f := u.student.form
	test.Type(f.mis, "4512345")
	test.Type(f.qad.Entry, "09/01/2025")
	time.AfterFunc(300*time.Millisecond, func() { close(gate) })
	pressEnter(u, f.qad.Entry)
	if u.student.form != nil {
		t.Fatalf("Enter did not save: %q", f.formErr.Text)
	}
	if u.student.draftBox.Visible() || len(drafts(t, st)) != 0 {
		t.Errorf("after the save, the screen offers the typing back: %q (kept: %+v)", u.student.draftText.Text, drafts(t, st))
	}
	press(t, u, keyNew)
	if f := u.student.form; f == nil {
		t.Error("New record opened no form")
	} else if f.mis.Text != "4512345" || f.qad.Entry.Text != "" {
		t.Errorf("the next New record starts from MIS2000 ID %q, QAD %q: the typing saved, not the record", f.mis.Text, f.qad.Entry.Text)
	}
}
