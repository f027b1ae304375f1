package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/pghub/pgtest"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/sync"
)

// pgQuery returns the rows of a query on a PostgreSQL database, each
// row's columns joined by "|".
func pgQuery(t *testing.T, url, q string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		s := make([]string, len(vals))
		for i, v := range vals {
			s[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(s, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pgSnapshot is every row of the extract's tables and the audit log.
func pgSnapshot(t *testing.T, url string) map[string][]string {
	out := map[string][]string{}
	for _, table := range []string{"regions", "districts", "schools", "students", "enrollments", "programs", "assessments", "meta", "hub_meta", "audit"} {
		out[table] = pgQuery(t, url, `SELECT t::text FROM `+table+` t ORDER BY t::text`)
	}
	return out
}

// TestImportIntoPostgresSaysWhichEnrollmentsMoved: as into SQLite
// (TestImportSaysWhichEnrollmentsMoved), an enrollment ID given to
// another student moves the enrollment, and the import says so in the
// same words.
func TestImportIntoPostgresSaysWhichEnrollmentsMoved(t *testing.T) {
	url := pgtest.URL(t)
	importMoved(t, url, func(q string) []string { return pgQuery(t, url, q) })
}

// The same extract imports into PostgreSQL as into SQLite, and a refused
// one, by the readers or by the database, changes nothing there either.
func TestImportIntoPostgres(t *testing.T) {
	url := pgtest.URL(t)
	out, err := run(t, "import", "--db", url, goodExtract)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "Imported 2 regions, 2 districts, 3 schools, 3 students, 4 enrollments, 5 program rows, 3 assessments into postgres://") {
		t.Errorf("output: %s", out)
	}
	file := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", file, goodExtract); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT number, district_number, public FROM schools ORDER BY number`,
		`SELECT state_id, local_number, last_name, first_name, middle_name, birth_date, gender, race FROM students ORDER BY state_id`,
		`SELECT id, state_id, school_number, grade, service_type, start_date, end_date FROM enrollments ORDER BY id`,
		`SELECT state_id, program, code, start_date, end_date FROM programs ORDER BY state_id, program`,
		`SELECT state_id, subject, test_date, performance_level FROM assessments ORDER BY state_id, subject`,
	} {
		if got, want := pgQuery(t, url, q), query(t, file, q); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\nPostgreSQL %q\nSQLite     %q", q, got, want)
		}
	}

	out, err = run(t, "import", "--db", url, newerExtract(t))
	if err != nil || !strings.Contains(out, "3 students, 5 enrollments") {
		t.Fatalf("re-import: %v %s", err, out)
	}
	if got := pgQuery(t, url, `SELECT id, end_date FROM enrollments WHERE state_id = '0001234567' ORDER BY id`); !reflect.DeepEqual(got, []string{"E0001|2026-10-30", "E0005|"}) {
		t.Errorf("re-imported enrollments %q", got)
	}

	bad := copyExtract(t, goodExtract)
	b, err := os.ReadFile("../../data/importer/testdata/students_40_bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(bad, "students.csv"), string(b))
	before := pgSnapshot(t, url)
	out, err = run(t, "import", "--db", url, bad)
	if err == nil || !strings.HasPrefix(err.Error(), "import: the extract was refused: 42 problems, nothing was imported") || strings.Count(out, "\n") != 42 {
		t.Fatalf("forty bad lines: %v\n%s", err, out)
	}
	sqliteOut, _ := run(t, "import", "--db", file, bad)
	if out != sqliteOut {
		t.Errorf("the problems differ:\nPostgreSQL %s\nSQLite %s", out, sqliteOut)
	}
	// Refused by the database on the last table, after every other one
	// has been written: nothing stays.
	pgQuery(t, url, `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused for the test'; END $$`)
	pgQuery(t, url, `CREATE TRIGGER refuse BEFORE INSERT ON assessments FOR EACH ROW
		WHEN (NEW.state_id = '0001234568') EXECUTE FUNCTION refuse()`)
	_, err = run(t, "import", "--db", url, goodExtract)
	if err == nil || !strings.HasPrefix(err.Error(), "import: the database refused the extract, nothing was imported") ||
		!strings.Contains(err.Error(), "refused for the test") {
		t.Fatalf("refused by the database: %v", err)
	}
	if after := pgSnapshot(t, url); !reflect.DeepEqual(before, after) {
		t.Errorf("a refused import changed the database:\nbefore %v\nafter  %v", before, after)
	}
}

// hub user works on PostgreSQL as on SQLite, and hub migrate moves a
// SQLite hub with its users into an empty PostgreSQL database.
func TestHubOnPostgres(t *testing.T) {
	file := hubWithUser(t, "--username", "rosa", "--name", "Rosa Delgado", "--role", "clerk", "--region", "01")
	pw := filepath.Join(filepath.Dir(file), "pw")
	url := pgtest.URL(t)
	out, err := run(t, "hub", "migrate", "--from", file, "--to", url)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"students 3 ", "users 1 ", "every table's rows and checksum match", "New epoch"} {
		if !strings.Contains(flat, want) {
			t.Errorf("hub migrate printed no %q:\n%s", want, out)
		}
	}
	if _, err := run(t, "hub", "migrate", "--from", file, "--to", url); err == nil || !strings.Contains(err.Error(), "nothing was moved") {
		t.Fatalf("a second move: %v", err)
	}
	if _, err := run(t, "hub", "user", "add", "--db", url, "--username", "cora", "--name", "Cora Díaz",
		"--role", "coordinator", "--district", "0042", "--password-file", pw); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "hub", "user", "disable", "--db", url, "--username", "rosa"); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, "hub", "user", "list", "--db", url)
	if err != nil {
		t.Fatal(err)
	}
	if flat := strings.Join(strings.Fields(out), " "); !strings.Contains(flat, "cora Cora Díaz District coordinator 0042 active") ||
		!strings.Contains(flat, "rosa Rosa Delgado Regional data clerk 01 disabled") {
		t.Errorf("hub user list:\n%s", out)
	}
}

