package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
