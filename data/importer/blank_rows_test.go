package importer

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Excel writes a row whose cells were cleared but are still in the
// sheet's used range as a line of commas when it saves a CSV file: at the
// end of a list a clerk shortened, or between rows. Such a line holds no
// record, as a blank row of a workbook holds none, and is passed over;
// lines after it keep their own numbers in messages.
func TestCSVLinesOfCommasPassedOver(t *testing.T) {
	dir := copyFixture(t, "good")
	b, err := os.ReadFile(filepath.Join(dir, "students.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	blank := ",,,,,,,\r\n"
	writeFile(t, dir, "students.csv", lines[0]+blank+lines[1]+" , ,,,,,,\n"+strings.Join(lines[2:], "")+blank+blank)
	ex, err := ReadExtract(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ex.Students, goodExtract.Students) {
		t.Errorf("students: got %+v, want %+v", ex.Students, goodExtract.Students)
	}

	e, err := os.ReadFile(filepath.Join(dir, "enrollments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "enrollments.csv", string(e)+",,,,,,\nE0005,0001234567,004201,05,P,2024-02-30,\n")
	_, err = ReadExtract(dir)
	if got := problems(t, err); len(got) != 1 || got[0].Line != 7 || got[0].Column != "start_date" {
		t.Errorf("a bad line after a line of commas: got %v", err)
	}

	records := filepath.Join(t.TempDir(), "migrant_records.csv")
	writeFile(t, filepath.Dir(records), "migrant_records.csv",
		"state_id,mis2000_id,qad,eed\n0001234567,123,2024-09-01,\n,,,\n,,,\n")
	if rs, err := ReadMigrantRecords(records); err != nil || len(rs) != 1 {
		t.Errorf("migrant records: got %v, %v", rs, err)
	}

	export := filepath.Join(t.TempDir(), "export.csv")
	writeFile(t, filepath.Dir(export), "export.csv", "MIS2000 ID,Last Name,First Name,Birth Date,QAD\r\n"+
		"11111111,Torres,Ana,03/04/2012,09/01/2024\r\n,,,,\r\n,,,,\r\n")
	f, err := ReadMIS2000(export)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 1 || f.Skipped.Len() != 0 {
		t.Errorf("MIS2000 export: %d rows, skipped %v", len(f.Rows), f.Skipped.Problems)
	}
}