// hub migrate moves a SQLite hub that an earlier release served last,
// without its hub command having opened it since: it brings the file up
// to this release's tables first, as every hub command does, instead of
// failing on the first column an older hub did not have.
func TestHubMigrateUpgradesAnOlderSQLiteHub(t *testing.T) {
	file := hubWithUser(t, "--username", "rosa", "--name", "Rosa Delgado", "--role", "clerk", "--region", "01")
	// As a hub from before the feed's marks and the cursor key left it.
	old, err := sql.Open("sqlite", "file:"+(&url.URL{Path: file}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`ALTER TABLE hub_changes DROP COLUMN mark`, `DELETE FROM hub_meta WHERE key = 'cursor_key'`} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()
	pg := pgtest.URL(t)
	out, err := run(t, "hub", "migrate", "--from", file, "--to", pg)
	if err != nil {
		t.Fatalf("hub migrate of an older SQLite hub: %v", err)
	}
	if !strings.Contains(out, "every table's rows and checksum match") {
		t.Fatalf("hub migrate printed:\n%s", out)
	}
	if got := pgQuery(t, pg, `SELECT username FROM users`); !reflect.DeepEqual(got, []string{"rosa"}) {
		t.Errorf("users moved: %v", got)
	}
}

// hub migrate refuses a SQLite hub another program has open, as a hub
// still serving has: the changes it took after the move were lost, and
// its workstations, under the epoch and change numbers the move keeps,
// would skip the PostgreSQL hub's own changes of those numbers.
func TestHubMigrateRefusesAHubInUse(t *testing.T) {
	file := hubWithUser(t, "--username", "rosa", "--name", "Rosa Delgado", "--role", "clerk", "--region", "01")
	serving, err := sqlitehub.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	pg := pgtest.URL(t)
	_, err = run(t, "hub", "migrate", "--from", file, "--to", pg)
	if err == nil || !strings.Contains(err.Error(), file+" is open in another program") || !strings.Contains(err.Error(), "stop every program using it") {
		t.Fatalf("hub migrate of a hub in use: %v", err)
	}
	if got := pgQuery(t, pg, `SELECT count(*) FROM users`); !reflect.DeepEqual(got, []string{"0"}) {
		t.Errorf("users moved from a hub in use: %v", got)
	}
	serving.Close()
	if _, err := run(t, "hub", "migrate", "--from", file, "--to", pg); err != nil {
		t.Fatalf("hub migrate once the hub stopped: %v", err)
	}
}

func TestHubBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	file, backup := filepath.Join(dir, "hub.db"), filepath.Join(dir, "backup.db")
	h, err := sqlitehub.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	page, err := h.Pull(ctx, hubtest.Admin, sync.Cursor{}, 10000)
	if err != nil {
		t.Fatal(err)
	}
	// The hub serves on while it is backed up.
	out, err := run(t, "hub", "backup", "--db", file, backup)
	if err != nil || !strings.Contains(out, "new epoch") {
		t.Fatalf("%v %s", err, out)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup %v %v", fi, err)
	}
	if _, err := run(t, "hub", "backup", "--db", file, backup); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("a backup over a file: %v", err)
	}
	restored, err := sqlitehub.Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	p, err := restored.Pull(ctx, hubtest.Admin, page.Next, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Snapshot || p.Next.Epoch == page.Next.Epoch {
		t.Fatalf("the restored hub kept epoch %s", page.Next.Epoch)
	}
	if n := len(query(t, backup, `SELECT state_id FROM students`)); n != len(hubtest.State().Students) {
		t.Fatalf("the backup holds %d students", n)
	}
}

