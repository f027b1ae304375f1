package hubsql

import (
	"database/sql"
	"errors"
	"fmt"

	"migrantdesk/data"
)

// AuditLog appends rows to the hub's audit log inside one transaction,
// each chained to the row before it with data.AuditHash, as the
// workstation's log is, so that `audit verify` and VerifyAudit check the
// hub's log the same way. The last row is read once, at the first append,
// and then kept: the caller's transaction must exclude every other writer
// of the log until it commits (SQLite's single writer; on PostgreSQL the
// feed lock every hub write takes), or two transactions would chain rows
// to the same predecessor. Rows are kept until Flush, which writes them
// with a few statements.
type AuditLog struct {
	tx      Tx
	read    bool
	seq     int64
	hash    string
	pending [][]any
}

// AuditNewEpoch records in tx that actor started the hub's epoch by hand
// at now: every workstation's fresh snapshot at its next sync, and its
// changes sent again, are someone's doing, which the log must be able
// to name as it names an import's.
func AuditNewEpoch(tx Tx, actor, epoch, now string) error {
	log := NewAuditLog(tx)
	if err := log.Append(now, actor, "new epoch", "hub", epoch, "",
		"started by hand: every workstation takes a fresh snapshot at its next sync"); err != nil {
		return err
	}
	return log.Flush()
}

// NewAuditLog is the audit log as tx writes it.
func NewAuditLog(tx Tx) *AuditLog { return &AuditLog{tx: tx} }

// endRead reads the log's last row ahead of the first Append, so that it
// can travel with other reads (readAll); no row is an empty log.
func (l *AuditLog) endRead() Read {
	l.read = true
	return Read{Query: `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`, Row: func(rows Rows) error {
		return rows.Scan(&l.seq, &l.hash)
	}}
}

// Append adds one row after the last, with its hash; Flush writes it.
func (l *AuditLog) Append(at, user, action, entity, id, before, after string) error {
	if !l.read {
		err := l.tx.QueryRow(`SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&l.seq, &l.hash)
		if errors.Is(err, sql.ErrNoRows) {
			l.seq, l.hash = 0, ""
		} else if err != nil {
			return fmt.Errorf("read the end of the audit log: %w", err)
		}
		l.read = true
	}
	r := data.AuditRow{Seq: l.seq + 1, At: at, User: user, Action: action, Entity: entity, EntityID: id,
		Before: before, After: after}
	h := data.AuditHash(l.hash, r)
	l.pending = append(l.pending, []any{r.Seq, r.At, r.User, r.Action, r.Entity, r.EntityID, r.Before, r.After, h})
	l.seq, l.hash = r.Seq, h
	return nil
}

// Flush writes the rows appended since the last flush, and records the
// last in meta as the log's last row (audit_head), which verification
// holds the end of the log against.
func (l *AuditLog) Flush() error {
	if len(l.pending) == 0 {
		return nil
	}
	err := insertRows(l.tx, `INSERT INTO audit(seq, at, username, action, entity, entity_id, before, after, hash) VALUES `, "", l.pending, nil)
	if err != nil {
		return fmt.Errorf("write the audit log: %w", err)
	}
	err = l.tx.Exec(`INSERT INTO meta(key, value) VALUES('audit_head', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, fmt.Sprintf("%d %s", l.seq, l.hash))
	if err != nil {
		return fmt.Errorf("write the end of the audit log: %w", err)
	}
	l.pending = l.pending[:0]
	return nil
}

// VerifyAudit checks the hub's audit log in tx, row by row in order, with
// data.AuditChain, and that meta's audit_head names its last row. It
// returns how many rows held and, when the log is not as the hub wrote
// it, a *data.AuditBreak saying where; any other error is a failure to
// read it.
func VerifyAudit(tx Tx) (int64, error) {
	rows, err := tx.Query(`SELECT seq, at, username, action, entity, entity_id, before, after, hash FROM audit ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("read the audit log: %w", err)
	}
	defer rows.Close()
	var chain data.AuditChain
	var n int64
	for rows.Next() {
		var r data.AuditRow
		var h string
		if err := rows.Scan(&r.Seq, &r.At, &r.User, &r.Action, &r.Entity, &r.EntityID, &r.Before, &r.After, &h); err != nil {
			return n, fmt.Errorf("read the audit log: %w", err)
		}
		if err := chain.Check(r, h); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("read the audit log: %w", err)
	}
	rows.Close()
	last, hash := chain.Last()
	var kept string
	err = tx.QueryRow(`SELECT value FROM meta WHERE key = 'audit_head'`).Scan(&kept)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if last != 0 {
			return n, &data.AuditBreak{Seq: last, Why: "is the last, and the record of the last row is missing from meta: rows may have been cut off the end"}
		}
	case err != nil:
		return n, fmt.Errorf("read the record of the audit log's last row: %w", err)
	case kept != fmt.Sprintf("%d %s", last, hash):
		return n, &data.AuditBreak{Seq: last, Why: fmt.Sprintf("is the last, not the one meta records (%q): rows were cut off the end, or the log or that record was changed", kept)}
	}
	return n, nil
}

// IdentityQuery reads the hub's identity (hub.Store's Identity): the
// hash of its audit log's first row, or "" while the log is empty.
const IdentityQuery = `SELECT coalesce((SELECT hash FROM audit ORDER BY seq LIMIT 1), '')`
