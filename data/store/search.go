package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

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

// ErrSearchStopped says a search looked through as many students as it
// may and returns only the matches among them: more may match.
var ErrSearchStopped = errors.New("the search stopped after looking through many students whose names start alike, " +
	"so more students may match than are shown: type more of the name, a birth date or a state ID")

// ErrSearchPartial says a search by name or district was made while the
// user's students are still arriving from the hub: a snapshot (a first
// sync, or one after the hub's epoch or the user's scope changed) indexes
// their names and districts with its last page, so until then such a
// search finds only some of the students that are on the computer. A
// cut sync (the hub or the workstation stopped part way) leaves a
// workstation so until a sync finishes.
var ErrSearchPartial = errors.New("your students are still arriving from the hub: until the sync that brings them has finished, " +
	"a search by name or district finds only some of them, and one by state ID or birth date every student that has arrived")

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
//
// A search reads a bounded number of index entries: when the students it
// looked through hold fewer than the limit of matches, it returns the
// matches found, in order, with an error that wraps ErrSearchStopped.
// While a snapshot is under way a search by name or district returns the
// matches found among the students indexed so far with ErrSearchPartial
// instead, the more useful of the two to the person searching.
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
	hits, stopped, err := sp.find(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("search students: %w", err)
	}
	out, err := loadSearchResults(ctx, tx, hits)
	if err != nil {
		return nil, fmt.Errorf("search students: %w", err)
	}
	if len(sp.last)+len(sp.first) > 0 || sp.district != "" {
		arriving, err := snapshotUnderWay(ctx, tx)
		if err != nil {
			return nil, fmt.Errorf("search students: %w", err)
		}
		if arriving {
			return out, ErrSearchPartial
		}
	}
	if stopped {
		return out, ErrSearchStopped
	}
	return out, nil
}

// snapshotUnderWay reports whether the cursor names a snapshot part way:
// its pages have come since the first, not the last, which indexes the
// students for search.
func snapshotUnderWay(ctx context.Context, tx searchTx) (bool, error) {
	rows, err := tx.query(ctx, snapshotUnderWayQuery, MetaCursor)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var arriving bool
	if rows.Next() {
		if err := rows.Scan(&arriving); err != nil {
			return false, err
		}
	}
	return arriving, rows.Err()
}

// snapshotUnderWayQuery is whether the cursor (MetaCursor) names a
// snapshot part way; no row for a database that never pulled.
const snapshotUnderWayQuery = `SELECT coalesce(json_extract(value, '$.snapshot'), '') <> '' FROM meta WHERE key = ?`

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
	// probe, when set, is an SQL condition true on every row, which the
	// walks check first on each row they read: tests count the rows so.
	probe string
}

