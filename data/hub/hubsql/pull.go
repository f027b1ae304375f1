package hubsql

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/sync"
)

// RegionStudents is the condition that the student t.state_id is in the
// scope of the clerks of region ? (one placeholder): enrolled in one of
// its schools, or enrolled nowhere. Asked of every row a clerk's
// snapshot reads, it is most of the snapshot's time.
const RegionStudents = `(EXISTS (SELECT 1 FROM enrollments e JOIN schools sc ON sc.number = e.school_number
	JOIN districts d ON d.number = sc.district_number WHERE e.state_id = t.state_id AND d.region_code = ?)
	OR NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.state_id = t.state_id))`

// Reader answers pulls. It keeps, for the hub's current epoch, each
// region's students (see regionLists), and holds the conditions a back end
// says in its own SQL.
type Reader struct {
	// RegionStudents is RegionStudents, or a back end's own condition
	// meaning the same (pghub answers it from a table it keeps with the
	// enrollments).
	RegionStudents string
	// StudentsIn is the condition that t.state_id is one of the state IDs
	// of a JSON array of strings (one placeholder).
	StudentsIn string
	// RegionList is the query of the state IDs of the students in the
	// scope of region ?'s clerks (one placeholder), in any order and
	// each as many times as it comes: the reader sorts them and drops
	// the repeats, faster than SQLite's UNION and ORDER BY of a
	// region's half million enrollments.
	RegionList string
	// ReadRegion, where set, reads region's list in RegionList's stead,
	// inside the pull's transaction tx or beside it (sqlitehub reads it
	// in two halves at once).
	ReadRegion func(tx Tx, region string) ([]string, error)

	lists regionLists
	pages pageFlights
	// perStudent is how many rows a snapshot's student came with in the
	// last chunk read, in thousandths: the next chunk is sized by it.
	// Scopes differ (a district's user has fewer enrollments per
	// student), which only makes a chunk a little long or short.
	perStudent atomic.Int64
}

// Pull answers a workstation's pull inside tx, a read transaction that
// sees one snapshot of the database, at the hub's current epoch: a page
// of its snapshot when it has none of this epoch yet, or its cursor was
// given for another scope than the user's now (sync.Cursor.Scope; a
// cursor naming none is taken for the user's scope now), else the
// changes in its scope after its cursor.
func (r *Reader) Pull(tx Tx, u data.User, c sync.Cursor, limit int, epoch string, key CursorKey) (sync.Page, error) {
	sc := scopeOf(u)
	sc.regionStudents = r.RegionStudents
	fingerprint := sc.fingerprint()
	page, err := r.pull(tx, sc, fingerprint, Unsigned(c), limit, epoch)
	if err != nil {
		return sync.Page{}, err
	}
	page.Next.Scope = fingerprint
	page.Next = key.Sign(page.Next)
	return page, nil
}

func (r *Reader) pull(tx Tx, sc scope, fingerprint string, c sync.Cursor, limit int, epoch string) (sync.Page, error) {
	var key string
	var read func() (sync.Page, int64, error)
	switch {
	case c.Epoch != epoch || c.Scope != "" && c.Scope != fingerprint:
		key = sc.key(epoch, nil, limit)
		read = func() (sync.Page, int64, error) {
			planForValues(tx)
			head, mark, err := headOf(tx)
			if err != nil {
				return sync.Page{}, 0, err
			}
			page, err := r.snapshotPage(tx, sc, sync.Cursor{Epoch: epoch, Seq: head, Mark: mark}, limit)
			return page, head, err
		}
	case c.Snapshot != "":
		key = sc.key(epoch, &c, limit)
		// A page after the first carries the snapshot's own sequence,
		// not the head it was read at, which is what another pull
		// checks it against.
		read = func() (sync.Page, int64, error) {
			planForValues(tx)
			head, _, err := headOf(tx)
			if err != nil {
				return sync.Page{}, 0, err
			}
			page, err := r.snapshotPage(tx, sc, c, limit)
			return page, head, err
		}
	default:
		return feedPage(tx, sc, c, limit)
	}
	page, head, shared, err := r.pages.do(key, read)
	if err != nil || !shared {
		return page, err
	}
	// A page another pull read may be older than this pull's own
	// snapshot: one that misses a change of the scope logged since (this
	// workstation's own push, whose answer set its copies, among them)
	// would undo it on the workstation, so it is read again. With no such
	// change the page is the one this pull would read: every change of a
	// scope's rows is logged for it, and an import or a restore starts
	// another epoch, another key.
	changed, err := scopeChanged(tx, sc, head)
	if err != nil || !changed {
		return page, err
	}
	page, _, err = read()
	return page, err
}

