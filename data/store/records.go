package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// Record is a migrant record with its history and where it stands.
type Record struct {
	data.MigrantRecord
	CreatedAt, CreatedBy     string
	UpdatedAt, UpdatedBy     string
	PublishedVersion         int
	PublishedAt, PublishedBy string
	// Copies are the districts the record is published to now.
	Copies []data.Copy
	// Targets are the districts publishing now would send it to
	// (data.PublishTargets).
	Targets []data.District
	Status  data.Status
	// Reasons say, in a clerk's words, why the record needs publishing.
	Reasons []string
	// Conflicted is set, by Student, on a record the hub answered with a
	// conflict that is not resolved yet.
	Conflicted bool
}

// ErrNoStudent is returned for a state ID the database does not hold.
var ErrNoStudent = errors.New("no student has that state ID")

// ErrNoRecord is returned for a record ID the database does not hold.
var ErrNoRecord = errors.New("no such migrant record")

// ErrUnresolved refuses a change to a record the hub has answered with a
// conflict: until a person resolves it, another change would only make
// another conflict.
var ErrUnresolved = errors.New("the record changed on the hub too; resolve that conflict before changing it again")

// hasConflict reports whether the record has a conflict to resolve.
func hasConflict(tx *sql.Tx, id string) (bool, error) {
	var open bool
	err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM conflicts WHERE record_id = ?)`, id).Scan(&open)
	return open, err
}

// unresolved refuses a change to a record with a conflict to resolve.
func unresolved(tx *sql.Tx, id string) error {
	open, err := hasConflict(tx, id)
	if err == nil && open {
		err = fmt.Errorf("record %s: %w", id, ErrUnresolved)
	}
	return err
}

const recordCols = `id, state_id, mis2000_id, qad, eed, version, created_at, created_by, updated_at, updated_by,
	published_version, published_at, published_by`

func scanRecord(row interface{ Scan(...any) error }) (Record, error) {
	var r Record
	var qad, eed string
	err := row.Scan(&r.ID, &r.StateID, &r.MIS2000ID, &qad, &eed, &r.Version, &r.CreatedAt, &r.CreatedBy,
		&r.UpdatedAt, &r.UpdatedBy, &r.PublishedVersion, &r.PublishedAt, &r.PublishedBy)
	if err != nil {
		return r, err
	}
	if r.QAD, err = data.ParseDate(qad); err != nil {
		return r, fmt.Errorf("record %s: stored QAD: %w", r.ID, err)
	}
	if r.EED, err = data.ParseDate(eed); err != nil {
		return r, fmt.Errorf("record %s: stored EED: %w", r.ID, err)
	}
	return r, nil
}

// StudentRecords returns a student's migrant records (not deleted ones),
// latest QAD first, each with its copies, targets and status.
func (s *Store) StudentRecords(ctx context.Context, stateID string) ([]Record, error) {
	var out []Record
	err := s.read(ctx, func(tx *sql.Tx) error {
		recs, err := recordsOf(tx, stateID)
		if err != nil {
			return err
		}
		for i := range recs {
			if err := fillStatus(tx, &recs[i]); err != nil {
				return err
			}
		}
		out = recs
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the migrant records of student %s: %w", stateID, err)
	}
	return out, nil
}

// RecordByID returns one record with its status.
func (s *Store) RecordByID(ctx context.Context, id string) (Record, error) {
	var r Record
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		if r, err = loadRecord(tx, id); err != nil {
			return err
		}
		return fillStatus(tx, &r)
	})
	if err != nil {
		return Record{}, fmt.Errorf("read migrant record %s: %w", id, err)
	}
	return r, nil
}

func recordsOf(tx *sql.Tx, stateID string) ([]Record, error) {
	rows, err := tx.Query(`SELECT `+recordCols+` FROM migrant_records
		WHERE state_id = ? AND deleted = 0 ORDER BY qad DESC`, stateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func loadRecord(tx *sql.Tx, id string) (Record, error) {
	r, err := scanRecord(tx.QueryRow(`SELECT `+recordCols+` FROM migrant_records WHERE id = ? AND deleted = 0`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNoRecord
	}
	return r, err
}

// targets are the districts publishing r would send it to, by
// data.PublishTargets over the student's enrollments.
func targets(tx *sql.Tx, r data.MigrantRecord) ([]data.District, error) {
	es, err := enrollmentsOf(tx, r.StateID)
	if err != nil {
		return nil, err
	}
	return data.PublishTargets(r, es), nil
}

func copiesOf(tx *sql.Tx, id string) ([]data.Copy, error) {
	rows, err := tx.Query(`SELECT d.number, d.name, d.region_code, p.version, p.published_at, p.published_by
		FROM published p JOIN districts d ON d.number = p.district_number
		WHERE p.record_id = ? ORDER BY d.number`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.Copy
	for rows.Next() {
		var c data.Copy
		if err := rows.Scan(&c.District.Number, &c.District.Name, &c.District.RegionCode, &c.Version, &c.At, &c.By); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func fillStatus(tx *sql.Tx, r *Record) error {
	var err error
	if r.Copies, err = copiesOf(tx, r.ID); err != nil {
		return err
	}
	if r.Targets, err = targets(tx, r.MigrantRecord); err != nil {
		return err
	}
	r.Status, r.Reasons, err = status(tx, *r)
	return err
}

// status asks data.RecordStatus where a record stands. A record changed
// since it was published says by whom, by the full name the user
// directory has, as people read it; a user the directory lacks keeps the
// user name.
func status(tx *sql.Tx, r Record) (data.Status, []string, error) {
	by := r.UpdatedBy
	if r.PublishedVersion > 0 && r.PublishedVersion < r.Version {
		var name string
		err := tx.QueryRow(`SELECT full_name FROM users WHERE username = ?`, r.UpdatedBy).Scan(&name)
		switch {
		case err == nil && name != "":
			by = name
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return 0, nil, fmt.Errorf("read the name of user %s: %w", r.UpdatedBy, err)
		}
	}
	refused, err := holdsRefused(tx, r.MigrantRecord)
	if err != nil {
		return 0, nil, err
	}
	st, reasons := data.RecordStatus(data.RecordState{Version: r.Version, PublishedVersion: r.PublishedVersion,
		UpdatedAt: r.UpdatedAt, UpdatedBy: by, Copies: r.Copies, Targets: r.Targets, Refused: refused})
	return st, reasons, nil
}

// refusedPayload reads what the last change typed of a record (its ID the
// fourth argument) held, when the hub refused it and nothing of the
// record was sent since (refusedTyped).
const refusedPayload = `SELECT o.payload FROM outbox o WHERE o.entity = ?1 AND o.entity_id = ?4 AND o.op IN (?2, ?3)
	AND o.state IN ('` + string(sync.Rejected) + `', '` + stateDismissed + `') AND o.entity_id IN (` + refusedTyped + `)
	ORDER BY o.seq DESC LIMIT 1`

// holdsRefused reports whether r holds the values of the last change
// typed here that the hub refused, kept for the clerk to correct
// (keepRefused): the hub took the versions on, not the values. A newer
// version pulled from the hub since holds the values of the hub.
func holdsRefused(tx *sql.Tx, r data.MigrantRecord) (bool, error) {
	var payload string
	err := tx.QueryRow(refusedPayload, append(refusedArgs(), r.ID)...).Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read the refused changes of record %s: %w", r.ID, err)
	}
	var typed recordJSON
	if err := json.Unmarshal([]byte(payload), &typed); err != nil {
		return false, fmt.Errorf("read the refused change of record %s: %w", r.ID, err)
	}
	here := toJSON(r)
	return typed.MIS2000ID == here.MIS2000ID && typed.QAD == here.QAD && typed.EED == here.EED, nil
}

// recordJSON is how a record travels in the outbox and the audit log.
type recordJSON sync.Record

func toJSON(r data.MigrantRecord) recordJSON {
	return recordJSON{ID: r.ID, StateID: r.StateID, MIS2000ID: r.MIS2000ID, QAD: r.QAD.String(), EED: r.EED.String(), Version: r.Version}
}

func (j recordJSON) String() string {
	b, _ := json.Marshal(j)
	return string(b)
}

func birthDate(tx *sql.Tx, stateID string) (data.Date, error) {
	var b string
	err := tx.QueryRow(`SELECT birth_date FROM students WHERE state_id = ?`, stateID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("state ID %q: %w", stateID, ErrNoStudent)
	}
	if err != nil {
		return 0, err
	}
	return data.ParseDate(b)
}

// checkRecord applies the form's rules to r against what is stored: the
// student exists, the fields are valid for the student's age, and the
// window overlaps none of the student's other records. A zero EED is
// filled with the computed default.
func (s *Store) checkRecord(tx *sql.Tx, r *data.MigrantRecord, others []data.MigrantRecord) error {
	birth, err := birthDate(tx, r.StateID)
	if err != nil {
		return err
	}
	if r.EED.IsZero() && !r.QAD.IsZero() {
		r.EED = data.DefaultExpiration(r.QAD, birth)
	}
	if err := data.ValidateRecord(*r, birth, data.DateOf(s.now())); err != nil {
		return err
	}
	if others == nil {
		recs, err := recordsOf(tx, r.StateID)
		if err != nil {
			return err
		}
		for _, o := range recs {
			others = append(others, o.MigrantRecord)
		}
	}
	return data.CheckOverlap(*r, others)
}

// SaveRecord validates and saves a record: a new one when r.ID is "", else
// an edit of the version the clerk opened (r.Version). The record, its
// outbox entry and its audit row commit together or not at all.
// Validation errors are data.Errors of *data.FieldError, an overlap is a
// *data.OverlapError, an edit of an old version a *data.ConflictError.
func (s *Store) SaveRecord(ctx context.Context, u data.User, r data.MigrantRecord) (Record, error) {
	user := u.Username
	r.MIS2000ID = strings.TrimSpace(r.MIS2000ID)
	err := s.writeAs(ctx, u, func(tx *sql.Tx, u data.User) error {
		if err := mayWrite(tx, u, r.StateID); err != nil {
			return err
		}
		if err := s.checkRecord(tx, &r, nil); err != nil {
			return err
		}
		now := s.timestamp()
		if r.ID == "" {
			r.ID = uuid.NewString()
			r.Version = 1
			_, err := tx.Exec(`INSERT INTO migrant_records(id, state_id, mis2000_id, qad, eed, version,
				created_at, created_by, updated_at, updated_by) VALUES(?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
				r.ID, r.StateID, r.MIS2000ID, r.QAD.String(), r.EED.String(), now, user, now, user)
			if err != nil {
				return err
			}
			if err := s.enqueue(tx, sync.EntityRecord, r.ID, sync.OpCreate, 0, toJSON(r)); err != nil {
				return err
			}
			if err := s.audit(tx, user, "create", sync.EntityRecord, r.ID, "", toJSON(r).String()); err != nil {
				return err
			}
			return recheckStudents(tx, r.StateID)
		}
		old, err := loadRecord(tx, r.ID)
		if err != nil {
			return err
		}
		if err := unresolved(tx, r.ID); err != nil {
			return err
		}
		if old.StateID != r.StateID {
			return fmt.Errorf("record %s belongs to student %s, not %s", r.ID, old.StateID, r.StateID)
		}
		if old.Version != r.Version {
			return &data.ConflictError{ID: r.ID, Have: r.Version, Current: old.Version, ChangedBy: old.UpdatedBy, When: old.UpdatedAt}
		}
		if old.MIS2000ID == r.MIS2000ID && old.QAD == r.QAD && old.EED == r.EED {
			return nil
		}
		op, base := sync.OpUpdate, old.Version
		r.Version = old.Version + 1
		renewed, err := renewRefused(tx, r.ID)
		if err != nil {
			return err
		}
		if renewed {
			op, base, r.Version = sync.OpCreate, 0, 1
		}
		_, err = tx.Exec(`UPDATE migrant_records SET mis2000_id = ?, qad = ?, eed = ?, version = ?,
			updated_at = ?, updated_by = ? WHERE id = ?`,
			r.MIS2000ID, r.QAD.String(), r.EED.String(), r.Version, now, user, r.ID)
		if err != nil {
			return err
		}
		if err := s.enqueue(tx, sync.EntityRecord, r.ID, op, base, toJSON(r)); err != nil {
			return err
		}
		if err := s.audit(tx, user, "update", sync.EntityRecord, r.ID, toJSON(old.MigrantRecord).String(), toJSON(r).String()); err != nil {
			return err
		}
		return recheckStudents(tx, r.StateID)
	})
	if err != nil {
		return Record{}, saveError(err)
	}
	return s.RecordByID(ctx, r.ID)
}