func TestShownDBHidesPasswords(t *testing.T) {
	for in, want := range map[string]string{
		"hub.db":                                   "hub.db",
		"postgres://hub@db.example/md":             "postgres://hub@db.example/md",
		"postgres://hub:s3cret@db.example/md":      "postgres://hub:xxxxx@db.example/md",
		"postgresql://db/md?password=s3cret&x=1":   "postgresql://db/md?password=xxxxx&x=1",
		"postgres://hub:s3cret@db/md?password=two": "postgres://hub:xxxxx@db/md?password=xxxxx",
	} {
		if got := shownDB(in); got != want || strings.Contains(got, "s3cret") {
			t.Errorf("shownDB(%q) = %q, want %q", in, got, want)
		}
	}
}

// passwordRole makes a role that signs in with secret (in md_password,
// of which the test server asks a password) and owns a new test
// database, and returns that database's URL as the role, without the
// password, and the role's name.
func passwordRole(t *testing.T, prefix, secret string) (*url.URL, string) {
	t.Helper()
	ctx := context.Background()
	admin := os.Getenv(pgtest.Env)
	role := fmt.Sprintf("%s_%d", prefix, os.Getpid())
	exec := func(q string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Registered before the database, so run after it is dropped.
	t.Cleanup(func() {
		if admin != "" {
			exec(`DROP ROLE IF EXISTS ` + role)
		}
	})
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	exec(`DO $$ BEGIN CREATE ROLE md_password NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`)
	exec(`CREATE ROLE ` + role + ` LOGIN PASSWORD '` + secret + `' IN ROLE md_password`)
	exec(`ALTER DATABASE ` + strings.TrimPrefix(u.Path, "/") + ` OWNER TO ` + role)
	u.User = url.User(role)
	return u, role
}

// A role that must give a password gets it from --db-password-file or
// PGPASSFILE, and no message shows it, not even one about a password in
// the URL. (.ci/postgres.sh asks the roles of md_password for theirs.)
func TestPostgresPassword(t *testing.T) {
	const secret = "s3cret-of-the-role"
	u, role := passwordRole(t, "md_pw", secret)
	roleURL := u.String()
	t.Setenv("PGPASSFILE", filepath.Join(t.TempDir(), "none"))

	// Without it, each command names the flag it takes the password from.
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"hub", "user", "list", "--db", roleURL}, "--db-password-file FILE"},
		{[]string{"hub", "new-epoch", "--db", roleURL}, "--db-password-file FILE"},
		{[]string{"audit", "verify", "--db", roleURL}, "--db-password-file FILE"},
		{[]string{"import", "--db", roleURL, goodExtract}, "--db-password-file FILE"},
		{[]string{"hub", "serve", "--db", roleURL, "--addr", "127.0.0.1:0"}, "--password-file FILE"},
	} {
		if _, err := run(t, c.args...); err == nil || !strings.Contains(err.Error(), "refused the role's password: put it on the first line of a file named with "+c.flag) {
			t.Errorf("%v without a password: %v", c.args[:2], err)
		}
	}
	// A wrong one is named where it came from: the file, or the URL.
	wrongFile := filepath.Join(t.TempDir(), "wrong")
	writeTestFile(t, wrongFile, "not-"+secret+"\n")
	if _, err := run(t, "hub", "user", "list", "--db", roleURL, "--db-password-file", wrongFile); err == nil ||
		!strings.Contains(err.Error(), "refused the password in "+wrongFile+" (--db-password-file): check that its first line") {
		t.Errorf("a wrong password in --db-password-file: %v", err)
	}
	u.User = url.UserPassword(role, "not-"+secret)
	if _, err := run(t, "hub", "user", "list", "--db", u.String()); err == nil ||
		!strings.Contains(err.Error(), "refused the password in the URL: check it") {
		t.Errorf("a wrong password in the URL: %v", err)
	}
	pwFile := filepath.Join(t.TempDir(), "pw")
	writeTestFile(t, pwFile, secret+"\n")
	// The import makes the hub the commands below read.
	if _, err := run(t, "import", "--db", roleURL, "--db-password-file", pwFile, goodExtract); err != nil {
		t.Fatalf("--db-password-file: %v", err)
	}
	if _, err := run(t, "hub", "user", "list", "--db", roleURL, "--db-password-file", pwFile); err != nil {
		t.Fatalf("--db-password-file: %v", err)
	}
	pgpass := filepath.Join(t.TempDir(), "pgpass")
	writeTestFile(t, pgpass, "*:*:*:"+role+":"+secret+"\n")
	t.Setenv("PGPASSFILE", pgpass)
	// One every user may read, which psql ignores, is refused, named.
	if err := os.Chmod(pgpass, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "hub", "user", "list", "--db", roleURL); runtime.GOOS != "windows" &&
		(err == nil || !strings.Contains(err.Error(), "PGPASSFILE "+pgpass+" can be read by every user") || !strings.Contains(err.Error(), "chmod 600")) {
		t.Errorf("a PGPASSFILE of mode 0644: %v", err)
	}
	if err := os.Chmod(pgpass, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "hub", "user", "list", "--db", roleURL); err != nil {
		t.Fatalf("PGPASSFILE: %v", err)
	}
	u.User = url.UserPassword(role, "not-"+secret)
	wrong := u.String()
	out, err := run(t, "import", "--db", wrong, goodExtract)
	if err == nil || strings.Contains(err.Error()+out, secret) {
		t.Fatalf("a wrong password in the URL: %v\n%s", err, out)
	}
}

