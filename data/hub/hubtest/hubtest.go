// Package hubtest is the behaviour every hub storage back end must show,
// as one suite (in the manner of tailscale's storetest): the SQLite and
// PostgreSQL back ends both run it, so the hub behaves the same on either.
package hubtest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/hub"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
)

// Open makes a hub store holding the state ex, with no accounts yet.
type Open func(t *testing.T, ex *data.Extract) hub.Store

// Users of the suite, one per role and scope.
var (
	Admin     = data.User{Username: "admin", FullName: "Pat Moore", Role: data.RoleStateAdmin}
	ClerkC    = data.User{Username: "rosa", FullName: "Rosa Delgado", Role: data.RoleClerk, RegionCode: "C"}
	ClerkW    = data.User{Username: "wes", FullName: "Wes Long", Role: data.RoleClerk, RegionCode: "W"}
	Coord001  = data.User{Username: "cora", FullName: "Cora Díaz", Role: data.RoleCoordinator, Districts: []string{"001"}}
	Coord003  = data.User{Username: "cal", FullName: "Cal Reyes", Role: data.RoleCoordinator, Districts: []string{"003"}}
	DAdmin001 = data.User{Username: "ana.admin", FullName: "Ana Torres", Role: data.RoleDistrictAdmin, DistrictNumber: "001"}
)

// Users lists the suite's users.
func Users() []data.User { return []data.User{Admin, ClerkC, ClerkW, Coord001, Coord003, DAdmin001} }

// Students of the state.
const (
	Maria = "0000000001" // Adair (001, region C) all along
	Ana   = "0000000002" // Adair until 12/19/2025, then Calloway (003, region W)
	Sean  = "0000000003" // a private school in Adair
	Osy   = "0000000004" // out-of-school youth: enrolled nowhere
)

func day(s string) data.Date {
	d, err := data.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// State is the suite's small state.
func State() *data.Extract {
	return &data.Extract{
		Regions: []data.Region{{Code: "C", Name: "Central"}, {Code: "W", Name: "Western"}},
		Districts: []data.District{
			{Number: "001", Name: "Adair County", RegionCode: "C"},
			{Number: "002", Name: "Barren County", RegionCode: "C"},
			{Number: "003", Name: "Calloway County", RegionCode: "W"},
		},
		Schools: []data.School{
			{Number: "001010", DistrictNumber: "001", Name: "Adair Elementary", Classification: "A1"},
			{Number: "002010", DistrictNumber: "002", Name: "Barren Middle", Classification: "A2"},
			{Number: "003010", DistrictNumber: "003", Name: "Calloway High", Classification: "A3"},
			{Number: "001900", DistrictNumber: "001", Name: "St. Mary Academy", Classification: "J1"},
		},
		Students: []data.Student{
			{StateID: Maria, LocalNumber: "L1", LastName: "García López", FirstName: "María", MiddleName: "José", BirthDate: day("2012-05-05"), Gender: "F", Race: "1"},
			{StateID: Ana, LocalNumber: "L2", LastName: "Núñez", FirstName: "Ana", BirthDate: day("2010-01-20"), Gender: "F", Race: "1"},
			{StateID: Sean, LocalNumber: "L3", LastName: "O'Neil", FirstName: "Sean", BirthDate: day("2011-03-03"), Gender: "M", Race: "6"},
			{StateID: Osy, LocalNumber: "L4", LastName: "Ramírez", FirstName: "Luis", BirthDate: day("2008-07-07"), Gender: "M", Race: "1"},
		},
		Enrollments: []data.Enrollment{
			{ID: "E1", StateID: Maria, SchoolNumber: "001010", Grade: "06", ServiceType: "P", Start: day("2024-08-10")},
			{ID: "E2", StateID: Ana, SchoolNumber: "001010", Grade: "09", ServiceType: "P", Start: day("2024-08-10"), End: day("2025-12-19")},
			{ID: "E3", StateID: Ana, SchoolNumber: "003010", Grade: "09", ServiceType: "P", Start: day("2026-01-05")},
			{ID: "E4", StateID: Sean, SchoolNumber: "001900", Grade: "08", ServiceType: "P", Start: day("2024-08-10")},
		},
		Programs: []data.Program{
			{StateID: Maria, Program: "FRAM", Code: "F", Start: day("2024-08-01")},
			{StateID: Ana, Program: "EL", Start: day("2024-08-01")},
		},
		Assessments: []data.Assessment{
			{StateID: Maria, Subject: "MATH", TestDate: day("2025-04-20"), Level: "Apprentice"},
		},
	}
}

// Run runs the whole suite against the back end open makes, reaching
// beneath its Store through beneath.
func Run(t *testing.T, open Open, beneath Beneath) {
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, open) })
	t.Run("AccountsAudited", func(t *testing.T) { testAccountsAudited(t, open) })
	t.Run("UsernameForms", func(t *testing.T) { testUsernameForms(t, open) })
	t.Run("UncleanNames", func(t *testing.T) { testUncleanNames(t, open, beneath) })
	t.Run("UserDistricts", func(t *testing.T) { testUserDistricts(t, open) })
	t.Run("Push", func(t *testing.T) { testPush(t, open) })
	t.Run("UnreadableBirthDate", func(t *testing.T) { testUnreadableBirthDate(t, open, beneath) })
	t.Run("Scope", func(t *testing.T) { testScope(t, open) })
	t.Run("Grants", func(t *testing.T) { testGrants(t, open) })
	t.Run("GrantsLeaveWithTheDistrict", func(t *testing.T) { testGrantsLeaveWithTheDistrict(t, open) })
	t.Run("NothingChanged", func(t *testing.T) { testNothingChanged(t, open) })
	t.Run("LateRevoke", func(t *testing.T) { testLateRevoke(t, open) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, open) })
	t.Run("BadCursor", func(t *testing.T) { testBadCursor(t, open) })
	t.Run("Restored", func(t *testing.T) { testRestored(t, open, beneath) })
	t.Run("ForgedCursor", func(t *testing.T) { testForgedCursor(t, open) })
	t.Run("NewEpoch", func(t *testing.T) { testNewEpoch(t, open) })
	t.Run("KeyMade", func(t *testing.T) { testKeyMade(t, open, beneath) })
	t.Run("ImportEndsEpoch", func(t *testing.T) { testImportEndsEpoch(t, open, beneath) })
	t.Run("ImportMovesEnrollments", func(t *testing.T) { testImportMovesEnrollments(t, open, beneath) })
	t.Run("PushAtCursor", func(t *testing.T) { testPushAtCursor(t, open) })
	t.Run("AccessMatrix", func(t *testing.T) { testAccessMatrix(t, open) })
	t.Run("AuditRows", func(t *testing.T) { testAuditRows(t, open) })
	t.Run("AuditChain", func(t *testing.T) { testAuditChain(t, open) })
	t.Run("ConcurrentPushes", func(t *testing.T) { testConcurrentPushes(t, open) })
}

