// Command migrantdeskctl is the headless companion of the Migrant Desk app:
// demo data, extract imports, bulk migrant records, search, reports,
// reconciliation, the state hub and sync. It is pure Go (CGO_ENABLED=0)
// and needs no display.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/term"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// command is one subcommand. run gets the arguments after the command's
// name and writes its results to out.
type command struct {
	usage string
	run   func(args []string, out io.Writer) error
}

// commands is filled by the init functions of the files beside this one,
// one file per command.
var commands = map[string]command{}

// exiting is set when the process ends with the command, so that a
// read-only command may leave its database to the exit (see runSearch).
var exiting bool

func main() {
	exiting = true
	if err := dispatch(os.Args[1:], stdout()); err != nil {
		fmt.Fprintln(os.Stderr, "migrantdeskctl:", oneLine(err))
		os.Exit(1)
	}
}

func dispatch(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(out)
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		return fmt.Errorf("unknown command %q; run migrantdeskctl help for the list", args[0])
	}
	err := safely(args[0], func() error { return c.run(args[1:], out) })
	var help *helpRequest
	if errors.As(err, &help) {
		fmt.Fprintf(out, "usage: migrantdeskctl %s\n\nflags:\n", c.usage)
		help.fs.SetOutput(out)
		help.fs.PrintDefaults()
		return nil
	}
	return err
}

// safely runs a command, turning a panic into an error of one line: a
// person gets a sentence, never a stack trace. A database write under way
// is rolled back by the deferred calls the panic runs through.
func safely(name string, run func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s stopped on an internal error (%v); nothing more was done; please report this", name, r)
		}
	}()
	return run()
}

// helpRequest is what parse returns for -h or --help, so that dispatch can
// print the command's flags where its output goes.
type helpRequest struct{ fs *flag.FlagSet }

func (h *helpRequest) Error() string { return "help requested" }

func usage(out io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(out, "usage: migrantdeskctl COMMAND [flags]")
	for _, n := range names {
		fmt.Fprintf(out, "  %s\n", commands[n].usage)
	}
}

// oneLine keeps the exit message to the one line the spec promises.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// newFlags makes a flag set that reports errors instead of exiting, with
// the --db flag every command takes.
func newFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	db := fs.String("db", store.DefaultPath(), "database `FILE`")
	return fs, db
}

// parse parses flags, turning flag errors into one-line errors that name
// the command.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &helpRequest{fs}
		}
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	return nil
}

// actingUser is who a command acts as on a database: the user who last
// synced it with a hub (a coordinator's workstation stays a coordinator's
// on the command line), or on a standalone database the operator at the
// terminal (data.Operator).
func actingUser(ctx context.Context, st *store.Store) (data.User, error) {
	id, synced, err := st.Identity(ctx)
	if err != nil || !synced {
		return data.Operator(operator()), err
	}
	return id.User, nil
}

// operator names who runs the command, for the audit log.
func operator() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "migrantdeskctl"
}

// stderr is where a command says what is not its output: notices about
// the database and waits.
var stderr io.Writer = os.Stderr

// openStore opens the database for a command, saying on stderr what
// Open changed (a database others could read made private) and when a
// write waits for another process's.
func openStore(path string) (*store.Store, error) {
	st, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	showNotices(st)
	return st, nil
}

// showNotices tells what opening st changed, and sets what a write says
// while it waits for another process's.
func showNotices(st *store.Store) {
	for _, n := range st.Notices() {
		fmt.Fprintln(stderr, "migrantdeskctl:", n)
	}
	st.SetWaitNotice(func(msg string) { fmt.Fprintf(stderr, "migrantdeskctl: %s…\n", msg) }, 0)
}

// askPassword asks for a password at the terminal, twice, without showing
// it. It refuses when in is not a terminal: a password piped in would
// sit in a file or a shell's history, which --password-file makes explicit.
func askPassword(in *os.File, prompt io.Writer) (string, error) {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("--ask-password needs a terminal to type the password in; without one, put it in a file readable only by you and give --password-file FILE")
	}
	// Ctrl+C while echo is off would leave the terminal not showing what
	// is typed: put it back before the signal ends the command.
	if state, err := term.GetState(fd); err == nil {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
		done := make(chan struct{})
		defer func() { signal.Stop(stop); close(done) }()
		go func() {
			select {
			case <-stop:
				term.Restore(fd, state)
				fmt.Fprintln(prompt)
				os.Exit(130)
			case <-done:
			}
		}()
	}
	fmt.Fprint(prompt, "Password for the Detail workbook: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	fmt.Fprint(prompt, "The same password again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	switch {
	case len(first) == 0:
		return "", errors.New("no password was typed; nothing was written")
	case string(first) != string(second):
		return "", errors.New("the two passwords differ; nothing was written")
	}
	return string(first), nil
}

// readSecret reads a password from the first line of a file, so that it
// never appears on a command line (visible to every user in ps).
func readSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read the password file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("the password file %s is empty", path)
	}
	return line, nil
}
