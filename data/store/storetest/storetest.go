// Package storetest is the shared test fixture of the workstation store: a
// small state made by hand, opened on a temporary file with a fixed clock,
// one user of each role, and helpers that let a test count rows or make
// the database refuse writes without writing SQL against the schema.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// Students of the fixture, by state ID.
const (
	Maria      = "1000000001" // García López, María José: Adair (001, Central), FRAM F, Math and Reading levels
	HernandezA = "1000000002" // Hernandez, Maria, born 2011: Barren (002, Central)
	HernandezB = "1000000003" // Hernandez, Maria, born 2014: Calloway (003, Western)
	Ana        = "1000000004" // Núñez, Ana: Adair until 12/19/2025, then Calloway
	Sean       = "1000000005" // O'Neil, Sean: St. Mary Academy, a private school in Adair
	Tomas      = "1000000006" // Ruiz, Tomás: out-of-school youth, enrolled nowhere
)

// Usernames of the fixture's users: one of each role, and a clerk of
// each region.
const (
	Admin         = "admin"   // Pat Moore, state administrator
	Clerk         = "clerk1"  // Lucía Ramos, clerk of Central (C)
	ClerkWest     = "clerk2"  // Rosa Delgado, clerk of Western (W)
	Coordinator   = "coord1"  // Cora Díaz, coordinator of Adair (001) and Calloway (003)
	DistrictAdmin = "dadmin1" // Dan Moss, administrator of Adair (001)
)

// Now is the fixture's clock: every change Open's store makes is stamped
// with it.
func Now() time.Time { return time.Date(2026, time.November, 29, 12, 0, 0, 0, time.UTC) }

// Extract is the fixture's state: two regions, three districts, a private
// school and six students, two of them called Maria Hernandez.
func Extract() *data.Extract {
	day := func(y int, m time.Month, d int) data.Date { return data.NewDate(y, m, d) }
	return &data.Extract{
		Regions: []data.Region{{Code: "C", Name: "Central"}, {Code: "W", Name: "Western"}},
		Districts: []data.District{
			{Number: "001", Name: "Adair County", RegionCode: "C"},
			{Number: "002", Name: "Barren County", RegionCode: "C"},
			{Number: "003", Name: "Calloway County", RegionCode: "W"},
		},
		Schools: []data.School{
			{Number: "001010", DistrictNumber: "001", Name: "Adair Elementary", Classification: "A1"},
			{Number: "002010", DistrictNumber: "002", Name: "Barren Middle", Classification: "A1"},
			{Number: "003010", DistrictNumber: "003", Name: "Calloway Elementary", Classification: "A1"},
			{Number: "001900", DistrictNumber: "001", Name: "St. Mary Academy", Classification: "J1"},
		},
		Students: []data.Student{
			{StateID: Maria, LocalNumber: "L1", LastName: "García López", FirstName: "María", MiddleName: "José", BirthDate: day(2012, 5, 5), Gender: "F", Race: "1"},
			{StateID: HernandezA, LocalNumber: "L2", LastName: "Hernandez", FirstName: "Maria", BirthDate: day(2011, 2, 2), Gender: "F", Race: "1"},
			{StateID: HernandezB, LocalNumber: "L3", LastName: "Hernandez", FirstName: "Maria", BirthDate: day(2014, 9, 9), Gender: "F", Race: "1"},
			{StateID: Ana, LocalNumber: "L4", LastName: "Núñez", FirstName: "Ana", BirthDate: day(2010, 1, 20), Gender: "F", Race: "1"},
			{StateID: Sean, LocalNumber: "L5", LastName: "O'Neil", FirstName: "Sean", BirthDate: day(2011, 3, 3), Gender: "M", Race: "6"},
			{StateID: Tomas, LocalNumber: "L6", LastName: "Ruiz", FirstName: "Tomás", BirthDate: day(2008, 7, 7), Gender: "M", Race: "1"},
		},
		Enrollments: []data.Enrollment{
			{ID: "E1", StateID: Maria, SchoolNumber: "001010", Grade: "06", ServiceType: "P", Start: day(2024, 8, 10)},
			{ID: "E2", StateID: HernandezA, SchoolNumber: "002010", Grade: "08", ServiceType: "P", Start: day(2024, 8, 10)},
			{ID: "E3", StateID: HernandezB, SchoolNumber: "003010", Grade: "05", ServiceType: "P", Start: day(2024, 8, 10)},
			{ID: "E4", StateID: Ana, SchoolNumber: "001010", Grade: "09", ServiceType: "P", Start: day(2024, 8, 10), End: day(2025, 12, 19)},
			{ID: "E5", StateID: Ana, SchoolNumber: "003010", Grade: "09", ServiceType: "P", Start: day(2026, 1, 5)},
			{ID: "E6", StateID: Sean, SchoolNumber: "001900", Grade: "08", ServiceType: "P", Start: day(2024, 8, 10)},
		},
		Programs: []data.Program{
			{StateID: Maria, Program: data.ProgramFRAM, Code: data.MealsFree, Start: day(2024, 8, 1)},
		},
		Assessments: []data.Assessment{
			{StateID: Maria, Subject: data.SubjectMath, TestDate: day(2025, 4, 20), Level: "Apprentice"},
			{StateID: Maria, Subject: data.SubjectReading, TestDate: day(2025, 4, 21), Level: "Proficient"},
		},
	}
}

