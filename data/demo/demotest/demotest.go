// Package demotest gives tests and benchmarks a demo database: the shared
// state-scale one every benchmark uses, and small throwaway ones.
package demotest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/demo"
	"migrantdesk/data/store"
)

// Env names the file of the state-scale benchmark database.
const Env = "MIGRANTDESK_BENCH_DB"

// State is the state every benchmark sees: the same students, records and
// users on every machine and every day.
var State = demo.Config{Students: demo.MaxStudents, Seed: 20251015, Today: data.NewDate(2025, time.October, 15)}

// User is who the audit log says built the demo databases.
const User = "demotest"

// lockWait is how long StateDB waits for another test binary's build.
const lockWait = 20 * time.Minute

// StateDB returns the path of the state-scale demo database named by
// $MIGRANTDESK_BENCH_DB, building it first if the file does not exist
// (a few minutes; later runs reuse it). Without the variable the test or
// benchmark is skipped. The database is built under a temporary name and
// renamed when whole, and a lock file makes test binaries running in
// parallel build it once: the others wait.
func StateDB(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv(Env)
	if path == "" {
		tb.Skipf("%s is not set: state-scale benchmarks need a file path for their %d-student demo database (make bench sets it)", Env, State.Students)
	}
	if err := ensure(tb, path, State); err != nil {
		tb.Fatalf("state-scale demo database %s: %v", path, err)
	}
	return path
}

// ensure builds the demo database of cfg at path unless it exists.
func ensure(tb testing.TB, path string, cfg demo.Config) error {
	if _, err := os.Stat(path); err == nil {
		return checkVersion(path, cfg)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	unlock, err := lock(path + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(path); err == nil { // built while we waited
		return checkVersion(path, cfg)
	}
	start := time.Now()
	tb.Logf("building the %d-student demo database %s (once; later runs reuse it)", cfg.Students, path)
	tmp := path + ".tmp"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := build(tmp, cfg); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	tb.Logf("built %s in %s", path, time.Since(start).Round(time.Second))
	return nil
}

// build makes a demo database at path and closes it, which checkpoints
// its write-ahead log into the file, so the file alone is the database.
func build(path string, cfg demo.Config) error {
	st, err := store.Open(path)
	if err != nil {
		return err
	}
	_, err = demo.Build(context.Background(), st, cfg, User)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return fmt.Errorf("%s-wal is still there after closing the database", path)
	}
	return nil
}

// checkVersion refuses a database built by another version of the
// generator or with another seed: benchmarks would measure other data.
func checkVersion(path string, cfg demo.Config) error {
	st, err := store.Open(path)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	version, err := st.Meta(ctx, demo.MetaVersion)
	if err != nil {
		return err
	}
	seed, err := st.Meta(ctx, store.MetaDemoSeed)
	if err != nil {
		return err
	}
	if version != demo.Version || seed != strconv.FormatInt(cfg.Seed, 10) {
		return fmt.Errorf("it was made by demo generator version %q with seed %q, not version %s with seed %d: delete it and run again to rebuild it",
			version, seed, demo.Version, cfg.Seed)
	}
	return nil
}

// lock takes the lock at path, waiting while another process holds it.
func lock(path string) (unlock func(), err error) {
	deadline := time.Now().Add(lockWait)
	for {
		unlock, err := tryLock(path)
		if err == nil {
			return unlock, nil
		}
		if !errors.Is(err, errLocked) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("waited %s for the build that holds %s", lockWait, path)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

var errLocked = errors.New("locked by another process")

// SmallDB returns a new demo database of the given number of students
// (seed 1, demo.DefaultToday) in the test's temporary folder.
func SmallDB(tb testing.TB, students int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), fmt.Sprintf("demo-%d.db", students))
	if err := build(path, demo.Config{Students: students, Seed: 1, Today: demo.DefaultToday}); err != nil {
		tb.Fatalf("build a %d-student demo database: %v", students, err)
	}
	return path
}

// CopyFile copies the database file src, which no process has open, to
// dst (created or emptied, owner-only). It streams: the state-scale
// database is a gigabyte.
func CopyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	// Written to disk now: left to the system, a state-scale copy's
	// hundreds of megabytes were flushed by the first fsync of whoever
	// wrote to it next, a hub's first acknowledged push, inside a timed
	// benchmark.
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
