package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// MetaCursor is the meta key of the sync cursor, as sync.Cursor JSON.
const MetaCursor = "sync_cursor"

// ErrEpoch refuses a page of changes from another hub epoch than the one
// the workstation pulled from: the hub was restored from a backup, and
// only a fresh snapshot can replace what the workstation holds.
var ErrEpoch = errors.New("the hub's epoch changed; a fresh snapshot is needed")

// Cursor is how far this workstation has pulled: the zero Cursor before
// its first sync.
func (s *Store) Cursor(ctx context.Context) (sync.Cursor, error) {
	var c sync.Cursor
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = readCursor(tx)
		return err
	})
	if err != nil {
		return sync.Cursor{}, fmt.Errorf("read the sync cursor: %w", err)
	}
	return c, nil
}

func readCursor(tx *sql.Tx) (sync.Cursor, error) {
	var c sync.Cursor
	var v string
	err := tx.QueryRow(`SELECT value FROM meta WHERE key = ?`, MetaCursor).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal([]byte(v), &c)
}

// ApplyPage applies a page of pulled changes and moves the cursor to
// p.Next, in one transaction: after a crash the workstation holds both or
// neither, and pulls the page again.
//
// A page of another epoch than the cursor's is refused with ErrEpoch,
// unless it is a snapshot. The first page of a snapshot (the hub sends
// one for a new epoch, and for a user whose scope changed) first empties
// what the workstation holds from the state and the hub, except its own
// work not yet acknowledged: records with a mutation waiting or a
// conflict to resolve, records whose typing the hub refused
// (refusedTyped), grants waiting, and what those rows need (their
// students, districts, users); the snapshot's pages then bring the scope
// back. A pulled row of a record (or copy, or grant) with a change
// waiting never overwrites it: the push decides, and for a record in
// conflict the row becomes the hub's side of the conflict. Of a record
// whose typing the hub refused, a pulled row no newer keeps what was
// typed (keepRefused).
//
// Each change names a table of sync.Tables and exactly its columns
// (sync.Columns; a removal only the key). Columns the workstation
// derives (search keys, a school's public flag) are worked out here, the
// search index follows the pulled students and enrollments, and the
// students whose records' needs_publish may have changed are noted for
// the next count of what needs publishing.
func (s *Store) ApplyPage(ctx context.Context, p sync.Page) error {
	if p.Snapshot {
		// A snapshot writes a region's million rows page after page: the
		// writer keeps an import's settings from page to page, so each
		// finds the pages the last one filled in the cache, until the
		// snapshot's last page is applied or one fails.
		if err := setPragmas(ctx, s.w, bulkPragmas); err != nil {
			return fmt.Errorf("apply the pulled changes, nothing was changed: %w", err)
		}
	}
	err := s.applyPage(ctx, p)
	if p.Snapshot && (err != nil || p.Next.Snapshot == "") {
		setPragmas(context.Background(), s.w, usualPragmas)
	}
	return err
}

