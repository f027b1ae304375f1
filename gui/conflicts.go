package gui

import (
	"context"
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
	"migrantdesk/gui/widgets"
)

// conflictStore is what the Conflicts screen reads and writes.
type conflictStore interface {
	Conflicts(ctx context.Context) ([]store.Conflict, error)
	Rejections(ctx context.Context) ([]store.Rejection, error)
	DismissedRejections(ctx context.Context) ([]store.Rejection, error)
	KeepTheirs(ctx context.Context, u data.User, recordID string) error
	KeepMine(ctx context.Context, u data.User, recordID string, seen int) error
	KeepMerged(ctx context.Context, u data.User, merged data.MigrantRecord) error
	DismissRejection(ctx context.Context, u data.User, mutationID string) error
	TakeOffRefused(ctx context.Context, u data.User, mutationID string) error
	Student(ctx context.Context, stateID string) (store.StudentDetail, error)
	Drafts(ctx context.Context, username string) ([]store.Draft, error)
	Users(ctx context.Context) ([]data.User, error)
	draftStore
}

// compareColumns are the columns of the side-by-side comparison.
var compareColumns = []widgets.Column{col("", 150), col("Mine (this computer)", 270), col("Theirs (the hub)", 270)}

// conflictsScreen lists the records the hub refused because they changed
// there first, and for one of them shows mine and theirs side by side,
// field by field, with Keep theirs, Keep mine and Edit a merge; a second
// tab lists the changes the hub refused for good, with its reasons.
type conflictsScreen struct {
	st       conflictStore
	user     data.User
	tasks    *tasks
	dialogs  *widgets.Dialogs
	resolved func(msg string) // after a resolution, or a merge not kept as typed: say it, count again, sync
	say      func(msg string) // what the status bar says, nothing changed
	open     func(stateID string)
	// access, when not nil, opens the Users and access tab of a
	// district the user administers, where a refused grant or revoke is
	// made again.
	access func(district string)

	conflicts  []store.Conflict
	rejections []refusal
	// dismissed are the refusals the user dismissed, listed after the
	// others while showDismissed is checked: what was typed stays in
	// sight, to read and copy, after its record is gone from here.
	dismissed     []refusal
	showDismissed *widget.Check
	chosen        int // the conflict compared; -1 none
	// resolving is set while a Keep mine or Keep theirs is applied: its
	// buttons stay off, even when a sync's end reads the conflicts again.
	resolving  bool
	list       *widgets.List
	refusedTab *widgets.List
	// refusedWidth is the width the refused changes were measured at:
	// each reason wraps to the lines that width leaves it.
	refusedWidth float32
	hint         *widget.Label
	refHint      *widget.Label
	title        *widget.Label
	warning      *widget.Label // for a record gone from the user's scope, or not known yet
	compare      *fyne.Container
	keepTheirs   *widgets.Button
	keepMine     *widgets.Button
	merge        *widgets.Button
	detail       fyne.CanvasObject
	tabs         *container.AppTabs
	obj          fyne.CanvasObject

	form *recordForm // the merge being edited, if any
	// merges are the user's merges typed and not saved (store.Draft), of
	// the conflicts listed; the one of the conflict compared shows in
	// draftBox until the form holds it.
	merges    []store.Draft
	draftText *widget.Label
	draftGo   *widgets.Button
	draftBox  fyne.CanvasObject
	// resume is the record whose merge kept from before to open once
	// the conflicts are read; "" for none.
	resume string
	// typedHere are the records whose merge a form of this app opened:
	// what the store keeps of them is that form's typing, kept while it
	// is open or dropped as it closes, never a merge left when Migrant
	// Desk closed. A reading of the merges may be older than the close.
	typedHere map[string]bool
}

// refusal is a change the hub refused, as the list shows it.
type refusal struct {
	id        string // the mutation refused
	what, why string
	stateID   string // the student of a record's change; "" for a grant
	entity    string // what was changed: sync.EntityRecord, EntityGrant...
	district  string // the district of a grant or revoke; "" for a record
	// takeOff: the user may no longer change the student's records here
	// (data.User.MayTakeOffRefused), so dismissing may take the record
	// off this computer too.
	takeOff   bool
	dismissed bool
}

