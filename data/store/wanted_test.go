package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"migrantdesk/data/store"
)

// TestStepAside: a command that gives way to the app (a sync) is told
// as soon as an app waits for its database, and the app then takes the
// database at once; a marker left by an app killed while it waited, or
// by one that has opened since, tells it nothing.
func TestStepAside(t *testing.T) {
	db := filepath.Join(t.TempDir(), "migrantdesk.db")
	// What an app killed while it waited leaves: the file, its lock gone
	// with the process.
	if err := os.WriteFile(db+"-wanted", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	release, err := store.HoldAs(db, "migrantdeskctl sync")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := store.StepAside(context.Background(), db)
	defer stop()
	unwanted := func(what string) {
		t.Helper()
		select {
		case <-ctx.Done():
			t.Fatalf("%s, the command was told to give way (%v)", what, context.Cause(ctx))
		case <-time.After(500 * time.Millisecond):
		}
	}
	unwanted("with the marker of a killed app beside the database")

	type held struct {
		release func()
		err     error
	}
	opened := make(chan held, 1)
	start := time.Now()
	go func() {
		wait, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := store.HoldPatiently(wait, db, func(string) {})
		opened <- held{r, err}
	}()
	select {
	case <-ctx.Done():
		if !errors.Is(context.Cause(ctx), store.ErrWanted) {
			t.Fatalf("the command was stopped by %v, not by the app", context.Cause(ctx))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an app waited 5 s for the database, and the command was not told")
	}
	release()
	app := <-opened
	if app.err != nil {
		t.Fatalf("the command gave way, and the app did not take the database: %v", app.err)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("the app took the database %s after it started to wait", waited)
	}
	app.release()

	release, err = store.HoldAs(db, "migrantdeskctl sync")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, stop = store.StepAside(context.Background(), db)
	defer stop()
	unwanted("once the app that waited had opened")
}
