package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"migrantdesk/data"
)

// Bounds on an MIS2000 export. A regional export has a few thousand rows
// of short fields (a state-wide one about 12,000, some 2 MB); anything far
// bigger is another file picked by mistake, and reading it whole would
// only use memory.
const (
	MaxMIS2000Bytes = 64 << 20          // the file on disk
	MaxMIS2000Field = data.MaxTextBytes // bytes in one value of a column that is read
	// maxUnzipped bounds what an .xlsx file may expand to, against a
	// small file that unpacks to gigabytes.
	maxUnzipped = 512 << 20
	// maxListedUnknown caps the unknown columns named, for a file whose
	// header is something else altogether.
	maxListedUnknown = 20
)

// The columns of an MIS2000 export, in mis2000Columns order.
const (
	xID = iota
	xLast
	xLast2
	xFirst
	xBirth
	xQAD
	xEED
	xDistrict
	xGender
	xSchool
	xGrade
)

// mis2000Column is a column of an MIS2000 export: the name messages give
// it, the header spellings it is known by (compared by headerKey), and
// whether a file without it is refused.
type mis2000Column struct {
	name     string
	aliases  []string
	required bool
}

// mis2000Columns are the columns known in an MIS2000 export. "Last Name"
// and "Last Name 1" are one column: a file has either, and "Last Name 2",
// when there is one, is joined to it. The short forms are those of MIS2000
// reports and of clerks who retype a header ("End of Elig.", "Dist #"):
// punctuation does not count, so "Dist #" is Dist.
var mis2000Columns = []mis2000Column{
	xID:    {"MIS2000 ID", []string{"MIS2000 ID", "MIS ID", "Student ID (MIS)", "MIS2000 #", "MIS2000"}, true},
	xLast:  {"Last Name", []string{"Last Name", "Last Name 1"}, true},
	xLast2: {"Last Name 2", []string{"Last Name 2"}, false},
	xFirst: {"First Name", []string{"First Name"}, true},
	xBirth: {"Birth Date", []string{"Birth Date", "DOB", "Birthdate", "Date of Birth"}, true},
	xQAD:   {"QAD", []string{"QAD", "Qualifying Arrival Date", "Last Qualifying Arrival Date", "Qual Arrival Date"}, true},
	xEED: {"EED", []string{"EED", "EOE", "EOE Date", "End of Elig", "End of Eligibility", "End of Eligibility Date",
		"Elig End Date", "Eligibility End Date", "Eligibility Expiration Date"}, false},
	xDistrict: {"District", []string{"District", "District Number", "District No", "Dist", "Dist No"}, false},
	xGender:   {"Gender", []string{"Gender", "Sex"}, false},
	xSchool:   {"School", []string{"School", "School Name"}, false},
	xGrade:    {"Grade", []string{"Grade", "Grade Level"}, false},
}

// mis2000Names are the columns' names, as the table reports them, and
// mis2000Keys maps a header key to its column and the place of that
// spelling among the column's aliases.
var mis2000Names, mis2000Keys = func() ([]string, map[string]spelling) {
	names := make([]string, len(mis2000Columns))
	keys := map[string]spelling{}
	for c, col := range mis2000Columns {
		names[c] = col.name
		for i, a := range col.aliases {
			keys[headerKey(a)] = spelling{c, i}
		}
	}
	return names, keys
}()

// spelling is a header spelling of a column: the column, and its rank
// among the column's aliases, 0 for the column's own name.
type spelling struct{ column, rank int }

// headerKey is a header name with case, accents, spaces and punctuation
// taken out: "Student ID (MIS)" and "student_id_mis" are both studentidmis.
func headerKey(h string) string {
	return strings.ReplaceAll(data.NormalizeName(h), " ", "")
}

