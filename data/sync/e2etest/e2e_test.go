package e2etest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"migrantdesk/data"
)

// TestHeadlessSync runs issue 9's headless path with real processes: a
// hub loaded with `import`, users made with `hub user add`, a clerk whose
// first sync makes the workstation's database, whose `migrant --publish`
// reaches a coordinator through the hub, a coordinator refused locally
// and granted the report through the hub, and a re-import on the hub that
// reaches both on their next sync with nothing local lost.
func TestHeadlessSync(t *testing.T) { eachBackend(t, testHeadlessSync) }

func testHeadlessSync(t *testing.T, be backend) {
	dir := t.TempDir()
	ex := demoExtract(t, dir, 1000, 3)
	hubDB := newHubDB(t, be, dir)
	mustRun(t, "import", "--db", hubDB, ex.dir)
	region := ex.busiestRegion()
	pw := passwordFile(t, dir)
	mustRun(t, "hub", "user", "add", "--db", hubDB, "--username", "rosa", "--name", "Rosa Delgado", "--role", "clerk",
		"--region", region, "--password-file", pw)
	h := startHub(t, hubDB, "127.0.0.1:0")
	hs := openHub(t, hubDB)
	rosa := newWorkstation(t, dir, "rosa")

	// The first sync makes the workstation's database, readable by its
	// owner only, and fills it with the clerk's region.
	if _, err := os.Stat(rosa.db); !os.IsNotExist(err) {
		t.Fatalf("%s exists before the first sync: %v", rosa.db, err)
	}
	s := rosa.sync(h.URL)
	if s.Pushed != 0 || s.Pulled == 0 || s.Cursor.Epoch == "" {
		t.Fatalf("first sync: %+v", s)
	}
	if fi, err := os.Stat(rosa.db); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the workstation's database: %v, %v", fi.Mode(), err)
	}
	epoch := s.Cursor.Epoch

	// migrant --publish on the workstation, then sync: every create and
	// every publish is applied once.
	recs, n := ex.recordsOf(t, region, 0, 10, filepath.Join(dir, "first.csv"))
	if n < 10 {
		t.Fatalf("region %s has only %d records in the demo state", region, n)
	}
	mustRun(t, "migrant", "--db", rosa.db, recs, "--publish")
	local := openSQL(t, rosa.db)
	waiting := count(t, local, `SELECT count(*) FROM outbox WHERE state = 'pending'`)
	s = rosa.sync(h.URL)
	if s.Pushed != waiting || s.Applied != waiting || s.Duplicate+s.Conflict+s.Rejected != 0 || waiting <= n {
		t.Fatalf("%d changes waiting (%d records and their publishes), sync said %+v", waiting, n, s)
	}
	hdb := openSQL(t, hubDB)
	if got := count(t, hdb, `SELECT count(*) FROM migrant_records WHERE created_by = 'rosa'`); got != n {
		t.Fatalf("the hub holds %d of rosa's %d records", got, n)
	}

	// The district that received the most copies gets a coordinator and
	// an administrator, added while the hub serves.
	var district string
	if err := hdb.QueryRow(`SELECT district_number FROM published GROUP BY district_number ORDER BY count(*) DESC, district_number LIMIT 1`).
		Scan(&district); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "hub", "user", "add", "--db", hubDB, "--username", "cora", "--name", "Cora Díaz", "--role", "coordinator",
		"--district", district, "--password-file", pw)
	mustRun(t, "hub", "user", "add", "--db", hubDB, "--username", "dana", "--name", "Dana Ruiz", "--role", "district_admin",
		"--district", district, "--password-file", pw)
	cora := newWorkstation(t, dir, "cora")
	cora.sync(h.URL)
	copies := count(t, hdb, `SELECT count(*) FROM published WHERE district_number = $1`, district)
	if got := count(t, openSQL(t, cora.db), `SELECT count(*) FROM published`); got != copies || copies == 0 {
		t.Fatalf("the coordinator of %s holds %d copies, the hub %d", district, got, copies)
	}
	checkDistrictScope(t, hubDB, cora.db, []string{district})
	checkConverged(t, hs, coordinator("cora", district), cora.db)

	// A coordinator's migrant is refused on the workstation, which queues
	// nothing for the hub.
	if r := run(t, "migrant", "--db", cora.db, recs); r.code == 0 || !strings.Contains(r.stderr, "nothing was saved") ||
		!strings.Contains(r.stdout, "read-only") {
		t.Fatalf("a coordinator's migrant: %s", r)
	}
	if got := count(t, openSQL(t, cora.db), `SELECT count(*) FROM outbox`); got != 0 {
		t.Fatalf("a refused migrant queued %d changes", got)
	}

	// report qa needs the district administrator's grant, which travels
	// from the hub.
	pdf := filepath.Join(dir, "qa.pdf")
	year := strconv.Itoa(data.Today().Year())
	report := []string{"report", "qa", "--db", cora.db, "--district", district, "--from", year + "-01-01", "--to", year + "-12-31", "--aggregated", pdf}
	if r := run(t, report...); r.code == 0 || !strings.Contains(r.stderr, "has not been granted") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("report qa without the grant: %s", r)
	}
	mustRun(t, "hub", "user", "grant", "--db", hubDB, "--username", "cora", "--district", district)
	if s := cora.sync(h.URL); s.Pulled == 0 {
		t.Fatalf("the grant did not reach the coordinator: %+v", s)
	}
	mustRun(t, report...)
	if fi, err := os.Stat(pdf); err != nil || fi.Size() == 0 {
		t.Fatalf("report qa wrote no PDF: %v", err)
	}

	// The clerk saves more records offline, and meanwhile the hub loads a
	// new extract in which a student of the district is renamed.
	more, m := ex.recordsOf(t, region, n, -1, filepath.Join(dir, "more.csv"))
	if m == 0 {
		t.Fatalf("region %s has no records beyond the first %d", region, n)
	}
	mustRun(t, "migrant", "--db", rosa.db, more)
	acked := count(t, local, `SELECT count(*) FROM outbox WHERE state = 'applied'`)
	var renamed string
	if err := openSQL(t, cora.db).QueryRow(`SELECT min(state_id) FROM students`).Scan(&renamed); err != nil || renamed == "" {
		t.Fatalf("the coordinator holds no student: %v", err)
	}
	reimport := filepath.Join(dir, "reimport")
	if err := os.CopyFS(reimport, os.DirFS(ex.dir)); err != nil {
		t.Fatal(err)
	}
	students := append([][]string{{"state_id", "local_student_number", "last_name", "first_name", "middle_name", "birth_date", "gender", "race_ethnicity"}},
		readCSV(t, filepath.Join(reimport, "students.csv"))...)
	for _, r := range students {
		if r[0] == renamed {
			r[2] = "Reimported"
		}
	}
	writeCSV(t, filepath.Join(reimport, "students.csv"), students)
	mustRun(t, "import", "--db", hubDB, reimport)

	// The new epoch could as well be a hub restored from a backup: every
	// change the hub acknowledged goes again, and is a duplicate. The
	// push made at the old epoch is refused, on either back end: the
	// acknowledged changes go first, then the waiting ones.
	s = rosa.sync(h.URL)
	if s.Pushed != acked+m || s.Applied != m || s.Duplicate != acked || s.Cursor.Epoch == epoch || s.Pulled < 1000 {
		t.Fatalf("the clerk's sync after a re-import (%d records waiting, %d changes acknowledged before): %+v", m, acked, s)
	}
	if got := count(t, hdb, `SELECT count(*) FROM migrant_records WHERE created_by = 'rosa'`); got != n+m {
		t.Fatalf("the hub holds %d of rosa's %d records", got, n+m)
	}
	s = cora.sync(h.URL)
	if s.Cursor.Epoch == epoch {
		t.Fatalf("the coordinator's sync after a re-import kept the old epoch: %+v", s)
	}
	for _, w := range []*workstation{rosa, cora} {
		var last string
		if err := openSQL(t, w.db).QueryRow(`SELECT last_name FROM students WHERE state_id = ?`, renamed).Scan(&last); err != nil || last != "Reimported" {
			t.Fatalf("%s: the re-imported name is %q (%v)", w.user, last, err)
		}
	}
	checkConverged(t, hs, clerk("rosa", region), rosa.db)
	checkConverged(t, hs, coordinator("cora", district), cora.db)
	checkDistrictScope(t, hubDB, cora.db, []string{district})
	mustRun(t, report...)

	// The state administrator moves the coordinator to the district with
	// the most copies after hers, while the hub serves: her next sync
	// holds that district's scope, and nothing of hers before.
	var other string
	if err := hdb.QueryRow(`SELECT d.number FROM districts d WHERE d.number <> $1
		ORDER BY (SELECT count(*) FROM published p WHERE p.district_number = d.number) DESC, d.number LIMIT 1`, district).
		Scan(&other); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "hub", "user", "edit", "--db", hubDB, "--username", "cora", "--district", other)
	cora.sync(h.URL)
	copies = count(t, hdb, `SELECT count(*) FROM published WHERE district_number = $1`, other)
	if got := count(t, openSQL(t, cora.db), `SELECT count(*) FROM published`); got != copies {
		t.Fatalf("the coordinator moved to %s holds %d copies, the hub %d", other, got, copies)
	}
	checkDistrictScope(t, hubDB, cora.db, []string{other})
	checkConverged(t, hs, coordinator("cora", other), cora.db)

	// Refusals exit non-zero with one line: a wrong password, and a
	// database that belongs to another user.
	bad := filepath.Join(dir, "wrong")
	os.WriteFile(bad, []byte("not the password at all\n"), 0o600)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sync", "--db", filepath.Join(dir, "new.db"), "--hub", h.URL, "--user", "rosa", "--password-file", bad, "--json"}, "refused"},
		{[]string{"sync", "--db", rosa.db, "--hub", h.URL, "--user", "cora", "--password-file", pw, "--json"}, "belongs to rosa"},
	} {
		r := run(t, c.args...)
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: %s", c.args, r)
		}
	}
	h.stop()
	if !strings.Contains(h.log.String(), `"msg":"stopped"`) {
		t.Errorf("the hub did not log its stop: %s", h.log)
	}
}