// ValuePlanner is a Tx whose database may plan a statement once for any
// values of its parameters (pghub prefers that: planning the same small
// statement at each run was a third of the server's time for a sync),
// and can be told to plan each statement for its values until the
// transaction ends. A snapshot's reads want plans for their values: a
// plan made for any district reads a district that holds half the
// state's records as it would read one that holds a hundred.
type ValuePlanner interface {
	PlanForValues()
}

// planForValues has the rest of tx planned for its values, where its
// back end plans otherwise.
func planForValues(tx Tx) {
	if vp, ok := tx.(ValuePlanner); ok {
		vp.PlanForValues()
	}
}

// scopeChanged reports whether the feed holds a change of the scope after
// the sequence number after.
func scopeChanged(tx Tx, sc scope, after int64) (bool, error) {
	q, args := `SELECT seq FROM hub_changes WHERE seq > ? AND scoped = 0 ORDER BY seq LIMIT 1`, []any{after}
	if !sc.all {
		if len(sc.tags) == 0 {
			return false, nil
		}
		q, args = visibleQuery(sc.tags, after, 1)
	}
	changed := false
	err := readAll(tx, Read{Query: q, Args: args, Row: func(Rows) error {
		changed = true
		return nil
	}})
	if err != nil {
		return false, fmt.Errorf("read the change feed: %w", err)
	}
	return changed, nil
}

// Logged reports whether the change a cursor of the hub's epoch stopped
// at is one this hub logged. It is not when the hub's database was
// restored from a backup older than the workstation's last pull: the
// sequence is past the hub's last change, or the hub has logged another
// change under it since (with another mark). A cursor from before the hub
// gave marks carries none, and only its sequence can be checked. The back
// end starts a new epoch when it is not (RenewEpoch).
func Logged(tx Tx, c sync.Cursor) (bool, error) {
	if c.Seq == 0 {
		return true, nil
	}
	var logged bool
	if err := readAll(tx, LoggedRead(c, &logged)); err != nil {
		return false, fmt.Errorf("check the sync cursor: %w", err)
	}
	return logged, nil
}

// LoggedRead is Logged as a read that can travel with others (readAll,
// Batcher): it sets *logged. A signed mark is compared without its
// signature (CursorKey), which says nothing of what the hub logged.
func LoggedRead(c sync.Cursor, logged *bool) Read {
	c = Unsigned(c)
	*logged = c.Seq == 0
	return Read{Query: `SELECT mark FROM hub_changes WHERE seq = ?`, Args: []any{c.Seq}, Row: func(rows Rows) error {
		var mark string
		if err := rows.Scan(&mark); err != nil {
			return err
		}
		*logged = c.Mark == "" || c.Mark == mark
		return nil
	}}
}

// RenewEpoch starts a new epoch in place of old inside tx, so that every
// workstation takes a fresh snapshot (and pushes again what the hub has
// lost), and returns the hub's epoch. Pulls that find the same restore at
// once make one new epoch between them: only the first replaces old.
func RenewEpoch(tx Tx, old string) (string, error) {
	if err := tx.Exec(`UPDATE hub_meta SET value = ? WHERE key = 'epoch' AND value = ?`, uuid.NewString(), old); err != nil {
		return "", fmt.Errorf("start a new hub epoch: %w", err)
	}
	var epoch string
	if err := tx.QueryRow(`SELECT value FROM hub_meta WHERE key = 'epoch'`).Scan(&epoch); err != nil {
		return "", fmt.Errorf("read the hub's epoch: %w", err)
	}
	return epoch, nil
}

// headOf is the feed's last change, by sequence and mark; 0 and "" for
// an empty feed.
func headOf(tx Tx) (int64, string, error) {
	var head int64
	var mark string
	if err := readAll(tx, headRead(&head, &mark)); err != nil {
		return 0, "", fmt.Errorf("read the change feed's head: %w", err)
	}
	return head, mark, nil
}