// headerColumn is the known column a header names: by the whole header,
// else by the words before a parenthesis or the words in it, as the app
// labels its fields ("Last Qualifying Arrival Date (QAD)") and templates
// give a format ("Birth Date (MM/DD/YYYY)"). A header whose two parts
// name different columns names none.
func headerColumn(h string) (spelling, bool) {
	if c, ok := mis2000Keys[headerKey(h)]; ok {
		return c, true
	}
	before, inside, ok := strings.Cut(h, "(")
	if !ok {
		return spelling{}, false
	}
	inside, _, _ = strings.Cut(inside, ")")
	c1, ok1 := mis2000Keys[headerKey(before)]
	c2, ok2 := mis2000Keys[headerKey(inside)]
	switch {
	case ok1 && ok2 && c1.column != c2.column:
		return spelling{}, false
	case ok1:
		return c1, true
	}
	return c2, ok2
}

// MIS2000File is an MIS2000 export as read: the rows to compare, and what
// a clerk should know about the rest of the file.
type MIS2000File struct {
	Path  string // where it was read from
	File  string // the file's name
	Sheet string // the sheet read, for a workbook
	Rows  []data.MIS2000Row
	// Skipped holds the problems of the rows that could not be read, with
	// their lines: those rows are left out of the comparison, the others
	// are compared.
	Skipped ProblemList
	// Unread are the rows not read, with what of them could be: Line;
	// MIS2000ID when the ID cell itself is a valid ID (those students are
	// in the export, though their rows are not compared), else "";
	// District as written, "" when it could not be read.
	Unread []data.MIS2000Row
	// Unknown are the header names that are none of the known columns,
	// as written; UnknownMore counts those beyond the ones listed.
	Unknown     []string
	UnknownMore int
	// Absent are the optional columns the comparison uses (EED,
	// District) that the file does not have.
	Absent []string
	// Encoding is how a CSV file's text was read: "UTF-8", or
	// "Windows-1252" for a file that is not UTF-8; "" for a workbook.
	Encoding string
}

// Has reports whether the file has column name ("EED", "District").
func (f *MIS2000File) Has(name string) bool {
	for _, a := range f.Absent {
		if a == name {
			return false
		}
	}
	return true
}

