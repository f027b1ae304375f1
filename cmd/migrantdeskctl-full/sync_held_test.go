package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// TestSyncLeavesAHeldDatabase: a sync started while Migrant Desk has its
// database open, or while another sync works on it, touches nothing of
// it, its outbox above all, and says so with exit status 0, as a
// scheduled task that found the app left open has not failed; with the
// database free, it syncs as before. The app, the other sync and the
// command are each a process of their own.
func TestSyncLeavesAHeldDatabase(t *testing.T) {
	ctl := fullProgram(t)
	_, args := syncHub(t)
	db := args[2]
	st := oneToSend(t, args)
	pending := func() int { return storetest.CountRows(t, st).Pending }
	for _, c := range []struct{ holder, by, said string }{
		{"the app", "", "Migrant Desk is open on " + db + " and syncs it itself while signed in; nothing done\n"},
		{"another sync", "migrantdeskctl sync", "migrantdeskctl sync (process "},
	} {
		release := holdIn(t, db, c.by)
		out, errOut, err := runCtl(ctl, args...)
		release()
		if err != nil || !strings.Contains(out, c.said) || errOut != "" {
			t.Errorf("with %s holding the database, sync exited with %v and said:\n%s%s", c.holder, err, out, errOut)
		}
		if n := pending(); n != 1 {
			t.Errorf("with %s holding the database, the sync left %d changes in the outbox, not the one", c.holder, n)
		}
	}
	release := holdIn(t, db, "")
	out, _, err := runCtl(ctl, append(args, "--json")...)
	release()
	if want := `{"skipped":"Migrant Desk is open on ` + db; err != nil || !strings.HasPrefix(out, want) {
		t.Errorf("--json, with the app holding the database: %v, %s", err, out)
	}

	out, errOut, err := runCtl(ctl, args...)
	if err != nil || !strings.Contains(out, "synced "+db) || !strings.Contains(out, "pushed 1 (applied 1") {
		t.Errorf("with the database free, sync exited with %v and said:\n%s%s", err, out, errOut)
	}
	if n := pending(); n != 0 {
		t.Errorf("with the database free, the sync left %d changes in the outbox", n)
	}
	if out, _, err := runCtl(ctl, "sync", "--help"); err != nil || !strings.Contains(out, "with exit status 0") {
		t.Errorf("sync --help does not say how a sync that found the app open exits (%v):\n%s", err, out)
	}
}

// oneToSend syncs the database of the sync args, then saves a record
// in it, and returns it open beside the commands, as the app's would be,
// to read the outbox while they run.
func oneToSend(t *testing.T, args []string) *store.Store {
	t.Helper()
	if err := dispatch(args, io.Discard); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(args[2])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.SaveRecord(context.Background(), hubtest.ClerkC, storetest.Record(t, hubtest.Maria, "123456", "2025-09-01", "")); err != nil {
		t.Fatal(err)
	}
	if n := storetest.CountRows(t, st).Pending; n != 1 {
		t.Fatalf("%d changes wait in the outbox, want the one saved", n)
	}
	return st
}

// holdEnv carries the database and the holder's words to TestHoldChild.
const holdEnv = "MIGRANTDESK_TEST_HOLD"

// TestHoldChild holds a database as the app does (store.Hold), or as the
// command it names (store.HoldAs), in a process of its own, until its
// standard input closes.
func TestHoldChild(t *testing.T) {
	arg := os.Getenv(holdEnv)
	if arg == "" {
		t.Skip("run as a child process by holdIn")
	}
	db, by, _ := strings.Cut(arg, "\x1f")
	release, err := store.HoldAs(db, by)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	os.Stdout.WriteString("held\n")
	io.Copy(io.Discard, os.Stdin)
}

// holdIn holds db in a child process (TestHoldChild) until the returned
// function is called.
func holdIn(t *testing.T, db, by string) (release func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), holdEnv+"="+db+"\x1f"+by)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "held\n" {
		in.Close()
		cmd.Wait()
		t.Fatalf("the child did not hold %s: %q, %v", db, line, err)
	}
	return func() {
		in.Close()
		go io.Copy(io.Discard, out)
		if err := cmd.Wait(); err != nil {
			t.Errorf("the child holding %s: %v", db, err)
		}
	}
}

// fullProgram builds this program for a test that runs it as a process
// of its own.
func fullProgram(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the program")
	}
	bin := filepath.Join(t.TempDir(), "migrantdeskctl-full")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runCtl runs the program bin with args, and returns what it wrote to
// standard output and error, and how it exited.
func runCtl(bin string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}
