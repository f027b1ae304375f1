package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeDetail writes the workbook of a district to a file and opens it
// again with excelize, as a user's spreadsheet program would.
func writeDetail(t *testing.T, q *QA, password string) (*excelize.File, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "detail.xlsx")
	if err := q.WriteDetailFile(path, testMeta, password); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path, excelize.Options{Password: password})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, path
}

func TestDetailWorkbookValues(t *testing.T) {
	st := loadState(t)
	f, _ := writeDetail(t, build(t, st, "001"), "")
	cases, want := expectedRows(t, "expected_detail_001.csv")

	if got := f.GetSheetList(); strings.Join(got, "|") != DetailSheet+"|"+AboutSheet {
		t.Errorf("sheets %q", got)
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("the detail sheet is not the one that opens")
	}
	rows, err := f.GetRows(DetailSheet)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], "|") != strings.Join(DetailColumns[:], "|") {
		t.Errorf("header %q", rows[0])
	}
	if len(rows)-1 != len(want) {
		t.Fatalf("%d data rows, want %d", len(rows)-1, len(want))
	}
	for i, w := range want {
		got := rows[i+1]
		for j := range DetailColumns {
			var g string
			if j < len(got) {
				g = got[j]
			}
			if g != w[j] {
				t.Errorf("row %d (%s), %s = %q, want %q", i+2, cases[i], DetailColumns[j], g, w[j])
			}
		}
	}
}

// TestDetailWorkbookDates checks that dates are numbers (Excel serial
// days) shown through the MM/DD/YYYY format, so they sort as dates.
func TestDetailWorkbookDates(t *testing.T) {
	st := loadState(t)
	f, _ := writeDetail(t, build(t, st, "001"), "")
	dateCols := map[string]bool{"Birth Date": true, "Enrollment Start Date": true, "Withdrawal Date (blank while enrolled)": true,
		"Last Qualifying Arrival Date": true, "Eligibility Expiration Date": true}
	// Row 2 is Álvarez: born 02/11/2009, enrolled 08/12/2024, QAD
	// 06/15/2023, EED 06/14/2026; serial days counted from 12/30/1899.
	serials := map[string]string{"F2": "39855", "M2": "45516", "P2": "45092", "Q2": "46187"}
	for cell, want := range serials {
		got, err := f.GetCellValue(DetailSheet, cell, excelize.Options{RawCellValue: true})
		if err != nil || got != want {
			t.Errorf("%s raw value %q, %v; want the serial %s", cell, got, err, want)
		}
	}
	for j, name := range DetailColumns {
		if !dateCols[name] {
			continue
		}
		for row := 2; row <= 14; row++ {
			cell, _ := excelize.CoordinatesToCellName(j+1, row)
			v, _ := f.GetCellValue(DetailSheet, cell, excelize.Options{RawCellValue: true})
			if v == "" {
				continue // Withdrawal Date while enrolled
			}
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				t.Errorf("%s (%s) holds %q, not a date serial", cell, name, v)
			}
			id, _ := f.GetCellStyle(DetailSheet, cell)
			style, err := f.GetStyle(id)
			if err != nil || style.CustomNumFmt == nil || *style.CustomNumFmt != "mm/dd/yyyy" {
				t.Errorf("%s (%s) style %d has number format %v, %v", cell, name, id, style, err)
			}
		}
	}
	// The blank Withdrawal Date of a student still enrolled is an empty
	// cell, which is what the "(Blanks)" filter finds.
	if v, _ := f.GetCellValue(DetailSheet, "N2"); v != "" {
		t.Errorf("N2 = %q, want blank", v)
	}
}

