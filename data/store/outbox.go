package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// A mutation waits in the outbox as pending until the hub answers it;
// then its state is the hub's sync.Outcome.
const statePending = "pending"

// enqueue adds a mutation for the hub to the outbox inside the caller's
// transaction. Each mutation gets its own UUID so a retried push is
// applied once.
func (s *Store) enqueue(tx *sql.Tx, entity, id, op string, baseVersion int, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode %s %s for sync: %w", entity, id, err)
	}
	_, err = tx.Exec(`INSERT INTO outbox(mutation_id, entity, entity_id, op, base_version, payload, created_at)
		VALUES(?, ?, ?, ?, ?, ?, ?)`, uuid.NewString(), entity, id, op, baseVersion, string(body), s.timestamp())
	if err != nil {
		return fmt.Errorf("queue %s %s for sync: %w", entity, id, err)
	}
	return nil
}

// Pending counts mutations waiting for the hub.
func (s *Store) Pending(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE state = ?`, statePending).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count changes waiting for sync: %w", err)
	}
	return n, nil
}

const mutationCols = `mutation_id, entity, entity_id, op, base_version, payload, created_at`

func scanMutation(row interface{ Scan(...any) error }, more ...any) (sync.Mutation, error) {
	var m sync.Mutation
	var payload string
	err := row.Scan(append([]any{&m.ID, &m.Entity, &m.EntityID, &m.Op, &m.BaseVersion, &payload, &m.CreatedAt}, more...)...)
	m.Payload = json.RawMessage(payload)
	return m, err
}

// PendingMutations returns the next batch to push: at most limit
// mutations waiting for the hub, oldest first, so that the hub applies a
// record's changes in the order they were made.
func (s *Store) PendingMutations(ctx context.Context, limit int) ([]sync.Mutation, error) {
	if limit < 1 {
		return nil, fmt.Errorf("a batch of mutations holds at least one, not %d", limit)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+mutationCols+` FROM outbox WHERE state = ? ORDER BY seq LIMIT ?`,
		statePending, limit)
	if err != nil {
		return nil, fmt.Errorf("read the changes waiting for sync: %w", err)
	}
	defer rows.Close()
	var out []sync.Mutation
	for rows.Next() {
		m, err := scanMutation(rows)
		if err != nil {
			return nil, fmt.Errorf("read the changes waiting for sync: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MarkPushed records the hub's answers to a push, all in one
// transaction. Applied and duplicate mutations are done: the record's
// local versions (its own, the published one, the copies', and those of
// its changes still waiting) move to the hub's numbering. A conflict
// keeps the local record as it is and, beside it, the hub's copy, for a
// person to resolve (Conflicts); the record's other waiting changes wait
// for that resolution, which replaces them. A rejection is kept with its
// reason (Rejections) and never pushed again. An answer to a mutation
// already answered changes nothing, so a repeated call is harmless.
func (s *Store) MarkPushed(ctx context.Context, results []sync.Result) error {
	var changed map[string]bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		changed = map[string]bool{}
		for _, res := range results {
			if err := s.markOne(tx, res, changed); err != nil {
				return fmt.Errorf("mutation %s: %w", res.MutationID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record the hub's answers, nothing was changed: %w", err)
	}
	s.changedDistricts(changed, false)
	return nil
}

// markOne records the hub's answer res; the districts whose copies it
// changes join changed.
func (s *Store) markOne(tx *sql.Tx, res sync.Result, changed map[string]bool) error {
	var seq int64
	var state string
	m, err := scanMutation(tx.QueryRow(`SELECT `+mutationCols+`, seq, state FROM outbox WHERE mutation_id = ?`, res.MutationID),
		&seq, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return errors.New("the hub answered a mutation this workstation never sent")
	}
	if err != nil {
		return err
	}
	if err := holdCopies(tx, m, seq, res, changed); err != nil {
		return fmt.Errorf("hold the hub's copies of record %s: %w", m.EntityID, err)
	}
	confirmation := sync.IsConfirmation(m)
	if state != statePending {
		if state == string(sync.Conflict) && res.Outcome == sync.Conflict && res.Current != nil && !confirmation {
			return s.keepConflict(tx, m, *res.Current)
		}
		return nil
	}
	now := s.timestamp()
	switch res.Outcome {
	case sync.Applied, sync.Duplicate:
		if _, err := tx.Exec(`UPDATE outbox SET state = ?, hub_version = ?, pushed_at = ? WHERE seq = ?`,
			string(res.Outcome), res.Version, now, seq); err != nil {
			return err
		}
		// A duplicate's copy is the record as it stood at the first
		// answer: taken for a record still at that version (an answer
		// lost and asked again), not after a new epoch, whose pulls bring
		// the record as it stands.
		if confirmation && res.Current != nil {
			return adoptHubRecord(tx, m, seq, *res.Current, res.Outcome == sync.Duplicate)
		}
		if m.Entity == sync.EntityGrant && res.Outcome == sync.Applied {
			return adoptGrantVersion(tx, m, seq, res.Version)
		}
		return adoptHubVersion(tx, m, res.Version)
	case sync.Conflict:
		if m.Entity != sync.EntityRecord {
			return reject(tx, seq, now, "the hub answered with a conflict, which only a migrant record can have: "+res.Reason)
		}
		if res.Current == nil {
			return errors.New("the hub answered with a conflict but sent no copy of its record")
		}
		if confirmation {
			// The clerk gave way to the hub's side already, and it has
			// changed again since: the newer copy is taken as the older
			// was, not shown as a conflict of values the clerk never typed.
			if _, err := tx.Exec(`UPDATE outbox SET state = ?, pushed_at = ? WHERE seq = ?`, string(sync.Conflict), now, seq); err != nil {
				return err
			}
			return adoptHubRecord(tx, m, seq, *res.Current, false)
		}
		return s.keepConflict(tx, m, *res.Current)
	case sync.Rejected:
		reason := res.Reason
		if reason == "" {
			reason = "the hub refused the change and gave no reason"
		}
		if err := reject(tx, seq, now, reason); err != nil {
			return err
		}
		if m.Entity == sync.EntityRecord && m.Op == sync.OpUpdate {
			// The hub refused the edit for its rules, having checked the
			// version first: it holds the record at the edit's base. The
			// record here keeps what the clerk typed but goes back to that
			// version, and the changes waiting behind the edit with it, so
			// that another clerk's edit, which takes the version the
			// refused one had here, meets the next change as a conflict
			// rather than being overwritten by it.
			return adoptHubVersion(tx, m, m.BaseVersion)
		}
		return nil
	}
	return fmt.Errorf("the hub answered %q, which is not applied, duplicate, conflict or rejected", res.Outcome)
}

func reject(tx *sql.Tx, seq int64, now, reason string) error {
	_, err := tx.Exec(`UPDATE outbox SET state = ?, reason = ?, pushed_at = ? WHERE seq = ?`,
		string(sync.Rejected), reason, now, seq)
	return err
}

// adoptHubRecord makes the local record the hub's copy cur, answering
// m (the outbox's mutation seq), a confirmation of the hub's side of a
// conflict: the record as it stands on the hub, its last publish and who
// changed it last with it; atVersion, only a record still at cur's
// version. A change of the record made here since, waiting or in a
// conflict of its own, is left to decide.
func adoptHubRecord(tx *sql.Tx, m sync.Mutation, seq int64, cur sync.Record, atVersion bool) error {
	var later bool
	if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? AND state = ? AND seq > ?)
		OR EXISTS (SELECT 1 FROM conflicts WHERE record_id = ?)`,
		m.Entity, m.EntityID, statePending, seq, m.EntityID).Scan(&later); err != nil || later {
		return err
	}
	var stateID string
	err := tx.QueryRow(`UPDATE migrant_records SET mis2000_id = ?, qad = ?, eed = ?, version = ?4, deleted = ?,
		updated_at = coalesce(nullif(?, ''), updated_at), updated_by = coalesce(nullif(?, ''), updated_by),
		published_version = ?, published_at = ?, published_by = ?, needs_publish = 0
		WHERE id = ? AND (NOT ? OR version = ?4) RETURNING state_id`,
		cur.MIS2000ID, cur.QAD, cur.EED, cur.Version, cur.Deleted, cur.UpdatedAt, cur.UpdatedBy,
		cur.PublishedVersion, cur.PublishedAt, cur.PublishedBy, m.EntityID, atVersion).Scan(&stateID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // a record gone from here since, or at another version
	}
	if err != nil {
		return err
	}
	return recheckStudents(tx, stateID)
}