// ReadMIS2000 reads an MIS2000 export: a CSV file, or the sheet of an
// .xlsx workbook (known by its name or its content) that holds it (see
// exportSheet), from its header down (see titleRows). Header names are
// matched loosely (case, spaces and punctuation do not matter) against
// the spellings MIS2000 and its users have used. Dates are MM/DD/YYYY or
// YYYY-MM-DD, alone or followed by midnight, or Excel date cells.
//
// A file is refused when it is too big, cannot be read, or lacks a
// required column (MIS2000 ID, last name, first name, birth date, QAD): the
// error is then a *ProblemList naming what is missing, or says why the
// file could not be opened. A bad row does not refuse the file: it is
// listed in Skipped and the other rows are returned, unless no row at all
// could be read.
func ReadMIS2000(path string) (f *MIS2000File, err error) {
	defer recovered("reading the MIS2000 export", &err)
	info, err := regularFile(path, "the MIS2000 export")
	if err != nil {
		return nil, err
	}
	switch {
	case strings.EqualFold(filepath.Ext(path), ".xls"):
		return nil, fmt.Errorf("%s is in the old Excel format (.xls); open it in Excel and save it as .xlsx or as CSV", path)
	case info.Size() > MaxMIS2000Bytes:
		return nil, fmt.Errorf("%s has %d MB, more than an MIS2000 export ever has (at most %d MB); check that it is the right file",
			path, info.Size()>>20, MaxMIS2000Bytes>>20)
	}
	if info.Size() == 0 {
		return nil, fmt.Errorf("%s is empty; export the students from MIS2000 again", path)
	}
	start, err := fileStart(path)
	if err != nil {
		return nil, fmt.Errorf("read the MIS2000 export: %w", err)
	}
	// A clerk who picks the QA report or a printout by mistake is told
	// so, not that its first line of PDF code lacks five columns.
	if bytes.HasPrefix(start, pdfSignature) {
		return nil, fmt.Errorf("%s is a PDF document, not an MIS2000 export; "+
			"choose the export saved from MIS2000 as CSV or as an Excel workbook (.xlsx)", path)
	}
	if bytes.HasPrefix(start, oleSignature) {
		return nil, fmt.Errorf("%s is protected with a password, or in the old Excel format (.xls); "+
			"open it in Excel and save it as .xlsx without a password, or as CSV", path)
	}
	var rs rows
	at := Problem{File: filepath.Base(path)}
	ragged := false
	var encoding string
	// A workbook is known by its content: a download or a colleague may
	// have given it a .csv name.
	if strings.EqualFold(filepath.Ext(path), ".xlsx") || bytes.HasPrefix(start, zipSignature) {
		w, err := openWorkbook(path, maxUnzipped)
		if err != nil {
			return nil, fmt.Errorf("read the MIS2000 export: %w", err)
		}
		defer w.close()
		sheets := w.f.GetSheetList()
		if len(sheets) == 0 {
			return nil, fmt.Errorf("the MIS2000 export %s has no sheet", path)
		}
		var titles int
		at.Sheet, titles = exportSheet(w, sheets)
		ragged = true
		if rs, err = w.rows(at.Sheet); err != nil {
			return nil, fmt.Errorf("read sheet %s of %s: %w", at.Sheet, path, err)
		}
		skipRecords(rs, titles)
	} else {
		text, size, ansi, err := readMIS2000CSV(path, at)
		if err != nil {
			return nil, fmt.Errorf("read the MIS2000 export: %w", err)
		}
		titles, _ := titleRows(newCSVRows(bytes.NewReader(text), nil, size))
		rs = newCSVRows(bytes.NewReader(text), nil, size)
		skipRecords(rs, titles)
		encoding = "UTF-8"
		if ansi {
			encoding = "Windows-1252"
		}
	}
	defer rs.close()
	out, err := readMIS2000(rs, at, ragged)
	if out != nil {
		out.Path, out.Encoding = path, encoding
	}
	return out, err
}

// ansiText reports whether text is in an 8-bit encoding, not UTF-8: it
// has bytes that are not UTF-8 and no accented letter that is. A UTF-8
// file with a few bad bytes (Díaz beside a stray 0xFF) stays UTF-8, and
// its bad cells are reported, rather than every accent of it misread.
// Text with NUL bytes is no 8-bit text.
func ansiText(text []byte) bool {
	if bytes.IndexByte(text, 0) >= 0 {
		return false
	}
	invalid := false
	for len(text) > 0 {
		r, n := utf8.DecodeRune(text)
		switch {
		case r == utf8.RuneError && n <= 1:
			invalid = true
		case n > 1:
			return false
		}
		text = text[n:]
	}
	return invalid
}

// readMIS2000CSV reads an export saved as CSV whole (it is at most
// MaxMIS2000Bytes), as UTF-8 text, or as Windows-1252 when it is not
// UTF-8: Excel's "CSV (Comma delimited)", what a clerk who opens the
// export in Excel and saves it gets, writes the accents of Núñez in
// Windows-1252, and read as UTF-8 every row with an accent would be left
// out (see ansiText). The text it returns has UTF-8 in it either way,
// and the file's size; ansi reports whether it was read as Windows-1252.
func readMIS2000CSV(path string, at Problem) (text []byte, size int64, ansi bool, err error) {
	file, size, err := openRegular(path, at.File, MaxMIS2000Bytes)
	if err != nil {
		return nil, 0, false, err
	}
	defer file.Close()
	text, err = io.ReadAll(newStallReader(file, stallTimeout))
	if err != nil {
		return nil, 0, false, err
	}
	if !ansiText(text) {
		return text, size, false, nil
	}
	if text, err = charmap.Windows1252.NewDecoder().Bytes(text); err != nil {
		return nil, 0, false, err
	}
	return text, size, true, nil
}

