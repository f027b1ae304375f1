package report

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"migrantdesk/data"
	"migrantdesk/data/importer"
	"migrantdesk/data/reconcile"
)

// Sheets of the reconciliation workbook; then one sheet per category,
// named as the category.
const (
	SummarySheet       = "Summary"
	DiscrepanciesSheet = "Discrepancies"
)

// DiscrepancyColumns are the columns of the Discrepancies sheet and of
// each category's sheet.
func DiscrepancyColumns() []string {
	return []string{
		"District Number", "District Name", "Category", "State ID", "MIS2000 ID", "Last Name", "First Name",
		"Birth Date", "Export Line", "In IC", "In MIS2000", "What to check",
	}
}

// Columns of DiscrepancyColumns that are written as numbers and dates.
const (
	colBirthDate  = 7
	colExportLine = 8
)

// NoDistrict names, in the workbook and on screen, the district of
// discrepancies that have none: a row without a district whose student
// has no published record or enrollment. UnknownDistrict is the name of a
// district number the export gives that the records do not have.
const (
	NoDistrict      = "(no district)"
	UnknownDistrict = "(not a district in IC)"
)

// Reconciliation is an MIS2000 reconciliation with the export it read.
type Reconciliation struct {
	*reconcile.Result
	Source *importer.MIS2000File
}

// FileName is the name the workbook is offered under, such as
// "MIS2000 reconciliation C 2025-11-03.xlsx", one Windows takes
// whatever the region's code holds.
func (r *Reconciliation) FileName() string {
	name := "MIS2000 reconciliation " + r.AsOf.String()
	if r.Region != "" {
		name = "MIS2000 reconciliation " + r.Region + " " + r.AsOf.String()
	}
	return SafeFileName(name + ".xlsx")
}

// SnapshotLoader reads what an export is compared with: *store.Store.
type SnapshotLoader interface {
	ReconcileSnapshot(ctx context.Context, rows []data.MIS2000Row, asOf data.Date) (*reconcile.Snapshot, error)
}

// ReconcileSteps is how many steps Reconcile tells its progress of.
const ReconcileSteps = 3

// Reconcile reads the MIS2000 export at path and compares it with the
// records as of a day, for the districts of region ("" for every region),
// for user. It fails for a user who may not reconcile
// (data.User.MayReconcile: matching data.ErrAccess, saying whom to ask),
// when the export is refused (the error says why, naming the missing
// columns) or when the records cannot be read. progress, when not nil,
// is told each step (0 to ReconcileSteps-1) as it starts, in a clerk's
// words.
func Reconcile(ctx context.Context, st SnapshotLoader, user data.User, path string, asOf data.Date, region string,
	progress func(step int, what string)) (*Reconciliation, error) {
	// Asked here, before anything is read, whoever compares: the app
	// shows the screen only to those allowed, and the command line must
	// not be a way around it.
	if err := user.MayReconcile(); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(int, string) {}
	}
	progress(0, "Reading "+filepath.Base(path)+"…")
	x, err := importer.ReadMIS2000(path)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	progress(1, fmt.Sprintf("Reading the records to compare with its %d rows…", len(x.Rows)))
	snap, err := st.ReconcileSnapshot(ctx, x.Rows, asOf)
	if err != nil {
		return nil, err
	}
	progress(2, "Comparing…")
	res := reconcile.Compare(x.Rows, x.Unread, snap, region)
	if res.Compared == res.Undistricted && res.OutOfRegion > 0 {
		// A repeated row is of its district, or of none, as many of the
		// file: each is told with the rows it repeats.
		return nil, &OtherRegionError{File: x.File, Rows: res.OutOfRegion + res.Repeated - res.RepeatedUndistricted,
			Undistricted: res.Undistricted + res.RepeatedUndistricted, Region: res.RegionName}
	}
	return &Reconciliation{Result: res, Source: x}, nil
}

// OtherRegionError refuses an export whose rows are all of districts of
// other regions than the one compared: the clerk has picked another
// region's export, and a workbook of it would find nothing to check (or
// only what the records say without it) and read as a region in order.
type OtherRegionError struct {
	File string
	Rows int // the rows read of districts of another region
	// Undistricted counts the rows that name no district of the records:
	// another region's export may have a few, and they make it no less
	// another region's.
	Undistricted int
	Region       string // the region compared, as a person names it: "region C", "the Central region"
}

