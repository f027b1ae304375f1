package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-pdf/fpdf"

	"migrantdesk/assets"
	"migrantdesk/data"
)

// CountingRule explains the unduplicated counts on the Aggregated report.
const CountingRule = "Each student is counted once, by the qualifying enrollment with service type P, " +
	"else S, else N (ties: the latest start date). The report holds no student names or IDs."

// WriteAggregatedFile writes the Aggregated PDF to path through a
// temporary file, so a failed write leaves nothing behind.
func (q *QA) WriteAggregatedFile(path string, meta Meta) error {
	return WriteFile(path, 0o644, func(w io.Writer) error { return q.WriteAggregated(w, meta) })
}

// WriteAggregated writes the Aggregated report (.pdf) to w.
//
// The footer's "Page X of Y" is laid out twice: once to count the pages,
// then for real. fpdf's page-count alias would be replaced after the font
// subset is chosen, so a digit that appears nowhere else would print blank.
func (q *QA) WriteAggregated(w io.Writer, meta Meta) error {
	first, err := q.layoutAggregated(meta, 0)
	if err != nil {
		return err
	}
	pdf, err := q.layoutAggregated(meta, first.PageNo())
	if err != nil {
		return err
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write the aggregated report: %w", err)
	}
	return nil
}

// Page geometry, in millimetres, on US Letter.
const (
	pageMargin   = 18.0
	headerBottom = 31.0
	footerTop    = 262.0
	rowHeight    = 5.0
	fontFamily   = "DejaVu"
)

// pdfDoc is one layout pass of the Aggregated report.
type pdfDoc struct {
	*fpdf.Fpdf
	q     *QA
	meta  Meta
	pages int // 0 on the counting pass
	width float64
	// district is the header's district line, or its lines when it does
	// not fit beside the period (shared is then false); top is where a
	// page's content begins, below them.
	district []string
	shared   bool
	top      float64
}

// The text methods of fpdf that the report uses, given only characters
// the font can hold: fpdf keeps a font's widths for the first 65,536
// characters and reads past them for one beyond (an emoji, a rare CJK
// ideograph in a school, district or user name), which made the whole
// report fail. Such a character prints as U+FFFD, the rest as it is;
// so too in the title and author, which fpdf otherwise garbles.

func (d *pdfDoc) CellFormat(w, h float64, txt, border string, ln int, align string, fill bool, link int, linkStr string) {
	d.Fpdf.CellFormat(w, h, inFont(txt), border, ln, align, fill, link, linkStr)
}

func (d *pdfDoc) MultiCell(w, h float64, txt, border, align string, fill bool) {
	d.Fpdf.MultiCell(w, h, inFont(txt), border, align, fill)
}

func (d *pdfDoc) SplitText(txt string, w float64) []string { return d.Fpdf.SplitText(inFont(txt), w) }

func (d *pdfDoc) GetStringWidth(s string) float64 { return d.Fpdf.GetStringWidth(inFont(s)) }

