package pghub

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	_ "modernc.org/sqlite" // the SQLite hub being moved

	"migrantdesk/data/hub/hubsql"
)

// movedTables are the tables a SQLite hub moves into PostgreSQL, parents
// before children. hub_meta is moved apart (the epoch, see
// MigrateFromSQLite); what only a workstation keeps (search index,
// outbox, conflicts) is not moved.
var movedTables = []string{"meta", "regions", "districts", "schools", "students", "enrollments", "programs", "assessments",
	"users", "user_districts", "report_grants", "migrant_records", "published", "audit",
	"hub_accounts", "hub_tokens", "hub_applied", "hub_changes", "hub_change_tags"}

// Moved is one table as MigrateFromSQLite moved it: its rows and their
// checksum, the same read from SQLite and read back from PostgreSQL.
type Moved struct {
	Table    string
	Rows     int64
	Checksum string
}

// Migration says what MigrateFromSQLite did.
type Migration struct {
	Tables []Moved
	Epoch  string
	// KeptEpoch is false when the SQLite hub's epoch was due to end (an
	// extract imported since its last pull): workstations then take a
	// fresh snapshot, as they would have from the SQLite hub.
	KeptEpoch bool
	// FeedSeq is the last sequence number of the change feed: the next
	// change is numbered after it, as on the SQLite hub.
	FeedSeq int64
}

// MigrateFromSQLite moves the SQLite hub at path into h, whose database
// must hold no data yet, in one transaction: users and accounts, the
// state extract, records and their district copies, grants, the audit
// log, sign-ins, the applied mutations, the change feed with its sequence,
// and the epoch. Every table's row count and checksum are read back from
// PostgreSQL and compared with SQLite's before it commits, so a move
// either arrives whole and checked or not at all. Workstations keep
// syncing with the cursors they have: same epoch, same sequence numbers.
// The SQLite hub should be stopped first; what it writes meanwhile is not
// moved.
func (h *DB) MigrateFromSQLite(ctx context.Context, path string) (Migration, error) {
	var m Migration
	if _, err := os.Stat(path); err != nil {
		return m, fmt.Errorf("read the SQLite hub: %w", err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(5000)")
	src, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return m, fmt.Errorf("open the SQLite hub %s: %w", path, err)
	}
	defer src.Close()
	// One read transaction: every table from the same moment.
	stx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return m, fmt.Errorf("open the SQLite hub %s: %w", path, err)
	}
	defer stx.Rollback()
	var isHub bool
	if err := stx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'hub_meta')`).Scan(&isHub); err != nil {
		return m, fmt.Errorf("read the SQLite hub %s: %w", path, err)
	}
	if !isHub {
		return m, fmt.Errorf("%s is not a hub database (it has no hub tables); a workstation's database is not moved", path)
	}
	var key hubsql.CursorKey
	err = h.write(ctx, func(tx pgx.Tx) error {
		for _, t := range movedTables {
			var used bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&used); err != nil {
				return err
			}
			if used {
				return fmt.Errorf("the PostgreSQL database %s already holds a hub's rows (in its table %s), and hub migrate moves a hub into an empty database only: "+
					"make a new one as the README's Setting up PostgreSQL does and name it with --to", h.pool.Config().ConnConfig.Database, t)
			}
		}
		// As an import does, for the same reason (see setAside).
		restore, err := setAside(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range movedTables {
			cols, err := columns(ctx, tx, t)
			if err != nil {
				return err
			}
			sent, err := copyTable(ctx, stx, tx, t, cols)
			if err != nil {
				return fmt.Errorf("move %s: %w", t, err)
			}
			got, err := readBack(ctx, tx, t, cols)
			if err != nil {
				return fmt.Errorf("check %s: %w", t, err)
			}
			if got != sent {
				return fmt.Errorf("check %s: SQLite has %d rows (checksum %s), PostgreSQL received %d (checksum %s)",
					t, sent.Rows, sent.Checksum, got.Rows, got.Checksum)
			}
			m.Tables = append(m.Tables, sent)
		}
		if err := restore(); err != nil {
			return err
		}
		for _, t := range []string{"audit", "hub_changes"} {
			last, err := continueSequence(ctx, stx, tx, t)
			if err != nil {
				return err
			}
			if t == "hub_changes" {
				m.FeedSeq = last
			}
		}
		if err := rebuildStudentRegions(ctx, tx); err != nil {
			return err
		}
		if err := m.moveEpoch(ctx, stx, tx); err != nil {
			return err
		}
		key, err = moveKey(ctx, stx, tx)
		return err
	})
	if err != nil {
		return Migration{}, fmt.Errorf("move the SQLite hub %s: %w", path, err)
	}
	if key != nil {
		h.key = key
	}
	h.pool.Exec(ctx, `ANALYZE`)
	return m, nil
}

// column is one column of a PostgreSQL table, and whether it holds
// integers (else text).
type column struct {
	name    string
	integer bool
}

func columns(ctx context.Context, tx pgx.Tx, table string) ([]column, error) {
	rows, err := tx.Query(ctx, `SELECT column_name, data_type IN ('integer', 'bigint') FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (column, error) {
		var c column
		err := r.Scan(&c.name, &c.integer)
		return c, err
	})
}

// checksum adds up a hash of each row, so that the order rows are read in
// does not matter and a row missing, doubled or changed does.
type checksum struct {
	rows uint64
	sum  uint64
	buf  []byte
}

