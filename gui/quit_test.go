package gui

import (
	"testing"

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
