package pghub

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"migrantdesk/data"
	"migrantdesk/data/hub/hubsql"
	"migrantdesk/data/sync"
)

// Push applies a batch of mutations by group commit (hubsql.Committer):
// with the pushes that wait beside it, in one transaction holding the
// feed lock (see the package comment).
func (h *DB) Push(ctx context.Context, u data.User, at sync.Cursor, ms []sync.Mutation) ([]sync.Result, error) {
	return h.pushes.Push(ctx, u, at, ms)
}

// writePushes runs fn for h.pushes in one transaction that holds the
// feed lock.
func (h *DB) writePushes(ctx context.Context, fn func(hubsql.Tx) error) error {
	if err := h.queueWriter(ctx); err != nil {
		return err
	}
	defer func() { <-h.writing }()
	return h.batchTx(ctx, `BEGIN`, func(ptx *pgTx) error {
		// The lock goes to the server with BEGIN and the group's first
		// read, in its round trip; every statement after it runs under
		// it, and COMMIT goes with the group's writes.
		ptx.Exec(lockFeed, feedLock)
		return fn(ptx)
	})
}

// Pull answers a workstation's pull from one REPEATABLE READ snapshot,
// the epoch included. A cursor of this epoch that the hub signed and
// never logged (a hub restored from an older dump into the same database,
// its 'database' row of hub_meta kept) starts a new
// epoch, in a transaction of its own, and the pull is answered again.
func (h *DB) Pull(ctx context.Context, u data.User, c sync.Cursor, limit int) (sync.Page, error) {
	var page sync.Page
	var stale string
	err := h.readTx(ctx, func(ptx *pgTx) error {
		// The epoch and whether the hub logged the cursor's change, in
		// one round trip with BEGIN: the second is only needed when the
		// cursor is of this epoch, and costs a probe by key when it is
		// not.
		var epoch string
		var logged bool
		err := ptx.ReadAll([]hubsql.Read{{Query: `SELECT value FROM hub_meta WHERE key = 'epoch'`, Row: func(rows hubsql.Rows) error {
			return rows.Scan(&epoch)
		}}, hubsql.LoggedRead(c, &logged)})
		if err != nil {
			return fmt.Errorf("read the hub's epoch: %w", err)
		}
		if epoch == "" {
			return errors.New("read the hub's epoch: the hub database has none")
		}
		if c.Epoch == epoch && !logged {
			if err := h.key.Lost(c); err != nil {
				return err
			}
			stale = epoch
			return nil
		}
		page, err = h.reader.Pull(ptx, u, c, limit, epoch, h.key)
		return err
	})
	if err != nil || stale == "" {
		return page, err
	}
	err = pgx.BeginFunc(ctx, h.pool, func(tx pgx.Tx) error {
		_, err := hubsql.RenewEpoch(newTx(ctx, tx), stale)
		return err
	})
	if err != nil {
		return sync.Page{}, err
	}
	return h.Pull(ctx, u, c, limit)
}

// newReader answers pulls in PostgreSQL's SQL. A clerk's scope is read
// from hub_student_regions: one index probe a row instead of a walk
// through the student's enrollments, schools and districts (six index
// lookups, which took PostgreSQL twice SQLite's time over a clerk's first
// sync); OFFSET 0 keeps the planner from making the probe a merge join,
// which would read the region's students from the first on every page. A
// snapshot chunk's state IDs travel as one JSON array, made an array
// once for the statement: "= ANY" of it walks the table's index by
// student once, in order, where "IN (SELECT ...)" hashed the IDs,
// searched the index from its root for each and sorted the rows after,
// three times the server's time for the chunk's programs, twice and more
// for its students, enrollments and assessments. A region's list is
// read without ORDER BY (the reader sorts it): with it the planner walked
// the whole primary key in order, 185 to 315 ms for the largest region,
// where a sequential scan takes 115 to 165; an index by region would
// halve that again but cost every import of the state five seconds more.
func newReader() *hubsql.Reader {
	return &hubsql.Reader{
		RegionStudents: `EXISTS (SELECT 1 FROM hub_student_regions r WHERE r.state_id = t.state_id AND r.region_code IN (?, '*') OFFSET 0)`,
		StudentsIn:     `t.state_id = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(? AS jsonb))))`,
		RegionList:     `SELECT state_id FROM hub_student_regions WHERE region_code IN (?, '*')`,
	}
}

// rebuildStudentRegions makes hub_student_regions anew from the
// enrollments, inside the transaction of an import or a move. It empties
// the table with DELETE, not TRUNCATE: a pull whose snapshot began before
// the import committed would find a truncated table empty (TRUNCATE is
// not MVCC-safe) and send the clerk a first page of no students; and
// TRUNCATE's exclusive lock, taken at the end of a long import, waited
// for a pull that held the table and was itself waiting for a table the
// import holds, a deadlock PostgreSQL ended by rolling one of the two
// back: the pull, or the state's import.
func rebuildStudentRegions(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `DELETE FROM hub_student_regions`); err != nil {
		return fmt.Errorf("work out the students' regions: %w", err)
	}
	_, err := tx.Exec(ctx, `INSERT INTO hub_student_regions(state_id, region_code)
		SELECT DISTINCT e.state_id, d.region_code FROM enrollments e
			JOIN schools sc ON sc.number = e.school_number JOIN districts d ON d.number = sc.district_number
		UNION ALL
		SELECT s.state_id, '*' FROM students s WHERE NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.state_id = s.state_id)
		ORDER BY 1, 2`)
	if err != nil {
		return fmt.Errorf("work out the students' regions: %w", err)
	}
	return nil
}
