package gui

import (
	"context"
	"testing"
	"time"

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
			quit := false
			for _, m := range u.win.MainMenu().Items {
				for _, it := range m.Items {
					if m.Label == "File" && it.Label == "Quit" {
						it.Action()
						quit = true
					}
				}
			}
			if !quit {
				t.Fatal("the File menu has no Quit")
			}
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
