package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"migrantdesk/data/hub/pghub/pgtest"
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

// onBackEnd returns the hub to run commands on, of the back end be: the
// SQLite hub file, or a PostgreSQL database it is moved to; and a reader
// of the rows query q gives there.
func onBackEnd(t *testing.T, be, file, q string) (string, func() []string) {
	t.Helper()
	if be != "PostgreSQL" {
		return file, func() []string { return query(t, file, q) }
	}
	db := pgtest.URL(t)
	if _, err := run(t, "hub", "migrate", "--from", file, "--to", db); err != nil {
		t.Fatal(err)
	}
	return db, func() []string { return pgQuery(t, db, q) }
}

// hub user edit keeps a disabled user disabled, and hub user disable and
// passwd are each a row of the hub's audit log saying who did what (never
// the password's hash), on SQLite and on PostgreSQL; the log verifies.
func TestHubUserDisableKeptAndAudited(t *testing.T) {
	for _, be := range []string{"SQLite", "PostgreSQL"} {
		t.Run(be, func(t *testing.T) {
			file := hubWithUser(t, "--username", "wes", "--name", "Wes Long", "--role", "clerk", "--region", "01")
			pw := filepath.Join(filepath.Dir(file), "pw")
			db, auditRows := onBackEnd(t, be, file, `SELECT username || ' ' || action || ' ' || entity_id || ' [' || after || ']' FROM audit
				WHERE entity = 'user' AND action <> 'save' ORDER BY seq`)
			for _, args := range [][]string{{"passwd", "--password-file", pw}, {"disable"}, {"edit", "--name", "Wesley Long"}} {
				if _, err := run(t, append([]string{"hub", "user", args[0], "--db", db, "--username", "wes"}, args[1:]...)...); err != nil {
					t.Fatalf("hub user %s: %v", args[0], err)
				}
			}
			out, err := run(t, "hub", "user", "list", "--db", db)
			if err != nil {
				t.Fatal(err)
			}
			if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "wes Wesley Long Regional data clerk 01 disabled") {
				t.Errorf("after hub user edit --name of a disabled user:\n%s", out)
			}
			me := operator()
			if got, want := auditRows(), []string{me + " change password wes []", me + " disable wes []"}; !slices.Equal(got, want) {
				t.Errorf("the hub's audit log of wes's account: %q, want %q", got, want)
			}
			if be == "SQLite" {
				if out, err := run(t, "audit", "verify", "--db", file); err != nil {
					t.Errorf("audit verify: %v\n%s", err, out)
				}
			}
		})
	}
}

// hub user takes a user name in its clean form (trimmed, composed): a name
// that reads as one taken, or differs from one only in case, is not added
// beside it, and the other commands find the account however it is typed.
func TestHubUserNameForms(t *testing.T) {
	file := hubWithUser(t, "--username", "jos\u00e9 ", "--name", "José Ruiz", "--role", "clerk", "--region", "01")
	pw := filepath.Join(filepath.Dir(file), "pw")
	for name, says := range map[string]string{
		"jose\u0301": "user josé exists already; use hub user passwd",
		"JOSÉ":       "user JOSÉ exists already, as josé: user names must differ in more than case",
		"ana\u0000":  "the user name: character 4 is a control character (U+0000)",
	} {
		_, err := run(t, "hub", "user", "add", "--db", file, "--username", name, "--name", "Someone", "--role", "clerk",
			"--region", "01", "--password-file", pw)
		if err == nil || !strings.Contains(err.Error(), says) {
			t.Errorf("hub user add %q: %v, want %q", name, err, says)
		}
	}
	out, err := run(t, "hub", "user", "edit", "--db", file, "--username", " jose\u0301", "--name", "José Ruiz Díaz")
	if err != nil || !strings.Contains(out, "changed josé (José Ruiz Díaz") {
		t.Errorf("hub user edit of a decomposed name: %q, %v", out, err)
	}
	if got := query(t, file, `SELECT username FROM users`); !slices.Equal(got, []string{"jos\u00e9"}) {
		t.Errorf("users: %q", got)
	}
}

