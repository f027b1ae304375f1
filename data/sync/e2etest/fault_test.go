package e2etest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
	"migrantdesk/data/sync/client"
)

// rig is a hub process over a demo state with a clerk and a coordinator,
// each with a workstation, and a proxy in front of the hub.
type rig struct {
	t      *testing.T
	dir    string
	ex     *extract
	hubDB  string
	hub    *hubProc
	proxy  *proxy
	region string
	clerk  data.User
	rosa   *workstation
}

func newRig(t *testing.T, be backend, students int, seed int64) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir()}
	r.ex = demoExtract(t, r.dir, students, seed)
	r.hubDB = newHubDB(t, be, r.dir)
	mustRun(t, "import", "--db", r.hubDB, r.ex.dir)
	r.region = r.ex.busiestRegion()
	r.clerk = clerk("rosa", r.region)
	accounts(t, r.hubDB, r.clerk)
	r.hub = startHub(t, r.hubDB, "127.0.0.1:0")
	r.proxy = newProxy(t, r.hub.URL)
	r.rosa = newWorkstation(t, r.dir, "rosa")
	return r
}

// converged checks a workstation holds what a fresh snapshot of its
// user's scope holds, with the hub's database opened for the check only
// (a database the test keeps open could not be copied as a backup).
func (r *rig) converged(u data.User, path string) {
	r.t.Helper()
	h := openHubStore(r.t, r.hubDB)
	defer h.Close()
	checkConverged(r.t, h, u, path)
}

// restartHub serves the hub's database again (after a stop or a kill)
// and points the proxy at it.
func (r *rig) restartHub() {
	r.t.Helper()
	r.hub = startHub(r.t, r.hubDB, "127.0.0.1:0")
	r.proxy.point(r.hub.URL)
}

// migrant saves up to n records of the clerk's region (from the skip-th
// on) on the clerk's workstation with `migrant --publish`.
func (r *rig) migrant(skip, n int) int {
	r.t.Helper()
	file, got := r.ex.recordsOf(r.t, r.region, skip, n, filepath.Join(r.dir, "records.csv"))
	if got == 0 {
		r.t.Fatalf("no records left in region %s after %d", r.region, skip)
	}
	mustRun(r.t, "migrant", "--db", r.rosa.db, file, "--publish")
	return got
}

// withStore opens a workstation's database in the test, as the app
// would, acting as the user who last synced it.
func withStore(tb testing.TB, path string, fn func(st *store.Store, u data.User)) {
	tb.Helper()
	st, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	id, ok, err := st.Identity(context.Background())
	if err != nil || !ok {
		tb.Fatalf("%s has not synced: %v", path, err)
	}
	fn(st, id.User)
}

// editRecords edits the MIS2000 ID of up to n live records on a
// workstation and publishes each again: two mutations a record.
func editRecords(tb testing.TB, path string, n int) int {
	tb.Helper()
	edited := 0
	withStore(tb, path, func(st *store.Store, u data.User) {
		ctx := context.Background()
		var ids []string
		rows, err := openSQL(tb, path).Query(`SELECT id FROM migrant_records WHERE deleted = 0 AND id NOT IN (SELECT record_id FROM conflicts)
			ORDER BY id LIMIT ?`, n)
		if err != nil {
			tb.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			rec, err := st.RecordByID(ctx, id)
			if err != nil {
				tb.Fatal(err)
			}
			m := rec.MigrantRecord
			last := m.MIS2000ID[len(m.MIS2000ID)-1]
			m.MIS2000ID = m.MIS2000ID[:len(m.MIS2000ID)-1] + string(rune('0'+(last-'0'+1)%10))
			if _, err := st.SaveRecord(ctx, u, m); err != nil {
				tb.Fatalf("edit record %s: %v", id, err)
			}
		}
		if _, err := st.Publish(ctx, u, ids, nil); err != nil {
			tb.Fatal(err)
		}
		edited = len(ids)
	})
	return edited
}

// pending counts a workstation's mutations waiting for the hub.
func pending(tb testing.TB, path string) int {
	return count(tb, openSQL(tb, path), `SELECT count(*) FROM outbox WHERE state = 'pending'`)
}