func (e *OtherRegionError) Error() string {
	if e.Undistricted > 0 {
		return fmt.Sprintf("no row of %s is of a district of %s (%s %s of another region's district, %s %s no district of the records), "+
			"so nothing was compared; check that this is the export of %s",
			e.File, e.Region, data.Count(e.Rows, "row"), data.Agree(e.Rows, "is", "are"),
			data.Count(e.Undistricted, "row"), data.Agree(e.Undistricted, "names", "name"), e.Region)
	}
	return fmt.Sprintf("every row of %s (%s) is of a district of another region, none of %s, so nothing was compared; "+
		"check that this is the export of %s", e.File, data.Count(e.Rows, "row"), e.Region, e.Region)
}

// DistrictName is a district's name as the workbook and the screen show
// it, or says why there is none.
func DistrictName(d data.District) string {
	switch {
	case d.Number == "":
		return NoDistrict
	case d.Name == "":
		return UnknownDistrict
	}
	return d.Name
}

// Notes are what the Summary sheet says under the counts: the day, the
// file, the rows not compared and why, the columns not used.
func (r *Reconciliation) Notes(meta Meta) [][2]string {
	file := r.Source.File
	if r.Source.Sheet != "" {
		file += ", sheet " + r.Source.Sheet
	}
	rows := fmt.Sprintf("%d compared", r.Compared)
	if r.OutOfRegion > 0 {
		rows += fmt.Sprintf("; %d left out, from districts of other regions", r.OutOfRegion)
	}
	if r.Repeated > 0 {
		rows += fmt.Sprintf("; %d repeating an earlier row in all that is compared (a student listed once per school), compared once", r.Repeated)
	}
	notes := [][2]string{
		{"Compared as of", r.AsOf.US()},
		{"Region", r.RegionName},
		{"MIS2000 export", file},
		{"Rows", rows},
	}
	if r.Source.Encoding == "Windows-1252" {
		notes = append(notes, [2]string{"Encoding", "Windows-1252: the file is not UTF-8, and its accented letters " +
			"were read as Excel's \"CSV (Comma delimited)\" writes them"})
	}
	if n := r.Source.Skipped.Len(); n > 0 {
		notes = append(notes, [2]string{"Rows not read", fmt.Sprintf("%d, left out of the comparison: %s",
			n, strings.Join(problemLines(&r.Source.Skipped, 50), "; "))})
	}
	if len(r.Source.Absent) > 0 {
		notes = append(notes, [2]string{"Columns missing", strings.Join(r.Source.Absent, ", ") + ": " + absentNote(r.Source)})
	}
	if len(r.Source.Unknown) > 0 {
		u := strings.Join(r.Source.Unknown, ", ")
		if r.Source.UnknownMore > 0 {
			u += fmt.Sprintf(" and %d more", r.Source.UnknownMore)
		}
		notes = append(notes, [2]string{"Columns not used", u})
	}
	return append(notes,
		[2]string{"Generated", meta.GeneratedText()},
		[2]string{"Personal information", ReconcilePIINotice})
}

// ReconcilePIINotice is printed on the Summary sheet.
const ReconcilePIINotice = "This workbook names students with their birth dates and IDs. Keep it only where " +
	"student records may be kept, share each district's discrepancies only with that district, and delete it " +
	"when the check is done."

// absentNote says what the comparison could not check without the
// optional columns.
func absentNote(x *importer.MIS2000File) string {
	var s []string
	if !x.Has("EED") {
		s = append(s, "EED differs is not checked")
	}
	if !x.Has("District") {
		s = append(s, "District differs and Published, not in MIS2000 are not checked, and each row's discrepancies go to the district its record is published to")
	}
	return strings.Join(s, "; ") + "."
}

// problemLines are the first n problems of a list, located.
func problemLines(l *importer.ProblemList, n int) []string {
	var out []string
	for i, p := range l.Problems {
		if i == n {
			out = append(out, fmt.Sprintf("… and %d more", l.Len()-n))
			break
		}
		out = append(out, p.String())
	}
	return out
}

