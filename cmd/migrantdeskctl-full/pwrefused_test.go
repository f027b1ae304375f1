package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestPasswordRefusedNamesTheEnvironment: a password PostgreSQL refused
// that came neither from a file given nor from the URL came from
// PGPASSWORD, else from the password file, each named; the hint for no
// password at all would send the DBA to make the very file that holds
// the wrong one.
func TestPasswordRefusedNamesTheEnvironment(t *testing.T) {
	refused := &pgconn.PgError{Code: invalidPassword, Message: "password authentication failed for user \"owner\""}
	const db = "postgres://owner@db.example/migrantdesk"
	pgpass := filepath.Join(t.TempDir(), "pgpass")
	t.Setenv("PGPASSFILE", pgpass)
	t.Setenv("PGPASSWORD", "")
	os.Unsetenv("PGPASSWORD")
	said := func() string { return passwordRefused(refused, db, "--db-password-file", "").Error() }

	if got := said(); !strings.HasPrefix(got, "PostgreSQL refused the role's password: put it on the first line") {
		t.Errorf("no password anywhere: %s", got)
	}
	writeTestFile(t, pgpass, "db.example:5432:migrantdesk:owner:not-it\n")
	if got := said(); !strings.Contains(got, "refused the password that PGPASSFILE "+pgpass+" gives for this server and role") {
		t.Errorf("a wrong password in PGPASSFILE: %s", got)
	}
	t.Setenv("PGPASSWORD", "not-it")
	if got := said(); !strings.HasPrefix(got, "PostgreSQL refused the password in PGPASSWORD: check it") {
		t.Errorf("a wrong password in PGPASSWORD: %s", got)
	}
}