// exportSheet is the first sheet with a header that has every required
// column, and how many title rows come before that header (see
// titleRows); else the first sheet, whose problems then say what is
// missing. A clerk who saves the export behind a cover or notes sheet
// still sees it in the workbook, and expects it read.
func exportSheet(w *workbook, sheets []string) (string, int) {
	for _, s := range sheets {
		if rs, err := w.rows(s); err == nil {
			titles, ok := titleRows(rs)
			rs.close()
			if ok {
				return s, titles
			}
		}
	}
	return sheets[0], 0
}

// maxTitleRows bounds the rows a report may have above its header.
const maxTitleRows = 10

// titleRows reads rs from its start for a header that has every required
// column, among its first maxTitleRows records: a report is often saved
// with its title and the day it was run above the header. It returns how
// many records come before the header, and whether one was found.
func titleRows(rs rows) (int, bool) {
	for i := range maxTitleRows {
		rec, err := rs.next()
		if err != nil {
			return 0, false
		}
		if hasRequiredColumns(rec) {
			return i, true
		}
	}
	return 0, false
}

// skipRecords passes over the first n records of rs.
func skipRecords(rs rows, n int) {
	for range n {
		if _, err := rs.next(); err != nil {
			return
		}
	}
}

// hasRequiredColumns reports whether a header names every column an
// export must have.
func hasRequiredColumns(header []string) bool {
	found := make([]bool, len(mis2000Columns))
	for _, h := range header {
		if c, ok := headerColumn(h); ok {
			found[c.column] = true
		}
	}
	for c, col := range mis2000Columns {
		if col.required && !found[c] {
			return false
		}
	}
	return true
}

// How a file begins: an .xlsx workbook is a zip archive; an encrypted
// workbook, like an old .xls one, is an OLE compound file.
var (
	zipSignature = []byte("PK\x03\x04")
	oleSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	pdfSignature = []byte("%PDF-")
)

// otherFiles are the files the app reads besides an MIS2000 export, by
// their columns: a clerk who picks one of them by mistake (the folders
// sit side by side) is told which file it is.
var otherFiles = []struct {
	what string
	cols []string
}{
	{"the students of the state enrollment extract (students.csv)", studentColumns},
	{"the enrollments of the state enrollment extract (enrollments.csv)", enrollmentColumns},
	{"the programs of the state enrollment extract (programs.csv)", programColumns},
	{"the assessments of the state enrollment extract (assessments.csv)", assessmentColumns},
	{"the schools of the state enrollment extract (schools.csv)", schoolColumns},
	{"the districts of the state enrollment extract (districts.csv)", districtColumns},
	{"the regions of the state enrollment extract (regions.csv)", regionColumns},
	{"migrant records to load in bulk (migrant_records.csv)", recordColumns},
}

// otherFile is what otherFiles says of the file whose header this is,
// "" when it is none of them.
func otherFile(header []string) string {
	keys := map[string]bool{}
	for _, h := range header {
		keys[headerKey(h)] = true
	}
	for _, f := range otherFiles {
		all := true
		for _, c := range f.cols {
			all = all && keys[headerKey(c)]
		}
		if all {
			return f.what
		}
	}
	return ""
}

// fileStart reads the first bytes of the file at path, through the same
// guard against a drive that stops answering as the rest of the file.
func fileStart(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, len(oleSignature))
	n, err := io.ReadFull(newStallReader(f, stallTimeout), b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:n], nil
}

