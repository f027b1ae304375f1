package reconcile

import (
	"strings"
	"testing"

	"migrantdesk/data"
)

// TestDuplicateRowsNamedForTheDistrict: a Possible duplicate between two
// rows of the export is sent to a district, which has never seen the
// clerk's file: the other row is named by its MIS2000 ID, the student
// whose record carries it, its QAD, and its district and school, never by
// a line of the file.
func TestDuplicateRowsNamedForTheDistrict(t *testing.T) {
	snap := state(
		student("S11", "Ortiz", "Luis", "2012-12-12", []string{"001"}, published("121", "2025-05-05", "2028-05-04", "001")),
	)
	snap.Born = []data.Student{snap.Students[0].Student}
	first := row(10, "121", "Ortiz", "Luis", "2012-12-12", "2025-05-05", "2028-05-04", "001")
	first.School = "Adair Elementary"
	second := row(74, "131", "Ortiz", "Luis", "2012-12-12", "2025-06-01", "", "002")
	second.School = "Barren Middle"
	r := Compare([]data.MIS2000Row{first, second}, nil, snap, "")
	check(t, r,
		"001 Possible duplicate S11/121",
		"002 Uncertain match /131",
		"002 Possible duplicate /131")
	if len(r.Discrepancies) != 3 {
		return
	}
	want := map[string]string{
		"121": "MIS2000 ID 121; the same name and birth date also under MIS2000 ID 131 (QAD 06/01/2025, district 002 Barren, Barren Middle)",
		"131": "MIS2000 ID 131; the same name and birth date also under MIS2000 ID 121 (state ID S11, QAD 05/05/2025, district 001 Adair, Adair Elementary)",
	}
	for _, d := range []Discrepancy{r.Discrepancies[0], r.Discrepancies[2]} {
		if d.InMIS2000 != want[d.MIS2000ID] {
			t.Errorf("In MIS2000 of %s:\n  %s\nwant\n  %s", d.MIS2000ID, d.InMIS2000, want[d.MIS2000ID])
		}
		if strings.Contains(d.InMIS2000, "line") {
			t.Errorf("the district is told of a line of the clerk's file: %s", d.InMIS2000)
		}
	}
	if r.Discrepancies[2].Line != 74 {
		t.Errorf("the clerk loses the row's line: %d", r.Discrepancies[2].Line)
	}
}
