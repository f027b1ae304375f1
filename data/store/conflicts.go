package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// Conflict is a record the hub refused because it had changed there
// first: the record as this workstation has it and the hub's copy, for a
// person to compare field by field and resolve.
type Conflict struct {
	RecordID   string
	MutationID string // the change the hub refused
	Student    data.Student
	Mine       sync.Record
	Theirs     sync.Record
	At         string // when the hub answered
	// Gone says the hub's record has left the user's scope since (a
	// re-import moved its student to another region, and the snapshot
	// that followed did not bring it): keeping theirs removes it here,
	// and mine the hub will refuse.
	Gone bool
	// publishKnown says Theirs carries the record's last publish on the
	// hub; a conflict kept before it did has none.
	publishKnown bool
	// Undecided says a snapshot is under way that has not yet brought
	// the record or its student: whether it is still in the user's scope
	// is known once the snapshot is whole, and until then it cannot be
	// resolved (ErrUndecided).
	Undecided bool
}

// ErrTheirsChanged is returned when keeping mine or a merge against a copy
// of the hub's record older than the one the conflict holds now.
var ErrTheirsChanged = errors.New("the hub's record changed again since you compared it: look at it again, then choose")

// ErrGoneFromScope is returned when keeping mine or a merge of a record
// that has left the user's scope (Conflict.Gone): the hub would refuse it.
var ErrGoneFromScope = errors.New("the hub no longer counts this student in your region: only keeping theirs is possible")

// ErrUndecided is returned when resolving a conflict while the sync under
// way may yet find the record gone from the user's scope.
var ErrUndecided = errors.New("the hub is sending this computer a fresh copy of your records: let the sync finish, then resolve the conflict")

// hubSide is the hub's side of a conflict as the conflicts table keeps
// it: its record, and that the record's last publish is part of it.
type hubSide struct {
	sync.Record
	PublishKnown bool `json:"publish_known,omitempty"`
}

// ErrNoConflict is returned when resolving a record that has no conflict.
var ErrNoConflict = errors.New("the record has no conflict to resolve")

// keepConflict records that the hub refused m because its copy, theirs,
// changed first. The local record stays as it is (mine); the record's
// other waiting changes join the conflict, since the resolution replaces
// them. A later answer only brings a newer copy of theirs.
func (s *Store) keepConflict(tx *sql.Tx, m sync.Mutation, theirs sync.Record) error {
	mine, err := wireRecord(tx, m.EntityID)
	if err != nil {
		return err
	}
	mj, _ := json.Marshal(mine)
	tj, _ := json.Marshal(hubSide{Record: theirs, PublishKnown: true})
	now := s.timestamp()
	if _, err := tx.Exec(`INSERT INTO conflicts(record_id, mutation_id, mine, theirs, at) VALUES(?, ?, ?, ?, ?)
		ON CONFLICT(record_id) DO UPDATE SET theirs = excluded.theirs, at = excluded.at
		WHERE json_extract(excluded.theirs, '$.version') >= json_extract(conflicts.theirs, '$.version')`,
		m.EntityID, m.ID, string(mj), string(tj), now); err != nil {
		return fmt.Errorf("keep the conflict: %w", err)
	}
	_, err = tx.Exec(`UPDATE outbox SET state = ?, pushed_at = ? WHERE entity = ? AND entity_id = ? AND state = ?`,
		string(sync.Conflict), now, m.Entity, m.EntityID, statePending)
	return err
}

