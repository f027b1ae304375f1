package sqlitehub

import (
	"database/sql"
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
func (h *DB) studentsPage(tx *sql.Tx, sc scope, epoch, after string, want int, page *sync.Page) (more bool, last string, err error) {
	added := 0
	for added < want {
		ids, err := h.nextStudents(tx, sc, epoch, after, max(1, (want-added)/4))
		if err != nil || len(ids) == 0 {
			return false, last, err
		}
		list, _ := json.Marshal(ids)
		rows := map[string]map[string][]map[string]string{} // table → student → rows
		for _, table := range []string{"students", "enrollments", "programs", "assessments"} {
			where, args := `t.state_id IN (SELECT value FROM json_each(?))`, []any{string(list)}
			if table == "enrollments" && !sc.all && sc.region == "" {
				where += ` AND t.school_number IN (SELECT number FROM schools WHERE district_number IN (` + marks(len(sc.districts)) + `))`
				for _, d := range sc.districts {
					args = append(args, d)
				}
			}
			got, err := rowsOf(tx, table, where+" ORDER BY "+prefixed("t.", sync.KeyColumns(table)), args...)
			if err != nil {
				return false, last, err
			}
			rows[table] = map[string][]map[string]string{}
			for _, r := range got {
				rows[table][r["state_id"]] = append(rows[table][r["state_id"]], r)
			}
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
				for _, r := range rows[table][id] {
					page.Changes = append(page.Changes, sync.Change{Table: table, Row: r})
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
func (h *DB) nextStudents(tx *sql.Tx, sc scope, epoch, after string, n int) ([]string, error) {
	if sc.region != "" {
		all, err := h.regionStudents(tx, epoch, sc.region)
		if err != nil {
			return nil, err
		}
		i, found := slices.BinarySearch(all, after)
		if found {
			i++
		}
		return all[i:min(len(all), i+n)], nil
	}
	q, args := `SELECT state_id FROM students WHERE state_id > ?`, []any{after}
	if !sc.all {
		q = `SELECT DISTINCT r.state_id FROM published p JOIN migrant_records r ON r.id = p.record_id AND r.deleted = 0
			WHERE r.state_id > ? AND p.district_number IN (` + marks(len(sc.districts)) + `)`
		for _, d := range sc.districts {
			args = append(args, d)
		}
	}
	rows, err := tx.Query(q+` ORDER BY 1 LIMIT `+strconv.Itoa(n), args...)
	if err != nil {
		return nil, fmt.Errorf("read the students of the scope: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// regionLists keeps, for one epoch, each region's students by state ID:
// a clerk's scope. Enrollments change only with an extract import, which
// starts a new epoch, so a list stays right for its epoch, and the
// snapshots of a region's clerks page through it instead of asking the
// enrollments of every student of the state, page after page.
type regionLists struct {
	mu     gosync.Mutex
	epoch  string
	region map[string][]string
}

// regionStudents are the students of a region by state ID: those with
// an enrollment in one of its districts, and those enrolled nowhere (any
// clerk may write an out-of-school youth's record).
func (h *DB) regionStudents(tx *sql.Tx, epoch, region string) ([]string, error) {
	h.lists.mu.Lock()
	defer h.lists.mu.Unlock()
	if h.lists.epoch != epoch {
		h.lists.epoch, h.lists.region = epoch, map[string][]string{}
	}
	if ids, ok := h.lists.region[region]; ok {
		return ids, nil
	}
	rows, err := tx.Query(`SELECT e.state_id FROM enrollments e WHERE e.school_number IN
			(SELECT sc.number FROM schools sc JOIN districts d ON d.number = sc.district_number WHERE d.region_code = ?)
		UNION SELECT s.state_id FROM students s WHERE NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.state_id = s.state_id)
		ORDER BY 1`, region)
	if err != nil {
		return nil, fmt.Errorf("read the students of region %s: %w", region, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	h.lists.region[region] = ids
	return ids, nil
}
