package reconcile

import (
	"testing"

	"migrantdesk/data"
)

// TestRowDistrictByNumberAndName: a district cell as reports print it,
// its number and its name ("002 - Barren", "2 Barren"), or its name
// alone, is that district. Taken as a number of no district, every row
// of such an export was a District differs of a district of nobody, no
// message went out, and Published, not in MIS2000 was checked for no
// district. A name that is not the number's, or that two districts
// share, names none.
func TestRowDistrictByNumberAndName(t *testing.T) {
	s := student("S1", "Díaz", "Carla", "2013-07-08", []string{"002"}, published("333", "2024-10-01", "2027-09-30", "002"))
	for cell, want := range map[string]string{
		"002 - Barren": "", "2 Barren": "", "002 BARREN": "", "Barren": "", "002-Barren": "",
		"002 - Adair": "002 - Adair District differs S1/333",
		"Adair":       "001 District differs S1/333",
		"Twin":        "Twin District differs S1/333",
	} {
		st := state(s)
		st.Districts = append(st.Districts, data.District{Number: "004", Name: "Twin", RegionCode: "C"}, data.District{Number: "005", Name: "TWIN", RegionCode: "W"})
		r := Compare([]data.MIS2000Row{row(2, "333", "Díaz", "Carla", "2013-07-08", "2024-10-01", "2027-09-30", cell)}, nil, st, "C")
		var got string
		if b := brief(r.Discrepancies); len(b) == 1 {
			got = b[0]
		} else if len(b) > 1 {
			got = "several"
		}
		if got != want || r.Undistricted != 0 && want == "" {
			t.Errorf("district cell %q: %q, undistricted %d, want %q", cell, brief(r.Discrepancies), r.Undistricted, want)
		}
	}
}
