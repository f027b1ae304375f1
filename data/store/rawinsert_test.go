package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestRawBatchWritesWhatTheDriverWould writes rows of every kind of value
// an import binds through the SQLite handle of the writer's connection,
// inside a transaction on it, and reads them back through database/sql.
// The handle is read from the driver's unexported connection: should a
// driver upgrade move it, this test fails rather than letting imports
// fall back, unseen, to the slower path.
func TestRawBatchWritesWhatTheDriverWould(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "raw.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	conn, err := s.w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	raw := holdRaw(ctx, conn)
	if raw == nil {
		t.Fatal("the driver's connection does not show its SQLite handle: imports bind through database/sql")
	}
	defer raw.release()

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
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
}
