package pghub

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/pghub/pgtest"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/sync"
)

// A SQLite hub moved into PostgreSQL answers every workstation's next pull
// as the SQLite hub would have — same epoch, same sequence numbers, its
// cursors signed with the same key, no fresh snapshot — and goes on from
// there.
func TestMigrateFromSQLite(t *testing.T) {
	ctx := context.Background()
	path, sq := sqliteHub(t)
	for _, u := range hubtest.Users() {
		if err := sq.SaveAccount(ctx, "test", hub.Account{User: u, PasswordHash: "hash of " + u.Username}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sq.SaveToken(ctx, "token", hubtest.ClerkC.Username, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rec := sync.Record{ID: uuid.NewString(), StateID: hubtest.Ana, MIS2000ID: "4242", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	if _, err := sq.Push(ctx, hubtest.ClerkC, sync.Cursor{}, []sync.Mutation{hubtest.Mutation(sync.OpCreate, 0, rec), hubtest.Mutation(sync.OpPublish, 1, rec)}); err != nil {
		t.Fatal(err)
	}
	cursors := map[string]sync.Cursor{}
	for _, u := range hubtest.Users() {
		cursors[u.Username] = pullAll(t, sq, u, sync.Cursor{}).Next
	}
	// Changes the workstations have not pulled yet when the hub moves.
	edit := rec
	edit.EED, edit.Version = "2025-12-31", 2
	pending := hubtest.Mutation(sync.OpUpdate, 1, edit)
	if _, err := sq.Push(ctx, hubtest.ClerkC, sync.Cursor{}, []sync.Mutation{pending, hubtest.Mutation(sync.OpPublish, 2, edit)}); err != nil {
		t.Fatal(err)
	}
	if err := sq.SetGrant(ctx, hubtest.DAdmin001, hubtest.Coord001.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	want := map[string]sync.Page{}
	for _, u := range hubtest.Users() {
		want[u.Username] = pullAll(t, sq, u, cursors[u.Username])
	}

	url := pgtest.URL(t)
	pg := openEmpty(t, url)
	m, err := pg.MigrateFromSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !m.KeptEpoch || m.Epoch != cursors["admin"].Epoch || m.FeedSeq != want["admin"].Next.Seq {
		t.Fatalf("moved epoch %s (kept %v) at %d; the SQLite hub was at %s, %d", m.Epoch, m.KeptEpoch, m.FeedSeq,
			cursors["admin"].Epoch, want["admin"].Next.Seq)
	}
	for _, mv := range m.Tables {
		if mv.Table == "students" && mv.Rows != int64(len(hubtest.State().Students)) {
			t.Fatalf("moved %d students", mv.Rows)
		}
	}
	// A hub process started afterwards keeps the epoch too, and the
	// hub's name for its database.
	pg.Close()
	pg = openEmpty(t, url)
	if was, err := sq.Identity(ctx); err != nil || was == "" {
		t.Fatalf("the SQLite hub's identity: %q, %v", was, err)
	} else if now, err := pg.Identity(ctx); err != nil || now != was {
		t.Fatalf("the moved hub's identity %q (%v), the SQLite hub's %q", now, err, was)
	}
	for _, u := range hubtest.Users() {
		got := pullAll(t, pg, u, cursors[u.Username])
		if !reflect.DeepEqual(got, want[u.Username]) {
			t.Errorf("%s's next pull: PostgreSQL gave %+v, SQLite %+v", u.Username, got, want[u.Username])
		}
	}
	if a, err := pg.TokenAccount(ctx, "token", time.Now()); err != nil || a.Username != hubtest.ClerkC.Username || a.PasswordHash != "hash of rosa" {
		t.Fatalf("a sign-in did not survive the move: %+v %v", a, err)
	}
	// A retried push is still applied once; a new change is numbered on.
	if res, err := pg.Push(ctx, hubtest.ClerkC, sync.Cursor{}, []sync.Mutation{pending}); err != nil || res[0].Outcome != sync.Duplicate {
		t.Fatalf("a retried push after the move: %+v %v", res, err)
	}
	if err := pg.SetGrant(ctx, hubtest.DAdmin001, hubtest.Coord001.Username, "001", false); err != nil {
		t.Fatal(err)
	}
	after := pullAll(t, pg, hubtest.Coord001, want["cora"].Next)
	if len(after.Changes) != 1 || after.Changes[0].Seq != m.FeedSeq+1 || !after.Changes[0].Deleted {
		t.Fatalf("after the move the feed brought %+v", after.Changes)
	}
	if _, err := pg.MigrateFromSQLite(ctx, path); err == nil || !strings.Contains(err.Error(), "empty database") ||
		!strings.Contains(err.Error(), "database "+pg.pool.Config().ConnConfig.Database+" already holds") || !strings.Contains(err.Error(), "--to") {
		t.Fatalf("a second move into the same database: %v", err)
	}
}

// A move whose SQLite hub imported an extract since its last pull starts
// a new epoch, as the SQLite hub itself would have.
func TestMigrateAfterImportNewEpoch(t *testing.T) {
	ctx := context.Background()
	path, sq := sqliteHub(t)
	if err := sq.SaveAccount(ctx, "test", hub.Account{User: hubtest.Admin}); err != nil {
		t.Fatal(err)
	}
	c := pullAll(t, sq, hubtest.Admin, sync.Cursor{}).Next
	time.Sleep(1100 * time.Millisecond) // imported_at has seconds
	if _, err := sq.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	pg := openEmpty(t, pgtest.URL(t))
	m, err := pg.MigrateFromSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pg.Pull(ctx, hubtest.Admin, c, 10)
	if err != nil {
		t.Fatal(err)
	}
	if m.KeptEpoch || !p.Snapshot || p.Next.Epoch == c.Epoch {
		t.Fatalf("kept %v, snapshot %v, epoch %s after %s", m.KeptEpoch, p.Snapshot, p.Next.Epoch, c.Epoch)
	}
}

// sqliteHub makes a SQLite hub holding hubtest's state, and returns its
// file.
func sqliteHub(t *testing.T) (string, *sqlitehub.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hub.db")
	sq, err := sqlitehub.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	if _, err := sq.Store().ImportExtract(context.Background(), hubtest.State(), "test"); err != nil {
		t.Fatal(err)
	}
	return path, sq
}
