package report

import (
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/reconcile"
	"migrantdesk/report/reconciletest"
)

// A row the reader could not read (here a birth date typed with a
// two-digit year) is left out of the comparison and listed as not read.
// Its MIS2000 ID is still on a row of the export: the record that carries
// it must not be reported to the district as "Published, not in MIS2000"
// with "No row with this MIS2000 ID".
func TestUnreadRowIsNotReportedAsMissing(t *testing.T) {
	// Lines 2 and 14: Torres, Ana, 11111111, whose record agrees with MIS2000.
	r := reconcileEdited(t, func(export string) string {
		return strings.ReplaceAll(export, "11111111,Torres,,Ana,03/04/2012,", "11111111,Torres,,Ana,03/04/12,")
	})
	for _, p := range r.Source.Skipped.Problems {
		t.Logf("not read: %s", p)
	}
	for _, d := range r.Discrepancies {
		if d.MIS2000ID == "11111111" && d.Category == reconcile.NotInMIS2000 {
			t.Errorf("district %s told: %s, %s: In IC %q, In MIS2000 %q, though lines 2 and 14 of the export carry MIS2000 ID 11111111",
				d.District.Number, d.LastName, d.FirstName, d.InIC, d.InMIS2000)
		}
	}
	msg := r.Message(data.District{Number: "001", Name: "Adair County"}, reconciletest.Clerk)
	if i := strings.Index(msg, "Torres, Ana"); i >= 0 {
		t.Errorf("the message to 001 says:\n%s", msg[i:min(len(msg), i+220)])
	}
}
