package gui

import (
	"context"
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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

// confirm shows, for each record, the districts that will receive it, and
// publishes them all when the clerk agrees; then calls done.
func (p *publisher) confirm(recs []store.Unpublished, done func()) {
	copies := 0
	for _, r := range recs {
		copies += len(r.Targets)
	}
	intro := widget.NewLabel(fmt.Sprintf("Publishing makes a read-only copy of %d record%s in every district where the student "+
		"is enrolled during the eligibility window: %d district cop%s in all. Each record goes to:",
		len(recs), plural(len(recs)), copies, pluralY(copies)))
	intro.Wrapping = fyne.TextWrapWord
	row := func() fyne.CanvasObject {
		name := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		name.Truncation = fyne.TextTruncateClip
		to := widget.NewLabel("")
		to.Truncation = fyne.TextTruncateClip
		return container.NewVBox(name, to)
	}
	list := widget.NewList(
		func() int { return len(recs) },
		row,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := recs[i]
			rows := o.(*fyne.Container).Objects
			rows[0].(*widget.Label).SetText(fmt.Sprintf("%s — MIS2000 ID %s, %s – %s",
				r.Student.FullName(), r.MIS2000ID, r.QAD.US(), r.EED.US()))
			rows[1].(*widget.Label).SetText("→ " + districtList(r.Targets))
		})
	size := canvas.NewRectangle(color.Transparent)
	size.SetMinSize(fyne.NewSize(680, min(360, float32(len(recs))*(row().MinSize().Height+theme.SeparatorThicknessSize()))))
	content := container.NewBorder(intro, nil, nil, nil, container.NewStack(size, list))
	d := dialog.NewCustomConfirm(fmt.Sprintf("Publish %d State Migrant Record%s", len(recs), plural(len(recs))),
		"Publish", "Cancel", content, func(ok bool) {
			if ok {
				p.publish(recs, done)
			}
		}, p.dialogs.Window())
	p.dialogs.ShowConfirm(d)
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
	label := widget.NewLabel(fmt.Sprintf("Publishing %d record%s…", len(ids), plural(len(ids))))
	size := canvas.NewRectangle(color.Transparent)
	size.SetMinSize(fyne.NewSize(400, 0))
	progress := dialog.NewCustomWithoutButtons("Publishing", container.NewStack(size, container.NewVBox(label, bar)), p.dialogs.Window())
	progress.Show()
	user := p.user
	p.tasks.run(func() func() {
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
			msg := fmt.Sprintf("Published %d record%s: %d district cop%s written.", res.Published, plural(res.Published), res.Copies, pluralY(res.Copies))
			if n := len(res.Skipped); n > 0 {
				msg += fmt.Sprintf(" %d record%s had no district to go to.", n, plural(n))
			}
			p.changed(msg)
			if done != nil {
				done()
			}
		}
	})
}
