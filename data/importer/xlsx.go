package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"migrantdesk/data"
)

// workbook is an input as an .xlsx file with one sheet per table. Sheet
// names are matched without regard to case.
//
// Cells are read as the text Excel shows, except where how a cell is
// stored matters. An identifier stored as a number has lost its leading
// zeros already, so it is refused (see idColumns). Date columns are read
// from the stored value, because the shown text follows the cell's format
// and may have a two-digit year: a number there is an Excel date serial
// (1900 or 1904 system, as the workbook says), and text is read like a
// CSV date.
//
// The workbook's parts are checked before excelize reads them, and each
// sheet is read a row ahead of excelize (see sheetGuard), so that a small
// file that unpacks to gigabytes is refused without being unpacked.
type workbook struct {
	f        *excelize.File
	file     string
	parts    *zipParts
	sheets   map[string]string // lower-case name → name in the workbook
	date1904 bool
}

func openWorkbook(path string, maxUnzipped int64) (w *workbook, err error) {
	zf, size, err := openRegular(path, "the workbook", MaxWorkbookBytes)
	if err != nil {
		return nil, err
	}
	b, err := readWorkbook(zf, size, stallTimeout)
	zf.Close()
	if err != nil {
		return nil, fmt.Errorf("read the workbook %s: %w", path, err)
	}
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		if looksLikeText(b) {
			return nil, fmt.Errorf("%s is not an Excel workbook: it holds text (CSV saved with an .xlsx name?); "+
				"open it in Excel and save it as an Excel workbook (.xlsx)", path)
		}
		return nil, fmt.Errorf("%s is not a workbook Excel can open: %w", path, err)
	}
	parts, err := checkParts(z, path, maxUnzipped)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: maxUnzipped})
	if err != nil {
		return nil, fmt.Errorf("open the workbook %s: %w", path, err)
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read the workbook %s: %w", path, err)
	}
	w = &workbook{f: f, file: filepath.Base(path), parts: parts, sheets: map[string]string{}}
	if props.Date1904 != nil {
		w.date1904 = *props.Date1904
	}
	for _, s := range f.GetSheetList() {
		w.sheets[strings.ToLower(s)] = s
	}
	return w, nil
}

func (w *workbook) label(name string) string { return "sheet " + name }

func (w *workbook) open(name string) (rows, Problem, bool, error) {
	at := Problem{File: w.file, Sheet: name}
	sheet, ok := w.sheets[strings.ToLower(name)]
	if !ok {
		return nil, at, true, fmt.Errorf("the workbook has no sheet %s: %w", name, os.ErrNotExist)
	}
	at.Sheet = sheet
	rs, err := w.rows(sheet)
	return rs, at, true, err
}

// rows reads a sheet twice in step, once as shown and once as stored,
// with the guard a row ahead of both.
func (w *workbook) rows(sheet string) (*sheetRows, error) {
	guard, err := w.parts.guard(sheet)
	if err != nil {
		return nil, err
	}
	text, err := w.f.Rows(sheet)
	if err != nil {
		guard.close()
		return nil, err
	}
	raw, err := w.f.Rows(sheet)
	if err != nil {
		guard.close()
		text.Close()
		return nil, err
	}
	return &sheetRows{text: text, raw: raw, guard: guard, date1904: w.date1904}, nil
}

func (w *workbook) close() error { return w.f.Close() }

// looksLikeText reports whether b starts as UTF-8 text would: no NUL, no byte that
// is not UTF-8 but where the sample cuts a character.
func looksLikeText(b []byte) bool {
	b = b[:min(len(b), 4096)]
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == 0 || r == utf8.RuneError && n == 1 && len(b) >= utf8.UTFMax {
			return false
		}
		b = b[n:]
	}
	return true
}

