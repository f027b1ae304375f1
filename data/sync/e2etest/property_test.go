package e2etest

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/pghub"
	"migrantdesk/data/hub/pghub/pgtest"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
	"migrantdesk/data/sync/client"
)

// defaultChecks is how many random histories TestSyncProperties tries when
// -rapid.checks (or RAPID_CHECKS) does not say: enough for every run of
// the suite to exercise each action many times, few enough for a CI
// machine. `go test -run TestSyncProperties -rapid.checks=1000` digs
// deeper.
const defaultChecks = 20

// Rita is a second clerk of region C: two clerks of one region edit the
// same records offline.
var Rita = data.User{Username: "rita", FullName: "Rita Soto", Role: data.RoleClerk, RegionCode: "C"}

// TestSyncProperties runs random histories of clerks and district users
// against a hub served over loopback (the hub's handler on its SQLite
// store, real database files): records created, edited, published and
// deleted offline, conflicts resolved, report grants, re-imports of the
// extract that move students between regions, workstations cut off from
// the hub for a while, and syncs. After every sync, and once the system
// is quiet at the end, it checks:
//   - no acknowledged mutation is lost: every mutation a workstation holds
//     as applied or duplicate is one the hub applied;
//   - each is applied at most once: a record's audit rows on the hub never
//     outnumber the mutations applied to it, and its version counts its
//     audited edits;
//   - every concurrent edit becomes a conflict: of the edits made against
//     one version of a record, the hub applies one (two deletes both
//     "apply": the record is gone either way);
//   - no out-of-scope row ever reaches a district's database;
//   - a quiet system converges: once conflicts are resolved and everyone
//     has synced twice, each workstation holds what a fresh snapshot of
//     its user's scope holds (records whose change the hub rejected
//     excepted: the workstation keeps them for the clerk, by design).
func TestSyncProperties(t *testing.T) { eachBackend(t, testSyncProperties) }

func testSyncProperties(t *testing.T, be backend) {
	if os.Getenv("RAPID_CHECKS") == "" {
		set := false
		flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
		if !set {
			flag.Set("rapid.checks", strconv.Itoa(defaultChecks))
		}
	}
	tmpl := templates(t, be)
	// What the histories did, so that a run shows it tried what it means
	// to: the hub's answers, syncs, re-imports.
	seen := map[string]int{}
	defer func() { t.Logf("over every history tried: %v", seen) }()
	rapid.Check(t, func(rt *rapid.T) {
		w := newWorld(t, rt, tmpl)
		w.seen = seen
		defer w.close()
		// Repeat draws actions evenly: the clerks' work has two names each
		// to come up twice as often as a re-import or a partition.
		rt.Repeat(map[string]func(*rapid.T){
			"create":       w.create,
			"create more":  w.create,
			"edit":         w.edit,
			"edit both":    w.editBoth,
			"edit both 2":  w.editBoth,
			"publish":      w.publish,
			"publish more": w.publish,
			"delete":       w.delete,
			"resolve":      w.resolve,
			"grant":        w.grant,
			"sync":         w.sync,
			"sync more":    w.sync,
			"partition":    w.partition,
			"reimport":     w.reimport,
		})
		w.quiesce(rt)
	})
}

// tmplFiles are a hub database holding hubtest.State() and every user
// with Password, and an empty workstation database: each case starts
// from copies.
type tmplFiles struct{ hub, ws string }

func templates(t *testing.T, be backend) tmplFiles {
	dir := t.TempDir()
	tf := tmplFiles{hub: newHubDB(t, be, dir), ws: filepath.Join(dir, "ws.db")}
	h := openHubStore(t, tf.hub)
	importExtract(t, h, hubtest.State())
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	accounts(t, tf.hub, append(hubtest.Users(), Rita)...)
	st, err := store.Open(tf.ws)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return tf
}

// world is one random history: a hub and a workstation per user.
type world struct {
	t     *testing.T
	dir   string
	hubDB string
	hub   hubStore
	srv   *httptest.Server
	ex    *data.Extract // what the hub imported last
	clock atomic.Int64  // how far the hub's store clock runs ahead
	nodes []*node
	birth map[string]data.Date
	dbs   map[string]*sql.DB
	seen  map[string]int
	ctx   context.Context
}

