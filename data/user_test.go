package data

import (
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
