package store

import (
	"context"
	"strings"
	"testing"

	"migrantdesk/data"
)

func TestDistrictSeesThePublishedCopy(t *testing.T) {
	st := openFixture(t)
	ctx := context.Background()
	rec, _ := st.SaveRecord(ctx, data.Operator("rosa"), recordFor(t, "0000000002", "55", "2025-03-01", "2026-06-30"))
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
		{"003", "Calloway High", "09", ""},
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
		if r.QAD != day(t, "2025-03-01") || !r.Active(day(t, "2026-06-30")) || r.Active(day(t, "2026-07-01")) {
			t.Fatalf("window %+v", r)
		}
	}
	if got, _ := st.DistrictRecords(ctx, "002"); len(got) != 0 {
		t.Fatal("a district the student never attended sees the record")
	}
}

func TestDistrictVisibilityAndReportAccess(t *testing.T) {
	st := openFixture(t)
	ctx := context.Background()
	users := []data.User{
		{Username: "state", FullName: "Sam State", Role: data.RoleStateAdmin},
		{Username: "rosa", FullName: "Rosa Delgado", Role: data.RoleClerk, RegionCode: "C"},
		{Username: "cora", FullName: "Cora Coordinator", Role: data.RoleCoordinator, Districts: []string{"001", "003"}},
		{Username: "dan", FullName: "Dan Admin", Role: data.RoleDistrictAdmin, DistrictNumber: "001", Email: "dan@adair.example"},
	}
	for _, u := range users {
		if err := st.SaveUser(ctx, "state", u); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveUser(ctx, "state", data.User{Username: "x", FullName: "X", Role: data.RoleClerk}); err == nil {
		t.Fatal("a clerk without a region was accepted")
	}
	want := map[string]string{"state": "001 002 003", "rosa": "001 002", "cora": "001 003", "dan": "001"}
	for _, u := range users {
		ds, err := st.VisibleDistricts(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if got := districtNumbers(ds); got != want[u.Username] {
			t.Errorf("%s sees %q, want %q", u.Username, got, want[u.Username])
		}
	}

	adair := data.District{Number: "001", Name: "Adair County", RegionCode: "C"}
	cora, dan, rosa := users[2], users[3], users[1]
	acc, err := st.CanRunReport(ctx, cora, adair)
	if err != nil || acc.Allowed || !strings.Contains(acc.Why, "Dan Admin (dan@adair.example)") {
		t.Fatalf("coordinator without grant: %+v %v", acc, err)
	}
	if err := st.SetReportAccess(ctx, rosa, "cora", "001", true); err == nil {
		t.Fatal("a clerk granted report access")
	}
	if err := st.SetReportAccess(ctx, dan, "cora", "003", true); err == nil {
		t.Fatal("Adair's administrator granted access to Calloway's report")
	}
	if err := st.SetReportAccess(ctx, dan, "cora", "001", true); err != nil {
		t.Fatal(err)
	}
	if acc, _ := st.CanRunReport(ctx, cora, adair); !acc.Allowed {
		t.Fatal("granted coordinator refused")
	}
	gs, _ := st.Grantees(ctx, "001")
	if len(gs) != 1 || !gs[0].Granted || gs[0].GrantedBy != "dan" {
		t.Fatalf("grantees %+v", gs)
	}
	if err := st.SetReportAccess(ctx, dan, "cora", "001", false); err != nil {
		t.Fatal(err)
	}
	if acc, _ := st.CanRunReport(ctx, cora, adair); acc.Allowed {
		t.Fatal("revoked coordinator allowed")
	}
	if n := count(t, st, `SELECT count(*) FROM audit WHERE entity = 'user' AND entity_id = 'cora' AND action IN ('grant report', 'revoke report') AND username = 'dan'`); n != 2 {
		t.Fatalf("%d grant/revoke audit rows", n)
	}
	if acc, _ := st.CanRunReport(ctx, dan, adair); !acc.Allowed {
		t.Fatal("the district administrator cannot run the report")
	}
	if acc, _ := st.CanRunReport(ctx, rosa, data.District{Number: "003", RegionCode: "W"}); acc.Allowed {
		t.Fatal("a clerk ran another region's report")
	}
}
