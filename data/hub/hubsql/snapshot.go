package hubsql

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	gosync "sync"

	"migrantdesk/data/sync"
)

// studentChild are the tables a snapshot sends with their students: a
// region's million rows are its students' rows, and deciding whether a
// student is in the user's scope once, for a chunk of students at a time,
// instead of once for every row of every table, is most of a first
// sync's time on the hub.
var studentChild = map[string]bool{"enrollments": true, "programs": true, "assessments": true}

// studentsPage adds to the page the next students of the scope after
// after, with their enrollments (a district's own only), programs and
// assessments: whole students, grouped by table (students first, so a
// workstation applying the page under foreign keys has each parent
// before its children), as many as fit in want rows and at least one.
// more says the page is full with students still to come after last.
func (r *Reader) studentsPage(tx Tx, sc scope, epoch, after string, want int, page *sync.Page) (more bool, last string, err error) {
	added := 0
	per := r.perStudent.Load()
	if per <= 0 {
		per = 4000
	}
	for added < want {
		// A chunk a little smaller than what fits: the rows of a chunk's
		// students that do not fit are read again for the next page (a
		// quarter of a region's rows were, at a guess of four rows per
		// student for its 5.4), while a chunk that falls short only
		// costs a small one more.
		ids, err := r.nextStudents(tx, sc, epoch, after, max(1, int(int64(want-added)*1000*15/16/per)))
		if err != nil || len(ids) == 0 {
			return false, last, err
		}
		list, _ := json.Marshal(ids)
		rows := map[string]map[string][]map[string]string{} // table → student → rows
		// The four tables' reads go together (readAll): on PostgreSQL one
		// round trip for the chunk instead of four.
		var reads []Read
		for _, table := range []string{"students", "enrollments", "programs", "assessments"} {
			where, args := r.StudentsIn, []any{string(list)}
			if table == "enrollments" && !sc.all && sc.region == "" {
				// The school's district looked up for each of the chunk's
				// enrollments: "school_number IN (the district's schools)"
				// had SQLite seek every student × every school of the
				// district (200,000 seeks for a chunk of a 202-school
				// district, a second's page).
				where += ` AND EXISTS (SELECT 1 FROM schools sc WHERE sc.number = t.school_number AND sc.district_number IN (` +
					marks(len(sc.districts)) + `))`
				for _, d := range sc.districts {
					args = append(args, d)
				}
			}
			// By student first, as the rows are grouped: an enrollment's key
			// alone (its ID) would have the chunk's rows sorted anew, where
			// by student they come in the student index's order.
			order := sync.KeyColumns(table)
			if order[0] != "state_id" {
				order = append([]string{"state_id"}, order...)
			}
			byStudent := map[string][]map[string]string{}
			rows[table] = byStudent
			q := rowsQuery(table, where+" ORDER BY "+prefixed("t.", order))
			reads = append(reads, rowsRead(table, q, args, func(row map[string]string) {
				byStudent[row["state_id"]] = append(byStudent[row["state_id"]], row)
			}))
		}
		if err := readAll(tx, reads...); err != nil {
			return false, last, fmt.Errorf("read the students' rows: %w", err)
		}
		total := 0
		for _, byStudent := range rows {
			for _, rs := range byStudent {
				total += len(rs)
			}
		}
		if len(ids) >= 64 {
			per = max(1000, int64(total)*1000/int64(len(ids)))
			r.perStudent.Store(per)
		}
		// Whole students, while they fit.
		n := 0
		for _, id := range ids {
			size := len(rows["students"][id]) + len(rows["enrollments"][id]) + len(rows["programs"][id]) + len(rows["assessments"][id])
			if added > 0 && added+size > want {
				break
			}
			added += size
			n++
		}
		if n == 0 {
			return true, last, nil // the page is full to the previous chunk's last student
		}
		for _, table := range []string{"students", "enrollments", "programs", "assessments"} {
			for _, id := range ids[:n] {
				for _, row := range rows[table][id] {
					page.Changes = append(page.Changes, sync.Change{Table: table, Row: row})
				}
			}
		}
		after, last = ids[n-1], ids[n-1]
		if n < len(ids) {
			return true, last, nil
		}
	}
	return true, last, nil
}

