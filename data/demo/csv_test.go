package demo

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"migrantdesk/data/importer"
)

func TestWriteCSVReadsBack(t *testing.T) {
	st := state(t, 500, 1)
	dir := t.TempDir()
	if err := st.WriteCSV(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "students.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if header, _, _ := strings.Cut(string(b), "\n"); header != "state_id,local_student_number,last_name,first_name,middle_name,birth_date,gender,race_ethnicity" {
		t.Errorf("students.csv header: %s", header)
	}
	b, err = os.ReadFile(filepath.Join(dir, "enrollments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), ",P,2025-") || !strings.Contains(string(b), "-0000001,") {
		t.Errorf("enrollments.csv has no ISO start dates or no zero-padded IDs:\n%.300s", b)
	}

	ex, err := importer.ReadExtract(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ex, st.Extract) {
		t.Error("the extract read back from CSV differs from the one written")
	}

	path := filepath.Join(dir, "migrant_records.csv")
	if err := st.WriteRecordsCSV(path); err != nil {
		t.Fatal(err)
	}
	rows, err := importer.ReadMigrantRecords(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(st.Records) {
		t.Fatalf("read %d records back, wrote %d", len(rows), len(st.Records))
	}
	for i, r := range rows {
		w := st.Records[i]
		if r.StateID != w.StateID || r.MIS2000ID != w.MIS2000ID || r.QAD != w.QAD || r.EED != w.EED {
			t.Errorf("record %d: read %+v, wrote %+v", i, r, w)
		}
	}
}
