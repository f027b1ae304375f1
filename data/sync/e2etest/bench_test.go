package e2etest

// Sync at state scale, on loopback (issue 9, Speed; issue 14 for
// PostgreSQL): a first sync of the largest region, an incremental sync of
// 100 changes, and 50 workstations syncing at once, each against a hub on
// SQLite and on PostgreSQL (the same hub moved there by hub migrate; the
// 50 workstations against two hub processes on it). `make bench` sets
// MIGRANTDESK_BENCH_DB and starts the PostgreSQL server; to run these
// alone:
//
//	MIGRANTDESK_BENCH_DB=~/.cache/migrant-desk/bench-700k.db bash .ci/postgres.sh run \
//	  go test -run '^$' -bench Sync -benchtime 1x -count 5 -timeout 60m ./data/sync/e2etest/

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubsql"
	"migrantdesk/data/hub/pghub"
	"migrantdesk/data/hub/pghub/pgtest"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
	"migrantdesk/data/sync/client"
)

// bench is what the sync benchmarks of one test binary share: a copy of
// the state-scale demo database as a hub, every demo user with Password
// (hashed once, with the hub's real parameters), and a workstation of the
// largest region's clerk that has taken its first sync.
var bench struct {
	once  gosync.Once
	err   error
	dir   string
	hub   string    // the hub's database
	clerk data.User // the clerk of the region with the most students
	// The clerk's workstation after a first sync, made on first use.
	syncedOnce gosync.Once
	syncedErr  error
	synced     string

	// The same hub moved into PostgreSQL, made on first use.
	pgOnce       gosync.Once
	pgErr        error
	pg           string // its URL
	pgSyncedOnce gosync.Once
	pgSyncedErr  error
	pgSynced     string       // a copy of synced, which syncs with it from then on
	pgDrop       func() error // drops it at the end
}

func benchSetup(b *testing.B) {
	src := demotest.StateDB(b)
	bench.once.Do(func() { bench.err = prepareBench(b, src) })
	if bench.err != nil {
		b.Fatal(bench.err)
	}
}

func prepareBench(b *testing.B, src string) error {
	dir, err := os.MkdirTemp("", "migrantdesk-bench-")
	if err != nil {
		return err
	}
	bench.dir, bench.hub = dir, filepath.Join(dir, "hub.db")
	start := time.Now()
	if err := demotest.CopyFile(src, bench.hub); err != nil {
		return err
	}
	h, err := sqlitehub.Open(bench.hub)
	if err != nil {
		return err
	}
	defer h.Close()
	hash, err := argon2id.HashPassword(Password)
	if err != nil {
		return err
	}
	ctx := context.Background()
	as, err := h.Accounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range as {
		if err := h.SaveAccount(ctx, "bench", hub.Account{User: a.User, PasswordHash: hash}); err != nil {
			return err
		}
	}
	db := openSQL(b, bench.hub)
	var region string
	if err := db.QueryRow(`SELECT d.region_code FROM enrollments e JOIN schools s ON s.number = e.school_number
		JOIN districts d ON d.number = s.district_number GROUP BY d.region_code ORDER BY count(DISTINCT e.state_id) DESC LIMIT 1`).
		Scan(&region); err != nil {
		return err
	}
	db.Close()
	for _, a := range as {
		if a.Role == data.RoleClerk && a.RegionCode == region {
			bench.clerk = a.User
		}
	}
	if bench.clerk.Username == "" {
		return fmt.Errorf("the demo state has no clerk of region %s", region)
	}
	// The hub's first pull gives it its epoch, which hub migrate keeps
	// and the clerk's synced workstation is of.
	if _, err := h.Pull(ctx, as[0].User, sync.Cursor{}, 1); err != nil {
		return err
	}
	b.Logf("hub %s copied and prepared in %s; the largest region is %s (%s)", bench.hub, time.Since(start).Round(time.Millisecond),
		region, bench.clerk.Username)
	return nil
}

// benchSynced makes, once, the clerk's workstation after a first sync
// from the SQLite hub: only the incremental benchmarks need it, and it
// is a minute of CPU the load test would otherwise pay first.
func benchSynced(b *testing.B) {
	benchSetup(b)
	bench.syncedOnce.Do(func() { bench.syncedErr = prepareSynced(b) })
	if bench.syncedErr != nil {
		b.Fatal(bench.syncedErr)
	}
}

func prepareSynced(b *testing.B) error {
	h, err := sqlitehub.Open(bench.hub)
	if err != nil {
		return err
	}
	defer h.Close()
	srv := benchServer(b, h)
	path := filepath.Join(bench.dir, "clerk.db")
	st, c := benchWorkstation(b, srv.URL, path, bench.clerk)
	defer st.Close()
	start := time.Now()
	s, err := c.Sync(context.Background(), st, nil)
	if err != nil {
		return err
	}
	b.Logf("the clerk's first sync: %d rows in %s", s.Pulled, time.Since(start).Round(time.Millisecond))
	bench.synced = path
	return nil
}

