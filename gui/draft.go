package gui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/gui/widgets"
)

// draftStore keeps what a person types in a Student Migrant Detail.
type draftStore interface {
	KeepDraft(ctx context.Context, u data.User, d store.Draft) error
	DropDraft(ctx context.Context, username string, key store.Draft) error
}

// drafter has the store keep a form's typing as it changes, off the UI
// goroutine, so that typing outlives an app that ends without a word
// (Windows logging off, a power cut, a crash), and forget it once the
// form closes. Writes go one at a time in the order asked, and only the
// latest of those asked meanwhile is written: a drop asked after a keep
// is never overtaken by it.
type drafter struct {
	st     draftStore
	user   data.User
	key    store.Draft // the student, record, kind and version the form edits
	tasks  *tasks
	failed func(error) // on the UI goroutine, when a write fails

	mu    sync.Mutex
	want  *store.Draft // what the store should hold; nil for nothing
	dirty bool         // want is not written yet
	kept  bool         // the store may hold a draft of the form
	ended bool         // the form closed: nothing more is kept
	idle  chan struct{}
}

// keep asks for the fields' texts to be kept.
func (d *drafter) keep(texts [3]string, eedChosen bool) {
	w := d.key
	w.MIS2000ID, w.QAD, w.EED, w.EEDChosen = texts[0], texts[1], texts[2], eedChosen
	d.set(&w, false)
}

// forget asks for the kept typing to go: the fields hold what the form
// started with again.
func (d *drafter) forget() { d.set(nil, false) }

// end forgets the typing for good, as the form closes: saved or
// discarded, it is no longer the person's to come back to.
func (d *drafter) end() { d.set(nil, true) }

// endAndWait is end, waiting for the store to have forgotten: the app
// is about to quit, and would otherwise offer the typing again at the
// next start.
func (d *drafter) endAndWait() {
	d.end()
	d.wait(draftWait)
}

// wait waits, up to timeout, until what is asked is written: a keep of
// typing asked before a save may be written after the save, until the
// drop asked as the form closed follows it.
func (d *drafter) wait(timeout time.Duration) {
	d.mu.Lock()
	idle := d.idle
	d.mu.Unlock()
	if idle != nil {
		select {
		case <-idle:
		case <-time.After(timeout):
		}
	}
}

// draftWait is how long a quit or a reading of the student waits for a
// drafter's writes: a few of them, each a millisecond, or a store slow
// to answer, which the wait must not turn into a hung app.
const draftWait = 3 * time.Second

func (d *drafter) set(want *store.Draft, end bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ended || want == nil && !d.kept {
		d.ended = d.ended || end
		return
	}
	d.ended = end
	d.want, d.dirty, d.kept = want, true, want != nil
	if d.idle == nil {
		d.idle = make(chan struct{})
		d.tasks.run("keeping what you typed", func() func() {
			err := d.write()
			return func() {
				if err != nil && d.failed != nil {
					d.failed(err)
				}
			}
		})
	}
}

// write writes what is asked until nothing more is, and returns the
// last failure.
func (d *drafter) write() error {
	var failed error
	for {
		d.mu.Lock()
		if !d.dirty {
			close(d.idle)
			d.idle = nil
			d.mu.Unlock()
			return failed
		}
		want := d.want
		d.dirty = false
		d.mu.Unlock()
		var err error
		if want == nil {
			err = d.st.DropDraft(context.Background(), d.user.Username, d.key)
		} else {
			err = d.st.KeepDraft(context.Background(), d.user, *want)
		}
		if err != nil {
			failed = err
		}
	}
}

// draftTexts are a draft's fields as the form holds them.
func draftTexts(d store.Draft) [3]string { return [3]string{d.MIS2000ID, d.QAD, d.EED} }

// settled reports whether a draft holds nothing that is not stored: the
// record it edits, or for a new record one of the student's, holds what
// was typed. The app ended after the save and before the draft went, or
// the student's screen, read again after the save, read the draft before
// it went.
func settled(d store.Draft, recs []store.Record) bool {
	for _, r := range recs {
		if (d.RecordID == "" || r.ID == d.RecordID) && holds(r, d) {
			return true
		}
	}
	return false
}

