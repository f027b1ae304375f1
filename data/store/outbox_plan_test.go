package store

import (
	"strings"
	"testing"

	"migrantdesk/data/sync"
)

// A save asks the outbox how a record's creation was answered through
// outbox_entity: the outbox keeps every mutation ever sent, so a scan
// made each save slower with every year of a clerk's work.
func TestRenewRefusedReadsTheOutboxByIndex(t *testing.T) {
	s := openSearch(t, searchFixture())
	plan := explain(t, s, renewableQuery, sync.EntityRecord, "r1", string(sync.Rejected), stateDismissed, sync.OpCreate, statePending)
	if strings.Contains(plan, "SCAN outbox") || !strings.Contains(plan, "outbox_entity") {
		t.Errorf("plan\n%s", plan)
	}
}