// add hashes one row, its values as text with their lengths.
func (c *checksum) add(vals []string) {
	c.buf = c.buf[:0]
	for _, v := range vals {
		c.buf = binary.AppendUvarint(c.buf, uint64(len(v)))
		c.buf = append(c.buf, v...)
	}
	h := sha256.Sum256(c.buf)
	c.rows++
	c.sum += binary.BigEndian.Uint64(h[:8])
}

func (c *checksum) moved(table string) Moved {
	return Moved{Table: table, Rows: int64(c.rows), Checksum: fmt.Sprintf("%016x", c.sum)}
}

// copyTable streams a SQLite table into PostgreSQL with COPY, each value
// cast to the PostgreSQL column's kind, and sums what it sent.
func copyTable(ctx context.Context, stx *sql.Tx, tx pgx.Tx, table string, cols []column) (Moved, error) {
	sel := make([]string, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		kind := "TEXT"
		if c.integer {
			kind = "INTEGER"
		}
		sel[i] = "CAST(" + c.name + " AS " + kind + ")"
		names[i] = c.name
	}
	rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+table)
	if err != nil {
		return Moved{}, fmt.Errorf("read it from SQLite: %w", err)
	}
	defer rows.Close()
	var sum checksum
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	text := make([]string, len(cols))
	next := func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]any, len(cols))
		for i, c := range cols {
			if !vals[i].Valid {
				return nil, fmt.Errorf("column %s holds NULL", c.name)
			}
			text[i] = vals[i].String
			row[i] = vals[i].String
			if c.integer {
				n, err := strconv.ParseInt(vals[i].String, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("column %s holds %q, not an integer", c.name, vals[i].String)
				}
				row[i] = n
			}
		}
		sum.add(text)
		return row, nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromFunc(next)); err != nil {
		return Moved{}, err
	}
	return sum.moved(table), nil
}

// readBack sums a PostgreSQL table as copyTable summed what it sent.
func readBack(ctx context.Context, tx pgx.Tx, table string, cols []column) (Moved, error) {
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = "CAST(" + c.name + " AS TEXT)"
	}
	rows, err := tx.Query(ctx, `SELECT `+strings.Join(sel, ", ")+` FROM `+table)
	if err != nil {
		return Moved{}, err
	}
	defer rows.Close()
	var sum checksum
	vals := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return Moved{}, err
		}
		sum.add(vals)
	}
	return sum.moved(table), rows.Err()
}

// continueSequence makes the next number of table's seq follow the
// highest SQLite ever gave (AUTOINCREMENT never reuses one, even of a
// row since gone), and returns that number.
func continueSequence(ctx context.Context, stx *sql.Tx, tx pgx.Tx, table string) (int64, error) {
	var last int64
	err := stx.QueryRowContext(ctx, `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),
		coalesce((SELECT max(seq) FROM `+table+`), 0))`, table).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("read the sequence of %s: %w", table, err)
	}
	if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'seq'), greatest($2, 1), $2 > 0)`, table, last); err != nil {
		return 0, fmt.Errorf("continue the sequence of %s: %w", table, err)
	}
	return last, nil
}

// moveEpoch keeps the SQLite hub's epoch, unless it was due to end: the
// SQLite hub starts a new one at its next pull when an extract has been
// imported since the epoch began (hub_meta's extract is not the import's
// mark, hubsql.ImportMark), and so does the move.
func (m *Migration) moveEpoch(ctx context.Context, stx *sql.Tx, tx pgx.Tx) error {
	var epoch, seen, imported string
	err := stx.QueryRowContext(ctx, `SELECT
		coalesce((SELECT value FROM hub_meta WHERE key = 'epoch'), ''),
		coalesce((SELECT value FROM hub_meta WHERE key = 'extract'), ''),
		`+hubsql.ImportMark).Scan(&epoch, &seen, &imported)
	if err != nil {
		return fmt.Errorf("read the SQLite hub's epoch: %w", err)
	}
	m.Epoch, m.KeptEpoch = epoch, epoch != "" && seen == imported
	if !m.KeptEpoch {
		m.Epoch = uuid.NewString()
	}
	return setEpoch(ctx, tx, m.Epoch)
}

// moveKey keeps the key that signed the SQLite hub's cursors, so that a
// workstation whose cursor the move's database lacks (a SQLite hub
// restored from an older copy and then moved) still starts a new epoch
// (hubsql.CursorKey). A SQLite hub too old to have one keeps the key this
// database was given.
// It returns the key moved, or nil.
func moveKey(ctx context.Context, stx *sql.Tx, tx pgx.Tx) (hubsql.CursorKey, error) {
	var text string
	var fed bool
	if err := stx.QueryRowContext(ctx, hubsql.CursorKeyQuery).Scan(&text, &fed); err != nil {
		return nil, fmt.Errorf("read the SQLite hub's cursor key: %w", err)
	}
	if text == "" {
		return nil, nil
	}
	key, err := hubsql.ParseCursorKey(text)
	if err != nil {
		return nil, fmt.Errorf("the SQLite hub: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE hub_meta SET value = $1 WHERE key = 'cursor_key'`, text); err != nil {
		return nil, fmt.Errorf("keep the SQLite hub's cursor key: %w", err)
	}
	return key, nil
}
