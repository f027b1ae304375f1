package e2etest

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	_ "modernc.org/sqlite"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/sync"
)

// checker is what the helpers below need of a test: a *testing.T, or
// the *rapid.T of one case of the property test.
type checker interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// view is a database's rows of the tables sync carries, by table and
// key, each row as the protocol carries it (sync.Columns, as text).
type view map[string]map[string]map[string]string

func keyOf(table string, row map[string]string) string {
	var k []string
	for _, c := range sync.KeyColumns(table) {
		k = append(k, row[c])
	}
	return strings.Join(k, "|")
}

func (v view) set(table string, row map[string]string) {
	if v[table] == nil {
		v[table] = map[string]map[string]string{}
	}
	v[table][keyOf(table, row)] = row
}

func (v view) keys(table string) []string { return slices.Sorted(maps.Keys(v[table])) }

// localView reads what a workstation database holds of every table sync
// carries. Tombstones are left out: a workstation keeps the deleted
// records the feed told it of, a snapshot carries none, and neither shows
// them to anyone.
func localView(tb checker, path string) view {
	tb.Helper()
	db := openSQL(tb, path)
	defer db.Close()
	v := view{}
	for _, table := range sync.Tables() {
		cols := sync.Columns(table)
		sel := make([]string, len(cols))
		for i, c := range cols {
			sel[i] = "CAST(" + c + " AS TEXT)"
		}
		where := ""
		if table == "migrant_records" {
			where = " WHERE deleted = 0"
		}
		rows, err := db.Query(`SELECT ` + strings.Join(sel, ", ") + ` FROM ` + table + where)
		if err != nil {
			tb.Fatalf("read %s of %s: %v", table, path, err)
		}
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			row := map[string]string{}
			for i, c := range cols {
				row[c] = vals[i].String
			}
			v.set(table, row)
		}
		if err := rows.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return v
}

// hubView is what a fresh snapshot of u's scope holds: what a workstation
// of u's that has pulled everything must hold.
func hubView(tb checker, st hub.Store, u data.User) view {
	tb.Helper()
	v := view{}
	var c sync.Cursor
	for first := true; ; first = false {
		p, err := st.Pull(context.Background(), u, c, 10000)
		if err != nil {
			tb.Fatalf("pull %s's snapshot: %v", u.Username, err)
		}
		if !p.Snapshot || (!first && p.Next.Epoch != c.Epoch) {
			// The epoch changed under the snapshot: take it again.
			v, c, first = view{}, sync.Cursor{}, true
			continue
		}
		for _, ch := range p.Changes {
			v.set(ch.Table, ch.Row)
		}
		c = p.Next
		if c.Snapshot == "" {
			return v
		}
	}
}

// diff lists how two views differ, at most a few lines per table.
func diff(want, got view) []string {
	var out []string
	for _, table := range sync.Tables() {
		n := 0
		for _, k := range slices.Sorted(maps.Keys(want[table])) {
			g, ok := got[table][k]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s %s: missing, want %v", table, k, want[table][k]))
			case !maps.Equal(g, want[table][k]):
				out = append(out, fmt.Sprintf("%s %s: got %v, want %v", table, k, g, want[table][k]))
			default:
				continue
			}
			if n++; n == 5 {
				break
			}
		}
		n = 0
		for _, k := range slices.Sorted(maps.Keys(got[table])) {
			if _, ok := want[table][k]; !ok {
				out = append(out, fmt.Sprintf("%s %s: extra %v", table, k, got[table][k]))
				if n++; n == 5 {
					break
				}
			}
		}
	}
	return out
}

// checkConverged fails unless the workstation at path holds exactly what
// a fresh snapshot of u's scope holds.
func checkConverged(tb checker, st hub.Store, u data.User, path string) {
	tb.Helper()
	if d := diff(hubView(tb, st, u), localView(tb, path)); len(d) > 0 {
		tb.Fatalf("%s's workstation differs from the hub's view of their scope:\n%s", u.Username, strings.Join(d, "\n"))
	}
}

// checkDistrictScope fails if a district user's workstation holds a row
// outside their scope as the hub has it now: a student with no live
// record published to one of the districts, a record or copy not
// published there, another district's enrollment, or the programs and
// assessments of a student it does not hold.
func checkDistrictScope(tb checker, hubDB, path string, districts []string) {
	tb.Helper()
	h, local := openSQL(tb, hubDB), openSQL(tb, path)
	defer h.Close()
	defer local.Close()
	in := "'" + strings.Join(districts, "','") + "'"
	ids := func(db *sql.DB, q string) map[string]bool {
		rows, err := db.Query(q)
		if err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		out := map[string]bool{}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				tb.Fatal(err)
			}
			out[s] = true
		}
		return out
	}
	held := ids(h, `SELECT DISTINCT r.state_id FROM published p JOIN migrant_records r ON r.id = p.record_id AND r.deleted = 0
		WHERE p.district_number IN (`+in+`)`)
	records := ids(h, `SELECT DISTINCT p.record_id FROM published p JOIN migrant_records r ON r.id = p.record_id AND r.deleted = 0
		WHERE p.district_number IN (`+in+`)`)
	for _, c := range []struct {
		what, q string
		allowed map[string]bool
	}{
		{"student", `SELECT state_id FROM students`, held},
		{"program of student", `SELECT state_id FROM programs`, held},
		{"assessment of student", `SELECT state_id FROM assessments`, held},
		{"enrollment of student", `SELECT state_id FROM enrollments`, held},
		{"record", `SELECT id FROM migrant_records`, records},
		{"copy of record", `SELECT record_id FROM published`, records},
	} {
		for id := range ids(local, c.q) {
			if !c.allowed[id] {
				tb.Fatalf("%s holds %s %s, which is not published to districts %v", path, c.what, id, districts)
			}
		}
	}
	for _, q := range []string{
		`SELECT e.id FROM enrollments e JOIN schools s ON s.number = e.school_number WHERE s.district_number NOT IN (` + in + `)`,
		`SELECT record_id FROM published WHERE district_number NOT IN (` + in + `)`,
		`SELECT username FROM report_grants WHERE district_number NOT IN (` + in + `)`,
	} {
		if bad := ids(local, q); len(bad) > 0 {
			tb.Fatalf("%s holds another district's rows: %s gives %v", path, q, slices.Sorted(maps.Keys(bad)))
		}
	}
}

// count runs a count query.
func count(tb checker, db *sql.DB, q string, args ...any) int {
	tb.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}
