package e2etest

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"migrantdesk/data"
)

// extract is a demo state written as the state's extract CSVs (with
// migrant_records.csv beside them), as `migrantdeskctl demo --csv` makes
// it, and what the tests need to know of it.
type extract struct {
	dir     string
	regions map[string][]string // each student's regions, from its enrollments
	records [][]string          // migrant_records.csv's rows, without the header
}

// demoExtract writes a demo state of n students to a new folder in dir.
func demoExtract(tb testing.TB, dir string, students int, seed int64) *extract {
	tb.Helper()
	ex := &extract{dir: filepath.Join(dir, "extract-"+strconv.FormatInt(seed, 10)), regions: map[string][]string{}}
	mustRun(tb, "demo", "--csv", ex.dir, "--students", strconv.Itoa(students), "--seed", strconv.FormatInt(seed, 10))
	regionOf := map[string]string{}
	for _, r := range readCSV(tb, ex.path("districts.csv")) {
		regionOf[r[0]] = r[2]
	}
	schoolRegion := map[string]string{}
	for _, r := range readCSV(tb, ex.path("schools.csv")) {
		schoolRegion[r[0]] = regionOf[r[1]]
	}
	for _, r := range readCSV(tb, ex.path("enrollments.csv")) {
		if reg := schoolRegion[r[2]]; !slices.Contains(ex.regions[r[1]], reg) {
			ex.regions[r[1]] = append(ex.regions[r[1]], reg)
		}
	}
	ex.records = readCSV(tb, ex.path("migrant_records.csv"))
	return ex
}

func (ex *extract) path(name string) string { return filepath.Join(ex.dir, name) }

// recordsOf writes the migrant records of the region's students to a
// file for `migrantdeskctl migrant`, skipping the first skip of them and
// taking at most n (all when n < 0); it returns the file and how many it
// holds.
func (ex *extract) recordsOf(tb testing.TB, region string, skip, n int, file string) (string, int) {
	tb.Helper()
	rows := [][]string{{"state_id", "mis2000_id", "qad", "eed"}}
	for _, r := range ex.records {
		if !slices.Contains(ex.regions[r[0]], region) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if n >= 0 && len(rows)-1 == n {
			break
		}
		rows = append(rows, r)
	}
	writeCSV(tb, file, rows)
	return file, len(rows) - 1
}

// busiestRegion is the region with the most students that have records.
func (ex *extract) busiestRegion() string {
	n := map[string]int{}
	for _, r := range ex.records {
		for _, reg := range ex.regions[r[0]] {
			n[reg]++
		}
	}
	best := ""
	for reg, c := range n {
		if best == "" || c > n[best] || c == n[best] && reg < best {
			best = reg
		}
	}
	return best
}

// clerk is a clerk of a region.
func clerk(username, region string) data.User {
	return data.User{Username: username, FullName: "Clerk " + username, Role: data.RoleClerk, RegionCode: region}
}

// coordinator is a coordinator of districts.
func coordinator(username string, districts ...string) data.User {
	return data.User{Username: username, FullName: "Coordinator " + username, Role: data.RoleCoordinator, Districts: districts}
}

func readCSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return rows[1:]
}

func writeCSV(tb testing.TB, path string, rows [][]string) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}
