package data

import (
	"errors"
	"testing"
	"time"
)

// A student who turned 22 before the QAD is no longer eligible. With the
// EED left blank (the form pre-fills it, a records file leaves it empty)
// the computed EED is the day before the 22nd birthday, before the QAD,
// and the refusal blamed the EED the clerk never typed. It says what is
// wrong: the student was 22 on the QAD.
func TestAgedOutStudentToldWhy(t *testing.T) {
	birth := NewDate(2004, time.October, 29)
	qad := NewDate(2026, time.November, 1)
	r := MigrantRecord{MIS2000ID: "123456", QAD: qad, EED: DefaultExpiration(qad, birth)}
	err := ValidateRecord(r, birth, NewDate(2026, time.December, 2))
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 {
		t.Fatalf("got %v, want the QAD refused alone", err)
	}
	var fe *FieldError
	if !errors.As(es[0], &fe) || fe.Field != "QAD" || fe.Reason != "the student turned 22 on 10/29/2026, so no eligibility can start on 11/01/2026" {
		t.Errorf("got %v", err)
	}
}

// The last day a QAD may be is the day before the 22nd birthday, with
// an EED of that day; a child born on February 29 turns 22 on March 1 of
// a common year.
func TestQADUpToTheDayBefore22(t *testing.T) {
	today := NewDate(2030, time.January, 1)
	for _, c := range []struct {
		birth, qad Date
		ok         bool
	}{
		{NewDate(2004, time.October, 29), NewDate(2026, time.October, 28), true},
		{NewDate(2004, time.October, 29), NewDate(2026, time.October, 29), false},
		{NewDate(2004, time.February, 29), NewDate(2026, time.February, 28), true},
		{NewDate(2004, time.February, 29), NewDate(2026, time.March, 1), false},
	} {
		r := MigrantRecord{MIS2000ID: "123456", QAD: c.qad, EED: DefaultExpiration(c.qad, c.birth)}
		if err := ValidateRecord(r, c.birth, today); (err == nil) != c.ok {
			t.Errorf("born %s, QAD %s, EED %s: %v", c.birth, c.qad, r.EED, err)
		}
	}
}
