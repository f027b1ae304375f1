package gui

import (
	"context"
	"fmt"
	"slices"

	"migrantdesk/data/store"
)

// mergeReader reads the merges typed of conflicts and not saved.
type mergeReader interface {
	Drafts(ctx context.Context, username string) ([]store.Draft, error)
	Conflicts(ctx context.Context) ([]store.Conflict, error)
}

// pendingMerges are username's merges typed and not saved, each with its
// conflict. The store drops a merge's typing with its conflict, whoever
// resolves it, so only the conflicts still open have any.
func pendingMerges(ctx context.Context, st mergeReader, username string) ([]store.Draft, []store.Conflict, error) {
	ds, err := st.Drafts(ctx, username)
	if err != nil {
		return nil, nil, err
	}
	cs, err := st.Conflicts(ctx)
	if err != nil {
		return nil, nil, err
	}
	merges, of := mergesOf(ds, cs)
	return merges, of, nil
}

// mergesOf are the merges among ds of the conflicts cs, each with its
// conflict.
func mergesOf(ds []store.Draft, cs []store.Conflict) ([]store.Draft, []store.Conflict) {
	var merges []store.Draft
	var of []store.Conflict
	for _, d := range ds {
		for _, c := range cs {
			if d.Merge && c.RecordID == d.RecordID {
				merges = append(merges, d)
				of = append(of, c)
			}
		}
	}
	return merges, of
}

// mergeDraft is the merge kept of the conflict of record id, if any.
func (c *conflictsScreen) mergeDraft(id string) (store.Draft, bool) {
	for _, d := range c.merges {
		if d.RecordID == id {
			return d, true
		}
	}
	return store.Draft{}, false
}

// showMergeDraft shows the merge typed of the conflict compared and not
// saved, if any, with what stands in the way of saving it now.
func (c *conflictsScreen) showMergeDraft() {
	if c.chosen < 0 || c.chosen >= len(c.conflicts) {
		c.draftBox.Hide()
		return
	}
	cf := c.conflicts[c.chosen]
	d, kept := c.mergeDraft(cf.RecordID)
	if !kept {
		c.draftBox.Hide()
		return
	}
	msg := fmt.Sprintf("Not saved when Migrant Desk closed: a merge you typed%s (%s).", typedWhen(d), typedFields(d))
	switch {
	case cf.Gone:
		msg += " Only keeping theirs is possible now: note what you need, then discard it."
	case cf.Undecided:
		msg += " It can be saved once the sync under way ends."
	case d.Version != cf.Theirs.Version:
		msg += " The hub's copy has changed since: check your typing against it before you save."
	}
	c.draftText.SetText(msg)
	enable(c.draftGo, !c.merge.Disabled())
	c.draftBox.Show()
}

// settle takes the merge of record id off the screen: the form holds
// it, or it was discarded.
func (c *conflictsScreen) settle(id string) {
	c.merges = slices.DeleteFunc(c.merges, func(d store.Draft) bool { return d.RecordID == id })
	c.list.Refresh()
	c.showMergeDraft()
}

// askDiscardMerge asks before forgetting the merge shown.
func (c *conflictsScreen) askDiscardMerge() {
	if c.chosen < 0 || c.chosen >= len(c.conflicts) || c.dialogs.Open() {
		return
	}
	d, kept := c.mergeDraft(c.conflicts[c.chosen].RecordID)
	if !kept {
		return
	}
	askDiscard(c.dialogs, "Discard the merge you typed?", fmt.Sprintf("The merge you typed%s (%s) will be gone from this computer. "+
		"The conflict stays to resolve.", typedWhen(d), typedFields(d)), func() {
		dropDraft(c.st, c.tasks, c.dialogs, c.user.Username, d)
		c.settle(d.RecordID)
	})
}
