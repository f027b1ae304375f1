package e2etest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	gosync "sync"
	"testing"
)

// proxy stands between workstations and a hub process and lets a test
// break an exchange at a chosen point: after the hub has answered a push
// (the answer is lost), or while the hub is working on it. It forwards to
// whatever hub it is pointed at, so a hub restarted on another port sits
// behind the same URL.
type proxy struct {
	URL string

	mu     gosync.Mutex
	target string // the hub's base URL
	pushes int    // pushes forwarded so far
	pulls  int
	limit  int // the page size pulls ask the hub for instead, when set
	// sent, when set, is called after the hub answered the n-th push
	// (or pull) and before the answer goes on; drop says to lose it (the
	// connection is closed with no answer).
	sent func(path string, n int) (drop bool)
	// sending, when set, is called as the n-th push goes to the hub.
	sending func(path string, n int)
}

func newProxy(tb testing.TB, target string) *proxy {
	p := &proxy{target: target}
	srv := httptest.NewServer(http.HandlerFunc(p.serve))
	tb.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// point sends the requests that follow to another hub.
func (p *proxy) point(target string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = target
}

// hooks replaces the hooks; nil ones do nothing.
func (p *proxy) hooks(sending func(string, int), sent func(string, int) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sending, p.sent = sending, sent
}

// pullLimit has the pulls that follow ask the hub for pages of n rows,
// whatever the workstation asked for.
func (p *proxy) pullLimit(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.limit = n
}

// resetCounts numbers the pushes and pulls that follow from 1 again.
func (p *proxy) resetCounts() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pushes, p.pulls = 0, 0
}

func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	p.mu.Lock()
	target, sending, sent, limit := p.target, p.sending, p.sent, p.limit
	n := 0
	switch r.URL.Path {
	case "/v1/push":
		p.pushes++
		n = p.pushes
	case "/v1/pull":
		p.pulls++
		n = p.pulls
		if limit > 0 {
			q := r.URL.Query()
			q.Set("limit", strconv.Itoa(limit))
			r.URL.RawQuery = q.Encode()
		}
	}
	p.mu.Unlock()
	req, err := http.NewRequestWithContext(r.Context(), r.Method, target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	if sending != nil && n > 0 {
		sending(r.URL.Path, n)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		// The hub went away mid-request: a gateway's transient answer,
		// which the client retries.
		http.Error(w, `{"error":"the hub went away"}`, http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, `{"error":"the hub went away"}`, http.StatusBadGateway)
		return
	}
	if sent != nil && n > 0 && sent(r.URL.Path, n) {
		// Lose the answer the hub committed: close the connection with
		// nothing written.
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(answer)
}