// newConflictsScreen is the Conflicts screen of usr; resolved hears what
// a resolution did, say what else to tell, back leaves the screen, and
// open, when not nil, opens a student.
func newConflictsScreen(st conflictStore, usr data.User, t *tasks, dialogs *widgets.Dialogs,
	resolved, say func(msg string), back func(), open func(stateID string)) *conflictsScreen {
	c := &conflictsScreen{st: st, user: usr, tasks: t, dialogs: dialogs, resolved: resolved, say: say, open: open, chosen: -1,
		typedHere: map[string]bool{}, hint: wrapped(""), refHint: wrapped(""), title: heading(""), compare: container.NewVBox()}
	c.list = widgets.NewList(
		func() int { return len(c.conflicts) },
		// Three lines, as the IDs and the day together are wider than the
		// list beside the comparison at the window's default size.
		func() fyne.CanvasObject { return rowLines(3) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			cf := c.conflicts[i]
			answered := "The hub answered " + data.DayOf(cf.At)
			if _, kept := c.mergeDraft(cf.RecordID); kept {
				answered += " · your merge not saved"
			}
			setLines(o, cf.Student.FullName(), fmt.Sprintf("State ID %s · MIS2000 ID %s", cf.Student.StateID, cf.Mine.MIS2000ID), answered)
		})
	c.list.OnSelected = c.choose
	c.keepTheirs = widgets.NewButton("Keep theirs", c.keep(false))
	c.keepMine = widgets.NewButton("Keep mine", c.keep(true))
	c.merge = widgets.NewButtonWithIcon("Edit a merge…", theme.DocumentCreateIcon(), c.editMerge)
	c.merge.Importance = widget.HighImportance
	how := wrapped("Keep theirs takes the hub's record as it is. Keep mine sends yours again, as the next version after the hub's. " +
		"Edit a merge lets you choose field by field. The hub is told with the next sync, which follows at once.")
	c.warning = wrapped("")
	c.warning.Importance = widget.WarningImportance
	c.draftText = wrapped("")
	c.draftGo = widgets.NewButtonWithIcon("Go on typing", theme.DocumentCreateIcon(), c.editMerge)
	c.draftGo.Importance = widget.HighImportance
	c.draftBox = border(nil, nil, nil, container.NewHBox(c.draftGo, widgets.NewButtonWithIcon("Discard…", theme.DeleteIcon(), c.askDiscardMerge)),
		note(theme.WarningIcon(), c.draftText))
	c.draftBox.Hide()
	// The buttons stay in sight however small the window: the comparison
	// scrolls above them.
	c.detail = border(c.title, container.NewHBox(c.keepTheirs, c.keepMine, c.merge), nil, nil,
		container.NewVScroll(container.NewVBox(c.draftBox, c.warning, c.compare, how)))
	c.detail.Hide()
	split := container.NewHSplit(c.list, c.detail)
	split.Offset = 0.36
	conflictsTab := border(c.hint, nil, nil, nil, split)

	c.refusedTab = widgets.NewList(
		func() int { return len(c.refusedShown()) },
		func() fyne.CanvasObject {
			return border(nil, nil, nil, container.NewCenter(refusalButtons()), refusalLines())
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := c.refusedShown()[i]
			row := o.(*fyne.Container)
			setLines(row.Objects[0], r.what, r.why)
			buttons := row.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects
			buttons[1].(*widgets.Button).OnTapped = func() { c.copyRefusal(r) }
			dismiss := buttons[0].(*widgets.Button)
			dismiss.OnTapped = func() { c.askDismiss(r) }
			switch {
			case !r.dismissed:
				dismiss.SetText("Dismiss…")
				dismiss.Show()
			case r.takeOff:
				dismiss.SetText("Take off…")
				dismiss.Show()
			default:
				dismiss.Hide()
			}
		})
	c.refusedTab.OnSelected = func(i widget.ListItemID) {
		c.refusedTab.UnselectAll()
		shown := c.refusedShown()
		if i < 0 || i >= len(shown) {
			return
		}
		switch r := shown[i]; {
		case r.stateID != "" && c.open != nil:
			c.open(r.stateID)
		case r.district != "" && c.access != nil:
			c.access(r.district)
		}
	}
	c.showDismissed = widget.NewCheck("Show the dismissed ones too", func(bool) {
		c.refusedTab.UnselectAll()
		c.fitRefusals(c.refusedWidth)
		c.refusedTab.Refresh()
		c.setRefusedHint()
	})
	refused := container.New(&widthWatch{changed: c.fitRefusals}, c.refusedTab)
	c.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Conflicts", theme.WarningIcon(), conflictsTab),
		container.NewTabItemWithIcon("Refused by the hub", theme.ErrorIcon(),
			border(border(nil, nil, nil, container.NewVBox(c.showDismissed), c.refHint), nil, nil, nil, refused)))
	backBtn := widgets.NewButtonWithIcon("Back", theme.NavigateBackIcon(), back)
	intro := wrapped("A conflict is a record you changed on this computer that someone else changed on the hub first. " +
		"Nothing was overwritten: compare the two and choose what to keep.")
	top := container.NewVBox(container.NewHBox(backBtn, heading("Conflicts and refused changes")), intro)
	c.obj = border(top, nil, nil, nil, c.tabs)
	return c
}