// hub new-epoch starts a new epoch on either back end and keeps what the
// hub holds: a workstation's next pull from its cursor is a snapshot of
// the new epoch, of the same students.
func TestHubNewEpoch(t *testing.T) {
	ctx := context.Background()
	for _, db := range []string{filepath.Join(t.TempDir(), "hub.db"), pgtest.URL(t)} {
		if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
			t.Fatal(err)
		}
		pullStudents := func(c sync.Cursor) (sync.Page, int) {
			t.Helper()
			h, err := openHub(ctx, db, "")
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			p, err := h.Pull(ctx, hubtest.Admin, c, sync.MaxPullPage)
			if err != nil || p.More {
				t.Fatalf("%s: %+v, %v", shownDB(db), p, err)
			}
			n := 0
			for _, ch := range p.Changes {
				if ch.Table == "students" {
					n++
				}
			}
			return p, n
		}
		before, students := pullStudents(sync.Cursor{})
		out, err := run(t, "hub", "new-epoch", "--db", db)
		if err != nil {
			t.Fatal(err)
		}
		after, again := pullStudents(before.Next)
		if !after.Snapshot || after.Next.Epoch == before.Next.Epoch || !strings.Contains(out, "New epoch "+after.Next.Epoch) || again != students {
			t.Fatalf("%s: after hub new-epoch (%q) the next pull is a snapshot %v of epoch %s (was %s) with %d students (was %d)",
				shownDB(db), out, after.Snapshot, after.Next.Epoch, before.Next.Epoch, again, students)
		}
	}
	if _, err := run(t, "hub", "new-epoch", "--db", filepath.Join(t.TempDir(), "none.db")); err == nil || !strings.Contains(err.Error(), "no hub database") {
		t.Fatalf("hub new-epoch of no database: %v", err)
	}
}

