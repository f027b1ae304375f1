package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
)

func TestDistrictSeesThePublishedCopy(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	rec, _ := st.SaveRecord(ctx, data.Operator("rosa"), storetest.Record(t, storetest.Ana, "55", "2025-03-01", "2026-06-30"))
	if got, _ := st.DistrictRecords(ctx, "001"); len(got) != 0 {
		t.Fatal("a saved, unpublished record is visible to a district")
	}
	st.Publish(ctx, data.Operator("rosa"), []string{rec.ID}, nil)
	edit := rec.MigrantRecord
	edit.MIS2000ID = "56"
	edit.Version = 1
	if _, err := st.SaveRecord(ctx, data.Operator("rosa"), edit); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ district, school, grade, withdrawn string }{
		{"001", "Adair Elementary", "09", "2025-12-19"},
		{"003", "Calloway Elementary", "09", ""},
	} {
		got, err := st.DistrictRecords(ctx, c.district)
		if err != nil || len(got) != 1 {
			t.Fatalf("district %s: %+v %v", c.district, got, err)
		}
		r := got[0]
		if r.MIS2000ID != "55" || r.Version != 1 {
			t.Fatalf("district %s sees an unpublished edit: %+v", c.district, r)
		}
		if r.Student.LastName != "Núñez" || r.SchoolName != c.school || r.Grade != c.grade || r.Withdrawn.String() != c.withdrawn {
			t.Fatalf("district %s: %+v", c.district, r)
		}
		if r.QAD != storetest.Day(t, "2025-03-01") || !r.Active(storetest.Day(t, "2026-06-30")) || r.Active(storetest.Day(t, "2026-07-01")) {
			t.Fatalf("window %+v", r)
		}
	}
	if got, _ := st.DistrictRecords(ctx, "002"); len(got) != 0 {
		t.Fatal("a district the student never attended sees the record")
	}
}

