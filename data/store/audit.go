package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// audit appends one row to the audit log inside the caller's transaction,
// so the log holds exactly the changes that committed. The row's hash
// chains it to the last row; the writer's transaction holds the write
// lock, so no other row can come between.
func (s *Store) audit(tx *sql.Tx, user, action, entity, id, before, after string) error {
	_, _, err := s.auditRow(tx, user, action, entity, id, before, after)
	return err
}

// auditRow is audit, returning the row written and its hash.
func (s *Store) auditRow(tx *sql.Tx, user, action, entity, id, before, after string) (data.AuditRow, string, error) {
	var last int64
	var prev string
	err := tx.QueryRow(`SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return data.AuditRow{}, "", fmt.Errorf("read the end of the audit log: %w", err)
	}
	r := data.AuditRow{Seq: last + 1, At: s.timestamp(), User: user, Action: action,
		Entity: entity, EntityID: id, Before: before, After: after}
	hash := data.AuditHash(prev, r)
	_, err = tx.Exec(`INSERT INTO audit(seq, at, username, action, entity, entity_id, before, after, hash)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Seq, r.At, r.User, r.Action, r.Entity, r.EntityID,
		r.Before, r.After, hash)
	if err != nil {
		return data.AuditRow{}, "", fmt.Errorf("write the audit log: %w", err)
	}
	return r, hash, nil
}

// auditTriggers keep the audit log append-only. A REPLACE over a row
// deletes it through conflict resolution, which fires no DELETE trigger
// (recursive_triggers is off), so audit_no_replace refuses an insert
// whose seq is taken before the conflict is resolved. VerifyAudit checks
// that each is there with this text.
var auditTriggers = []struct{ name, sql string }{
	{"audit_no_update", `CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`},
	{"audit_no_delete", `CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`},
	{"audit_no_replace", `CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: a row cannot be replaced'); END`},
}

// hashAuditRows is migration 5's work: the hash of every row already in
// the log, in order, then the triggers. It reads in batches so that a
// long log is not held in memory at once.
func hashAuditRows(tx *sql.Tx) error {
	var chain data.AuditChain
	for {
		after, prev := chain.Last()
		rows, err := tx.Query(`SELECT seq, at, username, action, entity, entity_id, before, after
			FROM audit WHERE seq > ? ORDER BY seq LIMIT 1000`, after)
		if err != nil {
			return fmt.Errorf("read the audit log: %w", err)
		}
		batch, err := scanAuditRows(rows)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			h := data.AuditHash(prev, r)
			if _, err := tx.Exec(`UPDATE audit SET hash = ? WHERE seq = ?`, h, r.Seq); err != nil {
				return fmt.Errorf("hash audit row %d: %w", r.Seq, err)
			}
			if err := chain.Check(r, h); err != nil {
				return err
			}
			prev = h
		}
	}
	for _, t := range auditTriggers {
		if _, err := tx.Exec(t.sql); err != nil {
			return fmt.Errorf("create trigger %s: %w", t.name, err)
		}
	}
	return nil
}

