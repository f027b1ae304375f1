package data

import (
	"fmt"
	"slices"
	"time"
)

// Status is where a migrant record stands with the districts.
type Status int

const (
	// StatusSaved: saved, never published; no district sees it.
	StatusSaved Status = iota + 1
	// StatusPublished: every district that should have it has this version.
	StatusPublished
	// StatusNeedsPublishing: published once, but changed since, or the
	// student's enrollments now call for other districts.
	StatusNeedsPublishing
	// StatusRefused: it holds the last change typed here, which the hub
	// refused; the hub and the districts have something else.
	StatusRefused
)

func (st Status) String() string {
	switch st {
	case StatusSaved:
		return "Saved, not published"
	case StatusPublished:
		return "Published"
	case StatusNeedsPublishing:
		return "Needs publishing"
	case StatusRefused:
		return "Not sent: the hub refused the last change"
	}
	return "Unknown"
}

// RecordState is what decides a record's status: its versions, the copies
// districts hold, and the districts publishing would send it to now.
type RecordState struct {
	Version, PublishedVersion int
	UpdatedAt, UpdatedBy      string // UpdatedBy as people read it (a full name)
	Copies                    []Copy
	Targets                   []District
	// Refused: the values are those of the last change typed here, which
	// the hub refused and this computer keeps for the clerk to correct.
	Refused bool
}

// RecordStatus decides where a record stands and says why, in a clerk's
// words, when it is not simply Published.
func RecordStatus(r RecordState) (Status, []string) {
	// The versions are the hub's once it refused the change, and would
	// call the record published with values no district has.
	if r.Refused {
		return StatusRefused, []string{"the hub refused the last change typed here, so no district has what this computer shows: " +
			"see Sync → Conflicts and refused changes, then correct the record and save it again"}
	}
	var reasons []string
	if len(r.Targets) == 0 {
		reasons = append(reasons, "the student has no enrollment in any district during the eligibility window, so there is no district to publish to")
	}
	if r.PublishedVersion == 0 {
		if len(r.Targets) > 0 {
			reasons = append(reasons, "saved but never published")
		}
		return StatusSaved, reasons
	}
	if r.PublishedVersion < r.Version {
		reasons = append(reasons, fmt.Sprintf("changed on %s by %s after it was published", DayOf(r.UpdatedAt), r.UpdatedBy))
	}
	for _, d := range r.Targets {
		if !slices.ContainsFunc(r.Copies, func(c Copy) bool { return c.District.Number == d.Number }) {
			reasons = append(reasons, fmt.Sprintf("the student is now enrolled in district %s %s, which has not received it", d.Number, d.Name))
		}
	}
	for _, d := range PlanPublish(r.Targets, r.Copies).Remove {
		reasons = append(reasons, fmt.Sprintf("the student has no enrollment in district %s %s during the eligibility window any more; publishing removes that district's copy", d.Number, d.Name))
	}
	if len(reasons) == 0 {
		return StatusPublished, nil
	}
	return StatusNeedsPublishing, reasons
}

// NeedsAction reports whether a clerk should publish the record: it is not
// published as it stands and there is a district to publish to. A record
// the hub refused is corrected and saved first: publishing sends no
// change the hub refused.
func NeedsAction(st Status, targets []District) bool {
	return st != StatusPublished && st != StatusRefused && len(targets) > 0
}

// DayOf turns a stored RFC 3339 timestamp into the day as clerks read it
// (MM/DD/YYYY): the day on this computer's clock, since the database
// stores UTC, whose day differs from the local one for hours each day. A
// bare date is read as it is; anything else is returned unchanged.
func DayOf(ts string) string {
	if t, err := time.Parse(time.RFC3339, ts); err == nil {
		return t.Local().Format("01/02/2006")
	}
	if len(ts) >= 10 {
		if d, err := ParseDate(ts[:10]); err == nil {
			return d.US()
		}
	}
	return ts
}

// LocalTime turns a stored RFC 3339 timestamp into the day and time on
// this computer's clock, as "11/29/2026 6:30 PM"; what is not one is
// read as DayOf reads it.
func LocalTime(ts string) string {
	if t, err := time.Parse(time.RFC3339, ts); err == nil {
		return t.Local().Format("01/02/2006 3:04 PM")
	}
	return DayOf(ts)
}

// ConflictError is an edit made against a version that is no longer the
// record's current one: someone else changed it first.
type ConflictError struct {
	ID              string
	Have, Current   int
	ChangedBy, When string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("this record was changed by %s at %s after you opened it (version %d, you had %d); reopen the student to see the change before editing",
		e.ChangedBy, e.When, e.Current, e.Have)
}
