package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"migrantdesk/data"
	"migrantdesk/data/importer"
	"migrantdesk/data/store"
)

// reportDB makes a database from the report package's test state (see
// report/testdata/qa/CASES.md) without the changes marked "(test)" there:
// Ruiz's record is not deleted, so district 001 has the 13 rows of 10
// students of expected_detail_001.csv plus Ruiz's: 14 rows, 11 students.
func reportDB(t *testing.T) string {
	t.Helper()
	const state = "../../report/testdata/qa"
	path := filepath.Join(t.TempDir(), "state.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	ex, err := importer.ReadExtract(state)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportExtract(ctx, ex, "admin"); err != nil {
		t.Fatal(err)
	}
	rows, err := importer.ReadMigrantRecords(filepath.Join(state, "migrant_records.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]data.MigrantRecord, len(rows))
	for i, r := range rows {
		recs[i] = data.MigrantRecord{StateID: r.StateID, MIS2000ID: r.MIS2000ID, QAD: r.QAD, EED: r.EED}
	}
	if _, err := st.ImportRecords(ctx, data.Operator("clerk"), recs, true); err != nil {
		t.Fatal(err)
	}
	return path
}

// files lists a folder, to show nothing was left behind.
func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestReportQAWritesBothFilesAndAudits(t *testing.T) {
	db := reportDB(t)
	dir := t.TempDir()
	detail, aggregated := filepath.Join(dir, "detail.xlsx"), filepath.Join(dir, "counts.pdf")
	var out bytes.Buffer
	err := dispatch([]string{"report", "qa", "--db", db, "--district", "001", "--from", "2024-08-01", "--to", "2025-06-30",
		"--detail", detail, "--aggregated", aggregated, "--password-file", secret(t, "pw")}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "district 001 Valle Verde, 08/01/2024 – 06/30/2025: 14 rows, 11 students") {
		t.Errorf("output:\n%s", out.String())
	}
	if got := strings.Join(files(t, dir), " "); got != "counts.pdf detail.xlsx" {
		t.Errorf("folder holds %s", got)
	}
	f, err := excelize.OpenFile(detail, excelize.Options{Password: "pw"})
	if err != nil {
		t.Fatalf("the workbook does not open with its password: %v", err)
	}
	rows, _ := f.GetRows("QA Migrant Detail")
	f.Close()
	if len(rows) != 15 {
		t.Errorf("workbook has %d rows, want the header and 14", len(rows))
	}
	if b, _ := os.ReadFile(aggregated); !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("%s is not a PDF", aggregated)
	}

	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, err := st.Audit(context.Background(), "report", "001")
	if err != nil {
		t.Fatal(err)
	}
	var exports []string
	for _, a := range log {
		exports = append(exports, a.Action+" "+a.After)
	}
	all := strings.Join(exports, "\n")
	for _, want := range []string{`"Report":"QA Migrant detail"`, `"Rows":14`, `"File":"` + detail + `"`,
		`"Encrypted":true,"Encryption":"ECMA-376 Agile (AES-256, SHA-512, 100,000 spins)"`, `"Encrypted":false`,
		`"Report":"QA Migrant aggregated"`, `"Rows":11`, `"File":"` + aggregated + `"`} {
		if !strings.Contains(all, want) {
			t.Errorf("the audit log lacks %s:\n%s", want, all)
		}
	}
}

// TestReportQAOneRow: the summary line of a report with one row counts
// it in the singular.
func TestReportQAOneRow(t *testing.T) {
	db := reportDB(t)
	var out bytes.Buffer
	err := dispatch([]string{"report", "qa", "--db", db, "--district", "002", "--from", "2024-08-12", "--to", "2025-01-31",
		"--aggregated", filepath.Join(t.TempDir(), "counts.pdf")}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "district 002 Río Grande, 08/12/2024 – 01/31/2025: 1 row, 1 student\n") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestReportQARefuses(t *testing.T) {
	db := reportDB(t)
	dir := t.TempDir()
	ok := filepath.Join(dir, "detail.xlsx")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown district", []string{"--district", "999", "--detail", ok}, `report qa: read the QA Migrant report of district 999 for 08/01/2024 – 06/30/2025: district "999" is not in the database`},
		{"backwards period", []string{"--district", "001", "--from", "2025-06-30", "--to", "2024-08-01", "--detail", ok},
			"the period starts (06/30/2025) after it ends (08/01/2024)"},
		{"bad date", []string{"--district", "001", "--from", "2024-13-01", "--detail", ok}, "--from: \"2024-13-01\" is not a valid date"},
		{"no output", []string{"--district", "001"}, "nothing to write"},
		{"password without detail", []string{"--district", "001", "--aggregated", filepath.Join(dir, "a.pdf"), "--password-file", secret(t, "x")},
			"a password protects the Detail workbook"},
		{"password on the command line", []string{"--district", "001", "--detail", filepath.Join(dir, "d.xlsx"), "--password", "x"},
			"visible to every user of the computer"},
		{"the database as output", []string{"--district", "001", "--aggregated", db},
			"it is the database"},
		{"one file twice", []string{"--district", "001", "--detail", filepath.Join(dir, "r.xlsx"), "--aggregated", dir + "/sub/../r.xlsx"},
			"twice in one export"},
		{"missing folder", []string{"--district", "001", "--detail", filepath.Join(dir, "no", "such", "d.xlsx")},
			"cannot write " + filepath.Join(dir, "no", "such", "d.xlsx")},
		// The workbook is complete when the PDF's folder turns out to be
		// missing: it must not be left behind either.
		{"second file unwritable", []string{"--district", "001", "--detail", ok, "--aggregated", filepath.Join(dir, "gone", "a.pdf")},
			"cannot write " + filepath.Join(dir, "gone", "a.pdf")},
		{"a folder as output", []string{"--district", "001", "--detail", dir}, "it is a folder"},
		// Said before the report is read, which at a state's scale takes
		// its time (and would find the district unknown first).
		{"missing folder before the report", []string{"--district", "999", "--detail", filepath.Join(dir, "no", "d.xlsx")},
			"cannot write " + filepath.Join(dir, "no", "d.xlsx")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"report", "qa", "--db", db, "--from", "2024-08-01", "--to", "2025-06-30"}, tc.args...)
			err := dispatch(args, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
			if left := files(t, dir); len(left) != 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

// TestReportQARefusesAnEmptyReport: a period in which no student of the
// district is in the report writes nothing, saying why in the words the
// app shows, where the command wrote a workbook of headings and a PDF
// of zeros that read as a district with no migrant students.
func TestReportQARefusesAnEmptyReport(t *testing.T) {
	db := reportDB(t)
	dir := t.TempDir()
	var out bytes.Buffer
	err := dispatch([]string{"report", "qa", "--db", db, "--district", "001", "--from", "2010-08-01", "--to", "2011-06-30",
		"--detail", filepath.Join(dir, "d.xlsx"), "--aggregated", filepath.Join(dir, "a.pdf")}, &out)
	want := "report qa: No student of 001 Valle Verde is in the report for 08/01/2010 – 06/30/2011: " +
		"no migrant record published to the district is active then for a student enrolled in grades K–12 " +
		"at one of its public schools. There is nothing to export."
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if left := files(t, dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	if out.Len() != 0 {
		t.Errorf("printed %q", out.String())
	}
}

func TestReportQAMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "typo.db")
	err := dispatch([]string{"report", "qa", "--db", db, "--district", "001", "--from", "2024-08-01", "--to", "2025-06-30",
		"--detail", filepath.Join(dir, "d.xlsx")}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "there is no database at "+db) {
		t.Errorf("got %v", err)
	}
	if left := files(t, dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestReportNeedsQA(t *testing.T) {
	err := dispatch([]string{"report", "--district", "001"}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "migrantdeskctl report qa") {
		t.Errorf("got %v", err)
	}
}

// secret writes a password file readable by its owner only.
func secret(t *testing.T, pw string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