// benchPG moves the bench hub into a database of the test server, once:
// hub migrate keeps its epoch and change feed, so the clerk's synced
// workstation (a copy of it) goes on syncing with it without a snapshot.
func benchPG(b *testing.B) {
	benchSetup(b)
	if os.Getenv(pgtest.Env) == "" {
		b.Skipf("%s is not set: the PostgreSQL sync benchmarks need the server make bench starts", pgtest.Env)
	}
	bench.pgOnce.Do(func() { bench.pgErr = preparePG(b) })
	if bench.pgErr != nil {
		b.Fatal(bench.pgErr)
	}
}

func preparePG(b *testing.B) error {
	url, drop, err := pgtest.Create()
	if err != nil {
		return err
	}
	bench.pgDrop = drop
	ctx := context.Background()
	h, err := pghub.Open(ctx, url, "")
	if err != nil {
		return err
	}
	defer h.Close()
	start := time.Now()
	m, err := h.MigrateFromSQLite(ctx, bench.hub)
	if err != nil {
		return err
	}
	if !m.KeptEpoch {
		return errors.New("hub migrate started a new epoch: the synced workstation would take a snapshot")
	}
	// As autovacuum leaves a database soon after a load.
	db := openSQL(b, url)
	if _, err := db.Exec(`VACUUM ANALYZE`); err != nil {
		return err
	}
	db.Close()
	b.Logf("hub migrate moved the hub into PostgreSQL in %s", time.Since(start).Round(time.Second))
	bench.pg = url
	return nil
}

// benchPGSynced copies the clerk's synced workstation, once, for the hub
// in PostgreSQL.
func benchPGSynced(b *testing.B) {
	benchPG(b)
	benchSynced(b)
	bench.pgSyncedOnce.Do(func() {
		path := filepath.Join(bench.dir, "clerk-pg.db")
		if bench.pgSyncedErr = demotest.CopyFile(bench.synced, path); bench.pgSyncedErr == nil {
			bench.pgSynced = path
		}
	})
	if bench.pgSyncedErr != nil {
		b.Fatal(bench.pgSyncedErr)
	}
}

// benchHub opens the state-scale hub on a back end, and names its
// database and the clerk's workstation that syncs with it. On SQLite
// both are copies: the bench hub and the workstation as the first sync
// left them are what hub migrate moves into PostgreSQL and the
// PostgreSQL benchmarks' workstation starts from, whichever benchmark
// runs first; edits made here would leave the workstation ahead of the
// feed moved into PostgreSQL.
func benchHub(b *testing.B, be backend) (h hubStore, db, synced string) {
	if be == onPostgres {
		benchPGSynced(b)
		return openHubStore(b, bench.pg), bench.pg, bench.pgSynced
	}
	benchSynced(b)
	dir := b.TempDir()
	db, synced = filepath.Join(dir, "hub.db"), filepath.Join(dir, "clerk.db")
	for _, f := range [][2]string{{bench.hub, db}, {bench.synced, synced}} {
		if err := demotest.CopyFile(f[0], f[1]); err != nil {
			b.Fatal(err)
		}
	}
	return openHubStore(b, db), db, synced
}

// benchBareHub is benchHub without the clerk's synced workstation: a
// first sync makes its own, and making that one first is another first
// sync, a minute and more of CPU, before the one timed.
func benchBareHub(b *testing.B, be backend) hubStore {
	if be == onPostgres {
		benchPG(b)
		return openHubStore(b, bench.pg)
	}
	benchSetup(b)
	return openHubStore(b, bench.hub)
}

// benchBoth runs fn as a sub-benchmark on each back end.
func benchBoth(b *testing.B, fn func(b *testing.B, be backend)) {
	for _, be := range []backend{onSQLite, onPostgres} {
		b.Run(string(be), func(b *testing.B) { fn(b, be) })
	}
}

