package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"migrantdesk/data"
	"migrantdesk/data/reconcile"
)

// ReconcileSnapshot loads what the MIS2000 reconciliation compares the
// rows of an export with, as of a day: the districts; every student with a
// live migrant record, with the records (latest QAD first), the districts
// each is published to now, and the districts where the student is
// enrolled on the day; the regions' names; and the students born on the birth dates of the
// rows whose MIS2000 ID is on no record, the possible name matches. It
// reads the records in one snapshot, with the same five queries whatever the number of
// rows: reconcile.Compare then applies the rules.
func (s *Store) ReconcileSnapshot(ctx context.Context, rows []data.MIS2000Row, asOf data.Date) (*reconcile.Snapshot, error) {
	ds, err := s.Districts(ctx, "")
	if err != nil {
		return nil, err
	}
	regions, err := s.Regions(ctx)
	if err != nil {
		return nil, err
	}
	snap := &reconcile.Snapshot{AsOf: asOf, Districts: ds, Regions: regions}
	err = s.read(ctx, func(tx *sql.Tx) error {
		var err error
		if snap.Students, err = studentsWithRecords(ctx, tx, asOf); err != nil {
			return err
		}
		snap.Born, err = studentsBorn(ctx, tx, snap.CandidateBirthDates(rows))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the records to compare with the MIS2000 export: %w", err)
	}
	return snap, nil
}

// studentsWithRecords reads the students with live records and their
// records, then fills in the copies and the districts of the day's
// enrollments with one query each.
func studentsWithRecords(ctx context.Context, tx *sql.Tx, asOf data.Date) ([]reconcile.Student, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+studentCols("st.")+`, r.id, r.mis2000_id, r.qad, r.eed, r.published_version
		FROM migrant_records r JOIN students st ON st.state_id = r.state_id
		WHERE r.deleted = 0
		ORDER BY r.state_id, r.qad DESC`)
	if err != nil {
		return nil, err
	}
	var out []reconcile.Student
	byStudent := map[string]int{}
	type at struct{ student, record int }
	byRecord := map[string]at{}
	for rows.Next() {
		var st data.Student
		var rec reconcile.Record
		var birth, qad, eed string
		var published int
		if err := rows.Scan(&st.StateID, &st.LocalNumber, &st.LastName, &st.FirstName, &st.MiddleName, &birth,
			&st.Gender, &st.Race, &rec.ID, &rec.MIS2000ID, &qad, &eed, &published); err != nil {
			rows.Close()
			return nil, err
		}
		var errs [3]error
		st.BirthDate, errs[0] = data.ParseDate(birth)
		rec.QAD, errs[1] = data.ParseDate(qad)
		rec.EED, errs[2] = data.ParseDate(eed)
		if err := errors.Join(errs[:]...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("record %s: %w", rec.ID, err)
		}
		rec.Published = published > 0
		i, ok := byStudent[st.StateID]
		if !ok {
			i = len(out)
			byStudent[st.StateID] = i
			out = append(out, reconcile.Student{Student: st})
		}
		byRecord[rec.ID] = at{i, len(out[i].Records)}
		out[i].Records = append(out[i].Records, rec)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = tx.QueryContext(ctx, `SELECT p.record_id, p.district_number
		FROM published p JOIN migrant_records r ON r.id = p.record_id AND r.deleted = 0
		ORDER BY p.record_id, p.district_number`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, district string
		if err := rows.Scan(&id, &district); err != nil {
			rows.Close()
			return nil, err
		}
		if a, ok := byRecord[id]; ok {
			rec := &out[a.student].Records[a.record]
			rec.Copies = append(rec.Copies, district)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// The CROSS JOIN keeps SQLite walking from the students with records
	// to their enrollments, not through every enrollment in the state.
	// A district is one the student is enrolled in on the day, else one
	// the student left before it, on the latest end date there.
	day := asOf.String()
	rows, err = tx.QueryContext(ctx, `SELECT e.state_id, sc.district_number,
			MAX(e.end_date = '' OR e.end_date >= ?1), MAX(CASE WHEN e.end_date < ?1 THEN e.end_date ELSE '' END)
		FROM (SELECT DISTINCT state_id FROM migrant_records WHERE deleted = 0) r
		CROSS JOIN enrollments e ON e.state_id = r.state_id AND e.start_date <= ?1
		JOIN schools sc ON sc.number = e.school_number
		GROUP BY e.state_id, sc.district_number
		ORDER BY e.state_id, sc.district_number`, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, district, left string
		var enrolled bool
		if err := rows.Scan(&id, &district, &enrolled, &left); err != nil {
			return nil, err
		}
		i, ok := byStudent[id]
		switch {
		case !ok:
		case enrolled:
			out[i].Enrolled = append(out[i].Enrolled, district)
		case left != "":
			on, err := data.ParseDate(left)
			if err != nil {
				return nil, fmt.Errorf("an enrollment of student %s: %w", id, err)
			}
			if out[i].Left == nil {
				out[i].Left = map[string]data.Date{}
			}
			out[i].Left[district] = on
		}
	}
	return out, rows.Err()
}

// studentsBorn reads the students born on any of the days.
func studentsBorn(ctx context.Context, tx *sql.Tx, days []data.Date) ([]data.Student, error) {
	if len(days) == 0 {
		return nil, nil
	}
	list := make([]string, len(days))
	for i, d := range days {
		list[i] = d.String()
	}
	js, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+studentColumns+` FROM students
		WHERE birth_date IN (SELECT value FROM json_each(?)) ORDER BY state_id`, string(js))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.Student
	for rows.Next() {
		st, err := scanStudent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