// audit verify checks a PostgreSQL hub's audit log as it finds it: a row
// changed, the record of the last row changed, and a trigger disabled or
// made harmless are each named, and a database that is no hub, or a hub
// of an older schema, is refused and left as it was.
func TestAuditVerifyPostgres(t *testing.T) {
	url := pgtest.URL(t)
	if _, err := run(t, "audit", "verify", "--db", url); err == nil || !strings.Contains(err.Error(), "holds no Migrant Desk hub") {
		t.Fatalf("an empty database: %v", err)
	}
	file := hubWithUser(t, "--username", "rosa", "--name", "Rosa Delgado", "--role", "clerk", "--region", "01")
	if _, err := run(t, "hub", "migrate", "--from", file, "--to", url); err != nil {
		t.Fatal(err)
	}
	// With the pool's size in the URL, as a hub's may have it.
	out, err := run(t, "audit", "verify", "--db", url+"&pool_max_conns=4")
	if err != nil || !strings.Contains(out, "rows, each chained to the one before, and its triggers are in place") {
		t.Fatalf("a hub as it wrote its log: %v\n%s", err, out)
	}
	exec := func(q string) {
		t.Helper()
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tampered := func(want string) {
		t.Helper()
		before := pgSnapshot(t, url)
		out, err := run(t, "audit", "verify", "--db", url)
		if err == nil || !strings.Contains(err.Error(), "was tampered with") || !strings.Contains(out, want) {
			t.Fatalf("want %q reported; got %v\n%s", want, err, out)
		}
		if !reflect.DeepEqual(pgSnapshot(t, url), before) {
			t.Fatal("audit verify changed the database")
		}
	}
	// A superuser with a database tool gets past the triggers.
	exec(`ALTER TABLE audit DISABLE TRIGGER audit_no_update`)
	tampered("audit_no_update, which keeps the audit log append-only, is disabled")
	exec(`UPDATE audit SET after = after || '.' WHERE seq = (SELECT max(seq) FROM audit)`)
	exec(`ALTER TABLE audit ENABLE TRIGGER audit_no_update`)
	tampered("does not match its hash")
	exec(`ALTER TABLE audit DISABLE TRIGGER audit_no_update`)
	exec(`UPDATE audit SET after = left(after, -1) WHERE seq = (SELECT max(seq) FROM audit)`)
	exec(`ALTER TABLE audit ENABLE TRIGGER audit_no_update`)
	if _, err := run(t, "audit", "verify", "--db", url); err != nil {
		t.Fatalf("the row put back as it was: %v", err)
	}
	exec(`CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`)
	tampered("no longer refuses the change")
	exec(`UPDATE meta SET value = '1 x' WHERE key = 'audit_head'`)
	tampered("not the one meta records")
	exec(`DELETE FROM hub_schema WHERE version = (SELECT max(version) FROM hub_schema)`)
	before := pgSnapshot(t, url)
	if _, err := run(t, "audit", "verify", "--db", url); err == nil || !strings.Contains(err.Error(), "older than this release") {
		t.Fatalf("an older schema: %v", err)
	}
	if !reflect.DeepEqual(pgSnapshot(t, url), before) {
		t.Fatal("audit verify upgraded an older hub")
	}
}

// The commands that work on a database file refuse a PostgreSQL URL as
// their --db: taken for a path, it was made into folders named after its
// parts, its password among them, and shown in their messages.
func TestFileCommandsRefuseAPostgresURL(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	const db = "postgres://hub:s3cret@/md?host=/nowhere"
	csv := filepath.Join(dir, "records.csv")
	if err := os.WriteFile(csv, []byte("state_id,mis2000_id,qad,eed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"search", "--db", db, "--last", "Garcia"},
		{"migrant", "--db", db, csv},
		{"reconcile", "--db", db, "--mis2000", csv, "--out", filepath.Join(dir, "out.xlsx")},
		{"report", "qa", "--db", db, "--district", "001", "--from", "2025-08-01", "--to", "2026-06-30", "--detail", filepath.Join(dir, "d.xlsx")},
		{"sync", "--db", db, "--hub", "http://127.0.0.1:1", "--user", "rosa", "--password-file", pw},
		{"demo", "--db", db, "--students", "500"},
	} {
		_, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), "--db names a PostgreSQL database") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: %v", args[0], err)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 2 {
		t.Errorf("the commands left %d files and folders, want the two the test wrote: %v", len(left), left)
	}
}

