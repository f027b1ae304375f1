package report

import (
	"fmt"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"migrantdesk/data"
)

// PIINotice is printed on the About sheet of the Detail workbook.
const PIINotice = "This workbook contains personally identifiable information about students " +
	"(names, birth dates, state and local IDs). Keep it only where student records may be kept, " +
	"share it only with staff entitled to see these students' records, do not send it unencrypted, " +
	"and delete it when it is no longer needed."

// HighlightNote explains the highlighted cells.
const HighlightNote = "A highlighted \"No\" under Economically Disadvantaged is a data-quality issue to " +
	"check: migrant students qualify for free meals, so a reduced-price or paid meal status, or no " +
	"meal record at all, is probably missing or wrong in the state extract. The highlight is part of " +
	"the cell, so it stays when the rows are sorted or filtered."

// writeAboutSheet adds the Detail workbook's second sheet: what the
// report is, who made it, who is left out, the PII notice and what the
// highlight means. highlight is the style of a highlighted "No".
func (q *QA) writeAboutSheet(f *excelize.File, meta Meta, highlight int) error {
	if _, err := f.NewSheet(AboutSheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"},
	})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	lines := [][2]string{
		{"District", q.DistrictLabel()},
		{"Reporting period", q.Period.String()},
		{"Generated", meta.GeneratedText()},
		{"Rows", data.Count(len(q.Rows), "enrollment") + " of " + data.Count(q.Counts.Total, "student")},
		{"Who is included", Inclusion},
		{"Not included", Exclusions},
		{NewSinceColumn, q.newSinceNote()},
		{"Personal information", PIINotice},
		{"Highlight", HighlightNote},
		{"Example of the highlight", "No"},
	}
	set := func(cell string, v any, style int) error {
		if err := f.SetCellValue(AboutSheet, cell, v); err != nil {
			return err
		}
		return f.SetCellStyle(AboutSheet, cell, cell, style)
	}
	if err := set("A1", "QA Migrant report: Detail", title); err != nil {
		return err
	}
	if err := f.SetRowHeight(AboutSheet, 1, 22); err != nil {
		return err
	}
	const widthB, charsPerLine = 90, 80
	for i, l := range lines {
		row := i + 3
		style := wrap
		if i == len(lines)-1 {
			style = highlight
		}
		if err := set(fmt.Sprintf("A%d", row), l[0], bold); err != nil {
			return err
		}
		if err := set(fmt.Sprintf("B%d", row), l[1], style); err != nil {
			return err
		}
		// Excel does not grow a row for wrapped text written by a program.
		if n := (utf8.RuneCountInString(l[1]) + charsPerLine - 1) / charsPerLine; n > 1 {
			if err := f.SetRowHeight(AboutSheet, row, float64(n)*15+2); err != nil {
				return err
			}
		}
	}
	// excelize leaves a sheet's dimension at A1; readers that trust it
	// would read the title alone.
	if err := f.SetSheetDimension(AboutSheet, fmt.Sprintf("A1:B%d", len(lines)+2)); err != nil {
		return err
	}
	if err := f.SetColWidth(AboutSheet, "A", "A", 24); err != nil {
		return err
	}
	if err := f.SetColWidth(AboutSheet, "B", "B", widthB); err != nil {
		return err
	}
	portrait, letter, wide, tall, fit := "portrait", 1, 1, 0, true
	if err := f.SetSheetProps(AboutSheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	return f.SetPageLayout(AboutSheet, &excelize.PageLayoutOptions{
		Size: &letter, Orientation: &portrait, FitToWidth: &wide, FitToHeight: &tall,
	})
}

// newSinceNote says what the New since column compares with.
func (q *QA) newSinceNote() string {
	if q.Since.At == "" {
		return "Yes on every row: whoever made this workbook had not exported this district's Detail report before."
	}
	return fmt.Sprintf("Yes when the student's enrollment started, or the record reached the district, after "+
		"the previous export of this district's Detail report by whoever made this workbook (%s).", q.Since.Day.US())
}