func readMIS2000(rs rows, at Problem, ragged bool) (*MIS2000File, error) {
	out := &MIS2000File{File: at.File, Sheet: at.Sheet}
	var probs ProblemList
	t := openMIS2000Table(rs, at, ragged, &probs, out)
	if t == nil {
		return nil, &probs
	}
	for _, c := range []int{xEED, xDistrict} {
		if t.pos[c] < 0 {
			out.Absent = append(out.Absent, mis2000Names[c])
		}
	}
	// The table reports and passes over records of the wrong shape (too
	// many fields, bad quoting) by itself: each is a row not compared.
	// Fields before the one missing or split are in place, so a valid ID
	// in the ID column is the student's, who is in the export.
	// A district cell after the one missing or split may be another
	// column's value: it is not taken.
	t.misshapen = func(rec []string) {
		u := data.MIS2000Row{Line: t.line(-1)}
		if p := t.pos[xID]; p < len(rec) {
			u.MIS2000ID = strings.TrimSpace(rec[p])
		}
		out.Unread = append(out.Unread, unread(u))
	}
	for t.next() {
		r, ok := t.mis2000Row()
		if ok {
			out.Rows = append(out.Rows, r)
		} else {
			out.Unread = append(out.Unread, unread(r))
		}
	}
	out.Skipped = probs
	if len(out.Rows) == 0 {
		if numbers := numberColumns(probs); numbers != nil {
			return nil, numbers
		}
		if probs.Len() == 0 {
			probs.add(Problem{File: at.File, Sheet: at.Sheet, Msg: "the file has a header but no student rows"})
		}
		return nil, &probs
	}
	return out, nil
}

// numberColumns is the refusal of a workbook whose IDs are stored as
// numbers, with one problem for each such column in place of one for
// each cell: Excel stores them so when it opens the CSV export and saves
// it as a workbook, and a cell each, hundreds of lines, would tell to
// retype what the CSV file still has. The other problems follow as they
// are. It is nil when no ID is stored as a number.
func numberColumns(probs ProblemList) *ProblemList {
	if probs.Dropped > 0 {
		return nil
	}
	type span struct{ count, first, last int }
	var cols []string
	var others []Problem
	spans := map[string]*span{}
	for _, p := range probs.Problems {
		if !strings.HasSuffix(p.Msg, storedAsNumber) {
			others = append(others, p)
			continue
		}
		s := spans[p.Column]
		if s == nil {
			s = &span{first: p.Line}
			spans[p.Column] = s
			cols = append(cols, p.Column)
		}
		s.count++
		s.last = p.Line
	}
	if len(cols) == 0 {
		return nil
	}
	out := &ProblemList{}
	for _, c := range cols {
		s := spans[c]
		what := fmt.Sprintf("the %s of rows %d to %d are stored as numbers, which loses their", data.Count(s.count, "value"), s.first, s.last)
		if s.count == 1 {
			what = fmt.Sprintf("the value of row %d is stored as a number, which loses its", s.first)
		}
		out.add(Problem{File: probs.Problems[0].File, Sheet: probs.Problems[0].Sheet, Column: c,
			Msg: what + " leading zeros (Excel does so to a CSV file it opens and saves as a workbook); choose the CSV file MIS2000 saved instead"})
	}
	for _, p := range others {
		out.add(p)
	}
	return out
}

// unread is what is kept of a row not read: its line, its MIS2000 ID
// when valid, and its district.
func unread(r data.MIS2000Row) data.MIS2000Row {
	u := data.MIS2000Row{Line: r.Line, District: r.District}
	if data.ValidateMIS2000ID(r.MIS2000ID) == nil {
		u.MIS2000ID = r.MIS2000ID
	}
	return u
}

