package importer

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"migrantdesk/data"
)

// workbook is an input as an .xlsx file with one sheet per table. Sheet
// names are matched without regard to case.
//
// Cells are read as the text Excel shows, so an identifier kept as a
// number with a "00000" format keeps its leading zeros. (One typed as a
// plain number has already lost them in Excel: keep identifiers in text
// cells.) Date columns are read from the stored value instead, because the
// shown text follows the cell's format and may have a two-digit year: a
// number there is an Excel date serial (1900 or 1904 system, as the
// workbook says), and text is read like a CSV date.
type workbook struct {
	f        *excelize.File
	file     string
	sheets   map[string]string // lower-case name → name in the workbook
	date1904 bool
}

func openWorkbook(path string, opts ...excelize.Options) (*workbook, error) {
	f, err := excelize.OpenFile(path, opts...)
	if err != nil {
		return nil, fmt.Errorf("open the workbook %s: %w", path, err)
	}
	props, err := f.GetWorkbookProps()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read the workbook %s: %w", path, err)
	}
	w := &workbook{f: f, file: filepath.Base(path), sheets: map[string]string{}}
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

// rows reads a sheet twice in step: once as shown, once as stored.
func (w *workbook) rows(sheet string) (*sheetRows, error) {
	text, err := w.f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	raw, err := w.f.Rows(sheet)
	if err != nil {
		text.Close()
		return nil, err
	}
	return &sheetRows{text: text, raw: raw, date1904: w.date1904}, nil
}

func (w *workbook) close() error { return w.f.Close() }

// sheetRows reads a sheet row by row, skipping blank rows.
type sheetRows struct {
	text, raw     *excelize.Rows
	row           int
	rec, rawCells []string
	date1904      bool
}

func (s *sheetRows) next() ([]string, error) {
	for s.text.Next() {
		s.raw.Next()
		// Next visits every row number, present in the file or not, so
		// counting calls gives the row number.
		s.row++
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
		s.rec, s.rawCells = rec, raw
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

func (s *sheetRows) date(field int, required bool) (data.Date, error) {
	var v string
	if field < len(s.rawCells) {
		v = s.rawCells[field]
	}
	return sheetDate(strings.TrimSpace(v), s.date1904, required)
}

func (s *sheetRows) close() error {
	return errors.Join(s.text.Close(), s.raw.Close())
}

// sheetDate reads a stored cell value as a date: an Excel serial number,
// an ISO 8601 date cell, or text typed as in a CSV file.
func sheetDate(v string, date1904, required bool) (data.Date, error) {
	switch {
	case v == "" && required:
		return 0, data.ErrDateRequired
	case v == "":
		return 0, nil
	case isSerial(v):
		serial, err := strconv.ParseFloat(v, 64)
		if err != nil || serial < 1 || serial > 1e6 {
			return 0, &data.DateError{Input: v, Reason: "as an Excel date it is not a day between 1900 and 2199"}
		}
		t, err := excelize.ExcelDateToTime(math.Floor(serial), date1904)
		d := data.DateOf(t)
		if err != nil || d.Year() < data.MinYear || d.Year() > data.MaxYear {
			return 0, &data.DateError{Input: v, Reason: "as an Excel date it is not a day between 1900 and 2199"}
		}
		return d, nil
	case len(v) > 10 && v[10] == 'T':
		// an ISO 8601 date cell: 2025-09-01T00:00:00Z
		return data.ParseDate(v[:10])
	}
	return data.ParseDate(v)
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