// holdCopies makes the copies of the record of m (the outbox's mutation
// seq) those the hub's answer res holds, when it sends them (see
// sync.Result.Copies): a publish or delete wrote copies here from this
// workstation's view of the student's enrollments, a publish refused left
// copies the hub never had, and while either waited the pulls passed over
// the hub's copies of the record (keepLocal). A later publish or delete
// of the record still waiting will be answered with newer ones, unless
// this answer is a conflict, which swallows it. The districts of the
// copies before and after join changed.
func holdCopies(tx *sql.Tx, m sync.Mutation, seq int64, res sync.Result, changed map[string]bool) error {
	if res.Copies == nil || m.Entity != sync.EntityRecord {
		return nil
	}
	if res.Outcome != sync.Conflict {
		var later bool
		if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? AND state = ? AND op IN (?, ?) AND seq > ?)`,
			m.Entity, m.EntityID, statePending, sync.OpPublish, sync.OpDelete, seq).Scan(&later); err != nil || later {
			return err
		}
	}
	var stateID string
	err := tx.QueryRow(`SELECT state_id FROM migrant_records WHERE id = ?`, m.EntityID).Scan(&stateID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // a record never written here has no copies here
	}
	if err != nil {
		return err
	}
	if err := collect(tx, changed, `DELETE FROM published WHERE record_id = ? RETURNING district_number`, m.EntityID); err != nil {
		return err
	}
	keys := sync.KeyColumns("published")
	for _, row := range *res.Copies {
		if row["record_id"] != m.EntityID {
			return fmt.Errorf("the answer holds a copy of record %s", row["record_id"])
		}
		cols, vals, err := pulledRow(sync.Change{Table: "published", Row: row})
		if err != nil {
			return fmt.Errorf("the copy for district %s: %w", row["district_number"], err)
		}
		if err := setRow(tx, "published", keys, cols, vals); err != nil {
			return err
		}
		changed[row["district_number"]] = true
	}
	return recheckStudents(tx, stateID)
}

// giveUp keeps the hub's side of a conflict whose record has left the
// user's scope: the record goes from this workstation (takeOff).
func (s *Store) giveUp(tx *sql.Tx, u data.User, c Conflict, changed map[string]bool) error {
	if err := s.closeConflict(tx, u, c, "keep theirs", c.Theirs); err != nil {
		return err
	}
	return takeOff(tx, c.RecordID, c.Student.StateID, changed)
}

// takeOff removes record id of student stateID from this workstation,
// with its copies (their districts join changed), and the student unless
// a row kept here still names them, as the snapshot that left the
// student out would have taken them but for the local work that kept
// them.
func takeOff(tx *sql.Tx, id, stateID string, changed map[string]bool) error {
	if err := collect(tx, changed, `DELETE FROM published WHERE record_id = ? RETURNING district_number`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM migrant_records WHERE id = ?`, id); err != nil {
		return err
	}
	var held bool
	if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM migrant_records WHERE state_id = ?1)
		OR EXISTS (SELECT 1 FROM enrollments WHERE state_id = ?1) OR EXISTS (SELECT 1 FROM programs WHERE state_id = ?1)
		OR EXISTS (SELECT 1 FROM assessments WHERE state_id = ?1)`, stateID).Scan(&held); err != nil || held {
		return err
	}
	return removeRow(tx, "students", sync.KeyColumns("students"), []any{stateID})
}

// openConflict reads the conflict of a record that u may resolve.
func openConflict(tx *sql.Tx, u data.User, id string) (Conflict, error) {
	cs, err := loadConflicts(tx, id)
	if err != nil {
		return Conflict{}, err
	}
	if len(cs) == 0 {
		return Conflict{}, fmt.Errorf("record %s: %w", id, ErrNoConflict)
	}
	if cs[0].Undecided {
		return Conflict{}, ErrUndecided
	}
	check := mayWrite
	if cs[0].Gone {
		// Keeping theirs is all that is left of it (resolve), and sends
		// nothing: that the hub left the student out is what it takes.
		check = mayWriteEnrolled
	}
	if err := check(tx, u, cs[0].Student.StateID); err != nil {
		return Conflict{}, err
	}
	return cs[0], nil
}

// closeConflict ends a conflict resolved as how, the record now next: the
// audit keeps both sides as they were. The merges typed of it and not
// saved, anyone's, go with it: there is nothing left to merge.
func (s *Store) closeConflict(tx *sql.Tx, u data.User, c Conflict, how string, next sync.Record) error {
	if _, err := tx.Exec(`DELETE FROM conflicts WHERE record_id = ?`, c.RecordID); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM drafts WHERE record_id = ? AND merge = 1`, c.RecordID); err != nil {
		return err
	}
	before, _ := json.Marshal(struct{ Mine, Theirs sync.Record }{c.Mine, c.Theirs})
	if err := s.audit(tx, u.Username, "resolve conflict: "+how, sync.EntityRecord, c.RecordID, string(before), recordJSON(next).String()); err != nil {
		return err
	}
	return recheckStudents(tx, c.Student.StateID)
}

// wireRecord reads a record, a tombstone included, as the wire carries it.
func wireRecord(tx *sql.Tx, id string) (sync.Record, error) {
	var r sync.Record
	err := tx.QueryRow(`SELECT id, state_id, mis2000_id, qad, eed, version, deleted FROM migrant_records WHERE id = ?`, id).
		Scan(&r.ID, &r.StateID, &r.MIS2000ID, &r.QAD, &r.EED, &r.Version, &r.Deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("record %s: %w", id, ErrNoRecord)
	}
	return r, err
}

