package reconcile

import (
	"slices"
	"strings"
	"testing"

	"migrantdesk/data"
)

// A row matched by its MIS2000 ID that names another person than the
// student whose record carries the ID (an ID typed on the wrong student)
// is a Name or birth date differs of the record's district, and the
// row's other discrepancies say they may compare it with another
// student's record. The name is compared as an Uncertain match compares
// it: accents, hyphens and a missing second surname are the same name.
func TestRowOfAnotherPerson(t *testing.T) {
	torres := student("S1", "Torres", "Ana", "2012-03-04", []string{"001"}, published("111", "2024-09-01", "2027-08-31", "001"))
	garcia := student("S3", "García-López", "María José", "2013-07-08", []string{"002"}, published("333", "2024-09-01", "2027-08-31", "002"))
	for _, same := range []data.MIS2000Row{
		row(2, "333", "Garcia Lopez", "Maria Jose", "2013-07-08", "2024-09-01", "2027-08-31", "002"),
		row(2, "333", "GARCIA", "Maria", "2013-07-08", "2024-09-01", "2027-08-31", "002"),
	} {
		if r := Compare([]data.MIS2000Row{same}, nil, state(garcia), ""); len(r.Discrepancies) != 0 {
			t.Errorf("%s, %s: %q", same.LastName, same.FirstName, brief(r.Discrepancies))
		}
	}

	// Alberto Ruiz of district 002, under Ana Torres's MIS2000 ID, with
	// his own QAD: IC has him too, under state ID S2, without a record.
	snap := state(torres)
	rows := []data.MIS2000Row{row(2, "111", "Ruiz", "Alberto", "2011-05-06", "2025-01-15", "2027-08-31", "002")}
	if got := snap.CandidateBirthDates(rows); !slices.Equal(got, []data.Date{day("2011-05-06")}) {
		t.Errorf("candidate birth dates %v: the student of the row's name is not looked for", got)
	}
	snap.Born = []data.Student{{StateID: "S2", LastName: "Ruiz", FirstName: "Alberto", BirthDate: day("2011-05-06")}}
	r := Compare(rows, nil, snap, "")
	check(t, r,
		"001 Name or birth date differs S1/111",
		"002 QAD differs S1/111",
		"002 District differs S1/111")
	if t.Failed() {
		return
	}
	d := r.Discrepancies[0]
	if d.InIC != "MIS2000 ID 111 is on the record of Torres, Ana, born 03/04/2012; the export's name and birth date are those of state ID S2" ||
		d.InMIS2000 != "MIS2000 ID 111: Ruiz, Alberto, born 05/06/2011" || d.Line != 2 || d.LastName != "Torres" ||
		!strings.Contains(d.Check, "which name and birth date are right") {
		t.Errorf("%+v", d)
	}
	for _, d := range r.Discrepancies[1:] {
		if !strings.HasPrefix(d.Check, "First whether MIS2000 ID 111 is this student's: the export gives it to Ruiz, Alberto, born 05/06/2011") {
			t.Errorf("%s does not say the ID may be on the wrong student: %q", d.Category, d.Check)
		}
	}
	if r.Summary[0].Counts[NameDiffers] != 1 || r.Summary[1].Counts[NameDiffers] != 0 {
		t.Errorf("summary %+v", r.Summary)
	}

	// A twin: the same last name and birth date, another first name.
	twin := row(2, "111", "Torres", "Ines", "2012-03-04", "2024-09-01", "2027-08-31", "001")
	check(t, Compare([]data.MIS2000Row{twin}, nil, state(torres), ""), "001 Name or birth date differs S1/111")

	// The same name born another day: a mistyped date, or a namesake.
	born := row(2, "111", "Torres", "Ana", "2012-04-03", "2024-09-01", "2027-08-31", "001")
	r = Compare([]data.MIS2000Row{born}, nil, state(torres), "")
	check(t, r, "001 Name or birth date differs S1/111")
	if len(r.Discrepancies) == 1 && !strings.Contains(r.Discrepancies[0].Check, "which birth date is right") {
		t.Errorf("%q", r.Discrepancies[0].Check)
	}
}

// The record's districts hear of it, each, whatever district the row
// names: they hold the record that may carry the wrong ID.
func TestRowOfAnotherPersonGoesToTheRecordsDistricts(t *testing.T) {
	snap := state(student("S1", "Torres", "Ana", "2012-03-04", []string{"001", "002"},
		published("111", "2024-09-01", "2027-08-31", "001", "002")))
	r := Compare([]data.MIS2000Row{row(2, "111", "Ruiz", "Alberto", "2011-05-06", "2024-09-01", "2027-08-31", "")}, nil, snap, "")
	check(t, r,
		"001 Name or birth date differs S1/111",
		"002 Name or birth date differs S1/111")
}

// A record published only to a district of another region is told to
// the row's district instead: its other discrepancies send it to the
// Name or birth date differs, which would otherwise be left out.
func TestRowOfAnotherPersonOfARecordOfAnotherRegion(t *testing.T) {
	snap := state(student("S1", "Torres", "Ana", "2012-03-04", []string{"003"},
		published("111", "2024-09-01", "2027-08-31", "003")))
	rows := []data.MIS2000Row{row(2, "111", "Ruiz", "Alberto", "2011-05-06", "2024-09-01", "2027-08-31", "001")}
	check(t, Compare(rows, nil, snap, "C"),
		"001 Name or birth date differs S1/111",
		"001 District differs S1/111")
	check(t, Compare(rows, nil, snap, ""),
		"001 District differs S1/111",
		"003 Name or birth date differs S1/111")
}