// node is a workstation.
type node struct {
	user    data.User
	path    string
	st      *store.Store
	c       *client.Client
	offline bool // cut off from the hub: its syncs do nothing
}

func (n *node) String() string { return n.user.Username }

func (n *node) clerk() bool { return n.user.Role == data.RoleClerk }

func (n *node) districts() []string { return n.user.OwnDistricts() }

func newWorld(t *testing.T, rt *rapid.T, tmpl tmplFiles) *world {
	dir, err := os.MkdirTemp(t.TempDir(), "case")
	if err != nil {
		rt.Fatal(err)
	}
	w := &world{t: t, dir: dir, ex: hubtest.State(), birth: map[string]data.Date{},
		dbs: map[string]*sql.DB{}, ctx: context.Background()}
	for _, s := range w.ex.Students {
		w.birth[s.StateID] = s.BirthDate
	}
	if isPostgres(tmpl.hub) {
		w.hubDB = pgtest.Copy(t, tmpl.hub)
	} else {
		w.hubDB = filepath.Join(dir, "hub.db")
		copyFile(rt, tmpl.hub, w.hubDB)
	}
	w.hub = openHubStore(t, w.hubDB)
	// On SQLite, imports a second apart are told apart by their time
	// (imported_at has seconds): the hub's clock jumps a minute at each
	// re-import. (A PostgreSQL hub starts a new epoch with every import.)
	if h, ok := w.hub.(*sqlitehub.DB); ok {
		h.Store().SetClock(func() time.Time { return time.Now().Add(time.Duration(w.clock.Load())) })
	}
	w.srv = httptest.NewServer(hub.NewServer(w.hub, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	for _, u := range []data.User{hubtest.ClerkC, Rita, hubtest.ClerkW, hubtest.Coord001, hubtest.Coord003, hubtest.DAdmin001, hubtest.Admin} {
		n := &node{user: u, path: filepath.Join(dir, u.Username+".db")}
		copyFile(rt, tmpl.ws, n.path)
		if n.st, err = store.Open(n.path); err != nil {
			rt.Fatal(err)
		}
		if n.c, err = client.New(w.srv.URL); err != nil {
			rt.Fatal(err)
		}
		if err := n.c.SignIn(w.ctx, u.Username, Password); err != nil {
			rt.Fatal(err)
		}
		w.nodes = append(w.nodes, n)
	}
	// Everyone starts from a first sync: a clerk with no students can
	// save nothing.
	for _, n := range w.nodes {
		if _, err := n.c.Sync(w.ctx, n.st, nil); err != nil {
			rt.Fatalf("%s: first sync: %v", n, err)
		}
	}
	return w
}

// db is a database of the case opened for the checks' own queries.
func (w *world) db(rt *rapid.T, path string) *sql.DB {
	if w.dbs[path] == nil {
		w.dbs[path] = openSQL(rt, path)
	}
	return w.dbs[path]
}

func (w *world) close() {
	for _, db := range w.dbs {
		db.Close()
	}
	w.srv.Close()
	for _, n := range w.nodes {
		n.st.Close()
	}
	w.hub.Close()
	os.RemoveAll(w.dir)
}

// importExtract loads a state extract into a hub database of either kind.
func importExtract(tb checker, h hubStore, ex *data.Extract) {
	tb.Helper()
	var err error
	switch h := h.(type) {
	case *sqlitehub.DB:
		_, err = h.Store().ImportExtract(context.Background(), ex, "state")
	case *pghub.DB:
		_, err = h.Import(context.Background(), ex, "state")
	default:
		tb.Fatalf("a hub of type %T cannot import", h)
	}
	if err != nil {
		tb.Fatal(err)
	}
}

func copyFile(rt *rapid.T, src, dst string) {
	b, err := os.ReadFile(src)
	if err != nil {
		rt.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		rt.Fatal(err)
	}
}

// pick draws one of the nodes that keep.
func (w *world) pick(rt *rapid.T, label string, keep func(*node) bool) *node {
	var ns []*node
	for _, n := range w.nodes {
		if keep(n) {
			ns = append(ns, n)
		}
	}
	if len(ns) == 0 {
		rt.Skip("no workstation to " + label)
	}
	return rapid.SampledFrom(ns).Draw(rt, label)
}

// byValues orders records by what the history drew for them, not by
// their random IDs, so that rapid replays a history the same way when it
// shrinks a failure.
const byValues = `state_id, qad, eed, mis2000_id, id`

// record draws a live record of a clerk's workstation.
func (w *world) record(rt *rapid.T, n *node) store.Record {
	var ids []string
	rows, err := w.db(rt, n.path).Query(`SELECT id FROM migrant_records WHERE deleted = 0 ORDER BY ` + byValues)
	if err != nil {
		rt.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		rt.Skip("no record on " + n.String())
	}
	r, err := n.st.RecordByID(w.ctx, rapid.SampledFrom(ids).Draw(rt, "record"))
	if err != nil {
		rt.Fatal(err)
	}
	return r
}

func mis2000ID(rt *rapid.T) string {
	return strconv.Itoa(rapid.IntRange(1, 999999999).Draw(rt, "mis2000"))
}

// create saves a new record on a clerk's workstation, for a window that
// the form's rules accept; the local overlap rule may refuse it.
func (w *world) create(rt *rapid.T) {
	n := w.pick(rt, "clerk", (*node).clerk)
	sid := rapid.SampledFrom([]string{hubtest.Maria, hubtest.Ana, hubtest.Sean, hubtest.Osy}).Draw(rt, "student")
	qad := data.NewDate(rapid.IntRange(2019, 2025).Draw(rt, "year"), time.Month(rapid.IntRange(1, 12).Draw(rt, "month")), 1)
	eed := qad.AddDays(rapid.IntRange(30, 1000).Draw(rt, "days"))
	if latest := data.LatestExpiration(qad, w.birth[sid]); eed > latest {
		eed = latest
	}
	_, err := n.st.SaveRecord(w.ctx, n.user, data.MigrantRecord{StateID: sid, MIS2000ID: mis2000ID(rt), QAD: qad, EED: eed})
	if err != nil {
		rt.Logf("%s: create refused: %v", n, err)
	}
}

// edit changes a record's MIS2000 ID: never its window, so the hub refuses
// an edit only for a conflict (or a scope a re-import took away).
func (w *world) edit(rt *rapid.T) {
	n := w.pick(rt, "clerk", (*node).clerk)
	r := w.record(rt, n)
	m := r.MigrantRecord
	m.MIS2000ID = mis2000ID(rt)
	if _, err := n.st.SaveRecord(w.ctx, n.user, m); err != nil {
		rt.Logf("%s: edit refused: %v", n, err)
	}
}

// editBoth has two clerks who hold the same version of a record edit it
// before either syncs: the second to push must get a conflict.
func (w *world) editBoth(rt *rapid.T) {
	type held struct {
		n *node
		r store.Record
	}
	byRecord := map[string][]held{}
	var ids []string
	for _, n := range w.nodes {
		if !n.clerk() {
			continue
		}
		rows, err := w.db(rt, n.path).Query(`SELECT id FROM migrant_records WHERE deleted = 0 ORDER BY ` + byValues)
		if err != nil {
			rt.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			r, err := n.st.RecordByID(w.ctx, id)
			if err != nil {
				rt.Fatal(err)
			}
			if hs := byRecord[id]; len(hs) == 1 && hs[0].r.Version == r.Version {
				ids = append(ids, id)
			}
			byRecord[id] = append(byRecord[id], held{n, r})
		}
		rows.Close()
	}
	if len(ids) == 0 {
		rt.Skip("no record held at one version by two clerks")
	}
	for _, h := range byRecord[rapid.SampledFrom(ids).Draw(rt, "record")][:2] {
		m := h.r.MigrantRecord
		m.MIS2000ID = mis2000ID(rt)
		if _, err := h.n.st.SaveRecord(w.ctx, h.n.user, m); err != nil {
			rt.Logf("%s: edit refused: %v", h.n, err)
		}
	}
}

func (w *world) publish(rt *rapid.T) {
	n := w.pick(rt, "clerk", (*node).clerk)
	r := w.record(rt, n)
	if _, err := n.st.Publish(w.ctx, n.user, []string{r.ID}, nil); err != nil {
		rt.Logf("%s: publish refused: %v", n, err)
	}
}

func (w *world) delete(rt *rapid.T) {
	n := w.pick(rt, "clerk", (*node).clerk)
	r := w.record(rt, n)
	if err := n.st.DeleteRecord(w.ctx, n.user, r.ID, r.Version); err != nil {
		rt.Logf("%s: delete refused: %v", n, err)
	}
}

// resolve resolves one of a clerk's conflicts, keeping theirs or mine.
func (w *world) resolve(rt *rapid.T) {
	n := w.pick(rt, "clerk with a conflict", func(n *node) bool {
		c, _ := n.st.CountConflicts(w.ctx)
		return n.clerk() && c > 0
	})
	cs, err := n.st.Conflicts(w.ctx)
	if err != nil {
		rt.Fatal(err)
	}
	slices.SortFunc(cs, func(a, b store.Conflict) int {
		return strings.Compare(a.Mine.StateID+a.Mine.QAD+a.Mine.MIS2000ID, b.Mine.StateID+b.Mine.QAD+b.Mine.MIS2000ID)
	})
	c := rapid.SampledFrom(cs).Draw(rt, "conflict")
	if rapid.Bool().Draw(rt, "keep mine") {
		err = n.st.KeepMine(w.ctx, n.user, c.RecordID, c.Theirs.Version)
	} else {
		err = n.st.KeepTheirs(w.ctx, n.user, c.RecordID)
	}
	if err != nil {
		rt.Logf("%s: resolve refused: %v", n, err)
	}
}

// grant has the district administrator grant or revoke the coordinator's
// report access on their workstation.
func (w *world) grant(rt *rapid.T) {
	n := w.pick(rt, "district administrator", func(n *node) bool { return n.user.Role == data.RoleDistrictAdmin })
	if err := n.st.SetReportAccess(w.ctx, n.user, hubtest.Coord001.Username, "001", rapid.Bool().Draw(rt, "grant")); err != nil {
		rt.Logf("%s: grant refused (before a first sync the user is unknown there): %v", n, err)
	}
}

// partition cuts a workstation off from the hub, or brings it back.
func (w *world) partition(rt *rapid.T) {
	n := w.pick(rt, "workstation", func(*node) bool { return true })
	n.offline = !n.offline
}

// sync syncs a workstation that is not cut off and checks what a sync
// must leave true.
func (w *world) sync(rt *rapid.T) {
	n := w.pick(rt, "online workstation", func(n *node) bool { return !n.offline })
	w.syncNode(rt, n)
}

func (w *world) syncNode(rt *rapid.T, n *node) {
	s, err := n.c.Sync(w.ctx, n.st, nil)
	if err != nil {
		rt.Fatalf("%s: sync: %v", n, err)
	}
	rt.Logf("%s synced: %+v", n, s)
	w.seen["sync"]++
	w.seen["applied"] += s.Applied
	w.seen["conflict"] += s.Conflict
	w.seen["rejected"] += s.Rejected
	w.seen["duplicate"] += s.Duplicate
	w.checkAcknowledged(rt, n)
	if ds := n.districts(); len(ds) > 0 {
		checkDistrictScope(rt, w.hubDB, n.path, ds)
	}
}

// reimport loads a changed extract on the hub: a student renamed, or
// moved to a school of another district (and maybe region).
func (w *world) reimport(rt *rapid.T) {
	ex := cloneExtract(w.ex)
	switch rapid.IntRange(0, 2).Draw(rt, "change") {
	case 0:
		i := rapid.IntRange(0, len(ex.Students)-1).Draw(rt, "renamed")
		ex.Students[i].FirstName += "a"
	case 1:
		i := rapid.IntRange(0, len(ex.Enrollments)-1).Draw(rt, "moved")
		ex.Enrollments[i].SchoolNumber = rapid.SampledFrom([]string{"001010", "002010", "003010", "001900"}).Draw(rt, "school")
	case 2:
		// Luis, out of school so far, enrolls in Calloway.
		if !slices.ContainsFunc(ex.Enrollments, func(e data.Enrollment) bool { return e.ID == "E5" }) {
			ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "E5", StateID: hubtest.Osy, SchoolNumber: "003010",
				Grade: "12", ServiceType: "P", Start: data.NewDate(2026, time.January, 5)})
		}
	}
	w.clock.Add(int64(time.Minute))
	importExtract(rt, w.hub, ex)
	w.ex = ex
	w.seen["reimport"]++
}

