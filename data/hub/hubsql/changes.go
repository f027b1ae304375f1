package hubsql

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

// logChange appends a change to the feed inside the caller's transaction,
// so the feed holds exactly what committed. The back end makes sequence
// order commit order (SQLite has one writer; pghub serialises the feed's
// writers with a lock), so a pull's cursor never passes a change that
// commits later.
func logChange(tx Tx, table string, deleted, scoped bool, row map[string]string, tags ...string) error {
	body, err := json.Marshal(row)
	if err != nil {
		return err
	}
	op := "set"
	if deleted {
		op = "del"
	}
	err = tx.Exec(`INSERT INTO hub_changes(tbl, op, scoped, row, mark) VALUES(?, ?, ?, ?, ?)`,
		table, op, flag(scoped), string(body), newMark())
	if err != nil {
		return fmt.Errorf("log a change of %s: %w", table, err)
	}
	tags = dedupe(tags)
	if len(tags) == 0 {
		return nil
	}
	// The change's number is the feed's highest: its writers go one at a
	// time. Read by the statement that uses it, not returned, the number
	// costs pghub no round trip of its own: both writes wait in its
	// batch for the push's next read.
	args := make([]any, len(tags))
	for i, t := range tags {
		args[i] = t
	}
	values := strings.TrimSuffix(strings.Repeat("(?, (SELECT max(seq) FROM hub_changes)), ", len(tags)), ", ")
	if err := tx.Exec(`INSERT INTO hub_change_tags(tag, seq) VALUES `+values, args...); err != nil {
		return fmt.Errorf("log a change of %s: %w", table, err)
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
// districts list their coordinators and records name people.
func LogUser(tx Tx, username string) error {
	for _, table := range []string{"users", "user_districts"} {
		rows, err := rowsOf(tx, table, "t.username = ?", username)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if err := logChange(tx, table, false, false, row, everyone); err != nil {
				return err
			}
		}
	}
	return nil
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
	cols := sync.Columns(table)
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = "coalesce(CAST(t." + c + " AS TEXT), '')"
	}
	rows, err := tx.Query(`SELECT `+strings.Join(sel, ", ")+` FROM `+table+` t WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	var out []map[string]string
	vals := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := make(map[string]string, len(cols))
		for i, c := range cols {
			m[c] = vals[i]
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// keyOf keeps only a row's key columns, as a removal carries them.
func keyOf(table string, row map[string]string) map[string]string {
	k := map[string]string{}
	for _, c := range sync.KeyColumns(table) {
		k[c] = row[c]
	}
	return k
}
