package data

import "fmt"

// Service types of an enrollment.
const (
	ServicePrimary   = "P"
	ServiceSecondary = "S"
	ServiceSpecialEd = "N" // special-education services only
)

// ServiceRank orders service types by preference when one enrollment per
// student is needed: P, then S, then N. Lower is preferred.
func ServiceRank(t string) int {
	switch t {
	case ServicePrimary:
		return 0
	case ServiceSecondary:
		return 1
	case ServiceSpecialEd:
		return 2
	}
	return 3
}

// ValidateServiceType accepts P, S or N.
func ValidateServiceType(t string) error {
	if ServiceRank(t) > 2 {
		return fmt.Errorf("service type %q is not P, S or N", t)
	}
	return nil
}

// Enrollment is one student's enrollment at one school.
type Enrollment struct {
	ID           string
	StateID      string
	SchoolNumber string
	Grade        string
	ServiceType  string
	Start, End   Date // End is zero while enrolled
}

// Overlaps reports whether the enrollment shares a day with p.
func (e Enrollment) Overlaps(p Period) bool { return p.Overlaps(e.Start, e.End) }

// Prefer reports whether a is preferred over b when one enrollment per
// student is needed: P over S over N, then the latest start date, then the
// smaller ID so the choice is stable.
func Prefer(a, b Enrollment) bool {
	if ra, rb := ServiceRank(a.ServiceType), ServiceRank(b.ServiceType); ra != rb {
		return ra < rb
	}
	if a.Start != b.Start {
		return a.Start > b.Start
	}
	return a.ID < b.ID
}

// MoreCurrent reports whether enrollment a describes where the student is
// better than b, for lists that show one school per student: open before
// ended, a later end before an earlier one, then Prefer.
func MoreCurrent(a, b Enrollment) bool {
	if a.End != b.End {
		return a.End.IsZero() || !b.End.IsZero() && a.End > b.End
	}
	return Prefer(a, b)
}
