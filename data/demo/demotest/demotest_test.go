package demotest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"migrantdesk/data/demo"
	"migrantdesk/data/store"
)

func TestStateDBSkipsWithoutTheVariable(t *testing.T) {
	var skipped bool
	t.Run("unset", func(t *testing.T) {
		t.Setenv(Env, "")
		defer func() { skipped = t.Skipped() }()
		StateDB(t)
	})
	if !skipped {
		t.Fatal("StateDB did not skip with MIGRANTDESK_BENCH_DB unset")
	}
}

func TestSmallDB(t *testing.T) {
	path := SmallDB(t, 600)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if demo, err := st.IsDemo(ctx); err != nil || !demo {
		t.Fatalf("IsDemo: %v, %v", demo, err)
	}
	if seed, _ := st.Meta(ctx, store.MetaDemoSeed); seed != "1" {
		t.Errorf("demo seed %q, want 1", seed)
	}
	regions, err := st.Regions(ctx)
	if err != nil || len(regions) != 4 {
		t.Errorf("regions %v, %v", regions, err)
	}
}

// Two builders of the same database at once: one builds, the other waits
// and finds it made; no temporary file is left.
func TestEnsureBuildsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared", "bench.db")
	cfg := demo.Config{Students: 500, Seed: 3, Today: demo.DefaultToday}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { errs[i] = ensure(t, path, cfg) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path + ".tmp", path + ".tmp-wal", path + "-wal"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s is left behind", f)
		}
	}
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	imports, err := st.Audit(context.Background(), "extract", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) != 1 {
		t.Errorf("the extract was imported %d times, want once", len(imports))
	}
	if err := ensure(t, path, cfg); err != nil {
		t.Errorf("a second run: %v", err)
	}
	other := cfg
	other.Seed = 4
	if err := ensure(t, path, other); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("a database of another seed: got %v, want a refusal that says to delete it", err)
	}
}

func TestLockExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := tryLock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tryLock(path); !errors.Is(err, errLocked) {
		t.Fatalf("a second lock: got %v, want errLocked", err)
	}
	unlock()
	unlock2, err := tryLock(path)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}
