package reconcile

import (
	"testing"

	"migrantdesk/data"
)

// TestOneStudentUnderTwoMIS2000IDs: a student whose records carry two
// MIS2000 IDs is one person under two MIS2000 IDs among the records (SPEC
// §5), which MIS2000 may count twice: a Possible duplicate in the
// district the records are published to, whichever of the IDs the
// export has.
func TestOneStudentUnderTwoMIS2000IDs(t *testing.T) {
	snap := state(
		student("S1", "Torres", "Ana", "2012-03-04", []string{"001"},
			published("222", "2025-01-10", "2028-01-09", "001"),
			published("111", "2021-09-01", "2024-08-31", "001")),
		student("S2", "Ruiz", "Alberto", "2011-05-06", []string{"002"},
			published("333", "2025-01-15", "2028-01-14", "002"),
			published("333", "2021-03-01", "2024-02-29", "002")),
	)
	rows := []data.MIS2000Row{
		row(2, "222", "Torres", "Ana", "2012-03-04", "2025-01-10", "2028-01-09", "001"),
		row(3, "333", "Ruiz", "Alberto", "2011-05-06", "2025-01-15", "2028-01-14", "002"),
	}
	r := Compare(rows, nil, snap, "")
	check(t, r, "001 Possible duplicate S1/222")
	if len(r.Discrepancies) == 1 {
		d := r.Discrepancies[0]
		if d.InIC != "State ID S1 has records under MIS2000 IDs 222 and 111" ||
			d.InMIS2000 != "A row under MIS2000 ID 222; none under 111" {
			t.Errorf("%+v", d)
		}
	}
}
