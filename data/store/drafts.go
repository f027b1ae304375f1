package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"migrantdesk/data"
)

// Draft is what a person typed in a Student Migrant Detail and has not
// saved. The app keeps it as they type, so that the typing outlives the
// app ending without a word (Windows logging off or restarting, a power
// cut, a crash), and offers it again. It is this workstation's alone:
// never synced, never audited, and dropped once saved or discarded.
type Draft struct {
	Username string
	StateID  string
	RecordID string // the record edited; "" for a new record
	// Merge says the typing is a merge of the record's conflict, kept
	// apart from an edit of it, and only while the conflict is open.
	Merge bool
	// Version is the edited record's version the typing started from
	// (0 for a new record), or for a merge the version of the hub's
	// copy merged with: a later one came from a sync meanwhile.
	Version int
	// The fields as typed, checked or not: a draft keeps what the form
	// would refuse too, as the person left it.
	MIS2000ID, QAD, EED string
	EEDChosen           bool // the person set the EED; the form does not compute it
	At                  time.Time
}

// MaxDraftText is the most characters a draft keeps of a field: far more
// than any value the form takes, so only a paste of something else is
// cut.
const MaxDraftText = 100

// KeepDraft keeps d as u's typing for d's record, in place of what was
// kept before. Only a person who may change the student's records keeps
// a draft of them. A merge of a conflict resolved meanwhile is not kept:
// the form's last keystrokes may be written after the resolution, which
// dropped the merge's typing (closeConflict), and would offer it again.
func (s *Store) KeepDraft(ctx context.Context, u data.User, d Draft) error {
	if strings.TrimSpace(u.Username) == "" || strings.TrimSpace(d.StateID) == "" {
		return fmt.Errorf("keep what was typed: no user (%q) or student (%q)", u.Username, d.StateID)
	}
	err := s.writeAs(ctx, u, func(tx *sql.Tx, u data.User) error {
		if err := mayWrite(tx, u, d.StateID); err != nil {
			return err
		}
		if d.Merge {
			open, err := hasConflict(tx, d.RecordID)
			if err != nil || !open {
				return err
			}
		}
		_, err := tx.Exec(`INSERT INTO drafts(username, state_id, record_id, merge, version, mis2000_id, qad, eed, eed_chosen, at)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(username, state_id, record_id, merge) DO UPDATE SET version = excluded.version,
				mis2000_id = excluded.mis2000_id, qad = excluded.qad, eed = excluded.eed,
				eed_chosen = excluded.eed_chosen, at = excluded.at`,
			u.Username, d.StateID, d.RecordID, d.Merge, d.Version, clip(d.MIS2000ID), clip(d.QAD), clip(d.EED), d.EEDChosen, s.timestamp())
		return err
	})
	var ae *data.AccessError
	if err != nil && !errors.As(err, &ae) {
		err = fmt.Errorf("keep what was typed for student %s: %w", d.StateID, err)
	}
	return err
}

// clip is a field's text as a draft keeps it, at most MaxDraftText
// characters.
func clip(s string) string {
	if r := []rune(s); len(r) > MaxDraftText {
		return string(r[:MaxDraftText])
	}
	return s
}

// Drafts are username's drafts, newest first.
func (s *Store) Drafts(ctx context.Context, username string) ([]Draft, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT state_id, record_id, merge, version, mis2000_id, qad, eed, eed_chosen, at
		FROM drafts WHERE username = ? ORDER BY at DESC, state_id, record_id, merge`, username)
	if err != nil {
		return nil, fmt.Errorf("read what %s typed and did not save: %w", username, err)
	}
	defer rows.Close()
	var out []Draft
	for rows.Next() {
		d := Draft{Username: username}
		var at string
		if err := rows.Scan(&d.StateID, &d.RecordID, &d.Merge, &d.Version, &d.MIS2000ID, &d.QAD, &d.EED, &d.EEDChosen, &at); err != nil {
			return nil, fmt.Errorf("read what %s typed and did not save: %w", username, err)
		}
		// A time that does not parse leaves the typing shown without one.
		d.At, _ = time.Parse(time.RFC3339, at)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read what %s typed and did not save: %w", username, err)
	}
	return out, nil
}

// DropDraft forgets username's draft of the student, record and kind
// of key (its StateID, RecordID and Merge); there may be none.
func (s *Store) DropDraft(ctx context.Context, username string, key Draft) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.Exec(`DELETE FROM drafts WHERE username = ? AND state_id = ? AND record_id = ? AND merge = ?`,
			username, key.StateID, key.RecordID, key.Merge)
		return err
	})
	if err != nil {
		return fmt.Errorf("forget what was typed for student %s: %w", key.StateID, err)
	}
	return nil
}
