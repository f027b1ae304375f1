package e2etest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/store"
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

// A cursor kept before cursors named their scope is taken for the user's
// scope now: a workstation synced before goes on with the feed, and its
// cursor names the scope from then on.
func TestCursorWithoutScopeGoesOn(t *testing.T) {
	_, url := scenarioHub(t, onSQLite)
	rosa := newDesk(t, url, hubtest.ClerkC)
	c := rosa.cursor()
	c.Scope = ""
	b, _ := json.Marshal(c)
	if err := rosa.st.SetMeta(context.Background(), store.MetaCursor, string(b)); err != nil {
		t.Fatal(err)
	}
	if s := rosa.sync(); s.Pulled != 0 {
		t.Errorf("a workstation whose cursor names no scope pulled %d rows, a snapshot", s.Pulled)
	}
	if rosa.cursor().Scope == "" {
		t.Error("the cursor names no scope after the sync")
	}
}

// A client that does not keep the cursor's scope (its pulls never name
// one) still ends its snapshot, page after page, rather than beginning it
// again at each.
func TestSnapshotEndsForAClientWithoutScope(t *testing.T) {
	_, hubURL := scenarioHub(t, onSQLite)
	body, _ := json.Marshal(sync.SignInRequest{Username: hubtest.ClerkC.Username, Password: Password})
	resp, err := http.Post(hubURL+"/v1/signin", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var in sync.SignInResponse
	err = json.NewDecoder(resp.Body).Decode(&in)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var c sync.Cursor
	for pages := 1; ; pages++ {
		if pages > 200 {
			t.Fatalf("the snapshot has not ended after %d pages of 2 rows", pages)
		}
		q := url.Values{"epoch": {c.Epoch}, "seq": {strconv.FormatInt(c.Seq, 10)}, "mark": {c.Mark}, "snapshot": {c.Snapshot},
			"limit": {"2"}}
		req, _ := http.NewRequest("GET", hubURL+"/v1/pull?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+in.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p sync.Page
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d: %d, %v", pages, resp.StatusCode, err)
		}
		if pages > 1 && !p.Snapshot {
			t.Fatalf("page %d is not the snapshot's", pages)
		}
		c = sync.Cursor{Epoch: p.Next.Epoch, Seq: p.Next.Seq, Mark: p.Next.Mark, Snapshot: p.Next.Snapshot}
		if c.Snapshot == "" {
			if pages < 3 {
				t.Fatalf("the snapshot ended after %d pages of 2 rows", pages)
			}
			return
		}
	}
}