// adoptHubVersion moves a record's local version numbers to the hub's after
// the hub applied m as version hubVersion. The two agree unless the hub
// numbered differently (after a conflict was resolved, say); then every
// local version from m's on shifts by the difference, so status and
// later changes stay right relative to the hub. A record with a conflict
// to resolve is left as it is: the resolution bases on the hub's copy.
func adoptHubVersion(tx *sql.Tx, m sync.Mutation, hubVersion int) error {
	if m.Entity != sync.EntityRecord || hubVersion == 0 {
		return nil
	}
	var sent sync.Record
	if err := json.Unmarshal(m.Payload, &sent); err != nil {
		return fmt.Errorf("read the record it changed: %w", err)
	}
	shift := hubVersion - sent.Version
	if shift == 0 {
		return nil
	}
	if open, err := hasConflict(tx, m.EntityID); err != nil || open {
		return err
	}
	if _, err := tx.Exec(`UPDATE migrant_records SET version = version + ?1,
		published_version = CASE WHEN published_version >= ?2 THEN published_version + ?1 ELSE published_version END
		WHERE id = ?3`, shift, sent.Version, m.EntityID); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE published SET version = version + ?1 WHERE record_id = ?3 AND version >= ?2`,
		shift, sent.Version, m.EntityID); err != nil {
		return err
	}
	later, err := pendingOf(tx, m.Entity, m.EntityID)
	if err != nil {
		return err
	}
	for _, l := range later {
		var r sync.Record
		if err := json.Unmarshal(l.Payload, &r); err != nil {
			return fmt.Errorf("read waiting mutation %s: %w", l.ID, err)
		}
		r.Version += shift
		body, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE outbox SET base_version = base_version + ? , payload = ? WHERE mutation_id = ?`,
			shift, string(body), l.ID); err != nil {
			return err
		}
	}
	return nil
}

