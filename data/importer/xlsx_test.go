package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"migrantdesk/data"
)

// workbookFromCSV writes the CSV files of a folder as the sheets of a
// workbook the way Excel users keep them: dates as real Excel dates,
// small codes (grade, race) as numbers, everything else (IDs included)
// as text. A blank row sits
// under each header, as people leave them.
func workbookFromCSV(t *testing.T, dir, out string, date1904 bool) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
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

func TestWorkbookWithoutOptionalSheets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "extract.xlsx")
	workbookFromCSV(t, "testdata/good", path, false)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, sheet := range []string{"Programs", "Assessments"} {
		if err := f.DeleteSheet(sheet); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	ex, err := ReadExtract(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{data.TablePrograms, data.TableAssessments}; !slices.Equal(ex.Without, want) || len(ex.Students) != 3 {
		t.Errorf("the workbook is without %q, want %q; %d students", ex.Without, want, len(ex.Students))
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
		kind     byte
		date1904 bool
		want     data.Date
		err      string
	}{
		{"45536", 'n', false, 20240901, ""},
		{"44074", 'n', true, 20240901, ""},
		{"1", 'n', false, 19000101, ""},
		{"59", 'n', false, 19000228, ""},
		{"61", 'n', false, 19000301, ""}, // past Excel's phantom 1900-02-29
		{"60", 'n', false, 0, "February 29, 1900, a day that never was"},
		{"60", 'n', true, 19040301, ""},
		{"45536.75", 'n', false, 0, "a time of day"},
		{"2025-09-01T00:00:00Z", 'd', false, 20250901, ""},
		{"09/01/2025", 0, false, 20250901, ""},
		{"2025-09-01", 0, false, 20250901, ""},
		{"45000", 0, false, 0, "use MM/DD/YYYY"}, // text, read as a CSV file reads it
		{"2025-09-01T00:00:00Z", 0, false, 0, "a time of day follows the date"},
		{"", 'n', false, 0, "a date is required"},
		{"0", 'n', false, 0, "not a day between 1900 and 2199"},
		{"0.5", 'n', false, 0, "not a day between 1900 and 2199"},
		{"-1", 'n', false, 0, "not a day between 1900 and 2199"},
		{"2958465", 'n', false, 0, "not a day between 1900 and 2199"},
		{"20250901", 'n', false, 0, "not a day between 1900 and 2199"},
		{"1e5", 'n', false, 0, "not a day between 1900 and 2199"},
		{"NaN", 'n', false, 0, "not a day between 1900 and 2199"},
		{".", 0, false, 0, "use MM/DD/YYYY"},
	}
	for _, tt := range tests {
		got, err := sheetDate(tt.in, tt.kind, tt.date1904, true)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("sheetDate(%q, %q, 1904=%v) = %v, %v; want %v, %q", tt.in, tt.kind, tt.date1904, got, err, tt.want, tt.err)
		}
	}
}

// FuzzSheetDate: any stored value gives a valid date or a DateError.
func FuzzSheetDate(f *testing.F) {
	f.Add("45536", byte('n'), false)
	f.Add("60", byte('n'), false)
	f.Add("2025-09-01T00:00:00Z", byte('d'), false)
	f.Add("09/01/2025", byte(0), true)
	f.Fuzz(func(t *testing.T, v string, kind byte, date1904 bool) {
		d, err := sheetDate(v, kind, date1904, false)
		if err != nil {
			var de *data.DateError
			if !errors.As(err, &de) {
				t.Fatalf("sheetDate(%q): %v is not a DateError", v, err)
			}
			return
		}
		if d.IsZero() {
			if strings.TrimSpace(v) != "" || v != "" {
				t.Fatalf("sheetDate(%q) is no date without an error", v)
			}
			return
		}
		if again, err := data.ParseDate(d.String()); err != nil || again != d {
			t.Fatalf("sheetDate(%q) = %v, not a valid date", v, d)
		}
	})
}

func TestNumericIDRefused(t *testing.T) {
	dir := copyFixture(t, "good")
	path := filepath.Join(t.TempDir(), "extract.xlsx")
	workbookFromCSV(t, dir, path, false)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Typed as a number in Excel: shown 004201 by its format, stored 4201.
	zeros, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("000000")})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellInt("Schools", "A3", 4201); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle("Schools", "A3", "A3", zeros); err != nil {
		t.Fatal(err)
	}
	// A date column holding text that looks like a serial.
	if err := f.SetCellStr("Students", "F3", "45000"); err != nil {
		t.Fatal(err)
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadExtract(path)
	msg := fmt.Sprint(err)
	for _, want := range []string{
		"sheet Schools, row 3, column school_number: 004201 is stored as a number, which loses leading zeros; format the column as text",
		`sheet Students, row 3, column birth_date: "45000" is not a valid date: use MM/DD/YYYY`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("want %q in\n%s", want, msg)
		}
	}
}

// TestRunLimitCountsBetweenOpenings: a raw '>' is text, so a long run of
// them is refused like any long value, while a longest real cell passes.
func TestRunLimitCountsBetweenOpenings(t *testing.T) {
	for _, c := range []struct {
		name string
		xml  string
		want error
	}{
		{"a run of >", "<v>" + strings.Repeat(">", maxRun+1) + "</v>", errRun},
		{"> in attributes", `<c a="` + strings.Repeat(">", maxRun) + `">x</c>`, errRun},
		{"a longest cell, escaped", "<t>" + strings.Repeat("&amp;", 32767) + "</t>", nil},
	} {
		_, err := io.Copy(io.Discard, &runLimit{r: strings.NewReader(c.xml)})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

// itemCount counts si elements, with a namespace prefix or none, however
// the part is cut into chunks.
func TestSharedStringItemsCounted(t *testing.T) {
	part := `<?xml version="1.0"?><sst count="4"><si><t>a</t></si><x:si><x:t>b</x:t></x:si><sis/><si
/><si/><sid>c</sid></sst>`
	for size := 1; size <= len(part); size++ {
		var c itemCount
		for s := part; len(s) > 0; s = s[min(size, len(s)):] {
			if _, err := c.Write([]byte(s[:min(size, len(s))])); err != nil {
				t.Fatal(err)
			}
		}
		if c.n != 4 {
			t.Errorf("chunks of %d bytes: %d items, want 4", size, c.n)
		}
	}
}