// Setup opens a store on State() holding the suite's users.
func Setup(t *testing.T, open Open) hub.Store {
	t.Helper()
	st := open(t, State())
	ctx := context.Background()
	for _, u := range Users() {
		if err := st.SaveAccount(ctx, "test", hub.Account{User: u}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func testAccounts(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	hash, err := argon2id.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetPassword(ctx, "test", ClerkC.Username, hash); err != nil {
		t.Fatal(err)
	}
	a, err := st.Account(ctx, ClerkC.Username)
	if err != nil || a.RegionCode != "C" || !argon2id.VerifyPassword(a.PasswordHash, "correct horse battery") {
		t.Fatalf("account %+v, %v", a, err)
	}
	if _, err := st.Account(ctx, "nobody"); !errors.Is(err, hub.ErrNoAccount) {
		t.Fatalf("unknown account: %v", err)
	}
	// A read that fails is no answer about the account: taken for "no
	// such account", it told a clerk their password was wrong and
	// counted towards their lockout.
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := st.Account(gone, ClerkC.Username); err == nil || errors.Is(err, hub.ErrNoAccount) {
		t.Fatalf("an account read that failed: %v, want an error other than no such account", err)
	}
	now := time.Now()
	if err := st.SaveToken(ctx, "h1", ClerkC.Username, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveToken(ctx, "h2", ClerkC.Username, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if a, err := st.TokenAccount(ctx, "h1", now); err != nil || a.Username != ClerkC.Username {
		t.Fatalf("live token: %+v %v", a, err)
	}
	if _, err := st.TokenAccount(ctx, "h2", now); !errors.Is(err, hub.ErrNoToken) {
		t.Fatalf("expired token: %v", err)
	}
	if err := st.SetPassword(ctx, "test", ClerkC.Username, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TokenAccount(ctx, "h1", now); !errors.Is(err, hub.ErrNoToken) {
		t.Fatalf("a changed password left a sign-in: %v", err)
	}
	st.SaveToken(ctx, "h3", ClerkC.Username, now.Add(time.Hour))
	if err := st.Disable(ctx, "test", ClerkC.Username); err != nil {
		t.Fatal(err)
	}
	if _, err := st.TokenAccount(ctx, "h3", now); !errors.Is(err, hub.ErrNoToken) {
		t.Fatalf("disabling left a sign-in: %v", err)
	}
	if a, _ := st.Account(ctx, ClerkC.Username); !a.Disabled {
		t.Fatal("not disabled")
	}
	// Saved again as hub user edit saves it, with a new name: the account
	// stays disabled.
	renamed := ClerkC
	renamed.FullName = "Rosa Delgado Ruiz"
	if err := st.SaveAccount(ctx, "test", hub.Account{User: renamed}); err != nil {
		t.Fatal(err)
	}
	if a, _ := st.Account(ctx, ClerkC.Username); !a.Disabled || a.FullName != renamed.FullName {
		t.Fatalf("a disabled account saved with a new name: %+v", a)
	}
	// Enabled again, the account signs in with the password it had.
	if err := st.Enable(ctx, "test", ClerkC.Username); err != nil {
		t.Fatal(err)
	}
	if a, _ := st.Account(ctx, ClerkC.Username); a.Disabled || a.PasswordHash != hash {
		t.Fatalf("an account enabled again: disabled %v, its password kept %v", a.Disabled, a.PasswordHash == hash)
	}
	st.SaveToken(ctx, "h4", ClerkC.Username, now.Add(time.Hour))
	if _, err := st.TokenAccount(ctx, "h4", now); err != nil {
		t.Fatalf("an account enabled again does not sign in: %v", err)
	}
	for _, err := range []error{st.Disable(ctx, "test", "nobody"), st.Enable(ctx, "test", "nobody"), st.SetPassword(ctx, "test", "nobody", hash)} {
		if !errors.Is(err, hub.ErrNoAccount) {
			t.Fatalf("changing an account the hub does not have: %v", err)
		}
	}
}

// testUsernameForms: an account is kept under its name's clean form
// (data.CleanUsername): saved with spaces around it or decomposed, it is
// the account of the trimmed, composed name, never a second one.
func testUsernameForms(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	save := func(name, full string) error {
		return st.SaveAccount(ctx, Admin.Username, hub.Account{User: data.User{Username: name, FullName: full, Role: data.RoleClerk, RegionCode: "C"}})
	}
	for _, c := range []struct{ first, again, kept string }{
		{"maria ", " maria", "maria"},
		{"jos\u00e9", "jose\u0301", "jos\u00e9"},
	} {
		if err := save(c.first, "First"); err != nil {
			t.Fatal(err)
		}
		if err := save(c.again, "Again"); err != nil {
			t.Fatal(err)
		}
		accounts, err := st.Accounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range accounts {
			if a.FullName == "First" || a.FullName == "Again" {
				names = append(names, a.Username+" "+a.FullName)
			}
		}
		if want := []string{c.kept + " Again"}; !slices.Equal(names, want) {
			t.Errorf("%q saved, then %q: accounts %q, want %q", c.first, c.again, names, want)
		}
		if err := save(c.kept, "Done"); err != nil {
			t.Fatal(err)
		}
	}
	if err := save("rosa\u0000", "Rosa"); err == nil || !strings.Contains(err.Error(), "U+0000") {
		t.Errorf("a user name with U+0000: %v", err)
	}
	// The full name goes to every workstation and is printed by hub user
	// list: a terminal escape or a tab pasted with it is refused, and
	// spaces around it are not kept.
	if err := save("pat", "Pat Moore\x1b[2J"); err == nil || !strings.Contains(err.Error(), "the full name: character 10 is a control character (U+001B)") {
		t.Errorf("a full name with an escape: %v", err)
	}
	if err := save("pat", " Pat\u0020Moore\t"); err != nil {
		t.Fatal(err)
	}
	if a, err := st.Account(ctx, "pat"); err != nil || a.FullName != "Pat Moore" {
		t.Errorf("a full name saved with spaces around it: %q, %v", a.FullName, err)
	}
	// A clerk's region is one of the extract, as a coordinator's
	// districts are: under a region mistyped ("c" for "C") the clerk saw
	// no student at all.
	err := st.SaveAccount(ctx, Admin.Username, hub.Account{User: data.User{Username: "cleo", FullName: "Cleo Park", Role: data.RoleClerk, RegionCode: "c"}})
	if err == nil || !strings.Contains(err.Error(), "there is no region c in the state's extract; its regions are C, W") {
		t.Errorf("a clerk of a region the extract does not have: %v", err)
	}
	if _, err := st.Account(ctx, "cleo"); !errors.Is(err, hub.ErrNoAccount) {
		t.Errorf("the clerk of no region was saved: %v", err)
	}
}

// testAccountsAudited: disabling an account and changing its password
// are each one row of the hub's audit log, chained as every other.
func testAccountsAudited(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	before := auditRows(t, st)
	if err := st.SetPassword(ctx, Admin.Username, ClerkW.Username, "not really a hash"); err != nil {
		t.Fatal(err)
	}
	if err := st.Disable(ctx, Admin.Username, ClerkW.Username); err != nil {
		t.Fatal(err)
	}
	if n := auditRows(t, st); n != before+2 {
		t.Fatalf("a password changed and an account disabled: %d audit rows, want 2", n-before)
	}
}

// A user's districts reach every workstation as they change: one added
// is set, one taken away is removed, and one kept is left as it was.
func testUserDistricts(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	seen := view{}
	// A clerk's workstation of another region, which lists the
	// coordinators of every district.
	cursor := pullAll(t, st, ClerkW, sync.Cursor{}, seen, 1000)
	districts := func() []string {
		var ds []string
		for _, k := range seen.keys("user_districts") {
			if user, d, _ := strings.Cut(k, "|"); user == Coord001.Username {
				ds = append(ds, d)
			}
		}
		return ds
	}
	for _, step := range [][]string{{"001", "002"}, {"002", "003"}, {"003"}} {
		u := Coord001
		u.Districts = step
		if err := st.SaveAccount(ctx, Admin.Username, hub.Account{User: u}); err != nil {
			t.Fatal(err)
		}
		cursor = pullAll(t, st, ClerkW, cursor, seen, 1000)
		if got := districts(); !slices.Equal(got, step) {
			t.Fatalf("after the coordinator was given districts %v another workstation lists %v", step, got)
		}
	}
	// A district the state does not have is refused by its number, and
	// the account stays as it was.
	u := Coord001
	u.Districts = []string{"003", "999"}
	err := st.SaveAccount(ctx, Admin.Username, hub.Account{User: u})
	if err == nil || !strings.Contains(err.Error(), "there is no district 999 in the state's extract; name one of the 3 districts") {
		t.Fatalf("a district the state does not have: %v", err)
	}
	if a, err := st.Account(ctx, Coord001.Username); err != nil || !slices.Equal(a.Districts, []string{"003"}) {
		t.Fatalf("after the refusal the coordinator has %v (%v)", a.Districts, err)
	}
}

// Mutation makes a record mutation as a workstation's outbox would.
func Mutation(op string, base int, r sync.Record) sync.Mutation {
	body, _ := json.Marshal(r)
	return sync.Mutation{ID: uuid.NewString(), Entity: sync.EntityRecord, EntityID: r.ID, Op: op, BaseVersion: base,
		Payload: body, CreatedAt: time.Now().UTC().Format(time.RFC3339)}
}

// GrantMutation makes a report-grant mutation.
func GrantMutation(op, username, district string) sync.Mutation {
	body, _ := json.Marshal(sync.Grant{Username: username, District: district})
	return sync.Mutation{ID: uuid.NewString(), Entity: sync.EntityGrant, EntityID: sync.GrantID(username, district), Op: op,
		Payload: body, CreatedAt: time.Now().UTC().Format(time.RFC3339)}
}

func push(t *testing.T, st hub.Store, u data.User, ms ...sync.Mutation) []sync.Result {
	t.Helper()
	res, err := st.Push(context.Background(), u, sync.Cursor{}, ms)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(ms) {
		t.Fatalf("%d answers to %d mutations", len(res), len(ms))
	}
	for i := range res {
		if res[i].MutationID != ms[i].ID {
			t.Fatalf("answer %d is for %s, not %s", i, res[i].MutationID, ms[i].ID)
		}
	}
	return res
}

func want(t *testing.T, r sync.Result, o sync.Outcome, reason string) {
	t.Helper()
	if r.Outcome != o || !strings.Contains(r.Reason, reason) {
		t.Fatalf("got %+v, want %s with %q", r, o, reason)
	}
}

func testPush(t *testing.T, open Open) {
	st := Setup(t, open)
	rec := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "123456", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	create := Mutation(sync.OpCreate, 0, rec)
	r := push(t, st, ClerkC, create)[0]
	want(t, r, sync.Applied, "")
	if r.Version != 1 {
		t.Fatalf("version %d", r.Version)
	}
	// A retried push is applied once and gets the same answer.
	again := push(t, st, ClerkC, create)[0]
	want(t, again, sync.Duplicate, "")
	if again.Version != 1 {
		t.Fatalf("duplicate %+v", again)
	}

	// Two clerks edit version 1 offline: the second is a conflict that
	// carries the hub's copy.
	a, b := rec, rec
	a.MIS2000ID, a.Version = "123457", 2
	b.EED, b.Version = "2027-12-31", 2
	want(t, push(t, st, ClerkC, Mutation(sync.OpUpdate, 1, a))[0], sync.Applied, "")
	c := push(t, st, Admin, Mutation(sync.OpUpdate, 1, b))[0]
	want(t, c, sync.Conflict, "")
	if c.Current == nil || c.Current.MIS2000ID != "123457" || c.Current.Version != 2 {
		t.Fatalf("conflict carries %+v", c.Current)
	}
	// Who made the hub's copy comes from the hub's own users.
	if c.Current.UpdatedBy != ClerkC.Username || c.Current.UpdatedByName != ClerkC.FullName || c.Current.UpdatedAt == "" {
		t.Fatalf("the conflict's copy says it was changed by %q (%q) at %q", c.Current.UpdatedBy, c.Current.UpdatedByName, c.Current.UpdatedAt)
	}

	// An overlap only the hub can see names the other record.
	other := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "999", QAD: "2026-01-01", EED: "2026-06-30", Version: 1}
	want(t, push(t, st, Admin, Mutation(sync.OpCreate, 0, other))[0], sync.Rejected, "123457")

	// Rules and scope, decided on the hub.
	bad := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "12x", QAD: "2020-01-01", EED: "2020-02-01", Version: 1}
	want(t, push(t, st, ClerkC, Mutation(sync.OpCreate, 0, bad))[0], sync.Rejected, "MIS2000 ID")
	west := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "555", QAD: "2019-01-01", EED: "2019-06-30", Version: 1}
	want(t, push(t, st, ClerkW, Mutation(sync.OpCreate, 0, west))[0], sync.Rejected, "region")
	want(t, push(t, st, Coord001, Mutation(sync.OpCreate, 0, west))[0], sync.Rejected, "read-only")
	// Text is held to the importer's rule, on the hub too.
	bell := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "12\a3", QAD: "2019-01-01", EED: "2019-06-30", Version: 1}
	want(t, push(t, st, ClerkC, Mutation(sync.OpCreate, 0, bell))[0], sync.Rejected, "the MIS2000 ID: character 3 is a control character")
	ghost := sync.Record{ID: uuid.NewString(), StateID: "9999999999", MIS2000ID: "1", QAD: "2025-01-01", EED: "2025-02-01", Version: 1}
	want(t, push(t, st, Admin, Mutation(sync.OpCreate, 0, ghost))[0], sync.Rejected, "no student")
	// The later changes of a record whose creation was refused are
	// refused too: there is no hub copy for a conflict to show.
	never := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "8", QAD: "2019-01-01", EED: "2019-02-01", Version: 2}
	want(t, push(t, st, ClerkC, Mutation(sync.OpUpdate, 1, never))[0], sync.Rejected, "creation was refused")
	want(t, push(t, st, ClerkC, Mutation(sync.OpPublish, 1, never))[0], sync.Rejected, "creation was refused")
	// Any clerk may write an out-of-school youth's record.
	osy := sync.Record{ID: uuid.NewString(), StateID: Osy, MIS2000ID: "777", QAD: "2025-06-01", EED: "2028-05-31", Version: 1}
	want(t, push(t, st, ClerkW, Mutation(sync.OpCreate, 0, osy))[0], sync.Applied, "")

	// Publish at the current version only; delete tombstones.
	want(t, push(t, st, ClerkC, Mutation(sync.OpPublish, 1, a))[0], sync.Conflict, "")
	want(t, push(t, st, ClerkC, Mutation(sync.OpPublish, 2, a))[0], sync.Applied, "")
	want(t, push(t, st, ClerkW, Mutation(sync.OpPublish, 1, osy))[0], sync.Rejected, "no district")
	// A confirmation (a change keeping its version: a keep theirs) that is
	// not what the hub holds at that version, a deletion of a live record
	// or other values, is a conflict with the hub's copy; one that is,
	// is applied at that version and answered with the record.
	changed := a
	changed.MIS2000ID = "1"
	for _, m := range []sync.Mutation{Mutation(sync.OpDelete, 2, a), Mutation(sync.OpUpdate, 2, changed)} {
		if c := push(t, st, ClerkC, m)[0]; c.Outcome != sync.Conflict || c.Current == nil || c.Current.Version != 2 {
			t.Fatalf("a confirmation of what the hub does not hold (%s): %+v", m.Op, c)
		}
	}
	if c := push(t, st, ClerkC, Mutation(sync.OpUpdate, 2, a))[0]; c.Outcome != sync.Applied || c.Version != 2 ||
		c.Current == nil || c.Current.MIS2000ID != a.MIS2000ID {
		t.Fatalf("a confirmation of the hub's record: %+v", c)
	}
	// A deletion kept of a record the hub never had (restored from a
	// backup older than it) is done, as its delete would be.
	missing := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "9", QAD: "2019-01-01", EED: "2019-02-01", Version: 3, Deleted: true}
	want(t, push(t, st, ClerkC, Mutation(sync.OpDelete, 3, missing))[0], sync.Applied, "")
	gone := a
	gone.Version = 3
	d := push(t, st, ClerkC, Mutation(sync.OpDelete, 2, gone))[0]
	want(t, d, sync.Applied, "")
	if d.Version != 3 {
		t.Fatalf("delete gave version %d", d.Version)
	}
}