func cloneExtract(ex *data.Extract) *data.Extract {
	c := *ex
	c.Students, c.Enrollments = slices.Clone(ex.Students), slices.Clone(ex.Enrollments)
	return &c
}

// checkAcknowledged: every mutation the workstation holds as applied or
// duplicate is one the hub applied.
func (w *world) checkAcknowledged(rt *rapid.T, n *node) {
	applied := w.hubOutcomes(rt)
	rows, err := w.db(rt, n.path).Query(`SELECT mutation_id, state FROM outbox WHERE state IN ('applied', 'duplicate')`)
	if err != nil {
		rt.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, state string
		rows.Scan(&id, &state)
		if applied[id].outcome != sync.Applied {
			rt.Fatalf("%s holds mutation %s as %s; the hub has %+v", n, id, state, applied[id])
		}
	}
}

// outcome is the hub's first answer to a mutation.
type outcome struct {
	outcome sync.Outcome
	version int
}

func (w *world) hubOutcomes(rt *rapid.T) map[string]outcome {
	rows, err := w.db(rt, w.hubDB).Query(`SELECT mutation_id, result FROM hub_applied`)
	if err != nil {
		rt.Fatal(err)
	}
	defer rows.Close()
	out := map[string]outcome{}
	for rows.Next() {
		var id, result string
		var r sync.Result
		if err := rows.Scan(&id, &result); err != nil {
			rt.Fatal(err)
		}
		if err := json.Unmarshal([]byte(result), &r); err != nil {
			rt.Fatalf("the hub's answer to mutation %s: %v", id, err)
		}
		out[id] = outcome{r.Outcome, r.Version}
	}
	return out
}

