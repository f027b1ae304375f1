package importer

import (
	"errors"
	"strings"
	"testing"
)

// TestReadMIS2000WorkbookOfNumbers: a clerk who opens the CSV export in
// Excel and saves it as a workbook gets every ID and district stored as a
// number. Each ID was refused on its own, hundreds of lines each telling
// to retype the IDs; the file is refused with one line per column saying
// what happened and which file to choose instead.
func TestReadMIS2000WorkbookOfNumbers(t *testing.T) {
	rows := [][]any{{"MIS2000 ID", "Last Name", "First Name", "Birth Date", "QAD", "District"}}
	for i := range 150 {
		rows = append(rows, []any{1234567 + i, "Díaz", "Carla", "05/05/2012", "09/01/2025", 18})
	}
	rows[40][0] = ""
	_, err := ReadMIS2000(writeSheets(t, "export.xlsx", []string{"Students"}, map[string][][]any{"Students": rows}))
	var pl *ProblemList
	if !errors.As(err, &pl) {
		t.Fatalf("want a problem list, got %v", err)
	}
	const why = " are stored as numbers, which loses their leading zeros (Excel does so to a CSV file it opens and saves as a workbook); " +
		"choose the CSV file MIS2000 saved instead"
	// A problem of another kind is still told, after.
	want := []string{"export.xlsx, sheet Students, column MIS2000 ID: the 149 values of rows 2 to 151" + why,
		"export.xlsx, sheet Students, row 41, column MIS2000 ID: the value is missing"}
	if len(pl.Problems) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(pl.Problems), len(want), err)
	}
	for i, p := range pl.Problems {
		if p.String() != want[i] {
			t.Errorf("got  %s\nwant %s", p, want[i])
		}
	}
	rows = rows[:2]
	_, err = ReadMIS2000(writeSheets(t, "one.xlsx", []string{"Students"}, map[string][][]any{"Students": rows}))
	if want := "one.xlsx, sheet Students, column MIS2000 ID: the value of row 2 is stored as a number, which loses its leading zeros"; err == nil ||
		!strings.Contains(err.Error(), want) {
		t.Errorf("one row: %v", err)
	}
}
