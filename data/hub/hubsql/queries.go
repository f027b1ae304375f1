package hubsql

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"migrantdesk/data"
)

// students reads what a push's rules ask of students that no push
// changes (a student and their enrollments change only with an extract
// import, which excludes pushes): for each of ids, the birth date and the
// enrollments with school and district, for data.PublishTargets and the
// regions. A state ID the hub does not hold gets a nil entry.
func students(tx Tx, ids []string) (map[string]*student, error) {
	out := make(map[string]*student, len(ids))
	if err := readAll(tx, studentReads(ids, out)...); err != nil {
		return nil, fmt.Errorf("read the students of the push: %w", err)
	}
	placeStudents(ids, out)
	return out, nil
}

// studentReads are the reads of students, into out; placeStudents
// finishes out once they have run.
func studentReads(ids []string, out map[string]*student) []Read {
	if len(ids) == 0 {
		return nil
	}
	in, args := inList(ids)
	births := Read{Query: `SELECT state_id, birth_date FROM students WHERE state_id IN (` + in + `)`, Args: args,
		Row: func(rows Rows) error {
			var id, birth string
			if err := rows.Scan(&id, &birth); err != nil {
				return err
			}
			st := &student{}
			// A date that does not read fails the push when a rule needs
			// it, as it did read then. The hub logs the error, so it names
			// neither the student nor the date (nor wraps the parse error,
			// which quotes the date): logs carry no student data.
			if st.birth, st.birthErr = data.ParseDate(birth); st.birthErr != nil {
				st.birthErr = errors.New("a birth date in the students table of the hub database does not read as a date: " +
					"the README (Operating the hub, unreadable birth dates) gives the query that lists it")
			}
			out[id] = st
			return nil
		}}
	enrollments := Read{Query: `SELECT e.id, e.state_id, e.school_number, e.grade, e.service_type, e.start_date, e.end_date,
			sc.name, sc.classification, d.number, d.name, d.region_code
		FROM enrollments e JOIN schools sc ON sc.number = e.school_number
		JOIN districts d ON d.number = sc.district_number
		WHERE e.state_id IN (` + in + `) ORDER BY e.state_id, e.id`, Args: args,
		Row: func(rows Rows) error {
			var e data.PlacedEnrollment
			var start, end string
			if err := rows.Scan(&e.ID, &e.StateID, &e.SchoolNumber, &e.Grade, &e.ServiceType, &start, &end,
				&e.School.Name, &e.School.Classification, &e.District.Number, &e.District.Name, &e.District.RegionCode); err != nil {
				return err
			}
			e.School.Number, e.School.DistrictNumber = e.SchoolNumber, e.District.Number
			var err error
			if e.Start, err = data.ParseDate(start); err != nil {
				return err
			}
			if e.End, err = data.ParseOptionalDate(end); err != nil {
				return err
			}
			if st := out[e.StateID]; st != nil {
				st.enrollments = append(st.enrollments, e)
			}
			return nil
		}}
	return []Read{births, enrollments}
}

// placeStudents gives each of ids read by studentReads its regions, and
// a nil entry to each the hub does not hold.
func placeStudents(ids []string, out map[string]*student) {
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = nil
		}
	}
	for _, st := range out {
		if st == nil {
			continue
		}
		for _, e := range st.enrollments {
			st.regions = append(st.regions, e.District.RegionCode)
		}
		slices.Sort(st.regions)
		st.regions = slices.Compact(st.regions)
	}
}

// student is what students reads of one.
type student struct {
	birth       data.Date
	birthErr    error
	enrollments []data.PlacedEnrollment
	// regions are those of the districts of all the enrollments, in
	// order: what data.User.MayWriteRecords and the clerks' tags need.
	regions []string
}

// liveRecords are the live records a condition on migrant_records
// picks.
func liveRecords(tx Tx, where string, args ...any) ([]data.MigrantRecord, error) {
	var out []data.MigrantRecord
	err := readAll(tx, liveRecordsRead(func(r data.MigrantRecord) { out = append(out, r) }, where, args...))
	return out, err
}

// liveRecordsRead is the read of liveRecords, each record handed to got.
func liveRecordsRead(got func(data.MigrantRecord), where string, args ...any) Read {
	return Read{Query: `SELECT id, state_id, mis2000_id, qad, eed, version FROM migrant_records
		WHERE ` + where + ` AND deleted = 0`, Args: args,
		Row: func(rows Rows) error {
			var r data.MigrantRecord
			var qad, eed string
			if err := rows.Scan(&r.ID, &r.StateID, &r.MIS2000ID, &qad, &eed, &r.Version); err != nil {
				return err
			}
			r.QAD, _ = data.ParseDate(qad)
			r.EED, _ = data.ParseDate(eed)
			got(r)
			return nil
		}}
}

