package data

import (
	"errors"
	"fmt"
	"strings"
)

// EligibilityMonths is how long a qualifying arrival keeps a child eligible.
const EligibilityMonths = 36

// DefaultExpiration is the eligibility expiration date the program computes:
// the day before the 36-month anniversary of the qualifying arrival date,
// but never later than the day before the 22nd birthday.
//
// February 29 has no anniversary in a common year; AddMonths puts it on
// March 1, so QAD 2024-02-29 expires 2027-02-28 and a child born 2004-02-29
// ages out after 2026-02-28. Both keep the full 36 months or 22 years.
func DefaultExpiration(qad, birth Date) Date {
	eed := qad.AddMonths(EligibilityMonths).AddDays(-1)
	if limit := LatestExpiration(qad, birth); !limit.IsZero() && eed > limit {
		eed = limit
	}
	return eed
}

// LatestExpiration is the latest EED a clerk may enter for a QAD: the
// computed default, capped by the day before the 22nd birthday. A zero
// birth date means the birthday cap is unknown and only the 36 months apply.
func LatestExpiration(qad, birth Date) Date {
	eed := qad.AddMonths(EligibilityMonths).AddDays(-1)
	if !birth.IsZero() {
		if aged := birth.AddMonths(22 * 12).AddDays(-1); aged < eed {
			eed = aged
		}
	}
	return eed
}

// MigrantRecord is one eligibility window of one student: what a clerk
// enters as the Student Migrant Detail.
type MigrantRecord struct {
	ID        string // UUID made where the record was first saved
	StateID   string
	MIS2000ID string
	QAD       Date // last qualifying arrival date
	EED       Date // eligibility expiration date
	Version   int
}

// ActiveIn reports whether the record's eligibility window meets the period:
// QAD on or before its end and EED on or after its start.
func (r MigrantRecord) ActiveIn(p Period) bool {
	return r.QAD <= p.To && r.EED >= p.From
}

// Window is the record's eligibility window as a period.
func (r MigrantRecord) Window() Period { return Period{r.QAD, r.EED} }

// FieldError names the form field or import column that is wrong.
type FieldError struct {
	Field  string // "MIS2000 ID", "QAD", "EED", "state ID"
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Errors collects every problem found in one input so the user can fix
// them all at once.
type Errors []error

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}

// Unwrap lets errors.As find a *FieldError inside the list.
func (es Errors) Unwrap() []error { return es }

// Err returns nil for no errors, so callers can `return errs.Err()`.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// ValidateMIS2000ID accepts 1 to 12 digits; leading zeros are part of the ID.
func ValidateMIS2000ID(id string) error {
	switch {
	case id == "":
		return errors.New("the MIS2000 ID is required")
	case len(id) > 12:
		return fmt.Errorf("the MIS2000 ID has %d characters; it has at most 12 digits", len(id))
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return fmt.Errorf("the MIS2000 ID has only digits, not %q", r)
		}
	}
	return nil
}

// ValidateRecord checks a record on its own against the student's birth
// date: a valid MIS2000 ID, a QAD not in the future, not before birth and
// before the 22nd birthday, and an EED from the QAD up to the latest
// allowed. Every problem is returned, each as a *FieldError.
func ValidateRecord(r MigrantRecord, birth, today Date) error {
	var errs Errors
	if err := ValidateMIS2000ID(r.MIS2000ID); err != nil {
		errs = append(errs, &FieldError{"MIS2000 ID", err.Error()})
	}
	if r.QAD.IsZero() {
		errs = append(errs, &FieldError{"QAD", "the last qualifying arrival date is required"})
	} else if err := CheckQAD(r.QAD, birth, today); err != nil {
		errs = append(errs, &FieldError{"QAD", err.Error()})
	}
	// After the 22nd birthday every EED, the computed one too, would be
	// before the QAD: the QAD is what to fix, or the record is not to be
	// made.
	agedOut := !birth.IsZero() && !r.QAD.IsZero() && r.QAD >= birth.AddMonths(22*12)
	if r.EED.IsZero() {
		errs = append(errs, &FieldError{"EED", "the eligibility expiration date is required"})
	} else if !r.QAD.IsZero() && !agedOut {
		if r.EED < r.QAD {
			errs = append(errs, &FieldError{"EED", fmt.Sprintf("the expiration date %s is before the qualifying arrival date %s", r.EED.US(), r.QAD.US())})
		} else if latest := LatestExpiration(r.QAD, birth); r.EED > latest {
			errs = append(errs, &FieldError{"EED", fmt.Sprintf("the expiration date can be %s at the latest", latest.US())})
		}
	}
	return errs.Err()
}

// CheckQAD refuses a qualifying arrival date in the future, before the
// student's birth date or on or after their 22nd birthday (when the
// birth date is known).
func CheckQAD(qad, birth, today Date) error {
	switch turned22 := birth.AddMonths(22 * 12); {
	case qad > today:
		return fmt.Errorf("the qualifying arrival date %s is in the future", qad.US())
	case !birth.IsZero() && qad < birth:
		return fmt.Errorf("the qualifying arrival date %s is before the student's birth date %s", qad.US(), birth.US())
	case !birth.IsZero() && qad >= turned22:
		return fmt.Errorf("the student turned 22 on %s, so no eligibility can start on %s", turned22.US(), qad.US())
	}
	return nil
}

// OverlapError says which existing record a new window collides with.
type OverlapError struct {
	Other MigrantRecord
}

func (e *OverlapError) Error() string {
	return fmt.Sprintf("the eligibility window overlaps the student's record with MIS2000 ID %s (%s – %s)",
		e.Other.MIS2000ID, e.Other.QAD.US(), e.Other.EED.US())
}

// CheckOverlap refuses r when its window shares a day with another of the
// student's records; the record being edited (same ID) is skipped.
func CheckOverlap(r MigrantRecord, others []MigrantRecord) error {
	for _, o := range others {
		if o.ID == r.ID || o.StateID != r.StateID {
			continue
		}
		if r.QAD <= o.EED && o.QAD <= r.EED {
			return &OverlapError{o}
		}
	}
	return nil
}