// checkExactlyOnce fails unless every mutation of the workstation has been
// answered, the hub has applied exactly the ones it acknowledged (each
// once: one hub_applied row, one audit row), and nothing else of the user.
func checkExactlyOnce(tb testing.TB, hubDB, path, username string) {
	tb.Helper()
	local, h := openSQL(tb, path), openSQL(tb, hubDB)
	if n := count(tb, local, `SELECT count(*) FROM outbox WHERE state = 'pending'`); n != 0 {
		tb.Fatalf("%d mutations still wait on %s", n, path)
	}
	acked := map[string]bool{}
	rows, err := local.Query(`SELECT mutation_id FROM outbox WHERE state IN ('applied', 'duplicate')`)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		acked[id] = true
	}
	rows.Close()
	applied := map[string]bool{}
	rows, err = h.Query(`SELECT mutation_id FROM hub_applied WHERE username = $1 AND result LIKE '%"outcome":"applied"%'`, username)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		applied[id] = true
	}
	rows.Close()
	if !maps.Equal(acked, applied) {
		var lost, extra []string
		for id := range acked {
			if !applied[id] {
				lost = append(lost, id)
			}
		}
		for id := range applied {
			if !acked[id] {
				extra = append(extra, id)
			}
		}
		tb.Fatalf("the workstation has %d acknowledged mutations, the hub applied %d of %s's: not on the hub %v, not acknowledged %v",
			len(acked), len(applied), username, lost, extra)
	}
	if n := count(tb, h, `SELECT count(*) FROM audit WHERE username = $1 AND entity = $2`, username, sync.EntityRecord); n != len(applied) {
		tb.Fatalf("the hub's audit log has %d changes by %s for %d mutations applied", n, username, len(applied))
	}
}

// startSync runs `migrantdeskctl sync` in the background, for a test that
// kills it; wait returns its exit and output.
func startSync(tb testing.TB, w *workstation, u string) (cmd *exec.Cmd, wait func() ran) {
	tb.Helper()
	cmd = exec.Command(ctl(tb), w.syncArgs(u)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	done := make(chan ran, 1)
	go func() {
		err := cmd.Wait()
		r := ran{stdout: out.String(), stderr: errb.String()}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			r.code = -int(ws.Signal())
		} else if err != nil {
			r.code = cmd.ProcessState.ExitCode()
		}
		done <- r
	}()
	tb.Cleanup(func() { cmd.Process.Kill() })
	return cmd, func() ran {
		select {
		case r := <-done:
			return r
		case <-time.After(commandTimeout):
			tb.Fatal("sync did not end")
			return ran{}
		}
	}
}

// TestOfflineEditsThenSync: a clerk saves, edits, publishes and deletes
// while the hub is down; sync says the hub cannot be reached and keeps
// everything, and once the hub is back every change reaches it once.
func TestOfflineEditsThenSync(t *testing.T) { eachBackend(t, testOfflineEditsThenSync) }

func testOfflineEditsThenSync(t *testing.T, be backend) {
	r := newRig(t, be, 600, 11)
	r.rosa.sync(r.hub.URL)
	n := r.migrant(0, 10)
	r.rosa.sync(r.hub.URL)
	r.hub.stop()

	r.migrant(10, 10)
	edited := editRecords(t, r.rosa.db, 4)
	var gone string
	withStore(t, r.rosa.db, func(st *store.Store, u data.User) {
		recs, err := st.StudentRecords(context.Background(), firstStudent(t, r.rosa.db))
		if err != nil || len(recs) == 0 {
			t.Fatalf("records: %v", err)
		}
		gone = recs[0].ID
		if err := st.DeleteRecord(context.Background(), u, gone, recs[0].Version); err != nil {
			t.Fatal(err)
		}
	})
	waiting := pending(t, r.rosa.db)
	if waiting < 2*n+2*edited {
		t.Fatalf("only %d changes wait", waiting)
	}
	res := run(t, r.rosa.syncArgs(r.hub.URL)...)
	if res.code != 1 || !strings.Contains(res.stderr, "cannot be reached; your changes are kept") {
		t.Fatalf("sync with the hub down: %s", res)
	}
	if got := pending(t, r.rosa.db); got != waiting {
		t.Fatalf("a failed sync left %d of %d changes waiting", got, waiting)
	}

	r.restartHub()
	s := r.rosa.sync(r.hub.URL)
	if s.Pushed != waiting || s.Applied != waiting {
		t.Fatalf("%d changes waiting, sync said %+v", waiting, s)
	}
	var deleted int
	openSQL(t, r.hubDB).QueryRow(`SELECT deleted FROM migrant_records WHERE id = $1`, gone).Scan(&deleted)
	if deleted != 1 {
		t.Fatal("the offline delete did not reach the hub")
	}
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)
}

