//go:build cgo && linux

package winpos

/*
#cgo LDFLAGS: -lX11 -lXrandr
#include <stdlib.h>
#include <X11/Xlib.h>
#include <X11/Xatom.h>
#include <X11/extensions/Xrandr.h>

// Xlib's default error handler ends the process; a window that went away
// between Fyne handing it out and these calls must cost only its
// position. The handler is the process's, so it is set around each call
// and put back, on the UI thread as GLFW does.
static int mdFailed;
static int mdOnError(Display *d, XErrorEvent *e) { mdFailed = 1; return 0; }

static XErrorHandler mdCatch(void) { mdFailed = 0; return XSetErrorHandler(mdOnError); }

static int mdRelease(Display *d, XErrorHandler prev) {
	XSync(d, False);
	XSetErrorHandler(prev);
	return !mdFailed;
}

// mdCardinals reads up to n 32-bit values of property name on w; it
// returns how many it read.
static int mdCardinals(Display *d, Window w, const char *name, long *out, int n) {
	Atom prop = XInternAtom(d, name, True), type;
	int format, got = 0;
	unsigned long items, after;
	unsigned char *data = NULL;
	if (prop == None) return 0;
	if (XGetWindowProperty(d, w, prop, 0, n, False, XA_CARDINAL, &type, &format, &items, &after, &data) == Success
			&& data != NULL && format == 32) {
		for (unsigned long i = 0; i < items && i < (unsigned long)n; i++) out[i] = ((long *)data)[i];
		got = (int)items;
	}
	if (data != NULL) XFree(data);
	return got;
}

// mdWhere gives w's place on the root window (its content's top-left),
// its size and its frame's extents (left, right, top, bottom; zero
// without a window manager that says them). It fails for a window gone,
// and, when shown is set, for one not on the screen (minimised, or not
// yet mapped by the window manager).
static int mdWhere(Display *d, Window w, int shown, int *x, int *y, int *width, int *height, long ext[4]) {
	XWindowAttributes a;
	Window child;
	XErrorHandler prev = mdCatch();
	int ok = XGetWindowAttributes(d, w, &a) && (!shown || a.map_state == IsViewable)
		&& XTranslateCoordinates(d, w, a.root, 0, 0, x, y, &child);
	if (ok) {
		*width = a.width;
		*height = a.height;
		if (mdCardinals(d, w, "_NET_FRAME_EXTENTS", ext, 4) != 4) ext[0] = ext[1] = ext[2] = ext[3] = 0;
	}
	return mdRelease(d, prev) && ok;
}

// mdScreens writes up to n visible areas (x, y, width, height) of the
// screen w is on: each monitor XRandR knows of, else the whole root
// window. It returns how many.
static int mdScreens(Display *d, Window w, int *out, int n) {
	XWindowAttributes a;
	int count = 0, ev, err;
	XErrorHandler prev = mdCatch();
	if (!XGetWindowAttributes(d, w, &a)) {
		mdRelease(d, prev);
		return 0;
	}
	if (XRRQueryExtension(d, &ev, &err)) {
		int monitors = 0;
		XRRMonitorInfo *m = XRRGetMonitors(d, a.root, True, &monitors);
		for (int i = 0; m != NULL && i < monitors && count < n; i++, count++) {
			out[4*count] = m[i].x;
			out[4*count+1] = m[i].y;
			out[4*count+2] = m[i].width;
			out[4*count+3] = m[i].height;
		}
		if (m != NULL) XRRFreeMonitors(m);
	}
	if (count == 0 && n > 0) {
		XWindowAttributes r;
		if (XGetWindowAttributes(d, a.root, &r)) {
			out[0] = 0;
			out[1] = 0;
			out[2] = r.width;
			out[3] = r.height;
			count = 1;
		}
	}
	return mdRelease(d, prev) ? count : 0;
}

// mdWorkArea reads the desktop's area left free of panels and docks
// (_NET_WORKAREA of the first desktop), when the window manager says it.
static int mdWorkArea(Display *d, Window w, long area[4]) {
	XWindowAttributes a;
	XErrorHandler prev = mdCatch();
	int ok = XGetWindowAttributes(d, w, &a) && mdCardinals(d, a.root, "_NET_WORKAREA", area, 4) == 4;
	return mdRelease(d, prev) && ok;
}

static int mdMove(Display *d, Window w, int x, int y) {
	XErrorHandler prev = mdCatch();
	XMoveWindow(d, w, x, y);
	return mdRelease(d, prev);
}
*/
import "C"

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

// maxScreens bounds the monitors read; more are not placed on.
const maxScreens = 16

