package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"migrantdesk/report/agile"
)

// Sheet names of the Detail workbook.
const (
	DetailSheet = "QA Migrant Detail"
	AboutSheet  = "About this report"
	DetailTable = "QAMigrantDetail"
)

// DateFormat is the number format of every date cell.
const DateFormat = "mm/dd/yyyy"

// WriteDetailFile writes the Detail workbook to path: a temporary file in
// the same folder renamed into place, so a failed write leaves nothing
// behind. The file is readable by its owner only, since it holds PII.
func (q *QA) WriteDetailFile(path string, meta Meta, password string) error {
	return WriteFile(path, 0o600, func(w io.Writer) error { return q.WriteDetail(w, meta, password) })
}

// WriteDetail writes the Detail workbook (.xlsx) to w: the rows on a
// streamed sheet made a table, so every column has a filter button, with
// the header frozen, then a sheet that says what the report is. A non-empty
// password encrypts the workbook (Excel and LibreOffice ask for it).
func (q *QA) WriteDetail(w io.Writer, meta Meta, password string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := q.buildWorkbook(f, meta); err != nil {
		return fmt.Errorf("make the detail workbook: %w", err)
	}
	if password == "" {
		if err := f.Write(w); err != nil {
			return fmt.Errorf("write the detail workbook: %w", err)
		}
		return nil
	}
	// excelize encrypts only with ECMA-376 Standard (AES-128); the
	// workbook is written plain in memory and encrypted with Agile.
	var plain bytes.Buffer
	if err := f.Write(&plain); err != nil {
		return fmt.Errorf("write the detail workbook: %w", err)
	}
	if err := agile.Encrypt(plain.Bytes(), password, w); err != nil {
		return fmt.Errorf("encrypt the detail workbook: %w", err)
	}
	return nil
}

// detailStyles are the cell styles of the detail sheet.
type detailStyles struct {
	header, date, no int
}

func newDetailStyles(f *excelize.File) (detailStyles, error) {
	var s detailStyles
	var err error
	// The header's own fill and border, not only the table style's, so
	// that it looks the same in programs that ignore table styles.
	if s.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "4F81BD", Style: 1}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
	}); err != nil {
		return s, err
	}
	// Centred, so that a date is not read as one with a right-aligned
	// neighbour's first digits.
	format := DateFormat
	if s.date, err = f.NewStyle(&excelize.Style{
		CustomNumFmt: &format, Alignment: &excelize.Alignment{Horizontal: "center"},
	}); err != nil {
		return s, err
	}
	// Excel's own "Bad" colours: light red fill, dark red text.
	s.no, err = f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Color: "9C0006", Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
	})
	return s, err
}

func (q *QA) buildWorkbook(f *excelize.File, meta Meta) error {
	if err := f.SetSheetName("Sheet1", DetailSheet); err != nil {
		return err
	}
	styles, err := newDetailStyles(f)
	if err != nil {
		return err
	}
	// The detail sheet is streamed last: excelize would read a streamed
	// sheet back into memory for any later change to the workbook's
	// sheets, such as choosing the active one.
	if err := q.writeAboutSheet(f, meta, styles.no); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	if err := q.writeDetailSheet(f, styles); err != nil {
		return err
	}
	return f.SetDocProps(&excelize.DocProperties{
		Title:   "QA Migrant report: Detail, district " + q.DistrictLabel() + ", " + q.Period.String(),
		Subject: "Contains student PII",
		Creator: meta.GeneratedBy,
		Created: meta.GeneratedAt.UTC().Format("2006-01-02T15:04:05Z"),
	})
}