// firstStudent is a student with a live record on the workstation.
func firstStudent(tb testing.TB, path string) string {
	tb.Helper()
	var id string
	if err := openSQL(tb, path).QueryRow(`SELECT min(state_id) FROM migrant_records WHERE deleted = 0`).Scan(&id); err != nil || id == "" {
		tb.Fatalf("no live record on %s: %v", path, err)
	}
	return id
}

// TestReplayedPushAppliedOnce sends the same push twice, as a replay or
// a retry would: the second answer is the first one's, marked duplicate,
// and the hub's data, change feed and audit log do not move.
func TestReplayedPushAppliedOnce(t *testing.T) { eachBackend(t, testReplayedPushAppliedOnce) }

func testReplayedPushAppliedOnce(t *testing.T, be backend) {
	r := newRig(t, be, 600, 12)
	r.rosa.sync(r.hub.URL)
	r.migrant(0, 10)
	var ms []sync.Mutation
	withStore(t, r.rosa.db, func(st *store.Store, _ data.User) {
		var err error
		if ms, err = st.PendingMutations(context.Background(), 1000); err != nil {
			t.Fatal(err)
		}
	})
	body, _ := json.Marshal(sync.SignInRequest{Username: "rosa", Password: Password})
	resp, err := http.Post(r.hub.URL+"/v1/signin", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var in sync.SignInResponse
	json.NewDecoder(resp.Body).Decode(&in)
	resp.Body.Close()
	token := in.Token
	push := func() []sync.Result {
		body, _ := json.Marshal(sync.PushRequest{Mutations: ms})
		req, _ := http.NewRequest("POST", r.hub.URL+"/v1/push", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out sync.PushResponse
		if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &out) != nil || len(out.Results) != len(ms) {
			t.Fatalf("push: %s %s", resp.Status, raw)
		}
		return out.Results
	}
	h := openSQL(t, r.hubDB)
	counts := func() [3]int {
		return [3]int{count(t, h, `SELECT count(*) FROM hub_applied`), count(t, h, `SELECT count(*) FROM hub_changes`),
			count(t, h, `SELECT count(*) FROM audit`)}
	}
	first := push()
	after := counts()
	second := push()
	if counts() != after {
		t.Fatalf("the replay moved the hub: %v, then %v", after, counts())
	}
	for i := range first {
		want := first[i]
		if want.Outcome != sync.Applied {
			t.Fatalf("first push: %+v", want)
		}
		want.Outcome = sync.Duplicate
		if !reflect.DeepEqual(second[i], want) {
			t.Fatalf("replayed %+v, first %+v", second[i], first[i])
		}
	}
	// The workstation never heard the answers: its sync pushes the same
	// mutations again and they are duplicates.
	s := r.rosa.sync(r.hub.URL)
	if s.Pushed != len(ms) || s.Duplicate != len(ms) || s.Applied != 0 {
		t.Fatalf("%d mutations replayed, then sync said %+v", len(ms), s)
	}
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)
}

// TestLostResponseRetriedAsDuplicate: the hub commits a push but its
// answer never arrives; the client's retry of the same push is answered
// duplicate, and the hub applied everything once.
func TestLostResponseRetriedAsDuplicate(t *testing.T) {
	eachBackend(t, testLostResponseRetriedAsDuplicate)
}

