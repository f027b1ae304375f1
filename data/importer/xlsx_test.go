package importer

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"migrantdesk/data"
)

// workbookFromCSV writes the CSV files of a folder as the sheets of a
// workbook the way Excel users keep them: dates as real Excel dates,
// small codes (grade, race) as numbers, one school number as a number
// shown with a "000000" format, everything else as text. A blank row sits
// under each header, as people leave them.
func workbookFromCSV(t *testing.T, dir, out string, date1904 bool) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
		t.Fatal(err)
	}
	zeros, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("000000")})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"regions", "districts", "schools", "students", "enrollments", "programs", "assessments"} {
		in, err := os.Open(filepath.Join(dir, name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(in).ReadAll()
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.NewSheet(strings.ToUpper(name[:1]) + name[1:]); err != nil {
			t.Fatal(err)
		}
		sheet := strings.ToUpper(name[:1]) + name[1:]
		header := recs[0]
		for r, rec := range recs {
			row := r + 1
			if r > 0 {
				row++ // the blank row
			}
			for c, v := range rec {
				cell, _ := excelize.CoordinatesToCellName(c+1, row)
				col := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[c], "\ufeff")))
				switch {
				case r == 0:
					err = f.SetCellStr(sheet, cell, col)
				case strings.HasSuffix(col, "date") && len(v) == 10 && v[4] == '-':
					day, perr := time.Parse("2006-01-02", v)
					if perr != nil {
						t.Fatal(perr)
					}
					err = f.SetCellValue(sheet, cell, day)
				case (col == "grade" || col == "race_ethnicity") && isNumber(v):
					n, _ := strconv.Atoi(v)
					err = f.SetCellInt(sheet, cell, int64(n))
				case col == "school_number" && v == "004201":
					if err = f.SetCellInt(sheet, cell, 4201); err == nil {
						err = f.SetCellStyle(sheet, cell, cell, zeros)
					}
				default:
					err = f.SetCellStr(sheet, cell, v)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
}

// isNumber is true for a number Excel would store as one: no leading zero.
func isNumber(v string) bool {
	n, err := strconv.Atoi(v)
	return err == nil && strconv.Itoa(n) == v
}

func ptr[T any](v T) *T { return &v }

func TestWorkbookReadsLikeCSV(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		t.Run("date1904="+strconv.FormatBool(date1904), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "extract.xlsx")
			workbookFromCSV(t, "testdata/good", path, date1904)
			ex, err := ReadExtract(path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*ex, goodExtract) {
				t.Errorf("got\n%+v\nwant\n%+v", *ex, goodExtract)
			}
		})
	}
}

func TestWorkbookProblemsNameSheetAndRow(t *testing.T) {
	dir := copyFixture(t, "good")
	writeFile(t, dir, "enrollments.csv", "enrollment_id,state_id,school_number,grade,service_type,start_date,end_date\n"+
		"E0001,0001234567,004201,5,P,2024-08-14,\n"+
		"E0002,0001234567,004201,5,P,2024-08-14,2024-08-01\n"+
		"E0001,0001234567,004201,5,Q,14/08/2024,\n")
	os.Remove(filepath.Join(dir, "regions.csv"))
	path := filepath.Join(t.TempDir(), "extract.xlsx")
	writeFile(t, dir, "regions.csv", "region_code,region_name\n01,Central\n02,Northern\n")
	workbookFromCSV(t, dir, path, false)
	_, err := ReadExtract(path)
	got := problems(t, err)
	// rows 1 and 2 are the header and the blank row
	want := []string{
		"extract.xlsx, sheet Enrollments, row 4, column end_date: the end date 2024-08-01 is before the start date 2024-08-14",
		`extract.xlsx, sheet Enrollments, row 5, column service_type: "Q" is not a service type: P, S or N`,
		`extract.xlsx, sheet Enrollments, row 5, column start_date: "14/08/2024" is not a valid date: month 14 is not between 1 and 12`,
		"extract.xlsx, sheet Enrollments, row 5, column enrollment_id: enrollment_id E0001 is also on row 3",
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", err)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("got  %s\nwant %s", got[i], want[i])
		}
	}
}

func TestWorkbookMissingSheet(t *testing.T) {
	dir := copyFixture(t, "good")
	path := filepath.Join(t.TempDir(), "extract.xlsx")
	workbookFromCSV(t, dir, path, false)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteSheet("Schools"); err != nil {
		t.Fatal(err)
	}
	if err := f.DeleteSheet("Programs"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadExtract(path)
	got := problems(t, err)
	if len(got) != 1 || got[0].String() != "extract.xlsx, sheet schools: the workbook has no sheet schools: file does not exist" {
		t.Errorf("got %v", err)
	}
}

func TestSheetDate(t *testing.T) {
	tests := []struct {
		in       string
		date1904 bool
		want     data.Date
		err      string
	}{
		{"45536", false, 20240901, ""},
		{"44074", true, 20240901, ""},
		{"45536.75", false, 20240901, ""}, // a time of day is dropped
		{"1", false, 19000101, ""},
		{"61", false, 19000301, ""}, // past Excel's phantom 1900-02-29
		{"2025-09-01T00:00:00Z", false, 20250901, ""},
		{"09/01/2025", false, 20250901, ""},
		{"2025-09-01", false, 20250901, ""},
		{"", false, 0, "a date is required"},
		{"0", false, 0, "not a day between 1900 and 2199"},
		{"0.5", false, 0, "not a day between 1900 and 2199"},
		{"2958465", false, 0, "not a day between 1900 and 2199"},
		{"20250901", false, 0, "not a day between 1900 and 2199"},
		{"1e5", false, 0, "use MM/DD/YYYY"},
		{".", false, 0, "use MM/DD/YYYY"},
	}
	for _, tt := range tests {
		got, err := sheetDate(tt.in, tt.date1904, true)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("sheetDate(%q, 1904=%v) = %v, %v; want %v, %q", tt.in, tt.date1904, got, err, tt.want, tt.err)
		}
	}
}
