package gui

import (
	"errors"
	"fmt"
	"image/color"
	"strings"

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

// recordEdit is what a record form edits and what it does with the
// result: the student screen saves a record, the Conflicts screen
// resolves a conflict with a merge. Both check the record with the same
// rules while the person types.
type recordEdit struct {
	title   string
	student data.Student
	rec     store.Record // the values the form starts with; ID "" for a new record
	// others are the student's records as stored, for the overlap rule.
	others []data.MigrantRecord
	note   fyne.CanvasObject // shown under the student's line; nil for none
	// save writes the record off the UI goroutine; on success it returns
	// what to do on the UI goroutine once the form has closed.
	save   func(r data.MigrantRecord) (saved func(), err error)
	closed func()
	// draft keeps the typing while the form is open, a record's or a
	// conflict's merge: the store keeps the merge's two sides, not what
	// the person types of it.
	draft *drafter
	// typed is typing kept from before, which the fields start with
	// instead of rec's values; nil for none.
	typed *store.Draft
}

// recordForm is the Student Migrant Detail: MIS2000 ID, Last Qualifying
// Arrival Date and Eligibility Expiration Date of one record, new or being
// edited. It checks the record with the rules of package data while the
// clerk types, shows each problem beside its field, and keeps Save
// disabled until the record can be saved.
type recordForm struct {
	edit    recordEdit
	dialogs *widgets.Dialogs
	tasks   *tasks

	content  fyne.CanvasObject // the fields, without the dialog around them
	mis      *widgets.Entry
	qad      *widgets.DateField
	eed      *widgets.DateField
	misErr   *widget.Label
	qadErr   *widget.Label
	eedErr   *widget.Label
	eedHelp  *widget.Label
	formErr  *widget.Label
	reset    *widgets.Button
	saveBtn  *widgets.Button
	dlg      *dialog.CustomDialog
	start    [3]string // the texts the fields started with, to tell a change
	touched  map[*widgets.Entry]bool
	eedSet   bool // the clerk chose the EED: stop computing it
	filling  bool // the form is writing the EED itself
	saving   bool
	asking   bool    // the form asks whether to discard its changes
	lastSave error   // the store's answer to the last Save, shown until an edit
	height   float32 // the dialog's height, which only grows
}

// openRecordForm shows the Student Migrant Detail of e over the window of
// dialogs, the cursor in its first field to fill.
func openRecordForm(e recordEdit, dialogs *widgets.Dialogs, t *tasks) *recordForm {
	r := e.rec
	f := &recordForm{
		edit: e, dialogs: dialogs, tasks: t,
		mis:     widgets.NewEntry("up to 12 digits"),
		qad:     widgets.NewDateField(dialogs),
		eed:     widgets.NewDateField(dialogs),
		misErr:  errorLabel(),
		qadErr:  errorLabel(),
		eedErr:  errorLabel(),
		eedHelp: widget.NewLabel(""),
		formErr: errorLabel(),
		touched: map[*widgets.Entry]bool{},
	}
	f.eedHelp.Wrapping = fyne.TextWrapWord
	f.mis.SetText(r.MIS2000ID)
	if r.ID != "" {
		f.qad.Set(r.QAD)
		f.eed.Set(r.EED)
		// An EED that is not the computed one was chosen by a clerk.
		f.eedSet = r.EED != data.DefaultExpiration(r.QAD, e.student.BirthDate)
	}
	f.start = f.texts()
	for _, en := range []*widgets.Entry{f.mis, f.qad.Entry, f.eed.Entry} {
		en.OnEscape = f.escape
		en.OnSubmitted = func(string) { f.save() }
	}
	f.mis.OnChanged = func(string) { f.changed(f.mis) }
	f.qad.Entry.OnChanged = func(string) { f.qadChanged() }
	f.eed.Entry.OnChanged = func(string) {
		if f.filling {
			return // qadChanged checks the form once it is done
		}
		f.eedSet = true
		f.changed(f.eed.Entry)
	}
	// A button drawn as one, with an icon: as a low-importance button
	// it read as one more field heading.
	f.reset = widgets.NewButtonWithIcon("Use the computed date", theme.HistoryIcon(), func() {
		f.eedSet = false
		f.qadChanged()
	})

	cancel := widgets.NewButton("Cancel", f.escape)
	f.saveBtn = widgets.NewButton("Save (Ctrl+S)", f.save)
	f.saveBtn.Importance = widget.HighImportance
	for _, b := range []*widgets.Button{f.reset, cancel, f.saveBtn} {
		b.OnEscape = f.escape
	}

	st := e.student
	fields := container.NewVBox(widget.NewLabel(fmt.Sprintf("%s · State ID %s · born %s", st.FullName(), st.StateID, st.BirthDate.US())))
	if e.note != nil {
		fields.Add(e.note)
	}
	// Each line that comes and goes as the clerk types keeps its room
	// while it is away: the dialog is centred, so one line more moved
	// every field and both buttons under the cursor at nearly every key
	// of a date.
	fields.Add(field("MIS2000 ID", f.mis, oneLineKept(f.misErr)))
	fields.Add(field("Last Qualifying Arrival Date (QAD)", f.qad.Entry, oneLineKept(f.qadErr)))
	eed := container.New(headingButton{}, widget.NewLabelWithStyle("Eligibility Expiration Date (EED)",
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), f.eed.Entry, f.reset)
	fields.Add(container.NewVBox(eed, oneLineKept(f.eedErr)))
	fields.Add(f.eedHelp)
	fields.Add(f.formErr)
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(600, 0))
	f.content = container.NewStack(width, fields)
	f.dlg = dialog.NewCustomWithoutButtons(e.title, widgets.Fitted(f.content, dialogs.Window()), dialogs.Window())
	f.dlg.SetButtons([]fyne.CanvasObject{cancel, f.saveBtn})
	f.dlg.SetOnClosed(func() {
		e.draft.end()
		if e.closed != nil {
			e.closed()
		}
	})
	if e.typed != nil {
		f.retype(*e.typed)
	}
	f.check()
	dialogs.ShowForm(f.dlg, f.save, f.escape)
	first := f.mis
	if r.ID == "" && r.MIS2000ID != "" {
		first = f.qad.Entry
	}
	dialogs.Window().Canvas().Focus(first)
	return f
}