// holds reports whether r stores the values d's fields say, read as
// Save reads them: typed 9/1/2025, a QAD is stored as 09/01/2025, and
// the MIS2000 ID without the spaces around it.
func holds(r store.Record, d store.Draft) bool {
	typed, errs := readFields(r.MigrantRecord, draftTexts(d))
	return len(errs) == 0 && typed.MIS2000ID == r.MIS2000ID && typed.QAD == r.QAD && typed.EED == r.EED
}

// typedFields is a draft's fields in a sentence's words.
func typedFields(d store.Draft) string {
	show := func(s string) string {
		if s == "" {
			return "empty"
		}
		return s
	}
	return fmt.Sprintf("MIS2000 ID %s, QAD %s, EED %s", show(d.MIS2000ID), show(d.QAD), show(d.EED))
}

// typedWhen is when a draft was last typed in, in the computer's time.
func typedWhen(d store.Draft) string {
	if d.At.IsZero() {
		return ""
	}
	return d.At.Local().Format(" on Mon Jan 2 at 3:04 PM")
}

// draftReader reads the typing kept from before, with the students it
// is of.
type draftReader interface {
	Drafts(ctx context.Context, username string) ([]store.Draft, error)
	Student(ctx context.Context, stateID string) (store.StudentDetail, error)
	DropDraft(ctx context.Context, username string, key store.Draft) error
}

// pendingDrafts are username's drafts of records, with each one's
// student, less those whose typing is stored already, which it forgets.
// A student no longer on this computer comes with only a state ID. The
// merges of conflicts are pendingMerges.
func pendingDrafts(ctx context.Context, st draftReader, username string) ([]store.Draft, []data.Student, error) {
	all, err := st.Drafts(ctx, username)
	if err != nil {
		return nil, nil, err
	}
	var ds []store.Draft
	var students []data.Student
	for _, d := range all {
		if d.Merge {
			continue
		}
		detail, err := st.Student(ctx, d.StateID)
		switch {
		case errors.Is(err, store.ErrNoStudent):
			detail.Student.StateID = d.StateID
		case err != nil:
			return nil, nil, fmt.Errorf("read the student of what you typed before: %w", err)
		}
		pending, err := unsettled(ctx, st, username, d, detail.Records)
		if err != nil {
			return nil, nil, err
		}
		if pending {
			ds = append(ds, d)
			students = append(students, detail.Student)
		}
	}
	return ds, students, nil
}

// unsettled reports whether d holds typing that recs (its student's
// records) do not store, and forgets d when they do.
func unsettled(ctx context.Context, st draftReader, username string, d store.Draft, recs []store.Record) (bool, error) {
	if !settled(d, recs) {
		return true, nil
	}
	return false, st.DropDraft(ctx, username, d)
}

// studentDrafts are the user's drafts of d's student whose typing d's
// records do not store.
func (s *studentScreen) studentDrafts(ctx context.Context, d store.StudentDetail) ([]store.Draft, error) {
	all, err := s.st.Drafts(ctx, s.user.Username)
	if err != nil {
		return nil, err
	}
	var ds []store.Draft
	for _, dr := range all {
		if dr.StateID != d.Student.StateID || dr.Merge {
			continue
		}
		pending, err := unsettled(ctx, s.st, s.user.Username, dr, d.Records)
		if err != nil {
			return nil, err
		}
		if pending {
			ds = append(ds, dr)
		}
	}
	return ds, nil
}

// drafter keeps the typing of a form on record r.
func (s *studentScreen) drafter(r store.Record) *drafter {
	return newDrafter(s.st, s.user, s.tasks, store.Draft{StateID: s.detail.Student.StateID, RecordID: r.ID, Version: r.Version},
		"the record", s.changed)
}

// newDrafter keeps the typing of the form on key, and says through say
// when it cannot: saving what (the record, the merge) keeps it then,
// unless the person may no longer change the student's records (a sync
// changed their access), which a save would refuse too.
func newDrafter(st draftStore, u data.User, t *tasks, key store.Draft, what string, say func(string)) *drafter {
	return &drafter{st: st, user: u, tasks: t, key: key,
		failed: func(err error) {
			if errors.Is(err, data.ErrAccess) {
				say(sentence("What you type in the Student Migrant Detail is not kept on this computer: " + err.Error()))
				return
			}
			say(sentence("What you type in the Student Migrant Detail is not being kept on this computer as you type (" +
				err.Error() + "); save " + what + " to keep it"))
		}}
}

