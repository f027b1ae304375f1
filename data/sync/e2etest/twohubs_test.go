package e2etest

import (
	"testing"
)

// TestTwoHubsOneDatabase: two `hub serve` processes on one PostgreSQL
// database, as behind a load balancer that sends each request where it
// likes. A clerk pushes through one hub while a coordinator pulls through
// the other, and each switches hub from sync to sync: every change is
// applied once, each cursor one hub gave is good at the other, and both
// workstations end up with their scope, with no fresh snapshot after the
// first.
func TestTwoHubsOneDatabase(t *testing.T) {
	t.Parallel()
	r := newRig(t, onPostgres, 1000, 18)
	other := startHub(t, r.hubDB, "127.0.0.1:0")
	hubs := [2]string{r.hub.URL, other.URL}
	first := r.rosa.sync(hubs[0])
	r.migrant(0, 10)
	if s := r.rosa.sync(hubs[1]); s.Applied != s.Pushed || s.Pushed == 0 {
		t.Fatalf("a push through the second hub: %+v", s)
	}
	var district string
	if err := openSQL(t, r.hubDB).QueryRow(`SELECT district_number FROM published GROUP BY district_number
		ORDER BY count(*) DESC, district_number LIMIT 1`).Scan(&district); err != nil {
		t.Fatal(err)
	}
	cora := coordinator("cora", district)
	accounts(t, r.hubDB, cora)
	coraWS := newWorkstation(t, r.dir, "cora")
	coraWS.sync(hubs[1])

	for i := range 3 {
		r.migrant(10+3*i, 3)
		editRecords(t, r.rosa.db, 5)
		// At once: the clerk's push through one hub, the coordinator's
		// pull through the other.
		_, push := startSync(t, r.rosa, hubs[i%2])
		_, pull := startSync(t, coraWS, hubs[(i+1)%2])
		for who, wait := range map[string]func() ran{"rosa": push, "cora": pull} {
			if res := wait(); res.code != 0 {
				t.Fatalf("round %d, %s's sync: %s", i, who, res)
			}
		}
	}
	s := r.rosa.sync(hubs[1])
	if s.Cursor.Epoch != first.Cursor.Epoch || s.Pulled > 100 {
		t.Fatalf("the clerk's last sync took a new snapshot (%+v after %+v)", s, first)
	}
	if s := coraWS.sync(hubs[0]); s.Cursor.Epoch != first.Cursor.Epoch {
		t.Fatalf("the coordinator's last sync is of another epoch: %+v", s)
	}
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)
	r.converged(cora, coraWS.db)
	checkDistrictScope(t, r.hubDB, coraWS.db, cora.Districts)
}
