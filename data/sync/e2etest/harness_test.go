package e2etest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/sync/client"
)

// Password is every test user's password.
const Password = "correct horse battery"

// commandTimeout bounds one migrantdeskctl run: generous, for a loaded
// two-core CI machine where one Argon2id hash takes most of a second.
const commandTimeout = 3 * time.Minute

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.pgDrop != nil {
		if err := bench.pgDrop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	for _, d := range []string{buildDir, bench.dir} {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

var (
	buildOnce gosync.Once
	buildDir  string
	ctlPath   string
	buildErr  error
)

// ctl is the migrantdeskctl binary, with migrantdeskctl-full beside it
// that runs the hub and sync commands it hands over, built once per test
// binary (pure Go, as they ship) on first use, so that tests which need
// none pay nothing.
func ctl(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "migrantdesk-e2e-"); buildErr != nil {
			return
		}
		ctlPath = filepath.Join(buildDir, "migrantdeskctl")
		for _, name := range []string{"migrantdeskctl", "migrantdeskctl-full"} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, name), "migrantdesk/cmd/"+name)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", name, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return ctlPath
}

// ran is what one migrantdeskctl run printed and how it exited.
type ran struct {
	stdout, stderr string
	code           int
}

func (r ran) String() string {
	return fmt.Sprintf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
}

