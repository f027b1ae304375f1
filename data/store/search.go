package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"migrantdesk/data"
)

// Query is an Advanced Search (SPEC §1): every field given must match.
type Query struct {
	Last, First string    // as typed; normalised inside
	BirthDate   data.Date // zero = any
	StateID     string    // exact, or prefix
	Gender      string    // "", F, M, X
	District    string    // district number: the student has an enrollment in it
	Limit       int       // 0 = DefaultLimit
}

// Result is one student found, with the current enrollment that tells two
// students of the same name apart.
type Result struct {
	Student data.Student
	// Exact: every name term matched a whole word (ranked first). True
	// when the query has no name.
	Exact bool
	// The current enrollment: still open, or else the latest to end;
	// among those, data.Prefer. Blank for a student with none.
	SchoolNumber, SchoolName, DistrictNumber, DistrictName, Grade string
}

// DefaultLimit is how many students a search returns when Query.Limit is 0.
const DefaultLimit = 100

// ErrEmptyQuery is returned for a query with nothing to search by.
var ErrEmptyQuery = errors.New("type at least one of last name, first name, birth date, state ID, gender or district")

// Empty reports whether the query has nothing to search by; a name that
// normalises to nothing ("---") counts as blank.
func (q Query) Empty() bool {
	return data.NormalizeName(q.Last) == "" && data.NormalizeName(q.First) == "" && q.BirthDate.IsZero() &&
		strings.TrimSpace(q.StateID) == "" && strings.TrimSpace(q.Gender) == "" && strings.TrimSpace(q.District) == ""
}

// Search finds the students matching q. Names ignore case, accents and
// punctuation; each typed word must be the start of a word of the name,
// or of the name run together ("delacruz"). Students whose every typed
// word is a whole word come first, then the rest; each group by last
// name, first name. At most q.Limit students are returned.
func (s *Store) Search(ctx context.Context, q Query) ([]Result, error) {
	sp, err := newSearchSpec(q)
	if err != nil {
		return nil, err
	}
	return s.search(ctx, sp)
}

func (s *Store) search(ctx context.Context, sp *searchSpec) ([]Result, error) {
	tx, err := s.searched.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("search students: %w", err)
	}
	defer tx.end()
	hits, err := sp.find(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("search students: %w", err)
	}
	out, err := loadSearchResults(ctx, tx, hits)
	if err != nil {
		return nil, fmt.Errorf("search students: %w", err)
	}
	return out, nil
}

// searchSpec is a normalised query.
type searchSpec struct {
	last, first []string // words of the normalised names
	birth       string   // ISO date or ""
	id          string   // state ID prefix or ""
	gender      string
	district    string
	limit       int
	searchLimits
	counted  map[string]int      // see cost
	distinct map[string][]string // see distinctTokens
}

func newSearchSpec(q Query) (*searchSpec, error) {
	if q.Empty() {
		return nil, ErrEmptyQuery
	}
	sp := &searchSpec{
		last:     distinctWords(data.NormalizeName(q.Last)),
		first:    distinctWords(data.NormalizeName(q.First)),
		birth:    q.BirthDate.String(),
		id:       strings.TrimSpace(q.StateID),
		gender:   strings.ToUpper(strings.TrimSpace(q.Gender)),
		district: strings.TrimSpace(q.District),
		limit:    q.Limit,

		searchLimits: defaultSearchLimits,
	}
	if sp.gender != "" && !slices.Contains(data.Genders(), sp.gender) {
		return nil, fmt.Errorf("gender %q is not one of F, M or X", q.Gender)
	}
	if sp.limit <= 0 {
		sp.limit = DefaultLimit
	}
	return sp, nil
}

// searchHit is one student found, in result order.
type searchHit struct {
	stateID string
	exact   bool
}

// searchLimits are the planner's thresholds, in rows. Counting the rows
// of an index range costs a fraction of walking them with filters, so a
// pass counts the rows of each way it could walk, up to count, and takes
// the cheapest (see choose); one that costs under enough is taken without
// counting the others. A birth date or state ID shared by fewer than set
// students is read whole and sorted. The words a prefix starts are merged
// list by list when there are at most arms of them, else their range is
// sorted when it has fewer than sort rows.
type searchLimits struct{ count, enough, set, arms, sort int }