// renewableQuery is whether a record's last creation sent was refused
// and nothing of it waits; it reads the outbox by outbox_entity.
const renewableQuery = `SELECT coalesce((SELECT state IN (?3, ?4) FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND op = ?5
		ORDER BY seq DESC LIMIT 1), 0)
	AND NOT EXISTS (SELECT 1 FROM outbox WHERE entity = ?1 AND entity_id = ?2 AND state = ?6)`

// renewRefused readies, inside tx, a record whose creation the hub
// refused, and of which nothing waits, to be sent again as a new record:
// the hub holds nothing of it, so an edit or a publish of it would be
// refused for the creation's sake whatever its values, and the clerk,
// told to correct the record and save it again, could never get it
// there. The record goes back to version 1, never published, as the hub
// would number it; renewed says the caller is to send it as a create.
func renewRefused(tx *sql.Tx, id string) (renewed bool, err error) {
	err = tx.QueryRow(renewableQuery, sync.EntityRecord, id, string(sync.Rejected), stateDismissed, sync.OpCreate, statePending).Scan(&renewed)
	if err != nil || !renewed {
		return false, err
	}
	_, err = tx.Exec(`UPDATE migrant_records SET version = 1, published_version = 0, published_at = '', published_by = ''
		WHERE id = ?`, id)
	return err == nil, err
}