// adoptGrantVersion stamps the grant the hub holds after applying m (the
// outbox's mutation seq), a grant, with the hub's time (version, from
// sync.GrantVersion; 0 from an older hub): a revoke made here before the
// pull brings the hub's row then names the grant the hub holds, not the
// time this workstation granted it. A change of the grant made here since
// and still waiting keeps its own.
func adoptGrantVersion(tx *sql.Tx, m sync.Mutation, seq int64, version int) error {
	var g sync.Grant
	if m.Op != sync.OpGrant || version == 0 || json.Unmarshal(m.Payload, &g) != nil {
		return nil
	}
	_, err := tx.Exec(`UPDATE report_grants SET granted_at = ? WHERE username = ? AND district_number = ?
		AND NOT EXISTS (SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? AND state = ? AND seq > ?)`,
		time.Unix(int64(version), 0).UTC().Format(time.RFC3339), g.Username, g.District, m.Entity, m.EntityID, statePending, seq)
	return err
}

// Resend puts every mutation the hub acknowledged (applied or duplicate)
// back in the outbox, in its first order, for a hub whose epoch changed
// under this workstation: restored from an older backup, it may lack some
// of them, and it answers the ones it has as duplicates. It returns how
// many mutations wait now.
func (s *Store) Resend(ctx context.Context) (int, error) {
	var n int
	err := s.write(ctx, func(tx *sql.Tx) error {
		// A revoke names the grant it ends as the old hub stamped it. The
		// restored hub stamps afresh a grant it lacked as it is sent
		// again, and would refuse the revoke as late, the grant ended here
		// standing again: sent again, a revoke ends the grant held.
		if _, err := tx.Exec(`UPDATE outbox SET base_version = 0 WHERE entity = ? AND op = ? AND state IN (?, ?)`,
			sync.EntityGrant, sync.OpRevoke, string(sync.Applied), string(sync.Duplicate)); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE outbox SET state = ? WHERE state IN (?, ?)`,
			statePending, string(sync.Applied), string(sync.Duplicate)); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT count(*) FROM outbox WHERE state = ?`, statePending).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("queue the changes the hub acknowledged to send them again: %w", err)
	}
	return n, nil
}

