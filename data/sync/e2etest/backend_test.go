package e2etest

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql's "pgx", for the checks' queries of a PostgreSQL hub

	"migrantdesk/data/hub"
	"migrantdesk/data/hub/pghub"
	"migrantdesk/data/hub/pghub/pgtest"
	"migrantdesk/data/hub/sqlitehub"
)

// backend is a kind of hub database the end-to-end tests run against:
// both, so that a hub on PostgreSQL is proven to behave as one on SQLite.
type backend string

const (
	onSQLite   backend = "sqlite"
	onPostgres backend = "postgres"
)

// eachBackend runs fn as a parallel subtest on each back end. The
// PostgreSQL one needs the server $MIGRANTDESK_TEST_PG names (pgtest.URL:
// skipped loudly without it, a failure on CI).
func eachBackend(t *testing.T, fn func(t *testing.T, be backend)) {
	t.Parallel()
	for _, be := range []backend{onSQLite, onPostgres} {
		t.Run(string(be), func(t *testing.T) {
			t.Parallel()
			fn(t, be)
		})
	}
}

// newHubDB names a new, empty hub database: a file in dir, or a database
// of its own on the test server, dropped when tb ends. Either is what
// --db takes.
func newHubDB(tb testing.TB, be backend, dir string) string {
	tb.Helper()
	if be == onPostgres {
		return pgtest.URL(tb)
	}
	return filepath.Join(dir, "hub.db")
}

func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// hubStore is a hub database opened in the test process, beside the hub
// process serving it, for the test's setup and checks.
type hubStore interface {
	hub.Store
	Close() error
}

// openHubStore opens a hub database of either kind; the test closes it.
func openHubStore(tb testing.TB, db string) hubStore {
	tb.Helper()
	var h hubStore
	var err error
	if isPostgres(db) {
		h, err = pghub.Open(context.Background(), db, "")
	} else {
		h, err = sqlitehub.Open(db)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// openHub opens a hub database for the test's checks, closed when the
// test ends.
func openHub(tb testing.TB, db string) hubStore {
	tb.Helper()
	h := openHubStore(tb, db)
	tb.Cleanup(func() { h.Close() })
	return h
}

// openSQL opens a database of either kind for the test's own queries,
// closed when the test ends. Queries that run on a hub of either kind
// write their parameters $1, $2, ..., which SQLite reads too.
func openSQL(tb checker, db string) *sql.DB {
	tb.Helper()
	var h *sql.DB
	var err error
	if isPostgres(db) {
		h, err = sql.Open("pgx", db)
	} else {
		h, err = sql.Open("sqlite", "file:"+(&url.URL{Path: db}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { h.Close() })
	return h
}

// backupHub copies a hub database that no process has open and returns
// the copy's name: a file in dir, or a database made from it as a
// template.
func backupHub(tb testing.TB, db, dir string) string {
	tb.Helper()
	if isPostgres(db) {
		return pgtest.Copy(tb, db)
	}
	backup := filepath.Join(dir, "hub-backup.db")
	copyDB(tb, db, backup)
	return backup
}

// restoreHub replaces a hub database that no process has open with a
// backup of it.
func restoreHub(tb testing.TB, backup, db string) {
	tb.Helper()
	if isPostgres(db) {
		pgtest.Restore(tb, backup, db)
		return
	}
	copyDB(tb, backup, db)
}

// copyDB copies a database that no process has open (its write-ahead log
// checkpointed away by the last close), replacing what is at dst.
func copyDB(tb testing.TB, src, dst string) {
	tb.Helper()
	for _, f := range []string{src + "-wal", src + "-shm"} {
		if _, err := os.Stat(f); err == nil {
			tb.Fatalf("%s is still there: the database is open or was not closed cleanly", f)
		}
	}
	for _, f := range []string{dst + "-wal", dst + "-shm"} {
		os.Remove(f)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}