// A --db written as libpq's keywords (host=... password=...), as a
// database administrator may out of habit, is refused as such: taken for
// a SQLite path, it was shown, password and all, in the message of a hub
// command, and made into a file by an import.
func TestKeywordConnStringRefused(t *testing.T) {
	extract, err := filepath.Abs(goodExtract)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	const db = "host=db.example user=migrantdesk_hub password=s3cret dbname=migrantdesk"
	for _, args := range [][]string{
		{"hub", "serve", "--db", db},
		{"hub", "user", "list", "--db", db},
		{"import", "--db", db, extract},
		{"audit", "verify", "--db", db},
		{"search", "--db", db, "--last", "Garcia"},
	} {
		_, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), "write it as a URL, postgres://") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s %s: %v", args[0], args[1], err)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("the commands left files: %v", left)
	}
}

// A password in a PostgreSQL URL works, but the command says that the
// command line shows it to every local user, and where it belongs; the
// notice never holds the password.
func TestURLPasswordNoticed(t *testing.T) {
	var notes bytes.Buffer
	cli.Stderr = &notes
	defer func() { cli.Stderr = os.Stderr }()
	for _, args := range [][]string{
		{"hub", "user", "list", "--db", "postgres://hub:s3cret@127.0.0.1:1/md"},
		{"hub", "migrate", "--from", "nowhere.db", "--to", "postgres://owner@127.0.0.1:1/md?password=s3cret"},
		{"hub", "user", "list", "--db", "postgres://hub@127.0.0.1:1/md"},
	} {
		notes.Reset()
		run(t, args...)
		said := notes.String()
		if noticed := strings.Contains(said, "URL holds a password") && strings.Contains(said, "~/.pgpass"); noticed != strings.Contains(strings.Join(args, " "), "s3cret") {
			t.Errorf("%v: the notice is %q", args, said)
		}
		if strings.Contains(said, "s3cret") {
			t.Errorf("%v: the notice shows the password: %q", args, said)
		}
	}
}

