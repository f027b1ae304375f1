package report

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"migrantdesk/data"
)

// pdfText writes the Aggregated report and reads it back with pdftotext.
func pdfText(t *testing.T, q *QA, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is not installed (Debian: apt-get install poppler-utils; make test installs it)")
	}
	path := filepath.Join(t.TempDir(), "aggregated.pdf")
	if err := q.WriteAggregatedFile(path, testMeta); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, append(append(args, "-enc", "UTF-8"), path, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// manySchools is a made-up district whose school list runs over pages:
// school i has i+1 students, each in grade 05, so the counts are easy to
// state.
func manySchools(n int) *QA {
	var rows []Row
	for i := range n {
		for j := 0; j <= i; j++ {
			var r Row
			r.Student = data.Student{StateID: fmt.Sprintf("S%03d-%03d", i, j), Gender: "F", Race: "1"}
			r.Enrollment = data.Enrollment{ID: r.Student.StateID, StateID: r.Student.StateID,
				SchoolNumber: fmt.Sprintf("9%05d", i), Grade: "05", ServiceType: "P"}
			r.SchoolName = schoolName(i)
			rows = append(rows, r)
		}
	}
	return New(data.District{Number: "900", Name: "Distrito Grande"}, period, rows)
}

// schoolName is the name of school i of manySchools, too long for one
// line of the Aggregated report.
func schoolName(i int) string {
	return fmt.Sprintf("Escuela %03d Niños Héroes de Chapultepec con un nombre muy largo para ver cómo se parte", i)
}

// lines splits pdftotext -raw output (text in the order it was drawn).
func lines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// inOrder reports the first of want that is not a line of got after the
// previous one.
func inOrder(got, want []string) (missing string, ok bool) {
	i := 0
	for _, w := range want {
		for i < len(got) && got[i] != w {
			i++
		}
		if i == len(got) {
			return w, false
		}
		i++
	}
	return "", true
}

func TestAggregatedPDF(t *testing.T) {
	st := loadState(t)
	text := pdfText(t, build(t, st, "001"), "-raw")
	want := []string{
		"QA Migrant report: Aggregated counts",
		"District 001 Valle Verde Reporting period 08/01/2024 – 06/30/2025",
		"Migrant students counted: 10",
		"Not included",
		"This report never includes migrant out-of-school youth (OSY), preschool students (grades PS, 97, 98, 99),",
		"students in grade 14 (post-secondary and adult), or K–12 students enrolled in a private (non-public) school.",
		"Students by grade",
		"Grade Students",
		"K 1", "01 0", "02 2", "03 0", "04 0", "05 1", "06 1", "07 0", "08 1", "09 0", "10 1", "11 1", "12 2",
		// the chart: each bar's count, then its grade
		"1", "K", "0", "01", "2", "02", "0", "03", "0", "04", "1", "05", "1", "06", "0", "07", "1", "08",
		"0", "09", "1", "10", "1", "11", "2", "12",
		"Gender Students", "Female 4", "Male 5", "Non-binary 1",
		"Race/ethnicity Students",
		"Hispanic/Latino 6", "American Indian or Alaska Native 1", "Asian 1", "Black or African American 0",
		"Native Hawaiian or Other Pacific Islander 0", "White 1", "Two or More Races 1",
		"Students by student group",
		"Student group Yes No",
		"Economically Disadvantaged 6 4", "English Learner 2 8", "Disability 1 9", "Homeless 2 8",
		"Students by school",
		"School number School name Students",
		"001100 Escuela Primaria Núñez 5",
		"001200 Valle Verde High School 5",
		"Generated 11/02/2026 2:05 PM UTC by coord.núñez Page 1 of 1",
	}
	if missing, ok := inOrder(lines(text), want); !ok {
		t.Errorf("the PDF text lacks %q (in order):\n%s", missing, text)
	}
}

// TestAggregatedHasNoPII looks for every name, ID and birth date of the
// students in the report.
func TestAggregatedHasNoPII(t *testing.T) {
	st := loadState(t)
	for _, d := range []string{"001", "002"} {
		text := pdfText(t, build(t, st, d))
		_, rows := expectedRows(t, "expected_detail_"+d+".csv")
		for _, r := range rows {
			// State ID, last, first and middle name, birth date, MIS2000
			// ID. Not the local number: "0120" is part of school 001200.
			for _, pii := range []string{r[0], r[2], r[3], r[4], r[5], r[14]} {
				if pii != "" && strings.Contains(text, pii) {
					t.Errorf("district %s: the aggregated report shows %q", d, pii)
				}
			}
		}
	}
}

func TestAggregatedEmpty(t *testing.T) {
	st := loadState(t)
	got := lines(pdfText(t, build(t, st, "003"), "-raw"))
	want := []string{"District 003 Lago Azul Reporting period 08/01/2024 – 06/30/2025",
		"Migrant students counted: 0", "K 0", "12 0", "Female 0", "Homeless 0 0", "Students by school",
		"No student is in the report.", "Generated 11/02/2026 2:05 PM UTC by coord.núñez Page 1 of 1"}
	if missing, ok := inOrder(got, want); !ok {
		t.Errorf("the empty report lacks %q:\n%s", missing, strings.Join(got, "\n"))
	}
}

// TestAggregatedPages checks a school list that runs over several pages:
// every page has its header and "Page X of Y" with the true page count,
// the table header is repeated, every school is listed, and long names
// are cut with an ellipsis, accents intact.
func TestAggregatedPages(t *testing.T) {
	q := manySchools(140)
	pages := pageCount(t, writeAggregated(t, q))
	if pages < 3 {
		t.Fatalf("%d pages for 140 schools", pages)
	}
	got := lines(pdfText(t, q, "-raw"))
	var want []string
	for p := 1; p <= pages; p++ {
		want = append(want, "QA Migrant report: Aggregated counts", "District 900 Distrito Grande Reporting period 08/01/2024 – 06/30/2025")
		// Page 1 has no room for the list's heading and three rows: the
		// list starts on page 2 and continues on the others.
		switch {
		case p == 2:
			want = append(want, "Students by school", "School number School name Students")
		case p > 2:
			want = append(want, "Students by school (continued)", "School number School name Students")
		}
		want = append(want, fmt.Sprintf("Generated 11/02/2026 2:05 PM UTC by coord.núñez Page %d of %d", p, pages))
	}
	if missing, ok := inOrder(got, want); !ok {
		t.Errorf("lacks %q:\n%s", missing, strings.Join(got, "\n"))
	}
	text := strings.Join(got, " ")
	for i := range 140 {
		// School i has i+1 students.
		row := fmt.Sprintf(" 9%05d %s %d ", i, schoolName(i), i+1)
		if !strings.Contains(text, row) {
			t.Errorf("school %d is not listed as number, whole name, %d students", i, i+1)
		}
	}
}

// A school name too long for its column was cut with an ellipsis, and a
// coordinator checking counts against the Report Card could not tell
// "Escuela Primaria Nuestra Señora de…" from another of the same start.
// It wraps, whole, in its row; only a name longer than three lines is
// cut at the end of the third.
func TestAggregatedSchoolNamesWrapWhole(t *testing.T) {
	long := "Escuela Primaria Bilingüe Nuestra Señora de Guadalupe y San José de los Ángeles del Valle Alto Número Dos"
	endless := strings.Repeat("Colegio Público Ñandutí de Peñasco ", 12)
	q := manySchools(2)
	for i := range q.Rows {
		q.Rows[i].SchoolName = []string{long, endless}[i%2]
	}
	q = New(q.District, q.Period, q.Rows)
	got := lines(strings.Split(pdfText(t, q, "-raw"), "Students by school")[1])
	text := strings.Join(got, " ")
	if !strings.Contains(text, "900000 "+long+" 1 ") {
		t.Errorf("the long school name is not whole in its row:\n%s", strings.Join(got, "\n"))
	}
	var endlessLines int
	for _, l := range got {
		if strings.Contains(l, "Ñandutí") {
			endlessLines++
		}
	}
	if endlessLines != 3 || !strings.Contains(text, "… 2 ") {
		t.Errorf("a name longer than three lines takes %d lines, cut at the third (…):\n%s", endlessLines, strings.Join(got, "\n"))
	}
}

// A character beyond U+FFFF (an emoji, a rare CJK ideograph) in a school,
// district or user name made the whole Aggregated report fail: fpdf
// keeps a font's widths for the first 65,536 characters only, and read
// past them. Such a character is printed as U+FFFD, the rest of the
// name as it is.
func TestAggregatedNamesBeyondTheFont(t *testing.T) {
	q := manySchools(2)
	for i := range q.Rows {
		q.Rows[i].SchoolName = "Escuela \U0001F3EB Estrella \U00020BB7 del Norte"
	}
	q.District.Name = "Distrito \U0001D53E rande"
	q = New(q.District, q.Period, q.Rows)
	meta := testMeta
	meta.GeneratedBy = "coord.n\U0001F600"
	path := filepath.Join(t.TempDir(), "aggregated.pdf")
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("the report could not be made: %v", r)
			}
		}()
		if err := q.WriteAggregatedFile(path, meta); err != nil {
			t.Fatal(err)
		}
	}()
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Skipf("pdftotext: %v", err)
	}
	text := strings.Join(lines(string(out)), " ")
	for _, want := range []string{"900000 Escuela \uFFFD Estrella \uFFFD del Norte 1 ", "Distrito \uFFFD rande", "by coord.n\uFFFD"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report does not print %q:\n%s", want, text)
		}
	}
	info, err := exec.Command("pdfinfo", "-enc", "UTF-8", path).Output()
	if err != nil {
		t.Skipf("pdfinfo: %v", err)
	}
	if !strings.Contains(string(info), "district 900 Distrito \uFFFD rande,") || !strings.Contains(string(info), "coord.n\uFFFD\n") {
		t.Errorf("the title or author is garbled:\n%s", info)
	}
}

