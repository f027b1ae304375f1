package gui

import (
	"strings"
	"testing"

	"migrantdesk/data/store/storetest"
)

// TestSignInRefusesWhatNoAccountHas: a user name or password that no
// account can have (a paragraph pasted into the user name, a tab or a
// right-to-left mark pasted with it, a password longer than the hub
// keeps) is refused on this computer with what is wrong and where; the
// hub is not asked, so a paste does not count as a failed sign-in
// towards locking the name and the office out. The right name and
// password then sign in.
func TestSignInRefusesWhatNoAccountHas(t *testing.T) {
	h := startHub(t)
	u := start(t, storetest.OpenEmpty(t), Options{})
	before := h.signIns.Load()
	for _, c := range []struct{ name, username, password, want string }{
		{"a paragraph", strings.Repeat("clerk1 ", 800), password,
			"The user name is 5599 characters long, longer than any account's"},
		{"a tab", "clerk1\tLucía Ramos", password,
			"The user name: character 7 is a control character (U+0009)"},
		{"a right-to-left mark", "\u200fclerk1", password,
			"The user name: character 1 is a bidirectional control"},
		{"a long password", storetest.Clerk, strings.Repeat("p", 300),
			"The password is 300 characters long, longer than any password the hub keeps"},
	} {
		signInAs(t, u, h.url, c.username, c.password)
		if u.signIn == nil || !strings.HasPrefix(u.signIn.problem.Text, c.want) {
			t.Errorf("%s: the sign-in reads %q, want %q…", c.name, u.signIn.problem.Text, c.want)
		}
	}
	if n := h.signIns.Load() - before; n != 0 {
		t.Errorf("the hub was asked %d times", n)
	}
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.signIn != nil || u.user.Username != storetest.Clerk {
		t.Fatalf("the clerk could not sign in after: %q", u.signIn.problem.Text)
	}
}
