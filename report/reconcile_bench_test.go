package report

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/store"
)

// BenchmarkReconcile12000 is the speed target of issue 10: a 12,000-row
// MIS2000 export reconciled against the 700,000-student demo state in
// under 2 s, the workbook and every district's message included. Run with
//
//	MIGRANTDESK_BENCH_DB=~/.cache/migrant-desk/bench-700k.db \
//	  go test -run '^$' -bench Reconcile12000 -benchmem ./report/
//
// The export is made from the demo's records, as MIS2000 would list
// them, with the kinds of disagreement a real check finds mixed in.
func BenchmarkReconcile12000(b *testing.B) {
	path := demotest.StateDB(b)
	export := filepath.Join(b.TempDir(), "mis2000.csv")
	writeBenchExport(b, path, export, 12_000)
	st, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	asOf := demotest.State.Today
	meta := Meta{GeneratedAt: time.Now(), GeneratedBy: "bench"}
	ctx := context.Background()
	var r *Reconciliation
	b.ReportAllocs()
	for b.Loop() {
		if r, err = Reconcile(ctx, st, data.Operator("bench"), export, asOf, "", nil); err != nil {
			b.Fatal(err)
		}
		if err := r.WriteWorkbook(io.Discard, meta); err != nil {
			b.Fatal(err)
		}
		for _, d := range r.Messaged() {
			io.WriteString(io.Discard, r.Message(d, "Bench Clerk"))
		}
	}
	b.ReportMetric(float64(len(r.Source.Rows)), "rows")
	b.ReportMetric(float64(len(r.Discrepancies)), "discrepancies")
	b.ReportMetric(float64(len(r.Summary)), "districts")
	reportPeakRSS(b)
}

// writeBenchExport writes n rows made from the live records of the
// database at path: each record's student, dates and a district it is
// published to, with every 40th QAD a day late, every 50th EED a day
// early, every 60th district another one, every 70th MIS2000 ID unknown
// (an uncertain match or not in IC), and every 90th record left out
// (published, not in MIS2000). Rows past the records are students MIS2000
// has and the state does not.
func writeBenchExport(b *testing.B, path, out string, n int) {
	b.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT r.mis2000_id, st.last_name, st.first_name, st.birth_date, r.qad, r.eed,
			coalesce((SELECT min(p.district_number) FROM published p WHERE p.record_id = r.id), '')
		FROM migrant_records r JOIN students st ON st.state_id = r.state_id
		WHERE r.deleted = 0 ORDER BY r.id`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	f, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"MIS2000 ID", "Last Name", "First Name", "Birth Date", "QAD", "EED", "District Number"})
	us := func(iso string) string {
		d, err := data.ParseDate(iso)
		if err != nil {
			b.Fatal(err)
		}
		return d.US()
	}
	written := 0
	for i := 0; rows.Next() && written < n; i++ {
		var mis, last, first, birth, qad, eed, district string
		if err := rows.Scan(&mis, &last, &first, &birth, &qad, &eed, &district); err != nil {
			b.Fatal(err)
		}
		q, _ := data.ParseDate(qad)
		e, _ := data.ParseDate(eed)
		switch {
		case i%90 == 0:
			continue
		case i%40 == 0:
			q = q.AddDays(1)
		case i%50 == 0:
			e = e.AddDays(-1)
		case i%60 == 0:
			district = "001"
		case i%70 == 0:
			mis = fmt.Sprintf("9%07d", i)
		}
		w.Write([]string{mis, last, first, us(birth), q.US(), e.US(), district})
		written++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	for ; written < n; written++ {
		w.Write([]string{fmt.Sprintf("8%07d", written), "Newcomer", fmt.Sprintf("Student %d", written), "03/04/2012",
			"09/01/2025", "08/31/2028", "001"})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}