func newSearchSpec(q Query) (*searchSpec, error) {
	if q.Empty() {
		return nil, ErrEmptyQuery
	}
	// No stored name or ID holds such a character (data.CleanText), and
	// the search would find nothing and not say why.
	for _, f := range [...]struct{ name, v string }{{"last name", q.Last}, {"first name", q.First}, {"state ID", q.StateID}} {
		v := strings.TrimSpace(f.v)
		if len(v) > data.MaxTextBytes {
			return nil, fmt.Errorf("the %s you searched by is %d characters long, longer than any student's: check that only it was pasted in",
				f.name, utf8.RuneCountInString(v))
		}
		if err := data.CheckChars(v); err != nil {
			return nil, fmt.Errorf("the %s you searched by: %w", f.name, err)
		}
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
// sorted when it has fewer than sort rows. A walk reads at most walkRows
// rows of its lists more than the students it is to find (see walk).
type searchLimits struct{ count, enough, set, arms, sort, walkRows int }

var defaultSearchLimits = searchLimits{count: 5000, enough: 2000, set: 400, arms: 24, sort: 500, walkRows: 2000}

// find returns the matching students in result order, at most sp.limit,
// and whether a walk stopped at its budget (then the search ends there).
//
// A birth date or a state ID that few students share is read whole and
// sorted. Otherwise the search makes two passes: students whose every name
// term is a whole word, then, below the limit, those matched by prefix
// only. Each pass merges ordered lists (see searchList) that together hold
// every student it can find, checks every condition on each row in result
// order and stops at the limit.
func (sp *searchSpec) find(ctx context.Context, tx searchTx) ([]searchHit, bool, error) {
	if sp.birth != "" || sp.id != "" {
		c, err := sp.cost(ctx, tx, []searchList{sp.setList()}, sp.set)
		if err != nil {
			return nil, false, err
		}
		if !c.capped {
			hits, err := sp.findSet(ctx, tx)
			return hits, false, err
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
			return nil, false, err
		}
		found, stopped, err := sp.walk(ctx, tx, lists, level, need)
		if err != nil || stopped {
			return append(hits, found...), stopped, err
		}
		hits = append(hits, found...)
	}
	return hits, false, nil
}

// loadSearchResults reads the students found and their current
// enrollments, with the audit log's last row for the school names' cache,
// in one statement that returns one row (see packed).
func loadSearchResults(ctx context.Context, tx searchTx, hits []searchHit) ([]Result, error) {
	if len(hits) == 0 {
		return []Result{}, nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.stateID
	}
	index := &resultIndex{ids: ids, last: -1}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, loadSearchSQL, string(list))
	if err != nil {
		return nil, err
	}
	var at int64
	var students, enrollments string
	if err := scanRows(rows, func() error { return rows.Scan(&at, &students, &enrollments) }); err != nil {
		return nil, err
	}
	out := make([]Result, len(hits))
	found := make([]bool, len(hits))
	for p := (packed{s: students}); p.more(); {
		var st data.Student
		var birth string
		p.fields(&st.StateID, &st.LocalNumber, &st.LastName, &st.FirstName, &st.MiddleName, &birth, &st.Gender, &st.Race)
		if p.err != nil {
			return nil, fmt.Errorf("stored students: %w", p.err)
		}
		if st.BirthDate, err = data.ParseDate(birth); err != nil {
			return nil, fmt.Errorf("student %s: stored birth date: %w", st.StateID, err)
		}
		if i, ok := index.of(st.StateID); ok {
			out[i], found[i] = Result{Student: st, Exact: hits[i].exact}, true
		}
	}
	index.last = -1 // the enrollments come from the first ID again
	if err := setCurrentEnrollments(ctx, tx, at, enrollments, index, out); err != nil {
		return nil, err
	}
	kept := out[:0]
	for i, r := range out {
		if found[i] {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// resultIndex finds a state ID's place in a page of results. The load's
// records come in the order of the IDs it is given, as SQLite runs each
// join from json_each's rows in order, so a record's student is the last
// record's or one of the next few (students without an enrollment have
// no record): the map of all of them, whose making and hashing cost more
// than the comparisons, is made only should one not be.
type resultIndex struct {
	ids  []string
	last int // the place of the last ID found; -1 to start over
	byID map[string]int
}

// resultSkip is how far past the last ID found of looks before the map.
const resultSkip = 8

func (x *resultIndex) of(id string) (int, bool) {
	for i := max(x.last, 0); i <= x.last+resultSkip && i < len(x.ids); i++ {
		if x.ids[i] == id {
			x.last = i
			return i, true
		}
	}
	if x.byID == nil {
		x.byID = make(map[string]int, len(x.ids))
		for i, id := range x.ids {
			x.byID[id] = i
		}
	}
	i, ok := x.byID[id]
	if ok {
		x.last = i
	}
	return i, ok
}

// loadSearchSQL reads, for the state IDs of a JSON array, the audit log's
// last row, the students packed and their enrollments packed (from the
// enrollments' covering index).
var loadSearchSQL = `SELECT (SELECT coalesce(max(seq), 0) FROM audit), ` +
	packSQL("FROM json_each(?1) j CROSS JOIN students s ON s.state_id = j.value",
		"s.state_id", "s.local_number", "s.last_name", "s.first_name", "s.middle_name", "s.birth_date", "s.gender", "s.race") + `, ` +
	packSQL("FROM json_each(?1) j CROSS JOIN enrollments e ON e.state_id = j.value",
		"e.id", "e.state_id", "e.school_number", "e.grade", "e.service_type", "e.start_date", "e.end_date")

// setCurrentEnrollments fills in the current enrollment of each result
// (out, by index of state ID) from their packed enrollments, with the
// school and district names from the search cache.
func setCurrentEnrollments(ctx context.Context, tx searchTx, at int64, enrollments string, index *resultIndex, out []Result) error {
	w := enrollScratches.Get().(*enrollScratch)
	defer w.put()
	// A result's enrollment is blank until one is read: its StateID says.
	current := slices.Grow(w.current[:0], len(out))[:len(out)]
	clear(current)
	w.current = current
	for p := (packed{s: enrollments}); p.more(); {
		var e data.Enrollment
		var start, end string
		p.fields(&e.ID, &e.StateID, &e.SchoolNumber, &e.Grade, &e.ServiceType, &start, &end)
		if p.err != nil {
			return fmt.Errorf("stored enrollments: %w", p.err)
		}
		var err error
		if e.Start, err = data.ParseOptionalDate(start); err != nil {
			return fmt.Errorf("enrollment %s: stored start date: %w", e.ID, err)
		}
		if e.End, err = data.ParseOptionalDate(end); err != nil {
			return fmt.Errorf("enrollment %s: stored end date: %w", e.ID, err)
		}
		if i, ok := index.of(e.StateID); ok && (current[i].StateID == "" || data.MoreCurrent(e, current[i])) {
			current[i] = e
		}
	}
	schools, of := w.schools[:0], w.of[:0] // of: the result of each school
	for i, e := range current {
		if e.StateID != "" {
			schools, of = append(schools, e.SchoolNumber), append(of, i)
		}
	}
	w.schools, w.of = schools, of
	return tx.places(ctx, at, schools, func(j int, p place) {
		e, r := current[of[j]], &out[of[j]]
		r.SchoolNumber, r.SchoolName, r.DistrictNumber, r.DistrictName, r.Grade =
			e.SchoolNumber, p.school, p.district, p.districtName, e.Grade
	})
}

// enrollScratch is what setCurrentEnrollments works in, kept between
// searches: made anew, it was a sixth of the bytes a page of results
// allocates, and each few megabytes allocated make the collector stop the
// world, which the searches under way wait through.
type enrollScratch struct {
	current []data.Enrollment
	schools []string
	of      []int
}

var enrollScratches = sync.Pool{New: func() any { return new(enrollScratch) }}

// put clears the scratch, which holds views of a search's packed
// enrollments (whose memory it would keep), and gives it back.
func (w *enrollScratch) put() {
	clear(w.current[:cap(w.current)])
	clear(w.schools[:cap(w.schools)])
	enrollScratches.Put(w)
}

// packSQL is an SQL expression that packs the text of cols, read by
// the rows of from, into one value (see packed). Reading a value through
// the driver costs about half a microsecond, more than SQLite takes to
// pack it: a page of 100 results is some 2,500 values, read as two.
// concat_ws builds a record in one call, where || would copy it once per
// field.
func packSQL(from string, cols ...string) string {
	return "coalesce((SELECT group_concat(concat_ws(char(31), " + strings.Join(cols, ", ") + "), char(30)) " + from + "), '')"
}

// packed reads the values of packSQL: fields are separated by \x1f,
// records by \x1e. Stored text holds no control character
// (data.CleanText), so a record with too few or too many fields is a
// damaged database, not a value to read. The values share the packed
// string's memory.
type packed struct {
	s   string
	err error
}

func (p *packed) more() bool { return p.s != "" && p.err == nil }

// fields reads the next record into to. (strings.IndexByte, not
// strings.Cut, whose search for a separator of any length was a tenth of
// loading a page of results.)
func (p *packed) fields(to ...*string) {
	rec := p.s
	if end := strings.IndexByte(p.s, 0x1e); end >= 0 {
		if end == len(p.s)-1 {
			p.err = errors.New("a packed record ends the value")
			return
		}
		rec, p.s = p.s[:end], p.s[end+1:]
	} else {
		p.s = ""
	}
	ok := true
	for i, v := range to {
		if i < len(to)-1 {
			end := strings.IndexByte(rec, 0x1f)
			if ok = end >= 0; !ok {
				break
			}
			*v, rec = rec[:end], rec[end+1:]
		} else if ok = strings.IndexByte(rec, 0x1f) < 0; ok {
			*v = rec
		}
	}
	if !ok {
		p.err = fmt.Errorf("a packed record does not hold %d fields", len(to))
	}
}