func benchServer(b *testing.B, h hub.Store) *httptest.Server {
	srv := httptest.NewServer(hub.NewServer(h, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	b.Cleanup(srv.Close)
	return srv
}

// benchWorkstation opens (or makes) a workstation database and signs its user
// in to the hub at u.
func benchWorkstation(b *testing.B, u, path string, user data.User) (*store.Store, *client.Client) {
	b.Helper()
	st, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	c, err := client.New(u)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.SignIn(context.Background(), user.Username, Password); err != nil {
		b.Fatal(err)
	}
	return st, c
}

// BenchmarkSyncFirst is a clerk's first sync of the largest region
// (228,547 students of the 700,000) into a new workstation database, up
// to a database the app can search: SPEC §7 wants it under 15 s. The
// sign-in (one Argon2id hash on the hub) is not timed.
func BenchmarkSyncFirst(b *testing.B) { benchBoth(b, benchSyncFirst) }

func benchSyncFirst(b *testing.B, be backend) {
	h := benchBareHub(b, be)
	defer h.Close()
	srv := benchServer(b, h)
	ctx := context.Background()
	// The hub made once (a copy, and on PostgreSQL hub migrate) is not
	// the sync's time.
	b.ResetTimer()
	rows := 0
	var cpu, first time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "ws.db")
		st, c := benchWorkstation(b, srv.URL, path, bench.clerk)
		b.StartTimer()
		before := processCPU()
		start := time.Now()
		// When the first page is applied: the hub's reading of the
		// region's list (the workstation idle meanwhile) and of the page.
		var firstPage time.Duration
		s, err := c.Sync(ctx, st, func(string, int, int) {
			if firstPage == 0 {
				firstPage = time.Since(start)
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		cpu += processCPU() - before
		first += firstPage
		b.StopTimer()
		rows = s.Pulled
		if res, err := st.Search(ctx, store.Query{Last: "garcia"}); err != nil || len(res) == 0 {
			b.Fatalf("the synced workstation finds %d Garcías: %v", len(res), err)
		}
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows), "rows/op")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(first.Seconds()/float64(b.N), "first-page-s/op")
}

// BenchmarkSnapshotHub is the hub's half of BenchmarkSyncFirst alone:
// every page of the largest region's snapshot read from the hub's store
// as the clerk's pulls ask for them, without HTTP or a workstation, so
// that a change to the hub's reading shows in its own CPU time.
func BenchmarkSnapshotHub(b *testing.B) { benchBoth(b, benchSnapshotHub) }

func benchSnapshotHub(b *testing.B, be backend) {
	h := benchBareHub(b, be)
	defer h.Close()
	ctx := context.Background()
	b.ResetTimer()
	rows := 0
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		before := processCPU()
		rows = 0
		for at := (sync.Cursor{}); ; {
			page, err := h.Pull(ctx, bench.clerk, at, sync.MaxPullPage)
			if err != nil {
				b.Fatal(err)
			}
			rows += len(page.Changes)
			if !page.More {
				break
			}
			at = page.Next
		}
		cpu += processCPU() - before
	}
	b.ReportMetric(float64(rows), "rows/op")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkSyncIncremental100 is a sync of a workstation of the largest
// region that has 100 changes to send (edits of records, each a
// mutation), or 100 to receive (another clerk's edits): SPEC §7 wants it
// under 0.3 s. Making the changes is not timed.
func BenchmarkSyncIncremental100(b *testing.B) { benchBoth(b, benchSyncIncremental100) }

func benchSyncIncremental100(b *testing.B, be backend) {
	h, db, synced := benchHub(b, be)
	defer h.Close()
	srv := benchServer(b, h)
	ctx := context.Background()
	st, c := benchWorkstation(b, srv.URL, synced, bench.clerk)
	defer st.Close()
	if s, err := c.Sync(ctx, st, nil); err != nil || s.Pulled > 10000 {
		b.Fatalf("the synced workstation's sync: %+v, %v", s, err)
	}
	ids := regionRecords(b, synced)
	next := 0
	b.Run("push", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			for range 100 {
				editLocal(b, st, ids[next%len(ids)])
				next++
			}
			b.StartTimer()
			s, err := c.Sync(ctx, st, nil)
			if err != nil || s.Applied != 100 {
				b.Fatalf("sync: %+v, %v", s, err)
			}
		}
	})
	b.Run("pull", func(b *testing.B) {
		other := bench.clerk
		other.Username = "bench.other"
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			var batch []string
			for range 100 {
				batch = append(batch, ids[next%len(ids)])
				next++
			}
			editOnHub(b, h, db, other, batch)
			b.StartTimer()
			s, err := c.Sync(ctx, st, nil)
			if err != nil || s.Pulled < 100 {
				b.Fatalf("sync: %+v, %v", s, err)
			}
		}
	})
}

// regionRecords are the live records a workstation holds, by ID.
func regionRecords(b *testing.B, path string) []string {
	db := openSQL(b, path)
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM migrant_records WHERE deleted = 0 ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	if len(ids) < 200 {
		b.Fatalf("the workstation holds %d records", len(ids))
	}
	return ids
}

// editLocal changes a record's MIS2000 ID on a workstation.
func editLocal(b *testing.B, st *store.Store, id string) {
	r, err := st.RecordByID(context.Background(), id)
	if err != nil {
		b.Fatal(err)
	}
	m := r.MigrantRecord
	m.MIS2000ID = nextMIS2000(m.MIS2000ID)
	if _, err := st.SaveRecord(context.Background(), bench.clerk, m); err != nil {
		b.Fatal(err)
	}
}