// readWorkbook reads the whole workbook through the same guards as a CSV
// file, so that a drive that stops answering cancels the import instead
// of hanging it: excelize and archive/zip would read the file at random
// places with no way to time a read out. size, from the open file, sizes
// the buffer; a file that grows past MaxWorkbookBytes meanwhile is
// refused.
func readWorkbook(r io.Reader, size int64, timeout time.Duration) ([]byte, error) {
	in := &boundedReader{r: newStallReader(r, timeout), max: MaxWorkbookBytes, left: MaxWorkbookBytes, maxLine: MaxWorkbookBytes}
	buf := bytes.NewBuffer(make([]byte, 0, min(size, MaxWorkbookBytes)+bytes.MinRead))
	if _, err := buf.ReadFrom(in); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sheetRows reads a sheet row by row, skipping blank rows.
type sheetRows struct {
	text, raw     *excelize.Rows
	guard         *sheetGuard
	row           int
	rec, rawCells []string
	kinds         []byte // how each cell of rec is stored (see sheetGuard.kinds)
	date1904      bool
}

func (s *sheetRows) next() ([]string, error) {
	for {
		// Whatever excelize reads next has been read by the guard first.
		if err := s.guard.readAhead(); err != nil {
			return nil, err
		}
		if !s.text.Next() {
			break
		}
		s.raw.Next()
		// Next visits every row number, present in the file or not, so
		// counting calls gives the row number.
		s.row++
		kinds := s.guard.take(s.row)
		rec, err := s.text.Columns()
		if err != nil {
			return nil, err
		}
		raw, err := s.raw.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		if blank(rec) {
			continue
		}
		s.rec, s.rawCells, s.kinds = rec, raw, append(s.kinds[:0], kinds...)
		return rec, nil
	}
	if err := errors.Join(s.text.Error(), s.raw.Error()); err != nil {
		return nil, err
	}
	return nil, io.EOF
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func (s *sheetRows) line(int) int { return s.row }

// bytes is unknown for a sheet: the tables read from it start small.
func (s *sheetRows) bytes() int64 { return 0 }

func (s *sheetRows) kind(field int) byte {
	if field < len(s.kinds) {
		return s.kinds[field]
	}
	return 0
}

func (s *sheetRows) numeric(field int) bool { return s.kind(field) == 'n' }

func (s *sheetRows) unusable(field int) string {
	switch s.kind(field) {
	case 'e':
		shows := "an Excel error"
		if field < len(s.rec) {
			shows = "the Excel error " + truncate(shown(strings.TrimSpace(s.rec[field])), 40)
		}
		return "the cell shows " + shows + ", not a value; correct its formula or type the value, and save the workbook again"
	case 'f':
		return "the cell holds a formula whose result is not saved in the file (the program that wrote it did not work it out); " +
			"open the workbook in Excel, save it, and try again"
	}
	return ""
}

func (s *sheetRows) date(field int, required bool) (data.Date, error) {
	var v string
	if field < len(s.rawCells) {
		v = s.rawCells[field]
	}
	return sheetDate(strings.TrimSpace(v), s.kind(field), s.date1904, required)
}

func (s *sheetRows) close() error {
	return errors.Join(s.text.Close(), s.raw.Close(), s.guard.close())
}

// errSerial is why a number in a date cell is not a date.
const errSerial = "as an Excel date it is not a day between 1900 and 2199"

// sheetDate reads a stored cell value as a date: an Excel serial number
// in a number cell (kind 'n'), an ISO 8601 date cell ('d'), or text typed
// as in a CSV file, which is read as in a CSV file, even when it looks
// like a number.
func sheetDate(v string, kind byte, date1904, required bool) (data.Date, error) {
	switch {
	case v == "" && required:
		return 0, data.ErrDateRequired
	case v == "":
		return 0, nil
	case kind == 'n':
		return serialDate(v, date1904)
	case kind == 'd' && len(v) > 10 && v[10] == 'T':
		// an ISO 8601 date cell: 2025-09-01T00:00:00Z
		return data.ParseDate(v[:10])
	}
	return data.ParseDate(v)
}

// serialDate reads an Excel date serial: whole days since the system's
// day 0. A fraction is a time of day, which no date here has; and in the
// 1900 system serial 60 is February 29, 1900, a day that never was (Excel
// keeps it for Lotus 1-2-3's sake).
func serialDate(v string, date1904 bool) (data.Date, error) {
	serial, err := strconv.ParseFloat(v, 64)
	if err != nil || !isSerial(v) || serial < 1 || serial > 1e6 {
		return 0, &data.DateError{Input: v, Reason: errSerial}
	}
	if serial != math.Floor(serial) {
		return 0, &data.DateError{Input: v, Reason: "the cell holds a time of day as well as a date; format the column as a date without time"}
	}
	if serial == 60 && !date1904 {
		return 0, &data.DateError{Input: v, Reason: "as an Excel date it is February 29, 1900, a day that never was"}
	}
	t, err := excelize.ExcelDateToTime(serial, date1904)
	d := data.DateOf(t)
	if err != nil || d.Year() < data.MinYear || d.Year() > data.MaxYear {
		return 0, &data.DateError{Input: v, Reason: errSerial}
	}
	return d, nil
}

// isSerial reports whether v is written like a number Excel stores: digits
// with at most one decimal point.
func isSerial(v string) bool {
	dot := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '.' && !dot:
			dot = true
		case c < '0' || c > '9':
			return false
		}
	}
	return v != "."
}
