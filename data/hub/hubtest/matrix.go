package hubtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/hub"
	"migrantdesk/data/sync"
)

// Disabled is a clerk of region C whose account is disabled.
var Disabled = data.User{Username: "dora", FullName: "Dora Vance", Role: data.RoleClerk, RegionCode: "C"}

// matrixState is State with a pool of students for the access matrix: each
// case takes students of its own, so no case's record meets another's.
// Central's are in Adair (001) and Barren (002), Western's in Calloway
// (003); each has a program and an assessment row.
func matrixState() *data.Extract {
	ex := State()
	for i := range 60 {
		for _, side := range []struct{ prefix, school string }{{"1", []string{"001010", "002010"}[i%2]}, {"2", "003010"}} {
			id := fmt.Sprintf("%s%09d", side.prefix, i)
			ex.Students = append(ex.Students, data.Student{StateID: id, LocalNumber: "M" + id, LastName: "Pool", FirstName: "S" + id,
				BirthDate: day("2012-02-02"), Gender: "F", Race: "1"})
			ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "EM" + id, StateID: id, SchoolNumber: side.school,
				Grade: "05", ServiceType: "P", Start: day("2024-08-10")})
			if side.prefix == "1" {
				// A Central student was in the region's other district
				// too: a district that receives the student receives its
				// own enrollment only.
				other := map[string]string{"001010": "002010", "002010": "001010"}[side.school]
				ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "EN" + id, StateID: id, SchoolNumber: other,
					Grade: "04", ServiceType: "P", Start: day("2023-08-10"), End: day("2025-12-31")})
			}
			ex.Programs = append(ex.Programs, data.Program{StateID: id, Program: "EL", Start: day("2024-08-01")})
			ex.Assessments = append(ex.Assessments, data.Assessment{StateID: id, Subject: "READ", TestDate: day("2025-04-20"), Level: "Novice"})
		}
	}
	return ex
}

// matrixHub is a hub server over a back end, with a signed-in token per
// user of the suite.
type matrixHub struct {
	t      *testing.T
	st     hub.Store
	url    string
	tokens map[string]string
	pool   map[string][]string // region → students no case has taken
}

const matrixPassword = "correct horse battery staple"

