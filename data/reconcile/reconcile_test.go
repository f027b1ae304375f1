package reconcile

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"migrantdesk/data"
)

func TestSameName(t *testing.T) {
	for _, c := range []struct {
		last1, first1, last2, first2 string
		same                         bool
	}{
		{"García López", "María José", "garcia-lopez", "MARIA JOSE", true},
		{"Garcia", "Maria", "García López", "María José", true}, // either surname, either first name
		{"López", "José", "García López", "María José", true},
		{"Delacruz", "Ana", "De la Cruz", "Ana", true}, // run together
		{"O'Neil", "Sean", "ONeil", "Sean", true},
		{"García Pérez", "María", "García López", "María", false},
		{"Garcia", "Mario", "Garcia", "Maria", false},
		{"", "Ana", "", "Ana", false}, // no name is nobody's name
		{"---", "Ana", "x", "Ana", false},
	} {
		if got := SameName(c.last1, c.first1, c.last2, c.first2); got != c.same {
			t.Errorf("SameName(%q %q, %q %q) = %v", c.last1, c.first1, c.last2, c.first2, got)
		}
		if got := SameName(c.last2, c.first2, c.last1, c.first1); got != c.same {
			t.Errorf("SameName is not symmetric for %q %q, %q %q", c.last1, c.first1, c.last2, c.first2)
		}
	}
}

func day(s string) data.Date {
	d, err := data.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

var asOf = day("2025-11-03")

// state is a small snapshot: districts 001 and 002 of region C, 003 of
// region W, and the students each test adds.
func state(students ...Student) *Snapshot {
	return &Snapshot{
		AsOf: asOf,
		Districts: []data.District{
			{Number: "001", Name: "Adair", RegionCode: "C"},
			{Number: "002", Name: "Barren", RegionCode: "C"},
			{Number: "003", Name: "Calloway", RegionCode: "W"},
		},
		Students: students,
	}
}

func student(id, last, first, birth string, enrolled []string, recs ...Record) Student {
	return Student{Student: data.Student{StateID: id, LastName: last, FirstName: first, BirthDate: day(birth)},
		Records: recs, Enrolled: enrolled}
}

func published(mis, qad, eed string, copies ...string) Record {
	return Record{ID: "R" + mis + qad, MIS2000ID: mis, QAD: day(qad), EED: day(eed), Published: true, Copies: copies}
}

func row(line int, mis, last, first, birth, qad, eed, district string) data.MIS2000Row {
	r := data.MIS2000Row{Line: line, MIS2000ID: mis, LastName: last, FirstName: first, BirthDate: day(birth), QAD: day(qad), District: district}
	if eed != "" {
		r.EED = day(eed)
	}
	return r
}

// brief lists discrepancies as "district category stateID/MIS2000 ID".
func brief(ds []Discrepancy) []string {
	var out []string
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s %s %s/%s", d.District.Number, d.Category, d.StateID, d.MIS2000ID))
	}
	return out
}