func nextMIS2000(id string) string {
	n, _ := strconv.Atoi(id)
	return strconv.Itoa((n + 1) % 1_000_000_000)
}

// editOnHub has user change the MIS2000 ID of records on the hub, as
// their workstation's push would.
func editOnHub(b *testing.B, h hub.Store, hubDB string, user data.User, ids []string) {
	db := openSQL(b, hubDB)
	defer db.Close()
	var ms []sync.Mutation
	for _, id := range ids {
		var r sync.Record
		if err := db.QueryRow(`SELECT id, state_id, mis2000_id, qad, eed, version FROM migrant_records WHERE id = $1`, id).
			Scan(&r.ID, &r.StateID, &r.MIS2000ID, &r.QAD, &r.EED, &r.Version); err != nil {
			b.Fatal(err)
		}
		ms = append(ms, recordEdit(r))
	}
	res, err := h.Push(context.Background(), user, sync.Cursor{}, ms)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range res {
		if r.Outcome != sync.Applied {
			b.Fatalf("the hub answered %+v", r)
		}
	}
}

// recordEdit is the mutation that changes r's MIS2000 ID.
func recordEdit(r sync.Record) sync.Mutation {
	base := r.Version
	r.MIS2000ID, r.Version = nextMIS2000(r.MIS2000ID), base+1
	body, _ := json.Marshal(r)
	return sync.Mutation{ID: uuid.NewString(), Entity: sync.EntityRecord, EntityID: r.ID, Op: sync.OpUpdate,
		BaseVersion: base, Payload: body, CreatedAt: time.Now().UTC().Format(time.RFC3339)}
}

// BenchmarkSyncLoad50 has 50 workstations sync at once with a hub process
// serving the state: 40 clerks (10 a region, each pushing edits of its own
// records, 10 at a time) and the 10 district users of the demo state
// (each taking its district's snapshot first), 5 syncs each and then it
// stops. Each workstation is reduced to what the hub sees of it
// (feedClerk, feedDistrict): what a real one does with a page after it is
// its own machine's work, not the hub's. The
// workstations first sign in, all at once (one Argon2id hash each, once
// a day; their times are reported apart), and then sync on their tokens,
// all at once. It reports the 99th percentile of the hub's answer time
// per sync request (SPEC: under 200 ms) and their mean, the share of the
// machine's cores the load kept busy, the hub process's peak memory,
// and the CPU time per sync request of the hub processes and, on
// PostgreSQL, of the database server: on a shared machine the wall times
// wait for cores other processes hold, the CPU times do not. On
// PostgreSQL two hub processes serve the database, each workstation
// talking to one of them, as behind a load balancer; the peak memory and
// CPU are theirs together.
func BenchmarkSyncLoad50(b *testing.B) { benchBoth(b, benchSyncLoad50) }

