package hub_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/sync"
)

// signInVia signs user in with password through a proxy that says the
// request came from client (X-Forwarded-For), and returns the status.
func signInVia(t *testing.T, url, client, user, pw string) int {
	t.Helper()
	body, _ := json.Marshal(sync.SignInRequest{Username: user, Password: pw})
	req, _ := http.NewRequest("POST", url+"/v1/signin", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", client)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Behind the load balancer the README puts several hubs behind, every
// request comes from the balancer's address: five wrong passwords typed
// anywhere in the state locked every user out, for up to 15 minutes.
// With the balancer trusted, a sign-in counts against the address it
// names, and one office's failures lock out that office only. A client
// cannot choose its address by sending the header itself: the hub reads
// the address the trusted proxy added, the last one.
func TestSignInThrottledByTheAddressAProxyNames(t *testing.T) {
	_, _, h := serveStore(t, onSQLite)
	var log bytes.Buffer
	s := hub.NewServer(h, slog.New(slog.NewJSONHandler(&log, nil)))
	s.TrustProxies([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	users := hubtest.Users()
	for i := range 6 {
		// Each a user of its own: only the address's count grows.
		signInVia(t, srv.URL, "203.0.113.7", users[i%len(users)].Username+"x", "not the password")
	}
	if got := signInVia(t, srv.URL, "203.0.113.7", "rosa", password); got != 429 {
		t.Errorf("the office that failed: status %d, want 429", got)
	}
	// A client that names another address itself is counted against the
	// address the proxy saw. (Asked while the first lockout, a second
	// long, lasts: a refused attempt is answered at once.)
	if got := signInVia(t, srv.URL, "198.51.100.20, 203.0.113.7", "rosa", password); got != 429 {
		t.Errorf("a forged address before the proxy's: status %d, want 429", got)
	}
	if got := signInVia(t, srv.URL, "198.51.100.20", "rosa", password); got != 200 {
		t.Errorf("another office behind the same proxy: status %d, want 200", got)
	}
	// The request log says where each sign-in came from, so that the
	// operator can tell whose guesses the lockouts answer.
	if !strings.Contains(log.String(), `"addr":"203.0.113.7","status":429`) || !strings.Contains(log.String(), `"user":"rosa","addr":"198.51.100.20","status":200`) {
		t.Errorf("the request lines do not name the addresses the proxy gave:\n%s", log.String())
	}
	if strings.Contains(log.String(), "--trusted-proxy") {
		t.Errorf("a hub that trusts its proxy warned of one: %s", log.String())
	}
}

// A hub not told of its proxy goes on counting by the address it sees,
// and says once in its log what that does to everyone behind the proxy.
func TestSignInBehindAnUntrustedProxyWarns(t *testing.T) {
	url, log := serve(t, onSQLite)
	for range 6 {
		signInVia(t, url, "203.0.113.7", "nobodyhere", "not the password")
	}
	if got := signInVia(t, url, "198.51.100.20", "rosa", password); got != 429 {
		t.Errorf("status %d, want 429: the hub does not believe a header from an address it was not told to trust", got)
	}
	if want := "at most 32 sign-ins are checked at once for everyone behind it together"; !strings.Contains(log.String(), want) {
		t.Errorf("the warning does not say the bound on sign-ins at once is shared (%q): %s", want, log.String())
	}
	if n := strings.Count(log.String(), "--trusted-proxy"); n != 1 {
		t.Errorf("the log names --trusted-proxy %d times, want once: %s", n, log.String())
	}
}

// Some balancers (Azure's Application Gateway) write the client's port
// with its address in X-Forwarded-For, a new port for each connection.
// The hub read such an entry as no address and counted the sign-in
// against the balancer's own: one office's five failures locked out
// every user behind it, as with no --trusted-proxy at all.
func TestSignInThrottledByTheAddressAProxyNamesWithItsPort(t *testing.T) {
	_, _, h := serveStore(t, onSQLite)
	s := hub.NewServer(h, slog.New(slog.DiscardHandler))
	s.TrustProxies([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	for i := range 6 {
		signInVia(t, srv.URL, "203.0.113.7:"+strconv.Itoa(50100+i), "nobodyhere", "not the password")
	}
	if got := signInVia(t, srv.URL, "203.0.113.7:50200", "rosa", password); got != 429 {
		t.Errorf("the office that failed: status %d, want 429", got)
	}
	if got := signInVia(t, srv.URL, "[2001:db8::20]:40000", "rosa", password); got != 200 {
		t.Errorf("another office behind the same proxy: status %d, want 200", got)
	}
}

// An ISP hands a home or an office a whole IPv6 /64, and a client may
// take a new address in it for every attempt: counted by address, such a
// client guessed five times from each, without end. The limits count an
// IPv6 address's /64; the request log still names the address itself.
func TestSignInThrottledByTheIPv6Network(t *testing.T) {
	_, _, h := serveStore(t, onSQLite)
	var log bytes.Buffer
	s := hub.NewServer(h, slog.New(slog.NewJSONHandler(&log, nil)))
	s.TrustProxies([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	for i := range 6 {
		signInVia(t, srv.URL, "2001:db8:1:2::"+strconv.Itoa(100+i), "nobodyhere", "not the password")
	}
	if got := signInVia(t, srv.URL, "2001:db8:1:2:a:b:c:d", "rosa", password); got != 429 {
		t.Errorf("a new address in the network that failed: status %d, want 429", got)
	}
	if got := signInVia(t, srv.URL, "2001:db8:1:3::100", "rosa", password); got != 200 {
		t.Errorf("the next network: status %d, want 200", got)
	}
	if !strings.Contains(log.String(), `"addr":"2001:db8:1:2:a:b:c:d","status":429`) {
		t.Errorf("the request line does not name the address itself:\n%s", log.String())
	}
}

// A hub that trusts a range holding workstations as well as its
// balancer reads, past a workstation's own address, what the workstation
// wrote before it in X-Forwarded-For. One that wrote a loopback address
// there was taken for the hub's own machine, whose sign-ins are not
// bounded: its guesses at many names all queued for the password checks,
// as if the hub had no bound at all. The hub's own machine still is not
// bounded.
func TestSignInsFromAForwardedLoopbackBounded(t *testing.T) {
	srv, _, release := heldChecks(t, onSQLite)
	srv.TrustProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})
	api := srv.Handler()
	const extra = 4
	signIns := func(n int, peer, forwarded string) chan int {
		statuses := make(chan int, n)
		for i := range n {
			go func() {
				body, _ := json.Marshal(sync.SignInRequest{Username: "guess" + strconv.Itoa(i), Password: password})
				r := httptest.NewRequest("POST", "/v1/signin", bytes.NewReader(body))
				r.RemoteAddr = peer
				r.Header.Set("Content-Type", "application/json")
				if forwarded != "" {
					r.Header.Set("X-Forwarded-For", forwarded)
				}
				rec := httptest.NewRecorder()
				api.ServeHTTP(rec, r)
				statuses <- rec.Code
			}()
		}
		return statuses
	}
	local := signIns(hub.MaxSignInsAtOnce+extra, "127.0.0.1:5000", "")
	statuses := signIns(hub.MaxSignInsAtOnce+extra, "10.0.0.5:4000", "127.0.0.1, 10.1.2.3")
	for range extra {
		if got := answerOf(statuses); got != http.StatusServiceUnavailable {
			t.Fatalf("a sign-in past the ones under way: status %d, want 503 (0: every one waits for a password check)", got)
		}
	}
	release()
	for range hub.MaxSignInsAtOnce {
		if got := <-statuses; got != http.StatusUnauthorized {
			t.Errorf("a sign-in under way: status %d", got)
		}
	}
	for range hub.MaxSignInsAtOnce + extra {
		if got := <-local; got != http.StatusUnauthorized {
			t.Errorf("a sign-in from the hub's own machine: status %d", got)
		}
	}
}

// answerOf is the next status on statuses, or 0 when none comes within
// 10 s.
func answerOf(statuses chan int) int {
	select {
	case got := <-statuses:
		return got
	case <-time.After(10 * time.Second):
		return 0
	}
}
