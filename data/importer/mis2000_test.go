package importer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"migrantdesk/data"
)

// wantVariantRows are the two students every header variant under
// testdata/mis2000 holds.
var wantVariantRows = []data.MIS2000Row{
	{Line: 2, MIS2000ID: "01234567", LastName: "García López", FirstName: "María José",
		BirthDate: data.NewDate(2012, time.May, 5), QAD: data.NewDate(2025, time.September, 1),
		EED: data.NewDate(2028, time.August, 31), District: "001"},
	{Line: 3, MIS2000ID: "7654321", LastName: "O'Neil", FirstName: "Sean",
		BirthDate: data.NewDate(2011, time.March, 3), QAD: data.NewDate(2024, time.January, 15),
		EED: data.NewDate(2027, time.January, 14), District: "002"},
}

func readVariant(t *testing.T, name string) *MIS2000File {
	t.Helper()
	x, err := ReadMIS2000(filepath.Join("testdata", "mis2000", name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return x
}

func TestReadMIS2000HeaderVariants(t *testing.T) {
	for name, unknown := range map[string][]string{
		"names_split.csv": nil,                 // MIS2000 ID, Last Name 1 + 2, Birth Date, QAD, EED, District, Gender, School, Grade
		"short_names.csv": nil,                 // MIS ID, Last Name, DOB, Qualifying Arrival Date, EOE Date, District Number
		"punctuated.csv":  nil,                 // student_id (mis), LAST NAME, first-name, Birthdate, Last Qualifying Arrival Date, End of Eligibility
		"bom_unknown.csv": {"Notes", "Region"}, // Student ID (MIS), Last_Name, Eligibility Expiration Date; a BOM and CRLF
	} {
		t.Run(name, func(t *testing.T) {
			x := readVariant(t, name)
			want := slices.Clone(wantVariantRows)
			if name == "names_split.csv" {
				want[0].Gender, want[0].School, want[0].Grade = "F", "Adair Elementary", "06"
				want[1].Gender, want[1].School, want[1].Grade = "M", "Barren Middle", "08"
			}
			if !reflect.DeepEqual(x.Rows, want) {
				t.Errorf("rows:\n%+v\nwant\n%+v", x.Rows, want)
			}
			if !slices.Equal(x.Unknown, unknown) || len(x.Absent) > 0 || x.Skipped.Len() > 0 {
				t.Errorf("unknown %q, absent %q, skipped %v", x.Unknown, x.Absent, x.Skipped.Problems)
			}
		})
	}
}

// TestReadMIS2000Workbook reads the first sheet of a workbook the way
// people keep one: dates as date cells (one as a bare serial number, one
// typed as text), a blank row, and a second sheet that is not read. An
// MIS2000 ID typed as a number has lost its leading zeros: that row is
// refused. A district typed as a number is read as written, as a CSV
// file gives it, "3": the comparison restores its zeros when only one
// district fits.
func TestReadMIS2000Workbook(t *testing.T) {
	path := filepath.Join(t.TempDir(), "MIS2000 export.xlsx")
	f := excelize.NewFile()
	const sheet = "MIS2000 Students"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", sheet))
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	rows := [][]any{
		{"MIS ID", "Last Name 1", "Last Name 2", "First Name", "Birthdate", "QAD", "EOE Date", "District", "Grade"},
		{"01234567", "García", "López", "María José", time.Date(2012, 5, 5, 0, 0, 0, 0, time.UTC),
			time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 8, 31, 0, 0, 0, 0, time.UTC), "1", 6},
		{},
		{"7654321", "O'Neil", "", "Sean", "03/03/2011", 45306.0, "2027-01-14", "002"},
		{"7777777", "Num", "", "Ned", "03/03/2011", 45306.0, "2027-01-14", 3},
		{1234567, "Numb", "", "Nora", "03/03/2011", 45306.0, "2027-01-14", "002"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(f.SetSheetRow(sheet, cell, &r))
	}
	must(f.SetCellStyle(sheet, "E2", "G4", dateStyle))
	other, err := f.NewSheet("Notes")
	must(err)
	must(f.SetCellStr("Notes", "A1", "not the export"))
	f.SetActiveSheet(other)
	must(f.SaveAs(path))
	must(f.Close())

	x, err := ReadMIS2000(path)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(wantVariantRows)
	want[0].District, want[0].Grade = "1", "6"
	want[1].Line = 4
	num := want[1]
	num.Line, num.MIS2000ID, num.LastName, num.FirstName, num.District = 5, "7777777", "Num", "Ned", "3"
	want = append(want, num)
	if !reflect.DeepEqual(x.Rows, want) || x.Sheet != sheet || x.File != "MIS2000 export.xlsx" {
		t.Errorf("read %s / %s:\n%+v\nwant\n%+v", x.File, x.Sheet, x.Rows, want)
	}
	if msg := x.Skipped.Error(); !strings.Contains(msg, "row 6, column MIS2000 ID: 1234567 is stored as a number, which loses leading zeros; format the column as text") {
		t.Errorf("the MIS2000 ID typed as a number: %s", msg)
	}
	// The rows refused for a number keep it, for whose rows they are: an
	// MIS2000 ID of 0001234567 may be that row's.
	if got, want := unreadRows(x), []string{"6 1234567 002"}; !slices.Equal(got, want) {
		t.Errorf("rows not read %q, want %q", got, want)
	}
}

func TestReadMIS2000RefusesMissingColumns(t *testing.T) {
	_, err := ReadMIS2000(filepath.Join("testdata", "mis2000", "missing.csv"))
	var pl *ProblemList
	if !errors.As(err, &pl) {
		t.Fatalf("want a problem list, got %v", err)
	}
	var cols []string
	for _, p := range pl.Problems {
		cols = append(cols, p.Column)
		if p.File != "missing.csv" || p.Line != 1 || !strings.Contains(p.Msg, "the header has no "+p.Column+" column") {
			t.Errorf("problem %q", p)
		}
	}
	if want := []string{"MIS2000 ID", "Last Name", "QAD"}; !slices.Equal(cols, want) {
		t.Errorf("missing columns %q, want %q", cols, want)
	}
	if msg := err.Error(); !strings.Contains(msg, "(it may be headed MIS2000 ID, MIS ID, Student ID (MIS), MIS2000 #, MIS2000)") {
		t.Errorf("the message does not say how the column may be headed: %s", msg)
	}
}

func TestReadMIS2000OptionalColumns(t *testing.T) {
	x := readVariant(t, "no_eed_district.csv")
	if want := []string{"EED", "District"}; !slices.Equal(x.Absent, want) || x.Has("EED") || x.Has("District") {
		t.Errorf("absent %q, want %q", x.Absent, want)
	}
	if len(x.Rows) != 1 || !x.Rows[0].EED.IsZero() || x.Rows[0].District != "" {
		t.Errorf("rows %+v", x.Rows)
	}
}

// writeTemp writes content to a file of that name in a temp folder.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReadMIS2000BadRows: each bad row is reported with its line and left
// out; the good rows around them are read.
func TestReadMIS2000BadRows(t *testing.T) {
	const header = "MIS2000 ID,Last Name,First Name,Birth Date,QAD,EED,District\n"
	content := header +
		"11111111,Torres,Ana,03/04/2012,09/01/2024,08/31/2027,001\n" + // 2: good
		"22222222,Ruiz,Alberto,05/06/2011,02/30/2025,,001\n" + // 3: no February 30
		"ABC,Díaz,Carla,07/08/2013,10/01/2024,,001\n" + // 4: not an MIS2000 ID
		"33333333,,Carla,07/08/2013,10/01/2024,,001\n" + // 5: no last name
		"\"44444444\",\"Núñez\nDarío\",Darío,02/03/2010,03/01/2025,,002\n" + // 6-7: a line break is no part of a name
		"55555555,Gómez,Elena,09/10/2012,08/20/2024\n" + // 8: too few fields
		"66666666,\"Hernandez,Maria,02/02/2011,09/15/2025,,001\n" + // 9: a quote not closed, to the end
		""
	x, err := ReadMIS2000(writeTemp(t, "export.csv", content))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range x.Rows {
		ids = append(ids, r.MIS2000ID+"@"+strconv.Itoa(r.Line))
	}
	if want := []string{"11111111@2"}; !slices.Equal(ids, want) {
		t.Errorf("rows read %q, want %q", ids, want)
	}
	var got []string
	for _, p := range x.Skipped.Problems {
		got = append(got, strconv.Itoa(p.Line)+" "+p.Column)
	}
	want := []string{"3 QAD", "4 MIS2000 ID", "5 Last Name", "6 Last Name", "8 ", "9 "}
	if !slices.Equal(got, want) {
		t.Errorf("problems at %q, want %q:\n%v", got, want, x.Skipped.Error())
	}
	// The rows not read, with their ID where it is one (the
	// reconciliation must not say that those students are not in the
	// export) and their district where it was read (the district's
	// message says that a row of theirs was not compared). A line cut
	// short has no district to trust.
	if got, want := unreadRows(x), []string{"3 22222222 001", "4  001", "5 33333333 001", "6 44444444 002", "8 55555555 "}; !slices.Equal(got, want) {
		t.Errorf("rows not read %q, want %q", got, want)
	}
}

// unreadRows are the rows of x not read as "line ID district".
func unreadRows(x *MIS2000File) []string {
	var out []string
	for _, u := range x.Unread {
		out = append(out, fmt.Sprintf("%d %s %s", u.Line, u.MIS2000ID, u.District))
	}
	return out
}

func TestReadMIS2000Bounds(t *testing.T) {
	const header = "MIS2000 ID,Last Name,First Name,Birth Date,QAD,Comment\n"
	long := strings.Repeat("x", MaxMIS2000Field+1)
	x, err := ReadMIS2000(writeTemp(t, "long.csv", header+
		"11111111,"+long+",Ana,03/04/2012,09/01/2024,ok\n"+
		"22222222,Ruiz,Alberto,05/06/2011,02/15/2025,"+long+"\n"+ // a long value in a column not read is no problem
		"33333333,Díaz,\xff\xfe,07/08/2013,10/01/2024,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Rows) != 1 || x.Rows[0].MIS2000ID != "22222222" {
		t.Errorf("rows %+v", x.Rows)
	}
	if msg := x.Skipped.Error(); !strings.Contains(msg, "line 2, column Last Name: the value is too long (301 bytes, at most 300); check that the column holds what its header says") ||
		!strings.Contains(msg, "line 4, column First Name: character 1 is not UTF-8 text (byte 0xFF); save the file as UTF-8") {
		t.Errorf("problems: %s", msg)
	}

	big := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(big, []byte(header), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxMIS2000Bytes+1); err != nil { // sparse: nothing is written
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		big:                                               "more than an MIS2000 export ever has (at most 64 MB)",
		writeTemp(t, "old.xls", "x"):                      "old Excel format (.xls); open it in Excel and save it as .xlsx or as CSV",
		t.TempDir():                                       "is a folder",
		filepath.Join(t.TempDir(), "none"):                "none is not there; check its folder and name",
		writeTemp(t, "fake.xlsx", "x"):                    "is not an Excel workbook: it holds text (CSV saved with an .xlsx name?)",
		writeTemp(t, "bin.xlsx", "\x00x"):                 "is not a workbook Excel can open",
		writeTemp(t, "empty.csv", ""):                     "empty.csv is empty; export the students from MIS2000 again",
		writeTemp(t, "header.csv", header):                "the file has a header but no student rows",
		writeTemp(t, "allbad.csv", header+"1,a,b,c,d,\n"): `line 2, column Birth Date: "c" is not a valid date`,
		writeTemp(t, "twice.csv", "MIS ID,Last Name,Last Name 1,First Name,DOB,QAD\n"): `column Last Name: the header has this column twice ("Last Name" and "Last Name 1"); keep one`,
		writeTemp(t, "semicolons.csv", "MIS ID;Last Name;First Name;DOB;QAD\n"):        "one field with semicolons",
	} {
		if _, err := ReadMIS2000(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", filepath.Base(path), err, want)
		}
	}
}

// FuzzReadMIS2000 reads arbitrary bytes as an MIS2000 export: no panic,
// and either a refusal that lists problems, or rows that keep the rules
// (every value read, within bounds, lines in order) with every skipped
// row located.
func FuzzReadMIS2000(f *testing.F) {
	for _, name := range []string{"names_split.csv", "short_names.csv", "punctuated.csv", "bom_unknown.csv", "missing.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", "mis2000", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("MIS ID,Last Name,First Name,DOB,QAD\n1,a,b,1/2/2000,2001-02-03\n,\"x\ny\",,,\n"))
	f.Fuzz(func(t *testing.T, content []byte) {
		x, err := readMIS2000(newCSVRows(bytes.NewReader(content), nil, int64(len(content))), Problem{File: "export.csv"}, false)
		if err != nil {
			var pl *ProblemList
			if !errors.As(err, &pl) || pl.Len() == 0 || !strings.Contains(err.Error(), "export.csv") {
				t.Fatalf("want a problem list, got %v", err)
			}
			return
		}
		if len(x.Rows) == 0 {
			t.Fatal("no rows and no refusal")
		}
		last := 1
		for _, r := range x.Rows {
			if r.Line <= last || data.ValidateMIS2000ID(r.MIS2000ID) != nil || r.LastName == "" || r.FirstName == "" ||
				r.BirthDate.IsZero() || r.QAD.IsZero() || len(r.FirstName) > MaxMIS2000Field || len(r.District) > MaxMIS2000Field {
				t.Fatalf("bad row %+v after line %d", r, last)
			}
			for _, s := range []string{r.MIS2000ID, r.FirstName, r.District, r.Gender, r.School, r.Grade} {
				if c, err := data.CleanText(s); err != nil || c != s {
					t.Fatalf("text %q of row %+v is not clean", s, r)
				}
			}
			last = r.Line
		}
		for _, p := range x.Skipped.Problems {
			if p.Line < 2 || p.Msg == "" {
				t.Fatalf("a skipped row that says too little: %+v", p)
			}
		}
	})
}

// TestReadMIS2000Windows1252: an export opened in Excel and saved as "CSV
// (Comma delimited)" is Windows-1252, not UTF-8; read as UTF-8, every row
// with an accent was left out ("not UTF-8 text; save the file as UTF-8"),
// 54 rows of 120 in a demo region's export.
func TestReadMIS2000Windows1252(t *testing.T) {
	const text = "MIS2000 ID,Last Name,First Name,Birth Date,QAD\r\n" +
		"11111111,Núñez Peña,José,03/04/2012,09/01/2024\r\n" +
		"22222222,Smith,Ann,05/06/2011,02/15/2025\r\n" +
		"33333333,O’Brien,Zoë,07/08/2013,10/01/2024\r\n"
	ansi, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	x, err := ReadMIS2000(writeTemp(t, "excel.csv", ansi))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range x.Rows {
		names = append(names, r.LastName+", "+r.FirstName)
	}
	if want := []string{"Núñez Peña, José", "Smith, Ann", "O’Brien, Zoë"}; !slices.Equal(names, want) || x.Skipped.Len() != 0 {
		t.Errorf("names %q, want %q; %v", names, want, x.Skipped.Error())
	}
	if x.Encoding != "Windows-1252" {
		t.Errorf("encoding %q", x.Encoding)
	}
	if x, err := ReadMIS2000(writeTemp(t, "utf8.csv", text)); err != nil || x.Encoding != "UTF-8" || x.Rows[0].LastName != "Núñez Peña" {
		t.Errorf("the UTF-8 file: %v, %+v", err, x)
	}
}