func benchSyncLoad50(b *testing.B, be backend) {
	const clerksPerRegion, rounds, edits = 10, 5, 10
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var db string
		if be == onPostgres {
			// The pushes edit records whose versions are read again at
			// each round: the moved hub serves every round as it is.
			benchPG(b)
			db = bench.pg
		} else {
			benchSetup(b)
			db = filepath.Join(b.TempDir(), "hub.db")
			if err := demotest.CopyFile(bench.hub, db); err != nil {
				b.Fatal(err)
			}
		}
		hps := []*hubProc{startHub(b, db, "127.0.0.1:0")}
		if be == onPostgres {
			hps = append(hps, startHub(b, db, "127.0.0.1:0"))
		}
		users, records := loadUsers(b, db, clerksPerRegion, rounds*edits)
		lat := newLatencies()
		restore := lat.timeTransport()
		b.Cleanup(restore)
		var peaks []func() int64
		for _, hp := range hps {
			peaks = append(peaks, watchMemory(hp.cmd.Process.Pid))
		}
		clients := make([]*client.Client, len(users))
		clerks := make([]*feedClerk, len(users))
		err := eachUser(users, func(j int, u data.User) error {
			c, err := client.New(hps[j%len(hps)].URL)
			if err != nil {
				return err
			}
			clients[j] = c
			if err := c.SignIn(context.Background(), u.Username, Password); err != nil {
				return fmt.Errorf("%s: %w", u.Username, err)
			}
			if u.Role != data.RoleClerk {
				return nil
			}
			// A clerk's workstation that has synced before: it pulls the
			// feed from the hub's head on.
			clerks[j] = &feedClerk{recs: records[j]}
			return clerks[j].start(context.Background(), c)
		})
		if err != nil {
			b.Fatal(err)
		}
		signIns := lat.of("/v1/signin")
		lat.reset()
		logged := make([]int, len(hps))
		for k, hp := range hps {
			logged[k] = hp.log.Len()
		}
		hubCPU := func() (d time.Duration) {
			for _, hp := range hps {
				d += pgtest.ProcessCPU(hp.cmd.Process.Pid)
			}
			return d
		}
		hubBefore, pgBefore, clientsBefore := hubCPU(), pgtest.ServerCPU(db), processCPU()
		b.StartTimer()
		start := time.Now()
		err = eachUser(users, func(j int, u data.User) error {
			return loadClient(clients[j], u, clerks[j], rounds, edits)
		})
		b.StopTimer()
		elapsed := time.Since(start)
		restore()
		hubUsed, clientsUsed := hubCPU()-hubBefore, processCPU()-clientsBefore
		if err != nil {
			b.Fatal(err)
		}
		var rss int64
		inHub := map[string][]time.Duration{}
		for k, hp := range hps {
			rss += peaks[k]()
			hp.stop()
			if dir := os.Getenv("MIGRANTDESK_BENCH_HUBLOG"); dir != "" {
				os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-hub%d.log", be, k)), []byte(hp.log.String()[logged[k]:]), 0o644)
			}
			for path, ds := range answerTimes(b, hp.log.String()[logged[k]:]) {
				inHub[path] = append(inHub[path], ds...)
			}
		}
		// The server's backends of the stopped hubs have ended, and their
		// time is in the postmaster's children's.
		pgUsed := pgtest.ServerCPU(db) - pgBefore
		b.ReportMetric(percentile(signIns, 0.50).Seconds()*1000, "signin-p50-ms")
		b.ReportMetric(percentile(signIns, 0.99).Seconds()*1000, "signin-p99-ms")
		for _, path := range []string{"/v1/push", "/v1/pull"} {
			ds := lat.of(path)
			b.ReportMetric(percentile(ds, 0.50).Seconds()*1000, strings.TrimPrefix(path, "/v1/")+"-p50-ms")
			b.ReportMetric(percentile(ds, 0.99).Seconds()*1000, strings.TrimPrefix(path, "/v1/")+"-p99-ms")
		}
		synced := append(lat.of("/v1/push"), lat.of("/v1/pull")...)
		b.ReportMetric(percentile(synced, 0.99).Seconds()*1000, "sync-p99-ms")
		for _, path := range []string{"/v1/push", "/v1/pull"} {
			b.ReportMetric(percentile(inHub[path], 0.50).Seconds()*1000, "in-hub-"+strings.TrimPrefix(path, "/v1/")+"-p50-ms")
		}
		b.ReportMetric(percentile(append(inHub["/v1/push"], inHub["/v1/pull"]...), 0.99).Seconds()*1000, "in-hub-p99-ms")
		b.ReportMetric(float64(len(synced))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(len(synced)), "requests")
		b.ReportMetric(hubUsed.Seconds()*1000/float64(len(synced)), "hub-cpu-ms/req")
		if be == onPostgres {
			b.ReportMetric(pgUsed.Seconds()*1000/float64(len(synced)), "pg-cpu-ms/req")
		}
		// The workstations' CPU (this process's, the fifty clients and
		// the district users' first syncs into their databases) shares
		// the cores with the hub: a request's answer waits for it too.
		b.ReportMetric(clientsUsed.Seconds()*1000/float64(len(synced)), "clients-cpu-ms/req")
		// The mean answer time, and how much of the cores this process
		// may run on (NumCPU) the load kept busy: a few per cent over 100
		// can be read, as the server's CPU is read after the hubs stop
		// and counts its background processes. By Little's law the mean
		// is the requests in flight (up to fifty: each workstation waits
		// for its answer) times the time between answers, which with the
		// cores busy is a request's CPU divided by the cores, however
		// the hub orders the work: a p99 under 200 ms needs that mean
		// well under it.
		b.ReportMetric(mean(synced).Seconds()*1000, "sync-mean-ms")
		used := hubUsed + pgUsed + clientsUsed
		b.ReportMetric(100*used.Seconds()/(elapsed.Seconds()*float64(runtime.NumCPU())), "cores-busy-%")
		b.ReportMetric(float64(rss)/(1<<20), "hub-peak-MB")
	}
}

