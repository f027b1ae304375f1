package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// writeSearchIndex writes what Search finds students by: their name
// tokens (name_tokens) and, for each district they are enrolled in, a
// district_students row. It indexes every student, or with listedOnly
// those in temp.listed, none of whom may have rows there yet. It writes
// through raw, the handle of tx's connection, when it is not nil.
//
// The rows are made in memory and written in key order, so that SQLite
// appends to each index page instead of splitting pages all over the
// index: each student's rank in result order stands for the student,
// and a token's list of ranks is made in that order.
func writeSearchIndex(ctx context.Context, tx *sql.Tx, raw *rawConn, listedOnly bool) error {
	src, err := readIndexSource(ctx, tx, listedOnly)
	if err != nil {
		return err
	}
	students, districts, err := src.parse()
	if err != nil {
		return err
	}
	members := districtMembers(districts)
	// The name tokens are made on another goroutine while the district
	// index is written: on a second core, at no cost to the load's.
	var tokens []tokenRows
	made := inBackground("making the name tokens", func() error {
		tokens = makeTokens(students, allTokens(districts))
		return nil
	})
	values := boxStudents(students)
	err = writeDistrictIndex(ctx, tx, raw, values, members)
	if err = cmp.Or(err, made()); err != nil {
		return err
	}
	return writeNameTokens(ctx, tx, raw, values, tokens)
}

// indexSource is what the search index is made of, read from the tables
// packed (see packSQL): a few values for millions.
type indexSource struct {
	students, enrollments string
	districtOf            map[string]string // school number -> district number
}

// readIndexSource reads every student and enrollment, or with listedOnly
// those of the students in temp.listed.
func readIndexSource(ctx context.Context, tx *sql.Tx, listedOnly bool) (*indexSource, error) {
	scope := ""
	if listedOnly {
		scope = ` WHERE state_id IN (SELECT state_id FROM temp.listed)`
	}
	src := &indexSource{}
	// The sort key, which holds sortSep, comes last.
	err := tx.QueryRowContext(ctx, `SELECT `+packSQL(`FROM students`+scope, "state_id", "gender", "sort_key")).Scan(&src.students)
	if err == nil {
		err = tx.QueryRowContext(ctx, `SELECT `+packSQL(`FROM enrollments`+scope, "state_id", "school_number")).Scan(&src.enrollments)
	}
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	if src.districtOf, err = schoolDistricts(ctx, tx); err != nil {
		return nil, err
	}
	return src, nil
}

