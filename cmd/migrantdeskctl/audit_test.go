package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestAuditVerify(t *testing.T) {
	db := reportDB(t)
	out, err := run(t, "audit", "verify", "--db", db)
	if err != nil || !strings.Contains(out, "The audit log of "+db+" holds") {
		t.Fatalf("an untouched log: %v\n%s", err, out)
	}
	if _, err := exec.LookPath("sqlite3"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the sqlite3 shell is not installed: make test-deps installs it")
		}
		t.Skip("the sqlite3 shell is not installed (make test-deps installs it)")
	}
	tamper := `DROP TRIGGER audit_no_update; UPDATE audit SET username = 'nobody' WHERE seq = 2;`
	if b, err := exec.Command("sqlite3", "-bail", db, tamper).CombinedOutput(); err != nil {
		t.Fatalf("sqlite3: %v %s", err, b)
	}
	out, err = run(t, "audit", "verify", "--db", db)
	if err == nil || !strings.Contains(err.Error(), "audit row 2 does not match its hash") {
		t.Fatalf("a rewritten row: %v", err)
	}
	if !strings.Contains(out, "trigger audit_no_update is missing") {
		t.Fatalf("the dropped trigger is not named:\n%s", out)
	}
}

func TestAuditVerifyArguments(t *testing.T) {
	if _, err := run(t, "audit"); err == nil || !strings.Contains(err.Error(), "audit verify --db F") {
		t.Fatalf("no verb: %v", err)
	}
	if _, err := run(t, "audit", "verify", "--db", t.TempDir()+"/none.db"); err == nil || !strings.Contains(err.Error(), "there is no database") {
		t.Fatalf("missing database: %v", err)
	}
}

// A database others can read is made private, and the command says so.
func TestOpenTightensLoosePermissions(t *testing.T) {
	db := reportDB(t)
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	var notes bytes.Buffer
	stderr = &notes
	defer func() { stderr = os.Stderr }()
	if _, err := run(t, "audit", "verify", "--db", db); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %04o after opening, want 0600", fi.Mode().Perm())
	}
	if !strings.Contains(notes.String(), "could be read by other users of this computer (mode 0644); it is now readable by you only (0600)") {
		t.Fatalf("stderr: %q", notes.String())
	}
}