// texts are what the fields hold.
func (f *recordForm) texts() [3]string {
	return [3]string{f.mis.Text, f.qad.Entry.Text, f.eed.Entry.Text}
}

// edited reports whether the fields hold what was typed since the form
// opened: Esc and quitting ask before losing it.
func (f *recordForm) edited() bool { return f.texts() != f.start }

// escape is Esc, or Cancel, from any control of the form: it closes the
// calendar when that is open, else closes the form, asking first when
// the fields were changed, so that a stray key loses no typing.
func (f *recordForm) escape() {
	switch {
	case f.qad.CalendarShown() || f.eed.CalendarShown():
		f.dialogs.CloseTop()
	case f.asking:
	case !f.edited():
		f.dlg.Hide()
	default:
		f.asking = true
		msg := widgets.Paragraph("The changes you typed in this Student Migrant Detail are not saved. "+
			"Discard them and close the form, or keep editing?", 420)
		d := widgets.NewConfirm("Discard your changes?", "Discard", "Keep editing", msg, func(discard bool) {
			f.asking = false
			if discard {
				f.dlg.Hide()
			}
		}, f.dialogs.Window())
		f.dialogs.ShowDestructive(d)
	}
}

func (f *recordForm) changed(e *widgets.Entry) {
	f.touched[e] = true
	f.lastSave = nil
	f.check()
	if f.edited() {
		f.edit.draft.keep(f.texts(), f.eedSet)
	} else {
		f.edit.draft.forget()
	}
}

// retype puts typing kept from before into the fields, as the person
// left them: the EED computed from the QAD unless they had set it.
func (f *recordForm) retype(d store.Draft) {
	f.mis.SetText(d.MIS2000ID)
	f.eedSet = d.EEDChosen
	f.qad.Entry.SetText(d.QAD)
	if d.EEDChosen {
		f.eed.Entry.SetText(d.EED)
	}
}

