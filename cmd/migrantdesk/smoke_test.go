package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/demo"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/store"
)

// TestSmoke builds the real app, starts it under Xvfb on a small demo
// database with a student's detail open, and saves a screenshot to
// shots/student-detail.png at the top of the repository.
func TestSmoke(t *testing.T) {
	bin := buildApp(t)
	db := demotest.SmallDB(t, demo.MinStudents)
	user, stateID := pickStudent(t, db)
	shot, colours := shoot(t, bin, "student-detail.png", "--db", db, "--user", user, "--open", stateID)
	t.Logf("screenshot of student %s: %s (%d colours)", stateID, shot, colours)
}

// buildApp builds the app into the test's temp folder, skipping the test
// where the X tools it needs are missing.
func buildApp(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"Xvfb", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the smoke test needs %s (Debian packages xvfb and imagemagick; `make deps` installs them)", tool)
		}
	}
	bin := filepath.Join(t.TempDir(), "migrantdesk")
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// shoot runs the app with args on a fresh Xvfb and saves a screenshot
// named name in shots/ once the window has drawn and the picture has
// stopped changing (windows open, then fill in from the background).
func shoot(t *testing.T, bin, name string, args ...string) (shot string, colours int) {
	t.Helper()
	display := startXvfb(t)
	app := exec.Command(bin, args...)
	app.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+filepath.Join(t.TempDir(), "config"))
	var appOut bytes.Buffer
	app.Stdout, app.Stderr = &appOut, &appOut
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	defer func() {
		app.Process.Kill()
		<-exited
	}()

	shots, err := filepath.Abs(filepath.Join("..", "..", "shots"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	shot = filepath.Join(shots, name)
	last := 0
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the app exited early (%v):\n%s", err, appOut.String())
		case <-time.After(2 * time.Second):
		}
		screenshot(t, display, shot)
		colours = countColours(t, shot)
		if colours > 50 && colours == last {
			break
		}
		last = colours
	}
	if colours <= 50 {
		t.Fatalf("the screenshot %s has %d colours: the window did not draw\n%s", shot, colours, appOut.String())
	}
	return shot, colours
}

// pickStudent returns a clerk of the demo state and a student of the
// clerk's region with a record to publish: best one changed since it was
// published, so the screenshot shows copies, a badge and a reason.
func pickStudent(t *testing.T, path string) (user, stateID string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	users, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Role != data.RoleClerk {
			continue
		}
		recs, err := st.NeedsPublishing(ctx, u.RegionCode)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Status == data.StatusNeedsPublishing {
				return u.Username, r.StateID
			}
		}
		if len(recs) > 0 && stateID == "" {
			user, stateID = u.Username, recs[0].StateID
		}
	}
	if stateID == "" {
		t.Fatal("the demo state has no clerk with a record to publish")
	}
	return user, stateID
}

// startXvfb starts a virtual X server on a free display and returns its
// name; the server stops when the test ends.
func startXvfb(t *testing.T) string { return startXvfbSized(t, screenW, screenH) }

// startXvfbSized is startXvfb with a screen of width × height pixels.
func startXvfbSized(t *testing.T, width, height int) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", width, height), "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	var xOut bytes.Buffer
	x.Stderr = &xOut
	if err := x.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() {
		x.Process.Kill()
		x.Wait()
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatalf("Xvfb did not start:\n%s", xOut.String())
		}
		return ":" + n
	case <-time.After(15 * time.Second):
		t.Fatalf("Xvfb did not say its display within 15 s:\n%s", xOut.String())
	}
	return ""
}

func screenshot(t *testing.T, display, path string) {
	t.Helper()
	cmd := exec.Command("import", "-display", display, "-window", "root", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
}

// countColours counts the distinct colours of a PNG, up to 1000.
func countColours(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= 1000 {
				return len(seen)
			}
		}
	}
	return len(seen)
}