func scanAuditRows(rows *sql.Rows) ([]data.AuditRow, error) {
	defer rows.Close()
	var out []data.AuditRow
	for rows.Next() {
		var r data.AuditRow
		if err := rows.Scan(&r.Seq, &r.At, &r.User, &r.Action, &r.Entity, &r.EntityID, &r.Before, &r.After); err != nil {
			return nil, fmt.Errorf("read the audit log: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the audit log: %w", err)
	}
	return out, nil
}

// AuditCheck is what VerifyAudit found.
type AuditCheck struct {
	Rows     int64            // rows whose hash held
	Break    *data.AuditBreak // the first row that does not hold, if any
	Problems []string         // every finding, as sentences, the break first
}

// OK reports whether the log is as the program wrote it.
func (c AuditCheck) OK() bool { return len(c.Problems) == 0 }

// VerifyAudit checks the audit log: every row's hash against its contents
// and the row before it, that no rows were cut off the end, and that the
// triggers keeping it append-only are there unchanged. It reads one
// snapshot, beside any writer.
//
// The hash is not keyed: someone who rewrites the whole chain with this
// program's code goes unnoticed here. What it catches is a row changed,
// removed or replaced with a database tool, and a trigger dropped.
func (s *Store) VerifyAudit(ctx context.Context) (AuditCheck, error) {
	var c AuditCheck
	err := s.read(ctx, func(tx *sql.Tx) error {
		c = AuditCheck{}
		rows, err := tx.QueryContext(ctx, `SELECT seq, at, username, action, entity, entity_id, before, after, hash
			FROM audit ORDER BY seq`)
		if err != nil {
			return fmt.Errorf("read the audit log: %w", err)
		}
		defer rows.Close()
		var chain data.AuditChain
		for rows.Next() {
			var r data.AuditRow
			var h string
			if err := rows.Scan(&r.Seq, &r.At, &r.User, &r.Action, &r.Entity, &r.EntityID, &r.Before, &r.After, &h); err != nil {
				return fmt.Errorf("read the audit log: %w", err)
			}
			if err := chain.Check(r, h); err != nil {
				c.Break = err.(*data.AuditBreak)
				c.Problems = append(c.Problems, err.Error())
				break
			}
			c.Rows++
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read the audit log: %w", err)
		}
		rows.Close()
		if c.Break == nil {
			last, _ := chain.Last()
			var issued int64
			err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0)`).Scan(&issued)
			if err != nil {
				return fmt.Errorf("read the audit log's last number: %w", err)
			}
			if issued > last {
				c.Problems = append(c.Problems, fmt.Sprintf("audit rows %d to %d, the last ones written, were deleted", last+1, issued))
			}
		}
		missing, err := s.missingAuditTriggers(ctx, tx)
		c.Problems = append(c.Problems, missing...)
		return err
	})
	return c, err
}

// missingAuditTriggers names each of auditTriggers that is gone or was
// replaced by another of its name.
func (s *Store) missingAuditTriggers(ctx context.Context, tx *sql.Tx) ([]string, error) {
	have := map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'`)
	if err != nil {
		return nil, fmt.Errorf("read the audit log's triggers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, text string
		if err := rows.Scan(&name, &text); err != nil {
			return nil, fmt.Errorf("read the audit log's triggers: %w", err)
		}
		have[name] = text
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the audit log's triggers: %w", err)
	}
	var out []string
	for _, t := range auditTriggers {
		text, ok := have[t.name]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("trigger %s is missing: the audit log can be changed", t.name))
		case strings.Join(strings.Fields(text), " ") != strings.Join(strings.Fields(t.sql), " "):
			out = append(out, fmt.Sprintf("trigger %s was replaced: the audit log may be changed", t.name))
		}
	}
	return out, nil
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	Seq                                int64
	At, User, Action, Entity, EntityID string
	Before, After                      string
}

// Audit returns the audit rows about one entity (all of them when id is
// ""), newest first.
func (s *Store) Audit(ctx context.Context, entity, id string) ([]AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, at, username, action, entity, entity_id, before, after
		FROM audit WHERE entity = ? AND (? = '' OR entity_id = ?) ORDER BY seq DESC`, entity, id, id)
	if err != nil {
		return nil, fmt.Errorf("read the audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var a AuditEntry
		if err := rows.Scan(&a.Seq, &a.At, &a.User, &a.Action, &a.Entity, &a.EntityID, &a.Before, &a.After); err != nil {
			return nil, fmt.Errorf("read the audit log: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ExportAudit records that a report holding data left the program: an
// export is logged as started before its first byte is written and as
// completed once the file has its name, so every file on disk has a row.
type ExportAudit struct {
	Report    string // "QA Migrant detail", "QA Migrant aggregated"
	District  string
	Period    string
	Rows      int
	File      string
	Encrypted bool
	// Encryption says how, when Encrypted: what the reader of the log
	// needs to judge what the file's password protects.
	Encryption string `json:",omitempty"`
	Stage      string // ExportStarted or ExportCompleted
}

// Stages of an export in the audit log.
const (
	ExportStarted   = "started"
	ExportCompleted = "completed"
)

// AuditExport writes an export to the audit log, as action "export".
func (s *Store) AuditExport(ctx context.Context, user string, e ExportAudit) error {
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		r, hash, err := s.auditRow(tx, user, "export", "report", e.District, "", string(body))
		if err != nil {
			return err
		}
		// The state keeps every PII export in the hub's log too: the row
		// travels with the outbox, once, whatever the sync retries.
		return s.enqueue(tx, sync.EntityAudit, hash, sync.OpAppend, 0, sync.AuditRow{Seq: r.Seq, Hash: hash, At: r.At,
			Action: r.Action, Entity: r.Entity, EntityID: r.EntityID, Before: r.Before, After: r.After})
	})
}

// ExportFolders are the folders of the files the latest exports wrote
// (the last 1,000 audit rows of exports), each once, newest first: where
// a killed export may have left a partial file.
func (s *Store) ExportFolders(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT after FROM audit WHERE action = 'export' ORDER BY seq DESC LIMIT 1000`)
	if err != nil {
		return nil, fmt.Errorf("read the exports in the audit log: %w", err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	var out []string
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("read the exports in the audit log: %w", err)
		}
		var e ExportAudit
		if json.Unmarshal([]byte(body), &e) != nil || !filepath.IsAbs(e.File) {
			continue
		}
		if d := filepath.Dir(e.File); !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the exports in the audit log: %w", err)
	}
	return out, nil
}