func testLostResponseRetriedAsDuplicate(t *testing.T, be backend) {
	r := newRig(t, be, 600, 13)
	r.rosa.sync(r.hub.URL)
	r.migrant(0, 10)
	waiting := pending(t, r.rosa.db)
	r.proxy.hooks(nil, func(path string, n int) bool { return path == "/v1/push" && n == 1 })
	s := r.rosa.sync(r.proxy.URL)
	if s.Pushed != waiting || s.Duplicate != waiting || s.Applied != 0 {
		t.Fatalf("%d mutations whose first answer was lost, sync said %+v", waiting, s)
	}
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)
}

// killDuring runs the workstation's sync through the proxy and SIGKILLs
// it delay after the hub answered its k-th request to path (the answer
// goes on, so the kill lands while the client records it or during what
// follows). A sync that makes fewer such requests is not killed.
func (r *rig) killDuring(w *workstation, path string, k int, delay time.Duration) ran {
	r.t.Helper()
	started := make(chan *os.Process, 1)
	r.proxy.resetCounts()
	r.proxy.hooks(nil, func(p string, n int) bool {
		if p == path && n == k {
			proc := <-started
			time.AfterFunc(delay, func() { proc.Signal(syscall.SIGKILL) })
		}
		return false
	})
	defer r.proxy.hooks(nil, nil)
	cmd, wait := startSync(r.t, w, r.proxy.URL)
	started <- cmd.Process
	return wait()
}

// moreEdits edits the workstation's records until at least n mutations
// wait.
func moreEdits(tb testing.TB, path string, n int) int {
	tb.Helper()
	for pending(tb, path) < n {
		if editRecords(tb, path, 200) == 0 {
			tb.Fatalf("%s has no record to edit", path)
		}
	}
	return pending(tb, path)
}

// TestClientKilledMidPush kills the workstation's sync after the hub
// committed a push and before the answer is recorded, and then at random
// points of later syncs: each next sync resumes, nothing is lost and
// nothing applied twice.
func TestClientKilledMidPush(t *testing.T) { eachBackend(t, testClientKilledMidPush) }

func testClientKilledMidPush(t *testing.T, be backend) {
	r := newRig(t, be, 1000, 14)
	r.rosa.sync(r.hub.URL)
	r.migrant(0, -1)
	waiting := moreEdits(t, r.rosa.db, 2*200+1)

	// Deterministically: the second push is committed on the hub, and the
	// workstation dies before it hears so.
	started := make(chan *os.Process, 1)
	r.proxy.hooks(nil, func(path string, n int) bool {
		if path == "/v1/push" && n == 2 {
			(<-started).Signal(syscall.SIGKILL)
			return true
		}
		return false
	})
	cmd, wait := startSync(t, r.rosa, r.proxy.URL)
	started <- cmd.Process
	if res := wait(); res.code != -int(syscall.SIGKILL) {
		t.Fatalf("sync was not killed: %s", res)
	}
	r.proxy.hooks(nil, nil)
	if got := pending(t, r.rosa.db); got != waiting-200 {
		t.Fatalf("after the kill %d of %d mutations wait, want those of the first push answered", got, waiting)
	}

	// At random points of the pushes.
	rng := rand.New(rand.NewPCG(14, uint64(time.Now().UnixNano())))
	for round := range 2 {
		moreEdits(t, r.rosa.db, 2*200+1)
		k, delay := 1+rng.IntN(3), time.Duration(rng.Int64N(int64(60*time.Millisecond)))
		res := r.killDuring(r.rosa, "/v1/push", k, delay)
		t.Logf("round %d: killed %s after push %d: %s", round, delay, k, res)
	}
	s := r.rosa.sync(r.hub.URL)
	t.Logf("the last sync: %+v", s)
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)
}

// snapshotStarted reports whether the workstation database at path has
// applied a page of a snapshot: its cursor names one.
func snapshotStarted(path string) bool {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(1000)")
	if err != nil {
		return false
	}
	defer db.Close()
	var v string
	if db.QueryRow(`SELECT value FROM meta WHERE key = ?`, store.MetaCursor).Scan(&v) != nil {
		return false
	}
	var c sync.Cursor
	return json.Unmarshal([]byte(v), &c) == nil && c.Snapshot != ""
}

