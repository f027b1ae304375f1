package gui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data/store/storetest"
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
