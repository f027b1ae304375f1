package hubsql

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"migrantdesk/data/sync"
)

// Tags of the change feed.
const everyone = "*"

func regionTag(code string) string     { return "r:" + code }
func districtTag(number string) string { return "d:" + number }

// clerkTags are the tags of a student's rows for clerks: the regions the
// student is enrolled in, or every region for a student enrolled nowhere
// (any clerk may write an out-of-school youth's record).
func clerkTags(regions []string) []string {
	if len(regions) == 0 {
		return []string{regionTag(everyone)}
	}
	tags := make([]string, len(regions))
	for i, r := range regions {
		tags[i] = regionTag(r)
	}
	return tags
}

// feed holds the changes a transaction logs until flush writes them
// all, in the order they were logged, with a few statements (see
// insertRows) instead of two for each change: the statements, not their
// rows, were most of a push's time, in SQLite's CPU and in PostgreSQL's.
// Nothing a transaction does reads the feed before flush.
type feed struct{ changes []FeedChange }

// FeedChange is one change of the feed as it is written: the table, "set"
// or "del", whether only its tags' scopes see it (1) or every user (0),
// the row as JSON, its random mark and its tags.
type FeedChange struct {
	Table, Op, Row, Mark string
	Scoped               int
	Tags                 []string
}

// FeedWriter is a Tx that writes the feed's changes its own way: numbered
// by the database in the order given, rising, with their tags, or the
// transaction fails.
type FeedWriter interface {
	WriteFeed(changes []FeedChange) error
}

// log adds a change to the feed. The back end makes sequence order commit
// order (SQLite has one writer; pghub serialises the feed's writers with
// a lock), so a pull's cursor never passes a change that commits later.
func (f *feed) log(table string, deleted, scoped bool, row map[string]string, tags ...string) {
	body := rowJSON(row)
	op := "set"
	if deleted {
		op = "del"
	}
	f.changes = append(f.changes, FeedChange{Table: table, Op: op, Row: body, Mark: newMark(),
		Scoped: flag(scoped), Tags: dedupe(tags)})
}

// flush writes the changes logged since the last flush inside tx. Their
// sequence numbers are the database's (SQLite's AUTOINCREMENT, a
// PostgreSQL identity), read back with each change's random mark; a
// batch whose numbers do not rise in the order of logging fails rather
// than reorder the feed. A FeedWriter writes them its own way.
func (f *feed) flush(tx Tx) error {
	if len(f.changes) == 0 {
		return nil
	}
	marks := make(map[string]int, len(f.changes))
	for i := range f.changes {
		// A mark is 64 random bits: two alike in a batch would still be
		// told apart, not mixed up.
		for {
			if _, dup := marks[f.changes[i].Mark]; !dup {
				break
			}
			f.changes[i].Mark = newMark()
		}
		marks[f.changes[i].Mark] = i
	}
	if w, ok := tx.(FeedWriter); ok {
		if err := w.WriteFeed(f.changes); err != nil {
			return err
		}
		f.changes = f.changes[:0]
		return nil
	}
	seqs := make([]int64, len(f.changes))
	rows := make([][]any, len(f.changes))
	for i, c := range f.changes {
		rows[i] = []any{c.Table, c.Op, c.Scoped, c.Row, c.Mark}
	}
	err := insertRows(tx, `INSERT INTO hub_changes(tbl, op, scoped, row, mark) VALUES `, ` RETURNING seq, mark`, rows,
		func(rs Rows) error {
			var seq int64
			var mark string
			if err := rs.Scan(&seq, &mark); err != nil {
				return err
			}
			i, ok := marks[mark]
			if !ok {
				return fmt.Errorf("the feed gave back a change marked %q that was not written", mark)
			}
			seqs[i] = seq
			return nil
		})
	if err != nil {
		return fmt.Errorf("log the changes: %w", err)
	}
	var tags [][]any
	for i, c := range f.changes {
		if i > 0 && seqs[i] <= seqs[i-1] {
			return fmt.Errorf("log the changes: the feed numbered change %d (%d) before change %d (%d)", i+1, seqs[i], i, seqs[i-1])
		}
		for _, t := range c.Tags {
			tags = append(tags, []any{t, seqs[i]})
		}
	}
	if err := insertRows(tx, `INSERT INTO hub_change_tags(tag, seq) VALUES `, "", tags, nil); err != nil {
		return fmt.Errorf("log the changes' scopes: %w", err)
	}
	f.changes = f.changes[:0]
	return nil
}

// rowJSON is row as json.Marshal writes it (keys in order, strings
// escaped the same way), written by hand: json.Marshal of a map reflects
// on it and sorts its keys through reflection, and a push logs a few rows
// a mutation.
func rowJSON(row map[string]string) string {
	keys := make([]string, 0, len(row))
	n := 2
	for k, v := range row {
		keys = append(keys, k)
		n += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, row[k])
	}
	return string(append(b, '}'))
}

// appendJSONString appends s as json.Marshal writes a string: as it is
// when it is printable ASCII that needs no escape (json.Marshal also
// escapes <, > and &), else through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// maxChunk is the most rows insertRows writes with one statement.
const maxChunk = 64