// setDrafts shows the first of the student's drafts, but for the one
// the open form is typing.
func (s *studentScreen) setDrafts(ds []store.Draft) {
	s.drafts = s.drafts[:0]
	for _, d := range ds {
		if s.form == nil || d.RecordID != s.form.edit.rec.ID {
			s.drafts = append(s.drafts, d)
		}
	}
	s.showDraft()
}

func (s *studentScreen) showDraft() {
	if len(s.drafts) == 0 {
		s.draftBox.Hide()
		return
	}
	d := s.drafts[0]
	what := "a new Student Migrant Detail"
	rec, found := s.record(d.RecordID)
	switch {
	case found:
		what = "a change to the record with MIS2000 ID " + rec.MIS2000ID
	case d.RecordID != "":
		what = "a change to a record no longer on this computer"
	}
	msg := fmt.Sprintf("Not saved when Migrant Desk closed: %s typed%s (%s).", what, typedWhen(d), typedFields(d))
	switch {
	case s.refusal != nil:
		msg += " You may no longer change this student's records: note what you need, then discard it."
	case found && rec.Version != d.Version:
		msg += " The record has changed since: check the typing against it before you save."
	case !found && d.RecordID != "":
		msg += " Go on typing makes a new record of it."
	}
	if len(s.drafts) > 1 {
		msg += fmt.Sprintf(" (1 of %d kept for this student.)", len(s.drafts))
	}
	s.draftText.SetText(msg)
	enable(s.draftGo, s.refusal == nil)
	s.draftBox.Show()
}

// record is the student's record of id, if the screen shows it.
func (s *studentScreen) record(id string) (store.Record, bool) {
	for _, r := range s.detail.Records {
		if id != "" && r.ID == id {
			return r, true
		}
	}
	return store.Record{}, false
}

// draftFor is the typing kept for a form on r, if any, and a note for
// the form when r changed after it was typed.
func (s *studentScreen) draftFor(r store.Record) (*store.Draft, fyne.CanvasObject) {
	for _, d := range s.drafts {
		if d.RecordID != r.ID {
			continue
		}
		if r.ID == "" || d.Version == r.Version {
			return &d, nil
		}
		return &d, widgets.Paragraph(fmt.Sprintf("The form holds what you typed%s. The record has changed since: "+
			"it now holds %s. Check your typing against it before you save.",
			typedWhen(d), typedFields(store.Draft{MIS2000ID: r.MIS2000ID, QAD: r.QAD.US(), EED: r.EED.US()})), 580)
	}
	return nil, nil
}

// settle takes the draft of record id off the screen: its form closed,
// saved or discarded, or it was discarded.
func (s *studentScreen) settle(id string) {
	s.drafts = slices.DeleteFunc(s.drafts, func(d store.Draft) bool { return d.RecordID == id })
	s.showDraft()
}

// continueDraft opens the form on the first draft shown. The typing of
// a record no longer on this computer goes on as a new record's.
func (s *studentScreen) continueDraft() {
	if len(s.drafts) == 0 || s.form != nil || s.refusal != nil {
		return
	}
	d := s.drafts[0]
	if rec, found := s.record(d.RecordID); found {
		s.openForm(rec)
		return
	}
	if d.RecordID != "" {
		s.drop(d)
		s.drafts[0].RecordID, s.drafts[0].Version = "", 0
	}
	s.newRecord()
}

// askDiscardDraft asks before forgetting the draft shown.
func (s *studentScreen) askDiscardDraft() {
	if len(s.drafts) == 0 || s.dialogs.Open() {
		return
	}
	d := s.drafts[0]
	askDiscard(s.dialogs, "Discard what you typed?", fmt.Sprintf("What you typed%s (%s) will be gone from this computer.",
		typedWhen(d), typedFields(d)), func() {
		s.drop(d)
		s.settle(d.RecordID)
	})
}

// askDiscard asks, under title, whether to discard typing kept, which
// text says, and calls discard once it is chosen.
func askDiscard(dialogs *widgets.Dialogs, title, text string, discard func()) {
	c := widgets.NewConfirm(title, "Discard", "Keep it", widgets.Paragraph(text, 420), func(ok bool) {
		if ok {
			discard()
		}
	}, dialogs.Window())
	dialogs.ShowDestructive(c)
}