// schoolDistricts maps each school's number to its district's.
func schoolDistricts(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	districtOf := map[string]string{}
	err := scan(ctx, tx, `SELECT number, district_number FROM schools`, nil, func(r *sql.Rows) error {
		var school, district string
		err := r.Scan(&school, &district)
		districtOf[school] = district
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	return districtOf, nil
}

// inResultOrder sorts students in result order and returns the rank of
// each; twice reports a state ID listed more than once.
func inResultOrder(students []indexStudent) (rank map[string]int32, twice bool) {
	sortResultOrder(students)
	rank = make(map[string]int32, len(students))
	for i, st := range students {
		if i > 0 && st.id == students[i-1].id {
			twice = true
		}
		rank[st.id] = int32(i)
	}
	return rank, twice
}

// sortResultOrder sorts students in result order: by sort key, then state
// ID, which is compared only between equal keys.
func sortResultOrder(students []indexStudent) {
	slices.SortFunc(students, func(a, b indexStudent) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
}

// withDistrict is a student's districts with d, each listed once.
func withDistrict(ds []string, d string) []string {
	if slices.Contains(ds, d) {
		return ds
	}
	return append(ds, d)
}

// newIndexRows makes the search index of students, in result order, who
// are enrolled in the districts of the same rank.
func newIndexRows(students []indexStudent, districts [][]string) *indexRows {
	rows := &indexRows{students: boxStudents(students), members: districtMembers(districts)}
	rows.tokens = makeTokens(students, allTokens(districts))
	return rows
}

var errPacked = errors.New("search index: a packed record has too few fields: the database is damaged")

// parse returns the students in result order and the districts of each.
func (src *indexSource) parse() ([]indexStudent, [][]string, error) {
	var students []indexStudent
	for s := src.students; s != ""; {
		var rec string
		rec, s, _ = strings.Cut(s, "\x1e")
		var st indexStudent
		var ok bool
		st.id, rec, _ = strings.Cut(rec, "\x1f")
		if st.gender, st.key, ok = strings.Cut(rec, "\x1f"); !ok {
			return nil, nil, errPacked
		}
		students = append(students, st)
	}
	ranks := newRanks(students)
	districts := make([][]string, len(students))
	for s := src.enrollments; s != ""; {
		var rec, id, school string
		var ok bool
		rec, s, _ = strings.Cut(s, "\x1e")
		if id, school, ok = strings.Cut(rec, "\x1f"); !ok {
			return nil, nil, errPacked
		}
		if i, ok := ranks.of(id); ok {
			districts[i] = withDistrict(districts[i], src.districtOf[school])
		}
	}
	return students, districts, nil
}

// ranks finds a student's rank in result order by state ID. An extract
// lists a student's enrollments together, and in the students' own
// order, as it lists the students: a state ID is most often the one
// found last or the next student's, found by comparing it with those,
// not by hashing it into a map of 700,000, which is made only for the
// others.
type ranks struct {
	ids  []string // the state IDs in the order given
	rank []int32  // the rank of each
	near int      // where the last one was found
	all  map[string]int32
}

// newRanks sorts students in result order, keeping their state IDs in
// the order given, which is mostly that of their enrollments.
func newRanks(students []indexStudent) *ranks {
	r := &ranks{ids: make([]string, len(students)), rank: make([]int32, len(students))}
	for i := range students {
		r.ids[i] = students[i].id
		students[i].at = int32(i)
	}
	sortResultOrder(students)
	for i, st := range students {
		r.rank[st.at] = int32(i)
	}
	return r
}

// of returns the rank of the student with state ID id; false when there
// is none.
func (r *ranks) of(id string) (int32, bool) {
	for i := r.near; i < min(r.near+2, len(r.ids)); i++ {
		if r.ids[i] == id {
			r.near = i
			return r.rank[i], true
		}
	}
	if r.all == nil {
		r.all = make(map[string]int32, len(r.ids))
		for i, id := range r.ids {
			r.all[id] = int32(i)
		}
	}
	i, ok := r.all[id]
	if !ok {
		return 0, false
	}
	r.near = int(i)
	return r.rank[i], true
}

// indexRows is a search index made in memory, to be written in key
// order.
type indexRows struct {
	students []boxedStudent // in result order
	members  map[string][]int32
	tokens   []tokenRows // in key order
}

// makeIndexRows makes the search index of src on another goroutine;
// wait returns it.
func makeIndexRows(src *indexSource) (wait func() (*indexRows, error)) {
	var rows *indexRows
	made := inBackground("making it", func() error {
		students, districts, err := src.parse()
		if err != nil {
			return err
		}
		rows = newIndexRows(students, districts)
		return nil
	})
	return func() (*indexRows, error) {
		err := made()
		return rows, err
	}
}

// inBackground runs fn on another goroutine; wait waits for it and
// returns its error, or a panic's as one.
func inBackground(what string, fn func() error) (wait func() error) {
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("search index: %s stopped on an internal error (%v)", what, r)
			}
		}()
		err = fn()
	}()
	return func() error {
		<-done
		return err
	}
}

// write writes the index: district_students, then name_tokens, through
// raw, the handle of tx's connection, when it is not nil.
func (r *indexRows) write(ctx context.Context, tx *sql.Tx, raw *rawConn) error {
	if err := writeDistrictIndex(ctx, tx, raw, r.students, r.members); err != nil {
		return err
	}
	return writeNameTokens(ctx, tx, raw, r.students, r.tokens)
}

