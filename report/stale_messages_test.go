package report

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"migrantdesk/data/store"
)

// TestReconcileExportReplacesEarlierMessages: a comparison saved again to
// the same folder (the app names it after the workbook and the day)
// leaves there only its own messages, so that no message of the earlier
// comparison is sent as if it were current; files the program did not
// write are kept.
func TestReconcileExportReplacesEarlierMessages(t *testing.T) {
	ok := auditFunc(func(store.ExportAudit) error { return nil })
	dir := t.TempDir()
	msgs := filepath.Join(dir, "messages")
	_, all := reconcileFixture(t, "")
	if _, err := all.Export(context.Background(), ok, "clerk", filepath.Join(dir, "r.xlsx"), msgs, testMeta, "x"); err != nil {
		t.Fatal(err)
	}
	mine := map[string]string{"notes.txt": "To call 001 on Monday\r\n", "004.txt": "\ufeffDear Ms. Ibarra, thank you\r\n"}
	for name, text := range mine {
		if err := os.WriteFile(filepath.Join(msgs, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	_, west := reconcileFixture(t, "W")
	written, err := west.Export(context.Background(), ok, "clerk", filepath.Join(dir, "r.xlsx"), msgs, testMeta, "x")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(msgs, "003.txt")}; !slices.Equal(written, want) {
		t.Errorf("written %q, want %q", written, want)
	}
	entries, err := os.ReadDir(msgs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"003.txt", "004.txt", "notes.txt"}; !slices.Equal(names, want) {
		t.Errorf("the folder holds %q, want %q", names, want)
	}
	for name, text := range mine {
		if b, err := os.ReadFile(filepath.Join(msgs, name)); err != nil || string(b) != text {
			t.Errorf("%s changed: %q, %v", name, b, err)
		}
	}
}
