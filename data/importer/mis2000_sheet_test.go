package importer

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// writeSheets saves a workbook with the sheets in order, each given as
// its rows.
func writeSheets(t *testing.T, name string, sheets []string, rows map[string][][]any) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		var err error
		if i == 0 {
			err = f.SetSheetName("Sheet1", s)
		} else {
			_, err = f.NewSheet(s)
		}
		if err != nil {
			t.Fatal(err)
		}
		for j, r := range rows[s] {
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			if err := f.SetSheetRow(s, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReadMIS2000FindsTheExportSheet: a workbook saved with a cover
// sheet in front of the students is read from the sheet whose header has
// the export's columns, as a clerk who opens it sees them; a workbook
// where no sheet has them is refused with the first sheet's problems.
func TestReadMIS2000FindsTheExportSheet(t *testing.T) {
	cover := [][]any{{"MIS2000 student export"}, {"Run on 11/01/2025 for region C"}}
	students := [][]any{
		{"MIS2000 ID", "LAST NAME 1", "last name 2", "First-Name", "Birth date", "Q.A.D.", "EED", "District"},
		{"01234567", "García", "López", "María José", time.Date(2012, 5, 5, 0, 0, 0, 0, time.UTC), "09/01/2025", "2028-08-31", "001"},
	}
	path := writeSheets(t, "export.xlsx", []string{"Report Info", "Notes", "Students"},
		map[string][][]any{"Report Info": cover, "Notes": {{"Nothing"}}, "Students": students})
	x, err := ReadMIS2000(path)
	if err != nil {
		t.Fatal(err)
	}
	if x.Sheet != "Students" || len(x.Rows) != 1 || x.Rows[0].MIS2000ID != "01234567" ||
		x.Rows[0].LastName != "García López" || x.Rows[0].BirthDate.String() != "2012-05-05" || x.Rows[0].Line != 2 {
		t.Errorf("read sheet %q: %+v", x.Sheet, x.Rows)
	}

	path = writeSheets(t, "other.xlsx", []string{"Report Info", "Notes"},
		map[string][][]any{"Report Info": cover, "Notes": {{"Nothing"}}})
	_, err = ReadMIS2000(path)
	if err == nil || !strings.Contains(err.Error(), "other.xlsx, sheet Report Info, row 1, column MIS2000 ID: the header has no MIS2000 ID column") {
		t.Errorf("a workbook without the export: %v", err)
	}
}
