package report

import (
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/report/reconciletest"
)

// TestMessageDoesNotVouchForRowsNotRead: a district with nothing to check
// hears that the two agree on every student only when every row of the
// export was read; with rows left out (reconciletest's export has three),
// one of them may be the district's, and the message must not say so.
func TestMessageDoesNotVouchForRowsNotRead(t *testing.T) {
	_, r := reconcileFixture(t, "")
	calloway := data.District{Number: "003", Name: "Calloway County"}
	msg := r.Message(calloway, reconciletest.Clerk)
	if !strings.Contains(msg, "found nothing to check") || strings.Contains(msg, "agree on every student") {
		t.Errorf("with 3 rows not read, 003 is told:\n%s", msg)
	}
	if !strings.Contains(msg, "3 rows of the export could not be read") {
		t.Errorf("the message does not say that rows were left out:\n%s", msg)
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
