package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// buildPrograms builds this program and migrantdeskctl-full into dir, as
// a package installs them, and returns this one's path.
func buildPrograms(dir string) (string, error) {
	front := filepath.Join(dir, "migrantdeskctl"+exeSuffix)
	for _, b := range [][2]string{{front, "."}, {filepath.Join(dir, companionName), "../migrantdeskctl-full"}} {
		cmd := exec.Command("go", "build", "-o", b[0], b[1])
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	return front, nil
}

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// programs returns the paths of this program and of migrantdeskctl-full
// beside it, built once for the tests and benchmarks.
func programs(tb testing.TB) (front, full string) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds both programs")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "migrantdeskctl-test")
		if err != nil {
			buildErr = err
			return
		}
		built, buildErr = buildPrograms(dir)
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return built, filepath.Join(filepath.Dir(built), companionName)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built != "" {
		os.RemoveAll(filepath.Dir(built))
	}
	os.Exit(code)
}

// result is what a process printed and how it ended.
type result struct {
	stdout, stderr string
	code           int
}

func runProgram(t *testing.T, dir, program string, args ...string) result {
	t.Helper()
	cmd := exec.Command(program, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s %v: %v", program, args, err)
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

// Every command line prints the same, on both streams, and ends with the
// same exit status through this program as migrantdeskctl-full run
// directly: the commands this program hands over, those it runs itself,
// help and a command that does not exist.
func TestFrontEqualsFull(t *testing.T) {
	front, full := programs(t)
	dir := t.TempDir()
	demo := runProgram(t, dir, front, "demo", "--db", "md.db", "--students", "500", "--seed", "3", "--today", "2025-06-01")
	if demo.code != 0 || !strings.Contains(demo.stdout, "Done in") {
		t.Fatalf("demo through migrantdeskctl: %+v", demo)
	}
	// The district of the demo's first district coordinator.
	m := regexp.MustCompile(`District coordinator .* — ([0-9]{3}) `).FindStringSubmatch(demo.stdout)
	if m == nil {
		t.Fatalf("the demo names no district coordinator:\n%s", demo.stdout)
	}
	district := m[1]
	period := []string{"--from", "2024-07-01", "--to", "2025-06-30"}
	for _, args := range [][]string{
		{"audit", "verify", "--db", "md.db"},
		{"search", "--db", "md.db", "--last", "gar"},
		{"search", "--db", "md.db", "--last", "gar", "--json", "--limit", "2"},
		{"search", "--limit", "0"},
		{"search", "--help"},
		{"version"},
		{"help"},
		{},
		{"frobnicate"},
		{"demo", "--help"},
		{"demo", "--db", "other.db", "--students", "200"},
		{"report", "qa", "--db", "md.db", "--district", "001"},
		{"report", "qa", "--db", "md.db", "--district", "001", "--detail", "qa.xlsx"},
		append([]string{"report", "qa", "--db", "md.db", "--district", "001"}, period...),
		{"import", "--db", "md.db", "no such folder"},
		{"hub"},
		{"sync", "--db", "md.db"},
		{"reconcile", "--db", "md.db"},
		{"migrant", "--db", "md.db"},
	} {
		got, want := runProgram(t, dir, front, args...), runProgram(t, dir, full, args...)
		if got != want {
			t.Errorf("migrantdeskctl %q: %+v\nmigrantdeskctl-full: %+v", args, got, want)
		}
	}
	// A command that succeeds through this program writes what it says.
	args := append([]string{"report", "qa", "--db", "md.db", "--district", district, "--detail", "qa.xlsx"}, period...)
	if r := runProgram(t, dir, front, args...); r.code != 0 || !strings.Contains(r.stdout, "rows") {
		t.Fatalf("report qa through migrantdeskctl: %+v", r)
	}
	if fi, err := os.Stat(filepath.Join(dir, "qa.xlsx")); err != nil || fi.Size() == 0 {
		t.Errorf("report qa through migrantdeskctl wrote no workbook: %v", err)
	}
}

// Alone, without migrantdeskctl-full, this program still searches and
// says its version; every other command ends with one line that says what
// is missing where.
func TestMissingCompanion(t *testing.T) {
	front, full := programs(t)
	dir := t.TempDir()
	alone := filepath.Join(dir, "migrantdeskctl"+exeSuffix)
	copyProgram(t, front, alone)
	if r := runProgram(t, dir, full, "demo", "--db", "md.db", "--students", "500", "--seed", "3", "--today", "2025-06-01"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	for _, args := range [][]string{{"search", "--db", "md.db", "--last", "gar"}, {"version"}, {"help"}} {
		if got, want := runProgram(t, dir, alone, args...), runProgram(t, dir, full, args...); got != want {
			t.Errorf("migrantdeskctl %q alone: %+v\nmigrantdeskctl-full: %+v", args, got, want)
		}
	}
	got := runProgram(t, dir, alone, "report", "qa", "--db", "md.db")
	want := result{"", fmt.Sprintf("migrantdeskctl: the command \"report\" needs %s beside %s; reinstall Migrant Desk\n", companionName, realPath(t, alone)), 1}
	if got != want {
		t.Errorf("report without %s: %+v, want %+v", companionName, got, want)
	}
}

// Through a link (/usr/local/bin/migrantdeskctl to where a package keeps
// it), this program finds migrantdeskctl-full beside where the link leads.
func TestCompanionBesideLinkTarget(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need a privilege on Windows")
	}
	front, full := programs(t)
	dir := t.TempDir()
	link := filepath.Join(dir, "migrantdeskctl")
	if err := os.Symlink(front, link); err != nil {
		t.Fatal(err)
	}
	args := []string{"demo", "--db", "other.db", "--students", "200"}
	if got, want := runProgram(t, dir, link, args...), runProgram(t, dir, full, args...); got != want || got.code != 1 {
		t.Errorf("demo through a link: %+v\nmigrantdeskctl-full: %+v", got, want)
	}
}

func copyProgram(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func realPath(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The front links nothing of what only the other commands need: each
// package it links is started before a search runs. go list names what
// each program links, for Linux and for Windows; migrantdeskctl-full links
// every one of the heavy packages, which shows that their names are right.
func TestFrontLinksOnlyWhatSearchNeeds(t *testing.T) {
	heavy := []string{
		"github.com/xuri/excelize/",    // workbooks (report, reconcile, import)
		"github.com/go-pdf/fpdf",       // PDF reports
		"encoding/gob",                 // what fpdf starts
		"github.com/prometheus/",       // the hub's metrics
		"github.com/jackc/pgx/",        // the hub's PostgreSQL
		"net/http",                     // the hub and sync
		"migrantdesk/report",           // the reports
		"migrantdesk/data/hub",         // the hub
		"migrantdesk/data/sync/client", // sync's HTTP client
		"migrantdesk/data/importer",    // the extract's files
	}
	links := func(deps []string, h string) bool {
		for _, pkg := range deps {
			if pkg == h || strings.HasPrefix(pkg, h) && (strings.HasSuffix(h, "/") || strings.HasPrefix(pkg, h+"/")) {
				return true
			}
		}
		return false
	}
	for _, goos := range []string{"linux", "windows"} {
		front, full := listDeps(t, goos, "."), listDeps(t, goos, "../migrantdeskctl-full")
		for _, h := range heavy {
			if links(front, h) {
				t.Errorf("migrantdeskctl for %s links %s; put what needs it in migrantdeskctl-full", goos, h)
			}
			if !links(full, h) {
				t.Errorf("migrantdeskctl-full for %s does not link %s: name in this test what it links instead", goos, h)
			}
		}
		for _, pkg := range front {
			if strings.HasPrefix(pkg, "fyne.io/") {
				t.Errorf("migrantdeskctl for %s links %s, of the app", goos, pkg)
			}
		}
	}
}

// listDeps is what go list -deps says pkg links when built for goos
// without cgo, as make builds both programs.
func listDeps(t *testing.T, goos, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH=amd64")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s for %s: %v", pkg, goos, err)
	}
	return strings.Fields(string(out))
}
