// Package pgtest gives each test a PostgreSQL database of its own, made
// on the server that $MIGRANTDESK_TEST_PG names (`make test` starts a
// private one with .ci/postgres.sh and sets it) and dropped when the test
// ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
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
	admin := os.Getenv(Env)
	if admin == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set: CI runs the PostgreSQL tests against the server .ci/postgres.sh starts (make test does)", Env)
		}
		tb.Skipf("%s is not set: run make test, or .ci/postgres.sh run go test ..., for the PostgreSQL tests", Env)
	}
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("%s is not a postgres:// URL", Env)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "migrantdesk_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		tb.Fatalf("create a test database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Errorf("connect to the test server to drop %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
