package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExtractFileOfAnotherKind: a file of the extract that is not what
// its name says (a workbook saved as students.csv, a PDF; a CSV file
// named .xlsx) is refused with one sentence saying what it is and how to
// save it, not with eight columns its "header" lacks, nor with a zip
// reader's error.
func TestExtractFileOfAnotherKind(t *testing.T) {
	book := writeSheets(t, "students.xlsx", []string{"Students"}, map[string][][]any{"Students": {{"state_id"}}})
	workbook, err := os.ReadFile(book)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, content, want string }{
		{"a workbook", string(workbook), `students.csv: this file is an Excel workbook (.xlsx), not CSV text: open it in Excel and save it as "CSV UTF-8"`},
		{"a PDF", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", `students.csv: this file is a PDF document, not CSV text: put the CSV file in its place`},
		{"an old or encrypted workbook", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00", `students.csv: this file is an Excel workbook ` +
			`protected with a password or in the old format (.xls), not CSV text: open it in Excel and save it as "CSV UTF-8" without a password`},
	} {
		dir := copyFixture(t, "good")
		writeFile(t, dir, "students.csv", c.content)
		_, err := ReadExtract(dir)
		if got := problems(t, err); len(got) != 1 || got[0].String() != c.want {
			t.Errorf("%s: got %v\nwant %s", c.name, err, c.want)
		}
	}

	csv := filepath.Join(t.TempDir(), "extract.xlsx")
	b, err := os.ReadFile("testdata/good/students.csv")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Dir(csv), "extract.xlsx", string(b))
	want := csv + ` is not an Excel workbook: it holds text (CSV saved with an .xlsx name?); ` +
		`open it in Excel and save it as an Excel workbook (.xlsx)`
	if _, err := ReadExtract(csv); err == nil || !strings.HasSuffix(err.Error(), want) {
		t.Errorf("CSV named .xlsx: got %v\nwant …%s", err, want)
	}
}
