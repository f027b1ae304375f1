package gui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"migrantdesk/data/store/storetest"
)

// TestQuittingIsTold: File → Quit and the main window's closing each tell
// Options.Quitting, which starts cmd/migrantdesk's watch for a Fyne that
// does not finish quitting.
func TestQuittingIsTold(t *testing.T) {
	for _, how := range []string{"File → Quit", "the main window closing"} {
		told := 0
		u := start(t, openDemo(t), Options{User: storetest.Clerk, Quitting: func() { told++ }})
		if how == "File → Quit" {
			menuItem(t, u, "File", "Quit").Action()
		} else {
			u.win.Close()
		}
		if told != 1 {
			t.Errorf("%s told Options.Quitting %d times, want once", how, told)
		}
	}
}

// TestStopEndsTheSync: Stop, called once Run has returned, ends the
// background sync (its context), which a signal or File → Quit leave
// running: the store's Close then waits for no more than the page under
// way.
func TestStopEndsTheSync(t *testing.T) {
	h := startHub(t)
	u, _ := signedInApp(t, h, storetest.Clerk)
	if u.sync == nil || u.sync.ctx.Err() != nil {
		t.Fatal("no background sync running after the sign-in")
	}
	u.Stop()
	if u.sync.ctx.Err() == nil {
		t.Fatal("the background sync goes on after Stop")
	}
}

// TestQuitDuringSignIn: the main window closing while a sign-in runs
// stops the sign-in, and one that goes through all the same starts
// nothing. Before, it built the screens of the window gone and started
// the first sync, with nothing left to end it: on File → Quit it
// started after Stop, writing to a database being closed.
func TestQuitDuringSignIn(t *testing.T) {
	h := startHub(t)
	u := start(t, storetest.OpenEmpty(t), Options{})
	submitSignIn(t, u, h.url, storetest.Clerk, password)
	u.win.Close()
	u.wait()
	if u.sync != nil || u.search != nil {
		t.Error("the sign-in went on after the app began to quit, and started the screens and the sync")
	}
}

// TestStopSignsOut: quitting ends the app's sign-in at the hub, which
// would otherwise stay good for the rest of its twelve hours.
func TestStopSignsOut(t *testing.T) {
	h := startHub(t)
	u, _ := signedInApp(t, h, storetest.Clerk)
	active := func() int {
		n, err := h.db.ActiveTokens(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := active(); n != 1 {
		t.Fatalf("%d sign-ins active at the hub after signing in, want 1", n)
	}
	u.Stop()
	if n := active(); n != 0 {
		t.Errorf("%d sign-ins active at the hub after quitting, want 0", n)
	}
}

// TestStopDuringASyncSignsOut: quitting while a sync runs stops it and
// signs out with the session it hands back.
func TestStopDuringASyncSignsOut(t *testing.T) {
	h := startHub(t)
	u, _ := signedInApp(t, h, storetest.Clerk)
	u.sync.now(true)
	if !u.sync.running {
		t.Fatal("no sync under way")
	}
	u.Stop()
	n, err := h.db.ActiveTokens(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d sign-ins active at the hub after quitting during a sync, want 0", n)
	}
}

// TestQuittingAsksAboutAnUnsavedForm: closing the main window or File →
// Quit with a Student Migrant Detail typed in and not saved asks first;
// Esc keeps editing, with the typing kept.
func TestQuittingAsksAboutAnUnsavedForm(t *testing.T) {
	for _, how := range []string{"the window's close button", "File → Quit"} {
		told := 0
		u := start(t, openDemo(t), Options{User: storetest.Clerk, Open: storetest.Maria, Quitting: func() { told++ }})
		u.wait()
		quit := u.closeWindow
		if how == "File → Quit" {
			quit = menuItem(t, u, "File", "Quit").Action
		}
		press(t, u, keyNew)
		test.Type(u.student.form.mis, "123")
		quit()
		asked := strings.Contains(strings.Join(texts(u.win.Canvas()), " "), "Quit without saving?")
		if !asked || told != 0 {
			t.Fatalf("%s with a form not saved: asked %v, quit %d times", how, asked, told)
		}
		quit() // a second close waits for the answer
		key(u, fyne.KeyEscape)
		if told != 0 || u.student.form == nil || u.student.form.mis.Text != "123" {
			t.Fatalf("%s, then Esc on the question: quit %d times, form open %v", how, told, u.student.form != nil)
		}
		quit()
		tap(t, u, "Quit without saving")
		if told != 1 {
			t.Errorf("%s, then Quit without saving: quit %d times, want once", how, told)
		}
	}
}

// menuItem is the item of the main window's menu, which must have it.
func menuItem(t *testing.T, u *UI, menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, m := range u.win.MainMenu().Items {
		for _, it := range m.Items {
			if m.Label == menu && it.Label == label {
				return it
			}
		}
	}
	t.Fatalf("the %s menu has no %s", menu, label)
	return nil
}
