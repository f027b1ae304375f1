// Package reconciletest is the hand-made state and MIS2000 export that the
// reconciliation tests of the report, the command line and the app share.
// testdata/CASES.md describes them student by student, with the
// discrepancies worked out by hand.
package reconciletest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"migrantdesk/data"
	"migrantdesk/data/importer"
	"migrantdesk/data/store"
)

// AsOf is the day the expected discrepancies are worked out for.
var AsOf = data.NewDate(2025, time.November, 3)

// Clerk is who loads the records, and the name the tests sign with.
const Clerk = "Lucía Ramos"

// Dir is the folder of the state's CSV files and the export. It is found
// from the test's folder, up to the module's go.mod: the builds of the
// Makefile are -trimpath, so this file's own path as the binary records it
// names no folder.
func Dir() string {
	dir, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "report", "reconciletest", "testdata")
		}
		up := filepath.Dir(dir)
		if up == dir {
			panic("reconciletest: no go.mod above the test's folder")
		}
		dir = up
	}
}

// Export is the hand-made MIS2000 export.
func Export() string { return filepath.Join(Dir(), "mis2000.csv") }

// Windows1252Export writes the hand-made export as Excel's "CSV (Comma
// delimited)" saves it, in Windows-1252, to the test's temporary folder
// under name, and returns its path.
func Windows1252Export(tb testing.TB, name string) string {
	tb.Helper()
	src, err := os.ReadFile(Export())
	if err != nil {
		tb.Fatal(err)
	}
	ansi, err := charmap.Windows1252.NewEncoder().Bytes(src)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, ansi, 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// DB makes a database holding the state in the test's temporary folder
// and returns its path, closed.
func DB(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "reconcile.db")
	st := Open(tb, path)
	if err := st.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// Open makes a database holding the state at path and returns it open;
// the test closes it when done.
func Open(tb testing.TB, path string) *store.Store {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	ex, err := importer.ReadExtract(Dir())
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := st.ImportExtract(ctx, ex, "admin"); err != nil {
		tb.Fatal(err)
	}
	for file, publish := range map[string]bool{"migrant_records.csv": true, "unpublished_records.csv": false} {
		rows, err := importer.ReadMigrantRecords(filepath.Join(Dir(), file))
		if err != nil {
			tb.Fatal(err)
		}
		recs := make([]data.MigrantRecord, len(rows))
		for i, r := range rows {
			recs[i] = data.MigrantRecord{StateID: r.StateID, MIS2000ID: r.MIS2000ID, QAD: r.QAD, EED: r.EED}
		}
		if _, err := st.ImportRecords(ctx, data.Operator("clerk"), recs, publish); err != nil {
			tb.Fatalf("%s: %v", file, err)
		}
	}
	return st
}
