package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"migrantdesk/data/demo"
	"migrantdesk/data/importer"
	"migrantdesk/data/store"
)

// benchStudents is the state scale of SPEC §7.
const benchStudents = 700_000

// stateExtract returns a folder with the demo state's extract as CSV files,
// written once beside $MIGRANTDESK_BENCH_DB and reused by later runs.
func stateExtract(b *testing.B) string {
	b.Helper()
	env := os.Getenv("MIGRANTDESK_BENCH_DB")
	if env == "" {
		b.Skip("MIGRANTDESK_BENCH_DB is not set: the benchmark needs room for a state-scale extract (make bench)")
	}
	dir := filepath.Join(filepath.Dir(env), fmt.Sprintf("extract-%d", benchStudents))
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return dir
	}
	start := time.Now()
	st, err := demo.Generate(demo.Config{Students: benchStudents, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.WriteCSV(dir); err != nil {
		b.Fatal(err)
	}
	// written last, so that an interrupted run is not taken for a whole one
	if err := os.WriteFile(filepath.Join(dir, "complete"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	b.Logf("wrote the %d-student extract to %s in %s", benchStudents, dir, time.Since(start).Round(time.Second))
	return dir
}

// BenchmarkImportStateExtract reads, checks and writes a state-scale
// extract into a new database: the whole of `migrantdeskctl import`.
// SPEC budget: under 2 minutes.
func BenchmarkImportStateExtract(b *testing.B) {
	dir := stateExtract(b)
	runtime.GC()
	var read, write time.Duration
	for b.Loop() {
		start := time.Now()
		ex, err := importer.ReadExtract(dir)
		if err != nil {
			b.Fatal(err)
		}
		read += time.Since(start)
		start = time.Now()
		s, err := store.Open(filepath.Join(b.TempDir(), "state.db"))
		if err != nil {
			b.Fatal(err)
		}
		n, err := s.ImportExtract(context.Background(), ex, "bench")
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		write += time.Since(start)
		if n.Students != benchStudents {
			b.Fatalf("imported %d students", n.Students)
		}
		b.Logf("%s", n)
	}
	b.ReportMetric(read.Seconds()/float64(b.N), "read-s/op")
	b.ReportMetric(write.Seconds()/float64(b.N), "write-s/op")
}

// BenchmarkReadStateExtract is the reading and checking part of
// BenchmarkImportStateExtract alone.
func BenchmarkReadStateExtract(b *testing.B) {
	dir := stateExtract(b)
	for b.Loop() {
		if _, err := importer.ReadExtract(dir); err != nil {
			b.Fatal(err)
		}
	}
}
