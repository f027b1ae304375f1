package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"migrantdesk/data"
	"migrantdesk/data/reconcile"
	"migrantdesk/data/store"
	"migrantdesk/report/reconciletest"
)

// handCounts are the discrepancies of reconciletest's export by district
// and category, worked out by hand in its CASES.md: Name or birth date,
// QAD, EED, Unpublished, District, Uncertain, Not in IC, Not in MIS2000,
// Duplicate.
var handCounts = map[string][reconcile.NumCategories]int{
	"001": {0, 1, 1, 0, 0, 3, 0, 1, 2},
	"002": {0, 0, 0, 1, 1, 0, 1, 0, 2},
	"003": {},
}

func reconcileFixture(t *testing.T, region string) (*store.Store, *Reconciliation) {
	t.Helper()
	st := reconciletest.Open(t, filepath.Join(t.TempDir(), "reconcile.db"))
	r, err := Reconcile(context.Background(), st, data.Operator("test"), reconciletest.Export(), reconciletest.AsOf, region, nil)
	if err != nil {
		t.Fatal(err)
	}
	return st, r
}

// reconcileEdited is reconcileFixture, of all regions, with the export
// changed by edit (its text in, its text out) first.
func reconcileEdited(t *testing.T, edit func(export string) string) *Reconciliation {
	t.Helper()
	src, err := os.ReadFile(reconciletest.Export())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mis2000.csv")
	if err := os.WriteFile(path, []byte(edit(string(src))), 0o600); err != nil {
		t.Fatal(err)
	}
	st := reconciletest.Open(t, filepath.Join(t.TempDir(), "reconcile.db"))
	r, err := Reconcile(context.Background(), st, data.Operator("test"), path, reconciletest.AsOf, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReconcileCountsByHand(t *testing.T) {
	_, r := reconcileFixture(t, "")
	got := map[string][reconcile.NumCategories]int{}
	for _, l := range r.Summary {
		got[l.District.Number] = l.Counts
	}
	if len(got) != len(handCounts) {
		t.Errorf("summary districts %v, want %v", got, handCounts)
	}
	for d, want := range handCounts {
		if got[d] != want {
			t.Errorf("district %s: %v, want %v", d, got[d], want)
		}
	}
	if want := [reconcile.NumCategories]int{0, 1, 1, 1, 1, 3, 1, 1, 4}; r.Totals.Counts != want || r.Totals.Total != 13 {
		t.Errorf("totals %v (%d), want %v (13)", r.Totals.Counts, r.Totals.Total, want)
	}
	// 16 lines: 13 read, one of them repeating line 2; 3 bad.
	if r.Compared != 12 || r.Repeated != 1 || r.OutOfRegion != 0 || r.Source.Skipped.Len() != 3 {
		t.Errorf("compared %d, repeated %d, out of region %d, skipped %v", r.Compared, r.Repeated, r.OutOfRegion, r.Source.Skipped.Problems)
	}
	var lines []int
	for _, p := range r.Source.Skipped.Problems {
		lines = append(lines, p.Line)
	}
	if !slices.Equal(lines, []int{15, 16, 17}) {
		t.Errorf("bad rows reported at lines %v, want 15, 16, 17", lines)
	}
	if !slices.Equal(r.Source.Unknown, []string{"Program Year"}) {
		t.Errorf("unknown columns %q", r.Source.Unknown)
	}

	_, c := reconcileFixture(t, "C")
	if len(c.Summary) != 2 || c.Totals.Total != 13 || c.OutOfRegion != 1 || c.Compared != 11 {
		t.Errorf("region C: %d districts, %d discrepancies, %d rows out of region, %d compared", len(c.Summary), c.Totals.Total, c.OutOfRegion, c.Compared)
	}
}

// exportFixture exports the fixture's reconciliation with messages and
// returns the workbook's path, the messages' folder and the store.
func exportFixture(t *testing.T) (string, string, *store.Store, *Reconciliation) {
	t.Helper()
	st, r := reconcileFixture(t, "")
	dir := t.TempDir()
	book, msgs := filepath.Join(dir, "reconciliation.xlsx"), filepath.Join(dir, "messages")
	files, err := r.Export(context.Background(), st, "clerk", book, msgs, testMeta, reconciletest.Clerk)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Errorf("message files %q", files)
	}
	return book, msgs, st, r
}

func TestReconcileWorkbook(t *testing.T) {
	book, _, _, r := exportFixture(t)
	if info, err := os.Stat(book); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("workbook %v, %v: want mode 0600", info, err)
	}
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []string{"Summary", "Discrepancies", "Name or birth date differs", "QAD differs", "EED differs", "Saved, never published", "District differs",
		"Uncertain match", "Not in IC", "Published, not in MIS2000", "Possible duplicate"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}

	summary, err := f.GetRows(SummarySheet)
	if err != nil {
		t.Fatal(err)
	}
	wantSummary := [][]string{
		{"District Number", "District Name", "Name or birth date differs", "QAD differs", "EED differs", "Saved, never published",
			"District differs", "Uncertain match", "Not in IC", "Published, not in MIS2000", "Possible duplicate", "Total"},
		{"001", "Adair County", "0", "1", "1", "0", "0", "3", "0", "1", "2", "8"},
		{"002", "Barren County", "0", "0", "0", "1", "1", "0", "1", "0", "2", "5"},
		{"003", "Calloway County", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"},
		{"Total", "", "0", "1", "1", "1", "1", "3", "1", "1", "4", "13"},
	}
	for i, w := range wantSummary {
		if !slices.Equal(summary[i], w) {
			t.Errorf("summary row %d: %q, want %q", i+1, summary[i], w)
		}
	}
	notes := map[string]string{}
	for _, row := range summary[len(wantSummary):] {
		if len(row) >= 2 {
			notes[row[0]] = row[1]
		}
	}
	if notes["Compared as of"] != "11/03/2025" || !strings.HasPrefix(notes["Rows not read"], "3, left out of the comparison: mis2000.csv line 15, column Birth Date") ||
		notes["Columns not used"] != "Program Year" || notes["MIS2000 export"] != "mis2000.csv" {
		t.Errorf("notes %q", notes)
	}

	rows, err := f.GetRows(DiscrepanciesSheet)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], DiscrepancyColumns()) || strings.Join(DiscrepancyColumns(), "|") !=
		"District Number|District Name|Category|State ID|MIS2000 ID|Last Name|First Name|Birth Date|Export Line|In IC|In MIS2000|What to check" {
		t.Errorf("header %q", rows[0])
	}
	if len(rows)-1 != 13 {
		t.Fatalf("%d discrepancies on the sheet, want 13", len(rows)-1)
	}
	// Row 2 is Ruiz's QAD; the workbook shows what the model holds.
	if got := rows[1]; !slices.Equal(got[:10], []string{"001", "Adair County", "QAD differs", "2000000002", "22222222", "Ruiz", "Alberto", "05/06/2011", "3", "01/15/2025"}) {
		t.Errorf("first discrepancy %q", got)
	}
	for i, d := range r.Discrepancies {
		if got, want := rows[i+1], DiscrepancyCells(d); !slices.Equal(trimmed(got, len(want)), want) {
			t.Errorf("row %d: %q, want %q", i+2, got, want)
		}
	}
	// Birth dates are real dates: serial days shown as MM/DD/YYYY.
	if raw, _ := f.GetCellValue(DiscrepanciesSheet, "H2", excelize.Options{RawCellValue: true}); raw != "40669" {
		t.Errorf("H2 holds %q, want the serial day of 05/06/2011 (40669)", raw)
	}
	for _, sheet := range f.GetSheetList() {
		tables, err := f.GetTables(sheet)
		if err != nil || len(tables) != 1 {
			t.Errorf("%s: tables %v, %v", sheet, tables, err)
		}
		panes, err := f.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("%s: the header is not frozen: %+v, %v", sheet, panes, err)
		}
	}
	perCategory := map[string]int{}
	for _, c := range reconcile.Categories() {
		rs, _ := f.GetRows(c.String())
		perCategory[c.String()] = len(rs) - 1
		for _, row := range rs[1:] {
			if row[2] != c.String() {
				t.Errorf("sheet %s has a row of %s", c, row[2])
			}
		}
	}
	if perCategory["Uncertain match"] != 3 || perCategory["Possible duplicate"] != 4 || perCategory["Not in IC"] != 1 {
		t.Errorf("rows per category sheet %v", perCategory)
	}
}