var defaultSearchLimits = searchLimits{count: 5000, enough: 2000, set: 400, arms: 24, sort: 500}

// find returns the matching students in result order, at most sp.limit.
//
// A birth date or a state ID that few students share is read whole and
// sorted. Otherwise the search makes two passes: students whose every name
// term is a whole word, then, below the limit, those matched by prefix
// only. Each pass merges ordered lists (see searchList) that together hold
// every student it can find, checks every condition on each row in result
// order and stops at the limit.
func (sp *searchSpec) find(ctx context.Context, tx searchTx) ([]searchHit, error) {
	if sp.birth != "" || sp.id != "" {
		c, err := sp.cost(ctx, tx, []searchList{sp.setList()}, sp.set)
		if err != nil {
			return nil, err
		}
		if !c.capped {
			return sp.findSet(ctx, tx)
		}
	}
	levels := []int{levelExact, levelPrefix}
	if len(sp.last)+len(sp.first) == 0 {
		levels = []int{levelAny}
	}
	var hits []searchHit
	for _, level := range levels {
		need := sp.limit - len(hits)
		if need <= 0 {
			break
		}
		lists, err := sp.choose(ctx, tx, level, need)
		if err != nil {
			return nil, err
		}
		found, err := sp.walk(ctx, tx, lists, level, need)
		if err != nil {
			return nil, err
		}
		hits = append(hits, found...)
	}
	return hits, nil
}

// loadSearchResults reads the students found and their current enrollments.
func loadSearchResults(ctx context.Context, tx searchTx, hits []searchHit) ([]Result, error) {
	out := make([]Result, 0, len(hits))
	if len(hits) == 0 {
		return out, nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.stateID
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Result, len(hits))
	rows, err := tx.query(ctx, `SELECT `+studentCols("")+` FROM students
		WHERE state_id IN (SELECT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		st, err := scanStudent(rows)
		if err != nil {
			return nil, err
		}
		byID[st.StateID] = &Result{Student: st}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadCurrentEnrollments(ctx, tx, string(list), byID); err != nil {
		return nil, err
	}
	for _, h := range hits {
		if r := byID[h.stateID]; r != nil {
			r.Exact = h.exact
			out = append(out, *r)
		}
	}
	return out, nil
}

// loadCurrentEnrollments fills in each result's current enrollment. The
// enrollments come from their covering index, the school and district
// names from the search cache.
func loadCurrentEnrollments(ctx context.Context, tx searchTx, ids string, byID map[string]*Result) error {
	rows, err := tx.query(ctx, `SELECT id, state_id, school_number, grade, service_type, start_date, end_date
		FROM enrollments WHERE state_id IN (SELECT value FROM json_each(?))`, ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	current := make(map[string]data.Enrollment, len(byID))
	for rows.Next() {
		var e data.Enrollment
		var start, end string
		if err := rows.Scan(&e.ID, &e.StateID, &e.SchoolNumber, &e.Grade, &e.ServiceType, &start, &end); err != nil {
			return err
		}
		if e.Start, err = data.ParseOptionalDate(start); err != nil {
			return fmt.Errorf("enrollment %s: stored start date: %w", e.ID, err)
		}
		if e.End, err = data.ParseOptionalDate(end); err != nil {
			return fmt.Errorf("enrollment %s: stored end date: %w", e.ID, err)
		}
		if c, seen := current[e.StateID]; byID[e.StateID] != nil && (!seen || moreCurrent(e, c)) {
			current[e.StateID] = e
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	schools := make([]string, 0, len(current))
	for _, e := range current {
		schools = append(schools, e.SchoolNumber)
	}
	places, err := tx.places(ctx, schools)
	if err != nil {
		return err
	}
	for id, e := range current {
		p, r := places[e.SchoolNumber], byID[id]
		r.SchoolNumber, r.SchoolName, r.DistrictNumber, r.DistrictName, r.Grade =
			e.SchoolNumber, p.school, p.district, p.districtName, e.Grade
	}
	return nil
}

// moreCurrent reports whether enrollment a is more current than b: open
// before ended, a later end before an earlier one, then data.Prefer.
func moreCurrent(a, b data.Enrollment) bool {
	if a.End != b.End {
		return a.End.IsZero() || !b.End.IsZero() && a.End > b.End
	}
	return data.Prefer(a, b)
}
