// Package winpos reads and sets where a window is on the desktop, which
// Fyne 2.7 has no API for (fyne-io/fyne#554): through the native window
// that driver.NativeWindow hands out, Xlib on Linux under X11 and user32
// on Windows. Elsewhere (Wayland, macOS) it tells nothing and moves
// nothing, and windows open where the system puts them.
//
// Only cmd/migrantdesk imports it, as its Linux code needs cgo; package
// gui receives it as a gui.WindowPlacer.
package winpos

// Rect is a rectangle of the desktop, in its pixels, with X and Y its
// top-left corner.
type Rect struct{ X, Y, W, H int }

// overlap is the area that r and s share.
func (r Rect) overlap(s Rect) int {
	in := r.intersect(s)
	if in.W <= 0 || in.H <= 0 {
		return 0
	}
	return in.W * in.H
}

// Place is where a window whose frame would cover want opens, given the
// visible areas of the screens: at want when that is wholly on a
// screen; else moved onto the screen it overlaps most, as little as
// keeps it whole there (its top-left corner showing when it is larger
// than the screen, so that its title bar can be grabbed). ok is false
// when want overlaps no screen (a monitor since unplugged, a resolution
// since made smaller): the window then opens where the system places
// new windows rather than at the edge of a screen it was never on.
func Place(want Rect, screens []Rect) (x, y int, ok bool) {
	best, most := Rect{}, 0
	for _, s := range screens {
		if a := want.overlap(s); a > most {
			best, most = s, a
		}
	}
	if most == 0 {
		return 0, 0, false
	}
	return clamp(want.X, want.W, best.X, best.W), clamp(want.Y, want.H, best.Y, best.H), true
}

// clamp moves a span of length n starting at v into the span of length
// size starting at lo, keeping its start inside when it does not fit.
func clamp(v, n, lo, size int) int {
	return max(lo, min(v, lo+size-n))
}

// intersect is the rectangle r and s share, empty (W or H ≤ 0) when none.
func (r Rect) intersect(s Rect) Rect {
	x, y := max(r.X, s.X), max(r.Y, s.Y)
	return Rect{x, y, min(r.X+r.W, s.X+s.W) - x, min(r.Y+r.H, s.Y+s.H) - y}
}

// Room is the most content, in pixels, that a window whose frame covers
// frame and whose content is contentW × contentH may have and keep its
// frame whole on the visible area of the screen it overlaps most, or of
// the first screen when it overlaps none (where the system puts a window
// it has no place for). ok is false when no screen is known.
func Room(frame Rect, contentW, contentH int, screens []Rect) (w, h int, ok bool) {
	if len(screens) == 0 {
		return 0, 0, false
	}
	best, most := screens[0], 0
	for _, s := range screens {
		if a := frame.overlap(s); a > most {
			best, most = s, a
		}
	}
	return best.W - (frame.W - contentW), best.H - (frame.H - contentH), true
}