// trimmed pads a row read back to n cells: excelize drops trailing blanks.
func trimmed(row []string, n int) []string {
	for len(row) < n {
		row = append(row, "")
	}
	return row
}

func TestReconcileMessages(t *testing.T) {
	_, dir, st, _ := exportFixture(t)
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range names {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, []string{"001.txt", "002.txt", "003.txt"}) {
		t.Fatalf("message files %q", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "002.txt"))
	if err != nil {
		t.Fatal(err)
	}
	msg := string(b)
	if !strings.HasPrefix(msg, "\ufeffDear migrant program coordinator of 002 Barren County,\r\n\r\n") {
		t.Errorf("greeting: %q", msg[:80])
	}
	if strings.Count(msg, "\n") != strings.Count(msg, "\r\n") {
		t.Error("a line ends without CR")
	}
	text := strings.ReplaceAll(strings.TrimPrefix(msg, "\ufeff"), "\r\n", "\n")
	for _, want := range []string{
		"as of 11/03/2025 and found 5 discrepancies.",
		"Saved, never published (1)\n\n- Núñez, Darío, born 02/03/2010, state ID 2000000004, MIS2000 ID 44444444\n" +
			"  In IC: Saved, never published: QAD 03/01/2025, EED 02/29/2028\n  In MIS2000: QAD 03/01/2025, EED 02/29/2028\n" +
			"  Please check whether the student is eligible and enrolled in the district;",
		"District differs (1)\n\n- Gómez Vargas, Elena, born 09/10/2012, state ID 2000000005, MIS2000 ID 55555555\n" +
			"  In IC: Left 002 Barren County on 06/30/2025; enrolled on 11/03/2025 in 003 Calloway County\n  In MIS2000: District 002 Barren County\n",
		"Not in IC (1)\n\n- Quispe Mamani, Rosa, born 04/04/2014, MIS2000 ID 77777777\n",
		"Possible duplicate (2)\n\n- Pérez, Sofía, born 03/13/2013, state ID 2000000012",
		"\n\nThank you,\nLucía Ramos\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the message of 002 lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "QAD differs") || strings.Contains(text, "Ruiz") {
		t.Errorf("002's message tells of another district's discrepancies:\n%s", text)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "003.txt"))
	if !strings.Contains(string(b), "found nothing to check") {
		t.Errorf("003 has nothing to check, but its message says:\n%s", b)
	}

	entries, err := st.Audit(context.Background(), "report", "")
	if err != nil {
		t.Fatal(err)
	}
	var audited []string
	for _, e := range entries {
		var x store.ExportAudit
		if err := json.Unmarshal([]byte(e.After), &x); err != nil {
			t.Fatal(err)
		}
		audited = append(audited, e.User+" "+x.Report+" "+x.District+" "+x.Period+" "+filepath.Base(x.File)+" "+x.Stage)
		if x.Report == "MIS2000 reconciliation" && x.Rows != 13 || x.Report == "MIS2000 reconciliation messages" && x.Rows != 3 {
			t.Errorf("audit row %+v", x)
		}
	}
	slices.Sort(audited)
	if want := []string{
		"clerk MIS2000 reconciliation all regions 2025-11-03 reconciliation.xlsx completed",
		"clerk MIS2000 reconciliation all regions 2025-11-03 reconciliation.xlsx started",
		"clerk MIS2000 reconciliation messages all regions 2025-11-03 messages completed",
		"clerk MIS2000 reconciliation messages all regions 2025-11-03 messages started",
	}; !slices.Equal(audited, want) {
		t.Errorf("audit log %q, want %q", audited, want)
	}
}