// Users are the fixture's users.
func Users() []data.User {
	return []data.User{
		{Username: Admin, FullName: "Pat Moore", Role: data.RoleStateAdmin},
		{Username: Clerk, FullName: "Lucía Ramos", Role: data.RoleClerk, RegionCode: "C"},
		{Username: ClerkWest, FullName: "Rosa Delgado", Role: data.RoleClerk, RegionCode: "W"},
		{Username: Coordinator, FullName: "Cora Díaz", Role: data.RoleCoordinator, Districts: []string{"001", "003"}},
		{Username: DistrictAdmin, FullName: "Dan Moss", Role: data.RoleDistrictAdmin, DistrictNumber: "001", Email: "dan@adair.example"},
	}
}

// User is the fixture's user with that username; an unknown name is a
// mistake in the test and panics.
func User(username string) data.User {
	for _, u := range Users() {
		if u.Username == username {
			return u
		}
	}
	panic(fmt.Sprintf("storetest: the fixture has no user %q", username))
}

// Open returns a store on a new database in the test's temporary folder,
// holding Extract and Users, with its clock at Now. It is closed when the
// test ends.
func Open(t testing.TB) *store.Store {
	t.Helper()
	st := OpenEmpty(t)
	ctx := context.Background()
	if _, err := st.ImportExtract(ctx, Extract(), "tester"); err != nil {
		t.Fatal(err)
	}
	for _, u := range Users() {
		if err := st.SaveUser(ctx, "tester", u); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// OpenEmpty is Open without the state and the users: a new workstation.
func OpenEmpty(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.SetClock(Now)
	return st
}

// Day is a date written YYYY-MM-DD or MM/DD/YYYY in a test.
func Day(t testing.TB, s string) data.Date {
	t.Helper()
	d, err := data.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Record is a new migrant record of a student as a clerk types it; an
// empty eed leaves the EED for the store to work out.
func Record(t testing.TB, stateID, mis2000ID, qad, eed string) data.MigrantRecord {
	t.Helper()
	r := data.MigrantRecord{StateID: stateID, MIS2000ID: mis2000ID, QAD: Day(t, qad)}
	if eed != "" {
		r.EED = Day(t, eed)
	}
	return r
}

// Counts are how many rows the database holds of each kind a write
// leaves behind.
type Counts struct {
	Records   int // live migrant records
	Deleted   int // tombstones of deleted records
	Copies    int // published district copies
	Outbox    int // mutations, pushed or not
	Pending   int // mutations waiting for the hub
	Audit     int // audit log rows
	Conflicts int // conflicts to resolve
	Grants    int // report grants
}

// CountRows counts the rows of st's database.
func CountRows(t testing.TB, st *store.Store) Counts {
	t.Helper()
	db := raw(t, st)
	defer db.Close()
	var c Counts
	err := db.QueryRow(`SELECT
		(SELECT count(*) FROM migrant_records WHERE deleted = 0),
		(SELECT count(*) FROM migrant_records WHERE deleted = 1),
		(SELECT count(*) FROM published),
		(SELECT count(*) FROM outbox),
		(SELECT count(*) FROM outbox WHERE state = 'pending'),
		(SELECT count(*) FROM audit),
		(SELECT count(*) FROM conflicts),
		(SELECT count(*) FROM report_grants)`).
		Scan(&c.Records, &c.Deleted, &c.Copies, &c.Outbox, &c.Pending, &c.Audit, &c.Conflicts, &c.Grants)
	if err != nil {
		t.Fatalf("count the rows of %s: %v", st.Path(), err)
	}
	return c
}

// DiskFull is the error text a write refused by FailWrites carries.
const DiskFull = "database or disk is full"

// FailWrites makes st refuse every write, as a full disk would (the
// error says DiskFull), until the returned function is called or the test
// ends: each change the app makes writes an audit row last, and the
// database refuses it, so the whole transaction rolls back.
func FailWrites(t testing.TB, st *store.Store) (heal func()) {
	t.Helper()
	return FailWritesTo(t, st, "audit")
}

// FailWritesTo is FailWrites for the writes that insert into one table,
// such as meta, which a pulled page writes last (its cursor) and which
// takes no audit row.
func FailWritesTo(t testing.TB, st *store.Store, table string) (heal func()) {
	t.Helper()
	db := raw(t, st)
	trigger := "storetest_fail_" + table
	if _, err := db.Exec(`CREATE TRIGGER ` + trigger + ` BEFORE INSERT ON ` + table +
		` BEGIN SELECT RAISE(ABORT, '` + DiskFull + `'); END`); err != nil {
		db.Close()
		t.Fatalf("make %s refuse writes: %v", table, err)
	}
	var once gosync.Once
	heal = func() {
		once.Do(func() {
			defer db.Close()
			if _, err := db.Exec(`DROP TRIGGER ` + trigger); err != nil {
				t.Errorf("make %s take writes again: %v", table, err)
			}
		})
	}
	t.Cleanup(heal)
	return heal
}

// raw opens a second connection to st's database file, beside the
// store's own, for what no store method does.
func raw(t testing.TB, st *store.Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: st.Path()}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}
