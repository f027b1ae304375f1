package importer

import (
	"fmt"
	"path/filepath"
	"strings"

	"migrantdesk/data"
)

// RecordRow is one row of a migrant records file. EED is zero when the
// file leaves it blank: it is then computed from the QAD and birth date.
type RecordRow struct {
	Sheet     string // the workbook sheet the row is on; "" for a CSV file
	Line      int    // the CSV line, or the sheet row
	StateID   string
	MIS2000ID string
	QAD, EED  data.Date
}

var recordColumns = []string{"state_id", "mis2000_id", "qad", "eed"}

const (
	mStudent = iota
	mMIS2000
	mQAD
	mEED
)

// RecordsSheet is the sheet read from a workbook of migrant records that
// has more than one.
const RecordsSheet = "migrant_records"

// ReadMigrantRecords reads migrant_records.csv (or an .xlsx workbook with
// one sheet, or a sheet named migrant_records): state_id, mis2000_id, qad
// and eed. It checks what can be checked without the database (values
// present, dates, the MIS2000 ID's form); the store checks each record
// against its student. A file with any problem is refused: the error is
// then a *ProblemList.
func ReadMigrantRecords(path string) ([]RecordRow, error) {
	src, sheet, err := openRecords(path)
	if err != nil {
		return nil, err
	}
	defer src.close()
	rs, at, ragged, err := src.open(sheet)
	if err != nil {
		return nil, fmt.Errorf("read the migrant records: %w", err)
	}
	defer rs.close()
	return readRecords(rs, at, ragged)
}

func readRecords(rs rows, at Problem, ragged bool) ([]RecordRow, error) {
	var probs ProblemList
	var out []RecordRow
	if t := openTable(rs, at, recordColumns, ragged, &probs); t != nil {
		for t.next() {
			r := RecordRow{
				Sheet:     at.Sheet,
				Line:      t.line(-1),
				StateID:   t.required(mStudent),
				MIS2000ID: t.get(mMIS2000),
				QAD:       t.date(mQAD, true),
				EED:       t.date(mEED, false),
			}
			if err := data.ValidateMIS2000ID(r.MIS2000ID); err != nil {
				t.fail(mMIS2000, err.Error())
			}
			out = append(out, r)
		}
	}
	if err := probs.err(); err != nil {
		return nil, err
	}
	return out, nil
}

// openRecords opens a records file and says which of its tables holds
// the records: for a workbook, the sheet named migrant_records or else its
// only sheet.
func openRecords(path string) (source, string, error) {
	if !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return csvFile(path), "", nil
	}
	w, err := openWorkbook(path, MaxUnzippedBytes)
	if err != nil {
		return nil, "", err
	}
	if _, ok := w.sheets[RecordsSheet]; ok {
		return w, RecordsSheet, nil
	}
	if sheets := w.f.GetSheetList(); len(sheets) == 1 {
		return w, sheets[0], nil
	}
	w.close()
	return nil, "", fmt.Errorf("the workbook %s has several sheets and none is named %s; name the sheet that holds the records so", path, RecordsSheet)
}

// csvFile is a source of one table: the CSV file itself.
type csvFile string

func (f csvFile) label(string) string { return filepath.Base(string(f)) }

func (f csvFile) open(string) (rows, Problem, bool, error) {
	return openCSV(string(f), Problem{File: f.label("")})
}

func (f csvFile) close() error { return nil }
