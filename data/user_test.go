package data

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestUserValidate(t *testing.T) {
	ok := User{Username: "lucia.morales", FullName: "Lucía Morales", Role: RoleClerk, RegionCode: "C"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("a clerk with a region: %v", err)
	}
	for _, c := range []struct {
		change func(*User)
		says   string
	}{
		{func(u *User) { u.Username = " " }, "needs a user name"},
		{func(u *User) { u.Username = strings.Repeat("a", MaxUsername+1) }, "longer than 64 characters"},
		{func(u *User) { u.FullName = "" }, "needs a full name"},
		{func(u *User) { u.RegionCode = "" }, "needs a region"},
	} {
		u := ok
		c.change(&u)
		if err := u.Validate(); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v, want %q", u, err, c.says)
		}
	}
	u := ok
	u.Username = strings.Repeat("ñ", MaxUsername)
	if err := u.Validate(); err != nil {
		t.Errorf("a user name of %d characters: %v", MaxUsername, err)
	}
}

func TestSameAccess(t *testing.T) {
	cora := User{Username: "cora", FullName: "Cora Díaz", Role: RoleCoordinator, Districts: []string{"001", "003"}}
	for _, c := range []struct {
		change func(*User)
		same   bool
	}{
		{func(u *User) {}, true},
		{func(u *User) { u.FullName, u.Email = "Cora Díaz Ruiz", "cora@adair.example" }, true},
		{func(u *User) { u.Districts = []string{"003", "001"} }, true},
		{func(u *User) { u.Districts = []string{"001"} }, false},
		{func(u *User) { u.Districts = []string{"001", "002", "003"} }, false},
		{func(u *User) { u.Role, u.Districts, u.DistrictNumber = RoleDistrictAdmin, nil, "001" }, false},
		{func(u *User) { u.Role, u.Districts, u.RegionCode = RoleClerk, nil, "C" }, false},
	} {
		o := cora
		o.Districts = slices.Clone(cora.Districts)
		c.change(&o)
		if got := cora.SameAccess(o); got != c.same {
			t.Errorf("%+v against %+v: SameAccess %v", cora, o, got)
		}
	}
}

// Only a district's administrator (or a state administrator) changes its
// report access; a grant goes only to a coordinator of the district, and
// its administrator revokes any grant of it, whoever holds it now.
func TestMayGrantAndRevokeReport(t *testing.T) {
	admin := User{Username: "ana", FullName: "Ana Torres", Role: RoleDistrictAdmin, DistrictNumber: "001"}
	state := User{Username: "pat", FullName: "Pat Moore", Role: RoleStateAdmin}
	other := User{Username: "otto", FullName: "Otto Lane", Role: RoleDistrictAdmin, DistrictNumber: "003"}
	cora := User{Username: "cora", FullName: "Cora Díaz", Role: RoleCoordinator, Districts: []string{"001"}}
	left := cora
	left.Districts = []string{"003"}
	for _, a := range []User{admin, state} {
		if err := a.MayGrantReport(cora, "001"); err != nil {
			t.Errorf("%s grants a coordinator of the district: %v", a.Username, err)
		}
		if err := a.MayGrantReport(left, "001"); err == nil || !strings.Contains(err.Error(), "not a coordinator of district 001") {
			t.Errorf("%s grants a coordinator of another district: %v", a.Username, err)
		}
		if err := a.MayRevokeReport("001"); err != nil {
			t.Errorf("%s revokes a grant of the district: %v", a.Username, err)
		}
	}
	for _, err := range []error{other.MayGrantReport(cora, "001"), other.MayRevokeReport("001"), cora.MayRevokeReport("001")} {
		if !errors.Is(err, ErrAccess) {
			t.Errorf("a user who does not administer district 001 changes its report access: %v", err)
		}
	}
}

func TestCleanUsername(t *testing.T) {
	for in, want := range map[string]string{"maria": "maria", " maria\t": "maria", "jose\u0301": "jos\u00e9", "Maria": "Maria"} {
		if got, err := CleanUsername(in); err != nil || got != want {
			t.Errorf("CleanUsername(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := CleanUsername("rosa\u0000"); err == nil || !strings.Contains(err.Error(), "the user name: character 5 is a control character (U+0000)") {
		t.Errorf("a user name with U+0000: %v", err)
	}
}

// A coordinator without the report's grant is told whom to ask by name:
// the district administrator, or, where the district has none yet, the
// state administrator, who was named by role alone ("ask the state
// administrator") though the database knows who that is.
func TestReportRefusalNamesWhomToAsk(t *testing.T) {
	d := District{Number: "401", Name: "Pickett County"}
	coord := User{Username: "wanda", FullName: "Wanda Lockhart", Role: RoleCoordinator, Districts: []string{"401"}}
	admin := User{Username: "ana", FullName: "Ana Torres", Role: RoleDistrictAdmin, DistrictNumber: "401", Email: "ana@example.org"}
	state := User{Username: "karen", FullName: "Karen Mitchell", Role: RoleStateAdmin, Email: "karen@example.org"}
	for _, c := range []struct {
		name          string
		admins, state []User
		want          string
	}{
		{"district administrator", []User{admin}, []User{state}, "Ask your district administrator, Ana Torres (ana@example.org), to grant it."},
		{"state administrator", nil, []User{state}, "ask the state administrator, Karen Mitchell (karen@example.org), to grant it."},
		{"nobody known", nil, nil, "ask the state administrator."},
	} {
		if got := ReportRefusal(coord, d, c.admins, c.state); !strings.HasSuffix(got, c.want) {
			t.Errorf("%s: %q, want it to end %q", c.name, got, c.want)
		}
	}
}
