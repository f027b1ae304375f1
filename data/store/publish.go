package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// PublishResult says what a publish did.
type PublishResult struct {
	Published int // records now published
	Copies    int // district copies written
	Removed   int // district copies removed: the student is no longer enrolled there during the window
	// SentTo and RemovedFrom are the districts, by number in order, that
	// received a record and that lost a copy.
	SentTo, RemovedFrom []string
	// Skipped are records not published, by ID, with why: no district to
	// publish to, or a conflict with the hub's copy to resolve first.
	Skipped map[string]string
}

// Publish makes each record's read-only copy, at its current version, in
// every district where the student is enrolled during the eligibility
// window, and removes copies from districts that no longer qualify. All
// records publish in one transaction. progress, if not nil, is called
// after each record.
func (s *Store) Publish(ctx context.Context, u data.User, ids []string, progress func(done, total int)) (PublishResult, error) {
	user := u.Username
	res := PublishResult{Skipped: map[string]string{}}
	var ch copyChanges
	err := s.writeAs(ctx, u, func(tx *sql.Tx, u data.User) error {
		ch = copyChanges{sent: map[string]bool{}, removed: map[string]bool{}}
		inConflict, refused := map[string]bool{}, map[string]bool{}
		if err := collect(tx, inConflict, `SELECT record_id FROM conflicts`); err != nil {
			return err
		}
		if err := collect(tx, refused, `SELECT entity_id FROM outbox WHERE entity = ? AND op = ? AND state IN (?, ?)`,
			sync.EntityRecord, sync.OpCreate, string(sync.Rejected), stateDismissed); err != nil {
			return err
		}
		for i, id := range ids {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := loadRecord(tx, id)
			if err != nil {
				return fmt.Errorf("record %s: %w", id, err)
			}
			if err := mayWrite(tx, u, r.StateID); err != nil {
				return err
			}
			n, removed := 0, 0
			if !inConflict[id] {
				n, removed, err = s.publishOne(tx, user, r, refused[id], ch)
				if err != nil {
					return err
				}
			}
			res.Removed += removed
			switch {
			case inConflict[id]:
				res.Skipped[id] = ErrUnresolved.Error()
			case n == 0:
				res.Skipped[id] = "the student has no enrollment in any district during the eligibility window"
			default:
				res.Published++
				res.Copies += n
			}
			if progress != nil {
				progress(i+1, len(ids))
			}
		}
		return nil
	})
	if err != nil {
		return PublishResult{}, fmt.Errorf("publishing stopped and nothing was published: %w", err)
	}
	res.SentTo, res.RemovedFrom = slices.Sorted(maps.Keys(ch.sent)), slices.Sorted(maps.Keys(ch.removed))
	s.changedDistricts(ch.all(), false)
	return res, nil
}

// copyChanges are the districts a write sent copies to and removed
// copies from, by number.
type copyChanges struct {
	sent, removed map[string]bool
}

func (c copyChanges) all() map[string]bool {
	all := maps.Clone(c.sent)
	maps.Copy(all, c.removed)
	return all
}