// TestClientKilledMidPull kills a workstation's first sync between two
// pages of its snapshot, and others at random points of their pulls: the
// next sync resumes from the cursor the last applied page left, and the
// workstation ends up with exactly its scope.
func TestClientKilledMidPull(t *testing.T) { eachBackend(t, testClientKilledMidPull) }

func testClientKilledMidPull(t *testing.T, be backend) {
	r := newRig(t, be, 14000, 15) // three pages of the largest region's scope
	h := openHub(t, r.hubDB)
	total := 0
	for _, rows := range hubView(t, h, r.clerk) {
		total += len(rows)
	}
	h.Close()
	pages := (total + sync.MaxPullPage - 1) / hub.MaxPullPage
	if pages < 3 {
		t.Fatalf("the clerk's scope is %d rows: the test wants at least three pages", total)
	}

	// The workstation fetches the next page while it applies one, so
	// the third pull can come before the first page is written: it is
	// held until a page is, and the process killed then, with at most
	// the two pages fetched applied.
	started := make(chan *os.Process, 1)
	r.proxy.hooks(nil, func(path string, n int) bool {
		if path == "/v1/pull" && n == 3 {
			for end := time.Now().Add(time.Minute); !snapshotStarted(r.rosa.db) && time.Now().Before(end); {
				time.Sleep(5 * time.Millisecond)
			}
			(<-started).Signal(syscall.SIGKILL)
			return true
		}
		return false
	})
	cmd, wait := startSync(t, r.rosa, r.proxy.URL)
	started <- cmd.Process
	if res := wait(); res.code != -int(syscall.SIGKILL) {
		t.Fatalf("sync was not killed: %s", res)
	}
	r.proxy.hooks(nil, nil)
	var cur sync.Cursor
	withStore(t, r.rosa.db, func(st *store.Store, _ data.User) {
		var err error
		if cur, err = st.Cursor(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	if cur.Snapshot == "" || cur.Epoch == "" {
		t.Fatalf("after two pages of the snapshot the cursor is %+v", cur)
	}
	held := 0
	for _, rows := range localView(t, r.rosa.db) {
		held += len(rows)
	}
	// A page holds whole students (with their enrollments, programs and
	// assessments), so up to the page size.
	if held == 0 || held > 2*sync.MaxPullPage {
		t.Fatalf("the workstation holds %d rows after two pages of at most %d", held, sync.MaxPullPage)
	}
	s := r.rosa.sync(r.proxy.URL)
	if s.Pulled != total-held {
		t.Fatalf("the sync after the kill pulled %d rows, want the %d of %d left", s.Pulled, total-held, total)
	}
	r.converged(r.clerk, r.rosa.db)

	// Other first syncs, killed at random points of their pulls.
	rng := rand.New(rand.NewPCG(15, uint64(time.Now().UnixNano())))
	for round := range 2 {
		w := newWorkstation(t, r.dir, "rosa")
		w.db = filepath.Join(r.dir, fmt.Sprintf("rosa-%d.db", round))
		k, delay := 1+rng.IntN(pages), time.Duration(rng.Int64N(int64(300*time.Millisecond)))
		res := r.killDuring(w, "/v1/pull", k, delay)
		t.Logf("round %d: killed %s after page %d of %d: %s", round, delay, k, pages, res)
		w.sync(r.proxy.URL)
		r.converged(r.clerk, w.db)
	}
}

// TestHubKilledMidPush kills the hub process while pushes are in flight
// and serves the same database again: the workstation's retries reach the
// restarted hub, and every mutation is applied exactly once.
func TestHubKilledMidPush(t *testing.T) { eachBackend(t, testHubKilledMidPush) }

func testHubKilledMidPush(t *testing.T, be backend) {
	r := newRig(t, be, 1000, 16)
	r.rosa.sync(r.hub.URL)
	r.migrant(0, -1)
	rng := rand.New(rand.NewPCG(16, uint64(time.Now().UnixNano())))
	for round := range 3 {
		moreEdits(t, r.rosa.db, 2*200+1)
		hubNow := r.hub
		killed := make(chan struct{})
		k, delay := 1+rng.IntN(3), time.Duration(rng.Int64N(int64(40*time.Millisecond)))
		r.proxy.resetCounts()
		r.proxy.hooks(func(path string, n int) {
			if path == "/v1/push" && n == k {
				time.AfterFunc(delay, func() {
					hubNow.kill()
					close(killed)
				})
			}
		}, nil)
		_, wait := startSync(t, r.rosa, r.proxy.URL)
		<-killed
		r.restartHub()
		res := wait()
		t.Logf("round %d: the hub killed %s into push %d: %s", round, delay, k, res)
		if res.code != 0 {
			t.Fatalf("sync with the hub killed and restarted under it: %s", res)
		}
		r.proxy.hooks(nil, nil)
	}
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)
}

// TestHubRestoredFromBackup restores the hub's database from a copy taken
// earlier: the hub must start a new epoch, every workstation takes a
// fresh snapshot, and the clerk's acknowledged changes that the backup
// lacks are pushed again, so nothing acknowledged is lost.
func TestHubRestoredFromBackup(t *testing.T) { eachBackend(t, testHubRestoredFromBackup) }

func testHubRestoredFromBackup(t *testing.T, be backend) {
	r := newRig(t, be, 1000, 17)
	// The workstations sync through the proxy: the hub's address stays
	// the same when it is restored, as a state's would.
	r.rosa.sync(r.proxy.URL)
	r.migrant(0, 10)
	r.rosa.sync(r.proxy.URL)
	db := openSQL(t, r.hubDB)
	var district string
	db.QueryRow(`SELECT district_number FROM published GROUP BY district_number ORDER BY count(*) DESC LIMIT 1`).Scan(&district)
	db.Close()
	cora := coordinator("cora", district)
	r.hub.stop()
	accounts(t, r.hubDB, cora)
	backup := backupHub(t, r.hubDB, r.dir)

	r.restartHub()
	coraWS := newWorkstation(t, r.dir, "cora")
	first := coraWS.sync(r.proxy.URL)
	r.migrant(10, 10)
	editRecords(t, r.rosa.db, 5)
	s := r.rosa.sync(r.proxy.URL)
	if s.Applied == 0 || s.Applied != s.Pushed {
		t.Fatalf("sync before the restore: %+v", s)
	}
	coraWS.sync(r.proxy.URL)
	acked := count(t, openSQL(t, r.rosa.db), `SELECT count(*) FROM outbox WHERE state = 'applied'`)

	r.hub.stop()
	restoreHub(t, backup, r.hubDB)
	r.restartHub()
	// The coordinator pulls first: its cursor is past what the restored
	// hub has ever logged.
	s = coraWS.sync(r.proxy.URL)
	if s.Cursor.Epoch == first.Cursor.Epoch {
		t.Fatalf("the restored hub kept its epoch: %+v", s)
	}
	s = r.rosa.sync(r.proxy.URL)
	if s.Cursor.Epoch == first.Cursor.Epoch || s.Pushed < acked {
		t.Fatalf("the clerk's sync after the restore (%d changes acknowledged): %+v", acked, s)
	}
	coraWS.sync(r.proxy.URL)
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)
	r.converged(cora, coraWS.db)
	checkDistrictScope(t, r.hubDB, coraWS.db, cora.Districts)
}

// TestHubRestoredBeforeFirstPull: a standalone desk's first sync pushes
// the records typed on it, and the hub acknowledges them, but no page of
// its first pull arrives, so the workstation has never seen the hub's
// epoch. The hub is then restored from a backup taken before that push.
// The next sync must send the acknowledged records again before the
// snapshot replaces what the workstation holds: they reach the hub once,
// and the workstation keeps them.
func TestHubRestoredBeforeFirstPull(t *testing.T) { eachBackend(t, testHubRestoredBeforeFirstPull) }

func testHubRestoredBeforeFirstPull(t *testing.T, be backend) {
	r := newRig(t, be, 500, 29)
	mustRun(t, "import", "--db", r.rosa.db, r.ex.dir)
	typed := r.migrant(0, 6)
	r.hub.stop()
	backup := backupHub(t, r.hubDB, r.dir)
	r.restartHub()

	r.proxy.hooks(nil, func(path string, _ int) bool { return path == "/v1/pull" })
	if s, ran := r.rosa.trySync(r.proxy.URL); ran.code == 0 {
		t.Fatalf("the first sync ended although every pull's answer was lost: %+v", s)
	}
	r.proxy.hooks(nil, nil)
	local := openSQL(t, r.rosa.db)
	acked := count(t, local, `SELECT count(*) FROM outbox WHERE state = 'applied'`)
	if acked == 0 || pending(t, r.rosa.db) != 0 {
		t.Fatalf("after the first sync's push %d changes were acknowledged and %d wait", acked, pending(t, r.rosa.db))
	}
	if n := count(t, local, `SELECT count(*) FROM meta WHERE key = 'sync_cursor'`); n != 0 {
		t.Fatal("the first sync applied a page although every pull's answer was lost")
	}

	r.hub.stop()
	restoreHub(t, backup, r.hubDB)
	r.restartHub()
	if s := r.rosa.sync(r.proxy.URL); s.Pushed < acked {
		t.Fatalf("the sync after the restore pushed %d changes of the %d acknowledged: %+v", s.Pushed, acked, s)
	}
	if n := count(t, local, `SELECT count(*) FROM migrant_records WHERE deleted = 0`); n < typed {
		t.Fatalf("the workstation holds %d of the %d records typed on it", n, typed)
	}
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)
}

