// Package pgtest gives each test a PostgreSQL database of its own, made
// on the server that $MIGRANTDESK_TEST_PG names (`make test` starts a
// private one with .ci/postgres.sh and sets it) and dropped when the test
// ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the URL of a PostgreSQL server's administrative database, on
// which a test may create and drop databases.
const Env = "MIGRANTDESK_TEST_PG"

// URL returns the URL of a new, empty database, dropped when tb ends.
// Without $MIGRANTDESK_TEST_PG the test is skipped, except on CI
// (CI=true), where every test runs and a missing server is a failure.
func URL(tb testing.TB) string {
	tb.Helper()
	if os.Getenv(Env) == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set: CI runs the PostgreSQL tests against the server .ci/postgres.sh starts (make test does)", Env)
		}
		tb.Skipf("%s is not set: run make test, or .ci/postgres.sh run go test ..., for the PostgreSQL tests", Env)
	}
	url, drop, err := Create()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := drop(); err != nil {
			tb.Error(err)
		}
	})
	return url
}

// Copy makes a copy of the database at src, which no one may be using,
// and returns its URL; the copy is dropped when tb ends. It is what a
// backup is to a test: Restore puts it back.
func Copy(tb testing.TB, src string) string {
	tb.Helper()
	u, name, err := parse(src)
	if err != nil {
		tb.Fatal(err)
	}
	copyName := newName()
	if err := exec(os.Getenv(Env), `CREATE DATABASE `+copyName+` TEMPLATE `+name); err != nil {
		tb.Fatalf("copy test database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := exec(os.Getenv(Env), `DROP DATABASE IF EXISTS `+copyName+` WITH (FORCE)`); err != nil {
			tb.Error(err)
		}
	})
	u.Path = "/" + copyName
	return u.String()
}

// Restore replaces the database at dst with a copy of the one at backup
// (Copy's), under dst's name: a new database, as a pg_restore into a new
// database makes.
func Restore(tb testing.TB, backup, dst string) {
	tb.Helper()
	_, from, err := parse(backup)
	if err != nil {
		tb.Fatal(err)
	}
	_, to, err := parse(dst)
	if err != nil {
		tb.Fatal(err)
	}
	admin := os.Getenv(Env)
	if err := exec(admin, `DROP DATABASE IF EXISTS `+to+` WITH (FORCE)`); err != nil {
		tb.Fatalf("restore test database %s: %v", to, err)
	}
	if err := exec(admin, `CREATE DATABASE `+to+` TEMPLATE `+from); err != nil {
		tb.Fatalf("restore test database %s: %v", to, err)
	}
}

// parse reads a test database's URL and name.
func parse(dbURL string) (*url.URL, string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, "", fmt.Errorf("read a test database's URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if !strings.HasPrefix(name, prefix) {
		return nil, "", fmt.Errorf("%q is not a test database", name)
	}
	return u, name, nil
}

const prefix = "migrantdesk_test_"

func newName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Create makes a new, empty database on the server $MIGRANTDESK_TEST_PG
// names, and returns its URL and the function that drops it.
func Create() (dbURL string, drop func() error, err error) {
	admin := os.Getenv(Env)
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("%s is not a postgres:// URL", Env)
	}
	name := newName()
	if err := exec(admin, `CREATE DATABASE `+name); err != nil {
		return "", nil, fmt.Errorf("create a test database: %w", err)
	}
	u.Path = "/" + name
	return u.String(), func() error {
		if err := exec(admin, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			return fmt.Errorf("drop test database %s: %w", name, err)
		}
		return nil
	}, nil
}

// exec runs one statement on the administrative database.
func exec(admin, statement string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, statement)
	return err
}
