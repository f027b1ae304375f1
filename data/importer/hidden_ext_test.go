package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Windows hides a file's last extension: a students.csv renamed from a
// text file is students.csv.txt on disk, and reads as students.csv in the
// folder's window. The refusal names the file as it is.
func TestHiddenExtensionNamed(t *testing.T) {
	dir := copyFixture(t, "good")
	if err := os.Rename(filepath.Join(dir, "students.csv"), filepath.Join(dir, "students.csv.txt")); err != nil {
		t.Fatal(err)
	}
	_, err := ReadExtract(dir)
	got := problems(t, err)
	if len(got) != 1 || got[0].File != "students.csv" ||
		!strings.Contains(got[0].Msg, "the folder has students.csv.txt, whose last extension Windows may hide: rename it students.csv") {
		t.Errorf("students.csv saved as students.csv.txt: %v", err)
	}
}
