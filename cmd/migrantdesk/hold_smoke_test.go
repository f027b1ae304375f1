package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/store"
)

// TestOneAppADatabase: a second app started on a database that an app
// has open says where the first one is, and does not work on it; once
// the first has ended, however it ended, the database opens again.
func TestOneAppADatabase(t *testing.T) {
	bin, db := placeSetup(t)
	display := startXvfb(t)
	config := filepath.Join(t.TempDir(), "config")
	clerk, _ := pickStudent(t, db)
	first := startDesk(t, bin, display, config, mainTitle, "--db", db, "--user", clerk)
	refusedAsOpen(t, bin, display, config, db, "--user", clerk)
	leftToTheApp(t, db, clerk)

	// Killed, the first app leaves nothing that keeps the next one out.
	first.cmd.Process.Kill()
	<-first.exited
	first.ended = true
	startDesk(t, bin, display, config, mainTitle, "--db", db, "--user", clerk).quit()

	// The database is held before it is opened, which may take a while
	// (an upgrade copies the file first): a second start meanwhile is
	// refused without opening it, here without making it.
	fresh := filepath.Join(t.TempDir(), "Migrant Desk", "migrantdesk.db")
	release, err := store.Hold(fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	refusedAsOpen(t, bin, display, config, fresh)
	if _, err := os.Stat(fresh); err == nil {
		t.Error("a start refused made the database all the same")
	}
}

// refusedAsOpen starts the app on db and waits for it to say that the
// database is already open, then ends it.
func refusedAsOpen(t *testing.T, bin, display, config, db string, args ...string) {
	t.Helper()
	app := exec.Command(bin, append([]string{"--db", db}, args...)...)
	app.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+config)
	// A file, read while the app writes it.
	out, err := os.Create(filepath.Join(t.TempDir(), "refused.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	app.Stdout, app.Stderr = out, out
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		app.Process.Kill()
		app.Wait()
	}()
	want := "already open with " + db
	said := func() string {
		b, _ := os.ReadFile(out.Name())
		return string(b)
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(said(), want); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a second app on %s did not say %q within 20 s:\n%s", db, want, said())
		}
	}
}

// TestAppWaitsForACommand: an app started while a command holds its
// database (a scheduled sync, which ends in seconds) is not refused: its
// opening window says what it waits for, and the main window shows once
// the command has let the database go.
func TestAppWaitsForACommand(t *testing.T) {
	bin, db := placeSetup(t)
	display := startXvfb(t)
	config := filepath.Join(t.TempDir(), "config")
	clerk, _ := pickStudent(t, db)
	release, err := store.HoldAs(db, "migrantdeskctl sync")
	if err != nil {
		t.Fatal(err)
	}
	d := startDesk(t, bin, display, config, mainTitle, "--db", db, "--user", clerk)
	if g := d.waitFor(func(geometry) bool { return true }); g.W > 700 {
		t.Fatalf("while a command held the database, a window of %v showed, not the small one saying so", g)
	}
	// Long enough for a refusal to have been said.
	time.Sleep(2 * time.Second)
	if shot := os.Getenv("MIGRANTDESK_SHOT"); shot != "" {
		screenshot(t, display, shot)
	}
	select {
	case err := <-d.exited:
		d.ended = true
		t.Fatalf("the app ended while a command held its database (%v):\n%s", err, d.out)
	default:
	}
	release()
	if !d.mainShows() {
		t.Fatalf("the main window did not show once the command let the database go:\n%s", d.out)
	}
	d.quit()
}

// leftToTheApp runs migrantdeskctl sync on db, which an app has open, as
// a scheduled task would, and checks that it leaves the database to the
// app, says so, and does not fail: it reaches no hub, here one that
// does not exist.
func leftToTheApp(t *testing.T, db, user string) {
	t.Helper()
	ctl, pw := buildCtl(t)
	sync := exec.Command(ctl, "sync", "--db", db, "--hub", "https://hub.invalid", "--user", user, "--password-file", pw)
	var errOut strings.Builder
	sync.Stderr = &errOut
	out, err := sync.Output()
	if want := "Migrant Desk is open on " + db + " and syncs it itself while signed in; nothing done\n"; err != nil || string(out) != want {
		t.Errorf("a sync with the app open on its database exited with %v and said:\n%s%s", err, out, errOut.String())
	}
}

// buildCtl builds migrantdeskctl, and writes a password file for its
// sync.
func buildCtl(t *testing.T) (ctl, passwordFile string) {
	t.Helper()
	dir := t.TempDir()
	ctl = filepath.Join(dir, "migrantdeskctl-full")
	build := exec.Command("go", "build", "-o", ctl, "../migrantdeskctl-full")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	passwordFile = filepath.Join(dir, "password")
	if err := os.WriteFile(passwordFile, []byte("correct horse battery\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return ctl, passwordFile
}

// TestAppStopsAStuckSync: a clerk who starts Migrant Desk while the
// scheduled sync waits on a hub that never answers (it would for
// minutes) is not kept out: the sync stops at once, lets the database
// go and exits 0, saying why, and the main window shows.
func TestAppStopsAStuckSync(t *testing.T) {
	bin, db := placeSetup(t)
	display := startXvfb(t)
	config := filepath.Join(t.TempDir(), "config")
	clerk, _ := pickStudent(t, db)
	ctl, pw := buildCtl(t)
	hub, accepted := hubtest.Silent(t)
	var out, errOut bytes.Buffer
	sync := exec.Command(ctl, "sync", "--db", db, "--hub", hub, "--user", clerk, "--password-file", pw)
	sync.Stdout, sync.Stderr = &out, &errOut
	if err := sync.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- sync.Wait() }()
	defer func() {
		sync.Process.Kill()
		<-exited
	}()
	select {
	case <-accepted:
	case err := <-exited:
		exited <- err
		t.Fatalf("the sync ended (%v) before it reached the hub:\n%s%s", err, &out, &errOut)
	case <-time.After(30 * time.Second):
		t.Fatal("the sync did not reach the hub within 30 s")
	}
	start := time.Now()
	d := startDesk(t, bin, display, config, mainTitle, "--db", db, "--user", clerk)
	if !d.mainShows() {
		t.Fatalf("the main window did not show while the sync waited on its hub:\n%s", d.out)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the main window showed %s after the start, the sync waiting on its hub", took)
	}
	if shot := os.Getenv("MIGRANTDESK_SHOT"); shot != "" {
		screenshot(t, display, shot)
	}
	select {
	case err := <-exited:
		exited <- err
		want := "Migrant Desk was opened on " + db + "; it syncs itself: stopped"
		if err != nil || !strings.HasPrefix(out.String(), want) || errOut.Len() > 0 {
			t.Errorf("the sync that gave way to the app exited with %v and said:\n%s%s", err, &out, &errOut)
		}
	case <-time.After(10 * time.Second):
		t.Error("the sync had not exited 10 s after the app opened")
	}
	d.quit()
}