// qadChanged recomputes the EED from the QAD until the clerk sets it. A
// QAD the form refuses gives none: an EED computed from a date in the
// future or before the birth date would look like one to keep.
func (f *recordForm) qadChanged() {
	if !f.eedSet {
		f.filling = true
		if qad, err := f.qad.Date(); err == nil && data.CheckQAD(qad, f.edit.student.BirthDate, today()) == nil {
			f.eed.Set(data.DefaultExpiration(qad, f.edit.student.BirthDate))
		} else {
			f.eed.Entry.SetText("")
		}
		f.filling = false
	}
	f.changed(f.qad.Entry)
}

// record is the record as the form holds it; dates that do not parse are
// zero, and their errors are returned by field.
func (f *recordForm) record() (data.MigrantRecord, map[string]string) {
	r, errs := readFields(f.edit.rec.MigrantRecord, f.texts())
	var fes data.Errors
	if errors.As(data.ValidateRecord(r, f.edit.student.BirthDate, today()), &fes) {
		for _, e := range fes {
			var fe *data.FieldError
			if errors.As(e, &fe) && errs[fe.Field] == "" {
				errs[fe.Field] = fe.Reason
			}
		}
	}
	return r, errs
}

// readFields is r with the form's three texts (MIS2000 ID, QAD, EED)
// read into it as Save reads them, and each text's error by field; a
// date that does not parse is zero.
func readFields(r data.MigrantRecord, texts [3]string) (data.MigrantRecord, map[string]string) {
	errs := map[string]string{}
	var err error
	if r.MIS2000ID, err = data.CleanText(strings.TrimSpace(texts[0])); err != nil {
		errs["MIS2000 ID"] = err.Error()
	}
	if r.QAD, err = data.ParseDate(texts[1]); err != nil {
		errs["QAD"] = err.Error()
	}
	if r.EED, err = data.ParseDate(texts[2]); err != nil {
		errs["EED"] = err.Error()
	}
	return r, errs
}

// check shows every problem of the record and enables Save only when
// there is none. A field the clerk has not touched yet shows no error for
// being empty, but Save stays disabled.
func (f *recordForm) check() bool {
	r, errs := f.record()
	show := func(l *widget.Label, e *widgets.Entry, name string) {
		if f.touched[e] || strings.TrimSpace(e.Text) != "" {
			setError(l, errs[name])
		} else {
			setError(l, "")
		}
	}
	show(f.misErr, f.mis, "MIS2000 ID")
	show(f.qadErr, f.qad.Entry, "QAD")
	show(f.eedErr, f.eed.Entry, "EED")

	f.eedHelp.SetText(eedRule)
	f.reset.SetText("Use the computed date")
	if errs["QAD"] == "" && !r.QAD.IsZero() {
		f.reset.SetText("Use the computed date, " + data.DefaultExpiration(r.QAD, f.edit.student.BirthDate).US())
		f.eedHelp.SetText(fmt.Sprintf("For this QAD, %s at the latest: 36 months less a day, never past the day before "+
			"the 22nd birthday. An earlier date (graduation, high-school equivalency) is allowed.",
			data.LatestExpiration(r.QAD, f.edit.student.BirthDate).US()))
	}
	if f.eedSet {
		f.reset.Show()
	} else {
		f.reset.Hide()
	}

	overlap := ""
	if len(errs) == 0 {
		if err := data.CheckOverlap(r, f.edit.others); err != nil {
			overlap = "This record cannot be saved: " + err.Error()
		}
	}
	switch {
	case overlap != "":
		setError(f.formErr, overlap)
	case f.lastSave != nil:
		// A failed save does not block another try: the database may
		// be free again.
		setError(f.formErr, f.lastSave.Error())
	default:
		setError(f.formErr, "")
	}
	f.fit()
	ok := len(errs) == 0 && overlap == "" && !f.saving
	if ok {
		f.saveBtn.Enable()
	} else {
		f.saveBtn.Disable()
	}
	return ok
}

// headingButton lays out a field's heading, its input under it, and a
// button at the end of the heading's line: the way back to the computed
// EED, beside what it changes. The line keeps the button's height while
// the button is hidden, so that nothing moves when it shows. The button
// comes last among the objects, so Tab reaches it after the input.
type headingButton struct{}

func (headingButton) line(objects []fyne.CanvasObject) float32 {
	return max(objects[0].MinSize().Height, objects[2].MinSize().Height)
}

