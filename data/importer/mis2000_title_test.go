package importer

import (
	"strings"
	"testing"
)

// TestReadMIS2000TitleRowsAboveTheHeader: a report saved with its title
// and the day it was run above the header, as exports often are, is read
// from the header down, every line still numbered as in the file; a file
// whose header is further down than any title goes is refused as before.
func TestReadMIS2000TitleRowsAboveTheHeader(t *testing.T) {
	const header = "MIS2000 ID,Last Name,First Name,Birth Date,QAD,EED,District\n"
	const row = "01234567,García López,María José,05/05/2012,09/01/2025,08/31/2028,001\n"
	x, err := ReadMIS2000(writeTemp(t, "export.csv", "\ufeffMIS2000 Student Export\nRun on 11/01/2025,,,\n\n"+header+row))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Rows) != 1 || x.Rows[0].Line != 5 || x.Rows[0].LastName != "García López" || x.Skipped.Len() != 0 {
		t.Errorf("rows %+v, skipped %v", x.Rows, x.Skipped.Error())
	}

	sheet := [][]any{{"MIS2000 Student Export"}, {"Region C", "Run on 11/01/2025"}, {}}
	var h, r []any
	for _, v := range strings.Split(strings.TrimSpace(header), ",") {
		h = append(h, v)
	}
	for _, v := range strings.Split(strings.TrimSpace(row), ",") {
		r = append(r, v)
	}
	sheet = append(sheet, h, r)
	x, err = ReadMIS2000(writeSheets(t, "export.xlsx", []string{"Cover", "Report"},
		map[string][][]any{"Cover": {{"MIS2000"}}, "Report": sheet}))
	if err != nil {
		t.Fatal(err)
	}
	if x.Sheet != "Report" || len(x.Rows) != 1 || x.Rows[0].Line != 5 || x.Rows[0].MIS2000ID != "01234567" {
		t.Errorf("sheet %q, rows %+v", x.Sheet, x.Rows)
	}

	deep := strings.Repeat("a title line\n", maxTitleRows) + header + row
	if _, err := ReadMIS2000(writeTemp(t, "deep.csv", deep)); err == nil ||
		!strings.Contains(err.Error(), "deep.csv line 1, column MIS2000 ID: the header has no MIS2000 ID column") {
		t.Errorf("a header after %d lines: %v", maxTitleRows, err)
	}
}
