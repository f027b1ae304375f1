package hub_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"migrantdesk/data/argon2id"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/pghub"
	"migrantdesk/data/hub/pghub/pgtest"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/sync"
)

const password = "correct horse battery"

// backEnd is a storage back end the server's tests run on: each test
// runs on both, so the HTTP API is shown to behave the same on either.
type backEnd string

const (
	onSQLite   backEnd = "SQLite"
	onPostgres backEnd = "PostgreSQL"
)

// onBoth runs fn as a subtest on each back end.
func onBoth(t *testing.T, fn func(t *testing.T, be backEnd)) {
	for _, be := range []backEnd{onSQLite, onPostgres} {
		t.Run(string(be), func(t *testing.T) { fn(t, be) })
	}
}

// serve starts a hub on loopback over the suite's state on a back end,
// every user with the same password, and returns its URL and the log it
// writes.
func serve(t *testing.T, be backEnd) (string, *bytes.Buffer) {
	t.Helper()
	url, log, _ := serveStore(t, be)
	return url, log
}

// closer is a back end's store, which a test may close under the server.
type closer interface {
	hub.Store
	Close() error
}

// serveStore is serve, and gives the store the hub serves too.
func serveStore(t *testing.T, be backEnd) (string, *bytes.Buffer, closer) {
	t.Helper()
	ctx := context.Background()
	var h closer
	if be == onPostgres {
		pg, err := pghub.Open(ctx, pgtest.URL(t), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		if _, err := pg.Import(ctx, hubtest.State(), "test"); err != nil {
			t.Fatal(err)
		}
		h = pg
	} else {
		sq, err := sqlitehub.Open(filepath.Join(t.TempDir(), "hub.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sq.Close() })
		if _, err := sq.Store().ImportExtract(ctx, hubtest.State(), "test"); err != nil {
			t.Fatal(err)
		}
		h = sq
	}
	hash, err := argon2id.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range hubtest.Users() {
		if err := h.SaveAccount(ctx, "test", hub.Account{User: u, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	var log bytes.Buffer
	srv := httptest.NewServer(hub.NewServer(h, slog.New(slog.NewJSONHandler(&log, nil))).Handler())
	t.Cleanup(srv.Close)
	return srv.URL, &log, h
}

type answer struct {
	status int
	body   map[string]any
	raw    string
}

func call(t *testing.T, method, url, token string, body any) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, url, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: string(raw)}
	json.Unmarshal(raw, &a.body)
	return a
}

func signIn(t *testing.T, url, user string) string {
	t.Helper()
	a := call(t, "POST", url+"/v1/signin", "", sync.SignInRequest{Username: user, Password: password})
	if a.status != 200 {
		t.Fatalf("sign in %s: %d %s", user, a.status, a.raw)
	}
	return a.body["token"].(string)
}

func TestSignIn(t *testing.T) { onBoth(t, testSignIn) }

func testSignIn(t *testing.T, be backEnd) {
	url, log := serve(t, be)
	a := call(t, "POST", url+"/v1/signin", "", sync.SignInRequest{Username: "rosa", Password: password})
	if a.status != 200 || a.body["user"].(map[string]any)["region_code"] != "C" {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	for _, bad := range []sync.SignInRequest{{Username: "rosa", Password: "wrong password"}, {Username: "nobody", Password: password}} {
		a := call(t, "POST", url+"/v1/signin", "", bad)
		if a.status != 401 || a.body["error"] != "the hub refused this user name and password" {
			t.Fatalf("%+v: %d %s", bad, a.status, a.raw)
		}
	}
	if strings.Contains(log.String(), password) || strings.Contains(log.String(), "wrong password") {
		t.Fatal("a password reached the log")
	}
	if !strings.Contains(log.String(), `"endpoint":"/v1/signin"`) || !strings.Contains(log.String(), `"user":"rosa"`) {
		t.Fatalf("log: %s", log)
	}
}

// Repeated failures lock the user name out for a while, with 429 and
// Retry-After, even with the right password.
func TestSignInThrottled(t *testing.T) { onBoth(t, testSignInThrottled) }

func testSignInThrottled(t *testing.T, be backEnd) {
	url, _ := serve(t, be)
	for range 5 {
		call(t, "POST", url+"/v1/signin", "", sync.SignInRequest{Username: "wes", Password: "not the password"})
	}
	a := call(t, "POST", url+"/v1/signin", "", sync.SignInRequest{Username: "wes", Password: password})
	if a.status != 429 || !strings.Contains(a.raw, "too many failed sign-ins") {
		t.Fatalf("%d %s", a.status, a.raw)
	}
	// In words, not a duration's own form ("15m0s").
	if !regexp.MustCompile(`try again in \d+ (second|minute)s?"`).MatchString(a.raw) {
		t.Errorf("the wait is not in words: %s", a.raw)
	}
}

// A user name no account can have (U+0000 in it) is refused as a wrong
// one is, on either back end, and counts towards the address's lockout.
func TestSignInBadName(t *testing.T) { onBoth(t, testSignInBadName) }

func testSignInBadName(t *testing.T, be backEnd) {
	url, log := serve(t, be)
	for range 5 {
		a := call(t, "POST", url+"/v1/signin", "", sync.SignInRequest{Username: "wes\u0000", Password: password})
		if a.status != 401 || a.body["error"] != "the hub refused this user name and password" {
			t.Fatalf("sign-in as %q: %d %s", "wes\u0000", a.status, a.raw)
		}
	}
	if a := call(t, "POST", url+"/v1/signin", "", sync.SignInRequest{Username: "rosa", Password: password}); a.status != 429 {
		t.Errorf("after five sign-ins with a bad name from one address: %d %s", a.status, a.raw)
	}
	if strings.Contains(log.String(), "request failed") {
		t.Errorf("a bad name was the hub's failure: %s", log)
	}
}

// Every refused sign-in waits for a password check, whether the name is
// an account's, a disabled account's or no account's: one answered
// without that check's hundreds of milliseconds would tell a guesser
// which names are accounts. While every place for a check is taken,
// no sign-in is answered.
func TestSignInChecksAPasswordForEveryName(t *testing.T) {
	onBoth(t, testSignInChecksAPasswordForEveryName)
}

func testSignInChecksAPasswordForEveryName(t *testing.T, be backEnd) {
	_, _, st := serveStore(t, be)
	if err := st.Disable(context.Background(), "test", "wes"); err != nil {
		t.Fatal(err)
	}
	srv := hub.NewServer(st, slog.New(slog.DiscardHandler))
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	release := srv.HoldPasswordChecks()
	t.Cleanup(release) // before the server closes: a sign-in waiting would hold it open
	names := []string{"rosa", "nobody", "wes"}
	answers := make(chan string, len(names))
	for _, name := range names {
		go func() {
			body, _ := json.Marshal(sync.SignInRequest{Username: name, Password: "not the password"})
			resp, err := http.Post(ts.URL+"/v1/signin", "application/json", bytes.NewReader(body))
			if err != nil {
				answers <- name + ": " + err.Error()
				return
			}
			resp.Body.Close()
			answers <- name + ": " + resp.Status
		}()
	}
	select {
	case a := <-answers:
		t.Fatalf("answered with no password checked: %s", a)
	case <-time.After(time.Second):
	}
	release()
	for range names {
		if a := <-answers; !strings.HasSuffix(a, ": 401 Unauthorized") {
			t.Errorf("after the checks: %s", a)
		}
	}
}

// Guesses at one user name sent all together are throttled as guesses
// one after another are: only the five free attempts are checked, and
// the others are refused with 429 at once, not after their own checks.
func TestSignInGuessesTogetherThrottled(t *testing.T) { onBoth(t, testSignInGuessesTogetherThrottled) }

// heldChecks serves a hub on a back end whose lockouts do not end and
// whose password checks wait until release.
func heldChecks(t *testing.T, be backEnd) (*hub.Server, *httptest.Server, func()) {
	t.Helper()
	_, _, st := serveStore(t, be)
	srv := hub.NewServer(st, slog.New(slog.DiscardHandler))
	srv.StopLimiterClock()
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	release := srv.HoldPasswordChecks()
	t.Cleanup(release)
	return srv, ts, release
}

func testSignInGuessesTogetherThrottled(t *testing.T, be backEnd) {
	_, ts, release := heldChecks(t, be)
	const guesses = 12
	answers := make(chan int, guesses)
	for i := range guesses {
		go func() {
			body, _ := json.Marshal(sync.SignInRequest{Username: "rosa", Password: fmt.Sprintf("guess number %d", i)})
			resp, err := http.Post(ts.URL+"/v1/signin", "application/json", bytes.NewReader(body))
			if err != nil {
				answers <- 0
				return
			}
			resp.Body.Close()
			answers <- resp.StatusCode
		}()
	}
	// While no password can be checked, the guesses past the free ones
	// are answered.
	for range guesses - 5 {
		select {
		case status := <-answers:
			if status != http.StatusTooManyRequests {
				t.Fatalf("a guess past the free ones answered %d, want 429", status)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the guesses past the free ones wait for their passwords to be checked")
		}
	}
	release()
	for range 5 {
		if status := <-answers; status != http.StatusUnauthorized {
			t.Errorf("a free guess answered %d, want 401", status)
		}
	}
}

// A sign-in the hub could not decide (its database failed to answer,
// or the workstation gave up waiting) does not count towards the user's
// lockout: after five of them the user still signs in.
func TestSignInUndecidedNotCounted(t *testing.T) { onBoth(t, testSignInUndecidedNotCounted) }

func testSignInUndecidedNotCounted(t *testing.T, be backEnd) {
	_, _, st := serveStore(t, be)
	failing := &failingAccounts{Store: st}
	failing.failures.Store(5)
	ts := httptest.NewServer(hub.NewServer(failing, slog.New(slog.DiscardHandler)).Handler())
	t.Cleanup(ts.Close)
	for range 5 {
		if a := call(t, "POST", ts.URL+"/v1/signin", "", sync.SignInRequest{Username: "rosa", Password: password}); a.status != http.StatusServiceUnavailable {
			t.Fatalf("with the accounts unread: %d %s", a.status, a.raw)
		}
	}
	if a := call(t, "POST", ts.URL+"/v1/signin", "", sync.SignInRequest{Username: "rosa", Password: password}); a.status != http.StatusOK {
		t.Fatalf("after five sign-ins the hub could not decide: %d %s", a.status, a.raw)
	}
}

// failingAccounts is a hub's store whose accounts cannot be read for
// its first failures reads, as a database that stops answering.
type failingAccounts struct {
	hub.Store
	failures atomic.Int32
}

func (f *failingAccounts) Account(ctx context.Context, username string) (hub.Account, error) {
	if f.failures.Add(-1) >= 0 {
		return hub.Account{}, errors.New("the database does not answer")
	}
	return f.Store.Account(ctx, username)
}

// A user name is signed in with in the form it is kept in: trimmed and
// composed, however it was typed.
func TestSignInNameForms(t *testing.T) { onBoth(t, testSignInNameForms) }

func testSignInNameForms(t *testing.T, be backEnd) {
	url, _, st := serveStore(t, be)
	hash, err := argon2id.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	u := hubtest.ClerkC
	u.Username = "jose\u0301 "
	if err := st.SaveAccount(context.Background(), "test", hub.Account{User: u, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"jose\u0301 ", "jos\u00e9", " jose\u0301"} {
		if a := call(t, "POST", url+"/v1/signin", "", sync.SignInRequest{Username: name, Password: password}); a.status != 200 {
			t.Errorf("sign-in as %q: %d %s", name, a.status, a.raw)
		}
	}
}

func TestTokens(t *testing.T) { onBoth(t, testTokens) }

func testTokens(t *testing.T, be backEnd) {
	url, _ := serve(t, be)
	if a := call(t, "GET", url+"/v1/pull", "", nil); a.status != 401 {
		t.Fatalf("no token: %d", a.status)
	}
	if a := call(t, "GET", url+"/v1/pull", "made-up", nil); a.status != 401 || !strings.Contains(a.raw, "sign in again") {
		t.Fatalf("bad token: %d %s", a.status, a.raw)
	}
	tok := signIn(t, url, "rosa")
	if a := call(t, "GET", url+"/v1/pull?limit=5", tok, nil); a.status != 200 || a.body["snapshot"] != true {
		t.Fatalf("pull: %d %s", a.status, a.raw)
	}
	if a := call(t, "POST", url+"/v1/signout", tok, nil); a.status != 200 {
		t.Fatalf("sign out: %d", a.status)
	}
	if a := call(t, "GET", url+"/v1/pull", tok, nil); a.status != 401 {
		t.Fatalf("after sign-out: %d", a.status)
	}
}

// A pull from a snapshot position the hub never gave is a bad request,
// with a sentence saying so, not the hub's failure.
func TestPullFromForgedCursor(t *testing.T) { onBoth(t, testPullFromForgedCursor) }

func testPullFromForgedCursor(t *testing.T, be backEnd) {
	url, log := serve(t, be)
	tok := signIn(t, url, "rosa")
	first := call(t, "GET", url+"/v1/pull?limit=1", tok, nil)
	epoch, _ := first.body["next"].(map[string]any)["epoch"].(string)
	a := call(t, "GET", url+"/v1/pull?snapshot=nosuchtable&epoch="+epoch, tok, nil)
	if a.status != 400 || !strings.Contains(a.raw, "the sync position is not one this hub gave") {
		t.Errorf("a snapshot position the hub never gave: %d %s", a.status, a.raw)
	}
	if strings.Contains(log.String(), "request failed") {
		t.Errorf("a forged cursor was logged as the hub's failure: %s", log)
	}
}

func TestRequestsDecodedStrictly(t *testing.T) { onBoth(t, testRequestsDecodedStrictly) }

func testRequestsDecodedStrictly(t *testing.T, be backEnd) {
	url, _ := serve(t, be)
	tok := signIn(t, url, "rosa")
	cases := []struct {
		body   string
		status int
		says   string
	}{
		{`{"mutations": [], "extra": 1}`, 400, "unknown field"},
		{`{"mutations": []} {"mutations": []}`, 400, "more than one"},
		{`{"mutations": [{"id": "x", "entity": "migrant_record", "entity_id": "a", "op": "create", "payload": {}}]}`, 400, "not a UUID"},
		{`{"mutations": ` + strings.Repeat(" ", 9<<20) + `[]}`, 413, "larger than"},
		{`not json`, 400, "not valid"},
	}
	for _, c := range cases {
		a := call(t, "POST", url+"/v1/push", tok, c.body)
		if a.status != c.status || !strings.Contains(a.raw, c.says) {
			t.Errorf("%.60s: %d %s", c.body, a.status, a.raw)
		}
	}
	// A change the hub cannot take is refused alone; the others in the
	// push are applied.
	export := func(id, after string) string {
		return `{"id": "` + id + `", "entity": "audit_row", "entity_id": "h1", "op": "append", "payload": {"seq": 1, "hash": "h1", ` +
			`"at": "2025-09-01T10:00:00Z", "action": "export", "entity": "report", "entity_id": "001", "before": "", "after": "` + after + `"}}`
	}
	body := `{"mutations": [` +
		`{"id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "entity": "student", "entity_id": "a", "op": "drop", "payload": {}}, ` +
		export("7f9619ff-8b86-d011-b42d-00c04fc964ff", strings.Repeat("x", sync.MaxPayload)) + `, ` +
		export("8f9619ff-8b86-d011-b42d-00c04fc964ff", "QA Migrant detail") + `]}`
	a := call(t, "POST", url+"/v1/push", tok, body)
	var res sync.PushResponse
	if err := json.Unmarshal([]byte(a.raw), &res); a.status != 200 || err != nil || len(res.Results) != 3 {
		t.Fatalf("a push with two changes the hub cannot take: %d %s", a.status, a.raw)
	}
	for i, want := range []string{"does not know the operation", "more than the 4096 the hub takes"} {
		if r := res.Results[i]; r.Outcome != sync.Rejected || !strings.Contains(r.Reason, want) {
			t.Errorf("change %d: %+v, want refused: %s", i+1, r, want)
		}
	}
	if r := res.Results[2]; r.Outcome != sync.Applied || r.MutationID != "8f9619ff-8b86-d011-b42d-00c04fc964ff" {
		t.Errorf("the change after the refused ones: %+v", r)
	}
	for _, q := range []string{"seq=-1", "seq=x", "limit=0", "limit=100000", "epoch=" + strings.Repeat("e", 65)} {
		if a := call(t, "GET", url+"/v1/pull?"+q, tok, nil); a.status != 400 {
			t.Errorf("pull?%s: %d %s", q, a.status, a.raw)
		}
	}
}

// A client of another protocol version is told to update.
func TestOtherProtocolVersion(t *testing.T) { onBoth(t, testOtherProtocolVersion) }

func testOtherProtocolVersion(t *testing.T, be backEnd) {
	url, _ := serve(t, be)
	a := call(t, "POST", url+"/v2/push", "", "{}")
	if a.status != http.StatusUpgradeRequired || !strings.Contains(a.raw, "update Migrant Desk") {
		t.Fatalf("%d %s", a.status, a.raw)
	}
}

// Bodies may come gzipped, and answers go gzipped to a client that takes
// them.
func TestGzip(t *testing.T) { onBoth(t, testGzip) }

func testGzip(t *testing.T, be backEnd) {
	url, _ := serve(t, be)
	tok := signIn(t, url, "admin")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	json.NewEncoder(zw).Encode(sync.PushRequest{Mutations: []sync.Mutation{hubtest.GrantMutation(sync.OpGrant, "cora", "001")}})
	zw.Close()
	req, _ := http.NewRequest("POST", url+"/v1/push", &buf)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	var out sync.PushResponse
	if err := json.Unmarshal(gzipped(t, req, tok), &out); err != nil || len(out.Results) != 1 || out.Results[0].Outcome != sync.Applied {
		t.Fatalf("%+v %v", out, err)
	}

	// A snapshot page the hub keeps for a pull just after (encoded once
	// for both) reads as the first.
	var pages [2][]byte
	for i := range pages {
		req, _ := http.NewRequest("GET", url+"/v1/pull", nil)
		pages[i] = gzipped(t, req, tok)
		var page sync.Page
		if err := json.Unmarshal(pages[i], &page); err != nil || !page.Snapshot || len(page.Changes) == 0 {
			t.Fatalf("pull %d: %+v %v", i, page, err)
		}
	}
	if !bytes.Equal(pages[0], pages[1]) {
		t.Fatalf("the same page twice:\n%s\n%s", pages[0], pages[1])
	}
}

// gzipped sends req with tok, taking a gzipped answer, and returns the
// answer's body once gzip is undone; an answer of another status than
// 200, or not gzipped, fails the test.
func gzipped(t *testing.T, req *http.Request, tok string) []byte {
	t.Helper()
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("%s %s: %d %v", req.Method, req.URL.Path, resp.StatusCode, resp.Header)
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// /healthz answers 200 while the database answers, and 503 once it does
// not, and logs why for the operator.
func TestHealthz(t *testing.T) { onBoth(t, testHealthz) }

func testHealthz(t *testing.T, be backEnd) {
	url, log, h := serveStore(t, be)
	if a := call(t, "GET", url+"/healthz", "", nil); a.status != 200 || a.body["status"] != "ok" {
		t.Fatalf("healthz: %d %s", a.status, a.raw)
	}
	h.Close()
	if a := call(t, "GET", url+"/healthz", "", nil); a.status != 503 || !strings.Contains(a.raw, "does not answer") {
		t.Fatalf("healthz with the database closed: %d %s", a.status, a.raw)
	}
	var warned struct{ Level, Msg, Err string }
	for line := range strings.Lines(log.String()) {
		if json.Unmarshal([]byte(line), &warned) == nil && warned.Level == "WARN" {
			break
		}
	}
	if !strings.Contains(warned.Msg, "does not answer") || warned.Err == "" {
		t.Fatalf("the log does not say why the database did not answer: %s", log)
	}
}

// A change whose entity ID holds a character no stored ID can have is
// refused alone, with its reason, on either back end: on PostgreSQL the
// hub's look-up of a U+0000 failed the whole push as the hub's own fault,
// answered "try again" on every retry.
func TestPushEntityIDNotText(t *testing.T) { onBoth(t, testPushEntityIDNotText) }

func testPushEntityIDNotText(t *testing.T, be backEnd) {
	url, log := serve(t, be)
	tok := signIn(t, url, "rosa")
	body := `{"mutations": [` +
		`{"id": "6f9619ff-8b86-d011-b42d-00c04fc964ff", "entity": "migrant_record", "entity_id": "a\u0000", "op": "publish", "base_version": 1, "payload": {}}, ` +
		`{"id": "7f9619ff-8b86-d011-b42d-00c04fc964ff", "entity": "migrant_record", "entity_id": "b\u202e", "op": "publish", "base_version": 1, "payload": {}}, ` +
		`{"id": "8f9619ff-8b86-d011-b42d-00c04fc964ff", "entity": "audit_row", "entity_id": "h1", "op": "append", "payload": {"seq": 1, "hash": "h1", ` +
		`"at": "2025-09-01T10:00:00Z", "action": "export", "entity": "report", "entity_id": "001", "before": "", "after": "QA Migrant detail"}}]}`
	a := call(t, "POST", url+"/v1/push", tok, body)
	var res sync.PushResponse
	if err := json.Unmarshal([]byte(a.raw), &res); a.status != 200 || err != nil || len(res.Results) != 3 {
		t.Fatalf("a push with entity IDs that are not text: %d %s", a.status, a.raw)
	}
	for i := range 2 {
		if r := res.Results[i]; r.Outcome != sync.Rejected || !strings.Contains(r.Reason, "not clean text") {
			t.Errorf("change %d: %+v, want refused for its entity ID", i+1, r)
		}
	}
	if r := res.Results[2]; r.Outcome != sync.Applied {
		t.Errorf("the change after the refused ones: %+v", r)
	}
	if strings.Contains(log.String(), "request failed") {
		t.Errorf("a bad entity ID was logged as the hub's failure: %s", log)
	}
}

// A workstation that goes away while the hub works on its request (its
// process killed, its network cut) is no fault of the hub's: the
// request's line says 499, as nginx names it, and nothing is logged as
// an error for the operator to be alerted to.
func TestAWorkstationThatWentAwayIsNoError(t *testing.T) { onBoth(t, testAWorkstationThatWentAway) }

func testAWorkstationThatWentAway(t *testing.T, be backEnd) {
	_, _, h := serveStore(t, be)
	var log bytes.Buffer
	handler := hub.NewServer(h, slog.New(slog.NewJSONHandler(&log, nil))).Handler()
	body, err := json.Marshal(sync.SignInRequest{Username: "rosa", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequest("POST", "/v1/signin", bytes.NewReader(body)).WithContext(gone)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	if rec.Code != 499 {
		t.Errorf("status %d, want 499", rec.Code)
	}
	if strings.Contains(log.String(), `"level":"ERROR"`) || !strings.Contains(log.String(), `"status":499`) {
		t.Errorf("the hub logged:\n%s", log.String())
	}
}

// A sign-in larger than any account's name and password (an older
// workstation sends what was pasted as it is) is told so in words the
// person who pasted it can act on, not in the request's bytes.
func TestSignInTooLarge(t *testing.T) { onBoth(t, testSignInTooLarge) }

func testSignInTooLarge(t *testing.T, be backEnd) {
	url, _ := serve(t, be)
	a := call(t, "POST", url+"/v1/signin", "", sync.SignInRequest{Username: strings.Repeat("rosa ", 1000), Password: password})
	if a.status != 413 || a.body["error"] != "the user name and password are longer than any account's: check that only they were typed or pasted in" {
		t.Fatalf("%d %s", a.status, a.raw)
	}
}

// Guesses at many names sent all at once from one address are not all
// queued for a password check: past MaxSignInsAtOnce they are answered
// at once, asked to come back, and the ones under way are checked.
func TestSignInsAtOnceFromOneAddressBounded(t *testing.T) {
	onBoth(t, testSignInsAtOnceFromOneAddressBounded)
}

func testSignInsAtOnceFromOneAddressBounded(t *testing.T, be backEnd) {
	srv, _, release := heldChecks(t, be)
	api := srv.Handler()
	const extra = 8
	statuses := make(chan answer, hub.MaxSignInsAtOnce+extra)
	for i := range hub.MaxSignInsAtOnce + extra {
		// From an address of the network, not loopback (see crowd).
		go func() {
			body, _ := json.Marshal(sync.SignInRequest{Username: fmt.Sprintf("guess%d", i), Password: password})
			r := httptest.NewRequest("POST", "/v1/signin", bytes.NewReader(body))
			r.RemoteAddr = "192.0.2.1:4000"
			r.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, r)
			a := answer{status: rec.Code, raw: rec.Body.String()}
			json.Unmarshal(rec.Body.Bytes(), &a.body)
			statuses <- a
		}()
	}
	for range extra {
		select {
		case a := <-statuses:
			if a.status != http.StatusServiceUnavailable || a.body["error"] != fmt.Sprintf(
				"the hub is checking %d sign-ins from your network already; try again in a few seconds", hub.MaxSignInsAtOnce) {
				t.Fatalf("a sign-in past the ones under way: %d %s", a.status, a.raw)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("every sign-in from the address waits for a password check")
		}
	}
	release()
	for range hub.MaxSignInsAtOnce {
		if a := <-statuses; a.status != http.StatusUnauthorized {
			t.Errorf("a sign-in under way: %d %s", a.status, a.raw)
		}
	}
}

// A request whose body does not say it is JSON is refused before it is
// read: a web page a clerk opens may have the browser send text/plain
// to the hub unasked, and sign-ins sent so must not lock the office out.
func TestRequestsSayTheyAreJSON(t *testing.T) { onBoth(t, testRequestsSayTheyAreJSON) }

func testRequestsSayTheyAreJSON(t *testing.T, be backEnd) {
	url, _ := serve(t, be)
	guess := `{"username":"rosa","password":"a guess from a web page"}`
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		for range 3 {
			resp, err := http.Post(url+"/v1/signin", ct, strings.NewReader(guess))
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(raw), "Content-Type: application/json") {
				t.Fatalf("%q: %d %s", ct, resp.StatusCode, raw)
			}
		}
	}
	resp, err := http.Post(url+"/v1/signin", "application/json; charset=utf-8", strings.NewReader(`{"username":"rosa","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("rosa, after the refused requests: %d", resp.StatusCode)
	}
}
