package report

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/store"
)

// Speed targets (SPEC §7): the Detail model of the largest district in
// under 0.5 s, a 12,000-row Detail workbook in under 3 s and 200 MB, the
// Aggregated PDF in under 0.3 s. Run with
//
//	go test -run '^$' -bench . -benchmem ./report/
//
// The state-scale benchmarks need MIGRANTDESK_BENCH_DB (make bench sets
// it): demotest.StateDB builds the 700,000-student demo database there
// once.
// Peak memory is the process's resident high-water mark (VmHWM in
// /proc/self/status, Linux only), reported as peak-RSS-MB: run one
// benchmark alone (-bench 'DetailWorkbook$') for it to mean that benchmark.

// syntheticRows makes n report rows with realistic values: accented
// names, every grade, P/S/N, withdrawals, every Yes/No mix.
func syntheticRows(n int) []Row {
	lasts := []string{"García López", "Hernández", "Núñez", "Martínez", "O'Neil", "Peña", "Zúñiga", "Álvarez", "Nguyen", "Smith"}
	firsts := []string{"María José", "José", "Ana", "Óscar", "Lucía", "Juan Pablo", "Ximena", "Raúl", "Emily", "Minh"}
	levels := []string{"", "Novice", "Apprentice", "Proficient", "Distinguished"}
	rows := make([]Row, n)
	for i := range rows {
		r := &rows[i]
		id := fmt.Sprintf("%010d", 1_000_000+i)
		r.Student = data.Student{StateID: id, LocalNumber: strconv.Itoa(40_000 + i), LastName: lasts[i%len(lasts)],
			FirstName: firsts[i/7%len(firsts)], BirthDate: data.NewDate(2008+i%12, time.Month(1+i%12), 1+i%28),
			Gender: data.Genders()[i%2], Race: data.RaceCodes()[i%len(data.RaceCodes())]}
		if i%3 == 0 {
			r.Student.MiddleName = "Guadalupe"
		}
		r.Enrollment = data.Enrollment{ID: "E" + id, StateID: id, SchoolNumber: fmt.Sprintf("%06d", 100+i%60),
			Grade: data.Grades()[i%len(data.Grades())], ServiceType: []string{"P", "P", "P", "S", "N"}[i%5],
			Start: data.NewDate(2025, time.August, 10+i%20)}
		if i%9 == 0 {
			r.Enrollment.End = data.NewDate(2026, time.January, 1+i%28)
		}
		r.SchoolName = fmt.Sprintf("Escuela %d Benito Juárez", 100+i%60)
		r.Record = data.MigrantRecord{ID: "R" + id, StateID: id, MIS2000ID: fmt.Sprintf("%09d", i),
			QAD: data.NewDate(2024, time.Month(1+i%12), 1+i%28)}
		r.Record.EED = data.DefaultExpiration(r.Record.QAD, r.Student.BirthDate)
		r.EconomicallyDisadvantaged = i%4 != 0
		r.Homeless, r.EnglishLearner, r.Disability = i%11 == 0, i%3 == 0, i%8 == 0
		r.MathLevel, r.ReadingLevel = levels[i%5], levels[(i+2)%5]
	}
	return rows
}

func BenchmarkDetailWorkbook(b *testing.B) {
	q := New(data.District{Number: "165", Name: "Jefferson County"}, data.SchoolYear(2025), syntheticRows(12_000))
	meta := Meta{GeneratedAt: time.Now(), GeneratedBy: "bench"}
	b.ReportAllocs()
	for b.Loop() {
		if err := q.WriteDetail(io.Discard, meta, ""); err != nil {
			b.Fatal(err)
		}
	}
	reportPeakRSS(b)
}

func BenchmarkDetailWorkbookEncrypted(b *testing.B) {
	q := New(data.District{Number: "165", Name: "Jefferson County"}, data.SchoolYear(2025), syntheticRows(12_000))
	meta := Meta{GeneratedAt: time.Now(), GeneratedBy: "bench"}
	b.ReportAllocs()
	for b.Loop() {
		if err := q.WriteDetail(io.Discard, meta, "a password"); err != nil {
			b.Fatal(err)
		}
	}
	reportPeakRSS(b)
}

// BenchmarkAggregated uses 12,000 rows in 60 schools and, for a long
// school table, 150 schools.
func BenchmarkAggregated(b *testing.B) {
	meta := Meta{GeneratedAt: time.Now(), GeneratedBy: "bench"}
	for name, q := range map[string]*QA{
		"12000rows":  New(data.District{Number: "165", Name: "Jefferson County"}, data.SchoolYear(2025), syntheticRows(12_000)),
		"150schools": manySchools(150),
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := q.WriteAggregated(io.Discard, meta); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportPeakRSS reports the process's peak resident memory.
func reportPeakRSS(b *testing.B) {
	if runtime.GOOS != "linux" {
		return
	}
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err == nil {
				b.ReportMetric(float64(kb)/1024, "peak-RSS-MB")
			}
		}
	}
}

// largestDistrict opens the state database and finds the district with the
// most published records, and the demo's current school year.
func largestDistrict(b *testing.B) (*store.Store, string, data.Period) {
	path := demotest.StateDB(b)
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var district string
	var n int
	err = db.QueryRow(`SELECT district_number, count(*) FROM published GROUP BY district_number
		ORDER BY count(*) DESC LIMIT 1`).Scan(&district, &n)
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st, district, data.SchoolYearOf(demotest.State.Today)
}

func BenchmarkBuildLargestDistrict(b *testing.B) {
	st, district, p := largestDistrict(b)
	var q *QA
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if q, err = Build(context.Background(), st, data.Operator(""), district, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(q.Rows)), "rows")
	b.ReportMetric(float64(q.Counts.Total), "students")
}

func BenchmarkAggregatedLargestDistrict(b *testing.B) {
	st, district, p := largestDistrict(b)
	q, err := Build(context.Background(), st, data.Operator(""), district, p)
	if err != nil {
		b.Fatal(err)
	}
	meta := Meta{GeneratedAt: time.Now(), GeneratedBy: "bench"}
	b.ReportAllocs()
	for b.Loop() {
		if err := q.WriteAggregated(io.Discard, meta); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(q.Counts.Schools)), "schools")
}
