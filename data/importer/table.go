package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"migrantdesk/data"
)

// rows is one table of input read record by record: a CSV file or a
// workbook sheet.
type rows interface {
	// next returns the next record, or io.EOF after the last. A
	// *csv.ParseError is one bad record: reading goes on after it.
	next() ([]string, error)
	// line is where field i of the last record starts: a CSV line (a
	// quoted field may span several lines) or a sheet row.
	line(field int) int
	// date reads field i of the last record as a date.
	date(field int, required bool) (data.Date, error)
	// numeric reports whether field i of the last record is stored as a
	// number (a workbook cell), not as text.
	numeric(field int) bool
	// unusable says why field i of the last record holds no value to
	// import (a workbook cell that shows an Excel error, or a formula
	// whose result the file does not hold), or is "".
	unusable(field int) string
	// bytes is the size of the input, or 0 when it is not known.
	bytes() int64
	close() error
}

// table reads one file of input with its header mapped to the columns the
// reader wants, reporting every problem to probs.
type table struct {
	rows    rows
	at      Problem  // File and Sheet of every problem found here
	cols    []string // the wanted column names
	pos     []int    // where each wanted column is in a record
	width   int      // fields in the header
	ragged  bool     // records may be shorter or longer than the header (sheets drop trailing blank cells)
	garbled bool     // a wanted field of the current record is refused (and reported)
	pad     []string // reused to fill a short record
	rec     []string
	clean   []string // the wanted fields of rec, trimmed and checked by data.CleanText
	bad     []bool   // which wanted fields are refused
	ids     []bool   // which wanted columns are in idColumns
	// midnight reads a date followed by midnight as the date (see
	// data.DateAtMidnight): an MIS2000 export may come from a program
	// that keeps its dates as date-times.
	midnight bool
	records  int // records read, header included
	probs    *ProblemList
	// misshapen, when not nil, is told each record passed over for its
	// number of fields, after it is reported.
	misshapen func(rec []string)
}

// idColumns are the columns that hold identifiers: text whose every
// character counts, leading zeros included. A workbook cell stored as a
// number has already lost them, so it is refused rather than re-padded by
// guess. An MIS2000 export's district is not one: it names a district of
// the records, and the comparison restores its zeros when one district
// fits, as it does for the "18" of a CSV file.
var idColumns = map[string]bool{
	"region_code": true, "district_number": true, "school_number": true, "state_id": true,
	"local_student_number": true, "enrollment_id": true, "mis2000_id": true,
	mis2000Columns[xID].name: true,
}

// storedAsNumber is what a workbook cell of an ID column stored as a
// number is refused for, after its value.
const storedAsNumber = " is stored as a number, which loses leading zeros; format the column as text and type the IDs again"