// startLog opens the hub at db as its commands do and returns the lines
// reportOpening logs, each its level and message.
func startLog(t *testing.T, db string) []map[string]string {
	t.Helper()
	h, err := openHub(context.Background(), db, "")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var log bytes.Buffer
	reportOpening(h, slog.New(slog.NewJSONHandler(&log, nil)))
	var lines []map[string]string
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		if l == "" {
			continue
		}
		var line map[string]string
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, map[string]string{"level": line["level"], "msg": line["msg"]})
	}
	return lines
}

// A hub that makes the key of its sync cursors in a database an earlier
// release served warns, at that start only, that a copy restored from
// before it needs hub new-epoch; a new hub does not.
func TestHubWarnsOfMadeKey(t *testing.T) {
	file := hubWithUser(t, "--username", "maria", "--name", "María Ruiz", "--role", "clerk", "--region", "01")
	if lines := startLog(t, file); len(lines) != 0 {
		t.Fatalf("a new hub's start logged %q", lines)
	}
	query(t, file, `DELETE FROM hub_meta WHERE key = 'cursor_key'`)
	if lines := startLog(t, file); len(lines) != 1 || lines[0]["level"] != "WARN" || !strings.Contains(lines[0]["msg"], "hub new-epoch") {
		t.Fatalf("the start that made the key logged %q", lines)
	}
	if lines := startLog(t, file); len(lines) != 0 {
		t.Fatalf("the start after logged %q", lines)
	}
}

// A hub that opens a database where an older hub kept accounts under
// unclean names says, in its log, which it renamed and which it left as
// they were (their clean name taken), and what the operator can do; the
// next start says again only what it left.
func TestHubReportsUncleanNames(t *testing.T) {
	file := hubWithUser(t, "--username", "maria", "--name", "María Ruiz", "--role", "clerk", "--region", "01")
	for _, name := range []string{"maria ", "jose\u0301"} {
		query(t, file, `INSERT INTO users(username, full_name, role, region_code) VALUES(?, 'Someone', 'clerk', '01')`, name)
	}
	lines := startLog(t, file)
	if len(lines) != 2 || lines[0]["level"] != "INFO" || !strings.HasPrefix(lines[0]["msg"], `user "jose\u0301", kept by an older hub`) ||
		!strings.Contains(lines[0]["msg"], `was renamed "jos\u00e9"`) {
		t.Fatalf("the first start logged %q", lines)
	}
	left := []map[string]string{{"level": "WARN", "msg": `user "maria ", kept by an older hub under a name that is not in its clean form, ` +
		`was not renamed to "maria": it would be the same account as user "maria"`}}
	check := func(lines []map[string]string) {
		t.Helper()
		if len(lines) != 1 || lines[0]["level"] != left[0]["level"] || !strings.HasPrefix(lines[0]["msg"], left[0]["msg"]) ||
			!strings.Contains(lines[0]["msg"], "hub user add") {
			t.Errorf("logged %q, want %q", lines, left)
		}
	}
	check(lines[1:])
	check(startLog(t, file))
	if got := query(t, file, `SELECT username FROM users ORDER BY username`); !slices.Equal(got, []string{"jos\u00e9", "maria", "maria "}) {
		t.Errorf("users after the starts: %q", got)
	}
}

// hub serve on an address another program listens on (the hub already
// serving, started again by hand) says so and what to do, rather than
// "bind: address already in use" alone.
func TestHubServeNamesATakenAddress(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows reports a taken address by another error number")
	}
	file := hubWithUser(t, "--username", "kim", "--name", "Kim Lee", "--role", "state_admin")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	_, err = run(t, "hub", "serve", "--db", file, "--addr", addr)
	if want := "another program listens on " + addr + " already"; err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "give another --addr") {
		t.Errorf("hub serve on a taken address: %v, want %q", err, want)
	}
}

// hub serve, like the other hub commands, refuses a SQLite hub path with
// nothing at it (a mistyped path, a volume not mounted yet) instead of
// serving an empty hub made there, which no one can sign in to.
func TestHubServeNeedsAHub(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "hub.db")
	done := make(chan error, 1)
	go func() {
		_, err := run(t, "hub", "serve", "--db", missing, "--addr", "127.0.0.1:0")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "there is no hub database at "+missing) {
			t.Errorf("hub serve of a missing file: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("hub serve serves a hub database it made at a path where there was none")
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("hub serve left a file at the missing path: %v", err)
	}
}

