package gui

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/gui/widgets"
)

// The result of an action says when it was done, and goes quiet (plain
// text, not green) once the clerk opens another student: "Saved the change" stood in green
// under every student opened after, as if about them.
func TestStatusMessageGoesQuietOnAnotherStudent(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	u.openStudent(storetest.Maria)
	u.wait()
	fyne.DoAndWait(func() { u.changed("Saved the change to the record with MIS2000 ID 1 of García López, María José.") })
	u.wait()
	s := u.status
	if s.message.Importance != widget.SuccessImportance || !s.msgLine.Visible() || s.when.Text != time.Now().Format("3:04 PM") {
		t.Fatalf("just said: importance %v, time %q shown %v", s.message.Importance, s.when.Text, s.msgLine.Visible())
	}
	u.openStudent(storetest.Maria) // the same student again, as after a save
	u.wait()
	if s.message.Importance != widget.SuccessImportance {
		t.Errorf("the message went quiet on the student it is about")
	}
	u.openStudent(storetest.Ana)
	u.wait()
	if s.message.Importance != widget.MediumImportance {
		t.Errorf("on another student the message is still of importance %v, not quiet", s.message.Importance)
	}
}

// After a while the result of an action goes quiet too, where the clerk
// stays.
func TestStatusMessageGoesQuietWithTime(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	before := messageFresh
	messageFresh = 50 * time.Millisecond
	t.Cleanup(func() { messageFresh = before })
	fyne.DoAndWait(func() { u.status.say("Published 1 record of Núñez, Ana: sent to 1 district.") })
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var imp widget.Importance
		fyne.DoAndWait(func() { imp = u.status.message.Importance })
		if imp == widget.MediumImportance {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("the message is still of importance %v after %v", u.status.message.Importance, messageFresh)
}

// A warning stays, in its colour, until the person dismisses it: a later
// message shows with it rather than over it, and moving on does not
// quiet it. A sync that goes through settles the warning of one that did
// not.
func TestStatusWarningStaysUntilDismissed(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	s := u.status
	const warning = "The hub cannot be reached. Your changes are kept and will be sent later."
	fyne.DoAndWait(func() {
		s.warn(warning)
		s.say("Saved the change to the record with MIS2000 ID 1 of García López, María José.")
	})
	u.openStudent(storetest.Ana)
	u.wait()
	if !s.heldLine.Visible() || s.held.Text != warning || s.held.Importance != widget.WarningImportance {
		t.Fatalf("after a later message and another student, the warning shows %v: %q", s.heldLine.Visible(), s.held.Text)
	}
	tap(t, u, "Dismiss")
	if s.heldLine.Visible() || s.warning != "" {
		t.Errorf("Dismiss left the warning %q", s.held.Text)
	}

	fyne.DoAndWait(func() { s.warnSync(warning) })
	if !s.dismiss.Visible() || s.message.Importance != widget.WarningImportance {
		t.Errorf("a sync warning shows no Dismiss, or not as a warning")
	}
	fyne.DoAndWait(func() { s.synced("Synced with the hub: nothing new.") })
	if s.heldLine.Visible() || s.warning != "" {
		t.Errorf("a sync that went through left the warning of the one before: %q", s.held.Text)
	}
}

// Why a key did nothing (Ctrl+N with no student open) is a hint, not a
// warning to dismiss: it goes quiet once the clerk opens a student, and
// leaves no line behind.
func TestStatusHintGoesQuietOnAnotherScreen(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	press(t, u, keyNew)
	s := u.status
	if s.message.Importance != widget.WarningImportance || s.dismiss.Visible() {
		t.Fatalf("Ctrl+N with no student: %q, importance %v, Dismiss shown %v", s.message.Text, s.message.Importance, s.dismiss.Visible())
	}
	u.openStudent(storetest.Maria)
	u.wait()
	if s.message.Importance != widget.MediumImportance {
		t.Errorf("on a student, the hint is still of importance %v", s.message.Importance)
	}
	fyne.DoAndWait(func() { s.say("Saved the record with MIS2000 ID 1 of García López, María José.") })
	if s.heldLine.Visible() || s.warning != "" {
		t.Errorf("the hint stays as a warning to dismiss: %q", s.held.Text)
	}
}

// A warning held beside a later message takes no line of its own: on
// one it took a row of search results from a 1366x768 laptop. At that
// width both a message and a warning of a sentence each show whole.
func TestStatusWarningTakesNoLineOfItsOwn(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	u.win.Resize(screenSize)
	s := u.status
	const (
		warning = "Waiting for another import/publish to finish…"
		message = "Published 4 records: sent to 4 districts."
	)
	// The warning said, with its Dismiss, on the message line.
	fyne.DoAndWait(func() { s.warn(warning) })
	alone := s.obj.MinSize().Height
	fyne.DoAndWait(func() { s.say(message) })
	u.win.Resize(fyne.NewSize(screenSize.Width, screenSize.Height+1)) // lays the window out again, as the next frame would
	if !s.heldLine.Visible() {
		t.Fatal("the warning is not held beside the later message")
	}
	if with := s.obj.MinSize().Height; with > alone {
		t.Errorf("with the warning held beside a message the status bar is %v high, %v with the warning alone: a line of its own", with, alone)
	}
	for _, l := range []*widget.Label{s.message, s.held} {
		if got := shownText(l); got != l.Text {
			t.Errorf("%q shows as %q at 1366 wide", l.Text, got)
		}
	}
}

// shownText is the text l draws, cut short where it is.
func shownText(l *widget.Label) string {
	var b strings.Builder
	for _, o := range test.WidgetRenderer(l).Objects() {
		if rt, ok := o.(*widget.RichText); ok {
			for _, o := range test.WidgetRenderer(rt).Objects() {
				if tx, ok := o.(*canvas.Text); ok {
					b.WriteString(tx.Text)
				}
			}
		}
	}
	return b.String()
}

// A message and a warning too long for the line together share it: the
// shorter shows whole when it fits in half, else each has half.
func TestMessageAndWarningShareTheLine(t *testing.T) {
	for _, c := range []struct{ a, b, total, want float32 }{
		{300, 400, 1000, 300}, // both fit
		{300, 900, 1000, 300}, // the message is short
		{900, 300, 1000, 700}, // the warning is short
		{800, 900, 1000, 500}, // both long
	} {
		if got := firstShare(c.a, c.b, c.total); got != c.want {
			t.Errorf("texts %v and %v wide on a line of %v: the first gets %v, want %v", c.a, c.b, c.total, got, c.want)
		}
	}
}

// The warning that a write waits for another program's goes once the
// write has had its turn: it stood, to be dismissed, long after the
// publish it held up had gone through, and after a draft kept as the
// clerk typed, which says nothing when it is written.
func TestWaitWarningEndsWithTheWait(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk})
	ctx := context.Background()
	other, err := sql.Open("sqlite", "file:"+(&url.URL{Path: st.Path()}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	kept := make(chan error, 1)
	go func() {
		kept <- st.KeepDraft(ctx, storetest.User(storetest.Clerk), store.Draft{StateID: storetest.Maria, MIS2000ID: "4"})
	}()
	waiting := widgets.Sentence(store.WaitMessage + "…")
	warned := func() (w string, shown bool) {
		u.wait()
		return u.status.warning, u.status.msgLine.Visible()
	}
	deadline := time.Now().Add(10 * time.Second)
	for w, _ := warned(); w != waiting; w, _ = warned() {
		if time.Now().After(deadline) {
			t.Fatalf("a write behind another program's: the status bar warns %q", w)
		}
		select {
		case err := <-kept:
			t.Fatalf("the write behind another program's did not wait: %v", err)
		default:
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	if err := <-kept; err != nil {
		t.Fatal(err)
	}
	if w, shown := warned(); w != "" || shown {
		t.Errorf("once the write had its turn the status bar still warns %q (message line shown %v)", w, shown)
	}
}

// A message that follows another beside a warning held takes the room
// it needs: the line was laid out for the message before, and a message
// cut short ("Publi…") while the line had room for it whole. A label cut
// short measures the same whatever its text, so nothing but the status
// bar lays the line out again.
func TestMessageBesideAWarningGetsTheRoomItNeeds(t *testing.T) {
	u := start(t, openDemo(t), Options{User: storetest.Clerk})
	u.win.Resize(screenSize)
	s := u.status
	const long = "Published 4 records: sent to 4 districts."
	fyne.DoAndWait(func() {
		s.warn("Waiting for another import/publish to finish…")
		s.say("Saved.")
	})
	// The warning held widens the line, which the window lays out.
	u.win.Resize(fyne.NewSize(screenSize.Width, screenSize.Height+1))
	fyne.DoAndWait(func() { s.say(long) })
	if got := shownText(s.message); got != long {
		t.Errorf("the message beside the warning shows as %q", got)
	}
}