// eachUser runs fn for every user at once and returns the first error.
func eachUser(users []data.User, fn func(j int, u data.User) error) error {
	var wg gosync.WaitGroup
	errs := make(chan error, len(users))
	for j, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- fn(j, u)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// loadUsers lists the load test's users: for each region, clerks made
// for it (each with records of the region to edit, no two clerks the
// same), and every district user of the demo state.
func loadUsers(b *testing.B, hubDB string, perRegion, want int) ([]data.User, [][]sync.Record) {
	b.Helper()
	h := openHubStore(b, hubDB)
	defer h.Close()
	ctx := context.Background()
	as, err := h.Accounts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	db := openSQL(b, hubDB)
	defer db.Close()
	var users []data.User
	var records [][]sync.Record
	// A student enrolled in two regions has records in both regions'
	// lists: each record goes to one clerk, else two would edit it and
	// one would meet a conflict.
	taken := map[string]bool{}
	// On PostgreSQL every round runs on the same hub, which holds the
	// clerks an earlier round made (NAME.K): they are not made again.
	names := map[string]bool{}
	for _, a := range as {
		names[a.Username] = true
	}
	made := func(username string) bool {
		i := strings.LastIndexByte(username, '.')
		_, err := strconv.Atoi(username[i+1:])
		return i > 0 && err == nil && names[username[:i]]
	}
	for _, a := range as {
		switch {
		case a.Role == data.RoleClerk && made(a.Username):
		case a.Role == data.RoleClerk:
			var recs []sync.Record
			for _, r := range regionRecordsOnHub(b, db, a.RegionCode) {
				if !taken[r.ID] {
					recs = append(recs, r)
				}
			}
			for k := range perRegion {
				u := a.User
				u.Username = fmt.Sprintf("%s.%d", a.Username, k)
				if err := h.SaveAccount(ctx, "bench", hub.Account{User: u, PasswordHash: a.PasswordHash}); err != nil {
					b.Fatal(err)
				}
				if len(recs) < (k+1)*want {
					b.Fatalf("region %s has %d records, not %d for each of %d clerks", a.RegionCode, len(recs), want, perRegion)
				}
				mine := recs[k*want : (k+1)*want]
				for _, r := range mine {
					taken[r.ID] = true
				}
				users, records = append(users, u), append(records, mine)
			}
		case a.Role == data.RoleCoordinator, a.Role == data.RoleDistrictAdmin:
			users, records = append(users, a.User), append(records, nil)
		}
	}
	return users, records
}

// regionRecordsOnHub are the live records of a region's students on the
// hub, with the hub's versions.
func regionRecordsOnHub(b *testing.B, db *sql.DB, region string) []sync.Record {
	rows, err := db.Query(`SELECT r.id, r.state_id, r.mis2000_id, r.qad, r.eed, r.version FROM migrant_records r
		WHERE r.deleted = 0 AND EXISTS (SELECT 1 FROM enrollments e JOIN schools s ON s.number = e.school_number
			JOIN districts d ON d.number = s.district_number WHERE e.state_id = r.state_id AND d.region_code = $1)
		ORDER BY r.id`, region)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []sync.Record
	for rows.Next() {
		var r sync.Record
		rows.Scan(&r.ID, &r.StateID, &r.MIS2000ID, &r.QAD, &r.EED, &r.Version)
		out = append(out, r)
	}
	return out
}

// loadClient is one signed-in workstation of the load test: a clerk
// (fc, at the hub's head) pushes edits of its records and pulls its
// region's feed, rounds times; a district user takes a first sync (its
// district's snapshot) and then syncs rounds times.
func loadClient(c *client.Client, user data.User, fc *feedClerk, rounds, edits int) error {
	ctx := context.Background()
	if fc == nil {
		var d feedDistrict
		for i := range rounds + 1 {
			if _, err := c.Sync(ctx, &d, nil); err != nil {
				return fmt.Errorf("%s: %w", user.Username, err)
			}
			if i == 0 && (d.snapshotRows == 0 || d.cur.Snapshot != "") {
				return fmt.Errorf("%s: the first sync ended without a whole snapshot (%d rows)", user.Username, d.snapshotRows)
			}
		}
		if d.laterSnapshots > 0 {
			return fmt.Errorf("%s: the hub answered a workstation at its head with %d snapshot pages", user.Username, d.laterSnapshots)
		}
		return nil
	}
	for range rounds {
		fc.edit(edits)
		s, err := c.Sync(ctx, fc, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", user.Username, err)
		}
		if s.Applied != edits {
			return fmt.Errorf("%s: %+v", user.Username, s)
		}
	}
	return nil
}

// feedDistrict is a district user's workstation reduced to what the hub
// sees of it: the pages it pulls (read and decoded in full, as a
// workstation does) and its cursor. Writing them into a workstation
// database is the workstation's own CPU, some 45 ms a district user at
// the load's start (BenchmarkApplyDistricts measures it); on fifty
// machines it is theirs, and on the benchmark machine's two cores it
// took the hub's and set the p99 of the first half second (README,
// session 13). A feedDistrict asks for each page as soon as it has the
// last, sooner than a workstation that writes it first.
type feedDistrict struct {
	cur            sync.Cursor
	snapshotRows   int // of its first sync
	laterSnapshots int // snapshot pages after it
}

func (*feedDistrict) PendingMutations(context.Context, int) ([]sync.Mutation, error) { return nil, nil }
func (*feedDistrict) MarkPushed(context.Context, []sync.Result) error                { return nil }
func (d *feedDistrict) Cursor(context.Context) (sync.Cursor, error)                  { return d.cur, nil }
func (*feedDistrict) Resend(context.Context) (int, error)                            { return 0, nil }

func (d *feedDistrict) ApplyPage(_ context.Context, p sync.Page) error {
	switch {
	case p.Snapshot && d.cur.Epoch != "" && d.cur.Snapshot == "":
		d.laterSnapshots++
	case p.Snapshot:
		d.snapshotRows += len(p.Changes)
	}
	d.cur = p.Next
	return nil
}

// feedClerk is a clerk's workstation reduced to what the hub sees of it:
// the edits it pushes and the cursor of the feed it pulls. A real one of
// the largest region is a 500 MB database; forty of them would measure
// the benchmark machine's disk, not the hub.
type feedClerk struct {
	recs    []sync.Record
	next    int
	pending []sync.Mutation
	cur     sync.Cursor
}

// start takes the hub's head as the cursor: the first page of a snapshot
// names the epoch and the sequence (and its mark) the snapshot is taken
// at, and a sync stopped there leaves it in head.
func (f *feedClerk) start(ctx context.Context, c *client.Client) error {
	var head headCursor
	if _, err := c.Sync(ctx, &head, nil); !errors.Is(err, errHead) {
		return fmt.Errorf("find the hub's head: %v", err)
	}
	f.cur = head.next
	f.cur.Snapshot = ""
	return nil
}

var errHead = errors.New("the head is found")

// headCursor is a workstation with nothing that stops its sync at the
// first page.
type headCursor struct{ next sync.Cursor }

func (*headCursor) PendingMutations(context.Context, int) ([]sync.Mutation, error) { return nil, nil }
func (*headCursor) MarkPushed(context.Context, []sync.Result) error                { return nil }
func (*headCursor) Cursor(context.Context) (sync.Cursor, error)                    { return sync.Cursor{}, nil }
func (*headCursor) Resend(context.Context) (int, error)                            { return 0, nil }
func (h *headCursor) ApplyPage(_ context.Context, p sync.Page) error {
	h.next = p.Next
	return errHead
}

// edit queues n edits of the clerk's records, each on the hub's version.
func (f *feedClerk) edit(n int) {
	for range n {
		f.pending = append(f.pending, recordEdit(f.recs[f.next]))
		f.next++
	}
}

func (f *feedClerk) PendingMutations(_ context.Context, limit int) ([]sync.Mutation, error) {
	return f.pending[:min(limit, len(f.pending))], nil
}

func (f *feedClerk) MarkPushed(_ context.Context, rs []sync.Result) error {
	for _, r := range rs {
		if r.Outcome != sync.Applied && r.Outcome != sync.Duplicate {
			return fmt.Errorf("the hub answered %+v", r)
		}
	}
	f.pending = f.pending[len(rs):]
	return nil
}

func (f *feedClerk) Cursor(context.Context) (sync.Cursor, error) { return f.cur, nil }

func (f *feedClerk) ApplyPage(_ context.Context, p sync.Page) error {
	if p.Snapshot {
		return errors.New("the hub answered a workstation at its head with a snapshot")
	}
	f.cur = p.Next
	return nil
}

func (f *feedClerk) Resend(context.Context) (int, error) { return 0, nil }

// latencies records how long each request to the hub took, by path.
type latencies struct {
	mu gosync.Mutex
	by map[string][]time.Duration
}

// reset forgets the times recorded so far.
func (l *latencies) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.by = map[string][]time.Duration{}
}

