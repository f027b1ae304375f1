package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"migrantdesk/data"
)

// LookAtDistrict records that u looks at district's window now and
// returns when they looked before (ok is false the first time), in one
// transaction: two windows opened at once cannot both miss what arrived
// in between. A user who may not see the district is refused.
func (s *Store) LookAtDistrict(ctx context.Context, u data.User, district string) (before string, ok bool, err error) {
	err = s.writeAs(ctx, u, func(tx *sql.Tx, u data.User) error {
		if err := maySeeDistrict(tx, u, district); err != nil {
			return err
		}
		if before, ok, err = lastLook(tx, u.Username, district); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO district_looks(username, district_number, looked_at) VALUES(?, ?, ?)
			ON CONFLICT(username, district_number) DO UPDATE SET looked_at = excluded.looked_at`, u.Username, district, s.timestamp())
		return err
	})
	if err != nil {
		return "", false, fmt.Errorf("note that %s looked at district %s: %w", u.Username, district, err)
	}
	return before, ok, nil
}

// maySeeDistrict refuses, within tx, a district that is not in the
// database or that u may not see (data.User.CanSeeDistrict), so that the
// check and what it guards read the same districts.
func maySeeDistrict(tx *sql.Tx, u data.User, district string) error {
	d := data.District{Number: district}
	err := tx.QueryRow(`SELECT name, region_code FROM districts WHERE number = ?`, district).Scan(&d.Name, &d.RegionCode)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("district %q is not in the database (district numbers keep their leading zeros): %w", district, ErrUnknownDistrict)
	}
	if err != nil {
		return err
	}
	if !u.CanSeeDistrict(d) {
		return &data.AccessError{User: u, What: "see district " + district}
	}
	return nil
}

// LastLook is when user last looked at district's window; ok is false
// when they never did. It records nothing, as a clerk's preview must not.
func (s *Store) LastLook(ctx context.Context, user, district string) (at string, ok bool, err error) {
	err = s.read(ctx, func(tx *sql.Tx) error {
		at, ok, err = lastLook(tx, user, district)
		return err
	})
	if err != nil {
		return "", false, fmt.Errorf("read when %s last looked at district %s: %w", user, district, err)
	}
	return at, ok, nil
}

func lastLook(tx *sql.Tx, user, district string) (string, bool, error) {
	var at string
	err := tx.QueryRow(`SELECT looked_at FROM district_looks WHERE username = ? AND district_number = ?`, user, district).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return at, err == nil, err
}

// Worklist is, for each worklist item (data.WorkPublished and the
// others), the records published to a district that the item lists: the
// student's state ID by record ID. An item about students lists each of
// their records.
type Worklist [data.NumWorkItems]map[string]string

// worklistQuery answers data's worklist rules for every live copy of a
// district at once: PublishedSince, NewlyEnrolled, EligibilityEndsSoon
// (on the copy's EED, which is what the district sees) and
// FreeMealMissing. The store's property test holds it to them.
var worklistQuery = `
SELECT p.record_id, r.state_id,
	p.published_at > :since_at,
	EXISTS (SELECT 1 FROM enrollments e JOIN schools sc ON sc.number = e.school_number
		WHERE e.state_id = r.state_id AND sc.district_number = :district
		AND e.start_date > :since_day AND e.start_date <= :today)
	AND NOT EXISTS (SELECT 1 FROM enrollments e JOIN schools sc ON sc.number = e.school_number
		WHERE e.state_id = r.state_id AND sc.district_number = :district
		AND e.start_date <= :since_day AND (e.end_date = '' OR e.end_date >= :known_from)),
	p.eed >= :today AND p.eed <= :ending,
	p.qad <= :year_to AND p.eed >= :year_from
	AND EXISTS (SELECT 1 FROM enrollments e JOIN schools sc ON sc.number = e.school_number
		WHERE e.state_id = r.state_id AND sc.district_number = :district AND sc.public = 1
		AND e.grade IN (` + quoteList(data.Grades()) + `)
		AND e.start_date <= :today AND (e.end_date = '' OR e.end_date >= :today))
	AND NOT EXISTS (SELECT 1 FROM programs g WHERE g.state_id = r.state_id
		AND g.program = '` + data.ProgramFRAM + `' AND g.code = '` + data.MealsFree + `'
		AND g.start_date <= :year_to AND (g.end_date = '' OR g.end_date >= :year_from))
FROM published p
JOIN migrant_records r ON r.id = p.record_id AND r.deleted = 0
WHERE p.district_number = :district`

// DistrictWorklist works out a district's worklist as of today for u,
// who last looked at since. A user who may not see the district is
// refused.
func (s *Store) DistrictWorklist(ctx context.Context, u data.User, district string, since data.WorkSince, today data.Date) (Worklist, error) {
	var wl Worklist
	for i := range wl {
		wl[i] = map[string]string{}
	}
	year := data.SchoolYearOf(today)
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := maySeeDistrict(tx, u, district); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, worklistQuery, sql.Named("district", district),
			sql.Named("since_at", since.At), sql.Named("since_day", since.Day.String()),
			sql.Named("known_from", since.Day.AddDays(-data.KnownWithinDays).String()),
			sql.Named("today", today.String()), sql.Named("ending", today.AddDays(data.EndingWithinDays).String()),
			sql.Named("year_from", year.From.String()), sql.Named("year_to", year.To.String()))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, student string
			var in [data.NumWorkItems]bool
			if err := rows.Scan(&id, &student, &in[0], &in[1], &in[2], &in[3]); err != nil {
				return err
			}
			for i, yes := range in {
				if yes {
					wl[i][id] = student
				}
			}
		}
		return rows.Err()
	})
	if err != nil {
		return Worklist{}, fmt.Errorf("work out the worklist of district %s: %w", district, err)
	}
	return wl, nil
}

// PreviousExport is when u last completed an export of report (a
// report.Kind's Name) for district, from the audit log; ok is false when
// they never did. A user who may not see the district is refused.
func (s *Store) PreviousExport(ctx context.Context, u data.User, district, report string) (at string, ok bool, err error) {
	var last sql.NullString
	err = s.read(ctx, func(tx *sql.Tx) error {
		if err := maySeeDistrict(tx, u, district); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT max(at) FROM audit
			WHERE action = 'export' AND entity = 'report' AND entity_id = ? AND username = ?
			AND json_extract(after, '$.Report') = ? AND json_extract(after, '$.Stage') = ?`,
			district, u.Username, report, ExportCompleted).Scan(&last)
	})
	if err != nil {
		return "", false, fmt.Errorf("read the previous export of district %s from the audit log: %w", district, err)
	}
	return last.String, last.Valid, nil
}
