package sqlitehub

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/hub/hubsql"
	"migrantdesk/data/sync"
)

// Push applies a batch of mutations by group commit (hubsql.Committer):
// with the pushes that wait beside it, in one transaction; the write
// lock, taken at BEGIN, makes the feed's sequence order its commit order.
func (h *DB) Push(ctx context.Context, u data.User, at sync.Cursor, ms []sync.Mutation) ([]sync.Result, error) {
	return h.pushes.Push(ctx, u, at, ms)
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
// of this epoch that the hub signed and never logged (a hub restored from
// an older backup) starts a new epoch first.
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
	epoch, imported, err := h.ensureEpoch(ctx, stx)
	if err != nil {
		return sync.Page{}, err
	}
	if c.Epoch == epoch {
		logged, err := hubsql.Logged(stx, c)
		if err != nil {
			return sync.Page{}, err
		}
		if !logged {
			if err := h.key.Lost(c); err != nil {
				return sync.Page{}, err
			}
			if epoch, err = h.renewEpoch(ctx, epoch, imported); err != nil {
				return sync.Page{}, err
			}
		}
	}
	return h.reader.Pull(stx, u, c, limit, epoch, h.key)
}

// newReader answers pulls in SQLite's SQL: the state IDs of a snapshot
// chunk travel as one JSON array (json_each), not as thousands of
// placeholders. A region's list is read by h.readRegion.
func (h *DB) newReader() *hubsql.Reader {
	return &hubsql.Reader{
		RegionStudents: hubsql.RegionStudents,
		StudentsIn:     `t.state_id IN (SELECT value FROM json_each(?))`,
		ReadRegion:     h.readRegion,
	}
}

// regionHalf is the query of a region's students (?1) on one side of a
// state ID (?2): those with an enrollment in one of its districts, by
// the enrollments' index by student (covering, and bounded by the state
// ID: the unary plus keeps SQLite from the index by school, which cannot
// be), then the students enrolled nowhere, by one merge of two indexes
// in state-ID order, where NOT EXISTS looked each of the state's
// students up in the enrollments. op is the side: "<" or ">=".
func regionHalf(op string) string {
	return `SELECT e.state_id FROM enrollments e WHERE e.state_id ` + op + ` ?2 AND +e.school_number IN
			(SELECT sc.number FROM schools sc JOIN districts d ON d.number = sc.district_number WHERE d.region_code = ?1)
		UNION ALL SELECT state_id FROM (SELECT state_id FROM students WHERE state_id ` + op + ` ?2
			EXCEPT SELECT state_id FROM enrollments WHERE state_id ` + op + ` ?2 ORDER BY 1)`
}

var regionBelow, regionFrom = regionHalf("<"), regionHalf(">=")

// readRegion reads region's students in two halves at once, split at the
// state's middle student: the half before it in the pull's transaction
// tx, the rest beside it on a reader of its own, while the clerk's
// workstation waits for its first page with a core to spare. The
// other reader's transaction may begin after an import the pull's does
// not see; its half is then read again in tx.
func (h *DB) readRegion(tx hubsql.Tx, region string) ([]string, error) {
	var imported, middle string
	err := tx.QueryRow(`SELECT `+hubsql.ImportMark+`,
		coalesce((SELECT state_id FROM students ORDER BY state_id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM students)), '')`).Scan(&imported, &middle)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if t, ok := tx.(*sqliteTx); ok {
		ctx = t.ctx
	}
	type half struct {
		ids []string
		err error
	}
	beside := make(chan half, 1)
	go func() {
		ids, err := h.readBeside(ctx, imported, regionFrom, region, middle)
		beside <- half{ids, err}
	}()
	below, err := hubsql.ReadIDs(tx, regionBelow, region, middle)
	from := <-beside
	if err != nil {
		return nil, err
	}
	if from.err != nil || from.ids == nil {
		if from.ids, err = hubsql.ReadIDs(tx, regionFrom, region, middle); err != nil {
			return nil, err
		}
	}
	return append(below, from.ids...), nil
}

// besideWait bounds the wait for a reader to read beside a pull: the
// pull holds a reader already, and the others may all be held by pulls
// waiting for this one's list (Reader's regionLists), which must not wait
// for them in turn.
const besideWait = 50 * time.Millisecond

// readBeside reads q in a read transaction of its own on a reader's
// connection, if one is free within besideWait and its database is that
// of the import imported (hubsql.ImportMark): else it reads nothing and
// returns nil, for the caller to read q itself. It prepares nothing in
// the reader's pool (a transaction's end): preparing waits for a reader
// of its own, and once the pull has this one back, every reader may be
// held by pulls waiting for the list this one is part of.
func (h *DB) readBeside(ctx context.Context, imported, q string, args ...any) ([]string, error) {
	wait, cancel := context.WithTimeout(ctx, besideWait)
	conn, err := h.rdb.Conn(wait)
	cancel()
	if err != nil {
		return nil, nil
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		conn.Close()
		return nil, err
	}
	stx := newTx(ctx, tx, h.rstmts)
	stx.conn = conn // ReadIDs steps its query on the connection itself
	defer conn.Close()
	defer tx.Rollback()
	var now string
	if err := tx.QueryRowContext(ctx, `SELECT `+hubsql.ImportMark).Scan(&now); err != nil {
		return nil, err
	}
	if now != imported {
		return nil, nil
	}
	ids, err := hubsql.ReadIDs(stx, q, args...)
	if ids == nil && err == nil {
		ids = []string{}
	}
	return ids, err
}