// mayWrite asks data.User.MayWriteRecordsHere, inside the writing
// transaction, whether u (as the database has them: writeAs) may change
// the records of the student: the rule holds whatever screen or command
// the change came from. A student a snapshot left out of the user's
// scope (replaceKept) is the hub's to place, not the enrollments here.
func mayWrite(tx *sql.Tx, u data.User, stateID string) error {
	regions, left, err := placed(tx, stateID)
	if err != nil {
		return err
	}
	return u.MayWriteRecordsHere(stateID, regions, left, nil)
}

// mayTakeOff asks data.User.MayTakeOffRefused, inside the writing
// transaction, whether u (as the database has them: writeAs) may take a
// refused record of the student off this workstation.
func mayTakeOff(tx *sql.Tx, u data.User, stateID string) error {
	regions, left, err := placed(tx, stateID)
	if err != nil {
		return err
	}
	return u.MayTakeOffRefused(stateID, regions, left, nil)
}

// placed is where the student is as the workstation knows it: the
// regions of the enrollments here, and whether a snapshot left them out
// of the user's scope (leftOut).
func placed(tx *sql.Tx, stateID string) (data.StudentRegions, bool, error) {
	left, err := leftOut(tx, stateID)
	if err != nil {
		return nil, false, err
	}
	regions, err := studentRegions(tx, stateID)
	return regions, left, err
}