// answerTimes are the times a hub's request log (its JSON lines) says it
// took to answer each push and pull, by path: the time in the hub,
// without the time a request waited for the client's goroutines to run.
func answerTimes(b *testing.B, log string) map[string][]time.Duration {
	out := map[string][]time.Duration{}
	for _, l := range strings.Split(log, "\n") {
		var line struct {
			Msg      string  `json:"msg"`
			Endpoint string  `json:"endpoint"`
			MS       float64 `json:"ms"`
		}
		if json.Unmarshal([]byte(l), &line) != nil || line.Msg != "request" {
			continue
		}
		if line.Endpoint == "/v1/push" || line.Endpoint == "/v1/pull" {
			out[line.Endpoint] = append(out[line.Endpoint], time.Duration(line.MS*float64(time.Millisecond)))
		}
	}
	if len(out) == 0 {
		b.Fatal("the hub's log has no line for a push or a pull")
	}
	return out
}

func (l *latencies) of(path string) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.by[path])
}

func newLatencies() *latencies { return &latencies{by: map[string][]time.Duration{}} }

// timeTransport has l record the time of every request of the sync
// clients made after it until the answer's headers, and returns what
// puts their transport back: each round of a benchmark times its own
// requests.
func (l *latencies) timeTransport() (restore func()) {
	orig := client.Transport
	tr := orig.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 100 // a connection a workstation, as 50 machines would have
	client.Transport = roundTripper(func(r *http.Request) (*http.Response, error) {
		start := time.Now()
		resp, err := tr.RoundTrip(r)
		d := time.Since(start)
		l.mu.Lock()
		l.by[r.URL.Path] = append(l.by[r.URL.Path], d)
		l.mu.Unlock()
		return resp, err
	})
	var once gosync.Once
	return func() { once.Do(func() { client.Transport = orig }) }
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// mean is the mean of ds, 0 when it is empty.
func mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

// watchMemory returns a function that gives a process's peak resident
// memory so far (VmHWM), in bytes.
func watchMemory(pid int) func() int64 {
	return func() int64 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return 0
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				return kb << 10
			}
		}
		return 0
	}
}

