package report

import (
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/report/reconciletest"
)

// TestMessageDoesNotVouchForRowsNotRead: a district hears that the two
// agree on every student only when every row of the export was read;
// with rows left out (reconciletest's export has three), each district
// hears of those of its own and of those whose district could not be
// read, and of no others.
func TestMessageDoesNotVouchForRowsNotRead(t *testing.T) {
	_, r := reconcileFixture(t, "")
	calloway := data.District{Number: "003", Name: "Calloway County"}
	msg := r.Message(calloway, reconciletest.Clerk)
	if !strings.Contains(msg, "found nothing to check") || strings.Contains(msg, "agree on every student") {
		t.Errorf("with 3 rows not read, 003 is told:\n%s", msg)
	}
	// Of the three, line 15 is 002's, line 16 is 001's, and line 17 is cut
	// short before its district: it may be anyone's.
	if !strings.Contains(msg, "1 row of the export could not be read, its district included, and was not compared; "+
		"it may be your district's: we will check it once the export is corrected.") {
		t.Errorf("the message does not say that a row was left out:\n%s", msg)
	}
	// A district with discrepancies hears of its rows not read too: they
	// were not among those compared.
	msg = r.Message(data.District{Number: "001", Name: "Adair County"}, reconciletest.Clerk)
	if !strings.Contains(msg, "found 8 discrepancies. For each student below, please check what is asked and reply with what you find, "+
		"so that the records can be corrected. 1 row of your district in the export, and 1 other whose district could not be read either, "+
		"could not be read and were not compared; we will check them once the export is corrected.\n") {
		t.Errorf("001 is not told of its row not read:\n%s", msg)
	}

	clean := reconcileEdited(t, func(export string) string {
		lines := strings.SplitAfter(export, "\n")
		return strings.Join(lines[:14], "") // the header and lines 2-14, every one read
	})
	if n := clean.Source.Skipped.Len(); n != 0 {
		t.Fatalf("%d rows not read", n)
	}
	msg = clean.Message(calloway, reconciletest.Clerk)
	if !strings.Contains(msg, "found nothing to check: the two agree on every student of your district") ||
		strings.Count(msg, "Thank you") != 1 {
		t.Errorf("every row read, 003 is told:\n%s", msg)
	}
}
