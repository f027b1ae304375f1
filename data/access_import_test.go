package data

import (
	"errors"
	"strings"
	"testing"
)

func TestMayImportExtract(t *testing.T) {
	admin := User{Username: "a", FullName: "Pat Moore", Role: RoleStateAdmin}
	clerk := User{Username: "c", FullName: "Lucía Ramos", Role: RoleClerk, RegionCode: "C"}
	coord := User{Username: "k", FullName: "Ana Ortiz", Role: RoleCoordinator, Districts: []string{"001"}}
	for _, c := range []struct {
		u      User
		p      ImportPolicy
		refuse string // "" allowed
	}{
		{admin, ImportPolicy{}, ""},
		{admin, ImportPolicy{Hub: "https://hub"}, "syncs with the hub at https://hub"},
		{clerk, ImportPolicy{}, "has not allowed regional data clerks"},
		{clerk, ImportPolicy{ClerksImport: true}, ""},
		{clerk, ImportPolicy{Hub: "https://hub", ClerksImport: true}, "syncs with the hub"},
		{coord, ImportPolicy{ClerksImport: true}, "only the state administrator"},
	} {
		err := c.u.MayImportExtract(c.p)
		switch {
		case c.refuse == "" && err != nil:
			t.Errorf("%s %+v refused: %v", c.u.Role, c.p, err)
		case c.refuse != "" && (err == nil || !strings.Contains(err.Error(), c.refuse)):
			t.Errorf("%s %+v: %v, want a refusal saying %q", c.u.Role, c.p, err, c.refuse)
		}
	}
}

func TestMayReconcile(t *testing.T) {
	for _, c := range []struct {
		u      User
		refuse string // "" allowed
	}{
		{User{Username: "a", FullName: "Pat Moore", Role: RoleStateAdmin}, ""},
		{User{Username: "c", FullName: "Lucía Ramos", Role: RoleClerk, RegionCode: "C"}, ""},
		{User{Username: "k", FullName: "Ana Ortiz", Role: RoleCoordinator, Districts: []string{"001"}}, "regional data clerk"},
		{User{Username: "d", FullName: "Tomás Ortega", Role: RoleDistrictAdmin, DistrictNumber: "001"}, "regional data clerk"},
	} {
		err := c.u.MayReconcile()
		switch {
		case c.refuse == "" && err != nil:
			t.Errorf("%s refused: %v", c.u.Role, err)
		case c.refuse != "" && (err == nil || !strings.Contains(err.Error(), c.refuse)):
			t.Errorf("%s: %v, want a refusal saying %q", c.u.Role, err, c.refuse)
		case err != nil && !errors.Is(err, ErrAccess):
			t.Errorf("%s: %v is not an access refusal", c.u.Role, err)
		}
	}
}

func TestSignature(t *testing.T) {
	if got := (User{Username: "rdiaz", FullName: "Rosa Díaz"}).Signature(); got != "Rosa Díaz (rdiaz)" {
		t.Errorf("signature %q", got)
	}
	if got := (User{Username: "operator"}).Signature(); got != "operator" {
		t.Errorf("signature of a user with no full name %q", got)
	}
	if got := Operator("ana").Signature(); got != "ana" {
		t.Errorf("signature of the person at the computer %q", got)
	}
}
