package importer

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestReadMigrantRecords(t *testing.T) {
	got, err := ReadMigrantRecords("testdata/migrant_records.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []RecordRow{
		{Line: 2, StateID: "0001234567", MIS2000ID: "000123", QAD: 20250901},
		{Line: 4, StateID: "0001234568", MIS2000ID: "42", QAD: 20240315, EED: 20270314},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestMigrantRecordProblems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "migrant_records.csv")
	writeFile(t, filepath.Dir(path), filepath.Base(path), "State_ID,MIS2000_ID,QAD,EED\n"+
		"0001234567,000123,2025-09-01,\n"+
		",12AB,2025-13-01,tomorrow\n"+
		"0001234568,,,\n"+
		"0001234569,1234567890123,2025-09-01\n")
	_, err := ReadMigrantRecords(path)
	got := problems(t, err)
	want := []string{
		"migrant_records.csv line 3, column state_id: the value is missing",
		`migrant_records.csv line 3, column qad: "2025-13-01" is not a valid date: month 13 is not between 1 and 12`,
		`migrant_records.csv line 3, column eed: "tomorrow" is not a valid date: use MM/DD/YYYY`,
		`migrant_records.csv line 3, column mis2000_id: the MIS2000 ID has only digits, not 'A'`,
		"migrant_records.csv line 4, column qad: a date is required (MM/DD/YYYY)",
		"migrant_records.csv line 4, column mis2000_id: the MIS2000 ID is required",
		"migrant_records.csv line 5: the line has 3 fields but the header has 4; a value or a comma is missing",
	}
	var lines []string
	for _, p := range got {
		lines = append(lines, p.String())
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestMigrantRecordsWorkbook(t *testing.T) {
	tests := []struct {
		name   string
		sheets []string // the records go on the last
		err    string
	}{
		{"one sheet", []string{"Records"}, ""},
		{"named sheet", []string{"Notes", "migrant_records"}, ""},
		{"no sheet to choose", []string{"Notes", "Records"}, "none is named migrant_records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "records.xlsx")
			f := excelize.NewFile()
			for _, s := range tt.sheets {
				f.NewSheet(s)
			}
			f.DeleteSheet("Sheet1")
			sheet := tt.sheets[len(tt.sheets)-1]
			f.SetSheetRow(sheet, "A1", &[]any{"state_id", "mis2000_id", "qad", "eed"})
			f.SetSheetRow(sheet, "A3", &[]any{"0001234567", "000123", 45901, ""})
			if err := f.SaveAs(path); err != nil {
				t.Fatal(err)
			}
			got, err := ReadMigrantRecords(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want an error with %q", err, tt.err)
				}
				return
			}
			want := []RecordRow{{Sheet: sheet, Line: 3, StateID: "0001234567", MIS2000ID: "000123", QAD: 20250901}}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, %v\nwant %+v", got, err, want)
			}
		})
	}
}
