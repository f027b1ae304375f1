package sqlitehub

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/hub/hubsql"
	"migrantdesk/data/sync"
)

// Push applies a batch of mutations by group commit (hubsql.Committer):
// with the pushes that wait beside it, in one transaction; the write
// lock, taken at BEGIN, makes the feed's sequence order its commit order.
func (h *DB) Push(ctx context.Context, u data.User, ms []sync.Mutation) ([]sync.Result, error) {
	return h.pushes.Push(ctx, u, ms)
}

// writePushes runs fn in one write transaction for h.pushes.
func (h *DB) writePushes(ctx context.Context, fn func(hubsql.Tx) error) error {
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	stx := newTx(ctx, tx, h.wstmts)
	defer stx.end() // after the rollback: see end
	defer tx.Rollback()
	if err := fn(stx); err != nil {
		return err
	}
	return tx.Commit()
}

// Pull answers a workstation's pull from one read transaction; a cursor
// of this epoch that the hub never logged (a hub restored from an older
// backup) starts a new epoch first.
//
// The transaction is begun on a connection held for the pull, whose
// SQLite handle reads a snapshot's rows (see ReadText).
func (h *DB) Pull(ctx context.Context, u data.User, c sync.Cursor, limit int) (sync.Page, error) {
	conn, err := h.rdb.Conn(ctx)
	if err != nil {
		return sync.Page{}, err
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		conn.Close()
		return sync.Page{}, err
	}
	stx := newTx(ctx, tx, h.rstmts)
	stx.conn = conn
	defer stx.end() // after the rollback: see end
	defer conn.Close()
	defer tx.Rollback()
	epoch, err := h.ensureEpoch(ctx, stx)
	if err != nil {
		return sync.Page{}, err
	}
	if c.Epoch == epoch {
		logged, err := hubsql.Logged(stx, c)
		if err != nil {
			return sync.Page{}, err
		}
		if !logged {
			if epoch, err = h.renewEpoch(ctx, epoch); err != nil {
				return sync.Page{}, err
			}
		}
	}
	return h.reader.Pull(stx, u, c, limit, epoch)
}

// newReader answers pulls in SQLite's SQL: the state IDs of a snapshot
// chunk travel as one JSON array (json_each), not as thousands of
// placeholders. The students enrolled nowhere are the state's students
// less the enrollments' by one merge of two indexes in state-ID order,
// where NOT EXISTS looked each of the state's students up in the
// enrollments: a clerk's first page waits for the list.
func newReader() *hubsql.Reader {
	return &hubsql.Reader{
		RegionStudents: hubsql.RegionStudents,
		StudentsIn:     `t.state_id IN (SELECT value FROM json_each(?))`,
		RegionList: `SELECT e.state_id FROM enrollments e WHERE e.school_number IN
				(SELECT sc.number FROM schools sc JOIN districts d ON d.number = sc.district_number WHERE d.region_code = ?)
			UNION ALL SELECT state_id FROM (SELECT state_id FROM students EXCEPT SELECT state_id FROM enrollments ORDER BY 1)`,
	}
}

// renewEpoch replaces the epoch old in a write transaction of its own.
func (h *DB) renewEpoch(ctx context.Context, old string) (string, error) {
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	stx := newTx(ctx, tx, h.wstmts)
	defer stx.end() // after the rollback: see end
	defer tx.Rollback()
	epoch, err := hubsql.RenewEpoch(stx, old)
	if err != nil {
		return "", err
	}
	return epoch, tx.Commit()
}

// ensureEpoch returns the hub's epoch, making a new one when there is
// none or when a state extract has been imported since: the import
// rewrote rows the feed never saw, so workstations take a new snapshot.
// It reads in tx, the pull's own read transaction (one connection and a
// prepared statement a pull, not two more connections), and writes a new
// epoch in a transaction of its own, as renewEpoch does.
func (h *DB) ensureEpoch(ctx context.Context, tx hubsql.Tx) (string, error) {
	var epoch, seen, imported string
	err := tx.QueryRow(`SELECT
		coalesce((SELECT value FROM hub_meta WHERE key = 'epoch'), ''),
		coalesce((SELECT value FROM hub_meta WHERE key = 'extract'), ''),
		`+hubsql.ImportMark).Scan(&epoch, &seen, &imported)
	if err != nil {
		return "", fmt.Errorf("read the hub's epoch: %w", err)
	}
	if epoch != "" && seen == imported {
		return epoch, nil
	}
	epoch = uuid.NewString()
	_, err = h.db.ExecContext(ctx, `INSERT INTO hub_meta(key, value) VALUES('epoch', ?), ('extract', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, epoch, imported)
	if err != nil {
		return "", fmt.Errorf("start a new hub epoch: %w", err)
	}
	return epoch, nil
}

// VerifyAudit checks the hub's audit log from one read transaction, as
// pghub's does (hubsql.VerifyAudit); `audit verify --db` checks the file
// further, with the workstation's rules.
func (h *DB) VerifyAudit(ctx context.Context) (int64, error) {
	tx, err := h.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	stx := newTx(ctx, tx, h.rstmts)
	defer stx.end() // after the rollback: see end
	defer tx.Rollback()
	return hubsql.VerifyAudit(stx)
}
