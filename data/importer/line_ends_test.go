package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Excel for Mac's "CSV (Macintosh)" ends lines with a carriage return
// alone, which a CSV reader takes for one line of thousands of fields:
// the refusal says what the file is and how to save it.
func TestCROnlyLineEndsRefused(t *testing.T) {
	const want = `this file is "CSV (Macintosh)", its lines ended by a carriage return alone: save it as UTF-8 (in Excel: Save As, "CSV UTF-8")`
	dir := copyFixture(t, "good")
	b, err := os.ReadFile(filepath.Join(dir, "students.csv"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "students.csv", strings.ReplaceAll(string(b), "\n", "\r"))
	_, err = ReadExtract(dir)
	if got := problems(t, err); len(got) != 1 || got[0].String() != "students.csv: "+want {
		t.Errorf("got %v", err)
	}

	export := filepath.Join(t.TempDir(), "export.csv")
	writeFile(t, filepath.Dir(export), "export.csv", "MIS2000 ID,Last Name,First Name,Birth Date,QAD\r"+
		"11111111,Torres,Ana,03/04/2012,09/01/2024\r")
	if _, err := ReadMIS2000(export); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("the MIS2000 export: got %v", err)
	}

	// CRLF line ends are read as before.
	writeFile(t, dir, "students.csv", strings.ReplaceAll(string(b), "\n", "\r\n"))
	if _, err := ReadExtract(dir); err != nil {
		t.Errorf("CRLF: %v", err)
	}
}
