package pghub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"migrantdesk/data"
	"migrantdesk/data/hub/hubsql"
)

// AuditCheck is what VerifyAuditAt found.
type AuditCheck struct {
	Rows     int64    // rows whose hash held
	Problems []string // every finding, as sentences, the break first
}

// OK reports whether the log is as the hub wrote it.
func (c AuditCheck) OK() bool { return len(c.Problems) == 0 }

// auditTriggers are the triggers that keep the audit log append-only
// (schema.go), with the events each must fire on.
var auditTriggers = []struct {
	name   string
	events []string
}{
	{"audit_no_update", []string{"DELETE", "UPDATE"}},
	{"audit_no_truncate", []string{"TRUNCATE"}},
}

// refusal is the line of audit_append_only that refuses the change: a
// function of that name that no longer raises it lets every change by.
const refusal = "RAISE EXCEPTION 'the audit log is append-only'"

// VerifyAuditAt checks the audit log of the hub database at url: every
// row's hash against its contents and the row before it, that meta
// records its last row, and that the triggers keeping it append-only are
// there and enabled. It reads one snapshot, beside serving hubs, on a
// connection of its own: unlike Open it changes nothing (no schema
// upgrade, no key, no renames), as a check of what is there must not.
// A password, when not "", is used instead of one from the URL,
// PGPASSFILE or ~/.pgpass. It refuses a database that is not a hub of
// this release's schema.
func VerifyAuditAt(ctx context.Context, url, password string) (AuditCheck, error) {
	var c AuditCheck
	conn, err := connectOne(ctx, url, password)
	if err != nil {
		return c, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	err = pgx.BeginTxFunc(ctx, conn, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := currentSchema(ctx, tx); err != nil {
			return err
		}
		n, err := hubsql.VerifyAudit(newTx(ctx, tx))
		c.Rows = n
		var br *data.AuditBreak
		switch {
		case errors.As(err, &br):
			c.Problems = append(c.Problems, br.Error())
		case err != nil:
			return err
		}
		missing, err := missingAuditTriggers(ctx, tx)
		c.Problems = append(c.Problems, missing...)
		return err
	})
	return c, err
}

// connectOne opens one connection of its own to the database at url,
// read as Open reads it, so that the pool's settings a hub's URL may
// carry (pool_max_conns) are not sent to the server as its own.
func connectOne(ctx context.Context, url, password string) (*pgx.Conn, error) {
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, errors.New("the PostgreSQL URL could not be read; write it as postgres://USER@HOST/DATABASE?sslmode=...")
	}
	cfg := pcfg.ConnConfig
	if password != "" {
		cfg.Password = password
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return conn, nil
}

// HoldsHub reports whether the database at url holds a hub's tables,
// changing nothing: Open makes a hub of any database its role may create
// tables in, the server's postgres database named by mistake too. It
// names the database as "DB on HOST" for messages.
func HoldsHub(ctx context.Context, url, password string) (holds bool, name string, err error) {
	conn, err := connectOne(ctx, url, password)
	if err != nil {
		return false, "", err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	name = conn.Config().Database + " on " + conn.Config().Host
	if err := conn.QueryRow(ctx, `SELECT to_regclass('hub_schema') IS NOT NULL`).Scan(&holds); err != nil {
		return false, name, fmt.Errorf("read whether PostgreSQL database %s holds a hub: %w", name, err)
	}
	return holds, name, nil
}

// currentSchema refuses a database that holds no hub, or one whose
// schema is not this release's: its audit log would be read with the
// wrong columns, and upgrading it first would hash its rows as they are.
func currentSchema(ctx context.Context, tx pgx.Tx) error {
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('hub_schema') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("read the hub's schema version: %w", err)
	}
	if !exists {
		return errors.New("this database holds no Migrant Desk hub")
	}
	var version int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM hub_schema`).Scan(&version); err != nil {
		return fmt.Errorf("read the hub's schema version: %w", err)
	}
	switch {
	case version > len(migrations):
		return fmt.Errorf("the hub database has schema version %d, newer than this program knows (%d): use a newer Migrant Desk", version, len(migrations))
	case version < len(migrations):
		return fmt.Errorf("the hub database has schema version %d, older than this release's (%d): check it with the release that serves it", version, len(migrations))
	}
	return nil
}

// missingAuditTriggers names each of auditTriggers that is gone,
// disabled, or no longer refuses every change it refused.
func missingAuditTriggers(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT t.tgname, t.tgenabled <> 'D',
			array_remove(ARRAY[
				CASE WHEN t.tgtype & 8 <> 0 THEN 'DELETE' END,
				CASE WHEN t.tgtype & 16 <> 0 THEN 'UPDATE' END,
				CASE WHEN t.tgtype & 32 <> 0 THEN 'TRUNCATE' END], NULL),
			p.proname, p.prosrc
		FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
		WHERE t.tgrelid = 'audit'::regclass AND NOT t.tgisinternal`)
	if err != nil {
		return nil, fmt.Errorf("read the audit log's triggers: %w", err)
	}
	type trigger struct {
		enabled bool
		events  []string
		fn, src string
	}
	have := map[string]trigger{}
	for rows.Next() {
		var name string
		var t trigger
		if err := rows.Scan(&name, &t.enabled, &t.events, &t.fn, &t.src); err != nil {
			return nil, fmt.Errorf("read the audit log's triggers: %w", err)
		}
		have[name] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the audit log's triggers: %w", err)
	}
	var problems []string
	for _, want := range auditTriggers {
		name := want.name
		t, ok := have[name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("the trigger %s, which keeps the audit log append-only, is gone", name))
		case !t.enabled:
			problems = append(problems, fmt.Sprintf("the trigger %s, which keeps the audit log append-only, is disabled", name))
		case !slices.Equal(t.events, want.events) || t.fn != "audit_append_only":
			problems = append(problems, fmt.Sprintf("the trigger %s was replaced: it fires on %v and runs %s", name, t.events, t.fn))
		case !strings.Contains(t.src, refusal):
			problems = append(problems, fmt.Sprintf("the function audit_append_only, which the trigger %s runs, was changed: it no longer refuses the change", name))
		}
	}
	return problems, nil
}
