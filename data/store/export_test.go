package store

import (
	"context"
	"database/sql"
	"slices"
)

// What the external tests (package store_test, which use storetest) need
// to look inside the store.

func (s *Store) ApplyMigrations(ms []string) error { return s.applyMigrations(ms) }

func Migrations() []string { return slices.Clone(migrations) }

// DB is the store's writing connection, for tests that check what the
// schema itself refuses or holds.
func (s *Store) DB() *sql.DB { return s.w }

const TokLast, TokLastJoined = tokLast, tokLastJoined

// WriteExec runs q in one of the store's own write transactions.
func (s *Store) WriteExec(q string, args ...any) error {
	return s.write(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.Exec(q, args...)
		return err
	})
}
