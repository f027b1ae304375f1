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
	"migrantdesk/data/store/storetest"
)

func TestWriteFileAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.xlsx")
	if err := os.WriteFile(path, []byte("last week's report"), 0o600); err != nil {
		t.Fatal(err)
	}

	// A writer that fails halfway leaves the old file as it was and no
	// temporary file beside it.
	failed := errors.New("disk full")
	err := WriteFile(path, 0o600, func(w io.Writer) error {
		io.WriteString(w, "half a report")
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "last week's report" {
		t.Errorf("the old file became %q", b)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("%d files in the folder, want the old report alone", len(es))
	}

	// A complete write replaces it, with the mode asked for.
	if err := WriteFile(path, 0o644, func(w io.Writer) error {
		_, err := io.WriteString(w, "this week's report")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "this week's report" {
		t.Errorf("the file holds %q", b)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", info.Mode().Perm())
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("%d files in the folder, want the report alone", len(es))
	}
}

func TestCreateRefusesUnwritablePaths(t *testing.T) {
	dir := t.TempDir()
	for path, want := range map[string]string{
		filepath.Join(dir, "missing", "r.pdf"): "cannot write " + filepath.Join(dir, "missing", "r.pdf"),
		dir:                                    "it is a folder",
		"":                                     "no output file was named",
	} {
		if _, err := Create(path, 0o644); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Create(%q): %v, want %q", path, err, want)
		}
	}
	if os.Geteuid() != 0 { // root writes anywhere
		locked := filepath.Join(dir, "locked")
		if err := os.Mkdir(locked, 0o500); err != nil {
			t.Fatal(err)
		}
		if _, err := Create(filepath.Join(locked, "r.pdf"), 0o644); err == nil {
			t.Errorf("wrote into a read-only folder")
		}
	}
}

// A partial file left by a process that was killed is removed by the next
// export to the same name; one of a process still at work is left alone.
func TestStalePartialFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "QA Migrant detail 001.xlsx")
	dead := filepath.Join(dir, partialPrefix(filepath.Base(path), 999999999)+"123"+partialSuffix)
	live := filepath.Join(dir, partialPrefix(filepath.Base(path), os.Getpid())+"456"+partialSuffix)
	for _, p := range []string{dead, live} {
		if err := os.WriteFile(p, []byte("PII"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteFile(path, 0o600, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("a dead process's partial file is still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("a running process's partial file was removed: %v", err)
	}
}

// Partial files of killed exports are removed from every folder the audit
// log names (the app does it at start, a report before it writes), of any
// export's name; a running process's are left alone, and so are files
// that only look alike.
func TestRemoveStaleSweepsTheAuditedFolders(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		e := store.ExportAudit{Report: "QA Migrant detail", File: filepath.Join(d, "QA Migrant detail 001.xlsx"), Stage: store.ExportStarted}
		if err := st.AuditExport(ctx, "coord", e); err != nil {
			t.Fatal(err)
		}
	}
	dead := []string{
		filepath.Join(a, partialPrefix("QA Migrant detail 001.xlsx", 999999999)+"1"+partialSuffix),
		filepath.Join(b, partialPrefix("messages 0042.txt", 999999998)+"2"+partialSuffix),
	}
	kept := []string{
		filepath.Join(a, partialPrefix("other.xlsx", os.Getpid())+"3"+partialSuffix),
		filepath.Join(b, ".notes.partial"),
		filepath.Join(b, "QA Migrant detail 001.xlsx"),
	}
	for _, p := range append(append([]string{}, dead...), kept...) {
		if err := os.WriteFile(p, []byte("PII"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	n, err := RemoveStale(ctx, st)
	if err != nil || n != len(dead) {
		t.Fatalf("removed %d, %v; want %d", n, err, len(dead))
	}
	for _, p := range dead {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there: %v", p, err)
		}
	}
	for _, p := range kept {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}