// openTable reads the header of rs. It returns nil, having reported why,
// when the header is missing or lacks a wanted column.
func openTable(rs rows, at Problem, cols []string, ragged bool, probs *ProblemList) *table {
	t, header := startTable(rs, at, cols, ragged, probs)
	if t == nil {
		return nil
	}
	ok := true
	for i, h := range header {
		for c, name := range cols {
			if !strings.EqualFold(h, name) {
				continue
			}
			if t.pos[c] >= 0 {
				t.report(rs.line(i), c, "the header names this column twice")
				ok = false
			}
			t.pos[c] = i
		}
	}
	for c, p := range t.pos {
		if p < 0 {
			t.report(rs.line(0), c, "the header has no column "+cols[c])
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return t
}

// startTable reads the header row of rs and returns it with its fields
// trimmed, and a table whose wanted columns are all still unplaced (pos
// -1). It returns nil, having reported why, when there is no header.
func startTable(rs rows, at Problem, cols []string, ragged bool, probs *ProblemList) (*table, []string) {
	t := &table{rows: rs, at: at, cols: cols, ragged: ragged, probs: probs}
	header, err := rs.next()
	switch {
	case err == io.EOF:
		t.report(0, -1, "there is no header row; the first line names the columns: "+strings.Join(cols, ", "))
		return nil, nil
	case err != nil:
		t.readError(err)
		return nil, nil
	}
	t.width = len(header)
	t.records = 1
	if len(header) > MaxColumns {
		t.report(rs.line(0), -1, fmt.Sprintf("the header has %d columns, more than any real file (at most %d); check that it is the right file", len(header), MaxColumns))
		return nil, nil
	}
	if len(header) == 1 && strings.ContainsAny(header[0], ";\t") {
		t.report(rs.line(0), -1, "the header is one field with semicolons or tabs in it; save the file as CSV with commas between the fields")
		return nil, nil
	}
	t.pos = make([]int, len(cols))
	for c := range t.pos {
		t.pos[c] = -1
	}
	t.clean, t.bad, t.ids = make([]string, len(cols)), make([]bool, len(cols)), make([]bool, len(cols))
	for c, name := range cols {
		t.ids[c] = idColumns[name]
	}
	// A copy: a CSV reader reuses the record for the next line.
	trimmed := make([]string, len(header))
	for i, h := range header {
		trimmed[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	return t, trimmed
}

// next moves to the next record that has the header's shape, reporting
// the ones that do not. It is false at the end of the table.
func (t *table) next() bool {
	for {
		rec, err := t.rows.next()
		if err == io.EOF {
			return false
		}
		if t.records++; t.records > MaxRows {
			t.report(t.rows.line(0), -1, fmt.Sprintf("the %s has more than %d rows, more than any real one; reading stopped", t.fileWord(), MaxRows))
			return false
		}
		if err != nil {
			if !t.readError(err) {
				return false
			}
			continue
		}
		if len(rec) != t.width {
			if !t.ragged {
				t.report(t.rows.line(0), -1, fieldCount(len(rec), t.width))
				if t.misshapen != nil {
					t.misshapen(rec)
				}
				continue
			}
			rec = t.fit(rec)
		}
		t.rec = rec
		t.check()
		return true
	}
}

// check cleans the wanted fields of the current record, reporting those
// that are refused.
func (t *table) check() {
	t.garbled = false
	for c, p := range t.pos {
		t.clean[c], t.bad[c] = "", false
		if p < 0 {
			continue
		}
		v, err := data.CleanText(strings.TrimSpace(t.rec[p]))
		why := t.rows.unusable(p)
		switch {
		case why != "":
			t.fail(c, why)
		case err != nil:
			msg := err.Error()
			// Excel on Windows saves "CSV (Comma delimited)" as
			// Windows-1252 unless told otherwise: the clerk needs the
			// name of the other choice in its Save As list.
			switch {
			case errors.Is(err, data.ErrNotUTF8):
				msg += `; save the file as UTF-8 (in Excel: Save As, "CSV UTF-8")`
			case errors.Is(err, data.ErrTooLong):
				msg += "; check that the column holds what its header says"
			}
			t.fail(c, msg)
		case v != "" && t.ids[c] && t.rows.numeric(p):
			t.fail(c, v+storedAsNumber)
		default:
			t.clean[c] = v
			continue
		}
		t.bad[c], t.garbled = true, true
	}
}

func fieldCount(got, want int) string {
	hint := "a value with a comma in it needs double quotes around it"
	if got < want {
		hint = "a value or a comma is missing"
	}
	return fmt.Sprintf("the line has %d fields but the header has %d; %s", got, want, hint)
}

// fit pads or cuts a sheet row to the header's width.
func (t *table) fit(rec []string) []string {
	if len(rec) > t.width {
		return rec[:t.width]
	}
	t.pad = append(t.pad[:0], rec...)
	for len(t.pad) < t.width {
		t.pad = append(t.pad, "")
	}
	return t.pad
}

// readError reports an error from the reader and says whether reading can
// go on after it: a malformed record can be skipped, a failing file not.
func (t *table) readError(err error) bool {
	var pe *csv.ParseError
	var enc *encodingError
	switch {
	case errors.As(err, &enc):
		t.report(0, -1, enc.Error())
		return false
	case !errors.As(err, &pe):
		t.report(0, -1, "reading stopped: "+err.Error())
		return false
	}
	msg := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		msg = fmt.Sprintf(`a double quote (") at character %d is inside a field that does not start with one; put the whole field in double quotes and double the quote inside it`, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote):
		msg = fmt.Sprintf(`a quoted field is not closed, or a double quote inside it is not doubled (at character %d)`, pe.Column)
	}
	t.report(pe.Line, -1, msg)
	return true
}

// report adds a problem at line; c is the wanted column at fault, or -1
// for the whole line.
func (t *table) report(line, c int, msg string) {
	p := t.at
	p.Line = line
	if c >= 0 {
		p.Column = t.cols[c]
	}
	p.Msg = msg
	t.probs.add(p)
}

// fail reports a problem with column c of the current record.
func (t *table) fail(c int, msg string) {
	t.report(t.line(c), c, msg)
}

// line is the line (or row) of column c of the current record, or of its
// start for c < 0.
func (t *table) line(c int) int {
	if c < 0 || t.pos[c] >= len(t.rec) {
		return t.rows.line(0)
	}
	return t.rows.line(t.pos[c])
}

// expect guesses how many records the table has from its size and the
// bytes a record takes at least, so that slices and maps are made big
// enough once instead of growing through millions of rows. The guess is
// capped so that a huge file of something else cannot claim memory up
// front.
func (t *table) expect(minBytes int) int {
	return int(min(t.rows.bytes()/int64(minBytes), maxExpected))
}

const maxExpected = 4 << 20

// fileWord is what the table is called in a message.
func (t *table) fileWord() string {
	if t.at.Sheet != "" {
		return "sheet"
	}
	return "file"
}

// lineWord is what a line is called in this input, for messages that
// point at another one.
func (t *table) lineWord() string {
	if t.at.Sheet != "" {
		return "row"
	}
	return "line"
}

// get is column c of the current record without surrounding spaces, or
// "" when it is refused.
func (t *table) get(c int) string {
	return t.clean[c]
}

// required is get, reporting an empty value.
func (t *table) required(c int) string {
	v := t.get(c)
	if v == "" {
		t.missing(c)
	}
	return v
}

// missing reports that column c of the current record is blank, unless
// its value was refused already.
func (t *table) missing(c int) {
	if !t.bad[c] {
		t.fail(c, "the value is missing")
	}
}

// date reads column c as a date; an optional one may be blank (zero).
func (t *table) date(c int, required bool) data.Date {
	if t.bad[c] {
		return 0
	}
	d, err := t.rows.date(t.pos[c], required)
	if err != nil && t.midnight {
		if m, ok := data.DateAtMidnight(t.get(c)); ok {
			return m
		}
	}
	if err != nil {
		t.fail(c, err.Error())
	}
	return d
}

// code reads column c as one of codes, ignoring case, and returns the
// code as the list spells it; what says what the codes are.
func (t *table) code(c int, codes []string, what string) string {
	v := t.get(c)
	if v == "" {
		t.missing(c)
		return ""
	}
	if k := oneOf(v, codes); k != "" {
		return k
	}
	t.fail(c, fmt.Sprintf("%q is not %s", v, what))
	return ""
}

// oneOf returns the option s equals, ignoring case, or "". Returning the
// option rather than s keeps one copy of each code in memory, not one per
// row.
func oneOf(s string, options []string) string {
	for _, o := range options {
		if strings.EqualFold(s, o) {
			return o
		}
	}
	return ""
}