// shownList is the list of the tab shown, the one the keyboard goes to:
// back from a student opened from the refused changes, that tab is still
// shown, and the list of conflicts out of sight.
func (c *conflictsScreen) shownList() *widgets.List {
	if c.tabs.SelectedIndex() == 1 {
		return c.refusedTab
	}
	return c.list
}

// rowLines is a list row of a bold line and n-1 plain ones: every row of a
// list the same height, as a virtualized list needs.
func rowLines(n int) fyne.CanvasObject {
	first := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	first.Truncation = fyne.TextTruncateEllipsis
	rows := container.NewVBox(first)
	for range n - 1 {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		rows.Add(l)
	}
	return rows
}

// refusalLines is a refused change's row: what it was, on one line, and
// the hub's reason wrapped to as many lines as it takes (fitRefusals), as
// a reason cut to one line could be read only in the Dismiss question.
func refusalLines() fyne.CanvasObject {
	rows := rowLines(2).(*fyne.Container)
	why := rows.Objects[1].(*widget.Label)
	why.Truncation = fyne.TextTruncateOff
	why.Wrapping = fyne.TextWrapWord
	return rows
}

// refusalButtons are the buttons of a refused change's row. Copy last,
// where it stands on every row: a dismissed one has no Dismiss, but may
// have Take off.
func refusalButtons() *fyne.Container {
	dismiss := widgets.NewButtonWithIcon("Dismiss…", theme.DeleteIcon(), nil)
	copyIt := widgets.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), nil)
	return container.NewHBox(dismiss, copyIt)
}

// fitRefusals sets the height of each refused change listed for the
// lines its reason wraps to in a list width wide.
func (c *conflictsScreen) fitRefusals(width float32) {
	c.refusedWidth = width
	if width <= 0 {
		return
	}
	text := width - refusalButtons().MinSize().Width - theme.ScrollBarSize() - 2*theme.Padding()
	for i, r := range c.refusedShown() {
		lines := refusalLines().(*fyne.Container)
		setLines(lines, r.what, r.why)
		lines.Objects[1].Resize(fyne.NewSize(text, lines.Objects[1].MinSize().Height))
		c.refusedTab.SetItemHeight(i, lines.MinSize().Height)
	}
}

// widthWatch lays out one object over all of its room, and tells changed
// of each new width.
type widthWatch struct {
	width   float32
	changed func(width float32)
}

func (l *widthWatch) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
	if size.Width != l.width {
		l.width = size.Width
		l.changed(size.Width)
	}
}

func (l *widthWatch) MinSize(objs []fyne.CanvasObject) fyne.Size { return objs[0].MinSize() }

func setLines(o fyne.CanvasObject, texts ...string) {
	for i, row := range o.(*fyne.Container).Objects {
		row.(*widget.Label).SetText(texts[i])
	}
}

