package hubtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/hub"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
)

// Beneath reaches a back end beneath its Store: its database as a hub of
// an older release left it, and what the hub does that no request can
// make it do.
type Beneath struct {
	// Exec runs a statement (? placeholders) on st's database as it is,
	// past every rule of the Store.
	Exec func(t *testing.T, st hub.Store, q string, args ...any)
	// Query runs a query (? placeholders) on st's database and returns
	// its rows, each column as text.
	Query func(t *testing.T, st hub.Store, q string, args ...any) [][]string
	// Restart opens st's database again, as the hub's next start does;
	// st stays open beside it, idle, as a stopped hub's would not.
	Restart func(t *testing.T, st hub.Store) hub.Store
	// Sign signs a cursor as st's pulls sign those they give: the suite
	// makes with it the cursor of a workstation that pulled from the hub
	// before the hub was restored from an older backup.
	Sign func(st hub.Store, c sync.Cursor) sync.Cursor
	// Import imports a state extract into st as `migrantdeskctl import
	// --db` does, and returns what it says it wrote.
	Import func(t *testing.T, st hub.Store, ex *data.Extract) store.ExtractCounts
}

// Accounts an older hub kept under names that are not in their clean
// form (data.CleanUsername), and their clean names.
const (
	oldJose, cleanJose = "jose\u0301", "jos\u00e9" // decomposed: e and a combining accent
	oldRita, cleanRita = " rita", "rita"
	oldDora, cleanDora = "dora ", "dora"
)

