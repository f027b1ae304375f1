package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// hub user edit changes what a user does and where, keeping their
// password, and refuses a change that leaves the role without what it
// needs.
func TestHubUserEdit(t *testing.T) {
	file := hubWithUser(t, "--username", "cora", "--name", "Cora Díaz", "--role", "coordinator", "--district", "0042")
	list := func() string {
		t.Helper()
		out, err := run(t, "hub", "user", "list", "--db", file)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(out), " ")
	}
	out, err := run(t, "hub", "user", "edit", "--db", file, "--username", "cora", "--district", "0107", "--name", "Cora Díaz Ruiz")
	if err != nil || !strings.Contains(out, "changed cora (Cora Díaz Ruiz, District coordinator, districts 0107)") {
		t.Fatalf("moving the coordinator: %q, %v", out, err)
	}
	if l := list(); !strings.Contains(l, "cora Cora Díaz Ruiz District coordinator 0107 active") {
		t.Errorf("after the move: %s", l)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--role", "clerk"}, "needs a region"},
		{[]string{"--role", "district_admin", "--district", "0042", "--district", "0107"}, "exactly one --district"},
		{[]string{"--role", "state_admin", "--district", "0042"}, "--district is for coordinators"},
		{[]string{"--name", " "}, "needs a full name"},
	} {
		args := append([]string{"hub", "user", "edit", "--db", file, "--username", "cora"}, c.args...)
		if _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v: %v, want %q", c.args, err, c.says)
		}
	}
	if _, err := run(t, "hub", "user", "edit", "--db", file, "--username", "nobody", "--name", "N"); err == nil {
		t.Error("editing a user the hub does not have")
	}
	// A coordinator made the district's administrator: their one district
	// is kept, and their password with it.
	if _, err := run(t, "hub", "user", "edit", "--db", file, "--username", "cora", "--role", "district_admin"); err != nil {
		t.Fatal(err)
	}
	if l := list(); !strings.Contains(l, "cora Cora Díaz Ruiz District administrator 0107 active") {
		t.Errorf("after the change of role: %s", l)
	}
}

// hubWithUser makes a SQLite hub of the good extract with one user, added
// with the flags given and a password, and returns its file.
func hubWithUser(t *testing.T, flags ...string) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "hub.db")
	pw := filepath.Join(dir, "pw")
	writeTestFile(t, pw, "correct horse battery\n")
	if _, err := run(t, "import", "--db", file, goodExtract); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, append(append([]string{"hub", "user", "add", "--db", file}, flags...), "--password-file", pw)...); err != nil {
		t.Fatal(err)
	}
	return file
}
