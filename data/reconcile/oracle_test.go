package reconcile

import (
	"testing"

	"migrantdesk/data"
)

// TestOracle puts one student of each situation SPEC §5 names into one
// export and one snapshot, as of 11/03/2025, and checks that each lands in
// exactly its category and district, worked out by hand:
//
//   - S1: a record of the row's QAD (not the latest) with another EED:
//     EED differs only, in the row's district 001.
//   - S2: no record of the row's QAD: compared with the latest, whose QAD
//     and EED both differ; the row has no district, so the district the
//     record is published to, 002.
//   - S3: saved, never published, and enrolled in 001 alone; the row names
//     002, written "2" (a number cell): Saved, never published and
//     District differs, in 002.
//   - S4: enrolled in 001 until the day before, in 002 on the day; the row
//     names 001: District differs in 001.
//   - rows 201-203: no record with the ID; the same name and birth date
//     as S5 and S6 written with Last Name 1 + 2 joined, hyphens, accents
//     and case, or a compound first name: Uncertain match in the row's
//     district; a row with the name but another birth date: Not in IC.
//   - S7: active on the day, published to 001 (in the export) and 003 (no
//     row names it): Published, not in MIS2000 in 001 only. S8: the same
//     but its EED was the day before: nothing.
//   - rows 301, 302: one person under two IDs in the export, neither on
//     a record: Not in IC and Possible duplicate, each in its row's
//     district. S9, S10: one person under two state IDs, each with a
//     record and a row: Possible duplicate twice in the district of each
//     copy, once for the two rows and once for the two students.
func TestOracle(t *testing.T) {
	s3 := Record{ID: "R103", MIS2000ID: "103", QAD: day("2025-03-01"), EED: day("2028-02-29")}
	snap := state(
		student("S1", "Díaz", "Carla", "2013-07-08", []string{"001"},
			published("101", "2026-01-01", "2028-12-31", "001"),
			published("101", "2024-10-01", "2025-12-31", "001")),
		student("S2", "Ruiz", "Alberto", "2011-05-06", []string{"002"},
			published("102", "2025-01-15", "2028-01-14", "002")),
		student("S3", "Núñez", "Darío", "2010-02-03", []string{"001"}, s3),
		student("S4", "Gómez", "Elena", "2012-09-10", []string{"002"},
			published("104", "2024-08-20", "2027-08-19", "001", "002")),
		student("S7", "Castro", "Felipe", "2009-12-12", []string{"001", "003"},
			published("107", "2025-02-01", "2028-01-31", "001", "003")),
		student("S8", "Flores", "Gina", "2010-10-10", []string{"001"},
			published("108", "2022-11-02", "2025-11-02", "001")),
		student("S9", "Peña", "Sofía", "2013-03-13", []string{"002"},
			published("109", "2025-06-01", "2028-05-31", "002")),
		student("S10", "PENA", "SOFIA", "2013-03-13", []string{"001"},
			published("110", "2025-06-01", "2028-05-31", "001")),
	)
	rows := []data.MIS2000Row{
		row(2, "101", "Diaz", "Carla", "2013-07-08", "2024-10-01", "2027-09-30", "001"),
		row(3, "102", "Ruiz", "Alberto", "2011-05-06", "2025-02-15", "2028-02-14", ""),
		row(4, "103", "Nunez", "Dario", "2010-02-03", "2025-03-01", "2028-02-29", "2"),
		row(5, "104", "Gomez", "Elena", "2012-09-10", "2024-08-20", "2027-08-19", "001"),
		row(6, "201", "GARCÍA LÓPEZ", "maría josé", "2011-02-02", "2025-09-15", "", "001"),
		row(7, "202", "de la cruz", "Ana", "2012-01-01", "2025-09-15", "", "002"),
		row(8, "203", "García López", "María José", "2011-02-03", "2025-09-15", "", "002"),
		row(9, "301", "Ramírez", "Luis", "2012-12-12", "2025-05-05", "", "001"),
		row(10, "302", "RAMIREZ", "Luis", "2012-12-12", "2025-06-01", "", "002"),
		row(11, "109", "Peña", "Sofía", "2013-03-13", "2025-06-01", "2028-05-31", "002"),
		row(12, "110", "Pena", "Sofia", "2013-03-13", "2025-06-01", "2028-05-31", "001"),
	}
	snap.Born = []data.Student{
		{StateID: "S5", LastName: "García-López", FirstName: "María", BirthDate: day("2011-02-02")},
		{StateID: "S6", LastName: "Delacruz", FirstName: "Ana María", BirthDate: day("2012-01-01")},
		{StateID: "S11", LastName: "García López", FirstName: "María José", BirthDate: day("2011-02-02")},
	}
	r := Compare(rows, nil, snap, "")
	check(t, r,
		"001 EED differs S1/101",
		"001 District differs S4/104",
		"001 Uncertain match /201",
		"001 Not in IC /301",
		"001 Published, not in MIS2000 S7/107",
		"001 Possible duplicate S10/110", // the rows 109 and 110
		"001 Possible duplicate S10/110", // the students S9 and S10
		"001 Possible duplicate /301",
		"002 QAD differs S2/102",
		"002 EED differs S2/102",
		"002 Saved, never published S3/103",
		"002 District differs S3/103",
		"002 Uncertain match /202",
		"002 Not in IC /203",
		"002 Not in IC /302",
		"002 Possible duplicate S9/109",
		"002 Possible duplicate S9/109",
		"002 Possible duplicate /302")
	for _, d := range r.Discrepancies {
		switch d.MIS2000ID {
		case "201":
			if len(d.Candidates) != 2 || d.Candidates[0] != "S11" || d.Candidates[1] != "S5" {
				t.Errorf("candidates of 201: %q", d.Candidates)
			}
		case "202":
			if len(d.Candidates) != 1 || d.Candidates[0] != "S6" {
				t.Errorf("candidates of 202: %q", d.Candidates)
			}
		}
	}
	if r.Compared != len(rows) || r.Totals.Total != 18 {
		t.Errorf("compared %d, total %d", r.Compared, r.Totals.Total)
	}
	// A day earlier, S8 is on the last day of its eligibility.
	snap.AsOf = day("2025-11-02")
	var missing []string
	for _, d := range Compare(rows, nil, snap, "").Discrepancies {
		if d.Category == NotInMIS2000 {
			missing = append(missing, d.District.Number+" "+d.StateID)
		}
	}
	if len(missing) != 2 || missing[0] != "001 S7" || missing[1] != "001 S8" {
		t.Errorf("published, not in MIS2000 as of 11/02/2025: %q", missing)
	}
}
