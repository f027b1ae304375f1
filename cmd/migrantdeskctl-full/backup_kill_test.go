package main

import (
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startChild starts a migrantdeskctl command in a child process
// (TestImportChild runs it).
func startChild(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// TestKilledBackupLeavesNoHalfFile kills hub backup (kill -9) at random
// moments, as a shutdown or a scheduler's time limit would: the name the
// operator restores from then holds nothing, or a whole backup with an
// epoch of its own, never a file half written or not yet given its
// epoch.
func TestKilledBackupLeavesNoHalfFile(t *testing.T) {
	if testing.Short() {
		t.Skip("backs up a demo state a dozen times")
	}
	dir := t.TempDir()
	extract := filepath.Join(dir, "extract")
	if _, err := run(t, "demo", "--csv", extract, "--students", "3000", "--today", "2025-10-15"); err != nil {
		t.Fatal(err)
	}
	hubDB := filepath.Join(dir, "hub.db")
	if _, err := run(t, "import", "--db", hubDB, extract); err != nil {
		t.Fatal(err)
	}
	students := query(t, hubDB, `SELECT count(*) FROM students`)[0]
	start := time.Now()
	if err := startChild(t, "hub", "backup", "--db", hubDB, filepath.Join(dir, "whole.db")).Wait(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("a backup takes %s", took.Round(time.Millisecond))
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := range 12 {
		out := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		cmd := startChild(t, "hub", "backup", "--db", hubDB, out)
		wait := time.Duration(r.Int64N(int64(took + took/2)))
		time.Sleep(wait)
		cmd.Process.Kill()
		cmd.Wait()
		if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) {
			t.Logf("killed after %s: no backup", wait.Round(time.Millisecond))
			continue
		}
		if err := wholeBackup(out, students); err != nil {
			t.Fatalf("killed after %s: %s is there but not a whole backup: %v", wait.Round(time.Millisecond), out, err)
		}
		t.Logf("killed after %s: a whole backup", wait.Round(time.Millisecond))
	}
}

// wholeBackup checks, reading only, that the SQLite hub backup at path
// is whole: intact, every student there, and an epoch of its own.
func wholeBackup(path, students string) error {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var check, n, epoch string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		return fmt.Errorf("integrity check: %q %v", check, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM students`).Scan(&n); err != nil || n != students {
		return fmt.Errorf("%s students of %s: %v", n, students, err)
	}
	if err := db.QueryRow(`SELECT value FROM hub_meta WHERE key = 'epoch'`).Scan(&epoch); err != nil || epoch == "" {
		return fmt.Errorf("no epoch of its own: %v", err)
	}
	return nil
}
