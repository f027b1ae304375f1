package pghub

import (
	"context"
	"errors"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/pghub/pgtest"
	"migrantdesk/data/sync"
)

// The README's setup: an owner role makes the schema, and the hub serves
// as a role that may read and write the tables but neither change the
// schema nor update or delete the audit log.
func TestHubRole(t *testing.T) {
	ctx := context.Background()
	admin, owner, server, asAdmin := hubRoles(t)
	asAdmin(admin,
		`ALTER DEFAULT PRIVILEGES FOR ROLE `+owner+` IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO `+server,
		`ALTER DEFAULT PRIVILEGES FOR ROLE `+owner+` IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO `+server)

	// Before the owner has made the schema, the hub's role cannot, and
	// is told to make it as the owner, not to upgrade a hub that is not
	// there.
	_, err := Open(ctx, as(t, admin, server), "")
	if err == nil || !strings.Contains(err.Error(), "make the hub once as the schema's owner, with migrantdeskctl import or hub migrate") ||
		strings.Contains(err.Error(), "upgrade") ||
		!strings.Contains(err.Error(), "database "+dbName(t, admin)) || !strings.Contains(err.Error(), "as "+server) {
		t.Fatalf("the hub's role on an empty database: %v", err)
	}
	o := openEmpty(t, as(t, admin, owner))
	if _, err := o.Import(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	o.Close()
	asAdmin(admin, `REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM `+server)

	h := openEmpty(t, as(t, admin, server))
	for _, u := range hubtest.Users() {
		if err := h.SaveAccount(ctx, "test", hub.Account{User: u}); err != nil {
			t.Fatal(err)
		}
	}
	rec := sync.Record{ID: uuid.NewString(), StateID: hubtest.Maria, MIS2000ID: "123456", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	res, err := h.Push(ctx, hubtest.ClerkC, sync.Cursor{}, []sync.Mutation{hubtest.Mutation(sync.OpCreate, 0, rec), hubtest.Mutation(sync.OpPublish, 1, rec)})
	if err != nil || res[1].Outcome != sync.Applied {
		t.Fatalf("push as the hub's role: %+v %v", res, err)
	}
	if _, err := h.Import(ctx, hubtest.State(), "test"); err != nil {
		t.Fatalf("re-import as the hub's role: %v", err)
	}
	for _, q := range []string{`UPDATE audit SET username = 'someone else'`, `DELETE FROM audit`, `TRUNCATE audit`} {
		var pe *pgconn.PgError
		if _, err := h.pool.Exec(ctx, q); !errors.As(err, &pe) || pe.Code != "42501" {
			t.Errorf("%s as the hub's role: %v", q, err)
		}
	}
	// Starting as the hub's role, a hub renames an account an older hub
	// kept under an unclean name, the audit log appended to, not changed.
	if _, err := h.pool.Exec(ctx, `INSERT INTO users(username, full_name, role, region_code) VALUES(' rita', 'Rita Vega', 'clerk', 'C')`); err != nil {
		t.Fatal(err)
	}
	if got := openEmpty(t, as(t, admin, server)).NameCleanup().Renamed; !slices.Equal(got, []hub.Rename{{From: " rita", To: "rita"}}) {
		t.Errorf("a hub starting as the hub's role renamed %+q", got)
	}
}

func dbName(t *testing.T, dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

// as is dbURL signed in as role.
func as(t *testing.T, dbURL, role string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	return u.String()
}

// A hub role set up after the owner made the schema (the default
// privileges of the README's setup cover only tables made after them) is
// told what it lacks, and the README's grants for tables already made
// let it serve.
func TestHubRoleGrantedAfterTheSchema(t *testing.T) {
	ctx := context.Background()
	admin, owner, server, asAdmin := hubRoles(t)
	o := openEmpty(t, as(t, admin, owner))
	if _, err := o.Import(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	o.Close()

	_, err := Open(ctx, as(t, admin, server), "")
	if err == nil || !strings.Contains(err.Error(), "may not use the hub's tables") || !strings.Contains(err.Error(), "ON ALL TABLES IN SCHEMA public") {
		t.Fatalf("the hub's role without grants: %v", err)
	}
	// The README's grants for a schema made before the default privileges.
	asAdmin(admin,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO `+server,
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO `+server,
		`REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM `+server)
	h := openEmpty(t, as(t, admin, server))
	for _, u := range hubtest.Users() {
		if err := h.SaveAccount(ctx, "test", hub.Account{User: u}); err != nil {
			t.Fatal(err)
		}
	}
	rec := sync.Record{ID: uuid.NewString(), StateID: hubtest.Maria, MIS2000ID: "123456", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	res, err := h.Push(ctx, hubtest.ClerkC, sync.Cursor{}, []sync.Mutation{hubtest.Mutation(sync.OpCreate, 0, rec)})
	if err != nil || res[0].Outcome != sync.Applied {
		t.Fatalf("push as the hub's role granted late: %+v %v", res, err)
	}
}

// hubRoles makes the README's two roles for a test database of its own
// (an owner of the database and its schema, and the hub's role with the
// use of the schema only, no default privileges yet), and drops them
// after the test. It returns the database's URL for the administrator,
// the two roles' names, and a function that runs statements as the
// administrator.
func hubRoles(t *testing.T) (admin, owner, server string, asAdmin func(dbURL string, qs ...string)) {
	t.Helper()
	ctx := context.Background()
	suffix := strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	owner, server = "md_owner_"+suffix, "md_hub_"+suffix
	asAdmin = func(dbURL string, qs ...string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, q := range qs {
			if _, err := conn.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	// Cleanups run last first: the roles go after the database.
	t.Cleanup(func() {
		if cluster := os.Getenv(pgtest.Env); cluster != "" {
			asAdmin(cluster, `DROP ROLE IF EXISTS `+server, `DROP ROLE IF EXISTS `+owner)
		}
	})
	admin = pgtest.URL(t)
	asAdmin(admin,
		`CREATE ROLE `+owner+` LOGIN`,
		`CREATE ROLE `+server+` LOGIN`,
		`ALTER DATABASE `+dbName(t, admin)+` OWNER TO `+owner,
		`ALTER SCHEMA public OWNER TO `+owner,
		`REVOKE ALL ON SCHEMA public FROM PUBLIC`,
		`GRANT USAGE ON SCHEMA public TO `+server)
	return admin, owner, server, asAdmin
}

// A database that a newer release upgraded is refused by name: with a
// restore beside the live database on one server, "the hub database"
// alone did not say which.
func TestNewerSchemaNamesTheDatabase(t *testing.T) {
	dbURL := pgtest.URL(t)
	h := openEmpty(t, dbURL)
	if _, err := h.pool.Exec(context.Background(), `INSERT INTO hub_schema(version) VALUES($1)`, len(migrations)+1); err != nil {
		t.Fatal(err)
	}
	h.Close()
	_, err := Open(context.Background(), dbURL, "")
	if err == nil || !strings.Contains(err.Error(), "newer than this program knows") || !strings.Contains(err.Error(), "database "+dbName(t, dbURL)+" on ") {
		t.Fatalf("a hub database of a newer schema: %v", err)
	}
}
