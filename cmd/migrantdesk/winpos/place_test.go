package winpos

import "testing"

func TestPlace(t *testing.T) {
	laptop := Rect{0, 0, 1366, 768}
	// A second monitor to the right of the laptop's, taller and lower.
	right := Rect{1366, -200, 1920, 1080}
	tests := []struct {
		name    string
		want    Rect
		screens []Rect
		x, y    int
		ok      bool
	}{
		{"wholly on the screen stays", Rect{100, 50, 800, 600}, []Rect{laptop}, 100, 50, true},
		{"at the screen's corner stays", Rect{566, 168, 800, 600}, []Rect{laptop}, 566, 168, true},
		{"past the right edge comes back", Rect{1000, 50, 800, 600}, []Rect{laptop}, 566, 50, true},
		{"past the bottom edge comes back", Rect{100, 500, 800, 600}, []Rect{laptop}, 100, 168, true},
		{"above the top comes down", Rect{100, -40, 800, 600}, []Rect{laptop}, 100, 0, true},
		{"left of the screen comes right", Rect{-300, 10, 800, 600}, []Rect{laptop}, 0, 10, true},
		{"larger than the screen keeps its corner on it", Rect{-50, -50, 1600, 900}, []Rect{laptop}, 0, 0, true},
		{"on no screen: the system places it", Rect{3000, 2000, 800, 600}, []Rect{laptop}, 0, 0, false},
		{"just touching the edge is on no screen", Rect{1366, 0, 800, 600}, []Rect{laptop}, 0, 0, false},
		{"no screens known: the system places it", Rect{100, 50, 800, 600}, nil, 0, 0, false},
		{"on the second monitor stays", Rect{2000, -100, 800, 600}, []Rect{laptop, right}, 2000, -100, true},
		{"across two monitors goes to the one it covers most", Rect{1200, 100, 800, 600}, []Rect{laptop, right}, 1366, 100, true},
		{"across two monitors, mostly on the first", Rect{900, 100, 800, 600}, []Rect{laptop, right}, 566, 100, true},
		{"its monitor unplugged, partly over the other", Rect{1300, 100, 800, 600}, []Rect{laptop}, 566, 100, true},
		{"its monitor unplugged, over none", Rect{2000, -100, 800, 600}, []Rect{laptop}, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y, ok := Place(tt.want, tt.screens)
			if x != tt.x || y != tt.y || ok != tt.ok {
				t.Errorf("Place(%v, %v) = %d, %d, %v; want %d, %d, %v", tt.want, tt.screens, x, y, ok, tt.x, tt.y, tt.ok)
			}
		})
	}
}

// TestPlaceKeepsOnScreen checks the promise itself over many positions:
// whatever was saved, a window placed by the rule is wholly on the screen
// it was moved to when it fits there.
func TestPlaceKeepsOnScreen(t *testing.T) {
	screens := []Rect{{0, 0, 1366, 768}, {1366, 0, 1024, 768}}
	for x := -3000; x <= 5000; x += 97 {
		for y := -2000; y <= 3000; y += 89 {
			want := Rect{x, y, 900, 640}
			px, py, ok := Place(want, screens)
			if !ok {
				continue
			}
			got := Rect{px, py, want.W, want.H}
			if got.overlap(screens[0]) != want.W*want.H && got.overlap(screens[1]) != want.W*want.H {
				t.Fatalf("Place(%v) = %v, not wholly on a screen", want, got)
			}
		}
	}
}

func TestRoom(t *testing.T) {
	laptop := Rect{0, 0, 1366, 728} // 1366×768 less a 40 px taskbar
	right := Rect{1366, 0, 1920, 1040}
	tests := []struct {
		name    string
		frame   Rect
		screens []Rect
		w, h    int
		ok      bool
	}{
		{"the frame's borders and title bar come off the screen", Rect{0, 0, 1900, 1000}, []Rect{laptop}, 1366 - 16, 728 - 39, true},
		{"on the larger monitor, its room", Rect{1400, 0, 1900, 1000}, []Rect{laptop, right}, 1920 - 16, 1040 - 39, true},
		{"mostly on the laptop, the laptop's", Rect{100, 0, 1900, 1000}, []Rect{laptop, right}, 1366 - 16, 728 - 39, true},
		{"on no screen: the first one's", Rect{9000, 0, 1900, 1000}, []Rect{laptop, right}, 1366 - 16, 728 - 39, true},
		{"no screens known", Rect{0, 0, 1900, 1000}, nil, 0, 0, false},
	}
	for _, tt := range tests {
		// The content: 8 px borders each side, a 31 px title bar.
		w, h, ok := Room(tt.frame, tt.frame.W-16, tt.frame.H-39, tt.screens)
		if w != tt.w || h != tt.h || ok != tt.ok {
			t.Errorf("%s: Room = %d×%d %v, want %d×%d %v", tt.name, w, h, ok, tt.w, tt.h, tt.ok)
		}
	}
}