// publishOne publishes r inside tx and returns how many districts have it
// and from how many its copy was removed, noting those districts in ch. A
// published record needs no publishing until it changes. refused says
// the outbox holds a creation of r that the hub refused: the record may
// have to go again as new first (renewRefused).
func (s *Store) publishOne(tx *sql.Tx, user string, r Record, refused bool, ch copyChanges) (sent, removed int, err error) {
	ds, err := targets(tx, r.MigrantRecord)
	if err != nil || len(ds) == 0 {
		return 0, 0, err
	}
	if refused {
		renewed, err := renewRefused(tx, r.ID)
		if err != nil {
			return 0, 0, err
		}
		if renewed {
			r.Version = 1
			if err := s.enqueue(tx, sync.EntityRecord, r.ID, sync.OpCreate, 0, toJSON(r.MigrantRecord)); err != nil {
				return 0, 0, err
			}
		}
	}
	now := s.timestamp()
	keep := make([]string, len(ds))
	for i, d := range ds {
		keep[i] = d.Number
		_, err := tx.Exec(`INSERT INTO published(record_id, district_number, version, mis2000_id, qad, eed, published_at, published_by)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(record_id, district_number) DO UPDATE SET
			version = excluded.version, mis2000_id = excluded.mis2000_id, qad = excluded.qad, eed = excluded.eed,
			published_at = excluded.published_at, published_by = excluded.published_by`,
			r.ID, d.Number, r.Version, r.MIS2000ID, r.QAD.String(), r.EED.String(), now, user)
		if err != nil {
			return 0, 0, fmt.Errorf("publish record %s to district %s: %w", r.ID, d.Number, err)
		}
		ch.sent[d.Number] = true
	}
	list, _ := json.Marshal(keep)
	gone := map[string]bool{}
	if err := collect(tx, gone, `DELETE FROM published WHERE record_id = ? AND district_number NOT IN (SELECT value FROM json_each(?))
		RETURNING district_number`, r.ID, string(list)); err != nil {
		return 0, 0, err
	}
	maps.Copy(ch.removed, gone)
	if _, err := tx.Exec(`UPDATE migrant_records SET published_version = version, published_at = ?, published_by = ?,
		needs_publish = 0 WHERE id = ?`, now, user, r.ID); err != nil {
		return 0, 0, err
	}
	j := toJSON(r.MigrantRecord)
	j.Districts = keep
	if err := s.enqueue(tx, sync.EntityRecord, r.ID, sync.OpPublish, r.Version, j); err != nil {
		return 0, 0, err
	}
	return len(ds), len(gone), s.audit(tx, user, "publish", sync.EntityRecord, r.ID, "", j.String())
}

// Unpublished is a record that is not published as it should be, with
// its student's name for the list.
type Unpublished struct {
	Record
	Student data.Student
}

