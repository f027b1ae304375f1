package hubtest

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"migrantdesk/data/sync"
)

// testUnreadableBirthDate: a birth date in the hub that does not read
// fails the push, and the error, which the hub logs, names neither the
// student nor the date, since logs carry no student's data, but says
// where the operator finds it.
func testUnreadableBirthDate(t *testing.T, open Open, beneath Beneath) {
	st := Setup(t, open)
	const bad = "2012-13-45"
	beneath.Exec(t, st, `UPDATE students SET birth_date = ? WHERE state_id = ?`, bad, Maria)
	rec := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "123456", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	_, err := st.Push(context.Background(), ClerkC, sync.Cursor{}, []sync.Mutation{Mutation(sync.OpCreate, 0, rec)})
	if err == nil {
		t.Fatal("a push for a student whose birth date does not read went through")
	}
	if msg := err.Error(); strings.Contains(msg, Maria) || strings.Contains(msg, bad) {
		t.Errorf("the error, which the hub logs, names the student or their birth date: %s", msg)
	} else if !strings.Contains(msg, "students") || !strings.Contains(msg, "README") {
		t.Errorf("the error does not tell the operator where to look: %s", msg)
	}
}
