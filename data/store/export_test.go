package store

import (
	"context"
	"database/sql"
	"os"
	"slices"
)

// What the external tests (package store_test, which use storetest) need
// to look inside the store.

func (s *Store) ApplyMigrations(ms []string) error {
	return s.applyMigrations(context.Background(), ms)
}

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

// TryMakeIn is how Windows learns whether a folder lets this process make
// files (mayMakeIn), which a test on Linux tries as another user.
func TryMakeIn(dir string) error { return tryMakeIn(dir) }

// HoldWordless takes the mark on the database at path as HoldAs does,
// but writes no words until the returned say is called.
func HoldWordless(path string) (say func(words string), release func(), err error) {
	f, err := os.OpenFile(path+"-lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, nil, err
	}
	return func(words string) { sayWords(f, "\n"+words) }, func() { f.Truncate(0); f.Close() }, nil
}
