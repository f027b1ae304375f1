package report

import (
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/reconcile"
	"migrantdesk/report/reconciletest"
)

// An MIS2000 export lists a student once per enrollment: the same
// student, MIS2000 ID and dates on two rows that differ only in the
// school. data/reconcile's distinct says such rows are "one row to check,
// not two"; the district must hear of Ruiz's QAD once, not twice.
func TestOneStudentTwoSchoolRowsCountedOnce(t *testing.T) {
	ruiz := "22222222,Ruiz,,Alberto,05/06/2011,02/15/2025,01/14/2028,001,M,Adair Elementary,08,2025-26"
	r := reconcileEdited(t, func(export string) string {
		return strings.Replace(export, ruiz, ruiz+"\r\n"+strings.Replace(ruiz, "Adair Elementary", "Adair Middle", 1), 1)
	})
	n := 0
	for _, d := range r.Discrepancies {
		if d.MIS2000ID == "22222222" && d.Category == reconcile.QADDiffers {
			n++
			t.Logf("line %d: %s, %s: In IC %s, In MIS2000 %s", d.Line, d.LastName, d.FirstName, d.InIC, d.InMIS2000)
		}
	}
	if n != 1 {
		t.Errorf("Ruiz's QAD differs is listed %d times, want once; district 001's summary QAD count is %d (the hand count is 1)",
			n, r.Summary[0].Counts[reconcile.QADDiffers])
	}
	msg := r.Message(data.District{Number: "001", Name: "Adair County"}, reconciletest.Clerk)
	if c := strings.Count(msg, "Ruiz, Alberto"); c != 1 {
		t.Errorf("the message to 001 names Ruiz, Alberto %d times", c)
	}
}
