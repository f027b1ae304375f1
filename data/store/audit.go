package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// audit appends one row to the audit log inside the caller's transaction,
// so the log holds exactly the changes that committed.
func (s *Store) audit(tx *sql.Tx, user, action, entity, id, before, after string) error {
	_, err := tx.Exec(`INSERT INTO audit(at, username, action, entity, entity_id, before, after)
		VALUES(?, ?, ?, ?, ?, ?, ?)`, s.timestamp(), user, action, entity, id, before, after)
	if err != nil {
		return fmt.Errorf("write the audit log: %w", err)
	}
	return nil
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
	Stage     string // ExportStarted or ExportCompleted
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
		return s.audit(tx, user, "export", "report", e.District, "", string(body))
	})
}
