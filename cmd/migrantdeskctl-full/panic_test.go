package main

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/data/importer"
	"migrantdesk/data/store"
)

// TestPanicIsOneLineAndChangesNothing injects a panic into an import after
// every row has gone to the database: the command ends with one line, the
// database is as it was, and the next import finds it unlocked.
func TestPanicIsOneLineAndChangesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "md.db")
	if _, err := run(t, "import", "--db", db, goodExtract); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)
	commands["panicking-import"] = func(args []string, out io.Writer) error {
		ex, err := importer.OpenExtract(newerExtract(t))
		if err != nil {
			return err
		}
		defer ex.Close()
		return intoDatabase(db, func(st *store.Store) error {
			_, err := st.LoadExtract(context.Background(), data.Operator("test"), func(l *store.ExtractLoad) error {
				if err := ex.Scan(l); err != nil {
					return err
				}
				panic(errors.New("injected"))
			})
			return err
		})
	}
	defer delete(commands, "panicking-import")
	_, err := run(t, "panicking-import")
	if err == nil || strings.Contains(cli.OneLine(err), "goroutine") || !strings.Contains(err.Error(), "internal error (injected)") {
		t.Fatalf("got %v, want the one-line error of a panic", err)
	}
	if after := snapshot(t, db); !reflect.DeepEqual(before, after) {
		t.Errorf("the database changed:\nbefore %v\nafter  %v", before, after)
	}
	if _, err := run(t, "import", "--db", db, newerExtract(t)); err != nil {
		t.Fatalf("the import after the panic: %v", err)
	}
}
