// Package cli is what both migrantdeskctl programs share: the lean front
// (cmd/migrantdeskctl), which runs search and version itself, and the
// whole CLI beside it (cmd/migrantdeskctl-full), which runs every command.
// It holds the dispatch of a command line, the usage text of every
// command, and the search and version commands, so that the two programs
// print the same bytes for them. It must stay light: the front links it,
// and everything it imports is started before each search (see the test
// of cmd/migrantdeskctl that lists the front's dependencies).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"

	"migrantdesk/data/store"
)

// Run runs one command: it gets the arguments after the command's name and
// writes its results to out.
type Run func(args []string, out io.Writer) error

// Usages is the usage line of every command of migrantdeskctl, those the
// front hands to migrantdeskctl-full included: the front prints the list
// (migrantdeskctl help) without linking the commands, and a test of
// migrantdeskctl-full checks that it runs exactly these commands.
var Usages = map[string]string{
	"audit": "audit verify --db F|postgres://... [--db-password-file F]",
	"demo":  "demo --db F [--students N] [--seed S] [--today YYYY-MM-DD] [--csv DIR]  (--csv alone writes the extract CSVs and migrant_records.csv instead of a database; with --db, both)",
	"hub": "hub serve --db HUB.db|postgres://USER@HOST/DB --addr HOST:PORT [--tls-cert C --tls-key K] [--insecure] [--password-file F] [--trusted-proxy ADDR]...\n" +
		"  hub user add --db HUB.db|postgres://... [--db-password-file F] --username U --name \"Full Name\" --role clerk|coordinator|district_admin|state_admin [--region CODE] [--district NUM]... [--password-file P]\n" +
		"  hub user edit --db HUB.db|postgres://... [--db-password-file F] --username U [--name \"Full Name\"] [--role R] [--region CODE] [--district NUM]...\n" +
		"  hub user passwd --db HUB.db|postgres://... [--db-password-file F] --username U [--password-file P]\n" +
		"  hub user disable|enable --db HUB.db|postgres://... [--db-password-file F] --username U\n" +
		"  hub user grant|revoke --db HUB.db|postgres://... [--db-password-file F] --username U --district NUM\n" +
		"  hub user list --db HUB.db|postgres://... [--db-password-file F] [--json]\n" +
		"  hub migrate --from HUB.db --to postgres://USER@HOST/DB [--db-password-file F]\n" +
		"  hub backup --db HUB.db OUT.db\n" +
		"  hub new-epoch --db HUB.db|postgres://... [--db-password-file F]",
	"import":    "import --db F|postgres://USER@HOST/DB [--db-password-file F] [--problems FILE] DIR|FILE.xlsx",
	"migrant":   "migrant --db F RECORDS.csv [--publish] [--problems FILE]",
	"reconcile": "reconcile --db F --mis2000 FILE --out OUT.xlsx [--messages DIR] [--as-of D] [--region CODE] [--clerk NAME]",
	"report":    "report qa --db F --district NUM --from D --to D [--detail OUT.xlsx] [--aggregated OUT.pdf] [--password-file P | --ask-password]",
	"search":    "search --db F [--last L] [--first N] [--dob D] [--state-id I] [--gender G] [--district D] [--limit N] [--json]",
	"sync":      "sync --db LOCAL.db --hub URL --user U --password-file P [--new-hub] [--json]",
	"version":   "version",
}

// Notes says, after the flags in a command's --help, what its usage
// line cannot.
var Notes = map[string]string{
	"sync": "With Migrant Desk open on the database (it syncs the database itself while signed in), or another\n" +
		"sync of it running, sync does nothing and says so, on standard output, with exit status 0, as a\n" +
		"scheduled task that found the app left open has not failed (--json: {\"skipped\": \"...\"}).\n" +
		"Migrant Desk started during a sync waits for it, and the sync stops at once and lets it open (the\n" +
		"app syncs the database itself): nothing is lost, what was not sent the app sends. The sync says so,\n" +
		"with exit status 0 (--json: {\"stopped\": \"...\"}). An app waits up to 30 seconds for other commands.",
}

// Exiting is set when the process ends with the command, so that a
// read-only command may leave its database to the exit (see RunSearch).
var Exiting bool

// Commands returns a new map of the commands this package holds, to which
// a program adds those it runs besides.
func Commands() map[string]Run {
	return map[string]Run{"search": RunSearch, "version": RunVersion}
}

// Main runs the command line of the process among commands, and ends the
// process with the command's error if it fails.
func Main(commands map[string]Run, args []string) {
	Exiting = true
	if err := Dispatch(commands, args, Stdout()); err != nil {
		Fail(err)
	}
}