// headRead is headOf as a read that can travel with others (readAll): it
// sets *head and *mark, and leaves them alone for an empty feed.
func headRead(head *int64, mark *string) Read {
	return Read{Query: `SELECT seq, mark FROM hub_changes ORDER BY seq DESC LIMIT 1`, Row: func(rows Rows) error {
		return rows.Scan(head, mark)
	}}
}

// scope is what a user's pull may carry, decided from the signed-in user
// alone.
type scope struct {
	all       bool     // a state administrator
	region    string   // a clerk's
	districts []string // a coordinator's or district administrator's
	tags      []string // the feed tags the user sees

	regionStudents string // see Pull
	// listed are a district scope's students, read once for a snapshot
	// page (snapshotPage): nil for any other scope.
	listed *districtList
}

func scopeOf(u data.User) scope {
	switch u.Role {
	case data.RoleStateAdmin:
		return scope{all: true}
	case data.RoleClerk:
		return scope{region: u.RegionCode, tags: []string{everyone, regionTag(u.RegionCode), regionTag(everyone)}}
	}
	s := scope{districts: u.OwnDistricts(), tags: []string{everyone}}
	for _, d := range s.districts {
		s.tags = append(s.tags, districtTag(d))
	}
	return s
}

// feedPage reads the changes after the cursor that the user may see. When
// the page is not full, the next cursor is the feed's head, so changes
// the user may not see are never read again.
func feedPage(tx Tx, sc scope, c sync.Cursor, limit int) (sync.Page, error) {
	var head int64
	var headMark string
	q, args := `SELECT c.seq, c.tbl, c.op, c.row, c.mark FROM hub_changes c
		WHERE c.seq > ? AND c.scoped = 0 ORDER BY c.seq LIMIT ?`, []any{c.Seq, limit + 1}
	// The head travels with the first read (readAll): on PostgreSQL one
	// round trip, not two. Both are read in the pull's one snapshot.
	reads := []Read{headRead(&head, &headMark)}
	if !sc.all {
		// The changes are read by the sequence numbers of the scope's
		// tags in the same query: reading the numbers first and then the
		// changes by a list of them bound hundreds of arguments a pull.
		visible, vargs := visibleQuery(sc.tags, c.Seq, limit+1)
		q, args = `SELECT c.seq, c.tbl, c.op, c.row, c.mark FROM hub_changes c WHERE c.seq IN (`+visible+`) ORDER BY c.seq`, vargs
	}
	var changes []sync.Change
	var seqMarks []string
	more := false
	err := readAll(tx, append(reads, Read{Query: q, Args: args,
		Row: func(rows Rows) error {
			var ch sync.Change
			var op, body, mark string
			if err := rows.Scan(&ch.Seq, &ch.Table, &op, &body, &mark); err != nil {
				return err
			}
			if len(changes) == limit {
				more = true // the one past the page
				return nil
			}
			ch.Deleted = op == "del"
			var err error
			if ch.Row, err = decodeRow(body); err != nil {
				return fmt.Errorf("change %d: %w", ch.Seq, err)
			}
			changes, seqMarks = append(changes, ch), append(seqMarks, mark)
			return nil
		}})...)
	if err != nil {
		return sync.Page{}, fmt.Errorf("read the change feed: %w", err)
	}
	page := sync.Page{Changes: changes, Next: sync.Cursor{Epoch: c.Epoch, Seq: head, Mark: headMark}}
	if more {
		page.More = true
		page.Next.Seq, page.Next.Mark = changes[limit-1].Seq, seqMarks[limit-1]
	}
	return page, nil
}

// visibleQuery selects the first n sequence numbers after after of the
// changes tagged with any of tags, in order. Each tag's are read
// from the tags' key (tag, seq) as one range of at most n and the ranges
// merged: asking of every change after the cursor whether it carries one
// of the tags (three key lookups a change for a clerk) read the changes
// of every scope, four times those of the clerk's region in a state of
// four, and was most of a clerk's pull.
func visibleQuery(tags []string, after int64, n int) (string, []any) {
	parts := make([]string, len(tags))
	var args []any
	for i, tag := range tags {
		parts[i] = fmt.Sprintf(`SELECT seq FROM (SELECT seq FROM hub_change_tags WHERE tag = ? AND seq > ? ORDER BY seq LIMIT ?) AS t%d`, i)
		args = append(args, tag, after, n)
	}
	return strings.Join(parts, " UNION ") + ` ORDER BY seq LIMIT ?`, append(args, n)
}

