package report

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteSamples writes the reports of the test state into the folder
// named by MIGRANTDESK_REPORT_SAMPLES, for a person to open and look at
// and for trying migrantdeskctl report on its qa.db. It is skipped otherwise.
//
//	MIGRANTDESK_REPORT_SAMPLES=/tmp/qa go test -run TestWriteSamples ./report/
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("MIGRANTDESK_REPORT_SAMPLES")
	if dir == "" {
		t.Skip("set MIGRANTDESK_REPORT_SAMPLES to a folder to write sample reports there")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "qa.db")
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		os.Remove(f)
	}
	st := loadStateAt(t, db)
	for _, d := range []string{"001", "002", "003"} {
		q := build(t, st, d)
		if err := q.WriteDetailFile(filepath.Join(dir, "detail-"+d+".xlsx"), testMeta, ""); err != nil {
			t.Fatal(err)
		}
		if err := q.WriteAggregatedFile(filepath.Join(dir, "aggregated-"+d+".pdf"), testMeta); err != nil {
			t.Fatal(err)
		}
	}
	q := manySchools(140)
	if err := q.WriteAggregatedFile(filepath.Join(dir, "aggregated-many-schools.pdf"), testMeta); err != nil {
		t.Fatal(err)
	}
}