// districtMembers is the students of each district, in result order,
// from the districts of each student in that order.
func districtMembers(districts [][]string) map[string][]int32 {
	members := map[string][]int32{}
	for i, ds := range districts {
		for _, d := range ds {
			members[d] = append(members[d], int32(i))
		}
	}
	return members
}

// writeNameTokens writes name_tokens in key order (see makeTokens).
func writeNameTokens(ctx context.Context, tx *sql.Tx, raw *rawConn, students []boxedStudent, tokens []tokenRows) error {
	b := newRawBatch(ctx, tx, raw, "search index", `INSERT INTO name_tokens(field, token, sort_key, state_id)`, "", 4)
	return b.fill(func(w *rowWriter) error {
		for _, k := range tokens {
			token := any(k.token)
			for _, r := range k.ranks {
				if err := w.add(k.field, token, students[r].key, students[r].id); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// fieldToken is a row of name_tokens but the student.
type fieldToken struct {
	field int
	token string
}

// tokenRows is a token of name_tokens and its students' ranks, in
// result order.
type tokenRows struct {
	fieldToken
	ranks []int32
}

// allTokens adds every name token of a student, who is enrolled in the
// districts of the same place in districts.
func allTokens(districts [][]string) func(t *tokenSet, i int, last, first string) {
	return func(t *tokenSet, i int, last, first string) { t.addName(last, first, districts[i]) }
}

// indexInitials adds the rows of tokFirstInitial and tokInitialLater of
// every student to a search index made without them (migration 9).
func indexInitials(tx *sql.Tx) error {
	ctx := context.Background()
	var students []indexStudent
	err := scan(ctx, tx, `SELECT sort_key, state_id FROM students ORDER BY sort_key, state_id`, nil, func(r *sql.Rows) error {
		var st indexStudent
		err := r.Scan(&st.key, &st.id)
		students = append(students, st)
		return err
	})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	tokens := makeTokens(students, func(t *tokenSet, _ int, last, first string) {
		t.addInitials(distinctWords(last), distinctWords(first))
	})
	return writeNameTokens(ctx, tx, nil, boxStudents(students), tokens)
}

// makeTokens makes the name tokens of the students, which are in result
// order: of adds those of the i-th student's normalised names. It
// returns the tokens in key order, each with its students in that order.
func makeTokens(students []indexStudent, of func(t *tokenSet, i int, last, first string)) []tokenRows {
	t := newTokenSet()
	for i, st := range students {
		t.rank = int32(i)
		last, first, _ := strings.Cut(st.key, sortSep)
		of(t, i, last, first)
	}
	slices.SortFunc(t.rows, func(a, b tokenRows) int {
		return cmp.Or(cmp.Compare(a.field, b.field), strings.Compare(a.token, b.token))
	})
	return t.rows
}

// writeDistrictIndex writes district_students in key order: members are
// the students of each district, in result order.
func writeDistrictIndex(ctx context.Context, tx *sql.Tx, raw *rawConn, students []boxedStudent, members map[string][]int32) error {
	b := newRawBatch(ctx, tx, raw, "district index", `INSERT INTO district_students(district_number, sort_key, state_id, gender)`, "", 4)
	return b.fill(func(w *rowWriter) error {
		for _, d := range slices.Sorted(maps.Keys(members)) {
			district := any(d)
			for _, r := range members[d] {
				st := students[r]
				if err := w.add(district, st.key, st.id, st.gender); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// indexStudent is what the search index holds of a student, and where
// it was given (see newRanks).
type indexStudent struct {
	key, id, gender string
	at              int32
}

// boxedStudent is an indexStudent as the driver takes its values. Each
// is boxed once: boxing a string allocates, and the search index binds a
// student's values once for each of its rows, some 5 on average.
type boxedStudent struct{ key, id, gender any }

func boxStudents(students []indexStudent) []boxedStudent {
	out := make([]boxedStudent, len(students))
	for i, st := range students {
		out[i] = boxedStudent{st.key, st.id, st.gender}
	}
	return out
}

// scan runs a query and hands each row to row.
func scan(ctx context.Context, tx *sql.Tx, q string, args []any, row func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
