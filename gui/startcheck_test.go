package gui

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/report"
)

// said reports whether a label on screen, dialogs included, holds s.
func said(u *UI, s string) bool {
	for _, t := range texts(u.win.Canvas()) {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

// The app warns at start about a tampered audit log and a database others
// could read (which it makes private), and removes the partial files of
// killed exports; a database with none of these starts without a word.
func TestStartWarnsAboutTheDatabase(t *testing.T) {
	clean := start(t, openDemo(t), Options{User: storetest.Clerk})
	if said(clean, "About this database") || said(clean, "audit log") {
		t.Fatal("a sound database got a warning at start")
	}

	st := openDemo(t)
	dir := t.TempDir()
	e := store.ExportAudit{Report: "QA Migrant detail", File: filepath.Join(dir, "d.xlsx"), Stage: store.ExportStarted}
	if err := st.AuditExport(t.Context(), storetest.Clerk, e); err != nil {
		t.Fatal(err)
	}
	path := st.Path()
	st.Close()
	partial := filepath.Join(dir, report.PartialPrefix("d.xlsx", 999999999)+"7.partial")
	if err := os.WriteFile(partial, []byte("PII"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DROP TRIGGER audit_no_delete`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u := start(t, st, Options{User: storetest.Clerk})
	for _, want := range []string{
		"The audit log was changed outside Migrant Desk: trigger audit_no_delete is missing",
		"it is now readable by you only (0600)",
		"Removed 1 unfinished report file that",
	} {
		if !said(u, want) {
			t.Errorf("the start dialog does not say %q; the screen says %q", want, texts(u.win.Canvas()))
		}
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Errorf("the partial file is still there: %v", err)
	}
}

// failingExports is a database whose audit log cannot name its exports.
type failingExports struct{ *store.Store }

func (failingExports) ExportFiles(context.Context) ([]string, error) {
	return nil, errors.New("read the exports in the audit log: disk I/O error")
}

// Partial files that could not be looked for are said at start, not
// passed over: they may hold student data.
func TestStartSaysWhenPartialFilesCouldNotBeLookedFor(t *testing.T) {
	st := openDemo(t)
	u := start(t, st, Options{User: storetest.Clerk})
	u.checkAtStart(failingExports{st})
	u.wait()
	if want := "Unfinished report files that an interrupted export left (they could hold student data) may remain: read the exports in the audit log: disk I/O error"; !said(u, want) {
		t.Errorf("the start dialog does not say %q; the screen says %q", want, texts(u.win.Canvas()))
	}
}