// TestReconcileExportLeavesNothingWhenNotAudited: the files are renamed
// into place only once the audit log has the export.
func TestReconcileExportLeavesNothingWhenNotAudited(t *testing.T) {
	_, r := reconcileFixture(t, "")
	dir := t.TempDir()
	_, err := r.Export(context.Background(), auditFunc(func(store.ExportAudit) error { return errors.New("disk full") }),
		"clerk", filepath.Join(dir, "r.xlsx"), filepath.Join(dir, "msgs"), testMeta, "x")
	if err == nil || !strings.Contains(err.Error(), "could not be written to the audit log, so no file was saved: disk full") {
		t.Fatalf("got %v", err)
	}
	var left []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if !d.IsDir() {
			left = append(left, path)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("files left behind: %q", left)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	audited := auditFunc(func(store.ExportAudit) error { t.Error("a cancelled export was audited"); return nil })
	if _, err := r.Export(ctx, audited, "clerk", filepath.Join(dir, "r.xlsx"), filepath.Join(dir, "msgs"), testMeta, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// auditFunc is an Auditor made of a function, for tests that make the
// audit log fail or watch it.
type auditFunc func(store.ExportAudit) error

func (f auditFunc) AuditExport(_ context.Context, _ string, e store.ExportAudit) error { return f(e) }

func (f auditFunc) Path() string { return "" }

// Every sheet of the reconciliation workbook states the range it uses:
// readers that trust that statement (Power Query, openpyxl read-only)
// read no more than it says, and excelize leaves it at A1.
func TestReconcileWorkbookDimensions(t *testing.T) {
	book, _, _, _ := exportFixture(t)
	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		width, height := 0, len(rows)
		for _, r := range rows {
			width = max(width, len(r))
		}
		// A table with no rows keeps one blank row, which GetRows drops.
		if tables, _ := f.GetTables(sheet); len(tables) == 1 {
			_, end, _ := strings.Cut(tables[0].Range, ":")
			col, row, _ := excelize.CellNameToCoordinates(end)
			width, height = max(width, col), max(height, row)
		}
		end, _ := excelize.CoordinatesToCellName(width, height)
		if got, err := f.GetSheetDimension(sheet); err != nil || got != "A1:"+end {
			t.Errorf("sheet %s says it uses %q (%v), want A1:%s", sheet, got, err, end)
		}
	}
}

// TestExportLineForTheClerkOnly: the workbook gives each row's line in
// the clerk's export, the district's message none: a district never sees
// the file. The two Luis Ortiz rows of lines 10 and 11 are a Possible
// duplicate of each other; the message names the other by what the
// district can look up.
func TestExportLineForTheClerkOnly(t *testing.T) {
	_, r := reconcileFixture(t, "")
	f := writtenWorkbook(t, r)
	rows, err := f.GetRows(reconcile.PossibleDuplicate.String())
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{}
	for _, row := range rows[1:] {
		lines[row[4]] = row[colExportLine]
	}
	if rows[0][colExportLine] != "Export Line" || lines["13131313"] != "11" || lines["12121212"] != "10" || lines["14141414"] != "" {
		t.Errorf("export lines by MIS2000 ID %q (header %q)", lines, rows[0][colExportLine])
	}
	for _, d := range r.Messaged() {
		msg := r.Message(d, "Lucía")
		if strings.Contains(msg, "line 1") {
			t.Errorf("the message to %s names a line of the export:\n%s", d.Number, msg)
		}
	}
	msg := r.Message(r.Summary[0].District, "Lucía")
	if want := "also under MIS2000 ID 12121212 (state ID 2000000011, QAD 05/05/2025, Adair Elementary)"; !strings.Contains(msg, want) {
		t.Errorf("the message to 001 does not say %q:\n%s", want, msg)
	}
}

// writtenWorkbook is r's workbook, written and read back.
func writtenWorkbook(t *testing.T, r *Reconciliation) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteWorkbook(&buf, testMeta); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestReconcileWorkbookFitsItsValues: the columns of the reconciliation
// workbook are as wide as what they hold, so that a long district name
// is read whole, within a bound, so that one very long value does not
// push the rest of the sheet off the screen.
func TestReconcileWorkbookFitsItsValues(t *testing.T) {
	_, r := reconcileFixture(t, "")
	const long = "Consolidated School District of San José de las Ánimas" // 54 characters
	const huge = "District " + long + " and of Every Village Along the River Valley Road"
	rename := func(number, name string) {
		for i := range r.Summary {
			if r.Summary[i].District.Number == number {
				r.Summary[i].District.Name = name
			}
		}
		for i := range r.Discrepancies {
			if r.Discrepancies[i].District.Number == number {
				r.Discrepancies[i].District.Name = name
			}
		}
	}
	rename("001", long)
	rename("002", huge)
	f := writtenWorkbook(t, r)
	width := func(sheet, col string) float64 {
		w, err := f.GetColWidth(sheet, col)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	for _, sheet := range []string{SummarySheet, DiscrepanciesSheet, reconcile.PossibleDuplicate.String()} {
		if w := width(sheet, "B"); w < float64(len([]rune(long))) || w > maxColumnWidth {
			t.Errorf("%s: the District Name column is %.1f wide for a name of %d characters (at most %d)",
				sheet, w, len([]rune(long)), maxColumnWidth)
		}
	}
	// Only district 001 is on the EED differs sheet: its width is its own.
	if w := width(reconcile.EEDDiffers.String(), "B"); w > float64(len([]rune(huge))) || w < float64(len([]rune(long))) {
		t.Errorf("the EED differs sheet is sized for another sheet's names: %.1f", w)
	}
	// A header wraps onto two lines; each of its words fits the column.
	for i, h := range SummaryColumns() {
		col, _ := excelize.ColumnNumberToName(i + 1)
		for _, word := range strings.Fields(h) {
			if w := width(SummarySheet, col); w < float64(len([]rune(word))) {
				t.Errorf("Summary column %q is %.1f wide, narrower than %q", h, w, word)
			}
		}
	}
	// Short values keep their columns narrow.
	if w := width(DiscrepanciesSheet, "D"); w > 20 {
		t.Errorf("the State ID column is %.1f wide", w)
	}
}

// The workbook names the region compared as the clerk knows it, not by
// its code.
func TestReconcileNotesNameTheRegion(t *testing.T) {
	for region, want := range map[string]string{"C": "the Central region", "": "every region"} {
		_, r := reconcileFixture(t, region)
		notes := map[string]string{}
		for _, n := range r.Notes(testMeta) {
			notes[n[0]] = n[1]
		}
		if notes["Region"] != want {
			t.Errorf("region %q: the notes say %q, want %q", region, notes["Region"], want)
		}
	}
}

// Ana Torres's MIS2000 ID typed on Gina Flores's rows (lines 2 and 14):
// the records and the rows agree on every date, and without a check of
// the name the district heard nothing. The district the record is
// published to (001) is told, first in its message and on a sheet of its
// own, with the student IC has under the row's name.
func TestRowUnderAnotherStudentsID(t *testing.T) {
	r := reconcileEdited(t, func(export string) string {
		return strings.ReplaceAll(export, "11111111,Torres,,Ana,03/04/2012,", "11111111,Flores,,Gina,10/10/2010,")
	})
	var found []reconcile.Discrepancy
	for _, d := range r.Discrepancies {
		if d.MIS2000ID == "11111111" {
			found = append(found, d)
		}
	}
	if len(found) != 1 || found[0].Category != reconcile.NameDiffers || found[0].District.Number != "001" ||
		found[0].StateID != "2000000001" || found[0].Line != 2 ||
		found[0].InIC != "MIS2000 ID 11111111 is on the record of Torres, Ana, born 03/04/2012; the export's name and birth date are those of state ID 2000000009" ||
		found[0].InMIS2000 != "MIS2000 ID 11111111: Flores, Gina, born 10/10/2010" {
		t.Fatalf("discrepancies of MIS2000 ID 11111111: %+v", found)
	}
	if r.Summary[0].Counts[reconcile.NameDiffers] != 1 || r.Totals.Counts[reconcile.NameDiffers] != 1 || r.Totals.Total != 14 {
		t.Errorf("summary %+v, totals %+v", r.Summary[0], r.Totals)
	}

	msg := r.Message(data.District{Number: "001", Name: "Adair County"}, reconciletest.Clerk)
	list := msg[strings.Index(msg, "\n\n")+2:]
	list = list[strings.Index(list, "\n\n")+2:]
	want := "Name or birth date differs (1)\n\n" +
		"- Torres, Ana, born 03/04/2012, state ID 2000000001, MIS2000 ID 11111111\n" +
		"  In IC: MIS2000 ID 11111111 is on the record of Torres, Ana, born 03/04/2012; the export's name and birth date are those of state ID 2000000009\n" +
		"  In MIS2000: MIS2000 ID 11111111: Flores, Gina, born 10/10/2010\n" +
		"  Please check whether MIS2000 ID 11111111 is this student's. If it is, which name and birth date are right, IC's or MIS2000's; " +
		"if it is not, the MIS2000 ID is on the wrong student, and the record or MIS2000 needs correcting.\n\n" +
		"QAD differs (1)\n"
	if !strings.HasPrefix(list, want) {
		t.Errorf("the message to 001 lists:\n%s\nwant it to begin:\n%s", list, want)
	}
	if strings.Contains(r.Message(data.District{Number: "002", Name: "Barren County"}, reconciletest.Clerk), "11111111") {
		t.Error("the message to 002 tells of a record of 001")
	}

	f := writtenWorkbook(t, r)
	rows, err := f.GetRows(reconcile.NameDiffers.String())
	if err != nil || len(rows) != 2 || !slices.Equal(trimmed(rows[1], 12), DiscrepancyCells(found[0])) {
		t.Errorf("sheet %s: %q, %v", reconcile.NameDiffers, rows, err)
	}
	summary, _ := f.GetRows(SummarySheet)
	if len(summary) < 2 || summary[0][2] != "Name or birth date differs" || summary[1][0] != "001" || summary[1][2] != "1" {
		t.Errorf("summary %q", summary[:min(len(summary), 2)])
	}
}

// TestReconcileRefusesAnotherRegionsExportWithRowsOfNoDistrict: another
// region's export with a row whose district cell is empty (or a number
// of no district) is still another region's export. Compared, it gave a
// clerk of the Central region one Not in IC and no Published, not in
// MIS2000 at all (the export named none of the region's districts): a
// region in order, at a glance.
func TestReconcileRefusesAnotherRegionsExportWithRowsOfNoDistrict(t *testing.T) {
	src, err := os.ReadFile(reconciletest.Export())
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(src), "\n")
	export := lines[0] + lines[8] + // district 003, region W
		"20202020,Zamora,,Yesenia,04/12/2012,08/20/2025,08/19/2028,,F,,,2025-26\n" +
		"21212121,Zamora,,Yadira,04/12/2013,08/20/2025,08/19/2028,999,F,,,2025-26\n"
	path := filepath.Join(t.TempDir(), "western.csv")
	if err := os.WriteFile(path, []byte(export), 0o600); err != nil {
		t.Fatal(err)
	}
	st := reconciletest.Open(t, filepath.Join(t.TempDir(), "reconcile.db"))
	r, err := Reconcile(context.Background(), st, data.Operator("test"), path, reconciletest.AsOf, "C", nil)
	var other *OtherRegionError
	if !errors.As(err, &other) {
		t.Fatalf("want the export refused as another region's, got %v, %+v", err, r)
	}
	if want := "no row of western.csv is of a district of the Central region (1 row is of another region's district, " +
		"2 rows name no district of the records), so nothing was compared; check that this is the export of the Central region"; err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	// Rows of the region beside them are compared, rows of no district
	// with them.
	export += lines[2]
	if err := os.WriteFile(path, []byte(export), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, err = Reconcile(context.Background(), st, data.Operator("test"), path, reconciletest.AsOf, "C", nil); err != nil || r.Compared != 3 {
		t.Errorf("with a row of the region: %v, %+v", err, r)
	}
}

// A row of no district that an export repeats (a student listed once per
// school) is still a row of no district: the refusal of another region's
// export counted the repeat among the rows of another region's district.
func TestOtherRegionRefusalCountsRepeatsWhereTheyBelong(t *testing.T) {
	lines := exportLines(t)
	row := "20202020,Zamora,,Yesenia,04/12/2012,08/20/2025,08/19/2028,,F,%s,,2025-26\n"
	_, err := reconcileCentral(t, lines[0]+lines[8]+fmt.Sprintf(row, "")+fmt.Sprintf(row, "Other School"))
	var other *OtherRegionError
	if !errors.As(err, &other) {
		t.Fatalf("want the export refused as another region's, got %v", err)
	}
	if want := "(1 row is of another region's district, 2 rows name no district of the records)"; !strings.Contains(err.Error(), want) {
		t.Errorf("got  %s\nwant it to say %s", err, want)
	}
}

// exportLines are the lines of the hand-made export, each with its end.
func exportLines(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile(reconciletest.Export())
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(string(src), "\n")
}

// reconcileCentral compares export, the text of a CSV file, with the
// records of the Central region.
func reconcileCentral(t *testing.T, export string) (*Reconciliation, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "western.csv")
	if err := os.WriteFile(path, []byte(export), 0o600); err != nil {
		t.Fatal(err)
	}
	st := reconciletest.Open(t, filepath.Join(t.TempDir(), "reconcile.db"))
	return Reconcile(context.Background(), st, data.Operator("test"), path, reconciletest.AsOf, "C", nil)
}