// snapshotPage reads the next rows of the user's scope, table by table in
// sync.Tables order and by key within a table; the students come with
// their enrollments, programs and assessments (studentsPage). The
// position travels in the cursor as "TABLE\x1fKEY\x1fKEY...": the table
// and the last key sent, or the table alone to start at its first row.
//
// The snapshot's number of students (sync.Page.Students) is counted on its
// first page and travels in the position before it, "N\x1e...", so that
// it is counted once per snapshot, a resumed one included.
func (r *Reader) snapshotPage(tx Tx, sc scope, c sync.Cursor, limit int) (sync.Page, error) {
	if !sc.all && sc.region == "" {
		sc.listed = &districtList{}
	}
	n, pos, found := strings.Cut(c.Snapshot, totalSep)
	total, err := strconv.ParseInt(n, 10, 64)
	if !found || err != nil || total < 0 {
		if total, err = r.countStudents(tx, sc, c.Epoch); err != nil {
			return sync.Page{}, err
		}
		pos = c.Snapshot
	}
	c.Snapshot = pos
	page, err := r.snapshotRows(tx, sc, c, limit)
	if err != nil {
		return page, err
	}
	page.Students = total
	if page.Next.Snapshot != "" {
		page.Next.Snapshot = strconv.FormatInt(total, 10) + totalSep + page.Next.Snapshot
	}
	return page, nil
}

const totalSep = "\x1e"

// snapshotRows is snapshotPage's rows, from a position without its total.
func (r *Reader) snapshotRows(tx Tx, sc scope, c sync.Cursor, limit int) (sync.Page, error) {
	tables := sync.Tables()
	ti, last, err := parsePosition(c.Snapshot, tables)
	if err != nil {
		return sync.Page{}, err
	}
	page := sync.Page{Snapshot: true, Next: c}
	for ; ti < len(tables); ti, last = ti+1, nil {
		table := tables[ti]
		if studentChild[table] {
			continue // sent with the students
		}
		want := limit - len(page.Changes)
		if want == 0 {
			page.More = true
			page.Next.Snapshot = table
			return page, nil
		}
		if table == "students" {
			after := ""
			if last != nil {
				after = last[0]
			}
			more, lastID, err := r.studentsPage(tx, sc, c.Epoch, after, want, &page)
			if err != nil {
				return sync.Page{}, err
			}
			if more {
				page.More = true
				page.Next.Snapshot = table + sep + lastID
				return page, nil
			}
			continue
		}
		where, args, ok := scopeWhere(sc, table)
		if !ok {
			continue
		}
		keys := sync.KeyColumns(table)
		if last != nil {
			where = "(" + where + ") AND (" + prefixed("t.", keys) + ") > (" + marks(len(keys)) + ")"
			for _, k := range last {
				args = append(args, k)
			}
		}
		rows, err := rowsOf(tx, table, where+" ORDER BY "+prefixed("t.", keys)+" LIMIT "+strconv.Itoa(want+1), args...)
		if err != nil {
			return sync.Page{}, err
		}
		if table == "migrant_records" && !sc.all && sc.region == "" {
			if rows, err = districtView(tx, sc, rows); err != nil {
				return sync.Page{}, err
			}
		}
		for i, row := range rows {
			if i == want {
				page.More = true
				page.Next.Snapshot = position(table, keys, rows[i-1])
				return page, nil
			}
			page.Changes = append(page.Changes, sync.Change{Table: table, Row: row})
		}
	}
	page.Next.Snapshot = ""
	return page, nil
}

// scopeWhere is the condition on table t's rows that the user may hold;
// ok is false for a table none of whose rows they may.
func scopeWhere(sc scope, table string) (string, []any, bool) {
	switch table {
	case "regions", "districts", "schools", "users", "user_districts":
		return "TRUE", nil, true
	}
	if sc.all {
		if table == "migrant_records" {
			return "t.deleted = 0", nil, true
		}
		return "TRUE", nil, true
	}
	if sc.region != "" {
		students := sc.regionStudents
		switch table {
		case "migrant_records":
			return "t.deleted = 0 AND " + students, []any{sc.region}, true
		case "published":
			return `EXISTS (SELECT 1 FROM migrant_records t2 WHERE t2.id = t.record_id AND t2.deleted = 0 AND ` +
				strings.ReplaceAll(students, "t.state_id", "t2.state_id") + `)`, []any{sc.region}, true
		}
		return "", nil, false
	}
	ds := make([]any, len(sc.districts))
	for i, d := range sc.districts {
		ds[i] = d
	}
	in := marks(len(ds))
	switch table {
	case "migrant_records":
		return `t.deleted = 0 AND t.id IN (SELECT record_id FROM published WHERE district_number IN (` + in + `))`, ds, true
	case "published":
		return `t.district_number IN (` + in + `) AND EXISTS (SELECT 1 FROM migrant_records r WHERE r.id = t.record_id AND r.deleted = 0)`, ds, true
	case "report_grants":
		return `t.district_number IN (` + in + `)`, ds, true
	}
	return "", nil, false
}

