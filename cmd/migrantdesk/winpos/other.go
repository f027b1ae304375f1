//go:build !(cgo && linux) && !windows

package winpos

import "fyne.io/fyne/v2"

// Placer knows no window's place here: without X11 or Windows no
// position is kept, and windows open where the system puts them.
type Placer struct{}

// Position tells nothing: ok is always false.
func (Placer) Position(fyne.Window) (x, y int, ok bool) { return 0, 0, false }

// Move leaves w where the system put it.
func (Placer) Move(fyne.Window, int, int) {}

// Room tells nothing: ok is always false.
func (Placer) Room(fyne.Window) (room fyne.Size, ok bool) { return fyne.Size{}, false }