// testUncleanNames: a hub starting on a database where an older hub kept
// accounts under unclean names renames each to its clean name with all it
// has (districts, grants given to it and by it, sign-ins, the answers to
// its pushes, its records' authorship, their copies' publisher), so that
// it signs in again; leaves alone, and reports, the accounts whose clean
// name another account has, or differs from another's only in case, or
// that have none; appends one audit row for each rename and rewrites no
// other; and tells the workstations, which end with the new name and
// none of the old. A second start finds nothing more to do.
func testUncleanNames(t *testing.T, open Open, beneath Beneath) {
	st := Setup(t, open)
	ctx := context.Background()
	hash, err := argon2id.HashPassword("an older password")
	if err != nil {
		t.Fatal(err)
	}
	olds := []struct {
		u        data.User
		password string
	}{
		{data.User{Username: oldJose, FullName: "José Ortiz", Role: data.RoleCoordinator, Districts: []string{"001", "003"}}, hash},
		{data.User{Username: oldRita, FullName: "Rita Vega", Role: data.RoleClerk, RegionCode: "C"}, ""},
		{data.User{Username: oldDora, FullName: "Dora Lee", Role: data.RoleDistrictAdmin, DistrictNumber: "003"}, ""},
		// Left alone: "cal" is another account, "Wes" differs from "wes"
		// only in case, the two Luises would be one, and the last has no
		// clean form.
		{data.User{Username: " cal", FullName: "Cal Reyes Sr.", Role: data.RoleCoordinator, Districts: []string{"003"}}, ""},
		{data.User{Username: "Wes ", FullName: "Wes Long Jr.", Role: data.RoleClerk, RegionCode: "W"}, ""},
		{data.User{Username: "luis ", FullName: "Luis Mora", Role: data.RoleClerk, RegionCode: "C"}, ""},
		{data.User{Username: " luis", FullName: "Luis Mena", Role: data.RoleClerk, RegionCode: "W"}, ""},
		{data.User{Username: "bad\u202eeman", FullName: "Bea Eman", Role: data.RoleClerk, RegionCode: "C"}, ""},
	}
	for _, o := range olds {
		u := o.u
		beneath.Exec(t, st, `INSERT INTO users(username, full_name, role, region_code, district_number, email) VALUES(?, ?, ?, ?, ?, '')`,
			u.Username, u.FullName, u.Role, u.RegionCode, u.DistrictNumber)
		for _, d := range u.Districts {
			beneath.Exec(t, st, `INSERT INTO user_districts(username, district_number) VALUES(?, ?)`, u.Username, d)
		}
		beneath.Exec(t, st, `INSERT INTO hub_accounts(username, password_hash) VALUES(?, ?)`, u.Username, o.password)
	}
	for _, g := range [][2]string{{"001", DAdmin001.Username}, {"003", oldDora}} {
		beneath.Exec(t, st, `INSERT INTO report_grants(username, district_number, granted_by, granted_at) VALUES(?, ?, ?, ?)`,
			oldJose, g[0], g[1], "2026-01-02T03:04:05Z")
	}
	// What the old Rita did through the hub: a sign-in, and a record
	// made and published to Adair.
	rita := olds[1].u
	if err := st.SaveToken(ctx, "rita's token", oldRita, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	rec := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "424242", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	for _, r := range push(t, st, rita, Mutation(sync.OpCreate, 0, rec), Mutation(sync.OpPublish, 1, rec)) {
		want(t, r, sync.Applied, "")
	}

	// Workstations that synced the old names: the state administrator's
	// (a workstation's own database, whose foreign keys keep a row
	// another still refers to) and José's.
	desk, err := store.Open(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer desk.Close()
	deskCursor := pullInto(t, st, Admin, sync.Cursor{}, desk)
	jose := olds[0].u
	joseView := view{}
	joseCursor := pullAll(t, st, jose, sync.Cursor{}, joseView, 1000)
	if !joseView.has("report_grants", oldJose+"|003") {
		t.Fatalf("before the start José's workstation holds grants %v", joseView.keys("report_grants"))
	}
	audited := auditRows(t, st)

	st = beneath.Restart(t, st)
	cleaner, ok := st.(hub.NameCleaner)
	if !ok {
		t.Fatalf("%T does not clean the names an older hub kept", st)
	}
	got := cleaner.NameCleanup()
	wantRenamed := []hub.Rename{{From: oldRita, To: cleanRita}, {From: oldDora, To: cleanDora}, {From: oldJose, To: cleanJose}}
	if !sameRenames(got.Renamed, wantRenamed) {
		t.Errorf("renamed %+q, want %+q", got.Renamed, wantRenamed)
	}
	checkLeft(t, got.Left)

	// José signs in under his clean name, typed either way, with his
	// districts; his grants are his still, and so is the one Dora gave.
	for _, typed := range []string{cleanJose, oldJose} {
		a := signIn(t, st, typed, "an older password")
		if a.Username != cleanJose || !slices.Equal(a.Districts, jose.Districts) {
			t.Errorf("signed in as %+q: %+v", typed, a)
		}
	}
	for _, name := range []string{oldJose, oldRita, oldDora} {
		if _, err := st.Account(ctx, name); !errors.Is(err, hub.ErrNoAccount) {
			t.Errorf("the old name %+q is still an account: %v", name, err)
		}
	}
	if a, err := st.Account(ctx, " cal"); err != nil || a.FullName != "Cal Reyes Sr." {
		t.Errorf("an account left alone: %+v, %v", a, err)
	}
	if a, err := st.TokenAccount(ctx, "rita's token", time.Now()); err != nil || a.Username != cleanRita {
		t.Errorf("Rita's sign-in from before the start: %+v, %v", a, err)
	}
	for _, q := range []string{`SELECT count(*) FROM hub_applied WHERE username = ?`, `SELECT count(*) FROM hub_tokens WHERE username = ?`} {
		if n := beneath.Query(t, st, q, oldRita)[0][0]; n != "0" {
			t.Errorf("%s: %s rows under the old name", q, n)
		}
	}
	if n := beneath.Query(t, st, `SELECT count(*) FROM hub_applied WHERE username = ?`, cleanRita)[0][0]; n != "2" {
		t.Errorf("the answers to Rita's pushes: %s under her clean name, want 2", n)
	}

	// The log keeps what was done under the old names, and says once
	// for each account that the hub's upgrade renamed it.
	renames := beneath.Query(t, st, `SELECT username, action, entity, entity_id, before, after FROM audit WHERE action = 'rename' ORDER BY seq`)
	wantRows := [][]string{
		{hub.UpgradeActor, "rename", "user", cleanRita, oldRita, cleanRita},
		{hub.UpgradeActor, "rename", "user", cleanDora, oldDora, cleanDora},
		{hub.UpgradeActor, "rename", "user", cleanJose, oldJose, cleanJose},
	}
	if !sameRows(renames, wantRows) {
		t.Errorf("audit rows of the renames %+q, want %+q", renames, wantRows)
	}
	if n := auditRows(t, st); n != audited+int64(len(wantRows)) {
		t.Errorf("%d audit rows after the start, %d before it: want one a rename", n, audited)
	}
	if old := beneath.Query(t, st, `SELECT count(*) FROM audit WHERE username = ?`, oldRita)[0][0]; old == "0" {
		t.Error("the audit rows of the old Rita were rewritten")
	}

	// The workstations learn the new names and drop the old ones.
	deskCursor = pullInto(t, st, Admin, deskCursor, desk)
	users, err := desk.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range users {
		names = append(names, u.Username)
	}
	for _, name := range []string{cleanJose, cleanRita, cleanDora, " cal", "luis "} {
		if !slices.Contains(names, name) {
			t.Errorf("the workstation lacks user %+q: %+q", name, names)
		}
	}
	for _, name := range []string{oldJose, oldRita, oldDora} {
		if slices.Contains(names, name) {
			t.Errorf("the workstation keeps the old user %+q beside the new: %+q", name, names)
		}
	}
	if u, err := desk.UserByName(ctx, cleanJose); err != nil || !slices.Equal(u.Districts, jose.Districts) {
		t.Errorf("José on the workstation: %+v, %v", u, err)
	}
	grantees, err := desk.Grantees(ctx, "003")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(grantees, func(g store.Grantee) bool { return g.Username == cleanJose })
	if i < 0 || !grantees[i].Granted || grantees[i].GrantedBy != cleanDora ||
		slices.ContainsFunc(grantees, func(g store.Grantee) bool { return g.Username == oldJose }) {
		t.Errorf("the coordinators of 003 on the workstation: %+v", grantees)
	}
	r, err := desk.RecordByID(ctx, rec.ID)
	if err != nil || r.CreatedBy != cleanRita || r.UpdatedBy != cleanRita || r.PublishedBy != cleanRita ||
		len(r.Copies) != 1 || r.Copies[0].By != cleanRita {
		t.Errorf("Rita's record on the workstation: %+v, %v", r, err)
	}
	joseCursor = pullAll(t, st, withName(jose, cleanJose), joseCursor, joseView, 1000)
	if got, want := joseView.keys("report_grants"), []string{cleanJose + "|001", cleanJose + "|003"}; !slices.Equal(got, want) {
		t.Errorf("José's workstation holds grants %+q, want %+q", got, want)
	}
	if row := joseView["migrant_records"][rec.ID]; row["created_by"] != cleanRita || row["published_by"] != cleanRita {
		t.Errorf("Adair's copy of Rita's record names %+q", row)
	}
	if row := joseView["published"][rec.ID+"|001"]; row["published_by"] != cleanRita {
		t.Errorf("Adair's copy of Rita's record was published by %+q", row["published_by"])
	}

	// A second start renames nothing, appends nothing, logs nothing, and
	// says again what it left.
	st = beneath.Restart(t, st)
	again := st.(hub.NameCleaner).NameCleanup()
	if len(again.Renamed) != 0 {
		t.Errorf("the second start renamed %+q", again.Renamed)
	}
	checkLeft(t, again.Left)
	if n := auditRows(t, st); n != audited+int64(len(wantRows)) {
		t.Errorf("the second start left %d audit rows, the first %d", n, audited+int64(len(wantRows)))
	}
	p, err := st.Pull(ctx, Admin, deskCursor, 100)
	if err != nil || len(p.Changes) != 0 {
		t.Errorf("after the second start a workstation pulls %d changes (%v)", len(p.Changes), err)
	}
}

// checkLeft checks the accounts testUncleanNames's starts leave alone,
// and what the hub says of them.
func checkLeft(t *testing.T, left []hub.UncleanName) {
	t.Helper()
	clashes := map[string][]string{}
	for _, u := range left {
		clashes[u.Name] = u.Clashes
		said := u.String()
		if !strings.Contains(said, fmt.Sprintf("%+q", u.Name)) || !strings.Contains(said, "hub user add") {
			t.Errorf("the hub says of %+q: %s", u.Name, said)
		}
		if u.Name == "bad\u202eeman" && (u.Err == nil || !strings.Contains(said, "U+202E")) {
			t.Errorf("the hub says of a name with no clean form: %s", said)
		}
	}
	want := map[string][]string{" cal": {"cal"}, "Wes ": {"wes"}, "luis ": {" luis"}, " luis": {"luis "}, "bad\u202eeman": nil}
	if !maps.EqualFunc(clashes, want, slices.Equal) {
		t.Errorf("left alone %+q, want %+q", clashes, want)
	}
}

func sameRenames(got, want []hub.Rename) bool {
	less := func(a, b hub.Rename) int { return strings.Compare(a.From, b.From) }
	return slices.Equal(slices.SortedFunc(slices.Values(got), less), slices.SortedFunc(slices.Values(want), less))
}

func sameRows(got, want [][]string) bool {
	less := func(a, b []string) int { return slices.Compare(a, b) }
	return slices.EqualFunc(slices.SortedFunc(slices.Values(got), less), slices.SortedFunc(slices.Values(want), less), slices.Equal)
}

func withName(u data.User, name string) data.User {
	u.Username = name
	return u
}

// auditRows verifies st's audit log and counts its rows.
func auditRows(t *testing.T, st hub.Store) int64 {
	t.Helper()
	v, ok := st.(AuditVerifier)
	if !ok {
		t.Fatalf("%T cannot verify its audit log", st)
	}
	n, err := v.VerifyAudit(context.Background())
	if err != nil {
		t.Fatalf("the hub's audit log does not verify after %d rows: %v", n, err)
	}
	return n
}

// signIn signs in to a hub server on st as a workstation does, and
// returns the user the hub signed in.
func signIn(t *testing.T, st hub.Store, username, password string) sync.UserInfo {
	t.Helper()
	body, _ := json.Marshal(sync.SignInRequest{Username: username, Password: password})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/v1/signin", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	hub.NewServer(st, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler().ServeHTTP(rec, req)
	var out sync.SignInResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &out); rec.Code != http.StatusOK || err != nil {
		t.Fatalf("sign in as %+q: %d %s", username, rec.Code, rec.Body)
	}
	return out.User
}

// pullInto pulls u's changes after c into a workstation's database, as
// its sync does, and returns the cursor it reached.
func pullInto(t *testing.T, st hub.Store, u data.User, c sync.Cursor, desk *store.Store) sync.Cursor {
	t.Helper()
	return pullPages(t, st, u, c, 1000, func(p sync.Page, _ sync.Cursor) {
		if err := desk.ApplyPage(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	})
}
