package data

import (
	"errors"
	"strings"
	"testing"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestDefaultExpiration(t *testing.T) {
	cases := []struct {
		name, qad, birth, want string
	}{
		{"spec example", "2025-09-01", "2015-03-10", "2028-08-31"},
		{"end of month", "2025-01-31", "2015-03-10", "2028-01-30"},
		{"leap QAD rolls to March 1, so EED is Feb 28", "2024-02-29", "2015-03-10", "2027-02-28"},
		{"QAD Mar 1 after a leap Feb", "2024-03-01", "2015-03-10", "2027-02-28"},
		{"ages out: day before 22nd birthday", "2025-09-01", "2005-01-15", "2027-01-14"},
		{"22nd birthday exactly at 36 months", "2025-09-01", "2006-09-01", "2028-08-31"},
		{"22nd birthday one day inside", "2025-09-01", "2006-08-31", "2028-08-30"},
		{"born Feb 29 ages out Feb 28", "2024-06-01", "2004-02-29", "2026-02-28"},
		{"no birth date known", "2025-09-01", "", "2028-08-31"},
	}
	for _, c := range cases {
		var birth Date
		if c.birth != "" {
			birth = d(c.birth)
		}
		if got := DefaultExpiration(d(c.qad), birth); got != d(c.want) {
			t.Errorf("%s: DefaultExpiration(%s, %s) = %s, want %s", c.name, c.qad, c.birth, got, c.want)
		}
	}
}

func TestActiveIn(t *testing.T) {
	r := MigrantRecord{QAD: d("2024-10-01"), EED: d("2025-08-15")}
	cases := []struct {
		from, to string
		want     bool
	}{
		{"2025-08-01", "2026-06-30", true},  // EED inside the period
		{"2025-08-16", "2026-06-30", false}, // expired the day before
		{"2025-08-15", "2026-06-30", true},  // expires on the first day
		{"2023-08-01", "2024-09-30", false}, // QAD after the period
		{"2023-08-01", "2024-10-01", true},  // QAD on the last day
	}
	for _, c := range cases {
		if got := r.ActiveIn(Period{d(c.from), d(c.to)}); got != c.want {
			t.Errorf("ActiveIn(%s..%s) = %v", c.from, c.to, got)
		}
	}
}

func TestValidateRecord(t *testing.T) {
	birth, today := d("2012-05-05"), d("2026-11-29")
	ok := MigrantRecord{MIS2000ID: "000123", QAD: d("2025-09-01"), EED: d("2028-08-31")}
	if err := ValidateRecord(ok, birth, today); err != nil {
		t.Fatalf("valid record refused: %v", err)
	}
	earlier := ok
	earlier.EED = d("2027-06-01") // graduation: an earlier EED is allowed
	if err := ValidateRecord(earlier, birth, today); err != nil {
		t.Fatalf("earlier EED refused: %v", err)
	}
	cases := []struct {
		name  string
		edit  func(*MigrantRecord)
		field string
		says  string
	}{
		{"later EED", func(r *MigrantRecord) { r.EED = d("2028-09-01") }, "EED", "08/31/2028 at the latest"},
		{"EED before QAD", func(r *MigrantRecord) { r.EED = d("2025-08-31") }, "EED", "before the qualifying arrival date"},
		{"no EED", func(r *MigrantRecord) { r.EED = 0 }, "EED", "required"},
		{"no QAD", func(r *MigrantRecord) { r.QAD = 0 }, "QAD", "required"},
		{"future QAD", func(r *MigrantRecord) { r.QAD, r.EED = d("2026-12-01"), d("2029-11-30") }, "QAD", "in the future"},
		{"QAD before birth", func(r *MigrantRecord) { r.QAD, r.EED = d("2011-01-01"), d("2013-12-31") }, "QAD", "before the student's birth date"},
		{"letters in ID", func(r *MigrantRecord) { r.MIS2000ID = "12A4" }, "MIS2000 ID", "only digits"},
		{"13 digits", func(r *MigrantRecord) { r.MIS2000ID = "1234567890123" }, "MIS2000 ID", "at most 12 digits"},
		{"no ID", func(r *MigrantRecord) { r.MIS2000ID = "" }, "MIS2000 ID", "required"},
	}
	for _, c := range cases {
		r := ok
		c.edit(&r)
		err := ValidateRecord(r, birth, today)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: got %v, want %s error saying %q", c.name, err, c.field, c.says)
		}
	}
	// Every problem is reported at once.
	err := ValidateRecord(MigrantRecord{MIS2000ID: "x"}, birth, today)
	var es Errors
	if !errors.As(err, &es) || len(es) != 3 {
		t.Fatalf("want 3 problems, got %v", err)
	}
	if ValidateMIS2000ID("000000000001") != nil {
		t.Error("12 digits with leading zeros is a valid MIS2000 ID")
	}
}

func TestCheckOverlap(t *testing.T) {
	old := MigrantRecord{ID: "a", StateID: "1", MIS2000ID: "77", QAD: d("2020-01-10"), EED: d("2023-01-09")}
	cases := []struct {
		qad, eed string
		overlap  bool
	}{
		{"2023-01-10", "2026-01-09", false}, // starts the day after
		{"2023-01-09", "2026-01-08", true},  // shares the last day
		{"2019-01-01", "2020-01-10", true},  // ends on the first day
		{"2019-01-01", "2020-01-09", false},
		{"2021-01-01", "2021-06-01", true}, // inside
	}
	for _, c := range cases {
		r := MigrantRecord{StateID: "1", QAD: d(c.qad), EED: d(c.eed)}
		err := CheckOverlap(r, []MigrantRecord{old})
		var oe *OverlapError
		if got := errors.As(err, &oe); got != c.overlap {
			t.Errorf("%s..%s: overlap = %v, want %v", c.qad, c.eed, got, c.overlap)
		}
		if c.overlap && !strings.Contains(err.Error(), "MIS2000 ID 77") {
			t.Errorf("overlap error does not name the other record: %v", err)
		}
	}
	edit := old
	edit.EED = d("2022-12-31")
	if err := CheckOverlap(edit, []MigrantRecord{old}); err != nil {
		t.Errorf("editing a record must not overlap itself: %v", err)
	}
}