// A flag a hub command would take and ignore is refused: hub user list
// shows every account whatever --username says, and hub migrate names its
// two databases with --from and --to, not --db.
func TestHubRefusesFlagsItWouldIgnore(t *testing.T) {
	file := hubWithUser(t, "--username", "cora", "--name", "Cora Díaz", "--role", "state_admin")
	for flagName, args := range map[string][]string{
		"username": {"hub", "user", "list", "--db", file, "--username", "cora"},
		"db":       {"hub", "migrate", "--db", file, "--from", file, "--to", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"},
	} {
		if _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), "not defined: -"+flagName) {
			t.Errorf("%v: %v, want --%s refused", args, err, flagName)
		}
	}
}

// hub migrate names a --from with nothing at it as the operator's typo,
// before it reaches PostgreSQL, rather than as a failed stat after.
func TestHubMigrateNamesAMissingSQLiteHub(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "HUB-typo.db")
	_, err := run(t, "hub", "migrate", "--from", missing, "--to", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err == nil || !strings.Contains(err.Error(), "there is no SQLite hub at "+missing+"; name the stopped hub's database file with --from FILE") {
		t.Errorf("hub migrate of a missing file: %v", err)
	}
}

// A hub file others could read is made private when a hub command opens
// it, and the command says so, as a workstation's does (README, Database
// file).
func TestHubSaysItTightenedItsFile(t *testing.T) {
	file := hubWithUser(t, "--username", "maria", "--name", "María Ruiz", "--role", "state_admin")
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	lines := startLog(t, file)
	if len(lines) != 1 || lines[0]["level"] != "WARN" || !strings.Contains(lines[0]["msg"], "could be read by other users of this computer (mode 0644); it is now readable by you only (0600)") {
		t.Errorf("opening a hub file of mode 0644 logged %q", lines)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the hub file after: %v, %v", fi, err)
	}
}

// What the hub's HTTP server logs of itself, such as a workstation that
// refused its certificate, is a JSON line as the request lines are.
func TestHubServerLogsAsJSON(t *testing.T) {
	var log lockedBuffer
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config = httpServer(http.NotFoundHandler(), slog.New(slog.NewJSONHandler(&log, nil)))
	srv.StartTLS()
	defer srv.Close()
	// A client that does not trust the certificate ends the handshake.
	if _, err := http.Get(srv.URL); err == nil {
		t.Fatal("a client trusted the test server's certificate")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(log.String(), "TLS handshake error") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		var line map[string]any
		if err := json.Unmarshal([]byte(l), &line); err != nil || line["level"] != "WARN" || !strings.Contains(fmt.Sprint(line["msg"]), "TLS handshake error") {
			t.Errorf("the server logged %q (%v)", l, err)
		}
	}
}

// hub new-epoch and hub backup, which open the hub file as every hub
// command does, say so too when they make it private.
func TestHubOperationsSayTheyTightenedTheFile(t *testing.T) {
	for _, op := range []string{"new-epoch", "backup"} {
		t.Run(op, func(t *testing.T) {
			file := hubWithUser(t, "--username", "maria", "--name", "María Ruiz", "--role", "state_admin")
			if err := os.Chmod(file, 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"hub", op, "--db", file}
			if op == "backup" {
				args = append(args, filepath.Join(t.TempDir(), "copy.db"))
			}
			said := stderrOf(t, func() {
				if _, err := run(t, args...); err != nil {
					t.Fatal(err)
				}
			})
			if !strings.Contains(said, "could be read by other users of this computer (mode 0644); it is now readable by you only (0600)") {
				t.Errorf("hub %s on a hub file of mode 0644 said %q", op, said)
			}
			if strings.Contains(said, "start a new epoch") {
				t.Errorf("hub %s advised a new epoch: %q", op, said)
			}
		})
	}
}

// stderrOf is what f writes to the process's standard error.
func stderrOf(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	defer func() { os.Stderr = saved }()
	said := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		said <- string(b)
	}()
	f()
	w.Close()
	return <-said
}