func TestDetailWorkbookHighlight(t *testing.T) {
	st := loadState(t)
	f, _ := writeDetail(t, build(t, st, "001"), "")
	col, _ := excelize.ColumnNumberToName(ColEconomicallyDisadvantaged + 1)
	if h, _ := f.GetCellValue(DetailSheet, col+"1"); h != "Economically Disadvantaged (Yes/No)" {
		t.Fatalf("column %s is %q", col, h)
	}
	nos := 0
	for row := 2; row <= 14; row++ {
		cell := fmt.Sprintf("%s%d", col, row)
		v, _ := f.GetCellValue(DetailSheet, cell)
		id, _ := f.GetCellStyle(DetailSheet, cell)
		style, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		filled := style.Fill.Type == "pattern" && len(style.Fill.Color) == 1 && style.Fill.Color[0] == "FFC7CE"
		if v == "No" {
			nos++
		}
		if filled != (v == "No") {
			t.Errorf("%s = %q but highlighted is %v", cell, v, filled)
		}
	}
	// Benítez, Díaz, Katz, Martínez: reduced, none, paid, paid.
	if nos != 4 {
		t.Errorf("%d highlighted No, want 4", nos)
	}
	// A "No" in another Yes/No column is not highlighted.
	id, _ := f.GetCellStyle(DetailSheet, "S2") // Homeless, Álvarez: No
	if style, _ := f.GetStyle(id); style.Fill.Pattern != 0 || len(style.Fill.Color) > 0 {
		t.Errorf("Homeless No is highlighted: %+v", style.Fill)
	}
}

func TestDetailWorkbookHeaderFrozenAndFiltered(t *testing.T) {
	st := loadState(t)
	f, _ := writeDetail(t, build(t, st, "001"), "")
	panes, err := f.GetPanes(DetailSheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v: want the first row frozen", panes)
	}
	tables, err := f.GetTables(DetailSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || tables[0].Range != "A1:W14" || tables[0].Name != DetailTable {
		t.Fatalf("tables %+v: want one table over A1:W14 (the header and 13 rows)", tables)
	}
	if tables[0].ShowHeaderRow != nil && !*tables[0].ShowHeaderRow {
		t.Errorf("the table hides its header row, so it has no filter buttons")
	}
	// Each column is wide enough for its longest value.
	for j, name := range DetailColumns {
		colName, _ := excelize.ColumnNumberToName(j + 1)
		w, _ := f.GetColWidth(DetailSheet, colName)
		if w < 8 || w > 62 {
			t.Errorf("column %s (%s) is %.1f wide", colName, name, w)
		}
	}
	if w, _ := f.GetColWidth(DetailSheet, "K"); w < float64(len("Escuela Primaria Núñez")) {
		t.Errorf("School Name is %.1f wide, narrower than its longest name", w)
	}
}

func TestDetailWorkbookAboutSheet(t *testing.T) {
	st := loadState(t)
	f, _ := writeDetail(t, build(t, st, "002"), "")
	rows, err := f.GetRows(AboutSheet)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, r := range rows {
		text.WriteString(strings.Join(r, " ") + "\n")
	}
	for _, want := range []string{
		"District 002 Río Grande",
		"Reporting period 08/01/2024 – 06/30/2025",
		"Generated 11/02/2026 2:05 PM UTC by coord.núñez",
		"Rows 2 enrollments of 2 students",
		"out-of-school youth", "preschool", "grade 14", "private (non-public) school",
		"personally identifiable information",
		"highlighted \"No\" under Economically Disadvantaged",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the About sheet does not say %q:\n%s", want, text.String())
		}
	}
}

func TestDetailWorkbookPassword(t *testing.T) {
	st := loadState(t)
	_, path := writeDetail(t, build(t, st, "002"), "s3cret Año")
	if _, err := excelize.OpenFile(path); err == nil {
		t.Fatal("the workbook opens without its password")
	}
	if _, err := excelize.OpenFile(path, excelize.Options{Password: "wrong"}); err == nil {
		t.Fatal("the workbook opens with a wrong password")
	}
	// An encrypted workbook is an OLE compound file, not a zip: what Excel
	// and LibreOffice recognise as "ask for the password".
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}) {
		t.Errorf("the encrypted file starts % x", b[:8])
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("the workbook holds PII but has mode %v", info.Mode().Perm())
	}
}

func TestDetailWorkbookEmpty(t *testing.T) {
	st := loadState(t)
	f, _ := writeDetail(t, build(t, st, "003"), "")
	rows, err := f.GetRows(DetailSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Errorf("%d rows, want the header alone", len(rows))
	}
	tables, _ := f.GetTables(DetailSheet)
	if len(tables) != 1 || tables[0].Range != "A1:W2" {
		t.Errorf("tables %+v: an empty report still gets its table (Excel needs one data row)", tables)
	}
}