// drop forgets a draft in the store, off the UI goroutine.
func (s *studentScreen) drop(d store.Draft) { dropDraft(s.st, s.tasks, s.dialogs, s.user.Username, d) }

// dropDraft forgets username's draft d in st, off the UI goroutine, and
// says so over dialogs when it cannot.
func dropDraft(st draftStore, t *tasks, dialogs *widgets.Dialogs, username string, d store.Draft) {
	t.run("discarding what you typed", func() func() {
		err := st.DropDraft(context.Background(), username, d)
		return func() {
			if err != nil {
				dialogs.ShowError("What you typed could not be discarded", err)
			}
		}
	})
}

// offerDrafts tells a clerk, as the app starts, of typing kept from
// before that was never saved, records and merges of conflicts, and
// offers to go on with the first. Typing of a student no longer on this
// computer is shown once, whole, then forgotten: no record of such a
// student can be saved here.
func (u *UI) offerDrafts() {
	s, c, username := u.student, u.conflicts, u.user.Username
	if s == nil {
		return
	}
	u.tasks.run("reading what you typed before", func() func() {
		ctx := context.Background()
		ds, students, err := pendingDrafts(ctx, u.st, username)
		var merges []store.Draft
		var of []store.Conflict
		if err == nil && c != nil {
			merges, of, err = pendingMerges(ctx, u.st, username)
		}
		return func() {
			if err != nil {
				u.status.say(sentence(err.Error()))
				return
			}
			if len(ds)+len(merges) == 0 || u.student != s || u.conflicts != c {
				return
			}
			var lines []string
			var first func()
			var gone []store.Draft
			for i, d := range ds {
				what := "a new record"
				if d.RecordID != "" {
					what = "a change to a record"
				}
				if students[i].FullName() == "" {
					lines = append(lines, fmt.Sprintf("• Student %s, no longer on this computer: %s, typed%s (%s). It cannot be saved here and is not kept.",
						d.StateID, what, typedWhen(d), typedFields(d)))
					gone = append(gone, d)
					continue
				}
				if first == nil {
					id := d.StateID
					first = func() { u.openStudentFrom(id, "search", u.showSearch, s.continueDraft) }
				}
				lines = append(lines, fmt.Sprintf("• %s (State ID %s): %s, typed%s.", students[i].FullName(), d.StateID, what, typedWhen(d)))
			}
			for i, d := range merges {
				if first == nil {
					id := d.RecordID
					// Once the offer has closed: the Conflicts screen
					// does not open over a dialog.
					first = func() { c.resume = id; u.dialogs.WhenClosed(u.showConflicts) }
				}
				lines = append(lines, fmt.Sprintf("• %s (State ID %s): a merge of the conflict over the record with MIS2000 ID %s, typed%s.",
					of[i].Student.FullName(), d.StateID, of[i].Mine.MIS2000ID, typedWhen(d)))
			}
			msg := "Migrant Desk closed before you saved what you typed in a Student Migrant Detail:\n\n" + strings.Join(lines, "\n")
			switch kept := len(ds) - len(gone) + len(merges); {
			case kept == 1 && len(merges) == 1:
				msg += "\n\nGo on typing opens it; Later leaves it on the Conflicts screen."
			case kept == 1:
				msg += "\n\nGo on typing opens it; Later leaves it on the student's screen."
			case kept > 1:
				where := "each student's screen shows what is kept for them"
				if len(merges) > 0 {
					where += ", and the Conflicts screen each merge"
				}
				msg += "\n\nGo on typing opens the first; " + where + "."
			}
			for _, d := range gone {
				s.drop(d)
			}
			text := widgets.Paragraph(msg, 520)
			if first == nil {
				u.dialogs.ShowCustom("Typing not saved", text)
				return
			}
			d := widgets.NewConfirm("Typing not saved", "Go on typing", "Later", text, func(ok bool) {
				if ok {
					first()
				}
			}, u.win)
			d.SetConfirmImportance(widget.HighImportance)
			u.dialogs.ShowConfirm(d)
		}
	})
}
