package store_test

import (
	"context"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/demo"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/store"
)

// The state-scale benchmarks of the lists and counts the app shows beside
// every screen (make bench sets MIGRANTDESK_BENCH_DB): the status bar's
// two counts, the Needs publishing list and a district's records.

func openState(b *testing.B) *store.Store {
	st, err := store.Open(demotest.StateDB(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// busiestDistrict is the district with the most published copies.
func busiestDistrict(b *testing.B, st *store.Store) string {
	ctx := context.Background()
	ds, err := st.Districts(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	best, most := "", -1
	for _, d := range ds {
		recs, err := st.DistrictRecords(ctx, d.Number)
		if err != nil {
			b.Fatal(err)
		}
		if len(recs) > most {
			best, most = d.Number, len(recs)
		}
	}
	return best
}

func BenchmarkCountNeedsPublishing(b *testing.B) {
	st := openState(b)
	ctx := context.Background()
	// The first count after an import (or the migration) works out the
	// flags of the students it changed; this measures the counts after.
	if _, err := st.CountNeedsPublishing(ctx, ""); err != nil {
		b.Fatal(err)
	}
	for _, region := range []string{"", "C"} {
		b.Run("region="+region, func(b *testing.B) {
			var n int
			for b.Loop() {
				var err error
				if n, err = st.CountNeedsPublishing(ctx, region); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "records")
		})
	}
}

func BenchmarkNeedsPublishing(b *testing.B) {
	st := openState(b)
	ctx := context.Background()
	var n int
	for b.Loop() {
		recs, err := st.NeedsPublishing(ctx, "C")
		if err != nil {
			b.Fatal(err)
		}
		n = len(recs)
	}
	b.ReportMetric(float64(n), "records")
}

func BenchmarkPending(b *testing.B) {
	st := openState(b)
	ctx := context.Background()
	var n int
	for b.Loop() {
		var err error
		if n, err = st.Pending(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "mutations")
}

func BenchmarkDistrictRecords(b *testing.B) {
	st := openState(b)
	ctx := context.Background()
	district := busiestDistrict(b, st)
	var n int
	for b.Loop() {
		recs, err := st.DistrictRecords(ctx, district)
		if err != nil {
			b.Fatal(err)
		}
		n = len(recs)
	}
	b.ReportMetric(float64(n), "records")
}

// BenchmarkReimportRegion imports again, unchanged, the extract rows of
// the students enrolled in one region (a quarter of the state), as a
// newer state extract does: their enrollments, programs and assessments
// are replaced. recount-ms is the status bar's next count, which works
// out again whether their records need publishing.
func BenchmarkReimportRegion(b *testing.B) {
	st := openState(b)
	ctx := context.Background()
	state, err := demo.Generate(demotest.State)
	if err != nil {
		b.Fatal(err)
	}
	ex := regionRows(state.Extract, "C")
	var recount time.Duration
	for b.Loop() {
		if _, err := st.ImportExtract(ctx, ex, "bench"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		start := time.Now()
		if _, err := st.CountNeedsPublishing(ctx, "C"); err != nil {
			b.Fatal(err)
		}
		recount += time.Since(start)
		b.StartTimer()
	}
	b.ReportMetric(float64(len(ex.Students)), "students")
	b.ReportMetric(float64(recount.Milliseconds())/float64(b.N), "recount-ms")
}

// regionRows are the rows of an extract about the students enrolled in a
// region: the students, all their enrollments, programs and assessments.
func regionRows(all *data.Extract, region string) *data.Extract {
	inRegion := map[string]bool{}
	for _, d := range all.Districts {
		inRegion[d.Number] = d.RegionCode == region
	}
	districtOf := map[string]string{}
	for _, sc := range all.Schools {
		districtOf[sc.Number] = sc.DistrictNumber
	}
	students := map[string]bool{}
	for _, e := range all.Enrollments {
		if inRegion[districtOf[e.SchoolNumber]] {
			students[e.StateID] = true
		}
	}
	return &data.Extract{
		Students:    only(all.Students, func(s data.Student) string { return s.StateID }, students),
		Enrollments: only(all.Enrollments, func(e data.Enrollment) string { return e.StateID }, students),
		Programs:    only(all.Programs, func(p data.Program) string { return p.StateID }, students),
		Assessments: only(all.Assessments, func(a data.Assessment) string { return a.StateID }, students),
	}
}

// only keeps the rows whose student is in keep.
func only[T any](rows []T, student func(T) string, keep map[string]bool) []T {
	var out []T
	for _, r := range rows {
		if keep[student(r)] {
			out = append(out, r)
		}
	}
	return out
}