// load reads the conflicts, the merges typed of them and the refused
// changes, off the UI goroutine.
func (c *conflictsScreen) load() {
	c.hint.SetText("Reading the conflicts…")
	username := c.user.Username
	c.tasks.run("reading the conflicts", func() func() {
		ctx := context.Background()
		cs, err := c.st.Conflicts(ctx)
		var rs, gone []refusal
		var ds []store.Draft
		// A grant names its coordinator as the rest of the app does, by
		// the full name this computer knows.
		var users []data.User
		if err == nil {
			if users, err = c.st.Users(ctx); err != nil {
				err = fmt.Errorf("reading the users: %w", err)
			}
		}
		if err == nil {
			rs, err = c.refusals(ctx, c.st.Rejections, people(users), false)
		}
		if err == nil {
			gone, err = c.refusals(ctx, c.st.DismissedRejections, people(users), true)
		}
		if err == nil {
			ds, err = c.st.Drafts(ctx, username)
		}
		return func() {
			if err != nil {
				c.hint.SetText(sentence(err.Error()))
				return
			}
			c.dismissed = gone
			c.set(cs, rs, ds)
		}
	})
}

// set shows the conflicts cs, the refused changes rs, and the merges
// among the drafts ds.
func (c *conflictsScreen) set(cs []store.Conflict, rs []refusal, ds []store.Draft) {
	var id string
	if c.chosen >= 0 && c.chosen < len(c.conflicts) {
		id = c.conflicts[c.chosen].RecordID
	}
	first := len(c.conflicts) == 0
	c.conflicts, c.rejections = cs, rs
	c.merges, _ = mergesOf(ds, cs)
	c.merges = slices.DeleteFunc(c.merges, func(d store.Draft) bool { return c.typedHere[d.RecordID] })
	c.list.UnselectAll()
	c.list.Refresh()
	c.fitRefusals(c.refusedWidth)
	c.refusedTab.Refresh()
	c.tabs.Items[0].Text = fmt.Sprintf("Conflicts (%d)", len(cs))
	c.tabs.Items[1].Text = fmt.Sprintf("Refused by the hub (%d)", len(rs))
	c.tabs.Refresh()
	switch len(cs) {
	case 0:
		c.hint.SetText("No conflicts: every change made on this computer reached the hub as it was made, or waits to be sent.")
	case 1:
		c.hint.SetText("1 record changed both here and on the hub. Click it to compare.")
	default:
		c.hint.SetText(fmt.Sprintf("%d records changed both here and on the hub. Click one to compare.", len(cs)))
	}
	c.setRefusedHint()
	// Keep comparing the same record.
	c.chosen = -1
	c.detail.Hide()
	c.draftBox.Hide()
	for i, cf := range cs {
		if cf.RecordID == id {
			c.list.Select(i)
			break
		}
	}
	// Else the first one, when none was listed before: once one is
	// resolved the next is a click of the clerk's, so that a double click
	// on Keep mine or Keep theirs cannot resolve it unseen.
	if c.chosen < 0 && len(cs) > 0 && first {
		c.list.Select(0)
	}
	if id := c.resume; id != "" {
		c.resume = ""
		for i, cf := range cs {
			if cf.RecordID == id {
				c.list.Select(i)
				c.editMerge()
				break
			}
		}
	}
}

// refusedShown are the refusals the list shows: those to read, then,
// when asked for, those dismissed.
func (c *conflictsScreen) refusedShown() []refusal {
	if c.showDismissed.Checked {
		return slices.Concat(c.rejections, c.dismissed)
	}
	return c.rejections
}

// setRefusedHint says what the refusals listed are and what to do, and
// offers the dismissed ones when there are any.
func (c *conflictsScreen) setRefusedHint() {
	var hint string
	switch {
	case len(c.rejections) > 0:
		hint = "The hub refused these changes for good: they were not applied there and will not be sent again." + c.whatToDo()
	case len(c.dismissed) == 0:
		hint = "The hub has refused none of the changes made on this computer."
	default:
		hint = "No refused change waits to be read."
	}
	n := len(c.dismissed)
	switch {
	case n == 0:
	case c.showDismissed.Checked:
		hint += fmt.Sprintf(" The %s you dismissed %s listed with what was typed; Copy puts one on the clipboard.",
			data.Count(n, "change"), data.Agree(n, "is", "are"))
	default:
		hint += fmt.Sprintf(" What was typed in the %s you dismissed stays on this computer: show them to read or copy it.",
			data.Count(n, "change"))
	}
	c.refHint.SetText(hint)
	enable(c.showDismissed, n > 0)
}