// TestHubRestoredBetweenPushAndPull: a standalone desk's first sync
// pushes the records typed on it, and the hub, restored from a backup
// taken before that push, answers the pull that follows: the snapshot
// must not replace the records before they are sent again.
func TestHubRestoredBetweenPushAndPull(t *testing.T) {
	eachBackend(t, testHubRestoredBetweenPushAndPull)
}

func testHubRestoredBetweenPushAndPull(t *testing.T, be backend) {
	for _, sameEpoch := range []bool{false, true} {
		t.Run(map[bool]string{false: "new epoch", true: "same epoch"}[sameEpoch], func(t *testing.T) {
			restoredBetweenPushAndPull(t, be, sameEpoch)
		})
	}
}

// restoredBetweenPushAndPull is the test's one case. With sameEpoch the hub
// has begun its epoch before the backup, and the SQLite hub restored from
// a copy of its stopped file keeps it (as a PostgreSQL failover would):
// the workstation, which has seen no epoch, can only send again what the
// hub acknowledged.
func restoredBetweenPushAndPull(t *testing.T, be backend, sameEpoch bool) {
	r := newRig(t, be, 500, 37)
	mustRun(t, "import", "--db", r.rosa.db, r.ex.dir)
	typed := r.migrant(0, 6)
	if sameEpoch {
		h := openHubStore(t, r.hubDB)
		_, err := h.Pull(context.Background(), r.clerk, sync.Cursor{}, 1)
		h.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	var backup string
	r.proxy.hooks(func(path string, n int) {
		if path == "/v1/push" && n == 1 {
			// The backup, taken after the sign-in and before the push,
			// which meets the stopped hub and is tried again.
			r.hub.stop()
			backup = backupHub(t, r.hubDB, r.dir)
			r.restartHub()
		}
	}, func(path string, n int) bool {
		if path == "/v1/push" && n == 2 {
			// The push is committed and its answer on its way: the
			// hub is restored before the pull.
			r.hub.stop()
			restoreHub(t, backup, r.hubDB)
			r.restartHub()
		}
		return false
	})
	s := r.rosa.sync(r.proxy.URL)
	r.proxy.hooks(nil, nil)
	if s.Applied < typed {
		t.Fatalf("the first sync applied %d changes on the restored hub, %d records were typed: %+v", s.Applied, typed, s)
	}
	local := openSQL(t, r.rosa.db)
	if n := count(t, local, `SELECT count(*) FROM migrant_records WHERE deleted = 0`); n < typed {
		t.Fatalf("the workstation holds %d of the %d records typed on it", n, typed)
	}
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)
}

