package gui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// needsLister is what the Needs publishing list reads.
type needsLister interface {
	NeedsPublishing(ctx context.Context, region string) ([]store.Unpublished, error)
}

// needsScreen lists the records of the clerk's region that are saved but
// not published, or need publishing again, with why; they publish in one
// go.
type needsScreen struct {
	st      needsLister
	region  string // "" every region
	where   string // the region as a sentence names it
	tasks   *tasks
	recs    []store.Unpublished
	hint    *widget.Label
	list    *widgets.List
	publish *widgets.Button
	refresh *widgets.Button
	obj     fyne.CanvasObject
	seq     int
	// focus puts the keyboard on a control of the screen while it is
	// shown with no dialog over it.
	focus func(fyne.Focusable)
}

// newNeedsScreen lists the records of region ("" every region) that need
// publishing; pub publishes them, open opens a student.
// regions names regions by code.
func newNeedsScreen(st needsLister, region string, regions map[string]string, t *tasks, pub *publisher, open func(stateID string)) *needsScreen {
	n := &needsScreen{st: st, region: region, where: "in every region", tasks: t, hint: wrapped("")}
	if region != "" {
		n.where = "of the " + regionName(regions, region)
	}
	n.publish = widgets.NewButtonWithIcon("Publish all…", theme.UploadIcon(), func() {
		if len(n.recs) > 0 {
			pub.confirm(n.recs, func() { n.read(true) })
		}
	})
	n.publish.Importance = widget.HighImportance
	n.publish.Disable()
	n.refresh = widgets.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), n.load)
	n.list = widgets.NewList(
		func() int { return len(n.recs) },
		func() fyne.CanvasObject {
			// An ellipsis says a row goes on: a window narrower than a
			// row (a small laptop at 150%) clipped it mid-word. The list
			// lays out only the rows on screen.
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			why := widget.NewLabel("")
			why.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(name, why)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := n.recs[i]
			rows := o.(*fyne.Container).Objects
			rows[0].(*widget.Label).SetText(fmt.Sprintf("%s · State ID %s · MIS2000 ID %s · QAD %s · EED %s · %s",
				r.Student.FullName(), r.StateID, r.MIS2000ID, r.QAD.US(), r.EED.US(), r.Status))
			rows[1].(*widget.Label).SetText("Goes to " + districtList(r.Targets) + ". Why: " + strings.Join(r.Reasons, "; "))
		})
	n.list.OnSelected = func(i widget.ListItemID) {
		n.list.UnselectAll()
		if i >= 0 && i < len(n.recs) {
			open(n.recs[i].StateID)
		}
	}
	top := container.NewVBox(heading("Needs publishing"), n.hint, container.NewHBox(n.publish, n.refresh))
	n.obj = border(top, nil, nil, nil, n.list)
	return n
}

// load lists the records off the UI goroutine.
func (n *needsScreen) load() { n.read(false) }

// read lists the records off the UI goroutine; published says they are
// read after a publish from this screen.
func (n *needsScreen) read(published bool) {
	n.seq++
	seq := n.seq
	region := n.region
	n.hint.SetText("Looking for records to publish…")
	n.publish.Disable()
	n.tasks.run("looking for records to publish", func() func() {
		recs, err := n.st.NeedsPublishing(context.Background(), region)
		return func() {
			if seq != n.seq {
				return
			}
			if err != nil {
				n.hint.SetText(sentence(err.Error()))
				return
			}
			n.set(recs)
			// The Publish button pressed is disabled once nothing is
			// left, and took the keyboard with it: Tab started again
			// at the top of the window.
			if published && n.focus != nil {
				if len(recs) > 0 {
					n.focus(n.list)
				} else {
					n.focus(n.refresh)
				}
			}
		}
	})
}

func (n *needsScreen) set(recs []store.Unpublished) {
	n.recs = recs
	n.list.Refresh()
	where := n.where
	if len(recs) == 0 {
		n.hint.SetText(fmt.Sprintf("Every migrant record %s is published to the districts that should have it. "+
			"A record shows up here when it is saved but not published, changed after publishing, "+
			"or when its student enrolls in a district that has not received it.", where))
		n.publish.SetText("Publish all…")
		n.publish.Disable()
		return
	}
	n.hint.SetText(fmt.Sprintf("%s %s %s publishing. Click a record to open its student, or publish them all at once.",
		capital(data.Count(len(recs), "record")), where, data.Agree(len(recs), "needs", "need")))
	// "Publish all 1…" read oddly, and a bare number named nothing.
	label := "Publish 1 record…"
	if len(recs) > 1 {
		label = fmt.Sprintf("Publish all %s records…", data.Thousands(len(recs)))
	}
	n.publish.SetText(label)
	n.publish.Enable()
}
