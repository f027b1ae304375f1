package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sqlite3 "modernc.org/sqlite/lib"
)

// TestRawBatchWritesWhatTheDriverWould writes rows of every kind of value
// an import binds through the SQLite handle of the writer's connection,
// inside a transaction on it, and reads them back through database/sql.
// The handle is read from the driver's unexported connection: should a
// driver upgrade move it, this test fails rather than letting imports
// fall back, unseen, to the slower path.
func TestRawBatchWritesWhatTheDriverWould(t *testing.T) {
	ctx := context.Background()
	tx, raw := rawTx(t)
	var err error
	if _, err := tx.Exec(`CREATE TEMP TABLE raw_t(k TEXT PRIMARY KEY, s TEXT, i INTEGER, b INTEGER, n TEXT)`); err != nil {
		t.Fatal(err)
	}
	b := newRawBatch(ctx, tx, raw, "raw test", `INSERT INTO temp.raw_t(k, s, i, b, n)`, "", 5)
	long := strings.Repeat("ß", 5000) // longer than the first buffer
	rows := 2*batchRows + 3
	for i := range rows {
		k := string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		var text any = ""
		switch i % 3 {
		case 1:
			text = "Ñandú " + k
		case 2:
			text = long
		}
		if err := b.add(k, text, i, i%2 == 1, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.close(); err != nil {
		t.Fatal(err)
	}
	var n, empty, nulls, longs, trues, sum int
	err = tx.QueryRow(`SELECT count(*), sum(s = '' AND typeof(s) = 'text'), sum(n IS NULL), sum(s = ?),
		sum(b = 1 AND typeof(b) = 'integer'), sum(i) FROM temp.raw_t`, long).Scan(&n, &empty, &nulls, &longs, &trues, &sum)
	if err != nil {
		t.Fatal(err)
	}
	if n != rows || empty != (rows+2)/3 || nulls != rows || longs != rows/3 || trues != rows/2 || sum != rows*(rows-1)/2 {
		t.Errorf("read back %d rows, %d empty texts, %d NULLs, %d long texts, %d trues, sum %d; want %d, %d, %d, %d, %d, %d",
			n, empty, nulls, longs, trues, sum, rows, (rows+2)/3, rows, rows/3, rows/2, rows*(rows-1)/2)
	}
	var accented string
	if err := tx.QueryRow(`SELECT s FROM temp.raw_t WHERE k = 'b'`).Scan(&accented); err != nil || accented != "Ñandú b" {
		t.Errorf("the text of row b reads %q (%v), want %q", accented, err, "Ñandú b")
	}

	// A failing row is reported with the rows of its batch and SQLite's
	// words, as through the driver.
	b = newRawBatch(ctx, tx, raw, "raw test", `INSERT INTO temp.raw_t(k, s, i, b, n)`, "", 5)
	if err := b.add("a", "again", 0, false, nil); err != nil {
		t.Fatal(err)
	}
	err = b.close()
	if err == nil || !strings.Contains(err.Error(), "raw test rows 1 to 1") || !strings.Contains(err.Error(), "UNIQUE constraint failed: raw_t.k") {
		t.Errorf("a repeated key gave %v", err)
	}
	// The transaction goes on on the connection the writes used.
	if err := tx.QueryRow(`SELECT count(*) FROM temp.raw_t`).Scan(&n); err != nil || n != rows {
		t.Errorf("after a failed raw write, the transaction reads %d rows (%v), want %d", n, err, rows)
	}
	// The writes set the connection's mutex aside (see rawConn), and
	// put it back, after a failed write too, for the driver's calls.
	if raw.mutex == 0 {
		t.Error("the handle does not show the connection's mutex where SQLite has it: every bind takes it")
	}
	if m := raw.handle().Fmutex; m != raw.mutex || m != sqlite3.Xsqlite3_db_mutex(raw.tls, raw.db) {
		t.Errorf("after the writes the connection's mutex is %#x, want %#x", m, raw.mutex)
	}
}

// TestFillWritesWhatItMakesOnAnotherGoroutine fills a raw batch from
// another goroutine: every row arrives, a failing row stops the making
// with the writer's error, and a panic in the making is an error.
func TestFillWritesWhatItMakesOnAnotherGoroutine(t *testing.T) {
	ctx := context.Background()
	tx, raw := rawTx(t)
	var err error
	if _, err := tx.Exec(`CREATE TEMP TABLE fill_t(k INTEGER PRIMARY KEY, s TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	rows := 10*batchRows + 7 // more batches than are made ahead
	fill := func(repeat int) func(*rowWriter) error {
		return func(w *rowWriter) error {
			for i := range rows {
				k := i
				if i == repeat {
					k = 0
				}
				if err := w.add(k, "row "+string(rune('a'+i%26))); err != nil {
					return err
				}
			}
			return nil
		}
	}
	insert := `INSERT INTO temp.fill_t(k, s)`
	for _, r := range []*rawConn{raw, nil} {
		if _, err := tx.Exec(`DELETE FROM temp.fill_t`); err != nil {
			t.Fatal(err)
		}
		if err := newRawBatch(ctx, tx, r, "fill test", insert, "", 2).fill(fill(-1)); err != nil {
			t.Fatal(err)
		}
		var n, sum int
		if err := tx.QueryRow(`SELECT count(*), sum(k) FROM temp.fill_t`).Scan(&n, &sum); err != nil || n != rows || sum != rows*(rows-1)/2 {
			t.Errorf("raw %v: %d rows written, keys summing to %d (%v), want %d and %d", r != nil, n, sum, err, rows, rows*(rows-1)/2)
		}
	}
	if _, err := tx.Exec(`DELETE FROM temp.fill_t`); err != nil {
		t.Fatal(err)
	}
	err = newRawBatch(ctx, tx, raw, "fill test", insert, "", 2).fill(fill(batchRows + 3))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("fill test rows %d to %d", batchRows+1, 2*batchRows)) || !strings.Contains(err.Error(), "UNIQUE") {
		t.Errorf("a repeated key in the second batch gave %v", err)
	}
	err = newRawBatch(ctx, tx, raw, "fill test", insert, "", 2).fill(func(w *rowWriter) error {
		var m map[string]int
		m["boom"]++
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "internal error") {
		t.Errorf("a panic making the rows gave %v", err)
	}
}

// rawTx opens a store and begins a transaction on the writer's
// connection, whose SQLite handle it returns beside.
func rawTx(t *testing.T) (*sql.Tx, *rawConn) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "raw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	conn, err := s.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	raw := holdRaw(ctx, conn)
	if raw == nil {
		t.Fatal("the driver's connection does not show its SQLite handle: imports bind through database/sql")
	}
	t.Cleanup(raw.release)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx, raw
}

// TestRawWriteEndsWithItsTransaction cancels the context of a bulk
// write's transaction, which database/sql rolls back on a goroutine of
// its own, and writes a batch after the rollback, as a write whose check
// of the context came just before the cancel would: SQLite would commit
// its rows on their own, outside the transaction. The write must be
// refused and no row kept.
func TestRawWriteEndsWithItsTransaction(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "raw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.w.Exec(`CREATE TABLE kept_t(k INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := s.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw := holdRaw(ctx, conn)
	if raw == nil {
		t.Fatal("the driver's connection does not show its SQLite handle")
	}
	defer raw.release()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	// The rollback is database/sql's, on its goroutine: wait until the
	// connection is out of the transaction.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		var open bool
		conn.Raw(func(any) error {
			open = sqlite3.Xsqlite3_get_autocommit(raw.tls, raw.db) == 0
			return nil
		})
		if !open {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cancelled transaction was not rolled back")
		}
	}
	b := newRawBatch(context.Background(), tx, raw, "kept", `INSERT INTO kept_t(k)`, "", 1)
	for i := range batchRows {
		if err = b.add(i); err != nil {
			break
		}
	}
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("a write after its transaction was rolled back gave %v, want the context's cancellation", err)
	}
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM kept_t`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows kept after the rollback (%v), want none", n, err)
	}
}

// TestRawReadSetsTheMutexAsideAndBack reads through ReadText: its rows
// are read with the connection's mutex set aside (see rawConn), and the
// mutex is back when it returns, whether the read ended, its caller
// stopped it or SQLite failed part way, for the driver's calls after it.
func TestRawReadSetsTheMutexAsideAndBack(t *testing.T) {
	ctx := context.Background()
	tx, raw := rawTx(t)
	if raw.mutex == 0 {
		t.Fatal("the handle does not show the connection's mutex where SQLite has it: every read takes it")
	}
	stop := errors.New("stop")
	for _, c := range []struct {
		what, q string
		err     error
	}{
		{"a read to its end", `SELECT value FROM json_each('[1, 2, 3]')`, nil},
		{"a read its caller stops", `SELECT value FROM json_each('[1, 2, 3]')`, stop},
		{"a read SQLite stops part way", `SELECT CASE WHEN value < 3 THEN value ELSE abs(-9223372036854775807 - 1) END FROM json_each('[1, 2, 3]')`, nil},
	} {
		var aside, rows int
		ok, err := ReadText(ctx, raw.conn, c.q, nil, 1, func([]string) error {
			rows++
			if raw.handle().Fmutex == 0 {
				aside++
			}
			return c.err
		})
		if !ok {
			t.Fatalf("%s: the driver's connection does not show its SQLite handle", c.what)
		}
		switch {
		case c.err != nil && !errors.Is(err, c.err):
			t.Errorf("%s ended with %v, want %v", c.what, err, c.err)
		case c.err == nil && strings.Contains(c.q, "abs") && (err == nil || rows != 2):
			t.Errorf("%s ended with %v after %d rows, want an integer overflow after 2", c.what, err, rows)
		case c.err == nil && !strings.Contains(c.q, "abs") && (err != nil || rows != 3):
			t.Errorf("%s ended with %v after %d rows, want 3 rows", c.what, err, rows)
		}
		if aside != rows {
			t.Errorf("%s: %d of its %d rows were read with the connection's mutex in place", c.what, rows-aside, rows)
		}
		if m := raw.handle().Fmutex; m != raw.mutex {
			t.Errorf("after %s the connection's mutex is %#x, want %#x", c.what, m, raw.mutex)
		}
	}
	// The transaction goes on through the driver.
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM json_each('[1, 2]')`).Scan(&n); err != nil || n != 2 {
		t.Errorf("after the raw reads, the transaction reads %d (%v), want 2", n, err)
	}
}
