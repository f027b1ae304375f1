package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/report"
)

// A report removes the partial files that killed exports left in the
// folders its audit log names, not only in its own output folder.
func TestReportRemovesStalePartialFiles(t *testing.T) {
	db := reportDB(t)
	first, second := t.TempDir(), t.TempDir()
	args := []string{"report", "qa", "--db", db, "--district", "001", "--from", "2024-08-01", "--to", "2025-06-30"}
	if err := dispatch(append(args, "--detail", filepath.Join(first, "d.xlsx")), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	// What a report killed with SIGKILL leaves: its PID is not running.
	stale := filepath.Join(first, report.PartialPrefix("d.xlsx", 999999999)+"42.partial")
	if err := os.WriteFile(stale, []byte("PII"), 0o600); err != nil {
		t.Fatal(err)
	}
	var notes bytes.Buffer
	cli.Stderr = &notes
	defer func() { cli.Stderr = os.Stderr }()
	if err := dispatch(append(args, "--aggregated", filepath.Join(second, "a.pdf")), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("the stale partial file is still there: %v", err)
	}
	if !strings.Contains(notes.String(), "removed 1 unfinished report file that") {
		t.Errorf("stderr: %q", notes.String())
	}
	// A folder it cannot look in is said, and the report goes on.
	if err := os.RemoveAll(first); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(first, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	notes.Reset()
	if err := dispatch(append(args, "--aggregated", filepath.Join(second, "b.pdf")), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if want := "unfinished report files that an interrupted export left may remain (they could hold student data): cannot look for unfinished report files in " + first; !strings.Contains(notes.String(), want) {
		t.Errorf("stderr: %q, want %q", notes.String(), want)
	}
}

// SIGTERM stops a report as Ctrl+C does: it exits with its one-line
// error, not killed by the signal, and leaves no file. The report is
// held at its first audit row by another process's write lock, so that
// the signal comes while it runs.
func TestReportStopsOnSIGTERM(t *testing.T) {
	db := reportDB(t)
	dir := t.TempDir()
	holdWriteLock(t, db)
	cmd := exec.Command(os.Args[0], "-test.run=^TestImportChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join([]string{"report", "qa", "--db", db, "--district", "001",
		"--from", "2024-08-01", "--to", "2025-06-30", "--detail", filepath.Join(dir, "d.xlsx")}, "\x1f"))
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child says it waits once its write has waited a second.
	lines := bufio.NewScanner(errPipe)
	var said []string
	for lines.Scan() {
		said = append(said, lines.Text())
		if strings.Contains(lines.Text(), "waiting for another import/publish to finish") {
			break
		}
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		said = append(said, lines.Text())
	}
	err = cmd.Wait()
	if time.Since(start) > 5*time.Second {
		t.Errorf("the report took %s to stop", time.Since(start))
	}
	if cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("exit %v (killed by the signal, not handled?); stderr:\n%s\nstdout:\n%s", err, strings.Join(said, "\n"), out.String())
	}
	if !strings.Contains(out.String()+strings.Join(said, "\n"), "no file was saved") {
		t.Errorf("the child did not say why it stopped:\n%s\n%s", strings.Join(said, "\n"), out.String())
	}
	if left := files(t, dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// --ask-password needs a terminal; piped input is refused with a pointer
// to --password-file.
func TestAskPasswordNeedsATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w.WriteString("secret\nsecret\n")
	w.Close()
	if _, err := askPassword(r, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "--password-file FILE") {
		t.Fatalf("got %v", err)
	}
}
