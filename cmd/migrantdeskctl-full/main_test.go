package main

import (
	"bytes"
	"migrantdesk/cmd/internal/cli"
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
	for name := range commands {
		args := []string{name, "--help"}
		if first, _, ok := strings.Cut(strings.TrimPrefix(cli.Usages[name], name+" "), " "); ok && !strings.HasPrefix(first, "-") {
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

// The front prints the list of commands from cli.Usages and hands every
// name in it that it does not run itself to this program: the two lists
// must be the same, each usage line starting with its command's name.
func TestUsagesNameEveryCommand(t *testing.T) {
	for name := range commands {
		if !strings.HasPrefix(cli.Usages[name], name) {
			t.Errorf("the command %s has no usage line in cli.Usages", name)
		}
	}
	for name := range cli.Usages {
		if _, ok := commands[name]; !ok {
			t.Errorf("cli.Usages names %s, which migrantdeskctl-full does not run", name)
		}
	}
}

// A hub subcommand's --help heads its flags with its own usage line, not
// with the list of every hub subcommand, hub serve's first.
func TestHubSubcommandHelpNamesIt(t *testing.T) {
	for sub, want := range map[string]string{
		"serve":     "usage: migrantdeskctl hub serve --db",
		"user add":  "usage: migrantdeskctl hub user add|edit|",
		"user list": "usage: migrantdeskctl hub user list --db HUB.db|postgres://... [--db-password-file F] [--json]",
		"migrate":   "usage: migrantdeskctl hub migrate --from",
		"backup":    "usage: migrantdeskctl hub backup --db",
		"new-epoch": "usage: migrantdeskctl hub new-epoch --db",
	} {
		var out bytes.Buffer
		args := append(append([]string{"hub"}, strings.Fields(sub)...), "--help")
		if err := dispatch(args, &out); err != nil {
			t.Errorf("%v: %v", args, err)
			continue
		}
		head, _, _ := strings.Cut(out.String(), "\n\nflags:")
		if !strings.HasPrefix(head, want) || strings.Contains(head, "\n") {
			t.Errorf("%v: the usage is %q, want the one line %q...", args, head, want)
		}
	}
}
