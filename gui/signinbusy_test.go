package gui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"migrantdesk/data/store/storetest"
)

// TestSignInWhileTheHubIsBusy: the hub checks at most 32 sign-ins from
// one address at once and answers more with 503 in its own words. A
// workstation that has never synced says what the hub said, that it is
// busy with sign-ins and to try again in a moment, not that it cannot be
// reached; once the sign-ins under way end, the same sign-in goes in.
func TestSignInWhileTheHubIsBusy(t *testing.T) {
	h := startHub(t)
	release := crowdHub(t, h)
	u := start(t, storetest.OpenEmpty(t), Options{})
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.signIn == nil {
		t.Fatal("signed in while the hub turned every sign-in away")
	}
	got := u.signIn.problem.Text
	if !strings.Contains(got, "The hub is checking 32 sign-ins from your network already; try again in a few seconds") ||
		strings.Contains(got, "cannot be reached") {
		t.Errorf("a sign-in the hub was too busy to check reads %q", got)
	}
	release()
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.signIn != nil || u.user.Username != storetest.Clerk {
		t.Fatalf("not signed in once the hub was free: %q", u.signIn.problem.Text)
	}
}

// TestSignInLockedOutNeverSynced: a workstation that has never synced,
// at an address the hub locks out, says the hub's sentence with the
// wait.
func TestSignInLockedOutNeverSynced(t *testing.T) {
	h := startHub(t)
	lockOut(t, h)
	u := start(t, storetest.OpenEmpty(t), Options{})
	signInAs(t, u, h.url, storetest.Clerk, password)
	if u.signIn == nil {
		t.Fatal("signed in while the hub locks this network out")
	}
	if got := u.signIn.problem.Text; !strings.HasPrefix(got, "Too many failed sign-ins; try again in ") {
		t.Errorf("a sign-in the hub locks out reads %q", got)
	}
}

// crowdHub has the hub turn away a sign-in from an address with as many
// sign-ins under way as it checks at once, and gives the hub's answer to
// every sign-in until release: the hub counts no sign-ins from loopback,
// the tests' address. One more sign-in than it checks at once, each with
// a body that never ends, and the only one answered is the one turned
// away.
func crowdHub(t *testing.T, h *testHub) (release func()) {
	t.Helper()
	var bodies []*io.PipeWriter
	answered := make(chan *httptest.ResponseRecorder, 33)
	for range 33 {
		body, w := io.Pipe()
		bodies = append(bodies, w)
		go func() {
			r := httptest.NewRequest("POST", "/v1/signin", body)
			r.Header.Set("Content-Type", "application/json")
			r.RemoteAddr = "192.0.2.1:4000"
			rec := httptest.NewRecorder()
			h.api.ServeHTTP(rec, r)
			answered <- rec
		}()
	}
	rec := <-answered
	for _, w := range bodies {
		w.CloseWithError(io.ErrUnexpectedEOF)
	}
	for range 32 {
		<-answered
	}
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("a sign-in beyond those the hub checks at once: %d %s", rec.Code, rec.Body)
	}
	h.lockout.Store(rec)
	return func() { h.lockout.Store(nil) }
}
