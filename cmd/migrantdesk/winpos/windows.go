//go:build windows

package winpos

import (
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"golang.org/x/sys/windows"
)

var (
	user32              = windows.NewLazySystemDLL("user32.dll")
	procGetWindowRect   = user32.NewProc("GetWindowRect")
	procSetWindowPos    = user32.NewProc("SetWindowPos")
	procMonitorFromRect = user32.NewProc("MonitorFromRect")
	procGetMonitorInfoW = user32.NewProc("GetMonitorInfoW")
	procIsIconic        = user32.NewProc("IsIconic")
	procIsZoomed        = user32.NewProc("IsZoomed")
	procGetClientRect   = user32.NewProc("GetClientRect")
	procMonitorFromWin  = user32.NewProc("MonitorFromWindow")
)

const (
	swpNoSize               = 0x0001
	swpNoZOrder             = 0x0004
	swpNoActivate           = 0x0010
	monitorDefaultToNull    = 0
	monitorDefaultToNearest = 2
)

// rect is Win32's RECT.
type rect struct{ Left, Top, Right, Bottom int32 }

// monitorInfo is Win32's MONITORINFO.
type monitorInfo struct {
	Size    uint32
	Monitor rect
	Work    rect
	Flags   uint32
}

// Placer reads and sets windows' places on Windows, in the desktop's
// physical pixels (the app is per-monitor DPI aware).
type Placer struct{}

// hwnd runs f with w's window handle; it does nothing for a window not
// shown yet.
func hwnd(w fyne.Window, f func(h uintptr)) {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return
	}
	nw.RunNative(func(ctx any) {
		if wc, ok := ctx.(driver.WindowsWindowContext); ok && wc.HWND != 0 {
			f(wc.HWND)
		}
	})
}

// Position is the top-left corner of w's frame. ok is false for a
// window minimised (Windows parks it at -32000) or maximised (its frame
// then hangs over the screen's edge): the place it had before counts.
func (Placer) Position(w fyne.Window) (x, y int, ok bool) {
	hwnd(w, func(h uintptr) {
		if iconic, _, _ := procIsIconic.Call(h); iconic != 0 {
			return
		}
		if zoomed, _, _ := procIsZoomed.Call(h); zoomed != 0 {
			return
		}
		var r rect
		if done, _, _ := procGetWindowRect.Call(h, uintptr(unsafe.Pointer(&r))); done != 0 {
			x, y, ok = int(r.Left), int(r.Top), true
		}
	})
	return x, y, ok
}

// Move puts w's frame at x, y, moved onto the work area (the screen
// less the taskbar) of the monitor it would overlap most; it leaves the
// window where Windows put it when x, y is on no monitor now.
func (Placer) Move(w fyne.Window, x, y int) {
	hwnd(w, func(h uintptr) {
		var r rect
		if done, _, _ := procGetWindowRect.Call(h, uintptr(unsafe.Pointer(&r))); done == 0 {
			return
		}
		want := rect{int32(x), int32(y), int32(x) + r.Right - r.Left, int32(y) + r.Bottom - r.Top}
		mon, _, _ := procMonitorFromRect.Call(uintptr(unsafe.Pointer(&want)), monitorDefaultToNull)
		if mon == 0 {
			return
		}
		mi := monitorInfo{Size: uint32(unsafe.Sizeof(monitorInfo{}))}
		if done, _, _ := procGetMonitorInfoW.Call(mon, uintptr(unsafe.Pointer(&mi))); done == 0 {
			return
		}
		work := Rect{int(mi.Work.Left), int(mi.Work.Top), int(mi.Work.Right - mi.Work.Left), int(mi.Work.Bottom - mi.Work.Top)}
		px, py, ok := Place(Rect{x, y, int(r.Right - r.Left), int(r.Bottom - r.Top)}, []Rect{work})
		if !ok {
			return
		}
		procSetWindowPos.Call(h, 0, uintptr(px), uintptr(py), 0, 0, swpNoSize|swpNoZOrder|swpNoActivate)
	})
}

// Room is the most content, in the window's own units, that w may have
// and keep its frame whole on the work area of the monitor it is on (or
// nearest to); ok is false when that is not known, or the window is
// maximised or minimised.
func (Placer) Room(w fyne.Window) (room fyne.Size, ok bool) {
	scale := w.Canvas().Scale()
	hwnd(w, func(h uintptr) {
		// A maximised window's frame hangs over the screen's edge, as
		// Windows draws it, and a minimised one is parked off it: both
		// fit as they are.
		if iconic, _, _ := procIsIconic.Call(h); iconic != 0 {
			return
		}
		if zoomed, _, _ := procIsZoomed.Call(h); zoomed != 0 {
			return
		}
		var frame, client rect
		if done, _, _ := procGetWindowRect.Call(h, uintptr(unsafe.Pointer(&frame))); done == 0 {
			return
		}
		if done, _, _ := procGetClientRect.Call(h, uintptr(unsafe.Pointer(&client))); done == 0 {
			return
		}
		mon, _, _ := procMonitorFromWin.Call(h, monitorDefaultToNearest)
		mi := monitorInfo{Size: uint32(unsafe.Sizeof(monitorInfo{}))}
		if done, _, _ := procGetMonitorInfoW.Call(mon, uintptr(unsafe.Pointer(&mi))); mon == 0 || done == 0 {
			return
		}
		work := Rect{int(mi.Work.Left), int(mi.Work.Top), int(mi.Work.Right - mi.Work.Left), int(mi.Work.Bottom - mi.Work.Top)}
		f := Rect{int(frame.Left), int(frame.Top), int(frame.Right - frame.Left), int(frame.Bottom - frame.Top)}
		var rw, rh int
		if rw, rh, ok = Room(f, int(client.Right-client.Left), int(client.Bottom-client.Top), []Rect{work}); ok {
			room = fyne.NewSize(float32(rw)/scale, float32(rh)/scale)
		}
	})
	return room, ok && scale > 0
}