// inList is the placeholders and arguments of an IN list of ids, padded
// to a power of two by repeating the last (which IN does not mind), so
// that the back ends prepare a few texts rather than one for each length.
func inList[T any](ids []T) (string, []any) {
	n := 1
	for n < len(ids) {
		n *= 2
	}
	args := make([]any, n)
	for i := range args {
		args[i] = ids[min(i, len(ids)-1)]
	}
	return marks(n), args
}

// copyDistricts are the districts holding a copy of any live record of the
// student: the districts whose scope the student is in.
func copyDistricts(tx Tx, stateID string) (map[string]bool, error) {
	rows, err := tx.Query(`SELECT DISTINCT p.district_number FROM published p
		JOIN migrant_records r ON r.id = p.record_id AND r.deleted = 0
		WHERE r.state_id = ?`, stateID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out[d] = true
	}
	return out, rows.Err()
}

// districtRecordRow is a record as district sees it: the values, version
// and publisher of the copy published to it. nil when it has no copy.
func districtRecordRow(tx Tx, id, district string) (map[string]string, error) {
	rows, err := rowsOf(tx, "migrant_records", "t.id = ? AND t.deleted = 0", id)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	cp, err := rowsOf(tx, "published", "t.record_id = ? AND t.district_number = ?", id, district)
	if err != nil || len(cp) == 0 {
		return nil, err
	}
	return asCopied(rows[0], cp[0]), nil
}

// asCopied is record row r with the values of its published copy c.
func asCopied(r, c map[string]string) map[string]string {
	for _, k := range []string{"mis2000_id", "qad", "eed", "version", "published_at", "published_by"} {
		r[k] = c[k]
	}
	r["published_version"] = c["version"]
	r["created_at"], r["created_by"] = c["published_at"], c["published_by"]
	r["updated_at"], r["updated_by"] = c["published_at"], c["published_by"]
	return r
}

// studentScope is what a district receives of a student it holds a copy
// of: the student, its enrollments in that district only, and the program
// and assessment rows the QA report reads. Parents come first.
func studentScope(tx Tx, stateID, district string) (map[string][]map[string]string, error) {
	out := map[string][]map[string]string{}
	var err error
	if out["students"], err = rowsOf(tx, "students", "t.state_id = ?", stateID); err != nil {
		return nil, err
	}
	if out["enrollments"], err = rowsOf(tx, "enrollments", `t.state_id = ? AND t.school_number IN
		(SELECT number FROM schools WHERE district_number = ?)`, stateID, district); err != nil {
		return nil, err
	}
	if out["programs"], err = rowsOf(tx, "programs", "t.state_id = ?", stateID); err != nil {
		return nil, err
	}
	if out["assessments"], err = rowsOf(tx, "assessments", "t.state_id = ?", stateID); err != nil {
		return nil, err
	}
	return out, nil
}

// logStudent logs a student entering a district's scope (its rows set)
// or leaving it (its rows evicted, children first).
func logStudent(tx Tx, f *feed, stateID, district string, evict bool) error {
	scope, err := studentScope(tx, stateID, district)
	if err != nil {
		return err
	}
	order := []string{"students", "enrollments", "programs", "assessments"}
	if evict {
		order = []string{"assessments", "programs", "enrollments", "students"}
	}
	for _, table := range order {
		for _, row := range scope[table] {
			if evict {
				row = keyOf(table, row)
			}
			f.log(table, evict, true, row, districtTag(district))
		}
	}
	return nil
}

// UserNamed reads one user with their districts; a user the hub does
// not have is a rejection, the answer a mutation naming them gets.
func UserNamed(tx Tx, username string) (data.User, error) {
	var u data.User
	err := tx.QueryRow(`SELECT username, full_name, role, region_code, district_number, email FROM users WHERE username = ?`, username).
		Scan(&u.Username, &u.FullName, &u.Role, &u.RegionCode, &u.DistrictNumber, &u.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return u, reject("the hub has no user %s", username)
	}
	if err != nil {
		return u, err
	}
	rows, err := tx.Query(`SELECT district_number FROM user_districts WHERE username = ? ORDER BY district_number`, username)
	if err != nil {
		return u, err
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return u, err
		}
		u.Districts = append(u.Districts, d)
	}
	return u, rows.Err()
}
