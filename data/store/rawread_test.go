package store

import (
	"context"
	"testing"

	sqlite3 "modernc.org/sqlite/lib"
)

// ReadText sets the connection's mutex aside while it reads and puts it
// back for the driver's calls, after a read that fails too.
func TestReadTextPutsTheMutexBack(t *testing.T) {
	ctx := context.Background()
	// A read in the transaction under way on the connection, as a hub's
	// pull reads.
	tx, raw := rawTx(t)
	conn := raw.conn
	if raw.mutex == 0 {
		t.Fatal("the handle does not show the connection's mutex where SQLite has it: every value read takes it")
	}
	mutexBack := func(after string) {
		t.Helper()
		if m := raw.handle().Fmutex; m != raw.mutex || m != sqlite3.Xsqlite3_db_mutex(raw.tls, raw.db) {
			t.Errorf("after %s the connection's mutex is %#x, want %#x", after, m, raw.mutex)
		}
	}
	var got []string
	ok, err := ReadText(ctx, conn, `SELECT value || ? FROM json_each('["a","b","c"]') ORDER BY 1`, []any{"!"}, 1, func(vals []string) error {
		got = append(got, vals[0])
		return nil
	})
	if !ok || err != nil || len(got) != 3 || got[0] != "a!" || got[2] != "c!" {
		t.Fatalf("read %v (%v, %v), want [a! b! c!]", got, ok, err)
	}
	mutexBack("a read")
	// The error comes from a step, with the read under way.
	ok, err = ReadText(ctx, conn, `SELECT json_extract('[1]', value) FROM json_each('["$[0]","bad path"]')`, nil, 1, func([]string) error { return nil })
	if !ok || err == nil {
		t.Fatalf("a read whose second row fails gave %v, %v", ok, err)
	}
	mutexBack("a failed read")
	// The driver reads on the connection as before.
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM json_each('[1,2]')`).Scan(&n); err != nil || n != 2 {
		t.Errorf("the driver then reads %d (%v), want 2", n, err)
	}
}