// pullAll pulls a user's whole scope, from a snapshot and then the feed,
// into rows by table and key.
type view map[string]map[string]map[string]string

func pullAll(t *testing.T, st hub.Store, u data.User, c sync.Cursor, v view, limit int) sync.Cursor {
	t.Helper()
	return pullPages(t, st, u, c, limit, func(p sync.Page, from sync.Cursor) {
		// A snapshot's first page replaces what the workstation holds.
		if p.Snapshot && (from.Snapshot == "" || from.Epoch != p.Next.Epoch) {
			clear(v)
		}
		for _, ch := range p.Changes {
			if sync.KeyColumns(ch.Table) == nil {
				t.Fatalf("change of unknown table %s", ch.Table)
			}
			if !ch.Deleted {
				checkParents(t, v, ch)
			}
			v.apply(ch)
		}
	})
}

// pullPages pulls u's changes after c, limit a page, until the hub has no
// more, handing each page to apply with the cursor it was pulled from,
// and returns the cursor reached.
func pullPages(t *testing.T, st hub.Store, u data.User, c sync.Cursor, limit int, apply func(p sync.Page, from sync.Cursor)) sync.Cursor {
	t.Helper()
	for range 10000 {
		p, err := st.Pull(context.Background(), u, c, limit)
		if err != nil {
			t.Fatal(err)
		}
		apply(p, c)
		c = p.Next
		if !p.More {
			return c
		}
	}
	t.Fatal("the pull never ended")
	return c
}

