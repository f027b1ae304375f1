package hubtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	gosync "sync"
	"testing"

	"github.com/google/uuid"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/sync"
)

// Broken is a student whose birth date the hub cannot read: a push that
// writes a record for them fails as a whole, with an error that is no
// mutation's answer (the poisoned push of testConcurrentPushes).
const Broken = "0000000005"

// brokenState is State() with Broken, enrolled in Adair (region C).
func brokenState() *data.Extract {
	ex := State()
	ex.Students = append(ex.Students, data.Student{StateID: Broken, LocalNumber: "L5", LastName: "Vega", FirstName: "Eva", Gender: "F", Race: "1"})
	ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: "E5", StateID: Broken, SchoolNumber: "001010", Grade: "05", ServiceType: "P", Start: day("2024-08-10")})
	return ex
}

// groupPush is one push of testConcurrentPushes and what it got.
type groupPush struct {
	name string
	user data.User
	ms   []sync.Mutation
	out  []sync.Result
	err  error
}

// testConcurrentPushes: pushes that arrive at once, which a hub may apply
// together in one transaction (group commit), get the answers a serial
// application gives — clerks racing to edit one record (one applies, the
// others are conflicts against its new version), the same mutation pushed
// by several at once and twice within one push (applied once, duplicates
// after), and poisoned pushes that fail alone without failing the others
// or leaving any of their mutations applied — and the audit log verifies.
func testConcurrentPushes(t *testing.T, open Open) {
	setup := func() hub.Store {
		st := open(t, brokenState())
		for _, u := range Users() {
			if err := st.SaveAccount(context.Background(), "test", hub.Account{User: u}); err != nil {
				t.Fatal(err)
			}
		}
		return st
	}
	base := sync.Record{ID: uuid.NewString(), StateID: Maria, MIS2000ID: "100000", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	create := Mutation(sync.OpCreate, 0, base)
	replay := Mutation(sync.OpCreate, 0, sync.Record{ID: uuid.NewString(), StateID: Sean, MIS2000ID: "200000",
		QAD: "2025-09-01", EED: "2028-08-31", Version: 1})
	var pushes []*groupPush
	for i := range 8 {
		u := []data.User{ClerkC, Admin}[i%2]
		edit := base
		edit.MIS2000ID, edit.Version = fmt.Sprintf("1%05d", i+1), 2
		pushes = append(pushes, &groupPush{name: fmt.Sprintf("edit %d", i), user: u, ms: []sync.Mutation{Mutation(sync.OpUpdate, 1, edit)}})
	}
	for i := range 6 {
		pushes = append(pushes, &groupPush{name: fmt.Sprintf("replay %d", i), user: ClerkC, ms: []sync.Mutation{replay}})
	}
	for i := range 4 {
		osy := sync.Record{ID: uuid.NewString(), StateID: Osy, MIS2000ID: fmt.Sprintf("3%05d", i),
			QAD: fmt.Sprintf("201%d-01-01", i), EED: fmt.Sprintf("201%d-06-30", i), Version: 1}
		m := Mutation(sync.OpCreate, 0, osy)
		pushes = append(pushes, &groupPush{name: fmt.Sprintf("twice %d", i), user: ClerkW, ms: []sync.Mutation{m, m}})
	}
	for i := range 2 {
		good := Mutation(sync.OpCreate, 0, sync.Record{ID: uuid.NewString(), StateID: Osy, MIS2000ID: fmt.Sprintf("4%05d", i),
			QAD: fmt.Sprintf("201%d-01-01", i+4), EED: fmt.Sprintf("201%d-06-30", i+4), Version: 1})
		bad := Mutation(sync.OpCreate, 0, sync.Record{ID: uuid.NewString(), StateID: Broken, MIS2000ID: "500000",
			QAD: "2025-09-01", EED: "2028-08-31", Version: 1})
		pushes = append(pushes, &groupPush{name: fmt.Sprintf("poisoned %d", i), user: ClerkC, ms: []sync.Mutation{good, bad}})
	}

	st := setup()
	want(t, push(t, st, ClerkC, create)[0], sync.Applied, "")
	// Two waves: the racing edits and replays, whose group commits whole,
	// then the pushes of mutations twice beside the poisoned ones, whose
	// group fails and is applied again push by push.
	for _, wave := range [][]*groupPush{pushes[:14], pushes[14:]} {
		var wg gosync.WaitGroup
		start := make(chan struct{})
		for _, p := range wave {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				p.out, p.err = st.Push(context.Background(), p.user, sync.Cursor{}, p.ms)
			}()
		}
		close(start)
		wg.Wait()
	}

	// The serial application the concurrent one must equal: the edit
	// that applied and the replay that applied first, then the rest in
	// any order (their answers do not depend on it).
	serial := setup()
	want(t, push(t, serial, ClerkC, create)[0], sync.Applied, "")
	var first, rest []*groupPush
	for _, p := range pushes {
		if p.err == nil && len(p.out) == 1 && p.out[0].Outcome == sync.Applied {
			first = append(first, p)
		} else {
			rest = append(rest, p)
		}
	}
	if len(first) != 2 {
		t.Fatalf("%d pushes of one mutation applied, not 2 (the winning edit and the first replay)", len(first))
	}
	for _, p := range append(first, rest...) {
		out, err := serial.Push(context.Background(), p.user, sync.Cursor{}, p.ms)
		if (err == nil) != (p.err == nil) {
			t.Fatalf("%s: pushed at once it failed with %v, pushed alone with %v", p.name, p.err, err)
		}
		if err != nil {
			continue
		}
		if len(p.out) != len(out) {
			t.Fatalf("%s: %d answers at once, %d alone", p.name, len(p.out), len(out))
		}
		for i := range out {
			if got, alone := comparable(p.out[i]), comparable(out[i]); got != alone {
				t.Fatalf("%s, answer %d: pushed at once %+v, alone %+v", p.name, i, got, alone)
			}
		}
	}
	won := winner(t, first)
	for _, p := range pushes {
		switch {
		case strings.HasPrefix(p.name, "poisoned"):
			if p.err == nil {
				t.Fatalf("%s was applied: %+v", p.name, p.out)
			}
			// Nothing of the failed push was kept: its good mutation
			// applies now.
			want(t, push(t, st, ClerkC, p.ms[0])[0], sync.Applied, "")
		case p.err != nil:
			t.Fatalf("%s failed beside the poisoned pushes: %v", p.name, p.err)
		case strings.HasPrefix(p.name, "twice"):
			want(t, p.out[0], sync.Applied, "")
			want(t, p.out[1], sync.Duplicate, "")
		case strings.HasPrefix(p.name, "edit") && p.out[0].Outcome == sync.Conflict:
			if c := p.out[0].Current; c == nil || c.Version != 2 || c.MIS2000ID != won {
				t.Fatalf("%s is a conflict against %+v, not the winning edit's version 2", p.name, c)
			}
		}
	}
	v, ok := st.(AuditVerifier)
	if !ok {
		t.Fatalf("%T cannot verify its audit log", st)
	}
	if n, err := v.VerifyAudit(context.Background()); err != nil {
		t.Fatalf("the audit log does not verify after %d rows of concurrent pushes: %v", n, err)
	}
	// The feed carries the same records as the serial hub's.
	got, alone := view{}, view{}
	pullAll(t, st, Admin, sync.Cursor{}, got, 1000)
	pullAll(t, serial, Admin, sync.Cursor{}, alone, 1000)
	for _, p := range pushes {
		if strings.HasPrefix(p.name, "poisoned") {
			// Pushed again to st above, never to serial.
			for _, m := range p.ms {
				delete(got["migrant_records"], m.EntityID)
			}
		}
	}
	if g, a := recordsOf(got), recordsOf(alone); g != a {
		t.Fatalf("the feed's records after concurrent pushes:\n%s\nafter serial ones:\n%s", g, a)
	}
}

