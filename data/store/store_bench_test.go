package store_test

import (
	"context"
	"testing"

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
