package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

	second := exec.Command(bin, "--db", db, "--user", clerk)
	second.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+config)
	// A file, read while the app writes it.
	out, err := os.Create(filepath.Join(t.TempDir(), "second.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	second.Stdout, second.Stderr = out, out
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		second.Process.Kill()
		second.Wait()
	}()
	want := "already open with " + db
	said := func() string {
		b, _ := os.ReadFile(out.Name())
		return string(b)
	}
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(said(), want); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a second app on the database did not say %q within 20 s:\n%s", want, said())
		}
	}

	// Killed, the first app leaves nothing that keeps the next one out.
	first.cmd.Process.Kill()
	<-first.exited
	first.ended = true
	startDesk(t, bin, display, config, mainTitle, "--db", db, "--user", clerk).quit()
}
