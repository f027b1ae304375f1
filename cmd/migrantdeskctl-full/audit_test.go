package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
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

// audit verify says what it found in words that fit it: "holds: 12 rows"
// read as a list cut short, and an empty log was "0 rows, each chained to
// the one before".
func TestAuditVerifySaysWhatTheLogHolds(t *testing.T) {
	db := reportDB(t)
	out, err := run(t, "audit", "verify", "--db", db)
	if err != nil || !strings.Contains(out, "The audit log of "+db+" holds ") || strings.Contains(out, "holds:") ||
		!strings.Contains(out, " rows, each chained to the one before, and its triggers are in place.") {
		t.Errorf("a log of rows: %v\n%s", err, out)
	}
	empty := filepath.Join(t.TempDir(), "new.db")
	st, err := store.Open(empty)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, err = run(t, "audit", "verify", "--db", empty)
	if want := "The audit log of " + empty + " holds no rows yet, and its triggers are in place.\n"; err != nil || out != want {
		t.Errorf("an empty log: %v\n%q, want %q", err, out, want)
	}
}

// A SQLite hub's database is a store database: audit verify checks the
// rows the hub wrote (records pushed, a grant, a workstation's export
// row) beside those the store wrote (account saves), as one chain.
func TestAuditVerifyHub(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "hub.db")
	h, err := sqlitehub.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	for _, u := range hubtest.Users() {
		if err := h.SaveAccount(ctx, "test", hub.Account{User: u}); err != nil {
			t.Fatal(err)
		}
	}
	rec := sync.Record{ID: uuid.NewString(), StateID: hubtest.Maria, MIS2000ID: "111", QAD: "2021-01-01", EED: "2021-06-30", Version: 1}
	res, err := h.Push(ctx, hubtest.ClerkC, sync.Cursor{}, []sync.Mutation{hubtest.Mutation(sync.OpCreate, 0, rec), hubtest.AuditMutation(hubtest.ExportRow)})
	if err != nil || res[0].Outcome != sync.Applied || res[1].Outcome != sync.Applied {
		t.Fatalf("push: %v %+v", err, res)
	}
	if err := h.SetGrant(ctx, hubtest.Admin, hubtest.Coord001.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	moved := hubtest.ClerkW
	moved.RegionCode = "C"
	if err := h.SaveAccount(ctx, hubtest.Admin.Username, hub.Account{User: moved}); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "audit", "verify", "--db", file)
	if err != nil || !strings.Contains(out, "The audit log of "+file+" holds") {
		t.Fatalf("a hub that served pushes: %v\n%s", err, out)
	}
}

func TestAuditVerifyArguments(t *testing.T) {
	if _, err := run(t, "audit"); err == nil || !strings.Contains(err.Error(), "audit verify --db F") {
		t.Fatalf("no verb: %v", err)
	}
	if _, err := run(t, "audit", "verify", "--db", t.TempDir()+"/none.db"); err == nil || !strings.Contains(err.Error(), "there is no database") {
		t.Fatalf("missing database: %v", err)
	}
	// A PostgreSQL hub's URL is not a file that is missing, and its
	// password is shown nowhere.
	_, err := run(t, "audit", "verify", "--db", "postgres://hub:s3cret@/md?host="+t.TempDir())
	if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "there is no database") ||
		!strings.Contains(err.Error(), "connect to PostgreSQL") {
		t.Fatalf("a PostgreSQL URL with no server: %v", err)
	}
}

// A database others can read is made private, and the command says so.
func TestOpenTightensLoosePermissions(t *testing.T) {
	db := reportDB(t)
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	var notes bytes.Buffer
	cli.Stderr = &notes
	defer func() { cli.Stderr = os.Stderr }()
	if _, err := run(t, "search", "--db", db, "--last", "Nobody"); err != nil {
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

// audit verify changes nothing: not the file's mode, not its bytes, not
// its schema. A database from before the hash chain is said to be one
// and fails, instead of being migrated, which would hash its rows as
// they are and call them sound.
func TestAuditVerifyOnlyReads(t *testing.T) {
	db := reportDB(t)
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "audit", "verify", "--db", db); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) || fi.Mode().Perm() != 0o444 {
		t.Fatalf("audit verify changed the database: same bytes %v, mode %04o", bytes.Equal(before, after), fi.Mode().Perm())
	}

	old := filepath.Join(t.TempDir(), "old.db")
	sqldb, err := sql.Open("sqlite", "file:"+(&url.URL{Path: old}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	_, err = sqldb.Exec(`CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,
		username TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL, entity_id TEXT NOT NULL,
		before TEXT NOT NULL DEFAULT '', after TEXT NOT NULL DEFAULT '');
		INSERT INTO audit(at, username, action, entity, entity_id) VALUES ('2026-01-01T00:00:00Z', 'u', 'create', 'record', 'r1');
		PRAGMA user_version = 4;`)
	sqldb.Close()
	if err != nil {
		t.Fatal(err)
	}
	_, err = run(t, "audit", "verify", "--db", old)
	if err == nil || !strings.Contains(err.Error(), "predates the hash chain (schema 4): nothing to verify before migration") {
		t.Fatalf("a database from before the chain: %v", err)
	}
	sqldb, err = sql.Open("sqlite", "file:"+(&url.URL{Path: old}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	defer sqldb.Close()
	var version int
	if err := sqldb.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != 4 {
		t.Fatalf("after audit verify the old database has schema %d (%v), want 4", version, err)
	}
}