// Placer reads and sets windows' places under X11. Each call opens its
// own connection to the display the app runs on (the window's id is the
// server's, not the connection's), as GLFW's stays inside Fyne; it must
// run on the UI goroutine, where Fyne calls back.
type Placer struct{}

// x11Window runs f with w's X11 window and a connection to its display;
// it does nothing for a window not shown yet or not under X11.
func x11Window(w fyne.Window, f func(d *C.Display, win C.Window)) {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return
	}
	nw.RunNative(func(ctx any) {
		xc, ok := ctx.(driver.X11WindowContext)
		if !ok || xc.WindowHandle == 0 {
			return
		}
		d := C.XOpenDisplay(nil)
		if d == nil {
			return
		}
		defer C.XCloseDisplay(d)
		f(d, C.Window(xc.WindowHandle))
	})
}

// Position is where w's content is on the desktop: the point that
// XMoveWindow takes back, as GLFW asks the window manager for static
// gravity (the client's own place, its frame around it). ok is false
// when it is not known: not X11, not shown, or minimised.
func (Placer) Position(w fyne.Window) (x, y int, ok bool) {
	x11Window(w, func(d *C.Display, win C.Window) {
		var p placed
		if p, ok = where(d, win, true); ok {
			x, y = p.x, p.y
		}
	})
	return x, y, ok
}

// Move puts w's content at x, y, or nearer when that would leave its
// frame (title bar included) off the screens' visible area; it leaves
// the window where the system put it when x, y is on no screen now.
func (Placer) Move(w fyne.Window, x, y int) {
	x11Window(w, func(d *C.Display, win C.Window) {
		// Shown or not yet: a window manager may map the window after Show
		// has returned, and takes the move as the window's first place.
		p, ok := where(d, win, false)
		if !ok {
			return
		}
		fx, fy, ok := Place(p.frame(x, y), screens(d, win))
		if !ok {
			return
		}
		C.mdMove(d, win, C.int(fx+p.left), C.int(fy+p.top))
	})
}

// Room is the most content, in the window's own units, that w may have
// and keep its frame whole on its screen's visible area; ok is false
// when that is not known.
func (Placer) Room(w fyne.Window) (room fyne.Size, ok bool) {
	scale := w.Canvas().Scale()
	x11Window(w, func(d *C.Display, win C.Window) {
		p, found := where(d, win, false)
		if !found {
			return
		}
		var rw, rh int
		if rw, rh, ok = Room(p.frame(p.x, p.y), p.w, p.h, screens(d, win)); ok {
			room = fyne.NewSize(float32(rw)/scale, float32(rh)/scale)
		}
	})
	return room, ok && scale > 0
}

// placed is where a window's content is on the root window, its size,
// and its frame's extents around it.
type placed struct{ x, y, w, h, left, right, top, bottom int }

// where reads win's placed; ok is false for a window gone, and, when
// shown is set, for one not on the screen (see mdWhere).
func where(d *C.Display, win C.Window, shown bool) (p placed, ok bool) {
	var cx, cy, cw, ch C.int
	var ext [4]C.long
	mapped := C.int(0)
	if shown {
		mapped = 1
	}
	if C.mdWhere(d, win, mapped, &cx, &cy, &cw, &ch, &ext[0]) == 0 {
		return p, false
	}
	return placed{int(cx), int(cy), int(cw), int(ch), int(ext[0]), int(ext[1]), int(ext[2]), int(ext[3])}, true
}

// frame is the rectangle the frame covers with the content at x, y.
func (p placed) frame(x, y int) Rect {
	return Rect{x - p.left, y - p.top, p.w + p.left + p.right, p.h + p.top + p.bottom}
}

// screens are the visible areas of the monitors of win's screen, less
// the panels where the window manager says where they are.
func screens(d *C.Display, win C.Window) []Rect {
	var buf [4 * maxScreens]C.int
	n := int(C.mdScreens(d, win, &buf[0], maxScreens))
	var work [4]C.long
	hasWork := C.mdWorkArea(d, win, &work[0]) != 0
	free := Rect{int(work[0]), int(work[1]), int(work[2]), int(work[3])}
	out := make([]Rect, 0, n)
	for i := range n {
		s := Rect{int(buf[4*i]), int(buf[4*i+1]), int(buf[4*i+2]), int(buf[4*i+3])}
		if hasWork {
			// _NET_WORKAREA is one rectangle over all monitors; a
			// monitor it misses (panels on it alone) stays whole.
			if in := s.intersect(free); in.W > 0 && in.H > 0 {
				s = in
			}
		}
		out = append(out, s)
	}
	return out
}
