package pghub

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"migrantdesk/data"
	"migrantdesk/data/sync"
	"migrantdesk/data/sync/hub/hubsql"
)

// Push applies a batch of mutations in one transaction holding the feed
// lock (see the package comment): only a failure of the database itself
// aborts the batch, which the client then retries whole.
func (h *DB) Push(ctx context.Context, u data.User, ms []sync.Mutation) ([]sync.Result, error) {
	var out []sync.Result
	err := h.write(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = hubsql.Push(pgTx{ctx, tx}, u, ms, time.Now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Pull answers a workstation's pull from one REPEATABLE READ snapshot,
// the epoch included.
func (h *DB) Pull(ctx context.Context, u data.User, c sync.Cursor, limit int) (sync.Page, error) {
	var page sync.Page
	err := h.read(ctx, func(tx pgx.Tx) error {
		var epoch string
		if err := tx.QueryRow(ctx, `SELECT value FROM hub_meta WHERE key = 'epoch'`).Scan(&epoch); err != nil {
			return fmt.Errorf("read the hub's epoch: %w", err)
		}
		var err error
		page, err = hubsql.Pull(pgTx{ctx, tx}, u, c, limit, epoch)
		return err
	})
	return page, err
}