func (s *Store) applyPage(ctx context.Context, p sync.Page) (err error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("apply the pulled changes, nothing was changed: %w", err)
	}
	defer conn.Close()
	// A snapshot page is written on the writer's connection held for the
	// page, through its SQLite handle (see rawConn) when the driver shows
	// it: database/sql and the driver copied each of a first sync's
	// millions of values and bound it under the connection's lock. Its
	// INSERTs are kept from page to page until the snapshot ends.
	var raw *rawConn
	if p.Snapshot {
		// A snapshot's page that a power cut takes back is pulled again,
		// with the cursor it came with: it alone does not wait for the
		// disk as it commits (see dsn), and the writer waits again after.
		if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
			return fmt.Errorf("apply the pulled changes, nothing was changed: %w", err)
		}
		defer conn.ExecContext(context.Background(), `PRAGMA synchronous = FULL`)
		raw = holdRaw(ctx, conn)
		defer raw.release()
		if raw != nil {
			if s.kept != nil && s.kept.db != raw.db {
				s.dropKept() // of a connection the pool has closed
			}
			if s.kept == nil {
				s.kept = newKeptStmts(raw.db)
			}
			raw.kept = s.kept
		}
		defer func() {
			if err != nil || p.Next.Snapshot == "" {
				s.dropKept()
				s.checkKeys(context.Background(), conn, true)
			}
		}()
	}
	// A snapshot page of students and their rows is checked against its
	// parents here, a few lookups for the page (see checkParents), and
	// written without SQLite's own check of each row's parents, a million
	// index lookups over a first sync. The setting is the connection's:
	// it stays for the snapshot's next page, and any other write puts it
	// back before it begins (see checkKeys).
	unchecked := p.Snapshot && childRowsOnly(p.Changes)
	if err := s.checkKeys(ctx, conn, !unchecked); err != nil {
		return fmt.Errorf("apply the pulled changes, nothing was changed: %w", err)
	}
	var t touched
	var gathered *snapshotSearch // of the snapshot's pages before this one
	err = s.writeOn(ctx, conn, func(tx *sql.Tx) error {
		cur, err := readCursor(tx)
		if err != nil {
			return fmt.Errorf("read the sync cursor: %w", err)
		}
		if err := checkPage(cur, p); err != nil {
			return err
		}
		t = touched{reindex: map[string]bool{}, recheck: map[string]bool{}, districts: map[string]bool{}}
		if slices.ContainsFunc(p.Changes, func(c sync.Change) bool { return c.Table == "migrant_records" }) {
			if t.typed, err = refusedTyping(tx); err != nil {
				return fmt.Errorf("read the records whose changes the hub refused: %w", err)
			}
		}
		gathered = s.snapSearch
		// A snapshot begins when none is under way, or when the hub
		// starts another over one cut short: of another epoch, or for a
		// user whose scope changed meanwhile (a cursor naming no scope is
		// taken for the user's scope, by the hub as here).
		if p.Snapshot && (cur.Snapshot == "" || cur.Epoch != p.Next.Epoch || cur.Scope != "" && cur.Scope != p.Next.Scope) {
			gathered = &snapshotSearch{}
			t.allDistricts = true
			if err := clearForSnapshot(tx, &t); err != nil {
				return fmt.Errorf("make room for the snapshot: %w", err)
			}
			if err := dropSnapshotIndexes(ctx, tx); err != nil {
				return fmt.Errorf("make room for the snapshot: %w", err)
			}
		}
		if unchecked {
			if err := checkParents(tx, p.Changes); err != nil {
				return err
			}
		}
		if err := unmarkLeftOut(tx, p.Changes); err != nil {
			return fmt.Errorf("note the students the hub counts in the scope again: %w", err)
		}
		if p.Snapshot {
			if err := replaceKept(tx, p.Changes, p.Next.Snapshot == "", &t); err != nil {
				return fmt.Errorf("replace the rows of the students kept for local work: %w", err)
			}
			if gathered != nil {
				t.search = &snapshotSearch{}
				t.gathered = gathered
			}
			if err := applySnapshot(ctx, tx, raw, p.Changes, &t); err != nil {
				return err
			}
			// A snapshot's students are indexed for search once, with its
			// last page: indexing each page's students would rewrite the
			// index of a region page after page. (The students local work
			// kept through its start are indexed at once.)
			if p.Next.Snapshot == "" {
				if err := finishSnapshot(ctx, tx, raw, &t); err != nil {
					return fmt.Errorf("index the pulled students for search: %w", err)
				}
				if err := goneUnseen(tx); err != nil {
					return fmt.Errorf("mark the records in conflict the snapshot left out: %w", err)
				}
			}
		}
		for _, c := range p.Changes {
			if err := ctx.Err(); err != nil {
				return err
			}
			if p.Snapshot || c.Seq <= cur.Seq {
				continue // a snapshot's rows are written; a change applied with an earlier page
			}
			if err := applyChange(tx, c, &t); err != nil {
				return fmt.Errorf("change %d to %s: %w", c.Seq, c.Table, err)
			}
		}
		if err := keepRefused(tx, t.typed, &t); err != nil {
			return fmt.Errorf("keep what was typed of the records whose changes the hub refused: %w", err)
		}
		if err := reindex(ctx, tx, slices.Collect(maps.Keys(t.reindex))); err != nil {
			return fmt.Errorf("index the pulled students for search: %w", err)
		}
		// The records' needs_publish is worked out when it is next
		// counted (CountNeedsPublishing), as after an extract import:
		// only a clerk's status bar reads it, and a district user's
		// workstation, which holds the records published to it, never
		// does. Worked out page after page, it was a quarter of the CPU
		// of a district's first sync.
		if len(t.recheck) > 0 {
			list, err := json.Marshal(slices.Collect(maps.Keys(t.recheck)))
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT OR IGNORE INTO publish_recheck(state_id) SELECT value FROM json_each(?)`, string(list)); err != nil {
				return fmt.Errorf("note the records whose publishing must be worked out again: %w", err)
			}
		}
		next, _ := json.Marshal(p.Next)
		return setMeta(tx, MetaCursor, string(next))
	})
	if err != nil {
		return fmt.Errorf("apply the pulled changes, nothing was changed: %w", err)
	}
	s.snapSearch = nil
	if p.Snapshot && p.Next.Snapshot != "" && gathered != nil {
		gathered.append(t.search)
		gathered.made = cmp.Or(t.search.made, gathered.made)
		s.snapSearch = gathered
	}
	s.changedDistricts(t.districts, t.allDistricts)
	return nil
}

// childRowsOnly reports whether a snapshot page sets only rows of
// students and of the tables that hang from them: the pages between a
// snapshot's first and its records, which the hub fills with whole
// students, each with its rows.
func childRowsOnly(changes []sync.Change) bool {
	for _, c := range changes {
		switch {
		case c.Deleted:
			return false
		case c.Table == "students", studentChild[c.Table]:
		default:
			return false
		}
	}
	return len(changes) > 0
}

// studentChild are the tables whose rows name a student (and, for an
// enrollment, a school) as their only parents.
var studentChild = map[string]bool{"enrollments": true, "programs": true, "assessments": true}

// checkParents refuses a page of childRowsOnly whose rows name a student
// neither in the page nor here, or a school not here: what the foreign
// keys would refuse, with a lookup for each student or school the page
// does not itself hold instead of one for each row.
func checkParents(tx *sql.Tx, changes []sync.Change) error {
	students := map[string]bool{}
	for _, c := range changes {
		if c.Table == "students" {
			students[c.Row["state_id"]] = true
		}
	}
	others, schools := map[string]bool{}, map[string]bool{}
	for _, c := range changes {
		if !studentChild[c.Table] {
			continue
		}
		if id := c.Row["state_id"]; !students[id] {
			others[id] = true
		}
		if c.Table == "enrollments" {
			schools[c.Row["school_number"]] = true
		}
	}
	for _, q := range []struct {
		what, table, key string
		ids              map[string]bool
	}{{"students", "students", "state_id", others}, {"schools", "schools", "number", schools}} {
		if len(q.ids) == 0 {
			continue
		}
		list, _ := json.Marshal(slices.Collect(maps.Keys(q.ids)))
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM `+q.table+` WHERE `+q.key+` IN (SELECT value FROM json_each(?))`,
			string(list)).Scan(&n); err != nil {
			return fmt.Errorf("check the snapshot's %s: %w", q.what, err)
		}
		if n != len(q.ids) {
			return fmt.Errorf("the snapshot page names %d %s this workstation does not hold; start the sync again", len(q.ids)-n, q.what)
		}
	}
	return nil
}

// checkPage refuses a page that does not follow the cursor.
func checkPage(cur sync.Cursor, p sync.Page) error {
	switch {
	case p.Next.Epoch == "":
		return errors.New("the page names no hub epoch")
	case p.Snapshot:
		return nil
	case cur.Epoch != p.Next.Epoch:
		return fmt.Errorf("the page is of hub epoch %q, this workstation pulled from %q: %w", p.Next.Epoch, cur.Epoch, ErrEpoch)
	case cur.Snapshot != "":
		return errors.New("a snapshot is under way and the page is not part of it")
	case p.Next.Seq < cur.Seq:
		return fmt.Errorf("the page ends at sequence %d, before the %d already pulled", p.Next.Seq, cur.Seq)
	}
	return nil
}

// touched collects, while a page is applied, the students whose search
// rows and whose records' needs_publish must be worked out again, and the
// districts whose copies (or what their windows show of the copies'
// students) changed.
type touched struct {
	reindex, recheck map[string]bool
	// typed are the records whose typing the hub refused, as this
	// computer held them before the page (refusedTyping).
	typed        map[string]typing
	districts    map[string]bool
	allDistricts bool // a snapshot replaced everything
	// Of a snapshot whose every page this process wrote: the rows of its
	// search index the earlier pages gathered, and this page's.
	gathered, search *snapshotSearch
}