func TestAggregatedEmbedsUnicodeFont(t *testing.T) {
	st := loadState(t)
	path := filepath.Join(t.TempDir(), "aggregated.pdf")
	if err := build(t, st, "002").WriteAggregatedFile(path, testMeta); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdffonts", path).Output()
	if err != nil {
		t.Skipf("pdffonts: %v (Debian: apt-get install poppler-utils)", err)
	}
	embedded := regexp.MustCompile(`(?m)^\S*dejavu\S*\s+CID TrueType\s+Identity-H\s+yes`)
	if n := len(embedded.FindAll(out, -1)); n != 2 {
		t.Errorf("%d embedded DejaVu fonts, want regular and bold:\n%s", n, out)
	}
	if text := pdfText(t, build(t, st, "002"), "-raw"); !strings.Contains(text, "District 002 Río Grande") ||
		!strings.Contains(text, "002100 Río Grande Middle School 2") {
		t.Errorf("accents lost:\n%s", text)
	}
}

// TestAggregatedLongDistrictName: a district name too long to share its
// line with the period prints whole on a line of its own, or two, on
// every page, the period beside the title, and the page's content below
// them; a short one shares the line with the period.
func TestAggregatedLongDistrictName(t *testing.T) {
	for _, name := range []string{
		"Harlingen Consolidated Independent School District",
		"Distrito Escolar Independiente Unificado de Valle Verde y Santa María de los Ángeles del Río",
	} {
		q := manySchools(60)
		q.District.Name = name
		path := writeAggregated(t, q)
		pages := strings.Split(strings.TrimRight(pdfText(t, q, "-raw"), "\f"), "\f")
		if n := pageCount(t, path); len(pages) != n || n < 2 {
			t.Fatalf("%q: %d pages of text, %d pages", name, len(pages), n)
		}
		for i, page := range pages {
			// pdftotext breaks the name where the PDF does, between words.
			header := strings.Join(lines(page)[:4], " ")
			for _, want := range []string{"QA Migrant report: Aggregated counts", "District 900 " + name,
				"Reporting period 08/01/2024 – 06/30/2025"} {
				if !strings.Contains(header, want) {
					t.Errorf("%q: page %d begins %q, without %q", name, i+1, header, want)
				}
			}
		}
		words := strings.Fields(name)
		for page, first := range map[int]string{1: "counted:", 2: "Students"} {
			district, content := pdfWord(t, path, page, words[len(words)-1]), pdfWord(t, path, page, first)
			if content.y0 <= district.y1 {
				t.Errorf("%q: page %d begins with %q at y %.1f, over the district (to y %.1f)", name, page, first, content.y0, district.y1)
			}
			if title, period := pdfWord(t, path, page, "counts"), pdfWord(t, path, page, "Reporting"); period.x0 <= title.x1 {
				t.Errorf("%q: page %d: the period (from x %.1f) runs into the title (to x %.1f)", name, page, period.x0, title.x1)
			}
		}
	}
	if text := pdfText(t, manySchools(3), "-raw"); !strings.Contains(text, "\nDistrict 900 Distrito Grande Reporting period 08/01/2024 – 06/30/2025\n") {
		t.Errorf("a short name no longer shares its line with the period:\n%s", text)
	}
}