// A hub user add refused on a path with no hub leaves nothing there: an
// empty hub file would start serving with no one able to sign in.
func TestRefusedFirstAccountLeavesNoHubFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "hub.db")
	_, err := run(t, "hub", "user", "add", "--db", file, "--username", "rosa", "--name", "Rosa Díaz",
		"--role", "clerk", "--region", "01", "--password-file", filepath.Join(dir, "no-such-file"))
	if err == nil {
		t.Fatal("hub user add with a missing password file went through")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused hub user add left %v in the folder", entries)
	}
	pw := filepath.Join(dir, "pw")
	writeTestFile(t, pw, "correct horse battery\n")
	if _, err := run(t, "hub", "user", "add", "--db", file, "--username", "rosa", "--name", "Rosa Díaz",
		"--role", "state_admin", "--password-file", pw); err != nil {
		t.Fatal(err)
	}
	// An existing hub keeps its file whatever a later command's fate.
	if _, err := run(t, "hub", "user", "add", "--db", file, "--username", "rosa", "--name", "Rosa Díaz",
		"--role", "state_admin", "--password-file", pw); err == nil {
		t.Fatal("a second rosa was added")
	}
	if _, err := os.Stat(file); err != nil {
		t.Errorf("the hub file after a refused add: %v", err)
	}
}

// A TLS certificate or key hub serve cannot read stops it before it says
// it serves, naming both files and their flags: read as it began to
// serve, a missing key stopped it right after "hub serving ... on
// https://", with only "open FILE: no such file or directory".
func TestHubServeTLSFilesReadFirst(t *testing.T) {
	file := hubWithUser(t, "--username", "rosa", "--name", "Rosa Delgado", "--role", "clerk", "--region", "01")
	dir := t.TempDir()
	cert, missing := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeTestFile(t, cert, "not a certificate\n")
	out, err := run(t, "hub", "serve", "--db", file, "--addr", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", missing)
	if err == nil || !strings.Contains(err.Error(), cert+" (--tls-cert)") || !strings.Contains(err.Error(), missing+" (--tls-key)") {
		t.Errorf("hub serve with a missing key: %v", err)
	}
	if strings.Contains(out, "hub serving") {
		t.Errorf("hub serve said it served before it read its certificate:\n%s", out)
	}
}

// A TLS private key every user of the computer may read lets any of them
// pass for the hub and collect the passwords workstations send it: hub
// serve refuses it, as it refuses such a password file, before it
// serves; a key its group may read (Debian's ssl-cert) is served.
func TestHubServeRefusesAKeyEveryoneReads(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps no mode bits")
	}
	file := hubWithUser(t, "--username", "rosa", "--name", "Rosa Delgado", "--role", "clerk", "--region", "01")
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeTestFile(t, cert, "not a certificate\n")
	writeTestFile(t, key, "not a key\n")
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "hub", "serve", "--db", file, "--addr", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key)
	if err == nil || !strings.Contains(err.Error(), "the TLS private key (--tls-key) "+key+" can be read by every user") ||
		!strings.Contains(err.Error(), "chmod 600 "+key) || strings.Contains(out, "hub serving") {
		t.Errorf("hub serve with a key of mode 0644: %v\n%s", err, out)
	}
	if err := os.Chmod(key, 0o640); err != nil {
		t.Fatal(err)
	}
	// Past the mode, the key is read (and this one refused as no key).
	if _, err := run(t, "hub", "serve", "--db", file, "--addr", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key); err == nil ||
		strings.Contains(err.Error(), "every user") || !strings.Contains(err.Error(), "(--tls-key)") {
		t.Errorf("hub serve with a key of mode 0640: %v", err)
	}
}

