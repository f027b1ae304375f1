package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
)

// TestSyncStepsAsideForTheApp: a sync stuck on its hub, whose push the
// hub applied but never answered, or whose hub never answers at all,
// lets the database go as soon as Migrant Desk waits for it, says so and
// exits 0; the outbox keeps the change, which the next sync sends again
// and the hub knows. A sync with no app waiting, the marker of one that
// waited beside the database, syncs as before. The sync is a process of
// its own; the app is this test, waiting as the app does.
func TestSyncStepsAsideForTheApp(t *testing.T) {
	ctl := fullProgram(t)
	_, args := syncHub(t)
	db := args[2]
	// The hub is reached through a proxy that, once told to stall, hands
	// the hub a push and never answers it.
	hubURL, err := url.Parse(args[4])
	if err != nil {
		t.Fatal(err)
	}
	toHub := httputil.NewSingleHostReverseProxy(hubURL)
	var stall atomic.Bool
	pushed := make(chan struct{}, 1)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !stall.Load() || r.URL.Path != "/v1/push" {
			toHub.ServeHTTP(w, r)
			return
		}
		toHub.ServeHTTP(httptest.NewRecorder(), r)
		pushed <- struct{}{}
		<-r.Context().Done()
	}))
	// Closed after the syncs are ended (t.Cleanup runs the last first):
	// it waits for the connections they hold.
	t.Cleanup(proxy.Close)
	args[4] = proxy.URL
	st := oneToSend(t, args)
	before, err := st.Cursor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kept := func(when string) {
		t.Helper()
		c := storetest.CountRows(t, st)
		cur, err := st.Cursor(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c.Outbox != 1 || c.Pending != 1 || c.Conflicts != 0 || cur != before {
			t.Errorf("%s: outbox %d, pending %d, conflicts %d, cursor %v; want the one change waiting, cursor %v",
				when, c.Outbox, c.Pending, c.Conflicts, cur, before)
		}
	}

	stall.Store(true)
	sync := startSync(t, ctl, args...)
	select {
	case <-pushed:
	case err := <-sync.exited:
		t.Fatalf("the sync ended (%v) before its push reached the hub:\n%s%s", err, &sync.out, &sync.errOut)
	case <-time.After(30 * time.Second):
		t.Fatal("the sync's push did not reach the hub within 30 s")
	}
	sync.stepsAside(t, db, "Migrant Desk was opened on "+db+"; it syncs itself: stopped")
	kept("stopped while the hub held its answer to the push")

	// A hub that accepts a connection and never answers: the sign-in
	// waits for it.
	silentHub, accepted := hubtest.Silent(t)
	silent := append([]string{}, args...)
	silent[4] = silentHub
	sync = startSync(t, ctl, append(silent, "--json")...)
	select {
	case <-accepted:
	case <-time.After(30 * time.Second):
		t.Fatal("the sync did not reach the hub that never answers within 30 s")
	}
	sync.stepsAside(t, db, `{"stopped":"Migrant Desk was opened on `+db)
	kept("stopped while the hub did not answer its sign-in")

	if _, err := os.Stat(db + "-wanted"); err != nil {
		t.Fatalf("no marker was left of the app that waited: %v", err)
	}
	stall.Store(false)
	out, errOut, err := runCtl(ctl, args...)
	if err != nil || !strings.Contains(out, "synced "+db) || !strings.Contains(out, "pushed 1 (applied 0, duplicate 1") {
		t.Errorf("the next sync, no app waiting, exited with %v and said:\n%s%s", err, out, errOut)
	}
	if n := storetest.CountRows(t, st).Pending; n != 0 {
		t.Errorf("the next sync left %d changes in the outbox", n)
	}
	if out, _, err := runCtl(ctl, "sync", "--help"); err != nil || !strings.Contains(out, "stops at once") {
		t.Errorf("sync --help does not say that a sync stops for the app opened (%v):\n%s", err, out)
	}
}

// syncRun is a sync running in a process of its own.
type syncRun struct {
	out, errOut bytes.Buffer
	exited      chan error
}

// startSync starts the program ctl with args.
func startSync(t *testing.T, ctl string, args ...string) *syncRun {
	t.Helper()
	s := &syncRun{exited: make(chan error, 1)}
	cmd := exec.Command(ctl, args...)
	cmd.Stdout, cmd.Stderr = &s.out, &s.errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.exited
	})
	return s
}

// stepsAside waits for db as the app does, and checks that the sync s,
// which holds it, lets it go within a second or two and exits 0, having
// said said.
func (s *syncRun) stepsAside(t *testing.T, db, said string) {
	t.Helper()
	var held *store.HeldError
	if _, err := store.Hold(db); !errors.As(err, &held) || !strings.HasPrefix(held.By, "migrantdeskctl sync (process ") {
		t.Fatalf("the sync does not hold %s: %v", db, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	release, err := store.HoldPatiently(ctx, db, func(string) {})
	if err != nil {
		t.Fatalf("the app waited for the sync stuck on its hub, and was refused: %v", err)
	}
	defer release()
	if waited := time.Since(start); waited > 2*time.Second {
		t.Errorf("the app waited %s for the sync stuck on its hub", waited)
	}
	select {
	case err := <-s.exited:
		s.exited <- err
		if err != nil || !strings.HasPrefix(s.out.String(), said) || s.errOut.Len() > 0 {
			t.Errorf("the sync that gave way exited with %v and said:\n%s%s", err, &s.out, &s.errOut)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("the sync had not exited 10 s after it let the database go")
	}
}
