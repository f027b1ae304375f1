package gui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// A border in reading order lays its centre out again when its top grows,
// at the next look at its size, without being asked: Fyne re-lays out one
// container a frame whose child changed size, and with the centre after
// the top, a search's results refilled in the frame that its hint grew a
// line took that turn, and the table was drawn over the hint's last line
// and the Results heading.
func TestBorderFollowsItsTopsHeight(t *testing.T) {
	top := canvas.NewRectangle(color.Black)
	top.SetMinSize(fyne.NewSize(100, 20))
	center := canvas.NewRectangle(color.White)
	c := border(top, nil, nil, nil, center)
	c.Resize(fyne.NewSize(400, 300))
	if center.Position().Y < 20 {
		t.Fatalf("the centre starts at %v, inside the top", center.Position().Y)
	}
	top.SetMinSize(fyne.NewSize(100, 60)) // the hint wrapped to more lines
	c.MinSize()                           // the canvas asks every frame
	if y := center.Position().Y; y < 60 {
		t.Errorf("after the top grew to 60, the centre starts at %v, under the top", y)
	}
}