// quiesce ends the history: every workstation back online, syncing and
// resolving its conflicts until nothing waits, then syncing once more so
// that each has pulled everything; and checks the properties.
func (w *world) quiesce(rt *rapid.T) {
	for _, n := range w.nodes {
		n.offline = false
	}
	settled := false
	for round := 0; round < 8 && !settled; round++ {
		settled = true
		for _, n := range w.nodes {
			w.syncNode(rt, n)
			cs, err := n.st.Conflicts(w.ctx)
			if err != nil {
				rt.Fatal(err)
			}
			for _, c := range cs {
				if err := n.st.KeepTheirs(w.ctx, n.user, c.RecordID); err != nil {
					rt.Fatalf("%s: keep theirs of %s: %v", n, c.RecordID, err)
				}
			}
			if p, _ := n.st.Pending(w.ctx); p > 0 || len(cs) > 0 {
				settled = false
			}
		}
	}
	if !settled {
		rt.Fatal("the workstations did not settle in 8 rounds of syncs")
	}
	for _, n := range w.nodes {
		w.syncNode(rt, n)
	}
	w.checkOnce(rt)
	w.checkConflicts(rt)
	for _, n := range w.nodes {
		w.checkConverged(rt, n)
	}
}

// mutation is a workstation's mutation as its outbox holds it.
type mutation struct {
	sync.Mutation
	node  *node
	state string
}