// IsHelp tells whether a command line asks for the list of commands.
func IsHelp(args []string) bool {
	return len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help"
}

// Dispatch runs the command named by args[0] among commands, or prints the
// list of all commands.
func Dispatch(commands map[string]Run, args []string, out io.Writer) error {
	if IsHelp(args) {
		usage(out)
		return nil
	}
	run, ok := commands[args[0]]
	if !ok {
		return UnknownCommand(args[0])
	}
	if groupHelp(args, out) {
		return nil
	}
	err := safely(args[0], func() error { return run(args[1:], out) })
	var help *helpRequest
	if errors.As(err, &help) {
		fmt.Fprintf(out, "usage: migrantdeskctl %s\n\nflags:\n", usageOf(args[0], help.fs.Name()))
		help.fs.SetOutput(out)
		help.fs.PrintDefaults()
		if note := Notes[args[0]]; note != "" {
			fmt.Fprintf(out, "\n%s\n", note)
		}
		return nil
	}
	return err
}

// usageOf is the usage line of the command a flag set named name parses:
// of a command with subcommands (hub), the line of that subcommand, so
// that "hub backup --help" does not head its flags with hub serve's usage.
func usageOf(command, name string) string {
	words := strings.Fields(name)
	for _, line := range strings.Split(Usages[command], "\n") {
		if names(strings.Fields(line), words) {
			return strings.TrimSpace(line)
		}
	}
	return Usages[command]
}

// groupHelp prints the usage lines of a command that takes a subcommand
// (hub, hub user, audit, report) when a help request stands where the
// subcommand should, and says whether it did: "hub user --help" is an
// operator asking what hub user does, not a subcommand named --help.
func groupHelp(args []string, out io.Writer) bool {
	i := slices.IndexFunc(args, func(a string) bool { return strings.HasPrefix(a, "-") || a == "help" })
	if i < 0 || !slices.Contains([]string{"help", "-h", "-help", "--help"}, args[i]) {
		return false
	}
	words := args[:i]
	var lines []string
	for _, line := range strings.Split(Usages[words[0]], "\n") {
		fields := strings.Fields(line)
		if names(fields, words) && len(commandWords(fields)) > len(words) {
			lines = append(lines, strings.Join(fields, " "))
		}
	}
	if len(lines) == 0 {
		return false
	}
	fmt.Fprintln(out, "usage:")
	for _, l := range lines {
		fmt.Fprintf(out, "  migrantdeskctl %s\n", l)
	}
	fmt.Fprintf(out, "\nmigrantdeskctl %s SUBCOMMAND --help prints a subcommand's flags.\n", strings.Join(words, " "))
	return true
}

// commandWords are the leading fields of a usage line that name its
// command and subcommands, before its first flag or argument.
func commandWords(fields []string) []string {
	i := slices.IndexFunc(fields, func(f string) bool { return strings.HasPrefix(f, "-") || strings.HasPrefix(f, "[") })
	if i < 0 {
		return fields
	}
	return fields[:i]
}

// names tells whether a usage line's first fields name the command words,
// a field such as add|edit naming each of its alternatives.
func names(fields, words []string) bool {
	if len(fields) < len(words) {
		return false
	}
	for i, w := range words {
		if !slices.Contains(strings.Split(fields[i], "|"), w) {
			return false
		}
	}
	return true
}

// UnknownCommand is the error for a command line that names no command.
func UnknownCommand(name string) error {
	return fmt.Errorf("unknown command %q; run migrantdeskctl help for the list", name)
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

// helpRequest is what Parse returns for -h or --help, so that Dispatch can
// print the command's flags where its output goes.
type helpRequest struct{ fs *flag.FlagSet }

func (h *helpRequest) Error() string { return "help requested" }

func usage(out io.Writer) {
	names := make([]string, 0, len(Usages))
	for n := range Usages {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(out, "usage: migrantdeskctl COMMAND [flags]")
	for _, n := range names {
		fmt.Fprintf(out, "  %s\n", Usages[n])
	}
}

// Fail ends the process on a command's error, with the one line the spec
// promises.
func Fail(err error) {
	fmt.Fprintln(os.Stderr, "migrantdeskctl:", OneLine(err))
	os.Exit(1)
}

// OneLine keeps the exit message to the one line the spec promises.
func OneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// NewFlags makes a flag set that reports errors instead of exiting, with
// the --db flag every command takes.
func NewFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	db := fs.String("db", store.DefaultPath(), "database `FILE`")
	return fs, db
}

// Parse parses flags, turning flag errors into one-line errors that name
// the command.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &helpRequest{fs}
		}
		if near := nearFlag(fs, err); near != "" {
			return fmt.Errorf("%s: %w; this command's is --%s (see %s --help)", fs.Name(), err, near, fs.Name())
		}
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	if db := fs.Lookup("db"); db != nil && connString(db.Value.String()) {
		return fmt.Errorf("%s: --db is a PostgreSQL connection string of keywords (host=... dbname=...), which this program does not read: "+
			"write it as a URL, postgres://USER@HOST/DATABASE?sslmode=verify-full, with the password in a file (see --help), or in %s", fs.Name(), PgpassPlaces(runtime.GOOS))
	}
	for _, name := range []string{"db", "to"} {
		if f := fs.Lookup(name); f != nil && urlPassword(f.Value.String()) {
			fmt.Fprintf(Stderr, "migrantdeskctl: %s: the --%s URL holds a password, which every user of this computer can read in the list of processes while the command runs; "+
				"take it out of the URL and put it in a password file (see --help), or in %s\n", fs.Name(), name, PgpassPlaces(runtime.GOOS))
		}
	}
	return nil
}