// hub serve refuses a PostgreSQL database that holds no hub, as it
// refuses a SQLite path with no file at it, and leaves it as it was:
// served, it was given the hub's tables and served an empty hub that
// refused every sign-in, whatever database --db named by mistake.
func TestHubServeRefusesADatabaseWithoutAHub(t *testing.T) {
	pg := pgtest.URL(t)
	// A port no one can listen on: a hub that went on to serve stops
	// there instead of serving until the test times out.
	_, err := run(t, "hub", "serve", "--db", pg, "--addr", "127.0.0.1:99999")
	name := pgQuery(t, pg, `SELECT current_database()`)
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL database "+name[0]+" on ") || !strings.Contains(err.Error(), "holds no hub") ||
		!strings.Contains(err.Error(), "migrantdeskctl import --db URL DIR") {
		t.Fatalf("hub serve of an empty database: %v", err)
	}
	if got := pgQuery(t, pg, `SELECT to_regclass('hub_schema') IS NULL`); !reflect.DeepEqual(got, []string{"true"}) {
		t.Errorf("hub serve made tables in a database it refused: %v", got)
	}
}

// The other hub commands that read or change a hub refuse a PostgreSQL
// database that holds none, as they refuse a SQLite path with no file at
// it, and leave it as it was: run against a database named by mistake
// (postgres, another program's), they made the hub's tables there and
// listed no users, or said the user named was not there.
func TestHubCommandsRefuseADatabaseWithoutAHub(t *testing.T) {
	pg := pgtest.URL(t)
	for _, args := range [][]string{
		{"hub", "user", "list", "--db", pg},
		{"hub", "user", "disable", "--db", pg, "--username", "maria"},
		{"hub", "user", "grant", "--db", pg, "--username", "maria", "--district", "093"},
		{"hub", "new-epoch", "--db", pg},
	} {
		_, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), "holds no hub") {
			t.Errorf("%v of an empty database: %v", args[:3], err)
		}
		if got := pgQuery(t, pg, `SELECT to_regclass('hub_schema') IS NULL`); !reflect.DeepEqual(got, []string{"true"}) {
			t.Fatalf("%v made tables in a database it refused: %v", args[:3], got)
		}
	}
}

// A server on a Unix socket outside libpq's default folder is known in
// the password file by the socket's folder, as psql and pg_dump look it
// up (the README has pg_dump read the owner's password from the same
// file): the hub's commands find that line too, where pgx looked only
// for "localhost" and refused the role's password.
func TestPgpassLineOfASocketFolder(t *testing.T) {
	const secret = "s3cret-of-the-socket"
	u, role := passwordRole(t, "md_sock", secret)
	folder := u.Query().Get("host")
	if !strings.HasPrefix(folder, "/") {
		t.Skipf("the test server is not on a Unix socket: %s", u.Redacted())
	}
	roleURL := u.String()
	pgpass := filepath.Join(t.TempDir(), "pgpass")
	writeTestFile(t, pgpass, folder+":5432:*:"+role+":"+secret+"\n")
	t.Setenv("PGPASSFILE", pgpass)
	if _, err := run(t, "import", "--db", roleURL, goodExtract); err != nil {
		t.Fatalf("import with the socket folder's line: %v", err)
	}
	if _, err := run(t, "hub", "user", "list", "--db", roleURL); err != nil {
		t.Errorf("hub user list with the socket folder's line: %v", err)
	}
	// A password the URL gives goes first, as with libpq.
	u.User = url.UserPassword(role, "not-"+secret)
	if _, err := run(t, "hub", "user", "list", "--db", u.String()); err == nil || !strings.Contains(err.Error(), "refused the password in the URL") {
		t.Errorf("a wrong password in the URL beside a right line: %v", err)
	}
}