// hub serve takes the database password with --password-file, the other
// PostgreSQL commands with --db-password-file: given the other's, each
// names its own.
func TestUndefinedFlagNamesTheNearOne(t *testing.T) {
	for _, c := range []struct {
		args []string
		near string
	}{
		{[]string{"hub", "serve", "--db-password-file", "pw"}, "this command's is --password-file (see hub serve --help)"},
		{[]string{"import", "--password-file", "pw", "extract"}, "this command's is --db-password-file (see import --help)"},
		{[]string{"hub", "user", "list", "--password-file", "pw"}, "this command's is --db-password-file (see hub user list --help)"},
	} {
		_, err := run(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), "flag provided but not defined") || !strings.Contains(err.Error(), c.near) {
			t.Errorf("%v: %v, want %q", c.args, err, c.near)
		}
	}
	if _, err := run(t, "hub", "serve", "--colour"); err == nil || strings.Contains(err.Error(), "this command's is") {
		t.Errorf("a flag like none of the command's: %v", err)
	}
}

// hub user grant, revoke, disable, enable and edit say what they
// changed, and what they found done already; passwd of a disabled user says that the
// user still cannot sign in: a revoke of a grant the user does not hold (a
// mistyped district) fails naming the grants they do hold, with nothing
// written to the audit log, rather than report a revocation while the
// grant meant stays. hub user list shows the grants. On both back ends.
func TestHubUserGrantSaysWhatItChanged(t *testing.T) {
	for _, be := range []string{"SQLite", "PostgreSQL"} {
		t.Run(be, func(t *testing.T) {
			file := hubWithUser(t, "--username", "cora", "--name", "Cora Díaz", "--role", "coordinator", "--district", "0042", "--district", "0107")
			db, auditRows := onBackEnd(t, be, file, `SELECT action || ' ' || entity_id || ' [' || after || ']' FROM audit
				WHERE entity = 'user' AND action <> 'save' ORDER BY seq`)
			user := func(args ...string) (string, error) {
				return run(t, append([]string{"hub", "user", args[0], "--db", db, "--username", "cora"}, args[1:]...)...)
			}
			for _, c := range []struct {
				args     []string
				says     string
				refusing bool
			}{
				{[]string{"grant", "--district", "0042"}, "granted cora the QA Migrant report of district 0042", false},
				{[]string{"grant", "--district", "0042"}, "cora may run the QA Migrant report of district 0042 already; nothing changed", false},
				{[]string{"revoke", "--district", "0107"}, "cora holds no grant of the QA Migrant report of district 0107 (they hold those of 0042); nothing revoked", true},
				{[]string{"revoke", "--district", "0042"}, "revoked cora the QA Migrant report of district 0042", false},
				{[]string{"revoke", "--district", "0042"}, "(they hold none); nothing revoked", true},
				{[]string{"grant", "--district", "0107"}, "granted cora the QA Migrant report of district 0107", false},
				{[]string{"disable"}, "disabled cora; their sign-ins have ended", false},
				{[]string{"disable"}, "cora is disabled already; nothing changed", false},
				{[]string{"passwd", "--password-file", filepath.Join(filepath.Dir(file), "pw")}, "cora is disabled and still cannot sign in: hub user enable --username cora lets them", false},
				{[]string{"enable"}, "enabled cora: they sign in with the password they had", false},
				{[]string{"enable"}, "cora is enabled already; nothing changed", false},
				{[]string{"edit", "--name", "Cora Díaz"}, "cora is Cora Díaz (District coordinator, ", false},
				{[]string{"edit", "--district", "0107", "--district", "0042"}, ") already; nothing changed", false},
			} {
				out, err := user(c.args...)
				said := out
				if c.refusing {
					if err == nil {
						t.Errorf("%v was not refused: %q", c.args, out)
						continue
					}
					said = err.Error()
				} else if err != nil {
					t.Errorf("%v: %v", c.args, err)
					continue
				}
				if !strings.Contains(said, c.says) {
					t.Errorf("%v said %q, want %q", c.args, said, c.says)
				}
			}
			want := []string{"grant report cora [QA Migrant report, district 0042]", "revoke report cora [QA Migrant report, district 0042]",
				"grant report cora [QA Migrant report, district 0107]", "disable cora []", "change password cora []", "enable cora []"}
			if got := auditRows(); !slices.Equal(got, want) {
				t.Errorf("the hub's audit log of cora's account: %q, want %q", got, want)
			}
			out, err := run(t, "hub", "user", "list", "--db", db)
			if err != nil {
				t.Fatal(err)
			}
			if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "WHERE REPORT STATE") ||
				!strings.Contains(flat, "cora Cora Díaz District coordinator 0042,0107 0107 active") {
				t.Errorf("hub user list:\n%s", out)
			}
			out, err = run(t, "hub", "user", "list", "--db", db, "--json")
			if err != nil {
				t.Fatal(err)
			}
			var rows []struct {
				Username     string   `json:"username"`
				ReportGrants []string `json:"report_grants"`
			}
			if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 || !slices.Equal(rows[0].ReportGrants, []string{"0107"}) {
				t.Errorf("hub user list --json: %v\n%s", err, out)
			}
		})
	}
}