// urlPassword reports whether the PostgreSQL URL db holds a password, in
// its user part or its query. The commands hide it in what they print,
// but a command line is every local user's to read, which is why no
// command takes a password as a flag.
func urlPassword(db string) bool {
	if !IsPostgres(db) {
		return false
	}
	u, err := url.Parse(db)
	if err != nil {
		return false
	}
	_, inUser := u.User.Password()
	return inUser || u.Query().Has("password")
}

// connString reports whether db, when no file is at it, is libpq's
// keyword/value form of a connection string, which a database
// administrator may write out of habit: taken for a SQLite path, it was shown, password and all, in
// "there is no hub database at ...", or made into a file of that name.
func connString(db string) bool {
	if _, err := os.Stat(db); err == nil {
		return false
	}
	for _, f := range strings.Fields(db) {
		key, _, ok := strings.Cut(f, "=")
		if ok && slices.Contains(connKeywords, key) {
			return true
		}
	}
	return false
}

// connKeywords are the keywords of libpq connection strings that name
// where and as whom to connect, one of which any such string holds.
var connKeywords = []string{"host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service", "sslmode"}

// nearFlag names the command's flag that an undefined one given (err)
// holds or is part of, the longest such: hub serve takes the database's
// password with --password-file, the other PostgreSQL commands with
// --db-password-file, and the one is given to the other out of habit.
func nearFlag(fs *flag.FlagSet, err error) string {
	given, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok {
		return ""
	}
	given = strings.TrimPrefix(given, "-")
	near := ""
	fs.VisitAll(func(f *flag.Flag) {
		if (strings.Contains(given, f.Name) || strings.Contains(f.Name, given)) && len(f.Name) > len(near) {
			near = f.Name
		}
	})
	return near
}

// Stderr is where a command says what is not its output: notices about
// the database and waits.
var Stderr io.Writer = os.Stderr

// IsPostgres reports whether --db names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// StoreFile refuses a PostgreSQL URL as the --db of the command cmd,
// which works on a database file: taken for a path, the URL would be made
// into folders named after its parts, its password among them, and shown
// in messages. On Windows it refuses a name kept for a device too
// (store.DeviceName), before the command reads or writes anything.
func StoreFile(cmd, db string) error {
	if IsPostgres(db) {
		return fmt.Errorf("%s: --db names a PostgreSQL database, and this command works on a database file (a workstation's, or a SQLite hub's); name it with --db FILE", cmd)
	}
	if err := store.DeviceName(db); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	return nil
}

// OpenStore opens the database for a command, saying on Stderr what
// Open changed (a database others could read made private) and when a
// write waits for another process's.
func OpenStore(ctx context.Context, path string) (*store.Store, error) {
	if IsPostgres(path) {
		return nil, errors.New("--db names a PostgreSQL database, not a database file; name a file with --db FILE")
	}
	st, err := store.OpenContext(ctx, path)
	if err != nil {
		return nil, err
	}
	ShowNotices(st)
	return st, nil
}

// ShowNotices tells what opening st changed, and sets what a write says
// while it waits for another process's.
func ShowNotices(st *store.Store) {
	for _, n := range st.Notices() {
		fmt.Fprintln(Stderr, "migrantdeskctl:", n)
	}
	st.SetWaitNotice(func(msg string) {
		if msg == store.WaitMessage {
			msg += "…"
		}
		fmt.Fprintf(Stderr, "migrantdeskctl: %s\n", msg)
	}, 0)
}
