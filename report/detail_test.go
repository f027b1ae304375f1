package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"migrantdesk/data"
	"migrantdesk/data/store"
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
	if strings.Join(rows[0], "|") != strings.Join(DetailColumns[:], "|")+"|New since" {
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
		// Nobody exported the district before: every row is new.
		if len(got) != NumWorkbookColumns || got[NumDetailColumns] != "Yes" {
			t.Errorf("row %d (%s): New since %q, want Yes", i+2, cases[i], got[NumDetailColumns:])
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
	if len(tables) != 1 || tables[0].Range != "A1:X14" || tables[0].Name != DetailTable {
		t.Fatalf("tables %+v: want one table over A1:X14 (the header and 13 rows)", tables)
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

// TestDetailWorkbookAboutSheetOneRow: a district with one student in the
// report reads "1 enrollment of 1 student", not "1 enrollments of 1
// students".
func TestDetailWorkbookAboutSheetOneRow(t *testing.T) {
	f, _ := writeDetail(t, manySchools(1), "")
	got, err := f.GetCellValue(AboutSheet, "B6")
	if err != nil {
		t.Fatal(err)
	}
	if label, _ := f.GetCellValue(AboutSheet, "A6"); label != "Rows" || got != "1 enrollment of 1 student" {
		t.Errorf("the About sheet says %s %q, want Rows \"1 enrollment of 1 student\"", label, got)
	}
}

func TestDetailWorkbookPassword(t *testing.T) {
	st := loadState(t)
	q := build(t, st, "002")
	f, path := writeDetail(t, q, "s3cret Año")
	if _, err := excelize.OpenFile(path); err == nil {
		t.Fatal("the workbook opens without its password")
	}
	if _, err := excelize.OpenFile(path, excelize.Options{Password: "wrong"}); err == nil {
		t.Fatal("the workbook opens with a wrong password")
	}
	// Every cell of every sheet reads back as in the same workbook
	// written without a password.
	plain, _ := writeDetail(t, q, "")
	if got, want := f.GetSheetList(), plain.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	for _, sheet := range plain.GetSheetList() {
		got, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		want, err := plain.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) < 2 || !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s: %d rows read back from the encrypted workbook differ from the %d written", sheet, len(got), len(want))
		}
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
	// Agile, as DetailEncryption tells the audit log: AES-256 and SHA-512.
	for _, want := range []string{`keyBits="256"`, `hashAlgorithm="SHA512"`, `spinCount="100000"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("the encryption descriptor lacks %s", want)
		}
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
	if len(tables) != 1 || tables[0].Range != "A1:X2" {
		t.Errorf("tables %+v: an empty report still gets its table (Excel needs one data row)", tables)
	}
}

// TestDetailNewSince: New since is Yes for a row whose enrollment started
// or whose record reached the district after the exporter's previous
// Detail export of the district, which the audit log knows: a completed
// export of that user, that district and that report.
func TestDetailNewSince(t *testing.T) {
	st := loadState(t)
	ctx := context.Background()
	audit := func(at time.Time, user, district, kind, stage string) {
		st.SetClock(func() time.Time { return at })
		err := st.AuditExport(ctx, user, store.ExportAudit{Report: kind, District: district, Period: PeriodKey(period), File: "/tmp/x", Stage: stage})
		if err != nil {
			t.Fatal(err)
		}
	}
	before := time.Date(2024, time.September, 1, 15, 0, 0, 0, time.UTC)
	audit(before, "coord", "001", DetailKind.Name, store.ExportCompleted)
	audit(before.AddDate(0, 0, 1), "coord", "001", DetailKind.Name, store.ExportStarted)
	audit(before.AddDate(0, 0, 2), "other", "001", DetailKind.Name, store.ExportCompleted)
	audit(before.AddDate(0, 0, 3), "coord", "002", DetailKind.Name, store.ExportCompleted)
	audit(before.AddDate(0, 0, 4), "coord", "001", AggregatedKind.Name, store.ExportCompleted)
	coord := data.User{Username: "coord", FullName: "Coordinator", Role: data.RoleCoordinator, Districts: []string{"001"}}
	if err := st.SaveUser(ctx, "test", coord); err != nil {
		t.Fatal(err)
	}
	if q, err := Build(ctx, st, coord, "001", period); q != nil || !errors.Is(err, data.ErrAccess) {
		t.Errorf("their district, not granted: a report %v, error %v; want no report and a refusal", q != nil, err)
	}
	if err := st.SetReportAccess(ctx, data.Operator("admin"), coord.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	q, err := Build(ctx, st, coord, "001", period)
	if err != nil {
		t.Fatal(err)
	}
	if q, err := Build(ctx, st, coord, "002", period); q != nil || !errors.Is(err, data.ErrAccess) {
		t.Errorf("another coordinator's district: a report %v, error %v; want no report and a refusal", q != nil, err)
	}
	if q.Since.At != "2024-09-01T15:00:00Z" {
		t.Fatalf("previous export %+v, want coord's completed Detail export of 001", q.Since)
	}
	// The records reached the district after it (they were published
	// now): every row is new. Seen as of a later export, only the
	// enrollments that started after it are.
	for i := range q.Rows {
		if !q.NewSince(&q.Rows[i]) {
			t.Errorf("row %d is not new, though its record arrived after the export", i+1)
		}
	}
	q.Since = data.WorkSince{At: "2999-01-01T00:00:00Z", Day: data.NewDate(2024, time.August, 12)}
	f, _ := writeDetail(t, q, "")
	rows, err := f.GetRows(DetailSheet)
	if err != nil {
		t.Fatal(err)
	}
	yes := 0
	for i, r := range q.Rows {
		want := "No"
		if r.Enrollment.Start > q.Since.Day {
			want = "Yes"
			yes++
		}
		if got := rows[i+1][NumDetailColumns]; got != want {
			t.Errorf("row %d, enrolled %s: New since %q, want %q", i+2, r.Enrollment.Start, got, want)
		}
	}
	if yes == 0 || yes == len(q.Rows) {
		t.Errorf("%d of %d rows new: the case does not tell Yes from No", yes, len(q.Rows))
	}
	about, _ := f.GetRows(AboutSheet)
	if !slices.ContainsFunc(about, func(r []string) bool {
		return len(r) > 1 && r[0] == NewSinceColumn && strings.Contains(r[1], "(08/12/2024)")
	}) {
		t.Errorf("the About sheet does not explain New since: %q", about)
	}
}

// TestDetailWorkbookPrints: the detail sheet prints landscape on Letter,
// one page wide and as many tall as it needs, with narrow side margins
// and the header row repeated on every page.
func TestDetailWorkbookPrints(t *testing.T) {
	st := loadState(t)
	f, _ := writeDetail(t, build(t, st, "001"), "")
	layout, err := f.GetPageLayout(DetailSheet)
	if err != nil {
		t.Fatal(err)
	}
	if layout.Orientation == nil || *layout.Orientation != "landscape" || layout.Size == nil || *layout.Size != 1 ||
		layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.FitToHeight == nil || *layout.FitToHeight != 0 {
		t.Errorf("page layout %+v: want landscape Letter, one page wide, any number tall", layout)
	}
	props, err := f.GetSheetProps(DetailSheet)
	if err != nil || props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("sheet props %+v %v: fit to page is off, so the fit numbers are ignored", props, err)
	}
	margins, err := f.GetPageMargins(DetailSheet)
	if err != nil || margins.Left == nil || *margins.Left > 0.3 || margins.Right == nil || *margins.Right > 0.3 {
		t.Errorf("margins %+v %v", margins, err)
	}
	titles := false
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm.Print_Titles" && n.Scope == DetailSheet && n.RefersTo == "'"+DetailSheet+"'!$1:$1" {
			titles = true
		}
	}
	if !titles {
		t.Errorf("no print titles for the header row: %+v", f.GetDefinedName())
	}
}

// TestDetailWorkbookLongDistrictName: a district name may be as long as
// any imported text (data.MaxTextBytes), but Excel refuses a page header
// longer than 255 characters, so the printed header shortens the name
// rather than the export failing; the About sheet keeps it whole.
func TestDetailWorkbookLongDistrictName(t *testing.T) {
	name := ("Nuestra Señora " + strings.Repeat("Distrito Escolar Unificado & ", 12))[:data.MaxTextBytes-2]
	if _, err := data.CleanText(name); err != nil {
		t.Fatalf("the name is not one an import would take: %v", err)
	}
	q := New(data.District{Number: "001", Name: name}, period, nil)
	f, _ := writeDetail(t, q, "")
	hf, err := f.GetHeaderFooter(DetailSheet)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(hf.OddHeader, "District 001 Nuestra Señora Distrito Escolar") || !strings.HasSuffix(hf.OddHeader, "…, "+period.String()) {
		t.Errorf("header %q: want the district, shortened, and the whole period", hf.OddHeader)
	}
	if got, err := f.GetCellValue(AboutSheet, "B3"); err != nil || got != "001 "+name {
		t.Errorf("About sheet district %q, %v", got, err)
	}
}

// TestDetailWorkbookDimensions: each sheet states the range it uses.
// Readers that trust that range instead of reading every row (Power
// Query by default, openpyxl in read-only mode) saw only cell A1 of a
// sheet that said "A1".
func TestDetailWorkbookDimensions(t *testing.T) {
	st := loadState(t)
	for district, want := range map[string]string{"001": "A1:X14", "003": "A1:X2"} {
		f, _ := writeDetail(t, build(t, st, district), "")
		if tables, _ := f.GetTables(DetailSheet); len(tables) != 1 || tables[0].Range != want {
			t.Fatalf("district %s: tables %+v, want one on %s", district, tables, want)
		}
		if got, err := f.GetSheetDimension(DetailSheet); err != nil || got != want {
			t.Errorf("district %s: the detail sheet says it uses %q (%v), want %q", district, got, err, want)
		}
		if got, err := f.GetSheetDimension(AboutSheet); err != nil || got != "A1:B12" {
			t.Errorf("district %s: the About sheet says it uses %q (%v), want A1:B12", district, got, err)
		}
	}
}