func (w *world) mutations(rt *rapid.T) []mutation {
	var out []mutation
	for _, n := range w.nodes {
		rows, err := w.db(rt, n.path).Query(`SELECT mutation_id, entity, entity_id, op, base_version, payload, state FROM outbox ORDER BY seq`)
		if err != nil {
			rt.Fatal(err)
		}
		for rows.Next() {
			m := mutation{node: n}
			var payload string
			rows.Scan(&m.ID, &m.Entity, &m.EntityID, &m.Op, &m.BaseVersion, &payload, &m.state)
			m.Payload = json.RawMessage(payload)
			out = append(out, m)
		}
		rows.Close()
	}
	return out
}

// checkOnce: a record's changes on the hub (its audit rows) never
// outnumber the mutations the hub applied to it, and its version is one
// more than its audited edits, deletes and restores (a keep theirs
// confirms the version it finds): nothing was applied twice.
func (w *world) checkOnce(rt *rapid.T) {
	outcomes := w.hubOutcomes(rt)
	applied := map[string]int{}
	for _, m := range w.mutations(rt) {
		if m.Entity == sync.EntityRecord && outcomes[m.ID].outcome == sync.Applied {
			applied[m.EntityID]++
		}
	}
	h := w.db(rt, w.hubDB)
	rows, err := h.Query(`SELECT r.id, r.version, count(a.seq), count(a.seq) FILTER (WHERE a.action IN ('update', 'delete', 'restore'))
		FROM migrant_records r LEFT JOIN audit a ON a.entity = $1 AND a.entity_id = r.id GROUP BY r.id`, sync.EntityRecord)
	if err != nil {
		rt.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var version, audited, edits int
		rows.Scan(&id, &version, &audited, &edits)
		if audited > applied[id] || version != 1+edits {
			rt.Fatalf("record %s: %d audited changes, %d mutations applied, version %d after %d edits, deletes and restores",
				id, audited, applied[id], version, edits)
		}
	}
}