// studentDistricts are the districts holding a copy of a record of
// student ?1.
const studentDistricts = `SELECT p.district_number FROM published p JOIN migrant_records r ON r.id = p.record_id WHERE r.state_id = ?`

// pulledRow checks that a pulled change names a table sync carries and
// exactly its columns (a removal only the key), and returns them with
// their values in the stored form.
func pulledRow(c sync.Change) (cols []string, vals []any, err error) {
	cols = pullColumns[c.Table]
	if cols == nil {
		return nil, nil, fmt.Errorf("%q is not a table a pull can change", c.Table)
	}
	if c.Deleted {
		cols = sync.KeyColumns(c.Table)
	}
	cols = slices.Clip(cols) // derive appends to it
	if len(c.Row) != len(cols) {
		return nil, nil, fmt.Errorf("the row has columns %s, not %s", strings.Join(slices.Sorted(maps.Keys(c.Row)), ", "), strings.Join(cols, ", "))
	}
	vals = make([]any, len(cols))
	for i, col := range cols {
		v, ok := c.Row[col]
		if !ok {
			return nil, nil, fmt.Errorf("the row lacks column %s", col)
		}
		if vals[i], err = pulledValue(col, v); err != nil {
			return nil, nil, fmt.Errorf("column %s: %w", col, err)
		}
	}
	return cols, vals, nil
}

// pullColumns is sync.Columns of each table, made once: a first sync
// reads a million rows.
var pullColumns = func() map[string][]string {
	m := map[string][]string{}
	for _, t := range sync.Tables() {
		m[t] = sync.Columns(t)
	}
	return m
}()

// applySnapshot writes the rows of a snapshot page with multi-row
// upserts, a table at a time in the page's order (parents first): a
// first sync writes a region's million rows, and one statement per row
// is most of its time. The rows are written through raw, the handle of
// tx's connection, or through tx when it is nil. Rows of local work are
// left alone as applyChange leaves them, and the records' rows and the
// students of the enrollments are noted for the publish recheck; the
// search index is the caller's.
//
// The page's rows are checked and put in the stored form on another
// goroutine (convertPulled) while the writer writes those before them:
// the writer is what a first sync waits for, page after page.
func applySnapshot(ctx context.Context, tx *sql.Tx, raw *rawConn, changes []sync.Change, t *touched) error {
	rows, stop := convertPulled(changes)
	defer stop()
	// A first sync has no local work: one query for the page, not two
	// for each of its records. (The state is written out for the outbox's
	// index of the mutations waiting.)
	var local bool
	if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM outbox WHERE entity IN (?, ?) AND state = '`+statePending+`')
		OR EXISTS (SELECT 1 FROM conflicts)`, sync.EntityRecord, sync.EntityGrant).Scan(&local); err != nil {
		return err
	}
	var b *batch
	var enrolled, seen []string
	table := ""
	for i, c := range changes {
		if c.Table != table && b != nil {
			if err := b.close(); err != nil {
				return err
			}
			b = nil
		}
		if c.Table != table && !studentTables[c.Table] {
			// The students are written: their search index is made on a
			// second core meanwhile.
			if err := t.prepareSearch(ctx, tx); err != nil {
				return err
			}
			// The rows after the students' are written, and their
			// students noted for the publish recheck, through the
			// students' indexes.
			if err := buildSnapshotIndexes(ctx, tx, func(ix index) bool { return !isSearchTable(ix.Table) }); err != nil {
				return err
			}
		}
		if c.Table != table && !local {
			end := i + 1
			for end < len(changes) && changes[end].Table == c.Table {
				end++
			}
			if err := touchAll(tx, changes[i:end], t); err != nil {
				return err
			}
		}
		table = c.Table
		r := rows(i)
		if r.err != nil {
			return fmt.Errorf("snapshot row of %s: %w", c.Table, r.err)
		}
		switch c.Table {
		case "students":
			if local {
				seen = append(seen, c.Row["state_id"])
			}
		case "enrollments":
			enrolled = append(enrolled, c.Row["state_id"])
		case "migrant_records", "published", "report_grants":
			if !local {
				break // touched with the table's rows, by touchAll
			}
			if keep, err := keepLocal(tx, c); err != nil || keep {
				if err != nil {
					return err
				}
				continue
			}
			if err := touch(tx, c, t); err != nil {
				return err
			}
		}
		if t.search != nil && (table == "students" || table == "enrollments") {
			key, _ := r.vals[len(r.vals)-1].(string) // students: sort_key, by derive
			t.search.gather(table, c.Row, key)
		}
		if b == nil {
			b = newRawBatch(ctx, tx, raw, "pulled "+table, `INSERT INTO `+table+`(`+strings.Join(r.cols, ", ")+`)`,
				upsert(table, r.cols), len(r.cols))
		}
		if err := b.add(r.vals...); err != nil {
			return err
		}
	}
	if b != nil {
		if err := b.close(); err != nil {
			return err
		}
	}
	if err := seenInSnapshot(tx, seen); err != nil {
		return err
	}
	return recheckEnrolled(tx, enrolled, t)
}

// pulledSnapshotRow is a snapshot row checked and in the stored form,
// with the columns the workstation derives.
type pulledSnapshotRow struct {
	cols []string
	vals []any
	err  error
}

// convertChunk is how many rows convertPulled hands over at a time.
const convertChunk = 256

// convertPulled checks the rows of a snapshot page and puts them in the
// stored form (pulledRow, derive) on a goroutine, a chunk at a time, in
// the page's order: row(i) waits for the i-th. stop ends the goroutine
// and waits for it, however far it got.
func convertPulled(changes []sync.Change) (row func(i int) pulledSnapshotRow, stop func()) {
	out := make([]pulledSnapshotRow, len(changes))
	ready := make(chan int, len(changes)/convertChunk+1)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		defer close(ready)
		next := 0 // the row being converted
		defer func() {
			// A panic is the row's error, as it would be the writer's.
			if p := recover(); p != nil {
				out[next].err = fmt.Errorf("the row stopped on an internal error (%v)", p)
				ready <- next + 1
			}
		}()
		for at := 0; at < len(changes); at += convertChunk {
			select {
			case <-quit:
				return
			default:
			}
			end := min(at+convertChunk, len(changes))
			for i, c := range changes[at:end] {
				next = at + i
				r := &out[next]
				r.cols, r.vals, r.err = pulledRow(c)
				if r.err == nil && c.Deleted {
					r.err = errors.New("a snapshot removes no rows")
				}
				if r.err == nil {
					r.cols, r.vals = derive(c, r.cols, r.vals)
				}
			}
			ready <- end // room for every chunk: never waits
		}
	}()
	converted := 0
	row = func(i int) pulledSnapshotRow {
		for i >= converted {
			converted = <-ready // never closed early while rows are asked
		}
		return out[i]
	}
	stop = func() {
		close(quit)
		<-done
	}
	return row, stop
}

// recheckEnrolled notes for the publish recheck the students among ids
// with a record here already: one kept through the snapshot's start as
// local work, whose needs_publish follows the enrollments the snapshot
// brings back. A student's records that come later in the snapshot are
// noted as they come.
func recheckEnrolled(tx *sql.Tx, ids []string, t *touched) error {
	if len(ids) == 0 {
		return nil
	}
	// A first sync has no records yet while its students come.
	var records bool
	if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM migrant_records)`).Scan(&records); err != nil || !records {
		return err
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return collect(tx, t.recheck, `SELECT DISTINCT state_id FROM migrant_records WHERE state_id IN (SELECT value FROM json_each(?))`, string(list))
}