// districtView replaces each record's values with those of the copy
// published to one of the user's districts (the first of them that has
// one), so a district never sees a clerk's unpublished edit. rows are
// live records in key order; their copies are read in one query for the
// page, not two for each record.
func districtView(tx Tx, sc scope, rows []map[string]string) ([]map[string]string, error) {
	if len(rows) == 0 {
		return rows, nil
	}
	args := []any{rows[0]["id"], rows[len(rows)-1]["id"]}
	for _, d := range sc.districts {
		args = append(args, d)
	}
	copies, err := rowsOf(tx, "published", `t.record_id >= ? AND t.record_id <= ? AND t.district_number IN (`+marks(len(sc.districts))+`)`, args...)
	if err != nil {
		return nil, err
	}
	byRecord := map[string]map[string]map[string]string{}
	for _, c := range copies {
		id := c["record_id"]
		if byRecord[id] == nil {
			byRecord[id] = map[string]map[string]string{}
		}
		byRecord[id][c["district_number"]] = c
	}
	out := rows[:0]
	for _, r := range rows {
		for _, d := range sc.districts {
			if c := byRecord[r["id"]][d]; c != nil {
				out = append(out, asCopied(r, c))
				break
			}
		}
	}
	return out, nil
}

const sep = "\x1f"

func position(table string, keys []string, row map[string]string) string {
	parts := []string{table}
	for _, k := range keys {
		parts = append(parts, row[k])
	}
	return strings.Join(parts, sep)
}

func parsePosition(p string, tables []string) (int, []string, error) {
	if p == "" {
		return 0, nil, nil
	}
	parts := strings.Split(p, sep)
	for i, t := range tables {
		switch {
		case t != parts[0]:
		case len(parts) == 1:
			return i, nil, nil
		case len(parts)-1 == len(sync.KeyColumns(t)):
			return i, parts[1:], nil
		}
	}
	return 0, nil, fmt.Errorf("%w: its snapshot position names no table the hub sends; start the sync again", hub.ErrBadCursor)
}

// decodeRow reads a row of the feed, a JSON object of strings as
// logChange writes it. Rows whose keys and values need no escapes (most
// of them) are read by hand; encoding/json, which read every row before
// at twice the time of the query that fetched them, reads the rest.
func decodeRow(body string) (map[string]string, error) {
	if row, ok := plainRow(body); ok {
		return row, nil
	}
	var row map[string]string
	if err := json.Unmarshal([]byte(body), &row); err != nil {
		return nil, err
	}
	return row, nil
}

// plainRow reads {"k":"v",...} with no spaces, escapes or control
// characters, and valid UTF-8; ok is false for anything else.
func plainRow(body string) (map[string]string, bool) {
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' || !utf8.ValidString(body) {
		return nil, false
	}
	row := make(map[string]string, 12)
	i := 1
	if body == "{}" {
		return row, true
	}
	str := func() (string, bool) {
		if i >= len(body) || body[i] != '"' {
			return "", false
		}
		start := i + 1
		for j := start; j < len(body); j++ {
			switch c := body[j]; {
			case c == '"':
				i = j + 1
				return body[start:j], true
			case c == '\\' || c < 0x20:
				return "", false
			}
		}
		return "", false
	}
	for {
		k, ok := str()
		if !ok || i >= len(body) || body[i] != ':' {
			return nil, false
		}
		i++
		v, ok := str()
		if !ok || i >= len(body) {
			return nil, false
		}
		if _, dup := row[k]; dup {
			return nil, false
		}
		row[k] = v
		switch body[i] {
		case ',':
			i++
		case '}':
			return row, i == len(body)-1
		default:
			return nil, false
		}
	}
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func prefixed(p string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = p + c
	}
	return strings.Join(out, ", ")
}
