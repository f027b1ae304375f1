package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"migrantdesk/data/demo"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/store"
)

// TestDistrictSmoke starts the real app under Xvfb on a small demo
// database with the district window of the district holding the most
// published records, as one of its coordinators (else its administrator,
// else a clerk of its region), and saves a screenshot to
// shots/district-window.png at the top of the repository. It reuses the
// harness of TestSmoke.
func TestDistrictSmoke(t *testing.T) {
	for _, tool := range []string{"Xvfb", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the smoke test needs %s (Debian packages xvfb and imagemagick; `make deps` installs them)", tool)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "migrantdesk")
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if help, _ := exec.Command(bin, "--help").CombinedOutput(); !bytes.Contains(help, []byte("-district")) {
		t.Skip("the app has no --district flag yet (gui.Options.District opens a district window at start)")
	}

	db := demotest.SmallDB(t, demo.MinStudents)
	user, district, records := pickDistrict(t, db)

	display := startXvfb(t)
	app := exec.Command(bin, "--db", db, "--user", user, "--district", district)
	app.Env = append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "XDG_CONFIG_HOME="+filepath.Join(dir, "config"))
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
	shot := filepath.Join(shots, "district-window.png")

	// The district window opens over the main window once the main window
	// is up and the district read: wait for the picture to stop changing.
	var colours, last int
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
	t.Logf("district %s as %s, %d published records: %s (%d colours)", district, user, records, shot, colours)
}

// pickDistrict returns the district with the most published records and
// who opens it: a coordinator of it, else its administrator, else a clerk
// of its region.
func pickDistrict(t *testing.T, path string) (user, district string, records int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.Districts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	users, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rank := map[string]int{store.RoleCoordinator: 3, store.RoleDistrictAdmin: 2, store.RoleClerk: 1}
	best := 0
	for _, d := range ds {
		recs, err := st.DistrictRecords(ctx, d.Number)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) <= records {
			continue
		}
		for _, u := range users {
			if u.CanSeeDistrict(d) && rank[u.Role] > 0 && (len(recs) > records || rank[u.Role] > best) {
				user, district, records, best = u.Username, d.Number, len(recs), rank[u.Role]
			}
		}
	}
	if district == "" {
		t.Fatalf("the demo state has no district with published records that a profile may open:\n%s",
			strings.Join(userNames(users), ", "))
	}
	return user, district, records
}

func userNames(us []store.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Username + " (" + u.Role + ")"
	}
	return out
}