// upsert is the conflict clause that makes a snapshot row replace the
// row with its key: a student, record or grant that local work kept
// through the snapshot's start, say. The programs table has no unique
// key, and the snapshot leaves none of a student's programs when it
// writes theirs (its start empties the table but for the students local
// work keeps, whose programs go as the page that brings them is
// applied: replaceKept), so its rows are plain inserts.
func upsert(table string, cols []string) string {
	if table == "programs" {
		return ""
	}
	keys := sync.KeyColumns(table)
	var set []string
	for _, c := range cols[len(keys):] {
		set = append(set, c+" = excluded."+c)
	}
	if len(set) == 0 {
		return `ON CONFLICT DO NOTHING`
	}
	return `ON CONFLICT(` + strings.Join(keys, ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ")
}

// metaSnapshotIndexes is the meta key of the secondary indexes a
// snapshot under way has dropped, as a JSON array of index.
const metaSnapshotIndexes = "snapshot_indexes"

// studentTables are the tables whose rows a snapshot sends up to and
// with its students. A snapshot writes a region's students and their
// rows, a million of them, and the search index made of them at its
// end, into tables without their secondary indexes: its start empties
// them (but for the students local work keeps), and nothing reads them
// through those indexes until it has written them. The rows that follow
// (records, copies) build them again first, as does the last page.
var studentTables = map[string]bool{"regions": true, "districts": true, "schools": true,
	"students": true, "enrollments": true, "programs": true, "assessments": true}

// dropSnapshotIndexes drops, at a snapshot's start, the secondary indexes
// of the tables it fills in bulk, as an extract's first import does,
// and notes them in meta for the page that builds them again: each page
// is a transaction of its own, and a workstation stopped part way
// resumes with the note. A snapshot that starts over (the hub's epoch
// changed during one) adds to the note what it drops.
func dropSnapshotIndexes(ctx context.Context, tx *sql.Tx) error {
	pending, err := snapshotIndexes(tx)
	if err != nil {
		return err
	}
	dropped, err := dropIndexes(ctx, tx, "students", "enrollments", "programs", "assessments", "name_tokens", "district_students")
	if err != nil {
		return err
	}
	var note []index
	for _, ix := range append(pending, dropped...) {
		if !keptForLoad[ix.Name] {
			note = append(note, ix)
			continue
		}
		if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS "`+ix.Name+`"`); err != nil {
			return fmt.Errorf("index %s for the load: %w", ix.Name, err)
		}
		if _, err := tx.ExecContext(ctx, ix.Create); err != nil {
			return fmt.Errorf("index %s for the load: %w", ix.Name, err)
		}
	}
	return setSnapshotIndexes(tx, note)
}

// keptForLoad are the secondary indexes a snapshot keeps up while it
// loads, made again at once on the tables its start has just emptied:
// they lead with the state ID, in whose order its rows come, so each
// row's entry is appended at an index's end, at little cost to a
// workstation that waits for the hub's next page anyway, instead of being
// built after the students while the hub waits.
var keptForLoad = map[string]bool{"enrollments_student": true, "programs_student": true}

// buildSnapshotIndexes builds the indexes a snapshot dropped that which
// selects.
func buildSnapshotIndexes(ctx context.Context, tx *sql.Tx, which func(index) bool) error {
	pending, err := snapshotIndexes(tx)
	if err != nil || len(pending) == 0 {
		return err
	}
	rest, err := buildIndexes(ctx, tx, pending, which)
	if err != nil {
		return err
	}
	return setSnapshotIndexes(tx, rest)
}

// finishSnapshot, on a snapshot's last page, builds the indexes it
// dropped and indexes every student for search anew: the search index is
// written before its own secondary indexes are built, after those of the
// tables it is read from, as an extract's first import does, through
// raw when it is not nil.
func finishSnapshot(ctx context.Context, tx *sql.Tx, raw *rawConn, t *touched) error {
	if err := t.prepareSearch(ctx, tx); err != nil {
		return err
	}
	if err := buildSnapshotIndexes(ctx, tx, func(ix index) bool { return !isSearchTable(ix.Table) }); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM name_tokens`, `DELETE FROM district_students`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	written := false
	if t.search != nil && t.search.made != nil {
		var err error
		if written, err = t.search.made.write(ctx, tx, raw); err != nil {
			return err
		}
	}
	if !written {
		if err := writeSearchIndex(ctx, tx, raw, false); err != nil {
			return err
		}
	}
	return buildSnapshotIndexes(ctx, tx, func(index) bool { return true })
}

// prepareSearch starts making the search index of the snapshot's
// students, all written by now, from what its pages gathered, unless it
// is started already or they were not gathered.
func (t *touched) prepareSearch(ctx context.Context, tx *sql.Tx) error {
	if t.search == nil || t.search.made != nil {
		return nil
	}
	if t.gathered.made != nil {
		t.search.made = t.gathered.made
		return nil
	}
	var err error
	t.search.made, err = t.gathered.with(t.search).prepare(ctx, tx)
	return err
}

// snapshotIndexes are the indexes noted by dropSnapshotIndexes and not
// built yet.
func snapshotIndexes(tx *sql.Tx) ([]index, error) {
	var v string
	err := tx.QueryRow(`SELECT value FROM meta WHERE key = ?`, metaSnapshotIndexes).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ixs []index
	if err := json.Unmarshal([]byte(v), &ixs); err != nil {
		return nil, fmt.Errorf("the note of the indexes a snapshot dropped: %w", err)
	}
	return ixs, nil
}

func setSnapshotIndexes(tx *sql.Tx, ixs []index) error {
	if len(ixs) == 0 {
		_, err := tx.Exec(`DELETE FROM meta WHERE key = ?`, metaSnapshotIndexes)
		return err
	}
	b, err := json.Marshal(ixs)
	if err != nil {
		return err
	}
	return setMeta(tx, metaSnapshotIndexes, string(b))
}

// applyChange sets or removes one pulled row.
func applyChange(tx *sql.Tx, c sync.Change, t *touched) error {
	cols, vals, err := pulledRow(c)
	if err != nil {
		return err
	}
	keys := sync.KeyColumns(c.Table)
	if keep, err := keepLocal(tx, c); err != nil || keep {
		return err
	}
	if _, typed := t.typed[c.Row["id"]]; typed && c.Deleted && c.Table == "migrant_records" {
		return nil // out of the scope on the hub: kept as the snapshot keeps it
	}
	if err := touch(tx, c, t); err != nil {
		return err
	}
	if c.Deleted {
		return removeRow(tx, c.Table, keys, vals)
	}
	cols, vals = derive(c, cols, vals)
	return setRow(tx, c.Table, keys, cols, vals)
}

// pulledValue checks a pulled value and puts it in the stored form:
// dates as YYYY-MM-DD, versions and flags as numbers, grades and service
// types as the rules know them.
func pulledValue(col, v string) (any, error) {
	switch col {
	case "birth_date", "start_date", "test_date", "qad", "eed":
		d, err := data.ParseDate(v)
		return dateText(d), err
	case "end_date":
		d, err := data.ParseOptionalDate(v)
		return dateText(d), err
	case "version", "deleted", "published_version":
		return strconv.Atoi(v)
	case "service_type":
		return v, data.ValidateServiceType(v)
	case "grade":
		return data.NormalizeGrade(v)
	}
	return v, nil
}

// derive appends the columns a workstation works out for itself.
func derive(c sync.Change, cols []string, vals []any) ([]string, []any) {
	switch c.Table {
	case "students":
		last, first := data.NormalizeName(c.Row["last_name"]), data.NormalizeName(c.Row["first_name"])
		return append(cols, "last_key", "first_key", "sort_key"), append(vals, last, first, searchSortKey(last, first))
	case "schools":
		public := data.School{Classification: c.Row["classification"]}.Public()
		return append(cols, "public"), append(vals, public)
	case "migrant_records":
		// Worked out again, for live records, once the page is applied.
		return append(cols, "needs_publish"), append(vals, 0)
	}
	return cols, vals
}

// keepLocal reports whether a pulled row must leave the local one alone:
// a record or grant with a change waiting for the push, a record's copy
// while a publish or delete of the record, which set its copies here,
// waits. A pulled record in conflict becomes the hub's side of the
// conflict instead. A pulled copy of a record in conflict, or with an
// edit waiting, is the hub's and is applied: nothing would bring it
// again (a publish refused as a conflict is answered with the hub's
// copies, see holdCopies).
func keepLocal(tx *sql.Tx, c sync.Change) (bool, error) {
	var entity, id string
	switch c.Table {
	case "migrant_records":
		entity, id = sync.EntityRecord, c.Row["id"]
	case "published":
		var waiting bool
		err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? AND state = ? AND op IN (?, ?))`,
			sync.EntityRecord, c.Row["record_id"], statePending, sync.OpPublish, sync.OpDelete).Scan(&waiting)
		return waiting, err
	case "report_grants":
		entity, id = sync.EntityGrant, sync.GrantID(c.Row["username"], c.Row["district_number"])
	default:
		return false, nil
	}
	var waiting bool
	if err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? AND state = ?)`,
		entity, id, statePending).Scan(&waiting); err != nil || waiting || entity != sync.EntityRecord {
		return waiting, err
	}
	open, err := hasConflict(tx, id)
	if err != nil || !open {
		return false, err
	}
	if c.Table == "migrant_records" && !c.Deleted {
		version, _ := strconv.Atoi(c.Row["version"])
		published, _ := strconv.Atoi(c.Row["published_version"])
		deleted := c.Row["deleted"] == "1"
		// Every workstation holds the user directory, so the name of who
		// changed the hub's copy is known here; one missing stays blank.
		var name string
		if err := tx.QueryRow(`SELECT full_name FROM users WHERE username = ?`, c.Row["updated_by"]).Scan(&name); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		theirs, _ := json.Marshal(hubSide{Record: sync.Record{ID: id, StateID: c.Row["state_id"], MIS2000ID: c.Row["mis2000_id"],
			QAD: c.Row["qad"], EED: c.Row["eed"], Version: version, Deleted: deleted, PublishedVersion: published,
			PublishedAt: c.Row["published_at"], PublishedBy: c.Row["published_by"],
			UpdatedBy: c.Row["updated_by"], UpdatedByName: name, UpdatedAt: c.Row["updated_at"]}, PublishKnown: true})
		// A newer copy replaces the hub's side; an older one (a hub
		// restored from an older backup numbers from the backup's) still
		// says the record is in the user's scope.
		_, err = tx.Exec(`UPDATE conflicts SET theirs = CASE WHEN json_extract(?1, '$.version') >= json_extract(theirs, '$.version')
			THEN ?1 ELSE json_remove(theirs, '$.gone', '$.unseen') END WHERE record_id = ?2`, string(theirs), id)
	}
	return true, err
}

// touch notes the students whose derived rows a change affects, reading
// what the row held before it changes: a student's search rows follow
// the student and their enrollments' districts, and the needs_publish of
// their records follows the records, the copies and the enrollments'
// districts and dates.
func touch(tx *sql.Tx, c sync.Change, t *touched) error {
	switch c.Table {
	case "students":
		t.reindex[c.Row["state_id"]] = true
		return collect(tx, t.districts, studentDistricts, c.Row["state_id"])
	case "enrollments":
		if !c.Deleted {
			t.reindex[c.Row["state_id"]] = true
			t.recheck[c.Row["state_id"]] = true
		}
		before := map[string]bool{}
		if !c.Deleted {
			before[c.Row["state_id"]] = true
		}
		err := collect(tx, before, `SELECT state_id FROM enrollments WHERE id = ?`, c.Row["id"])
		for id := range before {
			t.reindex[id], t.recheck[id] = true, true
			if err == nil {
				err = collect(tx, t.districts, studentDistricts, id)
			}
		}
		return err
	case "schools":
		if c.Deleted {
			return nil
		}
		moved := map[string]bool{}
		err := collect(tx, moved, `SELECT e.state_id FROM enrollments e JOIN schools sc ON sc.number = e.school_number
			WHERE e.school_number = ?1 AND sc.district_number IS NOT ?2`, c.Row["number"], c.Row["district_number"])
		for id := range moved {
			t.reindex[id], t.recheck[id] = true, true
		}
		return err
	case "migrant_records":
		if !c.Deleted {
			t.recheck[c.Row["state_id"]] = true
		}
		if err := collect(tx, t.districts, `SELECT district_number FROM published WHERE record_id = ?`, c.Row["id"]); err != nil {
			return err
		}
		return collect(tx, t.recheck, `SELECT state_id FROM migrant_records WHERE id = ?`, c.Row["id"])
	case "published":
		t.districts[c.Row["district_number"]] = true
		return collect(tx, t.recheck, `SELECT state_id FROM migrant_records WHERE id = ?`, c.Row["record_id"])
	}
	return nil
}

// touchAll is touch of a run of a snapshot page's rows of one table,
// before any of them is written, with a query or two for the run where
// touch reads one or two for each row: a district's first sync brings
// thousands of records and copies, and a workstation parsed, planned and
// ran each of those small queries on its own. (It reads what touch
// would: the rows written before the run are of other tables.)
func touchAll(tx *sql.Tx, run []sync.Change, t *touched) error {
	var ids []string
	switch run[0].Table {
	case "migrant_records":
		for _, c := range run {
			if !c.Deleted {
				t.recheck[c.Row["state_id"]] = true
			}
			ids = append(ids, c.Row["id"])
		}
		list, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		if err := collect(tx, t.districts, `SELECT DISTINCT district_number FROM published
			WHERE record_id IN (SELECT value FROM json_each(?))`, string(list)); err != nil {
			return err
		}
		return collect(tx, t.recheck, `SELECT DISTINCT state_id FROM migrant_records WHERE id IN (SELECT value FROM json_each(?))`, string(list))
	case "published":
		for _, c := range run {
			t.districts[c.Row["district_number"]] = true
			ids = append(ids, c.Row["record_id"])
		}
		list, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		return collect(tx, t.recheck, `SELECT DISTINCT state_id FROM migrant_records WHERE id IN (SELECT value FROM json_each(?))`, string(list))
	}
	return nil
}

// collect adds the first column of each row of q to set.
func collect(tx *sql.Tx, set map[string]bool, q string, args ...any) error {
	return eachRow(tx, q, args, func(scan func(...any) error) error {
		var id string
		err := scan(&id)
		set[id] = true
		return err
	})
}

func where(keys []string) string {
	w := make([]string, len(keys))
	for i, k := range keys {
		w[i] = k + " = ?"
	}
	return strings.Join(w, " AND ")
}

// setRow updates the row with the key, or inserts it when there is none.
// Table and column names come from sync's lists, never from the page.
func setRow(tx *sql.Tx, table string, keys, cols []string, vals []any) error {
	if len(cols) > len(keys) {
		set := make([]string, 0, len(cols))
		for _, c := range cols[len(keys):] {
			set = append(set, c+" = ?")
		}
		args := append(slices.Clone(vals[len(keys):]), vals[:len(keys)]...)
		res, err := tx.Exec(`UPDATE `+table+` SET `+strings.Join(set, ", ")+` WHERE `+where(keys), args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
	}
	_, err := tx.Exec(`INSERT OR IGNORE INTO `+table+`(`+strings.Join(cols, ", ")+`) VALUES(`+
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")+`)`, vals...)
	return err
}

// removeRow removes the row with the key. A row that local work still
// needs (the student of a record waiting to be pushed, say) stays: the
// database's foreign keys say which.
func removeRow(tx *sql.Tx, table string, keys []string, vals []any) error {
	switch table {
	case "migrant_records":
		if _, err := tx.Exec(`DELETE FROM published WHERE record_id = ?`, vals...); err != nil {
			return err
		}
	case "students":
		for _, q := range []string{`DELETE FROM name_tokens WHERE state_id = ?`, `DELETE FROM district_students WHERE state_id = ?`} {
			if _, err := tx.Exec(q, vals...); err != nil {
				return err
			}
		}
	}
	_, err := tx.Exec(`DELETE FROM `+table+` WHERE `+where(keys), vals...)
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY || se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT && strings.Contains(se.Error(), "FOREIGN KEY")) {
		return nil
	}
	return err
}

// clearForSnapshot empties what a snapshot replaces, keeping the local
// work not yet acknowledged by the hub and the rows it refers to, its
// students with their own rows among them (keepKeptRows), and the
// records whose typing the hub refused (refusedTyped); the records
// in conflict wait to be seen in the snapshot (seenInSnapshot). The
// students kept are indexed again, and noted for the publish recheck
// (the snapshot's pages that bring them note them again).
func clearForSnapshot(tx *sql.Tx, t *touched) error {
	grants, err := keptGrants(tx)
	if err != nil {
		return err
	}
	kept := append(refusedArgs(), statePending)
	const keptRecords = `SELECT entity_id FROM outbox WHERE entity = ?1 AND state = ?4 UNION SELECT record_id FROM conflicts`
	stmts := []statement{
		{`DELETE FROM published WHERE record_id NOT IN (` + keptRecords + `)`, kept},
		{`DELETE FROM migrant_records WHERE id NOT IN (` + keptRecords + `) AND NOT (deleted = 0 AND id IN (` + refusedTyped + `))`, kept},
	}
	stmts = append(stmts, keepKeptRows()...)
	stmts = append(stmts, []statement{
		{`DELETE FROM name_tokens`, nil},
		{`DELETE FROM district_students`, nil},
		{`DELETE FROM students WHERE state_id NOT IN (SELECT state_id FROM migrant_records)`, nil},
		{`DELETE FROM report_grants WHERE NOT EXISTS (SELECT 1 FROM json_each(?) k
			WHERE json_extract(k.value, '$.username') = report_grants.username
			AND json_extract(k.value, '$.district') = report_grants.district_number)`, []any{grants}},
		{`DELETE FROM user_districts`, nil},
		{`DELETE FROM users WHERE username NOT IN (SELECT username FROM report_grants)`, nil},
		{`DELETE FROM schools WHERE number NOT IN (SELECT school_number FROM enrollments)`, nil},
		{`DELETE FROM districts WHERE number NOT IN (SELECT district_number FROM published UNION SELECT district_number FROM report_grants
			UNION SELECT district_number FROM schools)`, nil},
		{`DELETE FROM regions WHERE code NOT IN (SELECT region_code FROM districts)`, nil},
		// A record in conflict is gone from the user's scope (Conflict.Gone)
		// if the snapshot, once whole, has brought neither it nor its
		// student (seenInSnapshot, goneUnseen).
		{`UPDATE conflicts SET theirs = json_set(json_remove(theirs, '$.gone'), '$.unseen', json('true'))`, nil},
		// Every student kept waits for the snapshot to bring them, and a
		// mark of one left out before stays until it decides.
		{`DELETE FROM meta WHERE key = ?`, []any{metaKeptStudents}},
		{`INSERT INTO meta(key, value) SELECT ?, json_group_array(state_id) FROM students HAVING count(*) > 0`, []any{metaKeptStudents}},
		{`UPDATE meta SET value = (SELECT json_group_array(j.value) FROM json_each(meta.value) j
			WHERE j.value IN (SELECT state_id FROM students)) WHERE key = ?`, []any{metaLeftOut}},
	}...)
	for _, q := range stmts {
		if _, err := tx.Exec(q.sql, q.args...); err != nil {
			return err
		}
	}
	if err := collect(tx, t.recheck, `SELECT state_id FROM students`); err != nil {
		return err
	}
	maps.Copy(t.reindex, t.recheck)
	return nil
}

// refusedTyped selects the records whose last change typed here (a new
// record, an edit) the hub refused, its refusal listed or dismissed,
// with nothing of the record sent since but other refusals: what the
// clerk typed is on this computer alone, and stays, as the refusal tells
// the clerk, to be corrected and saved again, until the hub has a newer
// version of the record (keepRefused). Of those, only the records live
// here are kept: one deleted here since holds nothing to keep, and one
// taken off this computer with its refusal (TakeOffRefused) is not here.
// Its arguments are refusedArgs.
//
// The states are written out, as in the index outbox_refused, which
// SQLite uses only for a query that names them.
const refusedTyped = `SELECT o.entity_id FROM outbox o WHERE o.entity = ?1 AND o.state IN ('` + string(sync.Rejected) + `', '` +
	stateDismissed + `') AND o.op IN (?2, ?3) AND NOT EXISTS (SELECT 1 FROM outbox l WHERE l.entity = ?1
		AND l.entity_id = o.entity_id AND l.seq > o.seq AND l.state NOT IN ('` + string(sync.Rejected) + `', '` + stateDismissed + `'))`

func refusedArgs() []any {
	return []any{sync.EntityRecord, sync.OpCreate, sync.OpUpdate}
}

// typing is what the clerk typed of a record the hub refused, as this
// computer holds it, at its version here.
type typing struct {
	id, mis2000ID, qad, eed string
	version                 int
}

// refusedTyping reads the live records of refusedTyped as this computer
// holds them, before a page is applied.
func refusedTyping(tx *sql.Tx) (map[string]typing, error) {
	out := map[string]typing{}
	err := eachRow(tx, `SELECT id, mis2000_id, qad, eed, version FROM migrant_records WHERE deleted = 0 AND id IN (`+refusedTyped+`)`,
		refusedArgs(), func(scan func(...any) error) error {
			var ty typing
			err := scan(&ty.id, &ty.mis2000ID, &ty.qad, &ty.eed, &ty.version)
			out[ty.id] = ty
			return err
		})
	return out, err
}

// keepRefused puts back what the clerk typed of the records typed (as
// refusedTyping read them) that a pulled row set to a copy of the hub's
// no newer than theirs: the hub's version, its publish and who changed
// it last are the hub's to say, the values typed the clerk's. A newer
// version is another change the hub took, and stays as pulled. The
// students of the records put back are noted for the publish recheck.
func keepRefused(tx *sql.Tx, typed map[string]typing, t *touched) error {
	for _, ty := range typed {
		var stateID string
		err := tx.QueryRow(`UPDATE migrant_records SET mis2000_id = ?, qad = ?, eed = ?
			WHERE id = ? AND version <= ? AND NOT (mis2000_id = ?1 AND qad = ?2 AND eed = ?3) RETURNING state_id`,
			ty.mis2000ID, ty.qad, ty.eed, ty.id, ty.version).Scan(&stateID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		t.recheck[stateID] = true
	}
	return nil
}

// statement is a statement of SQL and its arguments.
type statement struct {
	sql  string
	args []any
}

// keepKeptRows are the statements that empty, at a snapshot's start, the
// tables of a student's own rows (studentChild) but for the rows of the
// students local work keeps, the students of the records left: until
// the snapshot brings them again (replaceKept), their enrollments decide
// who may change their records and where those publish, and the student
// screen shows them whole, programs and assessments too. The rows are
// set aside and put back: emptying a table is quicker than removing a
// region's rows one by one.
func keepKeptRows() []statement {
	var out []statement
	for _, table := range slices.Sorted(maps.Keys(studentChild)) {
		out = append(out,
			statement{`CREATE TEMP TABLE kept_rows AS SELECT * FROM ` + table + ` WHERE state_id IN (SELECT state_id FROM migrant_records)`, nil},
			statement{`DELETE FROM ` + table, nil},
			statement{`INSERT INTO ` + table + ` SELECT * FROM temp.kept_rows`, nil},
			statement{`DROP TABLE temp.kept_rows`, nil})
	}
	return out
}

// metaKeptStudents is the meta key of the students a snapshot under way
// kept for local work (clearForSnapshot) and has not brought yet, as a
// JSON array of state IDs: their rows of studentChild are those the
// workstation held before it.
const metaKeptStudents = "snapshot_kept_students"

// metaLeftOut is the meta key of the students kept for local work whom
// a whole snapshot left out of the user's scope, as a JSON array of
// state IDs: the hub counts them elsewhere, and mayWrite refuses a
// clerk their records until a pull brings them again.
const metaLeftOut = "students_left_out"

// replaceKept removes, on a snapshot's page, the rows of studentChild
// kept through its start (keepKeptRows) of the students the page brings,
// whose own rows (the hub's) come with them. On the snapshot's last page
// the students it never brought lose theirs too, and are noted as left
// out. Each page notes in its own transaction who is still awaited, so a
// snapshot cut part way goes on where it stopped.
func replaceKept(tx *sql.Tx, changes []sync.Change, last bool, t *touched) error {
	var kept string
	err := tx.QueryRow(`SELECT value FROM meta WHERE key = ?`, metaKeptStudents).Scan(&kept)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // a first sync, or no local work
	}
	if err != nil {
		return err
	}
	brought := []string{}
	for _, c := range changes {
		if c.Table == "students" {
			brought = append(brought, c.Row["state_id"])
		}
	}
	list, err := json.Marshal(brought)
	if err != nil {
		return err
	}
	const done = `SELECT value FROM json_each(?1) WHERE ?3 OR value IN (SELECT value FROM json_each(?2))`
	if err := collect(tx, t.recheck, done, kept, string(list), last); err != nil {
		return err
	}
	maps.Copy(t.reindex, t.recheck)
	var qs []string
	for _, table := range slices.Sorted(maps.Keys(studentChild)) {
		qs = append(qs, `DELETE FROM `+table+` WHERE state_id IN (`+done+`)`)
	}
	for _, q := range append(qs, []string{
		`INSERT OR REPLACE INTO meta(key, value) SELECT '` + metaLeftOut + `', json_group_array(DISTINCT value) FROM (
			SELECT j.value FROM meta m, json_each(m.value) j WHERE m.key = '` + metaLeftOut + `'
			UNION SELECT value FROM json_each(?1) WHERE value NOT IN (SELECT value FROM json_each(?2))) WHERE ?3 HAVING count(*) > 0`,
		`UPDATE meta SET value = (SELECT json_group_array(value) FROM json_each(?1) WHERE value NOT IN (SELECT value FROM json_each(?2)))
			WHERE key = '` + metaKeptStudents + `'`,
		`DELETE FROM meta WHERE key = '` + metaKeptStudents + `' AND (?3 OR json_array_length(value) = 0)`,
	}...) {
		if _, err := tx.Exec(q, kept, string(list), last); err != nil {
			return err
		}
	}
	return nil
}

// unmarkLeftOut takes from the students left out (metaLeftOut) those
// whom pulled rows bring, or enroll: back in the user's scope.
func unmarkLeftOut(tx *sql.Tx, changes []sync.Change) error {
	var left string
	err := tx.QueryRow(`SELECT value FROM meta WHERE key = ?`, metaLeftOut).Scan(&left)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	back := []string{}
	for _, c := range changes {
		if !c.Deleted && (c.Table == "students" || c.Table == "enrollments") {
			back = append(back, c.Row["state_id"])
		}
	}
	list, err := json.Marshal(back)
	if err != nil {
		return err
	}
	for _, q := range []string{
		`UPDATE meta SET value = (SELECT json_group_array(value) FROM json_each(?1) WHERE value NOT IN (SELECT value FROM json_each(?2)))
			WHERE key = '` + metaLeftOut + `'`,
		`DELETE FROM meta WHERE key = '` + metaLeftOut + `' AND json_array_length(value) = 0`,
	} {
		if _, err := tx.Exec(q, left, string(list)); err != nil {
			return err
		}
	}
	return nil
}

// seenInSnapshot notes that a snapshot's page brought the students
// stateIDs, and with them their records in conflict: those stay in the
// user's scope (a record the hub deleted is never among a snapshot's
// rows, but its student is, while in the scope).
func seenInSnapshot(tx *sql.Tx, stateIDs []string) error {
	if len(stateIDs) == 0 {
		return nil
	}
	list, err := json.Marshal(stateIDs)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE conflicts SET theirs = json_remove(theirs, '$.unseen')
		WHERE json_extract(theirs, '$.unseen') AND record_id IN
			(SELECT id FROM migrant_records WHERE state_id IN (SELECT value FROM json_each(?)))`, string(list))
	return err
}

// goneUnseen, with a snapshot's last page, marks gone (Conflict.Gone) the
// records in conflict it did not bring, nor their students: a snapshot
// cut short decides nothing.
func goneUnseen(tx *sql.Tx) error {
	_, err := tx.Exec(`UPDATE conflicts SET theirs = json_set(json_remove(theirs, '$.unseen'), '$.gone', json('true'))
		WHERE json_extract(theirs, '$.unseen')`)
	return err
}

// keptGrants are the grants with a change waiting, as a JSON array of
// sync.Grant.
func keptGrants(tx *sql.Tx) (string, error) {
	gs := []sync.Grant{}
	err := eachRow(tx, `SELECT payload FROM outbox WHERE entity = ? AND state = ?`, []any{sync.EntityGrant, statePending},
		func(scan func(...any) error) error {
			var payload string
			var g sync.Grant
			if err := scan(&payload); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(payload), &g); err != nil {
				return err
			}
			gs = append(gs, g)
			return nil
		})
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(gs)
	return string(b), err
}

// reindex rewrites the search rows of the students (name tokens and
// district memberships) from what the database now holds, with the
// extract import's own code.
func reindex(ctx context.Context, tx *sql.Tx, stateIDs []string) error {
	if len(stateIDs) == 0 {
		return nil
	}
	list, _ := json.Marshal(stateIDs)
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE listed(state_id TEXT PRIMARY KEY) WITHOUT ROWID`); err != nil {
		return err
	}
	defer tx.ExecContext(ctx, `DROP TABLE temp.listed`)
	// The search index has no index by student (a state import pays for
	// one as much as for all the others), so a page's students are
	// found by one pass over it, not one per student.
	for _, q := range []string{
		`INSERT INTO temp.listed(state_id) SELECT DISTINCT value FROM json_each(?)`,
		`DELETE FROM name_tokens WHERE state_id IN (SELECT state_id FROM temp.listed)`,
		`DELETE FROM district_students WHERE state_id IN (SELECT state_id FROM temp.listed)`,
	} {
		args := []any{}
		if strings.Contains(q, "json_each") {
			args = append(args, string(list))
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return writeSearchIndex(ctx, tx, nil, true)
}

// eachRow runs q and calls row with the Scan of every row it returns.
func eachRow(tx *sql.Tx, q string, args []any, row func(scan func(...any) error) error) error {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