// inFont is s with each character beyond U+FFFF replaced by U+FFFD.
func inFont(s string) string {
	return strings.Map(func(r rune) rune {
		if r > 0xFFFF {
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

func (q *QA) layoutAggregated(meta Meta, pages int) (*fpdf.Fpdf, error) {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.AddUTF8FontFromBytes(fontFamily, "", assets.FontRegular)
	pdf.AddUTF8FontFromBytes(fontFamily, "B", assets.FontBold)
	pdf.SetTitle(inFont("QA Migrant report: Aggregated counts, district "+q.DistrictLabel()+", "+q.Period.String()), true)
	pdf.SetAuthor(inFont(meta.GeneratedBy), true)
	pdf.SetCreator("Migrant Desk", true)
	pdf.SetCreationDate(meta.GeneratedAt)
	pdf.SetModificationDate(meta.GeneratedAt)
	pdf.SetAutoPageBreak(false, 0)
	pageW, _ := pdf.GetPageSize()
	d := &pdfDoc{Fpdf: pdf, q: q, meta: meta, pages: pages, width: pageW - 2*pageMargin}
	d.layOutHeader()
	pdf.SetMargins(pageMargin, d.top, pageMargin)
	pdf.SetHeaderFunc(d.header)
	pdf.SetFooterFunc(d.footer)

	pdf.AddPage()
	d.summary()
	d.grades()
	d.demographics()
	d.groups()
	d.schools()
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("lay out the aggregated report: %w", err)
	}
	return pdf, nil
}

// headerLine is the height of the header's district and period lines.
const headerLine = 6.0

// layOutHeader decides the header's district lines and so where content
// starts. The district and the period share the line under the title
// when both fit. A district name too long for that (many are, such as
// "Harlingen Consolidated Independent School District") has that line
// to itself, or two lines, the period moving up beside the title, so
// that the coordinator sees the whole name on every page; only a name
// longer still is cut.
func (d *pdfDoc) layOutHeader() {
	d.SetFont(fontFamily, "", 10)
	district := "District " + d.q.DistrictLabel()
	d.district, d.top = []string{district}, headerBottom
	if d.shared = d.GetStringWidth(district+headerGap+d.period()) <= d.width-2*d.GetCellMargin(); d.shared {
		return
	}
	d.district = d.SplitText(district, d.width)
	if len(d.district) > 2 {
		d.district = []string{d.district[0], d.fit(strings.Join(d.district[1:], " "), d.width)}
	}
	d.top = headerBottom + float64(len(d.district)-1)*headerLine
}

// headerGap separates the district from the period when they share a line.
const headerGap = "    "

func (d *pdfDoc) period() string { return "Reporting period " + d.q.Period.String() }

func (d *pdfDoc) header() {
	d.SetXY(pageMargin, 14)
	d.SetTextColor(0, 0, 0)
	if !d.shared {
		// Smaller than the district line: beside the title, the period
		// must fit in what the title leaves of the line.
		d.SetFont(fontFamily, "", 9)
		d.CellFormat(d.width, 7, d.period(), "", 0, "R", false, 0, "")
		d.SetX(pageMargin)
	}
	d.SetFont(fontFamily, "B", 14)
	d.CellFormat(d.width, 7, "QA Migrant report: Aggregated counts", "", 1, "L", false, 0, "")
	d.SetFont(fontFamily, "", 10)
	if d.shared {
		d.CellFormat(d.GetStringWidth(d.district[0]+headerGap), headerLine, d.district[0], "", 0, "L", false, 0, "")
		d.CellFormat(0, headerLine, d.period(), "", 1, "L", false, 0, "")
	} else {
		for _, l := range d.district {
			d.CellFormat(d.width, headerLine, l, "", 1, "L", false, 0, "")
		}
	}
	d.SetDrawColor(120, 120, 120)
	d.SetLineWidth(0.3)
	d.Line(pageMargin, d.top-3, pageMargin+d.width, d.top-3)
	d.SetXY(pageMargin, d.top)
}

func (d *pdfDoc) footer() {
	d.SetDrawColor(120, 120, 120)
	d.SetLineWidth(0.3)
	d.Line(pageMargin, footerTop+2, pageMargin+d.width, footerTop+2)
	d.SetXY(pageMargin, footerTop+3)
	d.SetFont(fontFamily, "", 8)
	d.SetTextColor(60, 60, 60)
	// The app signs with a full name; a long one would print over the
	// page number.
	d.CellFormat(d.width*0.7, 5, d.fit("Generated "+d.meta.GeneratedText(), d.width*0.7), "", 0, "L", false, 0, "")
	page := "Page " + strconv.Itoa(d.PageNo())
	if d.pages > 0 {
		page += " of " + strconv.Itoa(d.pages)
	}
	d.CellFormat(d.width*0.3, 5, page, "", 0, "R", false, 0, "")
	d.SetTextColor(0, 0, 0)
}

// room starts a new page unless h millimetres fit above the footer.
func (d *pdfDoc) room(h float64) {
	if d.GetY()+h > footerTop {
		d.AddPage()
	}
}

// headingSpace and titleHeight are the space above a table's heading and
// the heading's own height: what room must count with the table's first
// rows, or they are left on a page without them.
const (
	headingSpace = 3.0
	titleHeight  = 7.0
)

func (d *pdfDoc) heading(title string, next float64) {
	d.room(headingSpace + titleHeight + next)
	d.Ln(headingSpace)
	d.title(title)
}

// title writes a table's heading at the cursor.
func (d *pdfDoc) title(text string) {
	d.SetFont(fontFamily, "B", 11)
	d.CellFormat(d.width, titleHeight, text, "", 1, "L", false, 0, "")
}

func (d *pdfDoc) summary() {
	d.SetFont(fontFamily, "B", 12)
	d.CellFormat(d.width, 8, "Migrant students counted: "+data.Thousands(d.q.Counts.Total), "", 1, "L", false, 0, "")
	d.SetFont(fontFamily, "", 9)
	d.MultiCell(d.width, 4.6, CountingRule, "", "L", false)
	d.Ln(2)
	d.SetFillColor(240, 240, 240)
	d.SetFont(fontFamily, "B", 9)
	d.CellFormat(d.width, 6, "Not included", "", 1, "L", true, 0, "")
	d.SetFont(fontFamily, "", 9)
	d.MultiCell(d.width, 4.6, Exclusions, "", "L", true)
}

// column is one column of a table: its width, its header, its alignment.
type column struct {
	w     float64
	title string
	align string
}

// table draws a header and rows at x, starting new pages as needed, each
// with the table's title marked "(continued)" and its header again, and
// leaves the cursor below it at the left margin.
func (d *pdfDoc) table(title string, x float64, cols []column, rows [][]string) {
	head := func() {
		d.SetX(x)
		d.SetFont(fontFamily, "B", 9)
		d.SetFillColor(222, 230, 242)
		for _, c := range cols {
			d.CellFormat(c.w, rowHeight+0.6, c.title, "B", 0, c.align, true, 0, "")
		}
		d.Ln(-1)
	}
	head()
	d.SetFont(fontFamily, "", 9)
	d.SetFillColor(246, 246, 246)
	for i, r := range rows {
		cells, h := d.rowLines(cols, r)
		if d.GetY()+h > footerTop {
			d.AddPage()
			d.SetX(x)
			d.title(title + " (continued)")
			head()
			d.SetFont(fontFamily, "", 9)
			d.SetFillColor(246, 246, 246)
		}
		y, cx := d.GetY(), x
		for j, c := range cols {
			if i%2 == 1 {
				d.Rect(cx, y, c.w, h, "F")
			}
			for k, l := range cells[j] {
				d.SetXY(cx, y+float64(k)*rowHeight)
				d.CellFormat(c.w, rowHeight, l, "", 0, c.align, false, 0, "")
			}
			cx += c.w
		}
		d.SetY(y + h)
	}
	d.SetX(pageMargin)
}

// tableHeight is what table needs for n rows of one line.
func tableHeight(n int) float64 { return rowHeight + 0.6 + float64(n)*rowHeight }

// maxCellLines bounds a wrapped cell: three lines hold any real school
// name whole; a longer one is cut at the end of its third.
const maxCellLines = 3

// rowLines wraps each cell of a row to its column, in the table font,
// and says how tall the row is. A name is wrapped, not cut: a school
// printed as "Escuela Primaria Nuestra Señora de…" cannot be told from
// another of the same start when checking the counts.
func (d *pdfDoc) rowLines(cols []column, r []string) (cells [][]string, h float64) {
	d.SetFont(fontFamily, "", 9)
	cells = make([][]string, len(cols))
	n := 1
	for j, c := range cols {
		ls := d.SplitText(r[j], c.w)
		if len(ls) > maxCellLines {
			ls = append(ls[:maxCellLines-1], d.fit(strings.Join(ls[maxCellLines-1:], " "), c.w))
		}
		cells[j] = ls
		n = max(n, len(ls))
	}
	return cells, float64(n) * rowHeight
}

// rowsHeight is what table needs for rows, wrapped as it wraps them.
func (d *pdfDoc) rowsHeight(cols []column, rows [][]string) float64 {
	h := rowHeight + 0.6
	for _, r := range rows {
		_, rh := d.rowLines(cols, r)
		h += rh
	}
	return h
}

// fit shortens s with an ellipsis so that it fits a cell of width w.
func (d *pdfDoc) fit(s string, w float64) string {
	room := w - 2*d.GetCellMargin()
	if d.GetStringWidth(s) <= room {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.GetStringWidth(string(r)+"…") > room {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func countRows(cs []Count) [][]string {
	rows := make([][]string, len(cs))
	for i, c := range cs {
		rows[i] = []string{c.Label, data.Thousands(c.N)}
	}
	return rows
}

func (d *pdfDoc) grades() {
	gs := d.q.Counts.Grades
	h := tableHeight(len(gs))
	d.heading("Students by grade", h)
	top := d.GetY()
	d.table("Students by grade", pageMargin, []column{{22, "Grade", "L"}, {24, "Students", "R"}}, countRows(gs))
	d.chart(pageMargin+58, top, d.width-58, h)
	d.SetY(top + h)
}

// chart draws the grade counts as vertical bars in the box (x, y, w, h),
// each bar with its count above and its grade below.
func (d *pdfDoc) chart(x, y, w, h float64) {
	gs := d.q.Counts.Grades
	most := 0
	for _, g := range gs {
		most = max(most, g.N)
	}
	const labelH = 5.0
	base := y + h - labelH
	top := y + 6 // room for the tallest bar's count
	slot := w / float64(len(gs))
	d.SetDrawColor(90, 90, 90)
	d.SetLineWidth(0.3)
	d.Line(x, base, x+w, base)
	for i, g := range gs {
		bx := x + float64(i)*slot
		barH := 0.0
		if most > 0 {
			barH = (base - top) * float64(g.N) / float64(most)
		}
		if barH > 0 {
			d.SetFillColor(62, 104, 168)
			d.Rect(bx+slot*0.15, base-barH, slot*0.7, barH, "F")
		}
		d.SetFont(fontFamily, "", 7.5)
		d.SetXY(bx, base-barH-4.5)
		d.CellFormat(slot, 4, data.Thousands(g.N), "", 0, "C", false, 0, "")
		d.SetFont(fontFamily, "B", 8)
		d.SetXY(bx, base+0.8)
		d.CellFormat(slot, 4, g.Label, "", 0, "C", false, 0, "")
	}
}

// demographics puts gender and race/ethnicity side by side.
func (d *pdfDoc) demographics() {
	c := d.q.Counts
	h := max(tableHeight(len(c.Genders)), tableHeight(len(c.Races)))
	d.room(headingSpace + titleHeight + h)
	d.Ln(headingSpace)
	top := d.GetY()
	d.SetFont(fontFamily, "B", 11)
	d.CellFormat(58, titleHeight, "Students by gender", "", 0, "L", false, 0, "")
	d.CellFormat(d.width-58, titleHeight, "Students by race/ethnicity", "", 1, "L", false, 0, "")
	d.table("Students by gender", pageMargin, []column{{24, "Gender", "L"}, {22, "Students", "R"}}, countRows(c.Genders))
	d.SetY(top + titleHeight)
	d.table("Students by race/ethnicity", pageMargin+58, []column{{d.width - 58 - 22, "Race/ethnicity", "L"}, {22, "Students", "R"}}, countRows(c.Races))
	d.SetY(top + titleHeight + h)
}

func (d *pdfDoc) groups() {
	gs := d.q.Counts.Groups
	const title = "Students by student group"
	d.heading(title, tableHeight(len(gs)))
	rows := make([][]string, len(gs))
	for i, g := range gs {
		rows[i] = []string{g.Label, data.Thousands(g.Yes), data.Thousands(g.No)}
	}
	d.table(title, pageMargin, []column{{70, "Student group", "L"}, {22, "Yes", "R"}, {22, "No", "R"}}, rows)
}

func (d *pdfDoc) schools() {
	ss := d.q.Counts.Schools
	const title = "Students by school"
	rows := make([][]string, len(ss))
	for i, s := range ss {
		rows[i] = []string{s.Number, s.Name, data.Thousands(s.N)}
	}
	cols := []column{{30, "School number", "L"}, {d.width - 30 - 22, "School name", "L"}, {22, "Students", "R"}}
	d.heading(title, d.rowsHeight(cols, rows[:min(len(rows), 3)]))
	if len(ss) == 0 {
		d.SetFont(fontFamily, "", 9)
		d.CellFormat(d.width, rowHeight, "No student is in the report.", "", 1, "L", false, 0, "")
		return
	}
	d.table(title, pageMargin, cols, rows)
}