// NeedsPublishing lists the records of a region's students (a student is
// in a region when any enrollment is in one of its districts; "" means
// every region) whose status is Saved or Needs publishing and that have a
// district to go to. Ordered by student name.
func (s *Store) NeedsPublishing(ctx context.Context, region string) ([]Unpublished, error) {
	var out []Unpublished
	err := s.read(ctx, func(tx *sql.Tx) error {
		all, err := recordStates(tx, regionRecords, region)
		if err != nil {
			return err
		}
		for _, u := range all {
			if data.NeedsAction(u.Status, u.Targets) {
				out = append(out, u)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list records that need publishing: %w", err)
	}
	return out, nil
}

// inRegion is true for a record r whose student has an enrollment in
// region ?1, or for every record when ?1 is empty.
const inRegion = `(?1 = '' OR EXISTS (
	SELECT 1 FROM enrollments e JOIN schools sc ON sc.number = e.school_number
	JOIN districts d ON d.number = sc.district_number
	WHERE e.state_id = r.state_id AND d.region_code = ?1))`

// regionRecords selects the live records of a region's students (?1 is
// the region code, empty for all).
const regionRecords = `SELECT r.* FROM migrant_records r WHERE r.deleted = 0 AND ` + inRegion

// recheckRecords selects the live records of the students in
// publish_recheck.
const recheckRecords = `SELECT r.* FROM migrant_records r WHERE r.deleted = 0
	AND r.state_id IN (SELECT state_id FROM publish_recheck)`

// recordStates reads the live records that sel selects (a query over
// migrant_records r, given args) with their students, copies and targets,
// in three set queries, and works out where each one stands with
// data.RecordStatus. The targets are data.PublishTargets' rule in SQL,
// which is faster than loading the enrollments (the store's property test
// holds the two together). The CROSS JOIN keeps SQLite walking from the
// records to their students' enrollments; left to itself, with no
// statistics, it scans every enrollment in the state.
func recordStates(tx *sql.Tx, sel string, args ...any) ([]Unpublished, error) {
	rows, err := tx.Query(`WITH recs AS (`+sel+`)
		SELECT `+prefixed("r.", recordCols)+`, `+studentCols("st.")+`
		FROM recs r JOIN students st ON st.state_id = r.state_id
		ORDER BY st.last_key, st.first_key, r.qad`, args...)
	if err != nil {
		return nil, err
	}
	var all []Unpublished
	index := map[string]int{}
	for rows.Next() {
		var u Unpublished
		var qad, eed, birth string
		err := rows.Scan(&u.ID, &u.StateID, &u.MIS2000ID, &qad, &eed, &u.Version, &u.CreatedAt, &u.CreatedBy,
			&u.UpdatedAt, &u.UpdatedBy, &u.PublishedVersion, &u.PublishedAt, &u.PublishedBy,
			&u.Student.StateID, &u.Student.LocalNumber, &u.Student.LastName, &u.Student.FirstName,
			&u.Student.MiddleName, &birth, &u.Student.Gender, &u.Student.Race)
		if err != nil {
			rows.Close()
			return nil, err
		}
		var errs [3]error
		u.QAD, errs[0] = data.ParseDate(qad)
		u.EED, errs[1] = data.ParseDate(eed)
		u.Student.BirthDate, errs[2] = data.ParseDate(birth)
		if err := errors.Join(errs[:]...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("record %s: %w", u.ID, err)
		}
		index[u.ID] = len(all)
		all = append(all, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// The targets of each record (data.PublishTargets) in SQL: the
	// districts of the student's enrollments overlapping [QAD, EED].
	rows, err = tx.Query(`WITH recs AS (`+sel+`)
		SELECT DISTINCT r.id, d.number, d.name, d.region_code
		FROM recs r
		CROSS JOIN enrollments e ON e.state_id = r.state_id AND e.start_date <= r.eed AND (e.end_date = '' OR e.end_date >= r.qad)
		JOIN schools sc ON sc.number = e.school_number
		JOIN districts d ON d.number = sc.district_number
		ORDER BY r.id, d.number`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var d data.District
		if err := rows.Scan(&id, &d.Number, &d.Name, &d.RegionCode); err != nil {
			rows.Close()
			return nil, err
		}
		u := &all[index[id]]
		u.Targets = append(u.Targets, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = tx.Query(`WITH recs AS (`+sel+`)
		SELECT p.record_id, d.number, d.name, d.region_code, p.version, p.published_at, p.published_by
		FROM recs r JOIN published p ON p.record_id = r.id
		JOIN districts d ON d.number = p.district_number
		ORDER BY p.record_id, d.number`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		var c data.Copy
		if err := rows.Scan(&id, &c.District.Number, &c.District.Name, &c.District.RegionCode, &c.Version, &c.At, &c.By); err != nil {
			rows.Close()
			return nil, err
		}
		u := &all[index[id]]
		u.Copies = append(u.Copies, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	for i := range all {
		u := &all[i]
		if u.Status, u.Reasons, err = status(tx, u.Record); err != nil {
			return nil, err
		}
	}
	return all, nil
}

// CountNeedsPublishing is how many records NeedsPublishing would list,
// for the status bar: a count of the records flagged needs_publish,
// through its index. After an extract import or a pull has changed
// students, enrollments, records or copies, the flags of the students
// concerned are worked out first, once.
func (s *Store) CountNeedsPublishing(ctx context.Context, region string) (int, error) {
	var n int
	var stale bool
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM publish_recheck)`).Scan(&stale); err != nil || stale {
			return err
		}
		return countFlagged(tx, region, &n)
	})
	if err == nil && stale {
		err = s.write(ctx, func(tx *sql.Tx) error {
			if err := recheckPublish(tx); err != nil {
				return err
			}
			return countFlagged(tx, region, &n)
		})
	}
	if err != nil {
		return 0, fmt.Errorf("count records that need publishing: %w", err)
	}
	return n, nil
}

// countFlagged counts the flagged records of region's students (inRegion)
// by the districts of their enrollments, which a flagged record keeps: a
// few hundred groups at state scale, where looking up each record's
// enrollments read hundreds of pages of a cold connection.
func countFlagged(tx *sql.Tx, region string, n *int) error {
	ofRegion := map[string]bool{}
	if region != "" {
		rows, err := tx.Query(`SELECT number FROM districts WHERE region_code = ?`, region)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return err
			}
			ofRegion[d] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	rows, err := tx.Query(`SELECT publish_districts, count(*) FROM migrant_records INDEXED BY migrant_records_publish_districts
		WHERE needs_publish = 1 GROUP BY publish_districts`)
	if err != nil {
		return err
	}
	defer rows.Close()
	*n = 0
	for rows.Next() {
		var districts string
		var c int
		if err := rows.Scan(&districts, &c); err != nil {
			return err
		}
		if region == "" {
			*n += c
			continue
		}
		var numbers []string
		if err := json.Unmarshal([]byte(districts), &numbers); err != nil {
			return fmt.Errorf("districts of records %s: %w", districts, err)
		}
		if slices.ContainsFunc(numbers, func(d string) bool { return ofRegion[d] }) {
			*n += c
		}
	}
	return rows.Err()
}

// publishDistricts is, for a row of migrant_records, the district
// numbers of its student's enrollments as a sorted JSON array: where
// inRegion looks for the region.
const publishDistricts = `(SELECT json_group_array(DISTINCT sc.district_number ORDER BY sc.district_number)
	FROM enrollments e JOIN schools sc ON sc.number = e.school_number
	WHERE e.state_id = migrant_records.state_id)`

// recheckPublish works needs_publish out again for the records of the
// students in publish_recheck, and empties it.
func recheckPublish(tx *sql.Tx) error {
	// The students noted may have no live record here (removed since,
	// or a student an import or a pull changed who never had one), and
	// setNeedsPublish prepares and runs three set queries even to find
	// nothing.
	var some bool
	if err := tx.QueryRow(`SELECT EXISTS (` + recheckRecords + `)`).Scan(&some); err != nil {
		return err
	}
	if !some {
		_, err := tx.Exec(`DELETE FROM publish_recheck`)
		return err
	}
	if err := setNeedsPublish(tx, recheckRecords); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM publish_recheck`)
	return err
}

// recheckStudents works needs_publish out again for the records of the
// students a write has changed.
func recheckStudents(tx *sql.Tx, stateIDs ...string) error {
	list, err := json.Marshal(stateIDs)
	if err != nil {
		return err
	}
	if err := setNeedsPublish(tx, studentsRecords, string(list)); err != nil {
		return err
	}
	_, err = tx.Exec(`DELETE FROM publish_recheck WHERE state_id IN (SELECT value FROM json_each(?))`, string(list))
	return err
}

// studentsRecords selects the live records of the students listed in ?1,
// a JSON array of state IDs.
const studentsRecords = `SELECT r.* FROM migrant_records r WHERE r.deleted = 0
	AND r.state_id IN (SELECT value FROM json_each(?1))`

// setNeedsPublish stores data.NeedsAction of each record sel selects.
func setNeedsPublish(tx *sql.Tx, sel string, args ...any) error {
	all, err := recordStates(tx, sel, args...)
	if err != nil {
		return err
	}
	// A flagged record's districts are worked out again each time: the
	// student's enrollments may have changed while the flag has not.
	st, err := tx.Prepare(`UPDATE migrant_records SET needs_publish = ?1,
		publish_districts = CASE WHEN ?1 THEN ` + publishDistricts + ` ELSE '' END
		WHERE id = ?2 AND (needs_publish <> ?1 OR ?1)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, u := range all {
		if _, err := st.Exec(data.NeedsAction(u.Status, u.Targets), u.ID); err != nil {
			return fmt.Errorf("record %s: %w", u.ID, err)
		}
	}
	return nil
}

func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
