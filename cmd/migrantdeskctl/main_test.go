package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestUnknownCommand(t *testing.T) {
	err := dispatch([]string{"frobnicate"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Fatalf("got %v", err)
	}
}

func TestHelpListsCommands(t *testing.T) {
	var out bytes.Buffer
	if err := dispatch(nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "usage: migrantdeskctl") {
		t.Fatalf("help: %q", out.String())
	}
}

// Every command answers --help with its usage line and its flags, --db
// among them, and does nothing else.
func TestCommandHelpPrintsFlags(t *testing.T) {
	for name, c := range commands {
		args := []string{name, "--help"}
		if first, _, ok := strings.Cut(strings.TrimPrefix(c.usage, name+" "), " "); ok && !strings.HasPrefix(first, "-") {
			args = []string{name, first, "--help"} // "report qa --help"
		}
		var out bytes.Buffer
		if err := dispatch(args, &out); err != nil {
			t.Errorf("%v: %v", args, err)
			continue
		}
		if !strings.Contains(out.String(), "usage: migrantdeskctl "+name) || !strings.Contains(out.String(), "-db FILE") {
			t.Errorf("%v printed %q", args, out.String())
		}
	}
}