// CountConflicts is how many records have a conflict to resolve, for the
// status bar.
func (s *Store) CountConflicts(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM conflicts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count conflicts: %w", err)
	}
	return n, nil
}

// Conflicts lists the conflicts to resolve, oldest first.
func (s *Store) Conflicts(ctx context.Context) ([]Conflict, error) {
	var out []Conflict
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = loadConflicts(tx, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the conflicts: %w", err)
	}
	return out, nil
}

// loadConflicts reads one record's conflict, or every conflict when id is "".
func loadConflicts(tx *sql.Tx, id string) ([]Conflict, error) {
	rows, err := tx.Query(`SELECT c.record_id, c.mutation_id, c.mine, c.theirs, c.at, coalesce(json_extract(c.theirs, '$.gone'), 0),
		coalesce(json_extract(c.theirs, '$.publish_known'), 0), coalesce(json_extract(c.theirs, '$.unseen'), 0), `+studentCols("st.")+`
		FROM conflicts c JOIN migrant_records r ON r.id = c.record_id JOIN students st ON st.state_id = r.state_id
		WHERE ?1 = '' OR c.record_id = ?1 ORDER BY c.at, c.record_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Conflict
	for rows.Next() {
		var c Conflict
		var mine, theirs, birth string
		st := &c.Student
		if err := rows.Scan(&c.RecordID, &c.MutationID, &mine, &theirs, &c.At, &c.Gone, &c.publishKnown, &c.Undecided, &st.StateID, &st.LocalNumber,
			&st.LastName, &st.FirstName, &st.MiddleName, &birth, &st.Gender, &st.Race); err != nil {
			return nil, err
		}
		errs := []error{json.Unmarshal([]byte(mine), &c.Mine), json.Unmarshal([]byte(theirs), &c.Theirs)}
		st.BirthDate, err = data.ParseDate(birth)
		if err := errors.Join(append(errs, err)...); err != nil {
			return nil, fmt.Errorf("conflict of record %s: %w", c.RecordID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// KeepTheirs resolves a conflict with the hub's copy: the local record
// becomes the hub's as it stands (its values, version and last publish,
// a deletion included), and the mutation sent says so: a confirmation
// (sync.IsConfirmation), based on the hub's version and keeping it,
// which the hub applies as the record stands (a new version there showed
// a record another clerk had published as needing publishing on every
// workstation, changed by the clerk who only gave way), and answers with
// the record; one the hub has changed again meanwhile is taken as it is
// then (see markOne). The record's copies here are the hub's
// already: a conflict's answer carries them, and the pulls apply them
// while the conflict is open (see keepLocal). A record gone from the
// user's scope leaves this workstation, and nothing is sent: the user
// may no longer change it.
func (s *Store) KeepTheirs(ctx context.Context, u data.User, recordID string) error {
	changed := map[string]bool{}
	err := s.writeAs(ctx, u, func(tx *sql.Tx, u data.User) error {
		c, err := openConflict(tx, u, recordID)
		if err != nil {
			return err
		}
		if c.Gone {
			return s.giveUp(tx, u, c, changed)
		}
		t := c.Theirs
		// A conflict kept before the hub's side carried its last publish
		// keeps the one here, short of the hub's version (the hub's
		// answer to the confirmation brings the publish as it is).
		if _, err := tx.Exec(`UPDATE migrant_records SET mis2000_id = ?1, qad = ?2, eed = ?3, version = ?4, deleted = ?5,
			updated_at = coalesce(nullif(?6, ''), updated_at), updated_by = coalesce(nullif(?7, ''), updated_by),
			published_version = CASE WHEN ?12 THEN ?8 ELSE max(0, min(published_version, ?4 - 1)) END,
			published_at = CASE WHEN ?12 THEN ?9 ELSE published_at END,
			published_by = CASE WHEN ?12 THEN ?10 ELSE published_by END, needs_publish = 0 WHERE id = ?11`,
			t.MIS2000ID, t.QAD, t.EED, t.Version, t.Deleted, t.UpdatedAt, t.UpdatedBy, t.PublishedVersion,
			t.PublishedAt, t.PublishedBy, recordID, c.publishKnown); err != nil {
			return err
		}
		op := sync.OpUpdate
		if t.Deleted {
			op = sync.OpDelete
			if err := collect(tx, changed, `DELETE FROM published WHERE record_id = ? RETURNING district_number`, recordID); err != nil {
				return err
			}
		}
		sent := sync.Record{ID: recordID, StateID: c.Student.StateID, MIS2000ID: t.MIS2000ID, QAD: t.QAD, EED: t.EED,
			Version: t.Version, Deleted: t.Deleted}
		if err := s.enqueue(tx, sync.EntityRecord, recordID, op, t.Version, sent); err != nil {
			return err
		}
		return s.closeConflict(tx, u, c, "keep theirs", t)
	})
	if err != nil {
		return fmt.Errorf("the conflict was not resolved, nothing was changed: %w", err)
	}
	s.changedDistricts(changed, false)
	return nil
}

// KeepMine resolves a conflict with the local record as it is, against
// the hub's copy of version seen, the one the person compared it with.
func (s *Store) KeepMine(ctx context.Context, u data.User, recordID string, seen int) error {
	return s.resolve(ctx, u, recordID, seen, "keep mine", func(c Conflict) sync.Record { return c.Mine })
}

// KeepMerged resolves a conflict with values a person chose field by
// field; merged.ID names the record, merged.Version the version of the
// hub's copy they merged with, and a zero EED takes the default. The
// values are checked as a save checks them.
func (s *Store) KeepMerged(ctx context.Context, u data.User, merged data.MigrantRecord) error {
	return s.resolve(ctx, u, merged.ID, merged.Version, "merge", func(Conflict) sync.Record {
		return sync.Record{MIS2000ID: strings.TrimSpace(merged.MIS2000ID), QAD: merged.QAD.String(), EED: merged.EED.String()}
	})
}

// resolve makes the chosen values the record's next version after the
// hub's, as a new mutation based on the hub's version, and closes the
// conflict: the record, its mutation and its audit row (with mine and
// theirs before) commit together. seen is the version of the hub's copy
// the person compared. The values chosen are a person's (mine, a merge)
// and go through the form's rules, but for a deletion kept.
func (s *Store) resolve(ctx context.Context, u data.User, id string, seen int, how string, choose func(Conflict) sync.Record) error {
	changed := map[string]bool{}
	err := s.writeAs(ctx, u, func(tx *sql.Tx, u data.User) error {
		c, err := openConflict(tx, u, id)
		if err != nil {
			return err
		}
		switch {
		case c.Gone:
			return ErrGoneFromScope
		case seen != c.Theirs.Version:
			// A sync brought a newer copy of the hub's since the person
			// compared: theirs would go unseen under the resolution.
			return ErrTheirsChanged
		}
		next := choose(c)
		base := c.Theirs.Version
		next.ID, next.StateID, next.Version, next.Districts = id, c.Student.StateID, base+1, nil
		// Who changed the hub's copy is the hub's to say, not the next change's.
		next.UpdatedBy, next.UpdatedByName, next.UpdatedAt = "", "", ""
		r := data.MigrantRecord{ID: id, StateID: next.StateID, MIS2000ID: next.MIS2000ID}
		var errs [2]error
		r.QAD, errs[0] = data.ParseOptionalDate(next.QAD)
		r.EED, errs[1] = data.ParseOptionalDate(next.EED)
		if err := errors.Join(errs[:]...); err != nil {
			return err
		}
		if !next.Deleted {
			if err := s.checkRecord(tx, &r, nil); err != nil {
				return err
			}
			next.EED = r.EED.String()
		}
		if _, err := tx.Exec(`UPDATE migrant_records SET mis2000_id = ?, qad = ?, eed = ?, version = ?, deleted = ?,
			updated_at = ?, updated_by = ?, published_version = min(published_version, ?), needs_publish = 0 WHERE id = ?`,
			next.MIS2000ID, next.QAD, next.EED, next.Version, next.Deleted, s.timestamp(), u.Username, base, id); err != nil {
			return err
		}
		op := sync.OpUpdate
		if next.Deleted {
			op = sync.OpDelete
			clear(changed)
			if err := collect(tx, changed, `DELETE FROM published WHERE record_id = ? RETURNING district_number`, id); err != nil {
				return err
			}
		}
		if err := s.enqueue(tx, sync.EntityRecord, id, op, base, next); err != nil {
			return err
		}
		return s.closeConflict(tx, u, c, how, next)
	})
	if err != nil {
		return fmt.Errorf("the conflict was not resolved, nothing was changed: %w", err)
	}
	s.changedDistricts(changed, false)
	return nil
}