// nextStudents are up to n students of the scope after after, by state
// ID.
func (r *Reader) nextStudents(tx Tx, sc scope, epoch, after string, n int) ([]string, error) {
	if sc.all {
		ids, err := readIDs(tx, `SELECT state_id FROM students WHERE state_id > ? ORDER BY 1 LIMIT `+strconv.Itoa(n), after)
		if err != nil {
			return nil, fmt.Errorf("read the students of the scope: %w", err)
		}
		return ids, nil
	}
	var all []string
	var err error
	if sc.region != "" {
		all, err = r.regionStudents(tx, epoch, sc.region)
	} else {
		all, err = sc.listed.students(tx, sc.districts)
	}
	if err != nil {
		return nil, err
	}
	i, found := slices.BinarySearch(all, after)
	if found {
		i++
	}
	return all[i:min(len(all), i+n)], nil
}

// districtList is a district scope's students by state ID, read once for
// a snapshot page: its count on the first page and each chunk of
// students after it. Each of those read the district's published records
// whole to pick their distinct students (a LIMIT comes after the
// DISTINCT), three times for a district whose snapshot is one page.
type districtList struct {
	ids  []string
	read bool
}

// students are the students with a live record published to one of
// districts, by state ID, each once.
func (l *districtList) students(tx Tx, districts []string) ([]string, error) {
	if l.read {
		return l.ids, nil
	}
	args := make([]any, len(districts))
	for i, d := range districts {
		args[i] = d
	}
	ids, err := readIDs(tx, `SELECT DISTINCT r.state_id FROM published p JOIN migrant_records r ON r.id = p.record_id AND r.deleted = 0
		WHERE p.district_number IN (`+marks(len(districts))+`) ORDER BY 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("read the students of the scope: %w", err)
	}
	l.ids, l.read = ids, true
	return ids, nil
}

// ReadIDs runs q, of one text column, a state ID a row, through a
// TextReader where tx is one: a region's list is half a million rows,
// read while a clerk's first page waits.
func ReadIDs(tx Tx, q string, args ...any) ([]string, error) { return readIDs(tx, q, args...) }

func readIDs(tx Tx, q string, args ...any) ([]string, error) {
	var ids []string
	err := readAll(tx, Read{Query: q, Args: args, Cols: 1,
		Text: func(vals []string) error {
			ids = append(ids, vals[0])
			return nil
		},
		Row: func(rows Rows) error {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
			return nil
		}})
	return ids, err
}

// countStudents is how many students a snapshot of the scope holds: the
// students nextStudents pages through.
func (r *Reader) countStudents(tx Tx, sc scope, epoch string) (int64, error) {
	if sc.region != "" {
		all, err := r.regionStudents(tx, epoch, sc.region)
		return int64(len(all)), err
	}
	if !sc.all {
		all, err := sc.listed.students(tx, sc.districts)
		return int64(len(all)), err
	}
	var n int64
	if err := tx.QueryRow(`SELECT count(*) FROM students`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the students of the scope: %w", err)
	}
	return n, nil
}

// regionLists keeps, for one epoch, each region's students by state ID:
// a clerk's scope. Enrollments change only with an extract import, which
// starts a new epoch, so a list stays right for its epoch, and the
// snapshots of a region's clerks page through it instead of asking the
// enrollments of every student of the state, page after page.
type regionLists struct {
	mu     gosync.Mutex
	epoch  string
	region map[string]*regionList
}

// regionList is one region's list, read by the first pull that asks for
// it while the region's other pulls wait; the pulls of other regions'
// clerks do not wait for it (a region's list takes a few hundred
// milliseconds to read on a busy hub, and each region's first pulls of
// an epoch come together).
type regionList struct {
	mu   gosync.Mutex
	ids  []string
	read bool
}

// regionStudents are the students of a region by state ID: those with
// an enrollment in one of its districts, and those enrolled nowhere (any
// clerk may write an out-of-school youth's record).
func (r *Reader) regionStudents(tx Tx, epoch, region string) ([]string, error) {
	r.lists.mu.Lock()
	if r.lists.epoch != epoch {
		r.lists.epoch, r.lists.region = epoch, map[string]*regionList{}
	}
	l := r.lists.region[region]
	if l == nil {
		l = &regionList{}
		r.lists.region[region] = l
	}
	r.lists.mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.read {
		return l.ids, nil
	}
	var ids []string
	var err error
	if r.ReadRegion != nil {
		ids, err = r.ReadRegion(tx, region)
	} else {
		ids, err = readIDs(tx, r.RegionList, region)
	}
	if err != nil {
		return nil, fmt.Errorf("read the students of region %s: %w", region, err)
	}
	slices.Sort(ids)
	ids = slices.Clip(slices.Compact(ids))
	l.ids, l.read = ids, true
	return ids, nil
}