// pendingOf lists the mutations of one entity still waiting, oldest first.
func pendingOf(tx *sql.Tx, entity, id string) ([]sync.Mutation, error) {
	rows, err := tx.Query(`SELECT `+mutationCols+` FROM outbox WHERE entity = ? AND entity_id = ? AND state = ? ORDER BY seq`,
		entity, id, statePending)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sync.Mutation
	for rows.Next() {
		m, err := scanMutation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Rejection is a mutation the hub refused for good, with its reason.
type Rejection struct {
	sync.Mutation
	Reason string
	At     string // when the hub answered
}

// Rejections lists the mutations the hub refused, newest first, so the
// clerk sees what did not reach the hub and why.
func (s *Store) Rejections(ctx context.Context) ([]Rejection, error) {
	return s.rejections(ctx, string(sync.Rejected))
}

// DismissedRejections lists the refused mutations the clerk dismissed,
// newest first, with the values they carried: what was typed of a record
// taken off this computer, or replaced since by a newer version from the
// hub, is still there to read and copy.
func (s *Store) DismissedRejections(ctx context.Context) ([]Rejection, error) {
	return s.rejections(ctx, stateDismissed)
}

func (s *Store) rejections(ctx context.Context, state string) ([]Rejection, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+mutationCols+`, reason, pushed_at FROM outbox WHERE state = ? ORDER BY seq DESC`,
		state)
	if err != nil {
		return nil, fmt.Errorf("read the changes the hub refused: %w", err)
	}
	defer rows.Close()
	var out []Rejection
	for rows.Next() {
		var r Rejection
		if r.Mutation, err = scanMutation(rows, &r.Reason, &r.At); err != nil {
			return nil, fmt.Errorf("read the changes the hub refused: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// stateDismissed marks a refused mutation the clerk has read and set
// aside: it stays in the outbox, as every mutation does, but is no longer
// listed or counted.
const stateDismissed = "dismissed"

// CountRejections is how many refused mutations wait to be read, for the
// status bar.
func (s *Store) CountRejections(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE state = ?`, string(sync.Rejected)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the changes the hub refused: %w", err)
	}
	return n, nil
}

// DismissRejection sets aside a refused mutation once u has read why the
// hub refused it, and notes it in the audit log. A mutation that is not a
// refusal waiting to be read is an error: dismissing must never drop a
// change still on its way to the hub.
func (s *Store) DismissRejection(ctx context.Context, u data.User, mutationID string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, _, err := s.dismissRefusal(tx, u, mutationID)
		return err
	})
	if err != nil {
		return fmt.Errorf("dismiss the refused change %s: %w", mutationID, err)
	}
	return nil
}

// dismissRefusal sets aside the refused mutation mutationID, noted in the
// audit log as dismissed by u, and says what it changed.
func (s *Store) dismissRefusal(tx *sql.Tx, u data.User, mutationID string) (entity, entityID string, err error) {
	var reason string
	err = tx.QueryRow(`SELECT entity, entity_id, reason FROM outbox WHERE mutation_id = ? AND state = ?`,
		mutationID, string(sync.Rejected)).Scan(&entity, &entityID, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errors.New("it is not a change the hub refused (it may have been dismissed already)")
	}
	if err != nil {
		return "", "", err
	}
	if _, err := tx.Exec(`UPDATE outbox SET state = ? WHERE mutation_id = ?`, stateDismissed, mutationID); err != nil {
		return "", "", err
	}
	return entity, entityID, s.audit(tx, u.Username, "dismiss_refusal", entity, entityID, reason, "")
}

// refusalToTakeOff dismisses the refusal mutationID as dismissRefusal
// does, or finds it dismissed already, of a record whose typing the hub
// refused is here, and says what it changed.
func (s *Store) refusalToTakeOff(tx *sql.Tx, u data.User, mutationID string) (entity, entityID string, err error) {
	var typedHere bool
	err = tx.QueryRow(`SELECT entity, entity_id, entity_id IN (SELECT id FROM migrant_records WHERE deleted = 0 AND id IN (`+
		refusedTyped+`)) FROM outbox WHERE mutation_id = ?4 AND state = ?5`,
		append(refusedArgs(), mutationID, stateDismissed)...).Scan(&entity, &entityID, &typedHere)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return s.dismissRefusal(tx, u, mutationID)
	case err != nil:
		return "", "", err
	case !typedHere:
		return "", "", errors.New("what was typed of its record is no longer on this computer: taken off already, saved again since, or replaced by a newer version from the hub")
	}
	return entity, entityID, nil
}

// ErrStillWaiting refuses to take off this workstation a record with a
// change still waiting to be sent: the hub answers it first.
var ErrStillWaiting = errors.New("a later change of the record still waits to be sent; sync, then dismiss its refusal too")

// TakeOffRefused dismisses the refusal mutationID of a change to a
// migrant record, and every other refusal of the record waiting to be
// read, and takes the record off this workstation (takeOff); a refusal
// dismissed already takes off the record still holding what was typed
// (refusedTyped), which a dismissal alone leaves here: for a
// student u may no longer change here (data.User.MayTakeOffRefused),
// whose record could be neither corrected nor sent again, and would stay
// here, apart from the hub, for good. Nothing typed is lost: each refused
// change stays in the outbox, dismissed, with the values sent, and the
// audit log notes each dismissal and the record as it was taken off. A
// record with a change still waiting to be sent (ErrStillWaiting) or a
// conflict to resolve (ErrUnresolved) is left as it is.
func (s *Store) TakeOffRefused(ctx context.Context, u data.User, mutationID string) error {
	changed := map[string]bool{}
	err := s.writeAs(ctx, u, func(tx *sql.Tx, u data.User) error {
		clear(changed)
		entity, id, err := s.refusalToTakeOff(tx, u, mutationID)
		if err != nil {
			return err
		}
		if entity != sync.EntityRecord {
			return errors.New("only the refused change of a migrant record takes something off this computer")
		}
		rec, err := scanRecord(tx.QueryRow(`SELECT `+recordCols+` FROM migrant_records WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("record %s: %w", id, ErrNoRecord)
		}
		if err != nil {
			return err
		}
		if err := mayTakeOff(tx, u, rec.StateID); err != nil {
			return err
		}
		if err := unresolved(tx, id); err != nil {
			return err
		}
		if waiting, err := pendingOf(tx, entity, id); err != nil || len(waiting) > 0 {
			return cmp.Or(err, ErrStillWaiting)
		}
		var others []string
		if err := eachRow(tx, `SELECT mutation_id FROM outbox WHERE entity = ? AND entity_id = ? AND state = ?`,
			[]any{entity, id, string(sync.Rejected)}, func(scan func(...any) error) error {
				var m string
				err := scan(&m)
				others = append(others, m)
				return err
			}); err != nil {
			return err
		}
		for _, m := range others {
			if _, _, err := s.dismissRefusal(tx, u, m); err != nil {
				return err
			}
		}
		gone := toJSON(rec.MigrantRecord)
		if err := tx.QueryRow(`SELECT deleted FROM migrant_records WHERE id = ?`, id).Scan(&gone.Deleted); err != nil {
			return err
		}
		if err := s.audit(tx, u.Username, "take_off_refused", entity, id, gone.String(), ""); err != nil {
			return err
		}
		return takeOff(tx, id, rec.StateID, changed)
	})
	if err != nil {
		return fmt.Errorf("take the refused record off this computer, nothing was changed: %w", err)
	}
	s.changedDistricts(changed, false)
	return nil
}
