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
		// The folder named, not the hidden partial file the person never named.
		filepath.Join(dir, "missing", "r.pdf"): "cannot write " + filepath.Join(dir, "missing", "r.pdf") + ": the folder " +
			filepath.Join(dir, "missing") + " does not exist; make it",
		dir: "it is a folder",
		"":  "no output file was named",
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
	dead := filepath.Join(dir, partialPrefix(filepath.Base(path), thisHost(), 999999999)+"123"+partialSuffix)
	live := filepath.Join(dir, partialPrefix(filepath.Base(path), thisHost(), os.Getpid())+"456"+partialSuffix)
	// Another workstation's export in progress, in a shared folder: its
	// process number means nothing here.
	other := filepath.Join(dir, partialPrefix(filepath.Base(path), "other-pc", 999999999)+"789"+partialSuffix)
	for _, p := range []string{dead, live, other} {
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
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another computer's partial file was removed: %v", err)
	}
}

// Partial files of this computer's killed exports are removed beside
// every file the audit log names (the app does it at start, a report
// before it writes); another computer's, those of a name never exported,
// a running process's, and files that only look alike are left alone.
func TestRemoveStaleSweepsTheAuditedFiles(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	a, b := t.TempDir(), t.TempDir()
	for _, f := range []string{filepath.Join(a, "QA Migrant detail 001.xlsx"), filepath.Join(b, "messages 0042.txt")} {
		e := store.ExportAudit{Report: "QA Migrant detail", File: f, Stage: store.ExportStarted}
		if err := st.AuditExport(ctx, "coord", e); err != nil {
			t.Fatal(err)
		}
	}
	host := thisHost()
	dead := []string{
		filepath.Join(a, partialPrefix("QA Migrant detail 001.xlsx", host, 999999999)+"1"+partialSuffix),
		filepath.Join(b, partialPrefix("messages 0042.txt", host, 999999998)+"2"+partialSuffix),
	}
	kept := []string{
		filepath.Join(a, partialPrefix("QA Migrant detail 001.xlsx", "other-pc", 999999999)+"4"+partialSuffix),
		filepath.Join(a, partialPrefix("other.xlsx", host, 999999999)+"5"+partialSuffix),
		filepath.Join(a, partialPrefix("QA Migrant detail 001.xlsx", host, os.Getpid())+"3"+partialSuffix),
		filepath.Join(b, ".notes.partial"),
		filepath.Join(b, "messages 0042.txt"),
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

type exportFiles []string

func (f exportFiles) ExportFiles(context.Context) ([]string, error) { return f, nil }

// A folder that is gone holds no partial file; one that cannot be read
// is said, since a file there may hold PII.
func TestRemoveStaleSaysWhatItCouldNotLookAt(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "was a folder")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := RemoveStale(context.Background(), exportFiles{filepath.Join(dir, "gone", "d.xlsx")})
	if n != 0 || err != nil {
		t.Fatalf("a folder that is gone: %d, %v", n, err)
	}
	_, err = RemoveStale(context.Background(), exportFiles{filepath.Join(notDir, "d.xlsx")})
	if err == nil || !strings.Contains(err.Error(), "cannot look for unfinished report files in "+notDir) {
		t.Fatalf("a folder that cannot be read: %v", err)
	}
	// An export to a device is logged as the device, a path naming no
	// file (on Windows \\.\nul, a folder to Split): nothing to look at.
	n, err = RemoveStale(context.Background(), exportFiles{notDir + string(filepath.Separator)})
	if n != 0 || err != nil {
		t.Fatalf("a path naming no file: %d, %v", n, err)
	}
}

func TestHostTagFitsAFileName(t *testing.T) {
	for in, want := range map[string]string{
		"desk-07":               "desk-07",
		"desk07.example.org":    "desk07_example_org",
		"ördi 2":                "__rdi_2",
		strings.Repeat("a", 80): strings.Repeat("a", 63),
	} {
		if got := hostTag(in); got != want {
			t.Errorf("hostTag(%q) = %q, want %q", in, got, want)
		}
	}
}