// renewEpoch replaces the epoch old, for a pull whose read transaction
// holds the import imported (epochTx).
func (h *DB) renewEpoch(ctx context.Context, old, imported string) (string, error) {
	return h.epochTx(ctx, imported, func(stx hubsql.Tx, _, _ string) (string, error) {
		return hubsql.RenewEpoch(stx, old)
	})
}

// NewEpoch starts a new epoch (hub.Store), made for the extract the hub
// holds, so that the next pull keeps it, audited as actor. (An import
// meanwhile starts an epoch of its own, which serves as well.)
func (h *DB) NewEpoch(ctx context.Context, actor string) (string, error) {
	var imported string
	if err := h.rdb.QueryRowContext(ctx, `SELECT `+hubsql.ImportMark).Scan(&imported); err != nil {
		return "", fmt.Errorf("start a new hub epoch: %w", err)
	}
	return h.epochTx(ctx, imported, func(stx hubsql.Tx, _, _ string) (string, error) {
		epoch, err := startEpoch(stx, imported)
		if err != nil {
			return "", err
		}
		return epoch, hubsql.AuditNewEpoch(stx, actor, epoch, time.Now().UTC().Format(time.RFC3339))
	})
}

// ensureEpoch returns the hub's epoch and the import tx holds, making a
// new epoch when there is none or when a state extract has been imported
// since: the import rewrote rows the feed never saw, so workstations
// take a new snapshot.
// It reads in tx, the pull's own read transaction (one connection and a
// prepared statement a pull, not two more connections), and writes a new
// epoch in a transaction of its own, as renewEpoch does.
func (h *DB) ensureEpoch(ctx context.Context, tx hubsql.Tx) (epoch, imported string, err error) {
	epoch, seen, imported, err := readEpoch(tx)
	if err != nil || epoch != "" && seen == imported {
		return epoch, imported, err
	}
	epoch, err = h.newEpoch(ctx, imported)
	return epoch, imported, err
}

// epochNow is the hub's epoch, the import it was made for, and the
// import the database holds now.
const epochNow = `SELECT
	coalesce((SELECT value FROM hub_meta WHERE key = 'epoch'), ''),
	coalesce((SELECT value FROM hub_meta WHERE key = 'extract'), ''),
	` + hubsql.ImportMark

func readEpoch(tx hubsql.Tx) (epoch, seen, imported string, err error) {
	if err := tx.QueryRow(epochNow).Scan(&epoch, &seen, &imported); err != nil {
		return "", "", "", fmt.Errorf("read the hub's epoch: %w", err)
	}
	return epoch, seen, imported, nil
}

// newEpoch starts the epoch of the import imported, which a pull's read
// transaction found without one. The pulls that find it so at once (the
// workstations of a state all ask after an import) start it once: the
// first to write wins and the others answer with its epoch, else each
// answered an epoch of its own and all but the last one's workstations
// took the snapshot again at their next pull.
func (h *DB) newEpoch(ctx context.Context, imported string) (string, error) {
	return h.epochTx(ctx, imported, func(stx hubsql.Tx, epoch, seen string) (string, error) {
		if epoch != "" && seen == imported {
			return epoch, nil
		}
		return startEpoch(stx, imported)
	})
}

// startEpoch writes a new epoch, made for the import imported, in stx.
func startEpoch(stx hubsql.Tx, imported string) (string, error) {
	epoch := uuid.NewString()
	if err := stx.Exec(`INSERT INTO hub_meta(key, value) VALUES('epoch', ?), ('extract', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, epoch, imported); err != nil {
		return "", fmt.Errorf("start a new hub epoch: %w", err)
	}
	return epoch, nil
}

// epochTx runs fn, which gives the epoch a pull answers, in a write
// transaction of its own, with the hub's epoch and the import it was
// made for as they are now, for a pull whose read transaction holds the
// import imported. A pull whose transaction began before an import that
// is now in the database answers an epoch that is not kept, which sends
// its workstation to the import's snapshot at its next pull, rather than
// naming the import's epoch for rows from before it.
func (h *DB) epochTx(ctx context.Context, imported string, fn func(stx hubsql.Tx, epoch, seen string) (string, error)) (string, error) {
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("start a new hub epoch: %w", err)
	}
	stx := newTx(ctx, tx, h.wstmts)
	defer stx.end() // after the rollback: see end
	defer tx.Rollback()
	epoch, seen, now, err := readEpoch(stx)
	if err != nil {
		return "", err
	}
	if now != imported {
		return uuid.NewString(), nil
	}
	if epoch, err = fn(stx, epoch, seen); err != nil {
		return "", err
	}
	if err := tx.Commit(); err != nil {
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
