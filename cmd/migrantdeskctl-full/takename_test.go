package main

import (
	"os"
	"path/filepath"
	"testing"

	"migrantdesk/data/store"
)

// TestNewDatabaseTakesNoAppsFile: a Migrant Desk started on the path a
// command makes a new database at, while the command makes it, makes a
// database of its own there; the command's is not renamed over it (the
// app would write on to a file no longer there), whether the app still
// has it open or has closed it since, and nothing of the command's is
// left behind.
func TestNewDatabaseTakesNoAppsFile(t *testing.T) {
	for _, stillOpen := range []bool{true, false} {
		db := filepath.Join(t.TempDir(), "md.db")
		var made os.FileInfo
		err := intoDatabase(db, func(*store.Store) error {
			// The app, as it starts: held, then opened, which makes it.
			release, err := store.Hold(db)
			if err != nil {
				return err
			}
			app, err := store.Open(db)
			if err != nil {
				release()
				return err
			}
			if made, err = os.Stat(db); err != nil {
				t.Fatal(err)
			}
			if stillOpen {
				t.Cleanup(func() {
					app.Close()
					release()
				})
				return nil
			}
			app.Close()
			release()
			return nil
		})
		if err == nil {
			t.Errorf("app still open %v: the new database was renamed over the one the app made", stillOpen)
		}
		if now, serr := os.Stat(db); serr != nil || !os.SameFile(made, now) {
			t.Errorf("app still open %v: %s is no longer the file the app made (%v)", stillOpen, db, serr)
		}
		if _, serr := os.Stat(db + ".importing"); !os.IsNotExist(serr) {
			t.Errorf("app still open %v: the command left its database behind (%v)", stillOpen, serr)
		}
	}
}
