package gui

import (
	"context"
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// recordPublisher is what publishing writes.
type recordPublisher interface {
	Publish(ctx context.Context, u data.User, ids []string, progress func(done, total int)) (store.PublishResult, error)
}

// publisher publishes records for the user, as the student screen and
// the Needs publishing list both do: it confirms which districts will
// receive them, shows the progress and says what it did through changed.
type publisher struct {
	st      recordPublisher
	user    data.User
	tasks   *tasks
	dialogs *widgets.Dialogs
	changed func(msg string)
}

// confirm shows, for each record, every district that will receive it
// and every district whose copy publishing removes, and publishes them
// all when the clerk agrees; then calls done. The list grows with its
// content, so that a record's ten districts read without scrolling, and
// scrolls beyond.
func (p *publisher) confirm(recs []store.Unpublished, done func()) {
	plans := make([]data.PublishChange, len(recs))
	copies, removals := 0, 0
	for i, r := range recs {
		plans[i] = data.PlanPublish(r.Targets, r.Copies)
		copies += len(plans[i].Send)
		removals += len(plans[i].Remove)
	}
	what := data.Count(copies, "district copy") + " in all"
	if removals > 0 {
		what += ", and it removes " + data.Count(removals, "copy") + " from districts where the student is no longer enrolled during the window"
	}
	// A dialog sizes itself before a wrapping label knows its width.
	intro := widgets.Paragraph(fmt.Sprintf("Publishing makes a read-only copy of %s in every district where the student "+
		"is enrolled during the eligibility window: %s.", data.Count(len(recs), "record"), what), publishListWidth)
	texts := make([]string, len(recs))
	for i := range recs {
		texts[i] = publishPlanText(plans[i])
	}
	// The app's list, which rings the record the keyboard is on: Fyne's
	// tinted it as faintly as a record under the mouse.
	list := widgets.NewList(
		func() int { return len(recs) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			// The two labels' own padding parts them enough.
			return container.New(layout.NewCustomPaddedVBoxLayout(0), name, widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := recs[i]
			rows := o.(*fyne.Container).Objects
			rows[0].(*widget.Label).SetText(fmt.Sprintf("%s — MIS2000 ID %s, %s – %s",
				r.Student.FullName(), r.MIS2000ID, r.QAD.US(), r.EED.US()))
			rows[1].(*widget.Label).SetText(texts[i])
		})
	// Each record's height follows its lines of districts; the list is as
	// tall as its records up to what a 768-pixel screen leaves the dialog.
	nameH := widget.NewLabelWithStyle("x", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Height
	total := float32(0)
	for i, t := range texts {
		h := nameH + widget.NewLabel(t).MinSize().Height + theme.Padding()
		list.SetItemHeight(i, h)
		total += h + theme.SeparatorThicknessSize()
	}
	size := canvas.NewRectangle(color.Transparent)
	size.SetMinSize(fyne.NewSize(publishListWidth, min(maxPublishListHeight, total)))
	content := border(intro, nil, nil, nil, container.NewStack(size, list))
	d := widgets.NewConfirm("Publish "+data.Count(len(recs), "State Migrant Record"),
		"Publish", "Cancel", widgets.Fitted(content, p.dialogs.Window()), func(ok bool) {
			if ok {
				p.publish(recs, done)
			}
		}, p.dialogs.Window())
	// The list has the keys once Tab reaches it, before the dialog:
	// Enter and Esc answer as they do with no control focused. Nothing in
	// it is chosen, so a click leaves no record selected, only the ring.
	list.OnSubmitted, list.OnEscape = d.Confirm, d.Hide
	list.OnSelected = list.Unselect
	p.dialogs.ShowConfirm(d)
}

// maxPublishListHeight is the tallest the confirmation's list grows
// before it scrolls: a record with ten districts to send to fits.
const maxPublishListHeight = 440

const publishListWidth = 680

// publishPlanText is what publishing does with one record: where it is
// sent and, when any, whose copy is removed; several districts one a line.
func publishPlanText(c data.PublishChange) string {
	var b strings.Builder
	list := func(ds []data.District, mark string) {
		if len(ds) == 1 {
			b.WriteString(" " + ds[0].Number + " " + ds[0].Name)
			return
		}
		for _, d := range ds {
			b.WriteString("\n    " + mark + " " + d.Number + " " + d.Name)
		}
	}
	fmt.Fprintf(&b, "Goes to %s:", data.Count(len(c.Send), "district"))
	list(c.Send, "→")
	if len(c.Remove) > 0 {
		fmt.Fprintf(&b, "\nComes off %s (no enrollment there during the window now):", data.Count(len(c.Remove), "district"))
		list(c.Remove, "×")
	}
	return b.String()
}

// publish publishes the records in one transaction off the UI goroutine,
// with a progress bar, and says what it did. The store refuses the lot
// when one of them is not the user's to publish.
func (p *publisher) publish(recs []store.Unpublished, done func()) {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	bar := widget.NewProgressBar()
	label := widget.NewLabel("Publishing " + data.Count(len(ids), "record") + "…")
	size := canvas.NewRectangle(color.Transparent)
	size.SetMinSize(fyne.NewSize(400, 0))
	progress := dialog.NewCustomWithoutButtons("Publishing", container.NewStack(size, container.NewVBox(label, bar)), p.dialogs.Window())
	progress.Show()
	user := p.user
	p.tasks.run("publishing", func() func() {
		res, err := p.st.Publish(context.Background(), user, ids, func(n, total int) {
			// A hundred steps are enough for the eye.
			if n != total && n*100/total == (n-1)*100/total {
				return
			}
			p.tasks.do(func() {
				bar.SetValue(float64(n) / float64(total))
				label.SetText(fmt.Sprintf("Published %d of %d…", n, total))
			})
		})
		return func() {
			progress.Hide()
			if err != nil {
				p.dialogs.ShowError("Nothing was published", err)
				return
			}
			msg := fmt.Sprintf("Published %s%s: sent to %s", data.Count(res.Published, "record"), whose(recs), data.Count(len(res.SentTo), "district"))
			// "removed from 0 districts" read as if something might
			// have gone missing: only a removal is worth saying.
			if n := len(res.RemovedFrom); n > 0 {
				msg += ", removed from " + data.Count(n, "district")
			}
			msg += "."
			if n := len(res.Skipped); n > 0 {
				msg += " " + capital(data.Count(n, "record")) + " had no district to go to."
			}
			p.changed(msg)
			if done != nil {
				done()
			}
		}
	})
}

// whose says whose records were published, " of" a student's name when
// they are all one student's: the status bar keeps the message while the
// clerk moves on to others.
func whose(recs []store.Unpublished) string {
	for _, r := range recs {
		if r.Student.StateID != recs[0].Student.StateID {
			return ""
		}
	}
	if len(recs) == 0 {
		return ""
	}
	return " of " + recs[0].Student.FullName()
}