// run runs migrantdeskctl with args and waits for it.
func run(tb testing.TB, args ...string) ran {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ctl(tb), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := ran{stdout: out.String(), stderr: errb.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		tb.Fatalf("migrantdeskctl %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// mustRun runs migrantdeskctl and fails the test unless it exits 0.
func mustRun(tb testing.TB, args ...string) string {
	tb.Helper()
	r := run(tb, args...)
	if r.code != 0 {
		tb.Fatalf("migrantdeskctl %s: %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// passwordFile writes Password to a file in dir.
func passwordFile(tb testing.TB, dir string) string {
	tb.Helper()
	p := filepath.Join(dir, "password")
	if err := os.WriteFile(p, []byte(Password+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// testHash is Password hashed with Argon2id at the lowest cost: the hub
// verifies a password with the parameters its hash names, so accounts
// made with it sign in in a millisecond instead of most of a second of a
// slow CI machine. TestHeadlessSync makes its users with `hub user add`
// and the real parameters.
var testHash = func() string {
	salt := []byte("e2etest-salt-16b")
	key := argon2.IDKey([]byte(Password), salt, 1, 64, 1, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=64,t=1,p=1$%s$%s", argon2.Version, b64.EncodeToString(salt), b64.EncodeToString(key))
}()

// accounts gives users of a hub database that no process serves the
// password Password (testHash).
func accounts(tb testing.TB, hubDB string, users ...data.User) {
	tb.Helper()
	h := openHubStore(tb, hubDB)
	defer h.Close()
	for _, u := range users {
		if err := h.SaveAccount(context.Background(), "e2etest", hub.Account{User: u, PasswordHash: testHash}); err != nil {
			tb.Fatal(err)
		}
	}
}

// hubProc is a running `migrantdeskctl hub serve`.
type hubProc struct {
	tb   testing.TB
	db   string
	addr string // host:port it listens on
	URL  string
	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{} // closed when the process has exited
	err  error         // its exit, once done is closed
}

// startHub serves db on addr (127.0.0.1:0 for any free port) and returns
// once the hub has printed the address it listens on. The test's end
// kills it if it still runs.
func startHub(tb testing.TB, db, addr string) *hubProc {
	tb.Helper()
	h := &hubProc{tb: tb, db: db, log: &lockedBuffer{}, done: make(chan struct{})}
	h.cmd = exec.Command(ctl(tb), "hub", "serve", "--db", db, "--addr", addr)
	h.cmd.Stderr = h.log
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := h.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		h.err = h.cmd.Wait()
		close(h.done)
	}()
	tb.Cleanup(func() {
		h.kill()
		if tb.Failed() {
			tb.Logf("hub log of %s:\n%s", db, h.log)
		}
	})
	line := make(chan string, 1)
	go func() {
		rd := bufio.NewReader(stdout)
		l, _ := rd.ReadString('\n')
		line <- l
		rd.WriteTo(h.log) // keep the pipe drained
	}()
	select {
	case l := <-line:
		_, u, ok := strings.Cut(strings.TrimSpace(l), " on ")
		if !ok {
			tb.Fatalf("hub serve printed %q, not its address; log:\n%s", l, h.log)
		}
		h.URL = u
		pu, err := url.Parse(u)
		if err != nil {
			tb.Fatal(err)
		}
		h.addr = pu.Host
	case <-time.After(commandTimeout):
		tb.Fatalf("hub serve printed no address; log:\n%s", h.log)
	}
	return h
}

// stop ends the hub as an administrator would (SIGTERM: requests in
// flight finish) and checks it exits cleanly.
func (h *hubProc) stop() {
	h.tb.Helper()
	h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.done:
	case <-time.After(commandTimeout):
		h.tb.Fatal("the hub did not stop on SIGTERM")
	}
	if h.err != nil {
		h.tb.Fatalf("the hub exited with %v; log:\n%s", h.err, h.log)
	}
}

// kill ends the hub at once, as a power cut would.
func (h *hubProc) kill() {
	h.cmd.Process.Signal(syscall.SIGKILL)
	<-h.done
}

// restart serves the same database on the same address again.
func (h *hubProc) restart() *hubProc {
	h.tb.Helper()
	return startHub(h.tb, h.db, h.addr)
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu gosync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// workstation is a client database file synced with migrantdeskctl as
// one user.
type workstation struct {
	tb       testing.TB
	db, user string
	pw       string // the password file
}

func newWorkstation(tb testing.TB, dir, user string) *workstation {
	return &workstation{tb: tb, db: filepath.Join(dir, user+".db"), user: user, pw: passwordFile(tb, dir)}
}

// summaryKeys are the keys `sync --json` prints, exactly (issue 9, item 8).
var summaryKeys = []string{"applied", "conflict", "cursor", "duplicate", "pulled", "pushed", "rejected"}

// syncArgs are the arguments of `migrantdeskctl sync` with the hub at u.
func (w *workstation) syncArgs(u string) []string {
	return []string{"sync", "--db", w.db, "--hub", u, "--user", w.user, "--password-file", w.pw, "--json"}
}

// trySync runs `migrantdeskctl sync --json` against the hub at u.
func (w *workstation) trySync(u string) (client.Summary, ran) {
	w.tb.Helper()
	r := run(w.tb, w.syncArgs(u)...)
	if r.code != 0 {
		return client.Summary{}, r
	}
	return decodeSummary(w.tb, r.stdout), r
}

// sync runs `migrantdeskctl sync --json` and fails the test unless it
// completes.
func (w *workstation) sync(u string) client.Summary {
	w.tb.Helper()
	s, r := w.trySync(u)
	if r.code != 0 {
		w.tb.Fatalf("sync of %s: %s", w.user, r)
	}
	return s
}

// decodeSummary reads `sync --json`'s one line, checking its keys are
// exactly the promised ones.
func decodeSummary(tb testing.TB, out string) client.Summary {
	tb.Helper()
	if strings.Count(strings.TrimSpace(out), "\n") != 0 {
		tb.Fatalf("sync --json printed more than one line: %q", out)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		tb.Fatalf("sync --json printed %q: %v", out, err)
	}
	got := make([]string, 0, len(keys))
	for k := range keys {
		got = append(got, k)
	}
	slices.Sort(got)
	if !slices.Equal(got, summaryKeys) {
		tb.Fatalf("sync --json printed keys %v, not %v", got, summaryKeys)
	}
	var s client.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		tb.Fatal(err)
	}
	return s
}