// BenchmarkSnapshotDistricts is the hub's half of the district users'
// first syncs in BenchmarkSyncLoad50: every page of each coordinator's
// and district administrator's snapshot read from the hub's store, the
// ten users at once as there, without HTTP or a workstation, so that a
// change to how a district's scope is read shows in the CPU time it
// takes.
func BenchmarkSnapshotDistricts(b *testing.B) { benchBoth(b, benchSnapshotDistricts) }

func benchSnapshotDistricts(b *testing.B, be backend) {
	h := benchBareHub(b, be)
	defer h.Close()
	ctx := context.Background()
	users := districtUsers(b, h)
	b.ResetTimer()
	var rows atomic.Int64
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		before := processCPU()
		rows.Store(0)
		err := eachUser(users, func(_ int, u data.User) error {
			for at := (sync.Cursor{}); ; {
				page, err := h.Pull(ctx, u, at, sync.MaxPullPage)
				if err != nil {
					return err
				}
				rows.Add(int64(len(page.Changes)))
				if !page.More {
					return nil
				}
				at = page.Next
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		cpu += processCPU() - before
		if i+1 < b.N {
			// The next round reads the pages again, not the ones the hub
			// keeps a moment for pulls that ask for them just after.
			b.StopTimer()
			time.Sleep(hubsql.KeepPage)
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(len(users)), "users")
	b.ReportMetric(float64(rows.Load()), "rows/op")
	b.ReportMetric(cpu.Seconds()*1000/float64(b.N)/float64(len(users)), "cpu-ms/user")
}

// BenchmarkApplyDistricts is the workstations' half of the district
// users' first syncs in BenchmarkSyncLoad50: the pages of each
// coordinator's and district administrator's snapshot, read from the hub
// beforehand, applied to a new workstation database of each, the ten at
// once as there, without HTTP or the hub, so that a change to how a
// workstation writes a snapshot shows in the CPU time it takes.
func BenchmarkApplyDistricts(b *testing.B) {
	h := benchBareHub(b, onSQLite)
	defer h.Close()
	ctx := context.Background()
	users := districtUsers(b, h)
	pages := make([][]sync.Page, len(users))
	for j, u := range users {
		for at := (sync.Cursor{}); ; {
			page, err := h.Pull(ctx, u, at, sync.MaxPullPage)
			if err != nil {
				b.Fatal(err)
			}
			pages[j] = append(pages[j], page)
			if !page.More {
				break
			}
			at = page.Next
		}
	}
	b.ResetTimer()
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sts := make([]*store.Store, len(users))
		for j := range users {
			var err error
			if sts[j], err = store.Open(filepath.Join(b.TempDir(), fmt.Sprintf("ws%d.db", j))); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		before := processCPU()
		err := eachUser(users, func(j int, _ data.User) error {
			for _, p := range pages[j] {
				if err := sts[j].ApplyPage(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		cpu += processCPU() - before
		b.StopTimer()
		for _, st := range sts {
			st.Close()
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(len(users)), "users")
	b.ReportMetric(cpu.Seconds()*1000/float64(b.N)/float64(len(users)), "cpu-ms/user")
}

// districtUsers are the hub's coordinators and district administrators.
func districtUsers(b *testing.B, h hubStore) []data.User {
	as, err := h.Accounts(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var users []data.User
	for _, a := range as {
		if a.Role == data.RoleCoordinator || a.Role == data.RoleDistrictAdmin {
			users = append(users, a.User)
		}
	}
	return users
}