func (h headingButton) MinSize(objects []fyne.CanvasObject) fyne.Size {
	heading, input, button := objects[0].MinSize(), objects[1].MinSize(), objects[2].MinSize()
	return fyne.NewSize(max(heading.Width+button.Width, input.Width), h.line(objects)+theme.Padding()+input.Height)
}

func (h headingButton) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	line := h.line(objects)
	button := objects[2].MinSize().Width
	objects[0].Move(fyne.NewPos(0, 0))
	objects[0].Resize(fyne.NewSize(size.Width-button, line))
	objects[2].Move(fyne.NewPos(size.Width-button, 0))
	objects[2].Resize(fyne.NewSize(button, line))
	objects[1].Move(fyne.NewPos(0, line+theme.Padding()))
	objects[1].Resize(fyne.NewSize(size.Width, objects[1].MinSize().Height))
}

// eedRule is the EED help before the QAD is a date: as many lines as the
// help that names the date, so that the form does not move when it does.
const eedRule = "Filled in from the QAD: 36 months less a day, never past the day before the 22nd birthday. " +
	"An earlier date (graduation, high-school equivalency) is allowed."

// fit grows the dialog when an error needs more lines, and keeps that
// height once the error is gone (shrinking moved the form back under the
// cursor), within a window made shorter since.
func (f *recordForm) fit() {
	if f.dlg == nil {
		return
	}
	if need := f.dlg.MinSize(); need.Height > 0 {
		f.height = max(need.Height, min(f.height, f.dialogs.Window().Canvas().Size().Height))
		f.dlg.Resize(fyne.NewSize(need.Width, f.height))
	}
}

// saveByKey is Ctrl+S, which waits while a dialog is open over the form:
// the main menu takes the key before any dialog sees it, so Ctrl+S typed
// in a confirmation saved the record behind it.
func (f *recordForm) saveByKey() {
	if !f.dialogs.Covered(f.dlg) {
		f.save()
	}
}

// save writes the record off the UI goroutine. The store writes the
// record, its outbox entry and its audit row in one transaction; when it
// refuses or fails, the form stays open with the reason.
func (f *recordForm) save() {
	if f.saving {
		return
	}
	if !f.check() {
		f.showWhy()
		return
	}
	r, _ := f.record()
	f.saving = true
	f.saveBtn.Disable()
	f.saveBtn.SetText("Saving…")
	f.tasks.run("saving", func() func() {
		saved, err := f.edit.save(r)
		return func() {
			f.saving = false
			f.saveBtn.SetText("Save (Ctrl+S)")
			if err != nil {
				f.refused(err)
				return
			}
			f.dlg.Hide()
			saved()
		}
	})
}

// showWhy answers a Save (Enter, Ctrl+S) of a record that cannot be
// saved: every field's error shows, an empty one's too, and the cursor
// goes to the first field to fix. Nothing else would tell a clerk who
// pressed Enter after the MIS2000 ID that the QAD is missing.
func (f *recordForm) showWhy() {
	fields := []struct {
		entry *widgets.Entry
		err   *widget.Label
	}{{f.mis, f.misErr}, {f.qad.Entry, f.qadErr}, {f.eed.Entry, f.eedErr}}
	for _, fl := range fields {
		f.touched[fl.entry] = true
	}
	f.check()
	for _, fl := range fields {
		if fl.err.Visible() {
			f.dialogs.Window().Canvas().Focus(fl.entry)
			return
		}
	}
}

// refused shows why the store did not save: rule errors beside their
// fields, anything else as a sentence above the buttons.
func (f *recordForm) refused(err error) {
	var fes data.Errors
	if errors.As(err, &fes) {
		for _, e := range fes {
			var fe *data.FieldError
			if !errors.As(e, &fe) {
				continue
			}
			switch fe.Field {
			case "MIS2000 ID":
				setError(f.misErr, fe.Reason)
			case "QAD":
				setError(f.qadErr, fe.Reason)
			case "EED":
				setError(f.eedErr, fe.Reason)
			}
		}
		f.saveBtn.Disable()
		return
	}
	var oe *data.OverlapError
	if errors.As(err, &oe) {
		err = fmt.Errorf("this record cannot be saved: %w", oe)
	}
	f.lastSave = err
	f.check()
}