func check(t *testing.T, r *Result, want ...string) {
	t.Helper()
	if got := brief(r.Discrepancies); !slices.Equal(got, want) {
		t.Errorf("discrepancies:\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestMatchedRowPicksTheRecordOfItsQAD(t *testing.T) {
	s := student("S1", "Díaz", "Carla", "2013-07-08", []string{"001"},
		published("333", "2026-01-01", "2028-12-31", "001"), // latest
		published("333", "2024-10-01", "2025-12-31", "001"))
	// Same QAD as the older record: only its EED differs.
	r := Compare([]data.MIS2000Row{row(2, "333", "Diaz", "Carla", "2013-07-08", "2024-10-01", "2027-09-30", "001")}, nil, state(s), "")
	check(t, r, "001 EED differs S1/333")
	if d := r.Discrepancies[0]; d.InIC != "12/31/2025" || d.InMIS2000 != "09/30/2027" || d.Line != 2 || d.LastName != "Díaz" {
		t.Errorf("%+v", d)
	}
	// No record of that QAD: compared with the latest.
	r = Compare([]data.MIS2000Row{row(2, "333", "Diaz", "Carla", "2013-07-08", "2025-02-01", "", "001")}, nil, state(s), "")
	check(t, r, "001 QAD differs S1/333")
	if d := r.Discrepancies[0]; d.InIC != "01/01/2026" || d.InMIS2000 != "02/01/2025" {
		t.Errorf("%+v", d)
	}
}

func TestMatchedRowCategories(t *testing.T) {
	unpublished := Record{ID: "R4", MIS2000ID: "444", QAD: day("2025-03-01"), EED: day("2028-02-29")}
	snap := state(
		student("S4", "Núñez", "Darío", "2010-02-03", []string{"002"}, unpublished),
		student("S5", "Gómez", "Elena", "2012-09-10", []string{"003"}, published("555", "2024-08-20", "2027-08-19", "002", "003")),
	)
	rows := []data.MIS2000Row{
		row(2, "444", "Nunez", "Dario", "2010-02-03", "2025-03-01", "2028-02-29", "002"),
		// Everything differs, and the district is a number cell that lost its zeros.
		row(3, "555", "Gomez", "Elena", "2012-09-10", "2024-08-21", "2027-08-20", "2"),
	}
	r := Compare(rows, nil, snap, "")
	check(t, r,
		"002 QAD differs S5/555",
		"002 EED differs S5/555",
		"002 Saved, never published S4/444",
		"002 District differs S5/555")
	if d := r.Discrepancies[3]; d.InIC != "Enrolled on 11/03/2025 in 003 Calloway" || d.InMIS2000 != "District 002 Barren" {
		t.Errorf("%+v", d)
	}
	// The district is told when the student left it, when the student
	// was enrolled there.
	snap.Students[1].Left = map[string]data.Date{"002": day("2025-06-30"), "001": day("2024-06-30")}
	r = Compare(rows, nil, snap, "")
	if d := r.Discrepancies[3]; d.InIC != "Left 002 Barren on 06/30/2025; enrolled on 11/03/2025 in 003 Calloway" {
		t.Errorf("%+v", d)
	}
	snap.Students[1].Enrolled = nil
	r = Compare(rows, nil, snap, "")
	if d := r.Discrepancies[3]; d.InIC != "Left 002 Barren on 06/30/2025; no enrollment on 11/03/2025" {
		t.Errorf("%+v", d)
	}
	if d := r.Discrepancies[2]; d.InIC != "Saved, never published: QAD 03/01/2025, EED 02/29/2028" {
		t.Errorf("%+v", d)
	}
}

// TestAttribution: a row without a district belongs to the district its
// record is published to, else to one where the student is enrolled,
// else to none; a district number the records do not have is kept.
func TestAttribution(t *testing.T) {
	snap := state(
		student("S1", "A", "A", "2010-01-01", []string{"002"}, published("111", "2025-01-01", "2027-12-31", "001")),
		student("S2", "B", "B", "2010-01-02", []string{"002"}, Record{MIS2000ID: "222", QAD: day("2025-01-01"), EED: day("2027-12-31")}),
		student("S3", "C", "C", "2010-01-03", nil, Record{MIS2000ID: "333", QAD: day("2025-01-01"), EED: day("2027-12-31")}),
	)
	rows := []data.MIS2000Row{
		row(2, "111", "A", "A", "2010-01-01", "2025-02-01", "", ""),
		row(3, "222", "B", "B", "2010-01-02", "2025-02-01", "", ""),
		row(4, "333", "C", "C", "2010-01-03", "2025-02-01", "", ""),
		row(5, "999", "Z", "Z", "2010-01-04", "2025-02-01", "", "099"),
	}
	r := Compare(rows, nil, snap, "")
	check(t, r,
		"001 QAD differs S1/111",
		"002 QAD differs S2/222",
		"002 Saved, never published S2/222",
		"099 Not in IC /999",
		" QAD differs S3/333",
		" Saved, never published S3/333")
	var lines []string
	for _, l := range r.Summary {
		lines = append(lines, fmt.Sprintf("%s:%d", l.District.Number, l.Total))
	}
	if want := []string{"001:1", "002:2", "099:1", ":2"}; !slices.Equal(lines, want) {
		t.Errorf("summary %q, want %q", lines, want)
	}
	if r.Totals.Total != 6 || r.Totals.Counts[QADDiffers] != 3 {
		t.Errorf("totals %+v", r.Totals)
	}
}

func TestUnmatchedRows(t *testing.T) {
	snap := state(
		student("S14", "Ramos", "Iván", "2010-06-06", []string{"001"}, published("161", "2024-11-01", "2027-10-31", "001")),
		student("S15", "Silva", "Juan", "2011-07-07", []string{"002"}, published("161", "2025-01-01", "2027-12-31", "002")),
	)
	rows := []data.MIS2000Row{
		row(2, "666", "Hernandez", "Maria", "2011-02-02", "2025-09-15", "", "001"),
		row(3, "777", "Quispe", "Rosa", "2014-04-04", "2025-07-01", "", "002"),
		row(4, "161", "Ramos", "Ivan", "2010-06-06", "2024-11-01", "", "001"),
	}
	if got := snap.CandidateBirthDates(rows); !slices.Equal(got, []data.Date{day("2011-02-02"), day("2014-04-04")}) {
		t.Errorf("candidate birth dates %v", got)
	}
	snap.Born = []data.Student{
		{StateID: "S7", LastName: "Hernández López", FirstName: "María José", BirthDate: day("2011-02-02")},
		{StateID: "S6", LastName: "Hernández", FirstName: "María", BirthDate: day("2011-02-02")},
		{StateID: "S8", LastName: "Hernández", FirstName: "Marta", BirthDate: day("2011-02-02")},
		{StateID: "S9", LastName: "Quispe", FirstName: "Rosa", BirthDate: day("2014-04-05")},
	}
	r := Compare(rows, nil, snap, "")
	check(t, r,
		"001 Uncertain match /666",
		"001 Uncertain match /161",
		"002 Not in IC /777")
	if c := r.Discrepancies[1].Candidates; !slices.Equal(c, []string{"S14", "S15"}) {
		t.Errorf("candidates of an ID on two students: %q", c)
	}
	if d := r.Discrepancies[0]; !slices.Equal(d.Candidates, []string{"S6", "S7"}) ||
		d.InIC != "No record with this MIS2000 ID; same name and birth date: state ID S6 (no migrant record), state ID S7 (no migrant record)" ||
		d.Check != "Whether the student is state ID S6 or S7; if so, the student has no migrant record yet, and one is to be entered with MIS2000 ID 666." {
		t.Errorf("%+v", d)
	}
}

func TestPublishedNotInMIS2000(t *testing.T) {
	snap := state(
		student("S8", "Castro", "Felipe", "2009-12-12", []string{"001"}, published("888", "2025-02-01", "2028-01-31", "001")),
		// active on the day, but in a district the export does not cover
		student("S9", "Vega", "Hugo", "2011-11-11", []string{"003"}, published("999", "2025-04-01", "2028-03-31", "003")),
		// published to the export's district, but expired / not yet started
		student("S10", "Flores", "Gina", "2010-10-10", []string{"001"}, published("100", "2021-01-01", "2023-12-31", "001")),
		student("S11", "Ortiz", "Ana", "2010-10-11", []string{"001"}, published("110", "2025-11-04", "2028-11-03", "001")),
		// on the last day of eligibility, and published to two districts of the export
		student("S12", "Peña", "Eva", "2010-10-12", []string{"001", "002"}, published("120", "2022-11-04", "2025-11-03", "001", "002")),
		student("S1", "Torres", "Ana", "2012-03-04", []string{"001"}, published("111", "2024-09-01", "2027-08-31", "001")),
	)
	rows := []data.MIS2000Row{
		row(2, "111", "Torres", "Ana", "2012-03-04", "2024-09-01", "2027-08-31", "001"),
		row(3, "555", "Zed", "Zoe", "2012-03-05", "2024-09-01", "2027-08-31", "002"),
	}
	check(t, Compare(rows, nil, snap, ""),
		"001 Published, not in MIS2000 S8/888",
		"001 Published, not in MIS2000 S12/120",
		"002 Not in IC /555",
		"002 Published, not in MIS2000 S12/120")
}

func TestPossibleDuplicates(t *testing.T) {
	snap := state(
		student("S11", "Ortiz", "Luis", "2012-12-12", []string{"001"}, published("121", "2025-05-05", "2028-05-04", "001")),
		student("S12", "Pérez", "Sofía", "2013-03-13", []string{"002"}, published("141", "2025-06-01", "2028-05-31", "002")),
		student("S13", "Perez", "Sofia", "2013-03-13", []string{"002"}, published("151", "2020-01-01", "2022-12-31", "002", "001")),
	)
	rows := []data.MIS2000Row{
		row(2, "121", "Ortiz", "Luis", "2012-12-12", "2025-05-05", "2028-05-04", "001"),
		row(3, "131", "ORTIZ", "Luis", "2012-12-12", "2025-06-01", "", "001"),
		// the same person listed twice under one ID (one line per enrollment) is no duplicate
		row(4, "141", "Pérez", "Sofía", "2013-03-13", "2025-06-01", "2028-05-31", "002"),
		row(5, "141", "Pérez", "Sofía", "2013-03-13", "2025-06-01", "2028-05-31", "001"),
	}
	snap.Born = []data.Student{snap.Students[0].Student}
	r := Compare(rows, nil, snap, "")
	check(t, r,
		"001 District differs S12/141",
		"001 Uncertain match /131",
		"001 Possible duplicate /131",
		"001 Possible duplicate S11/121",
		"001 Possible duplicate S13/151",
		"002 Possible duplicate S12/141",
		"002 Possible duplicate S13/151")
	if d := r.Discrepancies[3]; d.InMIS2000 != "MIS2000 ID 121; the same name and birth date also under MIS2000 ID 131 (QAD 06/01/2025)" {
		t.Errorf("%+v", d)
	}
	if d := r.Discrepancies[5]; d.InIC != "State ID S12; the same name and birth date also under state ID S13 (MIS2000 ID 151)" {
		t.Errorf("%+v", d)
	}
	// The row may be a student who has a record under another MIS2000 ID:
	// that record is not to be given this ID on sight.
	if d := r.Discrepancies[1]; d.InIC != "No record with this MIS2000 ID; same name and birth date: state ID S11 (a record under MIS2000 ID 121)" ||
		d.Check != "Whether the student is state ID S11; if so, which is right: MIS2000 ID 131, or the one on the student's record." {
		t.Errorf("%+v", d)
	}
}

func TestRegionAndRepeatedRows(t *testing.T) {
	snap := state(
		student("S1", "A", "A", "2010-01-01", []string{"001"}, published("111", "2025-01-01", "2027-12-31", "001")),
		student("S3", "C", "C", "2010-01-03", []string{"003"}, published("333", "2025-01-01", "2027-12-31", "003")),
	)
	rows := []data.MIS2000Row{
		row(2, "111", "A", "A", "2010-01-01", "2025-02-01", "", "001"),
		row(3, "111", "A", "A", "2010-01-01", "2025-02-01", "", "001"), // repeats line 2
		row(4, "333", "C", "C", "2010-01-03", "2025-02-01", "", "003"),
		row(5, "999", "Z", "Z", "2010-01-09", "2025-02-01", "", "098"), // no such district: every region sees it
	}
	r := Compare(rows, nil, snap, "C")
	check(t, r, "001 QAD differs S1/111", "098 Not in IC /999")
	if r.Compared != 2 || r.OutOfRegion != 1 || r.Repeated != 1 || r.Region != "C" {
		t.Errorf("compared %d, out of region %d, repeated %d", r.Compared, r.OutOfRegion, r.Repeated)
	}
	r = Compare(rows, nil, snap, "W")
	check(t, r, "003 QAD differs S3/333", "098 Not in IC /999")
	if len(r.Summary) != 2 || r.Summary[0].District.Number != "003" {
		t.Errorf("summary %+v", r.Summary)
	}
}

func TestCategoryNames(t *testing.T) {
	var names []string
	for _, c := range Categories() {
		names = append(names, c.String())
	}
	want := []string{"Name or birth date differs", "QAD differs", "EED differs", "Saved, never published", "District differs",
		"Uncertain match", "Not in IC", "Published, not in MIS2000", "Possible duplicate"}
	if !slices.Equal(names, want) {
		t.Errorf("categories %q", names)
	}
	if Category(NumCategories).String() != "Category(9)" || NotInMIS2000.Short() != "Not in MIS2000" {
		t.Error("names out of range")
	}
}

// A record whose MIS2000 ID is on a row that could not be read is in the
// export: it is not Published, not in MIS2000.
func TestUnreadRowIDIsInTheExport(t *testing.T) {
	snap := state(
		student("S1", "Torres", "Ana", "2012-03-04", []string{"001"}, published("111", "2024-09-01", "2027-08-31", "001")),
		student("S2", "Ruiz", "Alberto", "2011-05-06", []string{"001"}, published("222", "2024-09-01", "2027-08-31", "001")),
	)
	rows := []data.MIS2000Row{row(3, "222", "Ruiz", "Alberto", "2011-05-06", "2024-09-01", "2027-08-31", "001")}
	check(t, Compare(rows, nil, snap, ""), "001 Published, not in MIS2000 S1/111")
	check(t, Compare(rows, []data.MIS2000Row{{Line: 2, MIS2000ID: "111"}}, snap, ""))
	// An ID cell of a workbook stored as a number, refused, has lost the
	// leading zero of record 0111: the row may still be its student's,
	// and the district is not told there is none.
	snap.Students[0].Records[0].MIS2000ID = "0111"
	check(t, Compare(rows, []data.MIS2000Row{{Line: 2, MIS2000ID: "111"}}, snap, ""))
}

// An export lists a student once per enrollment: rows that differ in
// school, grade or gender alone, or name one district two ways, are one
// row to check, as the first of them; a row that differs in what is
// compared is checked on its own.
func TestRowsPerEnrollmentComparedOnce(t *testing.T) {
	snap := state(student("S2", "Ruiz", "Alberto", "2011-05-06", []string{"001"}, published("222", "2025-01-15", "2028-01-14", "001")))
	first := row(3, "222", "Ruiz", "Alberto", "2011-05-06", "2025-02-15", "2028-01-14", "001")
	first.School, first.Grade = "Adair Elementary", "08"
	other := first
	other.Line, other.School, other.Grade, other.District = 4, "Adair Middle", "09", "1"
	r := Compare([]data.MIS2000Row{first, other}, nil, snap, "")
	check(t, r, "001 QAD differs S2/222")
	if r.Repeated != 1 || r.Compared != 1 || r.Discrepancies[0].Line != 3 {
		t.Errorf("repeated %d, compared %d, line %d", r.Repeated, r.Compared, r.Discrepancies[0].Line)
	}
	later := other
	later.Line, later.QAD = 5, day("2025-01-15")
	r = Compare([]data.MIS2000Row{first, later}, nil, snap, "")
	check(t, r, "001 QAD differs S2/222")
	if r.Repeated != 0 || r.Compared != 2 {
		t.Errorf("repeated %d, compared %d", r.Repeated, r.Compared)
	}
}
