package store

import (
	"context"
	"fmt"
	"time"
)

// metaLastSync is when this workstation last completed a sync with its
// hub, RFC 3339 in UTC.
const metaLastSync = "last_sync"

// SetLastSync records that a sync with the hub completed at t. It lives
// in the database, not in the app's preferences, because it is a fact of
// this database: another database opened on the same computer has its
// own.
func (s *Store) SetLastSync(ctx context.Context, t time.Time) error {
	if err := s.SetMeta(ctx, metaLastSync, t.UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("remember when the sync completed: %w", err)
	}
	return nil
}

// LastSync is when this workstation last completed a sync with its hub;
// the zero time if it never has.
func (s *Store) LastSync(ctx context.Context) (time.Time, error) {
	v, err := s.Meta(ctx, metaLastSync)
	if err != nil || v == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("read when the last sync completed: %w", err)
	}
	return t, nil
}