// parents are the rows a row refers to, as column → table: a workstation
// applies a page in order, under foreign keys, so a row set by a pull
// comes after its parents, in the page or before it.
var parents = map[string]map[string]string{
	"districts":       {"region_code": "regions"},
	"schools":         {"district_number": "districts"},
	"enrollments":     {"state_id": "students", "school_number": "schools"},
	"programs":        {"state_id": "students"},
	"assessments":     {"state_id": "students"},
	"migrant_records": {"state_id": "students"},
	"published":       {"record_id": "migrant_records", "district_number": "districts"},
	"user_districts":  {"username": "users", "district_number": "districts"},
	"report_grants":   {"username": "users", "district_number": "districts"},
}

func checkParents(t *testing.T, v view, ch sync.Change) {
	t.Helper()
	for col, table := range parents[ch.Table] {
		if !v.has(table, ch.Row[col]) {
			t.Fatalf("change %d sets a row of %s whose %s %s is not pulled before it: %v", ch.Seq, ch.Table, table, ch.Row[col], ch.Row)
		}
	}
}

// apply sets or removes a pulled change's row.
func (v view) apply(ch sync.Change) {
	var key []string
	for _, k := range sync.KeyColumns(ch.Table) {
		key = append(key, ch.Row[k])
	}
	if v[ch.Table] == nil {
		v[ch.Table] = map[string]map[string]string{}
	}
	if ch.Deleted {
		delete(v[ch.Table], strings.Join(key, "|"))
	} else {
		v[ch.Table][strings.Join(key, "|")] = ch.Row
	}
}

func (v view) has(table, key string) bool { _, ok := v[table][key]; return ok }

