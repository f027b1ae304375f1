package gui

import (
	"context"
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// recordCard is one migrant record in the student's history: its dates,
// a status badge, what the status means, and Edit and Delete.
type recordCard struct {
	s      *studentScreen
	rec    store.Record
	badge  *canvas.Text
	detail *widget.Label
	edit   *widgets.Button
	delete *widgets.Button
	obj    fyne.CanvasObject
}

func newRecordCard(s *studentScreen, r store.Record) *recordCard {
	c := &recordCard{s: s, rec: r}
	title := widget.NewLabelWithStyle(fmt.Sprintf("MIS2000 ID %s    QAD %s    EED %s", r.MIS2000ID, r.QAD.US(), r.EED.US()),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	var badge fyne.CanvasObject
	story := recordStory(r, s.name)
	// A record in conflict shows this computer's values, which do not
	// stand: its status would mislead.
	if r.Conflicted {
		badge, c.badge = newBadge("In conflict", badgeRed)
		story = "Someone else changed this record on the hub before your change reached it: compare the two under " +
			"Conflicts and choose what to keep. Shown here is your change.\n" + story
	} else {
		badge, c.badge = statusBadge(r.Status, r.Targets)
	}
	c.detail = widget.NewLabel(story)
	c.detail.Wrapping = fyne.TextWrapWord
	// Plain text buttons: a themed icon is an SVG parsed for every card,
	// a third of the time it takes to show a student.
	c.edit = widgets.NewButton("Edit", func() { s.openForm(c.rec) })
	c.delete = widgets.NewButton("Delete…", c.confirmDelete)
	c.delete.Importance = widget.DangerImportance
	if s.refusal != nil {
		c.edit.Disable()
		c.delete.Disable()
	}
	top := border(nil, nil, container.NewHBox(title, container.NewCenter(badge)), container.NewHBox(c.edit, c.delete))
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	c.obj = container.NewStack(bg, container.NewPadded(container.NewVBox(top, c.detail)))
	return c
}

// statusBadge is a coloured label for a record's status: green published,
// orange when the clerk has to act (publish it, changed since or saved and
// never published, or correct a change the hub refused), blue saved with
// no district to publish it to.
func statusBadge(st data.Status, targets []data.District) (fyne.CanvasObject, *canvas.Text) {
	fill := theme.Color(theme.ColorNamePrimary)
	switch {
	case st == data.StatusPublished:
		fill = badgeGreen
	case st == data.StatusNeedsPublishing || st == data.StatusRefused || data.NeedsAction(st, targets):
		fill = badgeOrange
	}
	return newBadge(st.String(), fill)
}

// newBadge is white text on a coloured, rounded background.
func newBadge(label string, fill color.Color) (fyne.CanvasObject, *canvas.Text) {
	bg := canvas.NewRectangle(fill)
	bg.CornerRadius = theme.InputRadiusSize()
	text := canvas.NewText(" "+label+" ", color.White)
	text.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewStack(bg, container.NewPadded(text)), text
}

// recordStory says in sentences where a record stands: who entered and
// changed it (named by name, from the user name), where it is published
// and by whom, and why it needs publishing.
func recordStory(r store.Record, name func(username string) string) string {
	var lines []string
	entered := fmt.Sprintf("Entered %s by %s", data.LocalTime(r.CreatedAt), name(r.CreatedBy))
	if r.Version > 1 {
		entered += fmt.Sprintf("; last changed %s by %s (version %d)", data.LocalTime(r.UpdatedAt), name(r.UpdatedBy), r.Version)
	}
	lines = append(lines, entered+".")
	if len(r.Copies) > 0 {
		copies := make([]string, len(r.Copies))
		for i, c := range r.Copies {
			copies[i] = fmt.Sprintf("%s %s on %s by %s", c.District.Number, c.District.Name, data.LocalTime(c.At), name(c.By))
			if c.Version != r.Version {
				copies[i] += fmt.Sprintf(" (version %d)", c.Version)
			}
		}
		lines = append(lines, "Published to "+strings.Join(copies, "; ")+".")
	}
	for _, why := range r.Reasons {
		lines = append(lines, "• "+sentence(why))
	}
	if data.NeedsAction(r.Status, r.Targets) {
		lines = append(lines, "Publishing sends it to "+districtList(r.Targets)+".")
	}
	return strings.Join(lines, "\n")
}

func districtList(ds []data.District) string {
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = d.Number + " " + d.Name
	}
	return strings.Join(names, ", ")
}

// confirmDelete deletes a record entered in error, after asking. The store
// keeps it as a tombstone and in the audit log, and districts lose their
// copy.
func (c *recordCard) confirmDelete() {
	s := c.s
	r := c.rec
	msg := fmt.Sprintf("Delete the record with MIS2000 ID %s (QAD %s, EED %s)?\n\n"+
		"Only delete a record entered in error. It disappears from this student and from every district "+
		"that received it; the audit log keeps what it said and who deleted it.", r.MIS2000ID, r.QAD.US(), r.EED.US())
	d := widgets.NewConfirm("Delete migrant record", "Delete", "Keep it",
		widgets.Paragraph(msg, 480), func(ok bool) {
			if !ok {
				return
			}
			user := s.user
			s.tasks.run("deleting the migrant record", func() func() {
				err := s.st.DeleteRecord(context.Background(), user, r.ID, r.Version)
				return func() {
					if err != nil {
						s.dialogs.ShowError("The record was not deleted", err)
						return
					}
					s.changed(fmt.Sprintf("Deleted the record with MIS2000 ID %s of %s.", r.MIS2000ID, s.detail.Student.FullName()))
					// The keyboard was on this card's Delete, which goes.
					s.open(s.detail.Student.StateID, s.nextStep)
				}
			})
		}, s.dialogs.Window())
	s.dialogs.ShowDestructive(d)
}
