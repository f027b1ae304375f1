package data

import (
	"fmt"
	"time"
)

// The rules of a coordinator's worklist (issue 11): what a district
// window's summary counts and filters. The store answers them in SQL for
// a whole district at once; a test holds the two together.

// EndingWithinDays is how far ahead the worklist looks for eligibility
// that ends.
const EndingWithinDays = 60

// KnownWithinDays is how far back before the last look an enrollment in
// the district makes a student one the district already knows, not a
// newly enrolled one: a year covers a school year and its summer break,
// after which the new year's enrollment starts.
const KnownWithinDays = 365

// Worklist items, in the order the summary shows them.
const (
	WorkPublished = iota // records published to the district since the coordinator last looked
	WorkEnrolled         // migrant students newly enrolled in the district since then
	WorkEnding           // eligibility ends within EndingWithinDays
	WorkFreeMeal         // enrolled now, free-meal status missing
	NumWorkItems
)

// WorkSince is what "since the coordinator last looked" compares with:
// the time of the last look (RFC 3339, UTC, as every *_at column holds
// it) and its day. A coordinator who never looked at the district sees
// what happened since the school year began.
type WorkSince struct {
	At  string
	Day Date
}

// FirstLook is the WorkSince of a coordinator who has never looked at a
// district, as of today: the first day of the school year.
func FirstLook(today Date) WorkSince {
	from := SchoolYearOf(today).From
	return WorkSince{At: from.String() + "T00:00:00Z", Day: from.AddDays(-1)}
}

// PublishedSince reports whether a district's copy arrived after the
// last look.
func PublishedSince(c Copy, since WorkSince) bool { return c.At > since.At }

// NewlyEnrolled reports whether the student has an enrollment at a
// school of the district that starts after the day of the last look and
// has started by today (enrollments are dated, not stamped, so a start
// on the day of the last look was on the list that day), and was not
// enrolled in the district within KnownWithinDays before the last look:
// a student who goes on from last school year into this one (a new
// enrollment for the new grade) is one the coordinator knows.
func NewlyEnrolled(es []PlacedEnrollment, district string, since WorkSince, today Date) bool {
	known := since.Day.AddDays(-KnownWithinDays)
	newly := false
	for _, e := range es {
		if e.School.DistrictNumber != district {
			continue
		}
		if e.Start <= since.Day && (e.End.IsZero() || e.End >= known) {
			return false
		}
		if e.Start > since.Day && e.Start <= today {
			newly = true
		}
	}
	return newly
}

// EligibilityEndsSoon reports whether the record's eligibility ends
// between today and EndingWithinDays from now, both included.
func EligibilityEndsSoon(r MigrantRecord, today Date) bool {
	return r.EED >= today && r.EED <= today.AddDays(EndingWithinDays)
}

// FreeMealMissing reports whether a student is a row of the school
// year's QA Migrant report of the district with no withdrawal date (the
// record's copy is active in the year and the student has a qualifying
// enrollment there today) with no free-meal row in the year: that report
// shows their Economically Disadvantaged as a highlighted "No". A copy
// whose eligibility ended earlier in the year still makes a row of the
// year's report, so it counts here too: the line and the report agree.
func FreeMealMissing(copied MigrantRecord, es []PlacedEnrollment, programs []Program, district string, today Date) bool {
	day := Period{From: today, To: today}
	if !copied.ActiveIn(SchoolYearOf(today)) {
		return false
	}
	for _, e := range es {
		if QualifyingEnrollment(e, district, day) {
			return !GroupsIn(programs, SchoolYearOf(today)).EconomicallyDisadvantaged
		}
	}
	return false
}

// LookedAt is the WorkSince of a look stamped at (RFC 3339): its day is
// the workstation's calendar day.
func LookedAt(at string) (WorkSince, error) {
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return WorkSince{}, fmt.Errorf("the time of the last look %q is not a time: %w", at, err)
	}
	return WorkSince{At: at, Day: DateOf(t.Local())}, nil
}

// NewSince reports whether a report row is new to a coordinator whose
// previous export is since: the enrollment started after its day, or the
// record's copy arrived after it. With no previous export (the zero
// WorkSince) every row is new.
func NewSince(enrollmentStart Date, publishedAt string, since WorkSince) bool {
	return enrollmentStart > since.Day || publishedAt > since.At
}
