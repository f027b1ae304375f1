package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// auditDB is a closed database file with an audit log of ten rows: the
// fixture's import and users, three exports and a user saved again.
func auditDB(t *testing.T) string {
	t.Helper()
	st := storetest.Open(t)
	ctx := context.Background()
	for i, stage := range []string{store.ExportStarted, store.ExportCompleted, store.ExportStarted} {
		e := store.ExportAudit{Report: "QA Migrant detail", District: "001", Rows: i, File: "/tmp/x.xlsx", Stage: stage}
		if err := st.AuditExport(ctx, "coord", e); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveUser(ctx, "admin", storetest.User(storetest.Coordinator)); err != nil {
		t.Fatal(err)
	}
	path := st.Path()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func verify(t *testing.T, path string) store.AuditCheck {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.VerifyAudit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAuditChainHoldsForWhatTheProgramWrites(t *testing.T) {
	c := verify(t, auditDB(t))
	if !c.OK() || c.Rows != 10 {
		t.Fatalf("a log only the program wrote: %d rows, %v", c.Rows, c.Problems)
	}
}

// sqlite3 runs the sqlite3 shell on a database, as someone tampering
// with the log would.
func sqlite3(t *testing.T, path, sql string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("sqlite3"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the sqlite3 shell is not installed: make test-deps installs it")
		}
		t.Skip("the sqlite3 shell is not installed (make test-deps installs it)")
	}
	out, err := exec.Command("sqlite3", "-bail", path, sql).CombinedOutput()
	return string(out), err
}

func TestAuditVerifyCatchesTamperingWithTheShell(t *testing.T) {
	cases := []struct {
		name, sql string
		want      []string // in the problems, in order
	}{
		{"row rewritten", `DROP TRIGGER audit_no_update;
			UPDATE audit SET username = 'nobody', action = 'viewed' WHERE seq = 3;`,
			[]string{"audit row 3 does not match its hash", "trigger audit_no_update is missing"}},
		{"row rewritten and triggers put back", `DROP TRIGGER audit_no_update;
			UPDATE audit SET after = '{}' WHERE seq = 2;
			CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
			BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`,
			[]string{"audit row 2 does not match its hash"}},
		{"row deleted", `DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 2;`,
			[]string{"audit row 3 does not follow from row 1: row 2 is missing, or row 3 was changed", "trigger audit_no_delete is missing"}},
		{"last rows deleted", `DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq >= 4;`,
			[]string{"audit rows 4 to 10, the last ones written, were deleted", "trigger audit_no_delete is missing"}},
		{"last rows deleted and the sequence lowered", `DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq >= 4;
			UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit';
			CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
			BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`,
			[]string{"audit rows 4 to 10, the last ones written, were deleted (meta records row 10 as the last)"}},
		{"record of the last row removed", `DELETE FROM meta WHERE key = 'audit_head';`,
			[]string{"the record of the audit log's last row is missing from meta"}},
		{"row replaced", `DROP TRIGGER audit_no_replace;
			REPLACE INTO audit(seq, at, username, action, entity, entity_id, before, after, hash)
			SELECT seq, at, 'nobody', 'viewed', entity, entity_id, before, after, hash FROM audit WHERE seq = 4;`,
			[]string{"audit row 4 does not match its hash", "trigger audit_no_replace is missing"}},
		{"row put in", `INSERT INTO audit(at, username, action, entity, entity_id) VALUES ('2026-01-01T00:00:00Z', 'x', 'viewed', 'report', '001');`,
			[]string{"audit row 11 has no hash"}},
		{"trigger dropped", `DROP TRIGGER audit_no_update;`, []string{"trigger audit_no_update is missing"}},
		{"trigger made harmless", `DROP TRIGGER audit_no_delete;
			CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit WHEN 0 BEGIN SELECT 1; END;`,
			[]string{"trigger audit_no_delete was replaced"}},
		{"rows dropped as they are written", `CREATE TRIGGER quiet BEFORE INSERT ON audit BEGIN SELECT RAISE(IGNORE); END;`,
			[]string{"trigger quiet on the audit log is not Migrant Desk's"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := auditDB(t)
			if out, err := sqlite3(t, path, c.sql); err != nil {
				t.Fatalf("sqlite3: %v: %s", err, out)
			}
			got := verify(t, path)
			if got.OK() || len(got.Problems) != len(c.want) {
				t.Fatalf("problems %q, want %q", got.Problems, c.want)
			}
			for i, w := range c.want {
				if !strings.HasPrefix(got.Problems[i], w) {
					t.Errorf("problem %d: %q, want it to start %q", i, got.Problems[i], w)
				}
			}
		})
	}
}

// What SQLite does with a REPLACE over an audit row: the conflict would
// delete the old row without firing audit_no_delete, so audit_no_replace
// must refuse it first, in every spelling.
func TestAuditRefusesReplaceInTheShell(t *testing.T) {
	path := auditDB(t)
	for _, stmt := range []string{
		`REPLACE INTO audit(seq, at, username, action, entity, entity_id) VALUES (2, 'x', 'nobody', 'viewed', 'report', '');`,
		`INSERT OR REPLACE INTO audit(seq, at, username, action, entity, entity_id) VALUES (2, 'x', 'nobody', 'viewed', 'report', '');`,
		`INSERT INTO audit(seq, at, username, action, entity, entity_id) VALUES (2, 'x', 'nobody', 'viewed', 'report', '')
			ON CONFLICT(seq) DO UPDATE SET username = 'nobody';`,
		`UPDATE audit SET username = 'nobody' WHERE seq = 2;`,
		`DELETE FROM audit WHERE seq = 2;`,
	} {
		out, err := sqlite3(t, path, stmt)
		if err == nil || !strings.Contains(out, "append-only") {
			t.Errorf("%s\nwas not refused: %v %s", stmt, err, out)
		}
	}
	if c := verify(t, path); !c.OK() || c.Rows != 10 {
		t.Fatalf("after refused changes: %d rows, %v", c.Rows, c.Problems)
	}
}

// A database from before the chain gets its rows hashed in order by the
// migration, and its triggers back.
func TestAuditMigrationHashesExistingRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	// Schema 4 as the migrations up to it made it, so that no later
	// migration needs undoing here. None of them before 5 has code.
	old := store.Migrations()[:4]
	script := slices.Clone(old)
	for i := 1; i <= 2500; i++ {
		script = append(script, fmt.Sprintf(`INSERT INTO audit(at, username, action, entity, entity_id, after)
			VALUES ('2026-01-01T00:00:00Z', 'u%d', 'create', 'record', 'r%d', 'x')`, i, i))
	}
	script = append(script, fmt.Sprintf(`PRAGMA user_version = %d`, len(old)))
	if _, err := db.Exec(strings.Join(script, ";\n")); err != nil {
		t.Fatal(err)
	}
	db.Close()

	c := verify(t, path)
	if !c.OK() || c.Rows != 2500 {
		t.Fatalf("after the migration: %d rows, %v", c.Rows, c.Problems)
	}
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var h1, h2 string
	if err := st.DB().QueryRow(`SELECT (SELECT hash FROM audit WHERE seq = 1), (SELECT hash FROM audit WHERE seq = 2)`).Scan(&h1, &h2); err != nil {
		t.Fatal(err)
	}
	r1 := data.AuditRow{Seq: 1, At: "2026-01-01T00:00:00Z", User: "u1", Action: "create", Entity: "record", EntityID: "r1", After: "x"}
	r2 := r1
	r2.Seq, r2.User, r2.EntityID = 2, "u2", "r2"
	if h1 != data.AuditHash("", r1) || h2 != data.AuditHash(h1, r2) {
		t.Fatalf("hashes %s %s are not the chain of the rows", h1, h2)
	}
	if _, err := st.DB().Exec(`REPLACE INTO audit(seq, at, username, action, entity, entity_id) VALUES (7, '', '', '', '', '')`); err == nil {
		t.Fatal("a migrated log took a REPLACE over a row")
	}
}

// The app's start check reads the whole log once a day and otherwise the
// rows written since its last check, chained from the row it ended on.
func TestAuditAtStartReadsNewRowsAndTheWholeLogDaily(t *testing.T) {
	path := auditDB(t)
	day := time.Date(2026, 11, 2, 9, 0, 0, 0, time.Local)
	start := func() store.AuditCheck {
		t.Helper()
		st, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		st.SetClock(func() time.Time { return day })
		c, err := st.VerifyAuditAtStart(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	export := func() {
		t.Helper()
		st, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		e := store.ExportAudit{Report: "QA Migrant detail", District: "001", File: "/tmp/x.xlsx", Stage: store.ExportStarted}
		if err := st.AuditExport(context.Background(), "coord", e); err != nil {
			t.Fatal(err)
		}
	}
	if c := start(); !c.OK() || c.Rows != 10 {
		t.Fatalf("first start of the day: %d rows read, %v; want the whole log of 10", c.Rows, c.Problems)
	}
	export()
	if c := start(); !c.OK() || c.Rows != 2 {
		t.Fatalf("a later start: %d rows read, %v; want the last row checked and the one written since", c.Rows, c.Problems)
	}
	if out, err := sqlite3(t, path, `DROP TRIGGER audit_no_update; UPDATE audit SET after = '{}' WHERE seq = 2;
		CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
		BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`); err != nil {
		t.Fatalf("sqlite3: %v: %s", err, out)
	}
	if c := start(); !c.OK() || c.Rows != 1 {
		t.Fatalf("a start the same day after an old row changed: %d rows, %v; want the last row checked read again", c.Rows, c.Problems)
	}
	day = day.AddDate(0, 0, 1)
	if c := start(); c.OK() || !strings.Contains(strings.Join(c.Problems, "; "), "audit row 2 does not match its hash") {
		t.Fatalf("the next day's start: %v; want row 2's change found", c.Problems)
	}

	// The row a check ended on, changed, sends the next start through the
	// whole log.
	path = auditDB(t)
	if c := start(); !c.OK() {
		t.Fatal(c.Problems)
	}
	if out, err := sqlite3(t, path, `DROP TRIGGER audit_no_update; UPDATE audit SET action = 'viewed' WHERE seq = 10;
		CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
		BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`); err != nil {
		t.Fatalf("sqlite3: %v: %s", err, out)
	}
	if c := start(); c.OK() || !strings.Contains(strings.Join(c.Problems, "; "), "audit row 10 does not match its hash") {
		t.Fatalf("a start after the last checked row changed: %v", c.Problems)
	}
}

// A saved user's audit row keeps the full name apart from where the
// user works: "Ana Cruz005" read as a name ending in digits.
func TestSavedUserAuditRowSeparatesNameAndPlace(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	for _, u := range []data.User{
		{Username: "ana", FullName: "Ana Cruz", Role: data.RoleDistrictAdmin, DistrictNumber: "001"},
		{Username: "dan", FullName: "Dan O'Brien-Núñez", Role: data.RoleCoordinator, Districts: []string{"001", "003"}},
		{Username: "kim", FullName: "Kim Lee", Role: data.RoleStateAdmin},
	} {
		if err := st.SaveUser(ctx, "admin", u); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	rows, err := st.DB().Query(`SELECT after FROM audit WHERE action = 'save' AND entity_id IN ('ana', 'dan', 'kim') ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	want := []string{`district_admin "Ana Cruz", district 001`, `coordinator "Dan O'Brien-Núñez", districts 001, 003`, `state_admin "Kim Lee"`}
	if !slices.Equal(got, want) {
		t.Errorf("the audit rows of the saved users: %q, want %q", got, want)
	}
}
