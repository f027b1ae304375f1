package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"migrantdesk/data"
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
// extract into a new database, streaming: the whole of `migrantdeskctl
// import`.
func BenchmarkImportStateExtract(b *testing.B) {
	dir := stateExtract(b)
	runtime.GC()
	for b.Loop() {
		importInto(b, dir, filepath.Join(b.TempDir(), "state.db"))
	}
}

func importInto(b *testing.B, dir, db string) {
	x, err := importer.OpenExtract(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	s, err := store.Open(db)
	if err != nil {
		b.Fatal(err)
	}
	n, err := s.LoadExtract(context.Background(), data.Operator("bench"), func(l *store.ExtractLoad) error { return x.Scan(l) })
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if n.Students != benchStudents {
		b.Fatalf("imported %d students", n.Students)
	}
}

// BenchmarkReadStateExtract is the reading and checking part of
// BenchmarkImportStateExtract alone: streamed, and whole into memory
// with ReadExtract, as an import into the PostgreSQL hub reads it
// before it copies the rows.
func BenchmarkReadStateExtract(b *testing.B) {
	dir := stateExtract(b)
	b.Run("streamed", func(b *testing.B) {
		for b.Loop() {
			x, err := importer.OpenExtract(dir)
			if err != nil {
				b.Fatal(err)
			}
			if err := x.Scan(discard{}); err != nil {
				b.Fatal(err)
			}
			x.Close()
		}
	})
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			ex, err := importer.ReadExtract(dir)
			if err != nil {
				b.Fatal(err)
			}
			if len(ex.Students) != benchStudents {
				b.Fatalf("read %d students", len(ex.Students))
			}
		}
	})
}

// discard is a Sink that keeps nothing.
type discard struct{}

func (discard) Region(data.Region) error         { return nil }
func (discard) District(data.District) error     { return nil }
func (discard) School(data.School) error         { return nil }
func (discard) Student(data.Student) error       { return nil }
func (discard) Enrollment(data.Enrollment) error { return nil }
func (discard) Program(data.Program) error       { return nil }
func (discard) Assessment(data.Assessment) error { return nil }
func (discard) Absent(string) error              { return nil }
