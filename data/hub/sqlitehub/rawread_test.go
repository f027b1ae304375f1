package sqlitehub

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/sync"
)

// TestRawReadReadsWhatTheDriverWould reads every table a snapshot sends,
// and values of each kind a read binds or returns, through the SQLite
// handle of a read transaction's connection and through database/sql,
// and compares them. The handle is read from the driver's unexported
// connection: should a driver upgrade move it, this test fails rather
// than letting snapshots fall back, unseen, to the slower path.
func TestRawReadReadsWhatTheDriverWould(t *testing.T) {
	h := hubtest.Setup(t, open).(*DB)
	ctx := context.Background()
	conn, err := h.rdb.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	stx := newTx(ctx, tx, h.rstmts)
	stx.conn = conn
	defer stx.end()

	type query struct {
		q    string
		args []any
		cols int
	}
	var qs []query
	for _, table := range []string{"students", "enrollments", "programs", "assessments", "schools", "districts", "users"} {
		cols := sync.Columns(table)
		sel := make([]string, len(cols))
		for i, c := range cols {
			sel[i] = "coalesce(CAST(t." + c + " AS TEXT), '')"
		}
		qs = append(qs, query{`SELECT ` + strings.Join(sel, ", ") + ` FROM ` + table + ` t WHERE ? = 1 ORDER BY ` + strings.Join(sync.KeyColumns(table), ", "), []any{1}, len(cols)})
	}
	long := strings.Repeat("ß", 5000)
	qs = append(qs, query{`SELECT value, CAST(? AS TEXT), ?, '', coalesce(NULL, '') FROM json_each(?)`,
		[]any{int64(-7), "Ñandú", `["a", "` + long + `", ""]`}, 5})

	for _, q := range qs {
		var raw [][]string
		ok, err := stx.ReadText(q.q, q.args, q.cols, func(vals []string) error {
			raw = append(raw, slices.Clone(vals))
			return nil
		})
		if err != nil || !ok {
			t.Fatalf("%s: read through the handle: %v, %v", q.q, ok, err)
		}
		rows, err := stx.Query(q.q, q.args...)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]string
		for rows.Next() {
			vals := make([]string, q.cols)
			ptrs := make([]any, q.cols)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			want = append(want, vals)
		}
		rows.Close()
		if len(want) == 0 {
			t.Fatalf("%s: the test state has no rows", q.q)
		}
		if !slices.EqualFunc(raw, want, slices.Equal) {
			t.Errorf("%s: read through the handle\n%q\nthrough database/sql\n%q", q.q, raw, want)
		}
	}

	// A value of a kind it does not bind leaves the read to database/sql.
	if ok, err := stx.ReadText(`SELECT CAST(? AS TEXT)`, []any{1.5}, 1, func([]string) error { return nil }); ok || err != nil {
		t.Errorf("a float argument: read %v, %v; want it left to database/sql", ok, err)
	}
	// SQLite's errors and the caller's come back.
	if _, err := stx.ReadText(`SELECT nosuch FROM students`, nil, 1, func([]string) error { return nil }); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("a query of a missing column: %v", err)
	}
	if _, err := stx.ReadText(`SELECT state_id FROM students`, nil, 2, func([]string) error { return nil }); err == nil {
		t.Error("a query of one column read as two: no error")
	}
	stop := errors.New("stop")
	if _, err := stx.ReadText(`SELECT state_id FROM students`, nil, 1, func([]string) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("the caller's error: %v", err)
	}
	// The transaction goes on through database/sql after raw reads.
	var n int
	if err := stx.QueryRow(`SELECT count(*) FROM students`).Scan(&n); err != nil || n == 0 {
		t.Errorf("a read after the raw ones: %d students, %v", n, err)
	}
}
