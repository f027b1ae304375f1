package demo

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WriteCSV writes the state's extract into dir (made if missing) as the
// seven CSV files of SPEC §6: a header row, RFC 4180 quoting, ISO dates,
// and an empty end date for what is still open.
func (st *State) WriteCSV(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make folder for the demo extract: %w", err)
	}
	ex := st.Extract
	tables := []struct {
		file   string
		header []string
		rows   int
		row    func(i int) []string
	}{
		{"regions.csv", []string{"region_code", "region_name"}, len(ex.Regions), func(i int) []string {
			r := ex.Regions[i]
			return []string{r.Code, r.Name}
		}},
		{"districts.csv", []string{"district_number", "district_name", "region_code"}, len(ex.Districts), func(i int) []string {
			d := ex.Districts[i]
			return []string{d.Number, d.Name, d.RegionCode}
		}},
		{"schools.csv", []string{"school_number", "district_number", "school_name", "classification"}, len(ex.Schools), func(i int) []string {
			s := ex.Schools[i]
			return []string{s.Number, s.DistrictNumber, s.Name, s.Classification}
		}},
		{"students.csv", []string{"state_id", "local_student_number", "last_name", "first_name", "middle_name", "birth_date", "gender", "race_ethnicity"},
			len(ex.Students), func(i int) []string {
				s := ex.Students[i]
				return []string{s.StateID, s.LocalNumber, s.LastName, s.FirstName, s.MiddleName, s.BirthDate.String(), s.Gender, s.Race}
			}},
		{"enrollments.csv", []string{"enrollment_id", "state_id", "school_number", "grade", "service_type", "start_date", "end_date"},
			len(ex.Enrollments), func(i int) []string {
				e := ex.Enrollments[i]
				return []string{e.ID, e.StateID, e.SchoolNumber, e.Grade, e.ServiceType, e.Start.String(), e.End.String()}
			}},
		{"programs.csv", []string{"state_id", "program", "code", "start_date", "end_date"}, len(ex.Programs), func(i int) []string {
			p := ex.Programs[i]
			return []string{p.StateID, p.Program, p.Code, p.Start.String(), p.End.String()}
		}},
		{"assessments.csv", []string{"state_id", "subject", "test_date", "performance_level"}, len(ex.Assessments), func(i int) []string {
			a := ex.Assessments[i]
			return []string{a.StateID, a.Subject, a.TestDate.String(), a.Level}
		}},
	}
	for _, t := range tables {
		if err := writeTable(filepath.Join(dir, t.file), t.header, t.rows, t.row); err != nil {
			return err
		}
	}
	return nil
}

// WriteRecordsCSV writes the migrant records as the bulk-load file of
// SPEC §6, migrant_records.csv: state_id, mis2000_id, qad, eed.
func (st *State) WriteRecordsCSV(path string) error {
	return writeTable(path, []string{"state_id", "mis2000_id", "qad", "eed"}, len(st.Records), func(i int) []string {
		r := st.Records[i]
		return []string{r.StateID, r.MIS2000ID, r.QAD.String(), r.EED.String()}
	})
}

func writeTable(path string, header []string, n int, row func(i int) []string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write demo file: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("write %s: %w", path, cerr)
		}
	}()
	b := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(b)
	if err := w.Write(header); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	for i := range n {
		if err := w.Write(row(i)); err != nil {
			return fmt.Errorf("write %s line %d: %w", path, i+2, err)
		}
	}
	w.Flush()
	if err := errors.Join(w.Error(), b.Flush()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
