package e2etest

import (
	"context"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/sync"
)

// A coordinator given other districts on the hub takes a new snapshot at
// the next sync: the records already published to the new district
// arrive, and the old district's students and records leave the
// workstation (SPEC: a workstation holds its user's scope only). The
// feed after the old cursor held neither.
func TestScopeChangeTakesSnapshot(t *testing.T) { eachBackend(t, testScopeChangeTakesSnapshot) }

func testScopeChangeTakesSnapshot(t *testing.T, be backend) {
	h, url := scenarioHub(t, be)
	rita := newDesk(t, url, Rita)
	rec := rita.save(data.MigrantRecord{StateID: hubtest.Maria, MIS2000ID: "1", QAD: data.NewDate(2024, 8, 1), EED: data.NewDate(2025, 9, 19)})
	rita.publish(rec.ID)
	rita.sync()
	cora, cal := newDesk(t, url, hubtest.Coord001), newDesk(t, url, hubtest.Coord003)
	holds := func(d *desk) (records, students int) {
		t.Helper()
		rs, err := d.st.StudentRecords(context.Background(), hubtest.Maria)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.st.Student(context.Background(), hubtest.Maria); err == nil {
			students = 1
		}
		return len(rs), students
	}
	if r, s := holds(cora); r != 1 || s != 1 {
		t.Fatalf("cora (001) holds %d records and %d students of María before the change, want 1 and 1", r, s)
	}
	if r, _ := holds(cal); r != 0 {
		t.Fatalf("cal (003) holds %d records of María before the change", r)
	}

	// The state administrator swaps their districts.
	coraNow, calNow := hubtest.Coord001, hubtest.Coord003
	coraNow.Districts, calNow.Districts = []string{"003"}, []string{"001"}
	for _, u := range []data.User{coraNow, calNow} {
		if err := h.SaveAccount(context.Background(), "admin", hub.Account{User: u}); err != nil {
			t.Fatal(err)
		}
	}
	before := cal.cursor()
	cal.sync()
	if after := cal.cursor(); after.Scope == before.Scope {
		t.Errorf("cal's cursor names the same scope after the change: %+v", after)
	}
	cora.sync()
	if r, s := holds(cal); r != 1 || s != 1 {
		t.Errorf("cal, now coordinator of 001, holds %d records and %d students of María, want 1 and 1", r, s)
	}
	if r, s := holds(cora); r != 0 || s != 0 {
		t.Errorf("cora, no longer coordinator of 001, holds %d records and %d students of María, want none", r, s)
	}
	// The next syncs are the feed's again.
	if s := cal.sync(); s.Pulled != 0 {
		t.Errorf("cal's second sync after the change pulled %d rows, want none", s.Pulled)
	}
}

func (d *desk) cursor() sync.Cursor {
	d.t.Helper()
	c, err := d.st.Cursor(context.Background())
	if err != nil {
		d.t.Fatal(err)
	}
	return c
}