// whatToDo says what to do of each kind of change refused and listed:
// the hub refuses records, grants and revokes, and more, each done
// again in its own place.
func (c *conflictsScreen) whatToDo() string {
	var records, grants, others bool
	for _, r := range c.refusedShown() {
		switch r.entity {
		case sync.EntityRecord:
			records = true
		case sync.EntityGrant:
			grants = true
		default:
			others = true
		}
	}
	var say string
	if records {
		say += " A record's change: click it to open the student, correct the record and save it again; of a student the " +
			"hub no longer counts as yours, dismiss the change and take the record off this computer."
	}
	if grants {
		where := "in the Users and access tab of the district's window"
		if c.access != nil {
			where = "click it to open the Users and access tab of the district's window"
		}
		say += " A grant or revoke of the QA Migrant report: the reason says who changed it since; if you still mean it, " +
			where + ", and grant or revoke it again there."
	}
	if others {
		say += " Any other change: read the reason, tell your state administrator if it needs doing, and dismiss it."
	}
	return say
}

// copyRefusal puts a refused change, with what was typed and why the hub
// refused it, on the clipboard, for the clerk to type again or to send
// to whoever can enter it.
func (c *conflictsScreen) copyRefusal(r refusal) {
	fyne.CurrentApp().Clipboard().SetContent(r.what + "\n" + r.why)
	c.say("Copied the refused change to the clipboard: " + r.what + ".")
}

