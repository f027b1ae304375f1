package report

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"migrantdesk/data/store"
)

// recorder is an Auditor that keeps what it is told.
type recorder struct {
	db      string
	entries []store.ExportAudit
}

func (r *recorder) AuditExport(_ context.Context, _ string, e store.ExportAudit) error {
	r.entries = append(r.entries, e)
	return nil
}

func (r *recorder) Path() string { return r.db }

func file(path string) File {
	return File{Path: path, Perm: 0o600, Write: func(w io.Writer) error { _, err := io.WriteString(w, "PII"); return err },
		Audit: exportEntry("test", "001", "p", 1, path)}
}

// An export never overwrites the database, its journal, an input or
// another output of its own, and writes nothing when it refuses.
func TestExportRefusesDestructivePaths(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	input := filepath.Join(dir, "mis2000.csv")
	for _, p := range []string{db, input} {
		if err := os.WriteFile(p, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(dir, "link.pdf")
	if err := os.Symlink(db, link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		files []string
		says  string
	}{
		{[]string{db}, "it is the database"},
		{[]string{db + "-wal"}, "it is the database"},
		{[]string{db + "-lock"}, "it is the database"},
		{[]string{db + "-wanted"}, "it is the database"},
		{[]string{link}, "it is the database"},
		{[]string{filepath.Join(dir, ".", "v.db")}, "it is the database"},
		{[]string{input}, "an input of this command"},
		{[]string{filepath.Join(dir, "r.xlsx"), filepath.Join(dir, "sub", "..", "r.xlsx")}, "twice in one export"},
	}
	for _, c := range cases {
		a := &recorder{db: db}
		var files []File
		for _, p := range c.files {
			files = append(files, file(p))
		}
		err := Export(context.Background(), a, "u", files, input)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v: %v", c.files, err)
		}
		if len(a.entries) != 0 {
			t.Errorf("%v: a refused export was audited", c.files)
		}
	}
	for _, p := range []string{db, input} {
		if b, _ := os.ReadFile(p); string(b) != "keep me" {
			t.Errorf("%s became %q", p, b)
		}
	}
}

// The export is audited as started before it is written and as
// completed after, with whether it was encrypted.
func TestExportAuditedStartedAndCompleted(t *testing.T) {
	dir := t.TempDir()
	a := &recorder{db: filepath.Join(dir, "v.db")}
	f := file(filepath.Join(dir, "r.xlsx"))
	f.Audit.Encrypted = true
	write := f.Write
	f.Write = func(w io.Writer) error {
		if len(a.entries) != 1 || a.entries[0].Stage != store.ExportStarted {
			t.Errorf("written before the audit log had the export: %+v", a.entries)
		}
		return write(w)
	}
	if err := Export(context.Background(), a, "u", []File{f}); err != nil {
		t.Fatal(err)
	}
	if len(a.entries) != 2 || a.entries[1].Stage != store.ExportCompleted || !a.entries[1].Encrypted {
		t.Fatalf("audit %+v", a.entries)
	}
}

// The completed entry is written only once the file has its name: every
// file on disk has a completed entry or a started one before it.
func TestExportCompletedAfterTheRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.xlsx")
	a := &checker{recorder: recorder{db: filepath.Join(dir, "v.db")}, t: t, path: path}
	if err := Export(context.Background(), a, "u", []File{file(path)}); err != nil {
		t.Fatal(err)
	}
	if len(a.entries) != 2 {
		t.Fatalf("audit %+v", a.entries)
	}
}

// checker is a recorder that looks at the disk as each entry arrives.
type checker struct {
	recorder
	t    *testing.T
	path string
}

func (c *checker) AuditExport(ctx context.Context, u string, e store.ExportAudit) error {
	_, err := os.Stat(c.path)
	switch {
	case e.Stage == store.ExportStarted && err == nil:
		c.t.Errorf("the file was on disk before the export was audited as started")
	case e.Stage == store.ExportCompleted && err != nil:
		c.t.Errorf("audited as completed before the file had its name: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(c.path), ".*"+partialSuffix)); e.Stage == store.ExportCompleted && len(left) > 0 {
		c.t.Errorf("audited as completed with partial files beside it: %v", left)
	}
	return c.recorder.AuditExport(ctx, u, e)
}

// failing is an audit log that refuses to write, as a full disk would.
type failing struct{ recorder }

func (f *failing) AuditExport(context.Context, string, store.ExportAudit) error {
	return errors.New("database or disk is full")
}

// An export the audit log cannot record as started writes nothing.
func TestExportNotStartedWithoutItsAuditEntry(t *testing.T) {
	dir := t.TempDir()
	a := &failing{recorder{db: filepath.Join(dir, "v.db")}}
	err := Export(context.Background(), a, "u", []File{file(filepath.Join(dir, "r.xlsx"))})
	if err == nil || !strings.Contains(err.Error(), "no file was saved") {
		t.Fatalf("got %v", err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Fatalf("the folder holds %d files", len(es))
	}
}

// An export cancelled halfway (Ctrl+C or SIGTERM on the command line)
// leaves neither the file nor a partial one.
func TestCancelledExportLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	a := &recorder{db: filepath.Join(dir, "v.db")}
	ctx, cancel := context.WithCancel(context.Background())
	f := file(filepath.Join(dir, "r.xlsx"))
	f.Write = func(w io.Writer) error {
		io.WriteString(w, "half of the PII")
		cancel()
		return nil
	}
	if err := Export(ctx, a, "u", []File{f}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if es, _ := os.ReadDir(dir); len(es) != 0 {
		t.Fatalf("the folder holds %d files", len(es))
	}
	if len(a.entries) != 1 || a.entries[0].Stage != store.ExportStarted {
		t.Fatalf("audit %+v", a.entries)
	}
}