// leftOut reports whether a whole snapshot left the student out of the
// user's scope while local work kept them here (metaLeftOut).
func leftOut(tx *sql.Tx, stateID string) (bool, error) {
	var left bool
	if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM meta m, json_each(m.value) j WHERE m.key = ? AND j.value = ?)`,
		metaLeftOut, stateID).Scan(&left); err != nil {
		return false, fmt.Errorf("read whether the hub left student %s out: %w", stateID, err)
	}
	return left, nil
}

// mayWriteEnrolled is mayWrite by the enrollments here alone.
func mayWriteEnrolled(tx *sql.Tx, u data.User, stateID string) error {
	regions, err := studentRegions(tx, stateID)
	if err != nil {
		return err
	}
	return u.MayWriteRecords(stateID, regions, nil)
}

// studentRegions are the regions the student is enrolled in here.
func studentRegions(tx *sql.Tx, stateID string) (data.StudentRegions, error) {
	rows, err := tx.Query(`SELECT DISTINCT d.region_code FROM enrollments e
		JOIN schools sc ON sc.number = e.school_number
		JOIN districts d ON d.number = sc.district_number
		WHERE e.state_id = ? ORDER BY d.region_code`, stateID)
	if err != nil {
		return nil, fmt.Errorf("read the regions of student %s: %w", stateID, err)
	}
	defer rows.Close()
	var regions data.StudentRegions
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		regions = append(regions, r)
	}
	return regions, rows.Err()
}

// saveError keeps rule errors as they are (the form shows them beside
// fields) and puts database failures into a sentence.
func saveError(err error) error {
	var fe data.Errors
	var oe *data.OverlapError
	var ce *data.ConflictError
	if errors.As(err, &fe) || errors.As(err, &oe) || errors.As(err, &ce) || errors.Is(err, data.ErrAccess) || errors.Is(err, ErrNoStudent) || errors.Is(err, ErrNoRecord) ||
		errors.Is(err, ErrUnresolved) {
		return err
	}
	return fmt.Errorf("the record was not saved, nothing was changed: %w", err)
}

// DeleteRecord marks a record entered in error as deleted (a tombstone
// that sync and the audit log keep) and removes its district copies.
func (s *Store) DeleteRecord(ctx context.Context, u data.User, id string, version int) error {
	user := u.Username
	changed := map[string]bool{}
	err := s.writeAs(ctx, u, func(tx *sql.Tx, u data.User) error {
		clear(changed)
		old, err := loadRecord(tx, id)
		if err != nil {
			return err
		}
		if err := mayWrite(tx, u, old.StateID); err != nil {
			return err
		}
		if err := unresolved(tx, id); err != nil {
			return err
		}
		if old.Version != version {
			return &data.ConflictError{ID: id, Have: version, Current: old.Version, ChangedBy: old.UpdatedBy, When: old.UpdatedAt}
		}
		now := s.timestamp()
		if _, err := tx.Exec(`UPDATE migrant_records SET deleted = 1, version = version + 1, updated_at = ?, updated_by = ?,
			needs_publish = 0 WHERE id = ?`, now, user, id); err != nil {
			return err
		}
		if err := collect(tx, changed, `DELETE FROM published WHERE record_id = ? RETURNING district_number`, id); err != nil {
			return err
		}
		gone := toJSON(old.MigrantRecord)
		gone.Version++
		gone.Deleted = true
		if err := s.enqueue(tx, sync.EntityRecord, id, sync.OpDelete, old.Version, gone); err != nil {
			return err
		}
		return s.audit(tx, user, "delete", sync.EntityRecord, id, toJSON(old.MigrantRecord).String(), gone.String())
	})
	if err != nil {
		return fmt.Errorf("delete migrant record: %w", err)
	}
	s.changedDistricts(changed, false)
	return nil
}

// RowError is a problem with one record of a bulk load.
type RowError struct {
	Index int // 0-based, into the records given
	Err   error
}

func (e RowError) Error() string { return fmt.Sprintf("record %d: %v", e.Index+1, e.Err) }
func (e RowError) Unwrap() error { return e.Err }

// RowErrors lists every bad record of a bulk load.
type RowErrors []RowError

// Unwrap lets errors.Is find, say, data.ErrAccess in any row.
func (es RowErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

func (es RowErrors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return fmt.Sprintf("%d records refused: %s", len(es), strings.Join(s, "; "))
}

// RecordsResult says what a bulk load did.
type RecordsResult struct {
	Saved     int // new records
	Unchanged int // rows identical to a record already stored
	Published int // records published (with publish)
	Districts int // district copies written
}

// ImportRecords loads migrant records in bulk with the form's rules
// (SPEC §6): every record is checked against the database and against the
// other records given, and either all are saved (and, with publish,
// published) or, when any is refused, none is and every refusal is
// returned as RowErrors. A row identical to a stored record (same student,
// MIS2000 ID, QAD and EED) is counted as unchanged, so a file can be
// loaded twice.
func (s *Store) ImportRecords(ctx context.Context, u data.User, recs []data.MigrantRecord, publish bool) (RecordsResult, error) {
	user := u.Username
	var res RecordsResult
	var ch copyChanges
	err := s.writeAs(ctx, u, func(tx *sql.Tx, u data.User) error {
		res = RecordsResult{}
		ch = copyChanges{sent: map[string]bool{}, removed: map[string]bool{}}
		var bad RowErrors
		byStudent := map[string][]data.MigrantRecord{}
		fresh := make([]bool, len(recs))
		for i := range recs {
			if i%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			r := &recs[i]
			r.ID, r.Version = "", 0
			r.MIS2000ID = strings.TrimSpace(r.MIS2000ID)
			others, ok := byStudent[r.StateID]
			if !ok {
				stored, err := recordsOf(tx, r.StateID)
				if err != nil {
					return err
				}
				others = []data.MigrantRecord{}
				for _, o := range stored {
					others = append(others, o.MigrantRecord)
				}
			}
			if err := mayWrite(tx, u, r.StateID); err != nil {
				bad = append(bad, RowError{i, err})
				continue
			}
			if same := identical(*r, others); same != "" {
				res.Unchanged++
				byStudent[r.StateID] = others
				continue
			}
			if err := s.checkRecord(tx, r, others); err != nil {
				bad = append(bad, RowError{i, err})
				byStudent[r.StateID] = others
				continue
			}
			r.ID = uuid.NewString()
			r.Version = 1
			fresh[i] = true
			byStudent[r.StateID] = append(others, *r)
		}
		if len(bad) > 0 {
			return bad
		}
		now := s.timestamp()
		ins, err := tx.Prepare(`INSERT INTO migrant_records(id, state_id, mis2000_id, qad, eed, version,
			created_at, created_by, updated_at, updated_by) VALUES(?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for i, r := range recs {
			if !fresh[i] {
				continue
			}
			if _, err := ins.Exec(r.ID, r.StateID, r.MIS2000ID, r.QAD.String(), r.EED.String(), now, user, now, user); err != nil {
				return fmt.Errorf("record %d: %w", i+1, err)
			}
			if err := s.enqueue(tx, sync.EntityRecord, r.ID, sync.OpCreate, 0, toJSON(r)); err != nil {
				return err
			}
			if err := s.audit(tx, user, "create (bulk)", sync.EntityRecord, r.ID, "", toJSON(r).String()); err != nil {
				return err
			}
			res.Saved++
			if !publish {
				continue
			}
			n, _, err := s.publishOne(tx, user, Record{MigrantRecord: r}, false, ch)
			if err != nil {
				return err
			}
			if n > 0 {
				res.Published++
				res.Districts += n
			}
		}
		var students []string
		for i, r := range recs {
			if fresh[i] {
				students = append(students, r.StateID)
			}
		}
		return recheckStudents(tx, students...)
	})
	if err != nil {
		// The refusals as they are, and as the access changed at a
		// sync when it did (data.AccessChanged).
		if errors.As(err, new(RowErrors)) {
			return RecordsResult{}, err
		}
		return RecordsResult{}, fmt.Errorf("load migrant records, nothing was saved: %w", err)
	}
	s.changedDistricts(ch.all(), false)
	return res, nil
}

// identical returns the ID of a record equal to r in every field a clerk
// enters (an empty EED matches any), or "".
func identical(r data.MigrantRecord, others []data.MigrantRecord) string {
	for _, o := range others {
		if o.StateID == r.StateID && o.MIS2000ID == r.MIS2000ID && o.QAD == r.QAD && (r.EED.IsZero() || o.EED == r.EED) && o.ID != "" {
			return o.ID
		}
	}
	return ""
}
