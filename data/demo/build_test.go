package demo

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

func TestBuild(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := Config{Students: 2000, Seed: 5}
	sum, err := Build(ctx, st, cfg, "tester")
	if err != nil {
		t.Fatal(err)
	}
	state := state(t, 2000, 5)
	if sum.Extract.Students != 2000 || sum.Records != len(state.Records) {
		t.Errorf("summary: %d students, %d records; generated %d records", sum.Extract.Students, sum.Records, len(state.Records))
	}
	for key, want := range map[string]string{store.MetaDemo: "1", store.MetaDemoSeed: "5", MetaVersion: Version} {
		if got, err := st.Meta(ctx, key); err != nil || got != want {
			t.Errorf("meta %s = %q, %v; want %q", key, got, err, want)
		}
	}

	clerks := map[string]data.User{}
	for _, u := range state.Users {
		if u.Role == data.RoleClerk {
			clerks[u.Username] = u
		}
	}
	regions := studentRegions(state)
	statuses := map[data.Status]int{}
	by := map[string]int{}
	seen := map[string]bool{}
	for _, r := range state.Records {
		if seen[r.StateID] {
			continue
		}
		seen[r.StateID] = true
		recs, err := st.StudentRecords(ctx, r.StateID)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			statuses[rec.Status]++
			names := []string{rec.CreatedBy, rec.UpdatedBy}
			if rec.Status != data.StatusSaved {
				names = append(names, rec.PublishedBy)
			}
			for _, c := range rec.Copies {
				names = append(names, c.By)
			}
			for _, name := range names {
				clerk, ok := clerks[name]
				if ok && name == rec.CreatedBy && clerk.MayWriteRecords(r.StateID, regions[r.StateID], nil) == nil {
					continue
				}
				t.Fatalf("record %s of student %s (enrolled in %v) is by %q, %q, %q: want one clerk who may write it",
					rec.ID, r.StateID, regions[r.StateID], rec.CreatedBy, rec.UpdatedBy, rec.PublishedBy)
			}
			by[rec.CreatedBy]++
		}
	}
	if len(by) != len(clerks) {
		t.Errorf("records by clerk: %v; want some by each of the %d clerks", by, len(clerks))
	}
	if statuses[data.StatusSaved] == 0 || statuses[data.StatusPublished] == 0 || statuses[data.StatusNeedsPublishing] == 0 {
		t.Errorf("records by status: %v; want saved, published and needs-publishing ones", statuses)
	}
	if statuses[data.StatusNeedsPublishing] != sum.Edited || sum.Edited < 3 {
		t.Errorf("%d records need publishing, the summary says %d were edited", statuses[data.StatusNeedsPublishing], sum.Edited)
	}

	users, err := st.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]int{}
	for _, u := range users {
		roles[u.Role]++
	}
	for _, role := range data.Roles() {
		if roles[role] == 0 {
			t.Errorf("no user with role %s: %v", role, roles)
		}
	}

	// Coordinators of the two largest districts have the report; those of
	// the next two do not, and are told whom to ask.
	access := map[bool]int{}
	for _, u := range users {
		if u.Role != data.RoleCoordinator || len(u.Districts) != 1 {
			continue
		}
		d, err := st.District(ctx, u.Districts[0])
		if err != nil {
			t.Fatal(err)
		}
		acc, err := st.CanRunReport(ctx, u, d)
		if err != nil {
			t.Fatal(err)
		}
		access[acc.Allowed]++
		if !acc.Allowed && !strings.Contains(acc.Why, "Ask your district administrator") {
			t.Errorf("coordinator %s without the grant is told %q", u.Username, acc.Why)
		}
	}
	if access[true] != 2 || access[false] != 2 {
		t.Errorf("coordinators with and without the report: %v, want 2 and 2", access)
	}

	var out bytes.Buffer
	if _, err := sum.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2000 students", "rosa.delgado", "Rosa Delgado — Central", "Done in"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}

	if _, err := Build(ctx, st, cfg, "tester"); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("a second build into the same database: got %v, want ErrNotEmpty", err)
	}
}

func TestBuildRefusesAFutureToday(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	future := data.DateOf(time.Now().AddDate(0, 1, 0))
	_, err = Build(context.Background(), st, Config{Students: 500, Seed: 1, Today: future}, "tester")
	if err == nil || !strings.Contains(err.Error(), "after today") {
		t.Fatalf("got %v, want a refusal of a reference day after today", err)
	}
}

// studentRegions is where each student of st is enrolled, as the store
// gives it to data.User.MayWriteRecords.
func studentRegions(st *State) map[string]data.StudentRegions {
	ix := index(st)
	out := map[string]data.StudentRegions{}
	for id, es := range ix.enrollments {
		for _, e := range es {
			if r := ix.districts[ix.schools[e.SchoolNumber].DistrictNumber].RegionCode; !slices.Contains(out[id], r) {
				out[id] = append(out[id], r)
			}
		}
	}
	return out
}