func (h *matrixHub) call(method, path, token string, body any) (int, []byte) {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.url+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// student takes a student of region no case has taken yet.
func (h *matrixHub) student(region string) string {
	h.t.Helper()
	if len(h.pool[region]) == 0 {
		h.t.Fatalf("the matrix's pool of region %s is empty", region)
	}
	id := h.pool[region][0]
	h.pool[region] = h.pool[region][1:]
	return id
}

// record is a valid record of a student, made as a workstation makes one.
func record(stateID string) sync.Record {
	return sync.Record{ID: uuid.NewString(), StateID: stateID, MIS2000ID: "424242", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
}

// pullView pulls over HTTP from c until the hub's head into v.
func (h *matrixHub) pullView(token string, c sync.Cursor, v view) (sync.Cursor, int) {
	h.t.Helper()
	for range 1000 {
		q := url.Values{"epoch": {c.Epoch}, "seq": {strconv.FormatInt(c.Seq, 10)}, "mark": {c.Mark},
			"snapshot": {c.Snapshot}, "scope": {c.Scope}, "limit": {"7"}}
		status, body := h.call("GET", "/v1/pull?"+q.Encode(), token, nil)
		if status != http.StatusOK {
			return c, status
		}
		var p sync.Page
		if err := json.Unmarshal(body, &p); err != nil {
			h.t.Fatal(err)
		}
		if p.Snapshot && (c.Snapshot == "" || c.Epoch != p.Next.Epoch) {
			clear(v)
		}
		for _, ch := range p.Changes {
			v.apply(ch)
		}
		c = p.Next
		if !p.More {
			return c, http.StatusOK
		}
	}
	h.t.Fatal("the pull never ended")
	return c, 0
}

// testAccessMatrix runs every endpoint of the HTTP API as every role,
// signed in or not, on rows in and out of the user's scope, through the
// hub's own server on the back end: who may do what, and who receives
// which rows (SPEC §8, issue 9 item 4), decided from the signed-in user
// alone.
func testAccessMatrix(t *testing.T, open Open) {
	st := open(t, matrixState())
	ctx := context.Background()
	hash, err := argon2id.HashPassword(matrixPassword)
	if err != nil {
		t.Fatal(err)
	}
	users := append(Users(), Disabled)
	for _, u := range users {
		if err := st.SaveAccount(ctx, "test", hub.Account{User: u, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(hub.NewServer(st, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	t.Cleanup(srv.Close)
	h := &matrixHub{t: t, st: st, url: srv.URL, tokens: map[string]string{}, pool: map[string][]string{}}
	for _, s := range matrixState().Students {
		if strings.HasPrefix(s.StateID, "1") {
			h.pool["C"] = append(h.pool["C"], s.StateID)
		} else if strings.HasPrefix(s.StateID, "2") {
			h.pool["W"] = append(h.pool["W"], s.StateID)
		}
	}

	// Sign-in: the right password signs in every enabled account; a wrong
	// one and a disabled account get the same refusal.
	// (One wrong password only: the hub slows an address's failures.)
	if status, _ := h.call("POST", "/v1/signin", "", sync.SignInRequest{Username: ClerkC.Username, Password: "wrong password"}); status != http.StatusUnauthorized {
		t.Errorf("signin with a wrong password: %d", status)
	}
	for _, u := range users {
		status, body := h.call("POST", "/v1/signin", "", sync.SignInRequest{Username: u.Username, Password: matrixPassword})
		var res sync.SignInResponse
		json.Unmarshal(body, &res)
		if status != http.StatusOK || res.Token == "" || res.User.Username != u.Username {
			t.Fatalf("signin of %s: %d %s", u.Username, status, body)
		}
		h.tokens[u.Username] = res.Token
	}
	// Dora signed in before her account was disabled: that ends it.
	if err := st.Disable(ctx, "test", Disabled.Username); err != nil {
		t.Fatal(err)
	}
	if status, _ := h.call("POST", "/v1/signin", "", sync.SignInRequest{Username: Disabled.Username, Password: matrixPassword}); status != http.StatusUnauthorized {
		t.Errorf("signin of a disabled account: %d", status)
	}

	// Every user's first sync, before the pushes, so that their feeds
	// carry the changes the pushes make.
	type actor struct {
		user   data.User
		token  string
		in     string // the region of the students in the user's scope
		out    string // the region of the students outside it
		signed bool   // the token signs in
	}
	actors := []actor{
		{user: ClerkC, in: "C", out: "W", signed: true},
		{user: ClerkW, in: "W", out: "C", signed: true},
		{user: Coord001, in: "C", out: "W", signed: true},
		{user: Coord003, in: "W", out: "C", signed: true},
		{user: DAdmin001, in: "C", out: "W", signed: true},
		{user: Admin, in: "C", out: "W", signed: true},
		{user: Disabled, in: "C", out: "W"},
		{user: data.User{Username: "(no token)"}, in: "C", out: "W"},
	}
	views, cursors := map[string]view{}, map[string]sync.Cursor{}
	for i := range actors {
		a := &actors[i]
		a.token = h.tokens[a.user.Username]
		views[a.user.Username] = view{}
		c, status := h.pullView(a.token, sync.Cursor{}, views[a.user.Username])
		if want := map[bool]int{true: http.StatusOK, false: http.StatusUnauthorized}[a.signed]; status != want {
			t.Errorf("%s's pull: %d, want %d", a.user.Username, status, want)
		}
		cursors[a.user.Username] = c
	}

	// Pushes of each kind, in and out of scope.
	type pushCase struct {
		op   string
		side string // "in" or "out"
	}
	var cases []pushCase
	// Revokes before grants, so that the grants stay for the pulls.
	for _, op := range []string{sync.OpCreate, sync.OpUpdate, sync.OpDelete, sync.OpPublish, sync.OpRevoke, sync.OpGrant} {
		cases = append(cases, pushCase{op, "in"}, pushCase{op, "out"})
	}
	for _, a := range actors {
		for _, c := range cases {
			name := fmt.Sprintf("%s/%s/%s", a.user.Username, c.op, c.side)
			var m sync.Mutation
			var wantOutcome sync.Outcome
			var wantReason string
			switch c.op {
			case sync.OpGrant, sync.OpRevoke:
				// In scope: a coordinator of the user's own district
				// (Adair's for everyone but Calloway's coordinator).
				target, district := Coord001, "001"
				if a.user.Username == Coord003.Username {
					target, district = Coord003, "003"
				}
				if c.side == "out" {
					target, district = Coord003, "003"
					if a.user.Username == Coord003.Username {
						target, district = Coord001, "001"
					}
				}
				m = GrantMutation(c.op, target.Username, district)
				switch {
				case a.user.Role == data.RoleStateAdmin, a.user.Role == data.RoleDistrictAdmin && c.side == "in":
					wantOutcome = sync.Applied
				default:
					wantOutcome, wantReason = sync.Rejected, "only its district administrator can"
				}
			default:
				region := a.in
				if c.side == "out" {
					region = a.out
				}
				r := record(h.student(region))
				m = Mutation(c.op, 0, r)
				if c.op != sync.OpCreate {
					// The record exists on the hub, made by the state
					// administrator.
					want(t, push(t, st, Admin, Mutation(sync.OpCreate, 0, r))[0], sync.Applied, "")
					next := r
					if c.op != sync.OpPublish {
						next.Version = 2 // an edit or a delete makes the next version
					}
					m = Mutation(c.op, 1, next)
				}
				switch {
				case a.user.Role == data.RoleStateAdmin, a.user.Role == data.RoleClerk && c.side == "in":
					wantOutcome = sync.Applied
				case a.user.Role == data.RoleClerk:
					wantOutcome, wantReason = sync.Rejected, "not in your region"
				default:
					wantOutcome, wantReason = sync.Rejected, "read-only"
				}
			}
			status, body := h.call("POST", "/v1/push", a.token, sync.PushRequest{Mutations: []sync.Mutation{m}})
			if !a.signed {
				if status != http.StatusUnauthorized {
					t.Errorf("%s: a push without a live sign-in answered %d %s", name, status, body)
				}
				continue
			}
			var res sync.PushResponse
			if err := json.Unmarshal(body, &res); status != http.StatusOK || err != nil || len(res.Results) != 1 {
				t.Errorf("%s: %d %s", name, status, body)
				continue
			}
			if r := res.Results[0]; r.Outcome != wantOutcome || !strings.Contains(r.Reason, wantReason) {
				t.Errorf("%s: %s %q, want %s with %q", name, r.Outcome, r.Reason, wantOutcome, wantReason)
			}
		}
	}

	// Each user's feed, and then a fresh snapshot, holds exactly their
	// scope as the state administrator's whole view defines it.
	all := view{}
	h.pullView(h.tokens[Admin.Username], sync.Cursor{}, all)
	for _, a := range actors {
		if !a.signed {
			continue
		}
		u := a.user.Username
		h.pullView(a.token, cursors[u], views[u])
		fresh := view{}
		h.pullView(a.token, sync.Cursor{}, fresh)
		for kind, v := range map[string]view{"feed": views[u], "snapshot": fresh} {
			checkScope(t, u+"'s "+kind, a.user, all, v)
		}
	}

	// A student leaves a district when the last record published to it is
	// deleted: gone from the coordinator's next pull.
	r := record(h.student("C"))
	for _, m := range []sync.Mutation{Mutation(sync.OpCreate, 0, r), Mutation(sync.OpPublish, 1, r)} {
		want(t, push(t, st, Admin, m)[0], sync.Applied, "")
	}
	{
		u := Coord001.Username
		cursors[u], _ = h.pullView(h.tokens[u], cursors[u], views[u])
		if !views[u].has("students", r.StateID) {
			t.Fatalf("%s did not receive a student published to the district", u)
		}
		gone := r
		gone.Version = 2
		want(t, push(t, st, Admin, Mutation(sync.OpDelete, 1, gone))[0], sync.Applied, "")
		h.pullView(h.tokens[u], cursors[u], views[u])
		for _, table := range []string{"students", "enrollments", "programs", "assessments"} {
			for k, row := range views[u][table] {
				if row["state_id"] == r.StateID {
					t.Errorf("%s still holds %s %s after the student's only published record was deleted", u, table, k)
				}
			}
		}
	}

	// Health needs no sign-in; signing out ends the token.
	for _, a := range actors {
		if status, _ := h.call("GET", "/healthz", a.token, nil); status != http.StatusOK {
			t.Errorf("healthz as %s: %d", a.user.Username, status)
		}
		status, _ := h.call("POST", "/v1/signout", a.token, nil)
		if want := map[bool]int{true: http.StatusOK, false: http.StatusUnauthorized}[a.signed]; status != want {
			t.Errorf("signout of %s: %d, want %d", a.user.Username, status, want)
		}
		if _, status := h.pullView(a.token, sync.Cursor{}, view{}); status != http.StatusUnauthorized {
			t.Errorf("%s's pull after signing out: %d", a.user.Username, status)
		}
	}
}

// placesOf are the districts of a student's enrollments in a full view.
func placesOf(all view, stateID string) []string {
	var out []string
	for _, e := range all["enrollments"] {
		if e["state_id"] == stateID {
			out = append(out, all["schools"][e["school_number"]]["district_number"])
		}
	}
	return out
}

// checkScope compares what a user holds with their scope, worked out from
// the full view: a clerk, their region's students (and those enrolled
// nowhere) with all their rows and records; a coordinator or district
// administrator, the students of the live records published to their
// districts, only their enrollments in those districts, their programs
// and assessments, those records and copies, and their districts' grants;
// a state administrator, everything. Everyone holds the places and the
// user directory.
func checkScope(t *testing.T, who string, u data.User, all, got view) {
	t.Helper()
	wantRows := view{}
	keep := func(table string, ok func(row map[string]string) bool) {
		wantRows[table] = map[string]map[string]string{}
		for k, row := range all[table] {
			if ok(row) {
				wantRows[table][k] = row
			}
		}
	}
	everything := func(map[string]string) bool { return true }
	for _, table := range []string{"regions", "districts", "schools", "users", "user_districts"} {
		keep(table, everything)
	}
	districtOf := func(school string) string { return all["schools"][school]["district_number"] }
	regionOf := func(district string) string { return all["districts"][district]["region_code"] }
	switch u.Role {
	case data.RoleStateAdmin:
		for _, table := range sync.Tables() {
			keep(table, everything)
		}
	case data.RoleClerk:
		in := map[string]bool{}
		for _, s := range all["students"] {
			places := placesOf(all, s["state_id"])
			if len(places) == 0 || slices.ContainsFunc(places, func(d string) bool { return regionOf(d) == u.RegionCode }) {
				in[s["state_id"]] = true
			}
		}
		for _, table := range []string{"students", "enrollments", "programs", "assessments", "migrant_records"} {
			keep(table, func(row map[string]string) bool { return in[row["state_id"]] && row["deleted"] != "1" })
		}
		keep("published", func(row map[string]string) bool { return wantRows["migrant_records"][row["record_id"]] != nil })
		keep("report_grants", func(map[string]string) bool { return false })
	default:
		mine := func(d string) bool { return slices.Contains(u.OwnDistricts(), d) }
		keep("published", func(row map[string]string) bool {
			r := all["migrant_records"][row["record_id"]]
			return mine(row["district_number"]) && r != nil && r["deleted"] != "1"
		})
		in := map[string]bool{}
		records := map[string]bool{}
		for _, p := range wantRows["published"] {
			records[p["record_id"]] = true
			in[all["migrant_records"][p["record_id"]]["state_id"]] = true
		}
		keep("migrant_records", func(row map[string]string) bool { return records[row["id"]] })
		for _, table := range []string{"students", "programs", "assessments"} {
			keep(table, func(row map[string]string) bool { return in[row["state_id"]] })
		}
		keep("enrollments", func(row map[string]string) bool { return in[row["state_id"]] && mine(districtOf(row["school_number"])) })
		keep("report_grants", func(row map[string]string) bool { return mine(row["district_number"]) })
	}
	for _, table := range sync.Tables() {
		if w, g := wantRows.live(table), got.live(table); !slices.Equal(w, g) {
			t.Errorf("%s %s: holds %v, its scope is %v", who, table, g, w)
		}
	}
}