// live are the keys of table's rows that are not tombstones.
func (v view) live(table string) []string {
	var out []string
	for k, row := range v[table] {
		if row["deleted"] != "1" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func (v view) keys(table string) []string {
	var out []string
	for k := range v[table] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func testScope(t *testing.T, open Open) {
	st := Setup(t, open)
	views := map[string]view{}
	cursors := map[string]sync.Cursor{}
	sync0 := func() {
		for _, u := range Users() {
			if views[u.Username] == nil {
				views[u.Username] = view{}
			}
			cursors[u.Username] = pullAll(t, st, u, cursors[u.Username], views[u.Username], 3)
		}
	}
	sync0()
	if got := views["rosa"].keys("students"); !slices.Equal(got, []string{Maria, Ana, Sean, Osy}) {
		t.Fatalf("clerk C holds students %v", got)
	}
	if got := views["wes"].keys("students"); !slices.Equal(got, []string{Ana, Osy}) {
		t.Fatalf("clerk W holds students %v", got)
	}
	if got := views["wes"].keys("enrollments"); !slices.Equal(got, []string{"E2", "E3"}) {
		t.Fatalf("clerk W holds enrollments %v: a clerk needs all of a student's enrollments to publish", got)
	}
	if n := len(views["cora"]["students"]) + len(views["cora"]["enrollments"]); n != 0 {
		t.Fatalf("a district with nothing published holds %d student rows", n)
	}
	if len(views["cora"]["districts"]) != 3 || len(views["cora"]["users"]) != len(Users()) {
		t.Fatalf("everyone holds the districts and the user directory: %v %v", views["cora"].keys("districts"), views["cora"].keys("users"))
	}

	// Ana's record, published: Adair (until December) and Calloway.
	rec := sync.Record{ID: uuid.NewString(), StateID: Ana, MIS2000ID: "4242", QAD: "2025-09-01", EED: "2028-08-31", Version: 1, Districts: []string{"002"}}
	push(t, st, ClerkC, Mutation(sync.OpCreate, 0, rec), Mutation(sync.OpPublish, 1, rec))
	sync0()
	for _, u := range []string{"cora", "cal"} {
		v := views[u]
		if !v.has("students", Ana) || !v.has("migrant_records", rec.ID) || len(v["published"]) != 1 {
			t.Fatalf("%s after publish: students %v records %v published %v", u, v.keys("students"), v.keys("migrant_records"), v.keys("published"))
		}
	}
	if got := views["cal"].keys("enrollments"); !slices.Equal(got, []string{"E3"}) {
		t.Fatalf("Calloway holds enrollments %v: never another district's", got)
	}
	if got := views["cora"].keys("enrollments"); !slices.Equal(got, []string{"E2"}) {
		t.Fatalf("Adair holds enrollments %v", got)
	}
	if views["cora"].has("students", Maria) {
		t.Fatal("Adair holds a student with nothing published to it")
	}

	// An edit not yet published never reaches a district; a publish that
	// shortens the window to before January removes Calloway's copy and
	// with it the student.
	edit := rec
	edit.EED, edit.Version = "2025-12-31", 2
	push(t, st, ClerkC, Mutation(sync.OpUpdate, 1, edit))
	sync0()
	if got := views["cal"]["migrant_records"][rec.ID]["eed"]; got != "2028-08-31" {
		t.Fatalf("Calloway sees EED %s before the edit is published", got)
	}
	if got := views["rosa"]["migrant_records"][rec.ID]["eed"]; got != "2025-12-31" {
		t.Fatalf("the clerk sees EED %s", got)
	}
	push(t, st, ClerkC, Mutation(sync.OpPublish, 2, edit))
	sync0()
	if v := views["cal"]; len(v["students"])+len(v["enrollments"])+len(v["programs"])+len(v["migrant_records"])+len(v["published"]) != 0 {
		t.Fatalf("Calloway still holds %v %v %v %v", v.keys("students"), v.keys("enrollments"), v.keys("migrant_records"), v.keys("published"))
	}
	if !views["cora"].has("students", Ana) || views["cora"]["migrant_records"][rec.ID]["eed"] != "2025-12-31" {
		t.Fatal("Adair lost the student or did not get the published edit")
	}
	if !views["admin"].has("students", Ana) || views["admin"]["migrant_records"][rec.ID]["eed"] != "2025-12-31" {
		t.Fatal("an eviction from a district reached the state administrator")
	}

	// Deleting the student's last published record takes the student
	// from the district too.
	edit.Version = 3
	push(t, st, ClerkC, Mutation(sync.OpDelete, 2, edit))
	sync0()
	if v := views["cora"]; len(v["students"])+len(v["enrollments"])+len(v["programs"])+len(v["migrant_records"])+len(v["published"]) != 0 {
		t.Fatalf("Adair still holds %v %v %v %v after the record was deleted", v.keys("students"), v.keys("enrollments"),
			v.keys("migrant_records"), v.keys("published"))
	}

	// A fresh snapshot of each user equals what their feed built, but for
	// the tombstones the feed told of (a snapshot carries none).
	for _, u := range Users() {
		fresh := view{}
		pullAll(t, st, u, sync.Cursor{}, fresh, 1000)
		for _, table := range sync.Tables() {
			if !slices.Equal(fresh.live(table), views[u.Username].live(table)) {
				t.Errorf("%s, %s: snapshot %v, feed %v", u.Username, table, fresh.live(table), views[u.Username].live(table))
			}
		}
	}
}

func testGrants(t *testing.T, open Open) {
	st := Setup(t, open)
	want(t, push(t, st, Coord001, GrantMutation(sync.OpGrant, Coord001.Username, "001"))[0], sync.Rejected, "administrator")
	want(t, push(t, st, DAdmin001, GrantMutation(sync.OpGrant, Coord003.Username, "001"))[0], sync.Rejected, "not a coordinator")
	want(t, push(t, st, DAdmin001, GrantMutation(sync.OpGrant, Coord001.Username, "003"))[0], sync.Rejected, "administrator")
	want(t, push(t, st, DAdmin001, GrantMutation(sync.OpGrant, Coord001.Username, "001"))[0], sync.Applied, "")
	v := view{}
	c := pullAll(t, st, Coord001, sync.Cursor{}, v, 100)
	if !v.has("report_grants", "cora|001") {
		t.Fatalf("grants %v", v.keys("report_grants"))
	}
	other := view{}
	pullAll(t, st, Coord003, sync.Cursor{}, other, 100)
	if len(other["report_grants"]) != 0 {
		t.Fatal("another district's grant leaked")
	}
	want(t, push(t, st, DAdmin001, GrantMutation(sync.OpRevoke, Coord001.Username, "001"))[0], sync.Applied, "")
	pullAll(t, st, Coord001, c, v, 100)
	if v.has("report_grants", "cora|001") {
		t.Fatal("a revoked grant stayed")
	}
}

// testGrantsLeaveWithTheDistrict: a coordinator who loses a district
// loses its report grant, on the district's workstations too, and finds
// none when they come back to it; the district's administrator may still
// revoke it.
func testGrantsLeaveWithTheDistrict(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	want(t, push(t, st, DAdmin001, GrantMutation(sync.OpGrant, Coord001.Username, "001"))[0], sync.Applied, "")
	admin := view{}
	c := pullAll(t, st, DAdmin001, sync.Cursor{}, admin, 1000)
	if !admin.has("report_grants", "cora|001") {
		t.Fatalf("the district administrator's grants: %v", admin.keys("report_grants"))
	}
	moved := Coord001
	moved.Districts = []string{"003"}
	if err := st.SaveAccount(ctx, Admin.Username, hub.Account{User: moved}); err != nil {
		t.Fatal(err)
	}
	pullAll(t, st, DAdmin001, c, admin, 1000)
	if admin.has("report_grants", "cora|001") {
		t.Error("the grant of a coordinator moved to another district stays on the district's workstation")
	}
	want(t, push(t, st, DAdmin001, GrantMutation(sync.OpRevoke, Coord001.Username, "001"))[0], sync.Applied, "")
	if err := st.SaveAccount(ctx, Admin.Username, hub.Account{User: Coord001}); err != nil {
		t.Fatal(err)
	}
	back := view{}
	pullAll(t, st, Coord001, sync.Cursor{}, back, 1000)
	if back.has("report_grants", "cora|001") {
		t.Error("a coordinator back in the district holds its report without a new grant")
	}
	if v, ok := st.(AuditVerifier); ok {
		if n, err := v.VerifyAudit(ctx); err != nil {
			t.Fatalf("the hub's audit log does not verify after %d rows: %v", n, err)
		}
	}
}

// testNothingChanged: a grant held already, a revoke of a grant no one
// holds (two administrators who revoked it offline, one after the
// other), a user disabled or enabled already: the workstation that sent
// it has what it asked for (applied, with why nothing changed, and again
// when it sends it again), the operator is told ErrUnchanged, and the
// audit log gains no row saying it was done.
func testNothingChanged(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	audited := func(what string, from int64, want int64) {
		t.Helper()
		if n := auditRows(t, st) - from; n != want {
			t.Fatalf("%s: %d audit rows, want %d", what, n, want)
		}
	}

	n := auditRows(t, st)
	want(t, push(t, st, DAdmin001, GrantMutation(sync.OpGrant, Coord001.Username, "001"))[0], sync.Applied, "")
	audited("a grant", n, 1)
	n = auditRows(t, st)
	again := GrantMutation(sync.OpGrant, Coord001.Username, "001")
	want(t, push(t, st, Admin, again)[0], sync.Applied, "already, granted by "+DAdmin001.Username+": nothing changed")
	audited("a grant held already", n, 0)
	// The grant stays the first administrator's, on the workstations too.
	seen := view{}
	c := pullAll(t, st, DAdmin001, sync.Cursor{}, seen, 1000)
	if by := seen["report_grants"]["cora|001"]["granted_by"]; by != DAdmin001.Username {
		t.Fatalf("the grant held already is by %q, want %s", by, DAdmin001.Username)
	}

	n = auditRows(t, st)
	want(t, push(t, st, DAdmin001, GrantMutation(sync.OpRevoke, Coord001.Username, "001"))[0], sync.Applied, "")
	audited("a revoke", n, 1)
	c = pullAll(t, st, DAdmin001, c, seen, 1000)
	n = auditRows(t, st)
	late := GrantMutation(sync.OpRevoke, Coord001.Username, "001")
	want(t, push(t, st, Admin, late)[0], sync.Applied, "holds no grant of the QA Migrant report of district 001 (revoked already): nothing changed")
	want(t, push(t, st, Admin, late)[0], sync.Duplicate, "revoked already")
	audited("a revoke of a grant revoked already", n, 0)
	if p, err := st.Pull(ctx, DAdmin001, c, 1000); err != nil || len(p.Changes) != 0 {
		t.Fatalf("a revoke that changed nothing reached the district's workstations: %v %+v", err, p.Changes)
	}
	if err := st.SetGrant(ctx, Admin, Coord001.Username, "001", false); !errors.Is(err, hub.ErrUnchanged) || !strings.Contains(err.Error(), "revoked already") {
		t.Fatalf("the command line's revoke of a grant not held: %v", err)
	}
	if err := st.SetGrant(ctx, Admin, Coord001.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	if err := st.SetGrant(ctx, DAdmin001, Coord001.Username, "001", true); !errors.Is(err, hub.ErrUnchanged) {
		t.Fatalf("the command line's grant of a grant held: %v", err)
	}
	audited("a revoke and a grant refused, a grant made", n, 1)

	n = auditRows(t, st)
	if err := st.Disable(ctx, Admin.Username, ClerkW.Username); err != nil {
		t.Fatal(err)
	}
	if err := st.Disable(ctx, Admin.Username, ClerkW.Username); !errors.Is(err, hub.ErrUnchanged) || !strings.Contains(err.Error(), "disabled already") {
		t.Fatalf("a user disabled twice: %v", err)
	}
	audited("a user disabled twice", n, 1)
	n = auditRows(t, st)
	now := time.Now()
	if err := st.SaveToken(ctx, "signed-in", ClerkC.Username, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.Enable(ctx, Admin.Username, ClerkC.Username); !errors.Is(err, hub.ErrUnchanged) || !strings.Contains(err.Error(), "enabled already") {
		t.Fatalf("a user enabled who is not disabled: %v", err)
	}
	if _, err := st.TokenAccount(ctx, "signed-in", now); err != nil {
		t.Fatalf("enabling a user who is not disabled ended their sign-in: %v", err)
	}
	audited("a user enabled who is not disabled", n, 0)

	// hub user edit that changes nothing; then one that changes the name.
	n = auditRows(t, st)
	if err := st.SaveAccount(ctx, Admin.Username, hub.Account{User: Coord001}); !errors.Is(err, hub.ErrUnchanged) {
		t.Fatalf("an account saved as it stands: %v", err)
	}
	audited("an account saved as it stands", n, 0)
	renamed := Coord001
	renamed.FullName = "Cora Adair Lee"
	if err := st.SaveAccount(ctx, Admin.Username, hub.Account{User: renamed}); err != nil {
		t.Fatal(err)
	}
	audited("an account saved with a new name", n, 1)
}

// testBadCursor: a snapshot position the hub never gave, in the current
// epoch, is the request's fault (ErrBadCursor), not the hub's.
func testBadCursor(t *testing.T, open Open) {
	st := Setup(t, open)
	p, err := st.Pull(context.Background(), ClerkC, sync.Cursor{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	forged := sync.Cursor{Epoch: p.Next.Epoch, Snapshot: "nosuchtable"}
	if _, err := st.Pull(context.Background(), ClerkC, forged, 10); !errors.Is(err, hub.ErrBadCursor) {
		t.Fatalf("a snapshot position the hub never gave: %v", err)
	}
}

// testPaging pulls with a page of one row: nothing is skipped or doubled
// testLateRevoke: a district administrator revokes, offline, the grant
// they saw; meanwhile the state administrator revoked it and granted it
// again. The late revoke names the grant it meant, and leaves the newer
// one standing: refused, in a sentence naming who granted it and when,
// with no audit row, and the grant logged again for the workstation that
// passed over it. A revoke that names the grant held, or none (an older
// workstation), ends it.
func testLateRevoke(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	granted := push(t, st, DAdmin001, GrantMutation(sync.OpGrant, Coord001.Username, "001"))[0]
	want(t, granted, sync.Applied, "")
	seen := view{}
	c := pullAll(t, st, DAdmin001, sync.Cursor{}, seen, 1000)
	first := seen["report_grants"]["cora|001"]["granted_at"]
	if granted.Version == 0 || granted.Version != sync.GrantVersion(first) {
		t.Fatalf("the grant was answered as version %d, its row says %s", granted.Version, first)
	}
	// The hub stamps a grant to the second: the grant made again must
	// come a second later to be another one, as it does between two
	// syncs.
	for sync.GrantVersion(time.Now().UTC().Format(time.RFC3339)) == sync.GrantVersion(first) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := st.SetGrant(ctx, Admin, Coord001.Username, "001", false); err != nil {
		t.Fatal(err)
	}
	if err := st.SetGrant(ctx, Admin, Coord001.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	c = pullAll(t, st, DAdmin001, c, seen, 1000)

	n := auditRows(t, st)
	late := GrantMutation(sync.OpRevoke, Coord001.Username, "001")
	late.BaseVersion = sync.GrantVersion(first)
	refused := "Pat Moore granted Cora Díaz the report again on "
	want(t, push(t, st, DAdmin001, late)[0], sync.Rejected, refused)
	want(t, push(t, st, DAdmin001, late)[0], sync.Rejected, refused)
	if n := auditRows(t, st) - n; n != 0 {
		t.Fatalf("a revoke refused wrote %d audit rows", n)
	}
	p, err := st.Pull(ctx, DAdmin001, c, 1000)
	if err != nil || len(p.Changes) != 1 || p.Changes[0].Deleted || p.Changes[0].Row["granted_by"] != Admin.Username {
		t.Fatalf("the grant that stands did not reach the workstation whose revoke was refused again: %v %+v", err, p.Changes)
	}

	again := GrantMutation(sync.OpRevoke, Coord001.Username, "001")
	again.BaseVersion = sync.GrantVersion(p.Changes[0].Row["granted_at"])
	want(t, push(t, st, DAdmin001, again)[0], sync.Applied, "")
	if err := st.SetGrant(ctx, Admin, Coord001.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	n = auditRows(t, st)
	want(t, push(t, st, DAdmin001, GrantMutation(sync.OpRevoke, Coord001.Username, "001"))[0], sync.Applied, "")
	audited := auditRows(t, st) - n
	if err := st.SetGrant(ctx, Admin, Coord001.Username, "001", false); !errors.Is(err, hub.ErrUnchanged) || audited != 1 {
		t.Fatalf("a revoke naming no grant did not end the one held (%d audit rows): %v", audited, err)
	}
}

// between pages, of the snapshot or of the feed.
func testPaging(t *testing.T, open Open) {
	st := Setup(t, open)
	big, small := view{}, view{}
	pullAll(t, st, Admin, sync.Cursor{}, big, 10000)
	c := pullAll(t, st, Admin, sync.Cursor{}, small, 1)
	for _, table := range sync.Tables() {
		if !slices.Equal(big.keys(table), small.keys(table)) {
			t.Fatalf("%s: %v paged by one, %v at once", table, small.keys(table), big.keys(table))
		}
	}
	// Every page of a snapshot, a resumed one's too, says how many
	// students the whole snapshot holds: the user's scope.
	for u, n := range map[*data.User]int64{&Admin: int64(len(State().Students)), &ClerkW: 2, &Coord001: 0} {
		at := sync.Cursor{}
		for page := 0; ; page++ {
			p, err := st.Pull(context.Background(), *u, at, 1)
			if err != nil {
				t.Fatal(err)
			}
			if p.Students != n {
				t.Fatalf("page %d of %s's snapshot says it holds %d students, not %d", page, u.Username, p.Students, n)
			}
			if !p.More {
				break
			}
			at = p.Next
		}
	}
	var ms []sync.Mutation
	for i := range 5 {
		y := strconv.Itoa(2020 + i)
		r := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "10" + y, QAD: y + "-01-01", EED: y + "-06-30", Version: 1}
		ms = append(ms, Mutation(sync.OpCreate, 0, r))
	}
	for _, r := range push(t, st, Admin, ms...) {
		want(t, r, sync.Applied, "")
	}
	pullAll(t, st, Admin, c, small, 1)
	if len(small["migrant_records"]) != 5 {
		t.Fatalf("feed paged by one brought %d records", len(small["migrant_records"]))
	}
}

// pastAChange pulls as ClerkC, pushes a record and pulls again, and
// returns ClerkC's cursor, past the record's change, and Coord001's.
func pastAChange(t *testing.T, st hub.Store) (clerk, coord sync.Cursor) {
	t.Helper()
	v := view{}
	clerk = pullAll(t, st, ClerkC, sync.Cursor{}, v, 1000)
	rec := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "31337", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	push(t, st, ClerkC, Mutation(sync.OpCreate, 0, rec))
	clerk = pullAll(t, st, ClerkC, clerk, v, 1000)
	if clerk.Seq == 0 || clerk.Mark == "" {
		t.Fatalf("the feed's cursor %+v carries no sequence or mark", clerk)
	}
	return clerk, pullAll(t, st, Coord001, sync.Cursor{}, view{}, 1000)
}

// testRestored: a cursor of the hub's epoch that the hub signed but never
// logged (a sequence past its last change, or another mark under the
// sequence) is a workstation that pulled from it before it was restored
// from an older backup. The hub starts one new epoch, and every
// workstation, that one and the others, takes a fresh snapshot.
func testRestored(t *testing.T, open Open, beneath Beneath) {
	st := Setup(t, open)
	ctx := context.Background()
	c, other := pastAChange(t, st)
	for _, lost := range []func(sync.Cursor) sync.Cursor{
		func(c sync.Cursor) sync.Cursor { c.Seq += 100; return c },
		func(c sync.Cursor) sync.Cursor { c.Mark = "0123456789abcdef"; return c },
	} {
		if p, err := st.Pull(ctx, ClerkC, c, 10); err != nil || p.Snapshot || p.Next.Epoch != c.Epoch {
			t.Fatalf("a cursor the hub gave: %+v, %v", p, err)
		}
		restored := beneath.Sign(st, lost(c))
		p, err := st.Pull(ctx, ClerkC, restored, 10)
		if err != nil || !p.Snapshot || p.Next.Epoch == c.Epoch {
			t.Fatalf("a cursor the hub signed and never logged (%+v) was followed: %+v, %v", restored, p, err)
		}
		epoch := p.Next.Epoch
		for _, u := range []data.User{ClerkC, Coord001} {
			cur := map[string]sync.Cursor{ClerkC.Username: c, Coord001.Username: other}[u.Username]
			p, err := st.Pull(ctx, u, cur, 10)
			if err != nil || !p.Snapshot || p.Next.Epoch != epoch {
				t.Fatalf("%s's pull of the old epoch after the restore: %+v, %v (the new epoch is %s)", u.Username, p, err, epoch)
			}
		}
		c = pullAll(t, st, ClerkC, sync.Cursor{}, view{}, 1000)
		other = pullAll(t, st, Coord001, sync.Cursor{}, view{}, 1000)
		if c.Epoch != epoch || other.Epoch != epoch {
			t.Fatalf("the hub made more than one new epoch: %s, %s and %s", epoch, c.Epoch, other.Epoch)
		}
	}
}

// testNewEpoch: an epoch started by hand (hub new-epoch) is one every
// workstation follows: its next pull is a snapshot of the new epoch, and
// a push at its cursor of the epoch before applies nothing (ErrMoved).
func testNewEpoch(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	c := pullAll(t, st, ClerkC, sync.Cursor{}, view{}, 1000)
	other := pullAll(t, st, Coord001, sync.Cursor{}, view{}, 1000)
	rows := auditRows(t, st)
	epoch, err := st.NewEpoch(ctx, "operator")
	if err != nil || epoch == "" || epoch == c.Epoch {
		t.Fatalf("a new epoch after %s: %q, %v", c.Epoch, epoch, err)
	}
	// Who started it is a row of the hub's audit log, chained to the rest.
	if after := auditRows(t, st); after != rows+1 {
		t.Errorf("%d audit rows before a new epoch, %d after", rows, after)
	}
	rec := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "31337", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	if res, err := st.Push(ctx, ClerkC, c, []sync.Mutation{Mutation(sync.OpCreate, 0, rec)}); !errors.Is(err, hub.ErrMoved) {
		t.Fatalf("a push at a cursor of the epoch before: %+v, %v", res, err)
	}
	for u, cur := range map[*data.User]sync.Cursor{&ClerkC: c, &Coord001: other} {
		p, err := st.Pull(ctx, *u, cur, 10)
		if err != nil || !p.Snapshot || p.Next.Epoch != epoch {
			t.Fatalf("%s's pull after the new epoch %s: %+v, %v", u.Username, epoch, p, err)
		}
	}
}

// testImportEndsEpoch: an import of the state extract ends the epoch on
// either back end, at once: a push at a cursor of the epoch before the
// import applies nothing (ErrMoved), and the next pull is the import's
// snapshot.
func testImportEndsEpoch(t *testing.T, open Open, beneath Beneath) {
	st := Setup(t, open)
	ctx := context.Background()
	c, _ := pastAChange(t, st)
	ex := State()
	ex.Students[0].LastName = "Reimportada"
	beneath.Import(t, st, ex)
	rec := sync.Record{ID: uuid.NewString(), StateID: Sean, MIS2000ID: "4242", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	if res, err := st.Push(ctx, ClerkC, c, []sync.Mutation{Mutation(sync.OpCreate, 0, rec)}); !errors.Is(err, hub.ErrMoved) {
		t.Fatalf("a push at a cursor of the epoch before the import: %+v, %v", res, err)
	}
	v := view{}
	next := pullAll(t, st, ClerkC, c, v, 1000)
	if next.Epoch == c.Epoch || !v.has("students", Maria) {
		t.Fatalf("the pull after the import: epoch %s (was %s), students %v", next.Epoch, c.Epoch, v.keys("students"))
	}
	if res, err := st.Push(ctx, ClerkC, next, []sync.Mutation{Mutation(sync.OpCreate, 0, rec)}); err != nil || res[0].Outcome != sync.Applied {
		t.Fatalf("a push at the import's epoch: %+v, %v", res, err)
	}
}

// testImportMovesEnrollments: an extract that gives an enrollment ID to
// another student than before, one it lists as well or one it no longer
// lists, moves the enrollment, as the state's record says, and says so in
// what the import returns and in its audit row: the same on either back
// end.
func testImportMovesEnrollments(t *testing.T, open Open, beneath Beneath) {
	st := Setup(t, open)
	ex := State()
	// E2 goes from Ana, listed, to Maria; E4 from Sean, whom the extract
	// no longer lists (merged into Luis), to Luis.
	ex.Enrollments[1].StateID = Maria
	ex.Enrollments[3].StateID = Osy
	ex.Students = slices.DeleteFunc(ex.Students, func(s data.Student) bool { return s.StateID == Sean })
	c := beneath.Import(t, st, ex)
	wantMoved := []store.MovedEnrollment{{ID: "E2", From: Ana, To: Maria}, {ID: "E4", From: Sean, To: Osy}}
	if !slices.Equal(c.Moved, wantMoved) {
		t.Fatalf("the import says it moved %+v, want %+v", c.Moved, wantMoved)
	}
	got := beneath.Query(t, st, `SELECT id, state_id FROM enrollments ORDER BY id`)
	if want := [][]string{{"E1", Maria}, {"E2", Maria}, {"E3", Ana}, {"E4", Osy}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("enrollments %q, want %q", got, want)
	}
	logged := beneath.Query(t, st, `SELECT after FROM audit WHERE action = 'import extract' ORDER BY seq DESC`)
	if len(logged) == 0 || !strings.Contains(logged[0][0], "2 enrollments to another student than before, under the same enrollment_id: "+
		"E2 from student "+Ana+" to student "+Maria+"; E4 from student "+Sean+" to student "+Osy+".") {
		t.Fatalf("the import's audit row: %q", logged)
	}
	// The same extract again moves nothing, and says nothing of it.
	if c := beneath.Import(t, st, ex); len(c.Moved) != 0 || c.MovedText() != "" {
		t.Fatalf("an extract imported again moved %+v", c.Moved)
	}
}

// testKeyMade: a hub says it made the key of its cursors (hub.KeyMaker)
// only at the start that made it for a feed written without one (a
// database an earlier release served), never for a new hub's empty feed,
// and a cursor it gave before signs in after, as the key's first start
// knows nothing of it: the workstation's next pull goes on.
func testKeyMade(t *testing.T, open Open, beneath Beneath) {
	st := Setup(t, open)
	if st.(hub.KeyMaker).MadeCursorKey() {
		t.Fatal("a new hub says it made its key for a feed written without one")
	}
	c, _ := pastAChange(t, st)
	beneath.Exec(t, st, `DELETE FROM hub_meta WHERE key = 'cursor_key'`)
	older := beneath.Restart(t, st)
	if !older.(hub.KeyMaker).MadeCursorKey() {
		t.Fatal("a hub that made its key for a feed an earlier release wrote does not say so")
	}
	if beneath.Restart(t, older).(hub.KeyMaker).MadeCursorKey() {
		t.Fatal("a hub says again at its next start that it made its key")
	}
	legacy := sync.Cursor{Epoch: c.Epoch, Seq: c.Seq}
	legacy.Mark, _, _ = strings.Cut(c.Mark, ".")
	if p, err := older.Pull(context.Background(), ClerkC, legacy, 10); err != nil || p.Snapshot || p.Next.Epoch != c.Epoch {
		t.Fatalf("a workstation's cursor from before the key: %+v, %v", p, err)
	}
}

// testForgedCursor: a cursor of the hub's epoch naming a change the hub
// never logged, which the hub did not sign (made up by someone signed in,
// or a cursor the hub gave with its sequence or mark changed), is refused
// with ErrBadCursor and changes nothing: the epoch stays, and every
// workstation, the one that sent it too, goes on from its own cursor
// without a fresh snapshot. A cursor kept before the hub signed its
// cursors (its mark with no signature after the dot) is followed while
// the hub has logged its change.
func testForgedCursor(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	c, other := pastAChange(t, st)
	mark, _, signed := strings.Cut(c.Mark, ".")
	if !signed {
		t.Fatalf("the hub gave an unsigned cursor: %+v", c)
	}
	for _, forged := range []sync.Cursor{
		{Epoch: c.Epoch, Seq: 999999999},
		{Epoch: c.Epoch, Seq: c.Seq + 100, Mark: c.Mark},
		{Epoch: c.Epoch, Seq: c.Seq, Mark: "0123456789abcdef"},
		{Epoch: c.Epoch, Seq: c.Seq + 100, Mark: mark},
		{Epoch: c.Epoch, Seq: c.Seq + 1, Mark: mark + ".00000000000000000000000000000000"},
	} {
		if p, err := st.Pull(ctx, ClerkC, forged, 10); !errors.Is(err, hub.ErrBadCursor) {
			t.Fatalf("a forged cursor %+v: %+v, %v", forged, p, err)
		}
	}
	legacy := sync.Cursor{Epoch: c.Epoch, Seq: c.Seq, Mark: mark}
	for _, at := range []struct {
		u   data.User
		cur sync.Cursor
	}{{ClerkC, c}, {Coord001, other}, {ClerkC, legacy}} {
		p, err := st.Pull(ctx, at.u, at.cur, 10)
		if err != nil || p.Snapshot || p.Next.Epoch != c.Epoch {
			t.Fatalf("%s's pull from %+v after the forged ones: %+v, %v (the epoch was %s)", at.u.Username, at.cur, p, err, c.Epoch)
		}
	}
}

// testPushAtCursor: a push made at a cursor the hub is not at (another
// epoch, a sequence it never logged, another mark of it) applies none of
// its changes and fails with hub.ErrMoved, alone in its group; a push at
// the hub's cursor, or at the zero cursor, is applied. The hub names its
// database once its audit log has a row, and pushes keep the name.
func testPushAtCursor(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	id, err := st.Identity(ctx)
	if err != nil || id == "" {
		t.Fatalf("the hub's identity: %q, %v", id, err)
	}
	v := view{}
	c := pullAll(t, st, ClerkC, sync.Cursor{}, v, 1000)
	rec := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "31337", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	if res, err := st.Push(ctx, ClerkC, c, []sync.Mutation{Mutation(sync.OpCreate, 0, rec)}); err != nil || res[0].Outcome != sync.Applied {
		t.Fatalf("a push at the cursor the hub gave: %+v, %v", res, err)
	}
	c = pullAll(t, st, ClerkC, c, v, 1000)
	edit := rec
	edit.MIS2000ID, edit.Version = "31338", 2
	for i, bad := range []sync.Cursor{
		{Epoch: "another-hub", Seq: c.Seq, Mark: c.Mark},
		{Epoch: c.Epoch, Seq: c.Seq + 100, Mark: c.Mark},
		{Epoch: c.Epoch, Seq: c.Seq, Mark: "0123456789abcdef"},
	} {
		// Beside a push at the right cursor, in the same group or not.
		student := []string{Sean, Osy, Ana}[i]
		other := Mutation(sync.OpCreate, 0, sync.Record{ID: uuid.NewString(), StateID: student, MIS2000ID: "77", QAD: "2025-09-01", EED: "2028-08-31", Version: 1})
		var wg gosync.WaitGroup
		var good []sync.Result
		var goodErr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			good, goodErr = st.Push(ctx, ClerkC, c, []sync.Mutation{other})
		}()
		res, err := st.Push(ctx, ClerkC, bad, []sync.Mutation{Mutation(sync.OpUpdate, 1, edit)})
		wg.Wait()
		if !errors.Is(err, hub.ErrMoved) || res != nil {
			t.Fatalf("a push at a cursor the hub is not at (%+v): %+v, %v", bad, res, err)
		}
		if goodErr != nil || good[0].Outcome != sync.Applied {
			t.Fatalf("the push beside it: %+v, %v", good, goodErr)
		}
		c = pullAll(t, st, ClerkC, c, v, 1000)
	}
	got := pullAll(t, st, ClerkC, sync.Cursor{}, view{}, 1000)
	if got.Epoch != c.Epoch {
		t.Fatalf("a refused push started a new epoch: %s, was %s", got.Epoch, c.Epoch)
	}
	if res, err := st.Push(ctx, ClerkC, sync.Cursor{}, []sync.Mutation{Mutation(sync.OpUpdate, 1, edit)}); err != nil || res[0].Outcome != sync.Applied {
		t.Fatalf("the refused edit, pushed at the zero cursor: %+v, %v", res, err)
	}
	if now, err := st.Identity(ctx); err != nil || now != id {
		t.Fatalf("the hub's identity after pushes: %q (%v), was %q", now, err, id)
	}
}

// AuditMutation makes the mutation a workstation's outbox carries for one
// row of its audit log.
func AuditMutation(r sync.AuditRow) sync.Mutation {
	body, _ := json.Marshal(r)
	return sync.Mutation{ID: uuid.NewString(), Entity: sync.EntityAudit, EntityID: r.Hash, Op: sync.OpAppend,
		Payload: body, CreatedAt: time.Now().UTC().Format(time.RFC3339)}
}

// ExportRow is a workstation's audit row of a PII export.
var ExportRow = sync.AuditRow{Seq: 7, Hash: strings.Repeat("ab", 32), At: "2026-11-28T15:04:00Z", Action: "export",
	Entity: "report", EntityID: "001", After: `{"Path":"/home/rosa/qa.xlsx","Rows":12,"Stage":"completed"}`}

// testAuditRows: a workstation's export rows are appended to the hub's
// log once, whatever the retries; other rows and damaged ones are refused.
func testAuditRows(t *testing.T, open Open) {
	st := Setup(t, open)
	m := AuditMutation(ExportRow)
	want(t, push(t, st, ClerkC, m)[0], sync.Applied, "")
	want(t, push(t, st, ClerkC, m)[0], sync.Duplicate, "")
	other := ExportRow
	other.Action = "update"
	want(t, push(t, st, ClerkC, AuditMutation(other))[0], sync.Rejected, "not its \"update\" rows")
	lying := AuditMutation(ExportRow)
	lying.EntityID = strings.Repeat("cd", 32)
	want(t, push(t, st, ClerkC, lying)[0], sync.Rejected, "names audit row")
	bad := ExportRow
	bad.EntityID = "00\u202e1"
	want(t, push(t, st, ClerkC, AuditMutation(bad))[0], sync.Rejected, "the entity ID: character 3")
	// encoding/json escapes U+0000 in the workstation's after; one sent as
	// it is would be kept by one back end and refused by the other's
	// database on every retry.
	nul := ExportRow
	nul.After = "{\"Path\":\"/home/rosa/qa\u0000.xlsx\"}"
	want(t, push(t, st, ClerkC, AuditMutation(nul))[0], sync.Rejected, "what the audit row records: character 23 is a control character (U+0000)")
}

// AuditVerifier is a back end whose audit log can be checked: every back
// end must be one (testAuditChain).
type AuditVerifier interface {
	// VerifyAudit checks every row's hash in order and returns how many
	// rows held, or an error naming the first that did not.
	VerifyAudit(ctx context.Context) (int64, error)
}

// testAuditChain: every row the hub writes to its audit log (account
// saves, records pushed, grants, a workstation's export rows) is chained
// to the one before it, so the whole log verifies, and a push after
// another (a new transaction reading the log's end) continues the chain.
func testAuditChain(t *testing.T, open Open) {
	st := Setup(t, open)
	ctx := context.Background()
	v, ok := st.(AuditVerifier)
	if !ok {
		t.Fatalf("%T cannot verify its audit log", st)
	}
	rec := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "111", QAD: "2021-01-01", EED: "2021-06-30", Version: 1}
	upd := rec
	upd.MIS2000ID, upd.Version = "112", 2
	want(t, push(t, st, ClerkC, Mutation(sync.OpCreate, 0, rec), Mutation(sync.OpUpdate, 1, upd))[1], sync.Applied, "")
	if err := st.SetGrant(ctx, Admin, Coord001.Username, "001", true); err != nil {
		t.Fatal(err)
	}
	want(t, push(t, st, ClerkC, AuditMutation(ExportRow))[0], sync.Applied, "")
	renamed := ClerkW
	renamed.FullName = "Wes Long Jr."
	if err := st.SaveAccount(ctx, Admin.Username, hub.Account{User: renamed}); err != nil {
		t.Fatal(err)
	}
	n, err := v.VerifyAudit(ctx)
	if err != nil {
		t.Fatalf("the hub's audit log does not verify after %d rows: %v", n, err)
	}
	// The import (on PostgreSQL), six account saves, two record changes,
	// a grant, an export row and one more save, at least.
	if n < int64(len(Users()))+5 {
		t.Fatalf("%d audit rows verified", n)
	}
}
