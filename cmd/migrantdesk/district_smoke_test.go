package main

import (
	"context"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/demo"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/store"
)

// TestDistrictSmoke starts the real app under Xvfb on a small demo
// database with the district window of the district holding the most
// published records, as one of its coordinators (else its administrator,
// else a clerk of its region), and saves a screenshot to
// shots/district-window.png at the top of the repository.
func TestDistrictSmoke(t *testing.T) {
	bin := buildApp(t)
	db := demotest.SmallDB(t, demo.MinStudents)
	user, district, records := pickDistrict(t, db)
	shot, colours := shoot(t, bin, "district-window.png", "--db", db, "--user", user, "--district", district)
	t.Logf("district %s as %s, %d published records: %s (%d colours)", district, user, records, shot, colours)
}

// pickDistrict returns the district with the most published records and
// who opens it: a coordinator of it, else its administrator, else a clerk
// of its region.
func pickDistrict(t *testing.T, path string) (user, district string, records int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.Districts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	users, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rank := map[string]int{data.RoleCoordinator: 3, data.RoleDistrictAdmin: 2, data.RoleClerk: 1}
	best := 0
	for _, d := range ds {
		recs, err := st.DistrictRecords(ctx, d.Number)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) <= records {
			continue
		}
		for _, u := range users {
			if u.CanSeeDistrict(d) && rank[u.Role] > 0 && (len(recs) > records || rank[u.Role] > best) {
				user, district, records, best = u.Username, d.Number, len(recs), rank[u.Role]
			}
		}
	}
	if district == "" {
		t.Fatalf("the demo state has no district with published records that a profile may open:\n%s",
			strings.Join(userNames(users), ", "))
	}
	return user, district, records
}

func userNames(us []data.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Username + " (" + u.Role + ")"
	}
	return out
}
