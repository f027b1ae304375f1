package main

import (
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// childEnv carries the arguments of a migrantdeskctl command for
// TestImportChild to run, separated by \x1f.
const childEnv = "MIGRANTDESK_TEST_CHILD"

// TestImportChild is the child process TestKilledImportLeavesTheDatabase
// kills: it runs the command in childEnv.
func TestImportChild(t *testing.T) {
	args := os.Getenv(childEnv)
	if args == "" {
		t.Skip("run as a child process by TestKilledImportLeavesTheDatabase")
	}
	if err := dispatch(strings.Split(args, "\x1f"), io.Discard); err != nil {
		t.Fatal(err)
	}
}

// startImport starts `migrantdeskctl import --db db extract` in a child
// process.
func startImport(t *testing.T, db, extract string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join([]string{"import", "--db", db, extract}, "\x1f"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// extractState is what an import changes: the snapshot of the extract's
// tables and search index, and how many imports the audit log holds.
func extractState(t *testing.T, db string) map[string]string {
	t.Helper()
	if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if got := query(t, db, `PRAGMA integrity_check`); !reflect.DeepEqual(got, []string{"ok"}) {
		t.Fatalf("%s: integrity check: %v", db, got)
	}
	snap := snapshot(t, db)
	delete(snap, "meta")
	delete(snap, "audit")
	snap["imports"] = strings.Join(query(t, db, `SELECT count(*) FROM audit WHERE action = 'import extract'`), "")
	return snap
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, to, string(b))
}

// TestKilledImportLeavesTheDatabase kills an import (kill -9) at random
// moments, a first import and a re-import, and checks that the database
// is then either as it was before or the whole new one.
func TestKilledImportLeavesTheDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a demo state a dozen times")
	}
	dir := t.TempDir()
	newer := filepath.Join(dir, "extract")
	if _, err := run(t, "demo", "--csv", newer, "--students", "3000", "--today", "2025-10-15"); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "old.db")
	if _, err := run(t, "import", "--db", old, goodExtract); err != nil {
		t.Fatal(err)
	}
	before := extractState(t, old)

	// The finished imports, and how long one takes.
	first := filepath.Join(dir, "first.db")
	start := time.Now()
	if err := startImport(t, first, newer).Wait(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	firstDone := extractState(t, first)
	again := filepath.Join(dir, "again.db")
	copyFile(t, old, again)
	if err := startImport(t, again, newer).Wait(); err != nil {
		t.Fatal(err)
	}
	againDone := extractState(t, again)

	t.Logf("an import takes %s", took.Round(time.Millisecond))
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	for i := range 12 {
		db := filepath.Join(dir, "killed.db")
		for _, f := range []string{db, db + "-wal", db + "-shm"} {
			os.Remove(f)
		}
		was, done := map[string]string(nil), firstDone
		if i%2 == 1 {
			copyFile(t, old, db)
			was, done = before, againDone
		}
		cmd := startImport(t, db, newer)
		// up to half as long again as a whole import, so that some kills
		// come after it is done
		wait := time.Duration(r.Int64N(int64(took + took/2)))
		time.Sleep(wait)
		cmd.Process.Kill()
		cmd.Wait()
		switch got := extractState(t, db); {
		case reflect.DeepEqual(got, was):
			t.Logf("killed after %s: as it was", wait.Round(time.Millisecond))
		case reflect.DeepEqual(got, done):
			t.Logf("killed after %s: imported", wait.Round(time.Millisecond))
		default:
			t.Fatalf("killed after %s: the database is neither as it was nor imported:\n%v\nwas  %v\ndone %v", wait, got, was, done)
		}
	}
}