// TestSyncWithAnotherHub: a workstation that has synced with a hub goes
// on with the same hub at another address (behind a proxy, or moved
// with hub migrate, which keeps the epoch), but another hub is refused
// before anything is sent to it: it would have been sent everything the
// first hub ever acknowledged. The workstation then syncs with its own
// hub as before.
func TestSyncWithAnotherHub(t *testing.T) {
	t.Parallel()
	r := newRig(t, onSQLite, 500, 31)
	r.rosa.sync(r.hub.URL)
	r.migrant(0, 3)
	if s := r.rosa.sync(r.proxy.URL); s.Pushed == 0 || s.Applied != s.Pushed {
		t.Fatalf("the sync with the same hub at another address: %+v", s)
	}

	otherDB := newHubDB(t, onSQLite, t.TempDir())
	mustRun(t, "import", "--db", otherDB, r.ex.dir)
	accounts(t, otherDB, r.clerk)
	other := startHub(t, otherDB, "127.0.0.1:0")
	r.migrant(3, 3)
	waiting := pending(t, r.rosa.db)
	s, ran := r.rosa.trySync(other.URL)
	if ran.code == 0 || !strings.Contains(ran.stderr, "is another hub") || !strings.Contains(ran.stderr, "sync again with --new-hub") {
		t.Fatalf("the sync with another hub: %+v, %s", s, ran)
	}
	other.stop()
	h := openSQL(t, otherDB)
	if n := count(t, h, `SELECT count(*) FROM hub_applied`) + count(t, h, `SELECT count(*) FROM migrant_records`); n != 0 {
		t.Fatalf("the other hub was sent %d changes or records", n)
	}
	h.Close()
	if n := pending(t, r.rosa.db); n != waiting {
		t.Fatalf("%d changes wait after the refused sync, %d before", n, waiting)
	}
	if s := r.rosa.sync(r.hub.URL); s.Pushed != waiting || s.Applied != s.Pushed {
		t.Fatalf("the sync with its own hub after the refusal: %+v", s)
	}
	checkExactlyOnce(t, r.hubDB, r.rosa.db, "rosa")
	r.converged(r.clerk, r.rosa.db)

	// Told that the other hub is its own, moved there, the workstation
	// syncs with it.
	other = startHub(t, otherDB, "127.0.0.1:0")
	moved := run(t, append(r.rosa.syncArgs(other.URL), "--new-hub")...)
	if moved.code != 0 {
		t.Fatalf("the sync with --new-hub: %s", moved)
	}
	withStore(t, r.rosa.db, func(st *store.Store, _ data.User) {
		if id, _, _ := st.Identity(context.Background()); id.HubURL != other.URL {
			t.Errorf("after the sync with --new-hub the database syncs with %q", id.HubURL)
		}
	})
}