// choose shows one conflict side by side.
func (c *conflictsScreen) choose(i widget.ListItemID) {
	if i < 0 || i >= len(c.conflicts) {
		return
	}
	c.chosen = i
	cf := c.conflicts[i]
	st := cf.Student
	c.title.SetText(fmt.Sprintf("%s · State ID %s · born %s", st.FullName(), st.StateID, st.BirthDate.US()))
	mine, theirs := sides(cf.Mine), sides(cf.Theirs)
	mine = append(mine, fmt.Sprintf("You (%s), on this computer", c.user.Username))
	theirs = append(theirs, changedBy(cf.Theirs))
	rows := []fyne.CanvasObject{widgets.HeaderRow(compareColumns)}
	for j, name := range []string{"MIS2000 ID", "QAD", "EED", "Deleted", "Version", "Changed by"} {
		differs := mine[j] != theirs[j] && name != "Changed by"
		cells := []fyne.CanvasObject{widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
		for _, v := range []string{mine[j], theirs[j]} {
			l := widget.NewLabel(v)
			if differs {
				l.TextStyle.Bold = true
				l.Importance = widget.WarningImportance
			}
			cells = append(cells, l)
		}
		rows = append(rows, container.New(widgets.ColumnsLayout(compareColumns), cells...))
	}
	c.compare.Objects = rows
	c.compare.Refresh()
	// Keeping mine, or a merge, of a record gone from the user's scope
	// the hub would refuse; a record a sync under way may yet find gone
	// waits for it (store.ErrUndecided).
	switch {
	case cf.Undecided:
		c.warning.SetText("The hub is sending this computer a fresh copy of your records. Whether this record is still " +
			"yours to change is known when that sync ends: sync now (Ctrl+R) when you are online, then choose.")
		c.warning.Show()
	case cf.Gone:
		c.warning.SetText("The hub no longer counts this student in your region: a state import moved them, or your " +
			"region changed. Keep theirs removes the record from this computer.")
		c.warning.Show()
	default:
		c.warning.Hide()
	}
	enable(c.keepTheirs, !c.resolving && !cf.Undecided)
	enable(c.keepMine, !c.resolving && !cf.Undecided && !cf.Gone)
	enable(c.merge, !c.resolving && !cf.Undecided && !cf.Gone)
	c.showMergeDraft()
	c.detail.Show()
}

// sides are a record's MIS2000 ID, QAD, EED, whether it is deleted, and
// its version, as the comparison shows them.
func sides(r sync.Record) []string {
	deleted := "No"
	if r.Deleted {
		deleted = "Yes"
	}
	return []string{r.MIS2000ID, usDate(r.QAD), usDate(r.EED), deleted, fmt.Sprint(r.Version)}
}

// changedBy says who made the hub's copy and when, as the hub told it; a
// hub that did not say is "someone else".
func changedBy(r sync.Record) string {
	who := r.UpdatedByName
	if who == "" {
		who = r.UpdatedBy
	}
	if who == "" {
		return "Someone else, on the hub"
	}
	if r.UpdatedAt == "" {
		return "Changed by " + who
	}
	return "Changed by " + who + " on " + data.LocalTime(r.UpdatedAt)
}

// usDate shows a wire date (YYYY-MM-DD) as clerks read dates.
func usDate(s string) string {
	d, err := data.ParseOptionalDate(s)
	if err != nil || d.IsZero() {
		return s
	}
	return d.US()
}

// keep resolves the conflict compared with mine or theirs.
func (c *conflictsScreen) keep(mine bool) func() {
	return func() {
		if c.chosen < 0 || c.resolving || c.dialogs.Open() {
			return
		}
		cf := c.conflicts[c.chosen]
		usr := c.user
		// Until it is done: a second tap would resolve a conflict already
		// resolved, and say it was not.
		c.resolving = true
		c.choose(c.chosen)
		c.tasks.run("resolving a conflict", func() func() {
			ctx := context.Background()
			var err error
			if mine {
				err = c.st.KeepMine(ctx, usr, cf.RecordID, cf.Theirs.Version)
			} else {
				err = c.st.KeepTheirs(ctx, usr, cf.RecordID)
			}
			return func() {
				c.resolving = false
				if err != nil {
					c.dialogs.ShowError("The conflict was not resolved", err)
					// The buttons again, then the hub's copy as it is now:
					// it may have changed since it was compared
					// (store.ErrTheirsChanged).
					c.choose(c.chosen)
					c.load()
					return
				}
				switch {
				case mine:
					c.resolved(fmt.Sprintf("Kept yours for the record with MIS2000 ID %s of %s; the hub gets it with this sync.",
						cf.Mine.MIS2000ID, cf.Student.FullName()))
				case cf.Gone:
					c.resolved(fmt.Sprintf("Removed the record with MIS2000 ID %s of %s from this computer, as the hub has it out of your region.",
						cf.Mine.MIS2000ID, cf.Student.FullName()))
				default:
					c.resolved(fmt.Sprintf("Kept the hub's record with MIS2000 ID %s of %s, as it is there.",
						cf.Theirs.MIS2000ID, cf.Student.FullName()))
				}
				c.load()
			}
		})
	}
}

// editMerge opens the Student Migrant Detail with mine (theirs, when mine
// is a deletion), the hub's values shown above, checked as a save checks
// them; saving resolves the conflict with the values typed.
func (c *conflictsScreen) editMerge() {
	// The merge kept from before reopens it too (resume), when a merge is
	// possible now.
	if c.chosen < 0 || c.form != nil || c.dialogs.Open() || c.merge.Disabled() {
		return
	}
	cf := c.conflicts[c.chosen]
	c.tasks.run("reading the student to merge", func() func() {
		d, err := c.st.Student(context.Background(), cf.Student.StateID)
		return func() {
			if err != nil {
				c.dialogs.ShowError("The merge cannot be edited", err)
				return
			}
			c.openMerge(cf, d.Records)
		}
	})
}

func (c *conflictsScreen) openMerge(cf store.Conflict, recs []store.Record) {
	start := cf.Mine
	if start.Deleted {
		start = cf.Theirs
	}
	rec := store.Record{MigrantRecord: data.MigrantRecord{ID: cf.RecordID, StateID: cf.Student.StateID,
		MIS2000ID: start.MIS2000ID, Version: cf.Theirs.Version}}
	rec.QAD, _ = data.ParseOptionalDate(start.QAD)
	rec.EED, _ = data.ParseOptionalDate(start.EED)
	others := make([]data.MigrantRecord, len(recs))
	for i, r := range recs {
		others[i] = r.MigrantRecord
	}
	t := sides(cf.Theirs)
	deleted := ""
	if cf.Theirs.Deleted {
		deleted = "deleted, "
	}
	starts := "The form starts with yours: type the values to keep."
	typed, kept := c.mergeDraft(cf.RecordID)
	if kept {
		starts = fmt.Sprintf("The form holds the merge you typed%s.", typedWhen(typed))
		if typed.Version != cf.Theirs.Version {
			starts += " The hub's copy has changed since: check your typing against it before you save."
		}
	}
	note := widgets.Paragraph(fmt.Sprintf("The hub's copy: MIS2000 ID %s, QAD %s, EED %s (%sversion %s). "+
		"%s The merge becomes the version after the hub's.", t[0], t[1], t[2], deleted, t[4], starts), 580)
	usr := c.user
	draft := newDrafter(c.st, usr, c.tasks, store.Draft{StateID: cf.Student.StateID, RecordID: cf.RecordID, Merge: true,
		Version: cf.Theirs.Version}, "the merge", c.resolved)
	e := recordEdit{
		title:   "Merge: Student Migrant Detail",
		student: cf.Student,
		rec:     rec,
		others:  others,
		note:    note,
		draft:   draft,
		save: func(r data.MigrantRecord) (func(), error) {
			if err := c.st.KeepMerged(context.Background(), usr, r); err != nil {
				return nil, err
			}
			return func() {
				c.resolved(fmt.Sprintf("Merged the record with MIS2000 ID %s of %s; the hub gets it with this sync.",
					r.MIS2000ID, cf.Student.FullName()))
				c.load()
			}, nil
		},
		closed: func() { c.form = nil },
	}
	if kept {
		e.typed = &typed
	}
	c.form = openRecordForm(e, c.dialogs, c.tasks)
	// The form holds the typing now, and keeps it, or drops it as it
	// closes unsaved.
	c.typedHere[cf.RecordID] = true
	c.settle(cf.RecordID)
}

// askDismiss shows a refusal's reason once more and, confirmed, sets it
// aside so that it is no longer listed or counted.
func (c *conflictsScreen) askDismiss(r refusal) {
	if c.dialogs.Open() {
		return
	}
	if r.takeOff {
		c.askTakeOff(r)
		return
	}
	c.dialogs.ShowDestructive(c.question(r, "Dismiss this refused change?", "Dismiss", "Keep it listed",
		"Dismiss it once you have dealt with it: it is no longer listed or counted in the status bar (Show the dismissed "+
			"ones lists it again, with what was typed). The record on this computer stays as it is, and the audit log "+
			"notes the dismissal.", false))
}

// question asks about the refusal r, shown with text after it, whose
// answer yes dismisses it, taking its record off when takeOff; no and
// Esc leave it.
func (c *conflictsScreen) question(r refusal, title, yes, no, text string, takeOff bool) *widgets.Confirm {
	return widgets.NewConfirm(title, yes, no, widgets.Paragraph(r.what+"\n\n"+r.why+"\n\n"+text, 480), func(ok bool) {
		if ok {
			c.dismiss(r.id, takeOff)
		}
	}, c.dialogs.Window())
}

// askTakeOff is askDismiss for the refusal of a record whose student the
// user may no longer change here: the record can be neither corrected
// nor sent again, so dismissing asks whether to take it off this
// computer too, which then holds what the hub does; of a refusal
// dismissed already, it asks only that. Enter and Esc keep the refusal
// listed; taking the record off is chosen, never pressed out of habit.
func (c *conflictsScreen) askTakeOff(r refusal) {
	const why = "The hub no longer counts this student as yours, so the record cannot be corrected or sent again from this computer. "
	if r.dismissed {
		c.dialogs.ShowDestructive(c.question(r, "Take the record off this computer?", "Take off", "Keep it",
			why+"Take off removes it from this computer, which then holds what the hub does: what you typed stays listed "+
				"here, and the audit log notes the record as it was.", true))
		return
	}
	d := c.question(r, "Dismiss this refused change?", "Dismiss and take off", "Keep it listed",
		why+"Dismiss and take off removes it from this computer, which then holds what the hub does: what you typed stays "+
			"on this computer with the refused change, among the dismissed ones, and the audit log notes the record as "+
			"it was. Dismiss only leaves the record here as it is.", true)
	d.AddAnswer("Dismiss only", theme.DeleteIcon(), func() { c.dismiss(r.id, false) })
	c.dialogs.ShowDestructive(d)
}

// dismiss sets a refusal aside, with its record when takeOff, off the UI
// goroutine.
func (c *conflictsScreen) dismiss(id string, takeOff bool) {
	usr := c.user
	c.tasks.run("dismissing a refused change", func() func() {
		ctx := context.Background()
		var err error
		if takeOff {
			err = c.st.TakeOffRefused(ctx, usr, id)
		} else {
			err = c.st.DismissRejection(ctx, usr, id)
		}
		return func() {
			switch {
			case err != nil:
				c.dialogs.ShowError("The refused change could not be dismissed", err)
				return
			case takeOff:
				c.resolved("Took the record of the refused change off this computer; what was typed stays among the dismissed changes.")
			default:
				c.resolved("Dismissed the refused change.")
			}
			c.load()
		}
	})
}

// refusals reads the changes the hub refused with read, those to read
// or those dismissed, naming the students of records where this
// computer knows them (a dismissed one opens its student only then),
// and the coordinators of grants among who.
func (c *conflictsScreen) refusals(ctx context.Context, read func(context.Context) ([]store.Rejection, error), who people, dismissed bool) ([]refusal, error) {
	rs, err := read(ctx)
	if err != nil {
		return nil, err
	}
	names, takeOff := map[string]string{}, map[string]bool{}
	// here are the records on this computer of the students read; of a
	// record dismissed only, its newest refusal offers to take it off.
	here, offered := map[string]bool{}, map[string]bool{}
	out := make([]refusal, len(rs))
	for i, r := range rs {
		out[i] = refusal{id: r.ID, entity: r.Entity, why: fmt.Sprintf("Refused %s: %s", data.DayOf(r.At), sentence(r.Reason)), dismissed: dismissed}
		if dismissed {
			out[i].why = "Dismissed. " + out[i].why
		}
		payload, err := r.Decode()
		switch p := payload.(type) {
		case sync.Record:
			name, ok := names[p.StateID]
			if !ok {
				if d, err := c.st.Student(ctx, p.StateID); err == nil {
					name = d.Student.FullName() + ", "
					if c.user.MayTakeOffRefused(p.StateID, regionsOf(d.Enrollments), d.LeftOut, nil) == nil {
						takeOff[p.StateID] = true
					}
					for _, rec := range d.Records {
						here[rec.ID] = true
					}
				}
				names[p.StateID] = name
			}
			out[i].stateID, out[i].takeOff = p.StateID, takeOff[p.StateID]
			if dismissed {
				out[i].takeOff = out[i].takeOff && here[r.EntityID] && !offered[r.EntityID]
				offered[r.EntityID] = true
				if name == "" {
					out[i].stateID = ""
				}
			}
			out[i].what = fmt.Sprintf("%s of %sstate ID %s: MIS2000 ID %s, QAD %s, EED %s",
				opName(r.Op), name, p.StateID, p.MIS2000ID, usDate(p.QAD), usDate(p.EED))
		case sync.Grant:
			out[i].district = p.District
			out[i].what = fmt.Sprintf("%s of the QA Migrant report of district %s for %s", opName(r.Op), p.District, who.name(p.Username))
		default:
			out[i].what = fmt.Sprintf("%s of %s %s (%v)", opName(r.Op), r.Entity, r.EntityID, err)
		}
	}
	return out, nil
}

// opName says what a refused change was.
func opName(op string) string {
	switch op {
	case sync.OpCreate:
		return "New record"
	case sync.OpUpdate:
		return "Change to the record"
	case sync.OpDelete:
		return "Deletion of the record"
	case sync.OpPublish:
		return "Publishing the record"
	case sync.OpGrant:
		return "Grant"
	case sync.OpRevoke:
		return "Revocation"
	}
	return op
}