func TestDistrictVisibilityAndReportAccess(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	if err := st.SaveUser(ctx, storetest.Admin, data.User{Username: "x", FullName: "X", Role: data.RoleClerk}); err == nil {
		t.Fatal("a clerk without a region was accepted")
	}
	want := map[string]string{storetest.Admin: "001 002 003", storetest.Clerk: "001 002", storetest.ClerkWest: "003",
		storetest.Coordinator: "001 003", storetest.DistrictAdmin: "001"}
	for _, u := range storetest.Users() {
		ds, err := st.VisibleDistricts(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if got := districtNumbers(ds); got != want[u.Username] {
			t.Errorf("%s sees %q, want %q", u.Username, got, want[u.Username])
		}
	}

	adair := data.District{Number: "001", Name: "Adair County", RegionCode: "C"}
	cora, dan, lucia := storetest.User(storetest.Coordinator), storetest.User(storetest.DistrictAdmin), storetest.User(storetest.Clerk)
	acc, err := st.CanRunReport(ctx, cora, adair)
	if err != nil || acc.Allowed || !strings.Contains(acc.Why, "Dan Moss (dan@adair.example)") {
		t.Fatalf("coordinator without grant: %+v %v", acc, err)
	}
	if err := st.SetReportAccess(ctx, lucia, cora.Username, "001", true); !errors.Is(err, data.ErrAccess) {
		t.Fatalf("a clerk granted report access: %v", err)
	}
	if err := st.SetReportAccess(ctx, dan, cora.Username, "003", true); !errors.Is(err, data.ErrAccess) {
		t.Fatalf("Adair's administrator granted access to Calloway's report: %v", err)
	}
	if err := st.SetReportAccess(ctx, dan, cora.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	if acc, _ := st.CanRunReport(ctx, cora, adair); !acc.Allowed {
		t.Fatal("granted coordinator refused")
	}
	gs, _ := st.Grantees(ctx, "001")
	if len(gs) != 1 || !gs[0].Granted || gs[0].GrantedBy != dan.Username {
		t.Fatalf("grantees %+v", gs)
	}
	before := storetest.CountRows(t, st)
	if err := st.SetReportAccess(ctx, dan, cora.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	if after := storetest.CountRows(t, st); after != before {
		t.Fatalf("granting a grant again wrote %+v, had %+v", after, before)
	}
	if err := st.SetReportAccess(ctx, dan, cora.Username, "001", false); err != nil {
		t.Fatal(err)
	}
	if acc, _ := st.CanRunReport(ctx, cora, adair); acc.Allowed {
		t.Fatal("revoked coordinator allowed")
	}
	if n := count(t, st, `SELECT count(*) FROM audit WHERE entity = 'user' AND entity_id = ? AND action IN ('grant report', 'revoke report') AND username = ?`,
		cora.Username, dan.Username); n != 2 {
		t.Fatalf("%d grant/revoke audit rows", n)
	}
	ms, err := st.PendingMutations(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		g, err := m.Decode()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %s %s %+v", m.Entity, m.EntityID, m.Op, g))
	}
	wantOps := []string{
		"report_grant coord1@001 grant {Username:coord1 District:001}",
		"report_grant coord1@001 revoke {Username:coord1 District:001}",
	}
	if !slices.Equal(got, wantOps) {
		t.Fatalf("outbox:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantOps, "\n"))
	}
	if acc, _ := st.CanRunReport(ctx, dan, adair); !acc.Allowed {
		t.Fatal("the district administrator cannot run the report")
	}
	if acc, _ := st.CanRunReport(ctx, lucia, data.District{Number: "003", RegionCode: "W"}); acc.Allowed {
		t.Fatal("a clerk ran another region's report")
	}
}

// A district window keeps the user it was opened for, and the app puts
// off rebuilding its screens for a change of access while a dialog is
// open. A sync meanwhile may bring the hub's change (here, the district
// administrator made a coordinator, with no grant): the report is then
// refused to the user as the database now has them, not as the caller
// last read them.
func TestReportAccessIsTheUsersAsTheDatabaseHasThem(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	adair := data.District{Number: "001", Name: "Adair County", RegionCode: "C"}
	dan := storetest.User(storetest.DistrictAdmin)
	if acc, err := st.CanRunReport(ctx, dan, adair); err != nil || !acc.Allowed {
		t.Fatalf("the district administrator: %+v %v", acc, err)
	}
	demoted := dan
	demoted.Role, demoted.DistrictNumber, demoted.Districts = data.RoleCoordinator, "", []string{"001"}
	if err := st.SaveUser(ctx, storetest.Admin, demoted); err != nil {
		t.Fatal(err)
	}
	acc, err := st.CanRunReport(ctx, dan, adair)
	if err != nil || acc.Allowed || !strings.Contains(acc.Why, "has not been granted to you") {
		t.Fatalf("a district administrator made a coordinator, without a grant, as the window last read them: %+v %v", acc, err)
	}
	// Someone the database does not know, as the person at the computer
	// of a standalone database, is asked about as given.
	if acc, err := st.CanRunReport(ctx, data.Operator("someone"), adair); err != nil || !acc.Allowed {
		t.Fatalf("the operator: %+v %v", acc, err)
	}
}

// The Users and access tab keeps the administrator it was opened for,
// and the app puts off following a change of access while its revoke
// confirmation is open. A grant or revocation confirmed after a sync
// took the district from them is refused, not written with the access
// they had.
func TestReportGrantIsDecidedForTheAdministratorAsTheDatabaseHasThem(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	dan, cora := storetest.User(storetest.DistrictAdmin), storetest.User(storetest.Coordinator)
	if err := st.SetReportAccess(ctx, dan, cora.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	demoted := dan
	demoted.Role, demoted.DistrictNumber, demoted.Districts = data.RoleCoordinator, "", []string{"001"}
	if err := st.SaveUser(ctx, storetest.Admin, demoted); err != nil {
		t.Fatal(err)
	}
	before := storetest.CountRows(t, st)
	for _, grant := range []bool{false, true} {
		if err := st.SetReportAccess(ctx, dan, cora.Username, "001", grant); !errors.Is(err, data.ErrAccess) {
			t.Errorf("grant %v by a district administrator since made a coordinator, as the tab last read them: %v", grant, err)
		}
	}
	if after := storetest.CountRows(t, st); after != before {
		t.Errorf("the refused changes wrote %+v, had %+v", after, before)
	}
	if acc, err := st.CanRunReport(ctx, cora, data.District{Number: "001", Name: "Adair County", RegionCode: "C"}); err != nil || !acc.Allowed {
		t.Errorf("Cora lost the grant: %+v %v", acc, err)
	}
}

// TestRevokeNamesTheGrantSeen: a revoke names the grant it ends as the
// hub stamped it (taken from the hub's answer to this workstation's own
// grant, before any pull brings the row), so that the hub leaves a grant
// made since alone; a revoke of a grant still waiting to be sent names
// none, and ends it.
func TestRevokeNamesTheGrantSeen(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	dan, cora := storetest.User(storetest.DistrictAdmin), storetest.User(storetest.Coordinator)
	revokeBase := func() int {
		t.Helper()
		if err := st.SetReportAccess(ctx, dan, cora.Username, "001", false); err != nil {
			t.Fatal(err)
		}
		return count(t, st, `SELECT base_version FROM outbox WHERE op = ? ORDER BY seq DESC LIMIT 1`, sync.OpRevoke)
	}

	if err := st.SetReportAccess(ctx, dan, cora.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	ms, err := st.PendingMutations(ctx, 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("outbox %+v %v", ms, err)
	}
	hubTime := sync.GrantVersion("2026-11-30T08:00:00Z")
	if err := st.MarkPushed(ctx, []sync.Result{{MutationID: ms[0].ID, Outcome: sync.Applied, Version: hubTime}}); err != nil {
		t.Fatal(err)
	}
	if got := revokeBase(); got != hubTime {
		t.Fatalf("the revoke names grant %d, want the hub's %d", got, hubTime)
	}

	if err := st.SetReportAccess(ctx, dan, cora.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	if got := revokeBase(); got != 0 {
		t.Fatalf("the revoke of a grant still waiting to be sent names grant %d", got)
	}
}

// TestResentRevokeNamesNoGrant: a hub restored from a backup that lacks a
// grant and its revoke is sent both again (Resend). It stamps the grant
// afresh as it applies it, so a revoke naming the grant as the old hub
// stamped it was refused as late ("granted again, after the grant you
// revoked offline"), and the grant the administrator had ended stood
// again on the hub. A revoke sent again names no grant: it ends the one
// the restored hub holds, as it did before the restore.
func TestResentRevokeNamesNoGrant(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	dan, cora := storetest.User(storetest.DistrictAdmin), storetest.User(storetest.Coordinator)
	hubTime := sync.GrantVersion("2026-11-30T08:00:00Z")
	for _, grant := range []bool{true, false} {
		if err := st.SetReportAccess(ctx, dan, cora.Username, "001", grant); err != nil {
			t.Fatal(err)
		}
		ms, err := st.PendingMutations(ctx, 10)
		if err != nil || len(ms) != 1 {
			t.Fatalf("outbox %+v %v", ms, err)
		}
		if err := st.MarkPushed(ctx, []sync.Result{{MutationID: ms[0].ID, Outcome: sync.Applied, Version: hubTime}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Resend(ctx); err != nil {
		t.Fatal(err)
	}
	ms, err := st.PendingMutations(ctx, 10)
	if err != nil || len(ms) != 2 || ms[0].Op != sync.OpGrant || ms[1].Op != sync.OpRevoke {
		t.Fatalf("sent again: %+v %v", ms, err)
	}
	if ms[1].BaseVersion != 0 {
		t.Errorf("the revoke sent again names grant %d, which the restored hub does not stamp its grant with", ms[1].BaseVersion)
	}
}