// winner is the MIS2000 ID of the edit that applied among first.
func winner(t *testing.T, first []*groupPush) string {
	for _, p := range first {
		if strings.HasPrefix(p.name, "edit") {
			var r sync.Record
			if err := json.Unmarshal(p.ms[0].Payload, &r); err != nil {
				t.Fatal(err)
			}
			return r.MIS2000ID
		}
	}
	t.Fatal("no edit applied")
	return ""
}

// comparable is an answer without the time of the hub's copy, which two
// hubs stamp with their own clocks.
func comparable(r sync.Result) string {
	if r.Current != nil {
		c := *r.Current
		c.UpdatedAt = ""
		r.Current = &c
		return fmt.Sprintf("%s %s %d %q %+v", r.MutationID, r.Outcome, r.Version, r.Reason, c)
	}
	return fmt.Sprintf("%s %s %d %q", r.MutationID, r.Outcome, r.Version, r.Reason)
}

// recordsOf lists a view's migrant records by ID with their values and
// versions.
func recordsOf(v view) string {
	var s string
	for _, id := range v.keys("migrant_records") {
		r := v["migrant_records"][id]
		s += fmt.Sprintf("%s %s %s %s %s %s %s\n", id, r["state_id"], r["mis2000_id"], r["qad"], r["eed"], r["version"], r["deleted"])
	}
	return s
}