// openMIS2000Table maps the header to the known columns. It returns nil,
// having reported why, when a required column is missing or one is named
// twice.
func openMIS2000Table(rs rows, at Problem, ragged bool, probs *ProblemList, out *MIS2000File) *table {
	t, header := startTable(rs, at, mis2000Names, ragged, probs)
	if t == nil {
		return nil
	}
	t.midnight = true
	ok := true
	// An optional column's own name wins over a looser spelling of it:
	// an export with both School and School Name reads the school from
	// School, and says that it did not use School Name. Of a required
	// column two spellings are refused: Last Name beside Last Name 1 may
	// be the whole name beside its first part.
	rank := make([]int, len(t.pos))
	unused := func(h string) {
		if len(out.Unknown) < maxListedUnknown {
			out.Unknown = append(out.Unknown, shown(truncate(h, 60)))
		} else {
			out.UnknownMore++
		}
	}
	for i, h := range header {
		sp, known := headerColumn(h)
		c := sp.column
		switch {
		case h == "":
		case !known:
			unused(h)
		case t.pos[c] >= 0 && (sp.rank == rank[c] || mis2000Columns[c].required):
			t.report(rs.line(i), c, fmt.Sprintf("the header has this column twice (%q and %q); keep one", header[t.pos[c]], h))
			ok = false
		case t.pos[c] >= 0 && sp.rank > rank[c]:
			unused(h)
		default:
			if t.pos[c] >= 0 {
				unused(header[t.pos[c]])
			}
			t.pos[c], rank[c] = i, sp.rank
		}
	}
	if !hasRequiredColumns(header) {
		if what := otherFile(header); what != "" {
			t.report(rs.line(0), -1, "the header is that of "+what+", not of an MIS2000 export; choose the export saved from MIS2000")
			return nil
		}
	}
	for c, p := range t.pos {
		if p < 0 && mis2000Columns[c].required {
			t.report(rs.line(0), c, fmt.Sprintf("the header has no %s column (it may be headed %s)",
				mis2000Names[c], strings.Join(mis2000Columns[c].aliases, ", ")))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return t
}

// mis2000Row reads the current record, reporting its problems. It is
// false for a record with any; the row then has at least the MIS2000 ID
// as written, unless that cell was refused.
func (t *table) mis2000Row() (data.MIS2000Row, bool) {
	reported := t.probs.Len()
	r := data.MIS2000Row{Line: t.line(-1)}
	// The table has reported the fields it refused.
	if t.garbled {
		// A cell refused for being stored as a number has lost its
		// leading zeros, not its student: as written, it still tells
		// whose row was not read (see Unread).
		r.MIS2000ID, r.District = t.raw(xID), t.raw(xDistrict)
		return r, false
	}
	r.MIS2000ID = t.required(xID)
	if r.MIS2000ID != "" {
		if err := data.ValidateMIS2000ID(r.MIS2000ID); err != nil {
			t.fail(xID, err.Error())
		}
	}
	r.LastName = t.required(xLast)
	if last2 := t.optional(xLast2); last2 != "" {
		r.LastName = strings.TrimSpace(r.LastName + " " + last2)
	}
	r.FirstName = t.required(xFirst)
	r.BirthDate = t.date(xBirth, true)
	r.QAD = t.date(xQAD, true)
	if t.pos[xEED] >= 0 {
		r.EED = t.date(xEED, false)
	}
	r.District = t.optional(xDistrict)
	r.Gender, r.School, r.Grade = t.optional(xGender), t.optional(xSchool), t.optional(xGrade)
	return r, t.probs.Len() == reported
}

// raw is column c of the current record as written, trimmed, when it is
// clean text (refused or not); "" when it is not, or the file has no such
// column.
func (t *table) raw(c int) string {
	if t.pos[c] < 0 || t.pos[c] >= len(t.rec) {
		return ""
	}
	v, err := data.CleanText(strings.TrimSpace(t.rec[t.pos[c]]))
	if err != nil {
		return ""
	}
	return v
}

// optional is column c of the current record, or "" when the file has no
// such column.
func (t *table) optional(c int) string {
	if t.pos[c] < 0 {
		return ""
	}
	return t.get(c)
}

// shown is a header name as a message may print it: as written when it
// is clean text, quoted with Go escapes when not, so that a control
// character in a file cannot reach a terminal or a dialog.
func shown(h string) string {
	if _, err := data.CleanText(h); err != nil {
		return fmt.Sprintf("%q", h)
	}
	return h
}

// truncate cuts s to at most n bytes on a character boundary, with an
// ellipsis, so that a message quoting outside input stays short.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