// WriteWorkbook writes the reconciliation workbook (.xlsx) to w: the
// Summary (districts × categories, with totals and notes), the
// Discrepancies, then a sheet per category. Every list is a table with
// filter buttons and a frozen header, and birth dates are real dates.
func (r *Reconciliation) WriteWorkbook(w io.Writer, meta Meta) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := r.buildWorkbook(f, meta); err != nil {
		return fmt.Errorf("make the reconciliation workbook: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write the reconciliation workbook: %w", err)
	}
	return nil
}

func (r *Reconciliation) buildWorkbook(f *excelize.File, meta Meta) error {
	if err := f.SetSheetName("Sheet1", SummarySheet); err != nil {
		return err
	}
	styles, err := newDetailStyles(f)
	if err != nil {
		return err
	}
	// Every sheet exists before any is streamed: excelize would read a
	// streamed sheet back into memory for a later change to the list.
	sheets := []string{DiscrepanciesSheet}
	for _, c := range reconcile.Categories() {
		sheets = append(sheets, c.String())
	}
	for _, s := range sheets {
		if _, err := f.NewSheet(s); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	if err := r.writeSummary(f, styles, meta); err != nil {
		return err
	}
	byCategory := make([][]reconcile.Discrepancy, reconcile.NumCategories)
	for _, d := range r.Discrepancies {
		byCategory[d.Category] = append(byCategory[d.Category], d)
	}
	if err := writeDiscrepancies(f, DiscrepanciesSheet, r.Discrepancies, styles); err != nil {
		return err
	}
	for _, c := range reconcile.Categories() {
		if err := writeDiscrepancies(f, c.String(), byCategory[c], styles); err != nil {
			return err
		}
	}
	return f.SetDocProps(&excelize.DocProperties{
		Title:   "MIS2000 reconciliation as of " + r.AsOf.US(),
		Subject: "Contains student PII",
		Creator: meta.GeneratedBy,
		Created: meta.GeneratedAt.UTC().Format("2006-01-02T15:04:05Z"),
	})
}

// SummaryColumns are the headers of the Summary sheet's table.
func SummaryColumns() []string {
	cols := []string{"District Number", "District Name"}
	for _, c := range reconcile.Categories() {
		cols = append(cols, c.String())
	}
	return append(cols, "Total")
}

// writeSummary writes the districts × categories table, a Total line
// under it (outside the table, so that sorting leaves it last), and the
// notes.
func (r *Reconciliation) writeSummary(f *excelize.File, styles detailStyles, meta Meta) error {
	const sheet = SummarySheet
	cols := SummaryColumns()
	for i, h := range cols {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellValue(sheet, cell, h); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(cols), 1)
	if err := f.SetCellStyle(sheet, "A1", last, styles.header); err != nil {
		return err
	}
	counts := func(c reconcile.DistrictCount) []any {
		row := []any{}
		for _, n := range c.Counts {
			row = append(row, n)
		}
		return append(row, c.Total)
	}
	for i, l := range r.Summary {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := append([]any{l.District.Number, DistrictName(l.District)}, counts(l)...)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	end, _ := excelize.CoordinatesToCellName(len(cols), max(len(r.Summary), 1)+1)
	stripes := true
	if err := f.AddTable(sheet, &excelize.Table{Range: "A1:" + end, Name: "Summary", StyleName: "TableStyleLight9",
		ShowRowStripes: &stripes}); err != nil {
		return err
	}
	totalRow := max(len(r.Summary), 1) + 2
	total := append([]any{"Total", ""}, counts(r.Totals)...)
	cell, _ := excelize.CoordinatesToCellName(1, totalRow)
	if err := f.SetSheetRow(sheet, cell, &total); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	last, _ = excelize.CoordinatesToCellName(len(cols), totalRow)
	if err := f.SetCellStyle(sheet, cell, last, bold); err != nil {
		return err
	}
	notes := r.Notes(meta)
	for i, n := range notes {
		row := totalRow + 2 + i
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", row), &[]any{n[0], n[1]}); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), bold); err != nil {
			return err
		}
	}
	// The notes' values are long sentences that run on into the empty
	// columns to their right: they do not size column B.
	fit := newColumnFit(cols)
	for _, l := range append(r.Summary, r.Totals) {
		fit.fit(0, l.District.Number)
		fit.fit(1, DistrictName(l.District))
		fit.fit(len(cols)-1, fmt.Sprint(l.Total))
	}
	fit.fit(0, "Total")
	for _, n := range notes {
		fit.fit(0, n[0])
	}
	for i, wd := range fit.widths() {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, wd); err != nil {
			return err
		}
	}
	if err := f.SetRowHeight(sheet, 1, fit.headerHeight()); err != nil {
		return err
	}
	lastCol, _ := excelize.ColumnNumberToName(len(cols))
	used := totalRow
	if len(notes) > 0 {
		used = totalRow + 1 + len(notes)
	}
	if err := f.SetSheetDimension(sheet, fmt.Sprintf("A1:%s%d", lastCol, used)); err != nil {
		return err
	}
	return f.SetPanes(sheet, frozenHeader())
}

