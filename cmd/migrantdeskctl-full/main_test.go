package main

import (
	"bytes"
	"migrantdesk/cmd/internal/cli"
	"regexp"
	"slices"
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
		"serve":       "usage: migrantdeskctl hub serve --db",
		"user add":    "usage: migrantdeskctl hub user add --db",
		"user edit":   "usage: migrantdeskctl hub user edit --db",
		"user passwd": "usage: migrantdeskctl hub user passwd --db",
		"user enable": "usage: migrantdeskctl hub user disable|enable --db",
		"user revoke": "usage: migrantdeskctl hub user grant|revoke --db",
		"user list":   "usage: migrantdeskctl hub user list --db HUB.db|postgres://... [--db-password-file F] [--json]",
		"migrate":     "usage: migrantdeskctl hub migrate --from",
		"backup":      "usage: migrantdeskctl hub backup --db",
		"new-epoch":   "usage: migrantdeskctl hub new-epoch --db",
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

// A usage line names exactly the flags its command takes, so that an
// operator reading hub user disable --help is not told of a --role it
// refuses, nor left to guess the --district that grant needs.
func TestUsageLineNamesItsFlags(t *testing.T) {
	// Flags a command keeps out of its usage line on purpose: report
	// defines --password only to refuse it, and version ignores --db.
	unlisted := map[string][]string{"report qa": {"--password"}, "version": {"--db"}}
	for name := range commands {
		for _, line := range strings.Split(cli.Usages[name], "\n") {
			fields := strings.Fields(line)
			var words []string
			for _, f := range fields {
				if strings.HasPrefix(f, "-") || strings.HasPrefix(f, "[") {
					break
				}
				words = append(words, f)
			}
			// A line naming alternatives (grant|revoke) is checked for each.
			last := strings.Split(words[len(words)-1], "|")
			for _, alt := range last {
				cmd := append(slices.Clone(words[:len(words)-1]), alt)
				var out bytes.Buffer
				if err := dispatch(append(slices.Clone(cmd), "--help"), &out); err != nil {
					t.Errorf("%v --help: %v", cmd, err)
					continue
				}
				head, flags, _ := strings.Cut(out.String(), "\n\nflags:\n")
				inUsage := map[string]bool{}
				for _, f := range regexp.MustCompile(`--[a-z-]+`).FindAllString(head, -1) {
					inUsage[f] = true
				}
				defined := map[string]bool{}
				for _, f := range regexp.MustCompile(`(?m)^  (-[a-z-]+)`).FindAllStringSubmatch(flags, -1) {
					defined["-"+f[1]] = true
				}
				for _, f := range unlisted[strings.Join(cmd, " ")] {
					delete(defined, f)
				}
				for f := range defined {
					if !inUsage[f] {
						t.Errorf("%s takes %s, which its usage line %q does not name", strings.Join(cmd, " "), f, head)
					}
				}
				for f := range inUsage {
					if !defined[f] {
						t.Errorf("the usage line of %s names %s, which it does not take", strings.Join(cmd, " "), f)
					}
				}
			}
		}
	}
}

// A command that takes a subcommand answers a help request in its place
// with the usage lines of its subcommands, rather than failing on an
// unknown subcommand "--help".
func TestGroupHelpListsSubcommands(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"hub", "--help"}, []string{"hub serve --db", "hub user disable|enable --db", "hub backup --db"}},
		{[]string{"hub", "help"}, []string{"hub new-epoch --db"}},
		{[]string{"hub", "user", "--help"}, []string{"hub user add --db", "hub user grant|revoke --db", "hub user list --db"}},
		{[]string{"hub", "user", "-h"}, []string{"hub user passwd --db"}},
		{[]string{"audit", "--help"}, []string{"audit verify --db"}},
		{[]string{"report", "--help"}, []string{"report qa --db"}},
	} {
		var out bytes.Buffer
		if err := dispatch(c.args, &out); err != nil {
			t.Errorf("%v: %v", c.args, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), "\n  migrantdeskctl "+w) {
				t.Errorf("%v printed %q, without %q", c.args, out.String(), w)
			}
		}
		if c.args[1] == "user" && strings.Contains(out.String(), "hub serve") {
			t.Errorf("%v printed the other hub commands too: %q", c.args, out.String())
		}
	}
}