// The hub's audit row of an added user keeps the full name apart from
// where the user works, as the workstation's does.
func TestHubUserAuditRowSeparatesNameAndPlace(t *testing.T) {
	file := hubWithUser(t, "--username", "ana", "--name", "Ana Cruz", "--role", "district_admin", "--district", "0042")
	if got := query(t, file, `SELECT after FROM audit WHERE action = 'save' AND entity_id = 'ana'`); !slices.Equal(got, []string{`district_admin "Ana Cruz", district 0042`}) {
		t.Errorf("the hub's audit row of the added user: %q", got)
	}
}

// A user's region or district that the hub's extract does not have is
// refused saying what the extract has: its regions, or the district a
// number typed without its leading zeros means. Before any extract, it
// says to import one first.
func TestHubUserAddNamesWhatTheExtractHas(t *testing.T) {
	file := hubWithUser(t, "--username", "kim", "--name", "Kim Lee", "--role", "state_admin")
	pw := filepath.Join(filepath.Dir(file), "pw")
	for _, c := range []struct {
		flags []string
		says  string
	}{
		{[]string{"--role", "clerk", "--region", "1"}, "there is no region 1 in the state's extract; its regions are 01, 02"},
		{[]string{"--role", "coordinator", "--district", "42"}, "there is no district 42 in the state's extract; district numbers are written as the extract writes them: did you mean 0042?"},
		{[]string{"--role", "district_admin", "--district", "0999"}, "there is no district 0999 in the state's extract; name one of the 2 districts of its districts.csv"},
	} {
		args := append([]string{"hub", "user", "add", "--db", file, "--username", "ana", "--name", "Ana Cruz", "--password-file", pw}, c.flags...)
		if _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v: %v, want %q", c.flags, err, c.says)
		}
	}
	empty := filepath.Join(t.TempDir(), "hub.db")
	if _, err := run(t, "hub", "user", "add", "--db", empty, "--username", "kim", "--name", "Kim Lee", "--role", "state_admin", "--password-file", pw); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "hub", "user", "add", "--db", empty, "--username", "ana", "--name", "Ana Cruz", "--role", "clerk", "--region", "01", "--password-file", pw); err == nil ||
		!strings.Contains(err.Error(), "import the state extract into the hub before adding") {
		t.Errorf("a clerk added to a hub with no extract: %v", err)
	}
}

// hub new-epoch sends every workstation to a fresh snapshot: the hub's
// audit log says who did it and when, as it does of an import, and
// still verifies. On both back ends.
func TestHubNewEpochIsAudited(t *testing.T) {
	for _, be := range []string{"SQLite", "PostgreSQL"} {
		t.Run(be, func(t *testing.T) {
			file := hubWithUser(t, "--username", "kim", "--name", "Kim Lee", "--role", "state_admin")
			db, auditRows := onBackEnd(t, be, file, `SELECT username || ' ' || action || ' ' || entity || ' ' || entity_id FROM audit
				WHERE action = 'new epoch' ORDER BY seq`)
			out, err := run(t, "hub", "new-epoch", "--db", db)
			if err != nil {
				t.Fatal(err)
			}
			epoch, _, _ := strings.Cut(strings.TrimPrefix(out, "New epoch "), ":")
			if got, want := auditRows(), []string{operator() + " new epoch hub " + epoch}; !slices.Equal(got, want) {
				t.Errorf("the hub's audit log of the new epoch: %q, want %q", got, want)
			}
			if out, err := run(t, "audit", "verify", "--db", db); err != nil {
				t.Errorf("audit verify after a new epoch: %v\n%s", err, out)
			}
		})
	}
}