func (q *QA) writeDetailSheet(f *excelize.File, styles detailStyles) error {
	if err := q.printSetup(f); err != nil {
		return err
	}
	// The stream writer copies the sheet's dimension before any row is
	// written, and readers that trust it (Power Query, openpyxl read-only)
	// read no more than it says: it is set to the table's range first.
	last, _ := excelize.CoordinatesToCellName(NumWorkbookColumns, max(len(q.Rows), 1)+1)
	if err := f.SetSheetDimension(DetailSheet, "A1:"+last); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(DetailSheet)
	if err != nil {
		return err
	}
	fit := q.columnWidths()
	for i, wd := range fit.widths() {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	err = sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
	if err != nil {
		return err
	}

	header := make([]any, NumWorkbookColumns)
	for i, name := range workbookColumns() {
		header[i] = excelize.Cell{StyleID: styles.header, Value: name}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: fit.headerHeight()}); err != nil {
		return err
	}

	values := make([]any, NumWorkbookColumns) // reused: one row at a time
	for n := range q.Rows {
		for i, c := range q.workbookCells(&q.Rows[n]) {
			switch {
			case c.Kind == KindDate && c.Date.IsZero(), c.Kind == KindText && c.Text == "":
				values[i] = nil // a blank cell, e.g. Withdrawal Date while enrolled
			case c.Kind == KindDate:
				values[i] = excelize.Cell{StyleID: styles.date, Value: c.Date.Time()}
			case Highlighted(i, c):
				values[i] = excelize.Cell{StyleID: styles.no, Value: c.String()}
			default:
				values[i] = c.String()
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, values); err != nil {
			return err
		}
	}

	stripes := true
	if err := sw.AddTable(&excelize.Table{
		Range: "A1:" + last, Name: DetailTable, StyleName: "TableStyleLight9", ShowRowStripes: &stripes,
	}); err != nil {
		return err
	}
	return sw.Flush()
}

// printSetup makes the detail sheet print landscape, one page wide, with
// the header row on every page and the PII warning in the footer. It must
// run before the sheet is streamed. IDs and grades are text on purpose
// (leading zeros), so Excel is told not to flag them as numbers stored as
// text.
func (q *QA) printSetup(f *excelize.File) error {
	landscape, letter, wide, tall := "landscape", 1, 1, 0
	err := f.SetPageLayout(DetailSheet, &excelize.PageLayoutOptions{
		Size: &letter, Orientation: &landscape, FitToWidth: &wide, FitToHeight: &tall,
	})
	if err != nil {
		return err
	}
	fit := true
	if err := f.SetSheetProps(DetailSheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	// Narrow side margins: fitting 24 columns to the width shrinks the
	// print, and every inch of paper makes it larger.
	side, edge, band := 0.25, 0.6, 0.25
	if err := f.SetPageMargins(DetailSheet, &excelize.PageLayoutMarginsOptions{
		Left: &side, Right: &side, Top: &edge, Bottom: &edge, Header: &band, Footer: &band,
	}); err != nil {
		return err
	}
	err = f.SetHeaderFooter(DetailSheet, &excelize.HeaderFooterOptions{
		OddHeader: q.pageHeader(),
		OddFooter: "&LContains student PII: keep it confidential&RPage &P of &N",
	})
	if err != nil {
		return err
	}
	err = f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: "'" + DetailSheet + "'!$1:$1", Scope: DetailSheet,
	})
	if err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(NumWorkbookColumns, max(len(q.Rows), 1)+1)
	return f.AddIgnoredErrors(DetailSheet, "A2:"+last, excelize.IgnoredErrorsNumberStoredAsText)
}

// pageHeaderLimit is the most characters (UTF-16 code units) Excel
// takes in a page header; excelize refuses a longer one.
const pageHeaderLimit = 255

// pageHeader is the detail sheet's printed header: the title on the left,
// the district and the period on the right. A district name may be longer
// than the header may be, so its label is cut with an ellipsis as far as
// the limit needs, and the period always prints whole.
func (q *QA) pageHeader() string {
	esc := func(s string) string { return strings.ReplaceAll(s, "&", "&&") }
	label, cut := []rune(q.DistrictLabel()), ""
	for {
		h := "&L&\"-,Bold\"QA Migrant Detail&R" + esc("District "+string(label)+cut+", "+q.Period.String())
		n := 0
		for _, r := range h {
			n += utf16.RuneLen(r)
		}
		if n <= pageHeaderLimit || len(label) == 0 {
			return h
		}
		label = []rune(strings.TrimRight(string(label[:len(label)-1]), " "))
		cut = "…"
	}
}

// columnWidths fits each column to its values and header (columnFit).
func (q *QA) columnWidths() *columnFit {
	fit := newColumnFit(workbookColumns())
	for n := range q.Rows {
		for i, c := range q.workbookCells(&q.Rows[n]) {
			if c.Kind == KindDate {
				fit.fit(i, "MM/DD/YYYY")
			} else {
				fit.fit(i, c.String())
			}
		}
	}
	return fit
}

// workbookColumns are the Detail workbook's headers: the report's 23 in
// their order, then New since.
func workbookColumns() []string {
	return append(DetailColumns[:], NewSinceColumn)
}

// workbookCells are a row's cells as the workbook writes them: the
// report's, then New since.
func (q *QA) workbookCells(r *Row) []Cell {
	cells := DetailCells(r)
	return append(cells[:], Cell{Kind: KindYesNo, Yes: q.NewSince(r)})
}