// insertRows writes rows (each of the same width) with the statement
// head, its VALUES tuples and tail, in chunks whose sizes are powers of
// two up to maxChunk, so that the back ends prepare a handful of texts a
// table rather than one for each count. scan, when not nil, reads each
// row tail returns (RETURNING).
func insertRows(tx Tx, head, tail string, rows [][]any, scan func(Rows) error) error {
	for len(rows) > 0 {
		n := maxChunk
		for n > len(rows) {
			n /= 2
		}
		chunk := rows[:n]
		rows = rows[n:]
		tuple := "(" + marks(len(chunk[0])) + ")"
		q := head + strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ") + tail
		args := make([]any, 0, n*len(chunk[0]))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if scan == nil {
			if err := tx.Exec(q, args...); err != nil {
				return err
			}
			continue
		}
		if err := queryEach(tx, q, args, n, scan); err != nil {
			return err
		}
	}
	return nil
}

// queryEach runs q and scans each of the want rows it returns.
func queryEach(tx Tx, q string, args []any, want int, scan func(Rows) error) error {
	rs, err := tx.Query(q, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	got := 0
	for rs.Next() {
		if err := scan(rs); err != nil {
			return err
		}
		got++
	}
	if err := rs.Err(); err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%d rows written, %d returned", want, got)
	}
	return nil
}

// newMark is a change's random mark (see sync.Cursor), made here rather
// than by the database so that every back end makes the same kind.
func newMark() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// flag is a boolean as the schema's integer flags hold it.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// LogUser logs a user's row and districts for every workstation: each
// keeps the user directory (names and roles, never passwords), since
// districts list their coordinators and records name people. before are
// the user's districts before the change (UserDistricts): those the user
// no longer has are logged as removed, or the other workstations would
// go on listing the user in a district taken away.
func LogUser(tx Tx, username string, before []string) error {
	var f feed
	now := map[string]bool{}
	for _, table := range []string{"users", "user_districts"} {
		rows, err := rowsOf(tx, table, "t.username = ?", username)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if table == "user_districts" {
				now[row["district_number"]] = true
			}
			f.log(table, false, false, row, everyone)
		}
	}
	for _, d := range dedupe(before) {
		if !now[d] {
			f.log("user_districts", true, false, map[string]string{"username": username, "district_number": d}, everyone)
		}
	}
	return f.flush(tx)
}

// UserDistricts are the districts a user has, for LogUser after a change.
func UserDistricts(tx Tx, username string) ([]string, error) {
	ds, err := readIDs(tx, `SELECT district_number FROM user_districts WHERE username = ?`, username)
	if err != nil {
		return nil, fmt.Errorf("read the districts of user %s: %w", username, err)
	}
	return ds, nil
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// rowsOf reads rows of a table as the protocol carries them (its columns
// as text), for a WHERE clause over the table aliased t.
func rowsOf(tx Tx, table, where string, args ...any) ([]map[string]string, error) {
	return scanRows(tx, table, rowsQuery(table, where), args...)
}

// rowsQuery is rowsOf's query.
func rowsQuery(table, where string) string {
	return `SELECT ` + textColumns(table, "t.") + ` FROM ` + table + ` t WHERE ` + where
}

// textColumns selects the columns of a table as text, each prefixed.
func textColumns(table, prefix string) string {
	cols := sync.Columns(table)
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = "coalesce(CAST(" + prefix + c + " AS TEXT), '')"
	}
	return strings.Join(sel, ", ")
}

// scanRows runs q, which returns the columns of table as textColumns
// selects them, and reads its rows.
func scanRows(tx Tx, table, q string, args ...any) ([]map[string]string, error) {
	var out []map[string]string
	if err := readAll(tx, rowsRead(table, q, args, func(m map[string]string) { out = append(out, m) })); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return out, nil
}

// rowsRead is the read of scanRows, each row handed to got.
func rowsRead(table, q string, args []any, got func(map[string]string)) Read {
	cols := sync.Columns(table)
	vals := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	take := func(vals []string) error {
		m := make(map[string]string, len(cols))
		for i, c := range cols {
			m[c] = vals[i]
		}
		got(m)
		return nil
	}
	return Read{Query: q, Args: args, Cols: len(cols), Text: take, Row: func(rows Rows) error {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		return take(vals)
	}}
}

// returning runs a write of one table with RETURNING its columns as
// rowsOf reads them, and returns the rows written.
func returning(tx Tx, table, write string, args ...any) ([]map[string]string, error) {
	return scanRows(tx, table, write+` RETURNING `+textColumns(table, ""), args...)
}

// keyOf keeps only a row's key columns, as a removal carries them.
func keyOf(table string, row map[string]string) map[string]string {
	k := map[string]string{}
	for _, c := range sync.KeyColumns(table) {
		k[c] = row[c]
	}
	return k
}

// ImportMark is the SQL of what tells one import of the state extract
// into a SQLite hub from another, which hub_meta's extract holds for the
// epoch: the import's ID (store.MetaImportID), or, for a database last
// imported before imports had one, its time, so that such a hub keeps
// its epoch and its workstations their snapshots.
const ImportMark = `coalesce((SELECT value FROM meta WHERE key = 'import_id'),
	(SELECT value FROM meta WHERE key = 'imported_at'), '')`