// TestCheckHubOnlyLooks: the check of a hub at a new address asks it for
// its epoch and changes nothing there, even when the workstation's
// cursor is past what that hub logged (a copy of its hub made earlier),
// which a pull of the whole cursor would answer with a new epoch for
// every workstation.
func TestCheckHubOnlyLooks(t *testing.T) {
	t.Parallel()
	r := newRig(t, onSQLite, 500, 41)
	r.rosa.sync(r.hub.URL)
	r.hub.stop()
	copyDB := backupHub(t, r.hubDB, t.TempDir())
	r.restartHub()
	r.migrant(0, 3)
	r.rosa.sync(r.hub.URL)

	copied := startHub(t, copyDB, "127.0.0.1:0")
	epochOf := func() string {
		var e string
		h := openSQL(t, copyDB)
		defer h.Close()
		if err := h.QueryRow(`SELECT value FROM hub_meta WHERE key = 'epoch'`).Scan(&e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	before := epochOf()
	c, err := client.New(copied.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.SignIn(ctx, r.clerk.Username, Password); err != nil {
		t.Fatal(err)
	}
	withStore(t, r.rosa.db, func(st *store.Store, _ data.User) {
		cur, err := st.Cursor(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Epoch != before || cur.Seq == 0 {
			t.Fatalf("the workstation's cursor %+v, the copy's epoch %s", cur, before)
		}
		// A database that synced before hubs named themselves: the epoch decides.
		if err := c.CheckHub(ctx, cur, r.hub.URL, ""); err != nil {
			t.Fatalf("the copy of the hub, of its epoch: %v", err)
		}
	})
	if after := epochOf(); after != before {
		t.Fatalf("checking the copy gave it a new epoch: %s, was %s", after, before)
	}
}