// checkConflicts: of the edits and deletes made against one version of a
// record, by whichever workstations, the hub applied one; the others are
// conflicts (or rejections), never silently applied over it. A delete
// that finds the record deleted already is answered applied with nothing
// to do (two deletes of one version both "apply": the record is gone, as
// each wanted), and so is a keep theirs, which changes nothing.
func (w *world) checkConflicts(rt *rapid.T) {
	outcomes := w.hubOutcomes(rt)
	type at struct {
		record string
		base   int
	}
	won := map[at][]mutation{}
	for _, m := range w.mutations(rt) {
		o, pushed := outcomes[m.ID]
		if m.Entity != sync.EntityRecord || (m.Op != sync.OpUpdate && m.Op != sync.OpDelete) || !pushed {
			continue
		}
		switch o.outcome {
		case sync.Applied:
			if m.Op == sync.OpDelete && o.version != m.BaseVersion+1 || sync.IsConfirmation(m.Mutation) {
				// Nothing to apply: a delete of a record deleted already,
				// or a keep theirs confirming the version it found.
				continue
			}
			k := at{m.EntityID, m.BaseVersion}
			won[k] = append(won[k], m)
		case sync.Conflict, sync.Rejected:
		default:
			rt.Fatalf("mutation %s: the hub's first answer is %q", m.ID, o.outcome)
		}
	}
	for k, ms := range won {
		if len(ms) > 1 && slices.ContainsFunc(ms, func(m mutation) bool { return m.Op != sync.OpDelete }) {
			var who []string
			for _, m := range ms {
				who = append(who, fmt.Sprintf("%s %s by %s", m.Op, m.ID, m.node))
			}
			rt.Fatalf("record %s: %d changes made against version %d were all applied: %s", k.record, len(ms), k.base, strings.Join(who, ", "))
		}
	}
}

// checkConverged: the workstation holds what a fresh snapshot of its
// user's scope holds, but for records with a change the hub rejected,
// and the students they name: the workstation keeps a rejected record,
// so that what the clerk typed is not lost, and with it its student,
// though a re-import may have moved the student out of the clerk's
// region (the rejection says so).
func (w *world) checkConverged(rt *rapid.T, n *node) {
	rejected := map[string]bool{}
	rows, err := w.db(rt, n.path).Query(`SELECT entity_id FROM outbox WHERE state = 'rejected' AND entity = ?`, sync.EntityRecord)
	if err != nil {
		rt.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		rejected[id] = true
	}
	rows.Close()
	want, got := hubView(rt, w.hub, n.user), localView(rt, n.path)
	keptStudents := map[string]bool{}
	for _, row := range got["migrant_records"] {
		if rejected[row["id"]] {
			keptStudents[row["state_id"]] = true
		}
	}
	for k, row := range got["students"] {
		if _, inScope := want["students"][k]; keptStudents[row["state_id"]] && !inScope {
			delete(got["students"], k)
		}
	}
	for _, v := range []view{want, got} {
		for k, row := range v["migrant_records"] {
			if rejected[row["id"]] {
				delete(v["migrant_records"], k)
			}
		}
		for k, row := range v["published"] {
			if rejected[row["record_id"]] {
				delete(v["published"], k)
			}
		}
	}
	if d := diff(want, got); len(d) > 0 {
		rt.Fatalf("%s's workstation differs from the hub's view of their scope:\n%s", n, strings.Join(d, "\n"))
	}
}