func frozenHeader() *excelize.Panes {
	return &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}
}

// writeDiscrepancies streams a list of discrepancies onto a sheet as a
// table.
func writeDiscrepancies(f *excelize.File, sheet string, ds []reconcile.Discrepancy, styles detailStyles) error {
	// IDs are text on purpose (leading zeros): Excel is told not to flag
	// them as numbers stored as text. This must come before streaming.
	last, _ := excelize.CoordinatesToCellName(len(DiscrepancyColumns()), max(len(ds), 1)+1)
	if err := f.AddIgnoredErrors(sheet, "A2:"+last, excelize.IgnoredErrorsNumberStoredAsText); err != nil {
		return err
	}
	// excelize leaves a sheet's dimension at A1 and the stream writer
	// copies it before any row: readers that trust it (Power Query,
	// openpyxl read-only) would read the header alone.
	if err := f.SetSheetDimension(sheet, "A1:"+last); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	fit := newColumnFit(DiscrepancyColumns())
	for _, d := range ds {
		for i, v := range DiscrepancyCells(d) {
			fit.fit(i, v)
		}
	}
	for i, wd := range fit.widths() {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return err
	}
	header := make([]any, len(DiscrepancyColumns()))
	for i, h := range DiscrepancyColumns() {
		header[i] = excelize.Cell{StyleID: styles.header, Value: h}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: fit.headerHeight()}); err != nil {
		return err
	}
	values := make([]any, len(DiscrepancyColumns())) // reused: one row at a time
	for n, d := range ds {
		for i, v := range DiscrepancyCells(d) {
			values[i] = nil // a blank cell, which the filters list as (Blanks)
			if v != "" {
				values[i] = v
			}
		}
		if !d.BirthDate.IsZero() {
			values[colBirthDate] = excelize.Cell{StyleID: styles.date, Value: d.BirthDate.Time()}
		}
		if d.Line > 0 {
			values[colExportLine] = d.Line
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, values); err != nil {
			return err
		}
	}
	stripes := true
	if err := sw.AddTable(&excelize.Table{Range: "A1:" + last, Name: tableName(sheet), StyleName: "TableStyleLight9",
		ShowRowStripes: &stripes}); err != nil {
		return err
	}
	return sw.Flush()
}

// DiscrepancyCells are a discrepancy's values in DiscrepancyColumns
// order, as a person reads them (the birth date as MM/DD/YYYY). The
// Export Line is the row's line in the clerk's export, blank for a
// discrepancy found in the records alone: the clerk's way back to the
// row, which the messages to the districts, who never see the file, do
// not give.
func DiscrepancyCells(d reconcile.Discrepancy) []string {
	line := ""
	if d.Line > 0 {
		line = strconv.Itoa(d.Line)
	}
	return []string{d.District.Number, DistrictName(d.District), d.Category.String(), d.StateID, d.MIS2000ID,
		d.LastName, d.FirstName, d.BirthDate.US(), line, d.InIC, d.InMIS2000, d.Check}
}

// tableName makes a sheet's name a table name: letters and digits only.
func tableName(sheet string) string {
	var b strings.Builder
	for _, r := range sheet {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
