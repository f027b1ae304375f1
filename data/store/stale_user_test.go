package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync"
)

// A window, a dialog or a command keeps the user it was opened for, and
// the app puts off following a change of access while something is
// open; a sync meanwhile may have brought the hub's change of the
// user's role, region or districts. Every write the user decides is
// decided for them as the database has them when it is written: one
// refused says the access changed, and writes nothing.
func TestWritesAreDecidedForTheUserAsTheDatabaseHasThem(t *testing.T) {
	ctx := context.Background()
	theirs := sync.Record{MIS2000ID: "333", QAD: "2025-10-01", EED: "2028-09-30", Version: 4}
	// Each write is readied by the clerk of Central as the caller knew
	// them, and made for María, a student of Adair (001, Central).
	writes := []struct {
		name  string
		ready func(t *testing.T, st *store.Store) func(u data.User) error
	}{
		{"save a new record", func(t *testing.T, st *store.Store) func(data.User) error {
			return func(u data.User) error {
				_, err := st.SaveRecord(ctx, u, storetest.Record(t, storetest.Maria, "111", "2025-09-01", ""))
				return err
			}
		}},
		{"save an edit", func(t *testing.T, st *store.Store) func(data.User) error {
			edit := saved(t, st).MigrantRecord
			edit.MIS2000ID = "222"
			return func(u data.User) error {
				_, err := st.SaveRecord(ctx, u, edit)
				return err
			}
		}},
		{"delete", func(t *testing.T, st *store.Store) func(data.User) error {
			r := saved(t, st)
			return func(u data.User) error { return st.DeleteRecord(ctx, u, r.ID, r.Version) }
		}},
		{"publish", func(t *testing.T, st *store.Store) func(data.User) error {
			r := saved(t, st)
			return func(u data.User) error {
				_, err := st.Publish(ctx, u, []string{r.ID}, nil)
				return err
			}
		}},
		{"load records in bulk", func(t *testing.T, st *store.Store) func(data.User) error {
			return func(u data.User) error {
				_, err := st.ImportRecords(ctx, u, []data.MigrantRecord{storetest.Record(t, storetest.Maria, "111", "2025-09-01", "")}, true)
				return err
			}
		}},
		{"keep a draft", func(t *testing.T, st *store.Store) func(data.User) error {
			return func(u data.User) error {
				return st.KeepDraft(ctx, u, store.Draft{StateID: storetest.Maria, MIS2000ID: "12", QAD: "09/01/2025"})
			}
		}},
		{"keep mine", func(t *testing.T, st *store.Store) func(data.User) error {
			r := conflicted(t, st, theirs)
			return func(u data.User) error { return st.KeepMine(ctx, u, r.ID, theirs.Version) }
		}},
		{"keep a merge", func(t *testing.T, st *store.Store) func(data.User) error {
			r := conflicted(t, st, theirs)
			m := data.MigrantRecord{ID: r.ID, MIS2000ID: "222", QAD: storetest.Day(t, "2025-10-01"), Version: theirs.Version}
			return func(u data.User) error { return st.KeepMerged(ctx, u, m) }
		}},
		{"keep theirs", func(t *testing.T, st *store.Store) func(data.User) error {
			r := conflicted(t, st, theirs)
			return func(u data.User) error { return st.KeepTheirs(ctx, u, r.ID) }
		}},
		{"look at a district", func(t *testing.T, st *store.Store) func(data.User) error {
			return func(u data.User) error {
				_, _, err := st.LookAtDistrict(ctx, u, "002")
				return err
			}
		}},
	}
	clerk := storetest.User(storetest.Clerk)
	changes := []struct {
		name   string
		change func(t *testing.T, st *store.Store)
	}{
		{"made a coordinator", func(t *testing.T, st *store.Store) { changeUser(t, st, storetest.Clerk, madeCoordinator) }},
		{"moved to Western", func(t *testing.T, st *store.Store) {
			changeUser(t, st, storetest.Clerk, func(u *data.User) { u.RegionCode = "W" })
		}},
		{"gone from the hub's users", func(t *testing.T, st *store.Store) {
			if err := st.SetIdentity(ctx, store.Identity{HubURL: "https://hub.example", User: clerk, Verifier: "v"}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB().Exec(`DELETE FROM users WHERE username = ?`, clerk.Username); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, w := range writes {
		for _, c := range changes {
			t.Run(w.name+", "+c.name, func(t *testing.T) {
				st := storetest.Open(t)
				write := w.ready(t, st)
				c.change(t, st)
				before, local := storetest.CountRows(t, st), localRows(t, st)
				err := write(clerk)
				if !errors.Is(err, data.ErrAccess) || !strings.Contains(err.Error(), "your access changed at the last sync: ") {
					t.Fatalf("made for the clerk as the caller had them: %v", err)
				}
				if after := storetest.CountRows(t, st); after != before {
					t.Errorf("the refused write wrote %+v, had %+v", after, before)
				}
				if after := localRows(t, st); after != local {
					t.Errorf("the refused write left drafts and looks %v, had %v", after, local)
				}
			})
		}
	}
}

// changeUser changes a user of the fixture in the users table, as a sync
// bringing an administrator's change at the hub does, and returns the
// user as a caller that read them before has them.
func changeUser(t *testing.T, st *store.Store, username string, change func(*data.User)) data.User {
	t.Helper()
	was := storetest.User(username)
	now := was
	change(&now)
	if err := st.SaveUser(context.Background(), storetest.Admin, now); err != nil {
		t.Fatal(err)
	}
	return was
}

func madeCoordinator(u *data.User) {
	u.Role, u.RegionCode, u.Districts = data.RoleCoordinator, "", []string{"001"}
}

// saved is a record of María saved by the clerk of Central.
func saved(t *testing.T, st *store.Store) store.Record {
	t.Helper()
	r, err := st.SaveRecord(context.Background(), storetest.User(storetest.Clerk), storetest.Record(t, storetest.Maria, "111", "2025-09-01", ""))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// localRows counts what a write keeps on this workstation only: drafts
// and the looks at district windows.
func localRows(t *testing.T, st *store.Store) [2]int {
	return [2]int{count(t, st, `SELECT count(*) FROM drafts`), count(t, st, `SELECT count(*) FROM district_looks`)}
}

// The access a change is decided with is the database's, both ways: a
// clerk moved to the student's region by a sync may save though the
// caller still knew them in another, and the person at the computer of a
// database that never synced (data.Operator, not among its users) works
// as given.
func TestWritesFollowTheDatabaseBothWays(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	west := changeUser(t, st, storetest.ClerkWest, func(u *data.User) { u.RegionCode = "C" })
	r, err := st.SaveRecord(ctx, west, storetest.Record(t, storetest.Maria, "111", "2025-09-01", ""))
	if err != nil {
		t.Fatalf("a clerk moved to Central saving a record of Central: %v", err)
	}
	if _, err := st.Publish(ctx, data.Operator("pat"), []string{r.ID}, nil); err != nil {
		t.Fatalf("the operator of a database that never synced: %v", err)
	}
}

// The extract is loaded, on a database that does not sync, by whom its
// users say may.
func TestLoadExtractIsDecidedForTheUserAsTheDatabaseHasThem(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	if err := st.SetMeta(ctx, store.MetaClerksImport, "1"); err != nil {
		t.Fatal(err)
	}
	clerk := changeUser(t, st, storetest.Clerk, madeCoordinator)
	before := storetest.CountRows(t, st)
	x := storetest.Extract()
	x.Students[0].LastName = "Changed"
	_, err := st.LoadExtract(ctx, clerk, func(l *store.ExtractLoad) error { return x.Put(l) })
	if !errors.Is(err, data.ErrAccess) || !strings.Contains(err.Error(), "your access changed at the last sync: ") {
		t.Fatalf("a load by a clerk since made a coordinator: %v", err)
	}
	if n := count(t, st, `SELECT count(*) FROM students WHERE last_name = 'Changed'`); n != 0 {
		t.Errorf("the refused load changed %d students", n)
	}
	if after := storetest.CountRows(t, st); after != before {
		t.Errorf("the refused load wrote %+v, had %+v", after, before)
	}
}

// The sync that moves a clerk to another region takes the students of
// the old one from this computer: a record of one, typed before, is
// refused as of a student the clerk no longer serves, not as a mistyped
// state ID.
func TestAWriteOfAStudentTheSyncTookAwaySaysWhy(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	clerk := changeUser(t, st, storetest.Clerk, func(u *data.User) { u.RegionCode = "W" })
	for _, table := range []string{"enrollments", "programs", "assessments", "name_tokens", "district_students", "students"} {
		if _, err := st.DB().Exec(`DELETE FROM `+table+` WHERE state_id = ?`, storetest.Maria); err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "111", "2025-09-01", ""))
	if !errors.Is(err, data.ErrAccess) || !strings.Contains(err.Error(), "your access changed at the last sync: ") ||
		!strings.Contains(err.Error(), "no longer holds") {
		t.Fatalf("a record of a student the sync took away: %v", err)
	}
	west := clerk
	west.RegionCode = "W"
	if _, err := st.SaveRecord(ctx, west, storetest.Record(t, storetest.Maria, "111", "2025-09-01", "")); !errors.Is(err, store.ErrNoStudent) || errors.Is(err, data.ErrAccess) {
		t.Fatalf("a record of a student not here, for a clerk whose access did not change: %v", err)
	}
}

// A snapshot under way has taken the users away with the rest of the
// scope until its last pages: meanwhile the database's identity (the
// access the hub gave the user at their last sign-in or whole sync)
// decides for the signed-in user, and refuses what it does not allow.
// Once the snapshot is whole, a user the hub no longer lists is refused.
func TestWhileASnapshotBringsTheUsersTheIdentityDecides(t *testing.T) {
	ctx := context.Background()
	clerk := storetest.User(storetest.Clerk)
	coordinator := clerk
	madeCoordinator(&coordinator)
	for _, c := range []struct {
		name     string
		identity data.User
		cursor   sync.Cursor
		refusal  string // "" for allowed
	}{
		{"the clerk signed in, a snapshot under way", clerk, sync.Cursor{Epoch: "e", Snapshot: "s"}, ""},
		{"made a coordinator at the last sign-in, a snapshot under way", coordinator, sync.Cursor{Epoch: "e", Snapshot: "s"},
			"your access changed at the last sync: Lucía Ramos (District coordinator) may not change the migrant records"},
		{"the clerk signed in, the snapshot whole", clerk, sync.Cursor{Epoch: "e", Seq: 9},
			"your access changed at the last sync: Lucía Ramos (Regional data clerk) may not work in this database"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := storetest.Open(t)
			if err := st.SetIdentity(ctx, store.Identity{HubURL: "https://hub.example", User: c.identity, Verifier: "v"}); err != nil {
				t.Fatal(err)
			}
			if err := st.SetMeta(ctx, store.MetaCursor, toJSON(t, c.cursor)); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DB().Exec(`DELETE FROM users WHERE username = ?`, clerk.Username); err != nil {
				t.Fatal(err)
			}
			_, err := st.SaveRecord(ctx, clerk, storetest.Record(t, storetest.Maria, "111", "2025-09-01", ""))
			switch {
			case c.refusal == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.refusal != "" && (!errors.Is(err, data.ErrAccess) || !strings.HasPrefix(err.Error(), c.refusal)):
				t.Fatalf("not refused as it should: %v", err)
			}
		})
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