// TestAggregatedSchoolsNotSplitEarly: the school list starts on the page
// where its heading is only when three of its rows fit there too; a
// heading that reserved less than it takes left two rows above a page
// break in a district of five schools.
func TestAggregatedSchoolsNotSplitEarly(t *testing.T) {
	for n := 3; n <= 8; n++ {
		got := lines(strings.Split(pdfText(t, manySchools(n), "-raw"), "\f")[0])
		heading, rows := false, 0
		for _, l := range got {
			heading = heading || l == "Students by school"
			if strings.HasPrefix(l, "9000") {
				rows++
			}
		}
		if heading && rows < min(n, 3) {
			t.Errorf("%d schools: page 1 has the school list's heading and %d of its rows", n, rows)
		}
	}
}

// writeAggregated writes the Aggregated report of q to a file.
func writeAggregated(t *testing.T, q *QA) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "aggregated.pdf")
	if err := q.WriteAggregatedFile(path, testMeta); err != nil {
		t.Fatal(err)
	}
	return path
}

// pageCount is how many pages pdfinfo finds in the PDF at path.
func pageCount(t *testing.T, path string) int {
	t.Helper()
	info, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Skipf("pdfinfo: %v (Debian: apt-get install poppler-utils)", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo:\n%s", info)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// word is a word of a PDF page and its box, in points from the top left.
type word struct {
	x0, y0, x1, y1 float64
	text           string
}

// pdfWords are the words of one page of the PDF at path, as pdftotext
// finds them.
func pdfWords(t *testing.T, path string, page int) []word {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext is not installed (Debian: apt-get install poppler-utils; make test installs it)")
	}
	n := strconv.Itoa(page)
	out, err := exec.Command(bin, "-bbox", "-f", n, "-l", n, path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	var words []word
	re := regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		var w word
		w.x0, _ = strconv.ParseFloat(m[1], 64)
		w.y0, _ = strconv.ParseFloat(m[2], 64)
		w.x1, _ = strconv.ParseFloat(m[3], 64)
		w.y1, _ = strconv.ParseFloat(m[4], 64)
		w.text = m[5]
		words = append(words, w)
	}
	return words
}

// pdfWord is the first word text of a page.
func pdfWord(t *testing.T, path string, page int, text string) word {
	t.Helper()
	for _, w := range pdfWords(t, path, page) {
		if w.text == text {
			return w
		}
	}
	t.Fatalf("no %q on page %d", text, page)
	return word{}
}

// TestAggregatedFooterLongName: the app signs the report "Full Name
// (username)"; a long one is cut with an ellipsis in the footer rather
// than printed over "Page X of Y".
func TestAggregatedFooterLongName(t *testing.T) {
	meta := testMeta
	meta.GeneratedBy = "María Guadalupe Fernández-Villaseñor de la Concepción Ortiz (mgfernandezvillasenor)"
	path := filepath.Join(t.TempDir(), "aggregated.pdf")
	if err := manySchools(3).WriteAggregatedFile(path, meta); err != nil {
		t.Fatal(err)
	}
	words := pdfWords(t, path, 1)
	var page word
	for _, w := range words {
		if w.text == "Page" {
			page = w
		}
	}
	if page.text == "" {
		t.Fatalf("no Page X of Y on page 1: %v", words)
	}
	pageWords := regexp.MustCompile(`^(Page|of|[0-9]+)$`)
	for _, w := range words {
		onLine := w.y0 > page.y0-1 && w.y0 < page.y0+1
		if onLine && w.x1 > page.x0 && (w.x0 < page.x0 || !pageWords.MatchString(w.text)) {
			t.Errorf("%q (x %.1f to %.1f) runs into Page X of Y (from x %.1f)", w.text, w.x0, w.x1, page.x0)
		}
	}
}

// TestAggregatedThousands: counts of a thousand and more are written
// with a comma, as the app and the Detail workbook's About sheet write
// them: 1,275 students of grade 05, not 1275.
func TestAggregatedThousands(t *testing.T) {
	got := lines(pdfText(t, manySchools(50), "-raw"))
	want := []string{"Migrant students counted: 1,275", "05 1,275", "1,275", "05", "Female 1,275",
		"Economically Disadvantaged 0 1,275"}
	if missing, ok := inOrder(got, want); !ok {
		t.Errorf("the report lacks %q:\n%s", missing, strings.Join(got, "\n"))
	}
}
