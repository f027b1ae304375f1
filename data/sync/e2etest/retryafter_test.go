package e2etest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/sync/client"
)

// A sign-in the hub answers with a wait (a user name locked out for a
// second after five failures) is asked again once that wait is over, not
// at the client's own backoff, which asked too soon and was refused again.
func TestSignInWaitsAsTheHubAsks(t *testing.T) {
	_, hubURL := scenarioHub(t, onSQLite)
	target, err := url.Parse(hubURL)
	if err != nil {
		t.Fatal(err)
	}
	var signIns atomic.Int64
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/signin" {
			signIns.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 5 {
		if err := c.SignIn(ctx, hubtest.ClerkC.Username, "not the password"); !client.Refused(err) {
			t.Fatalf("a wrong password: %v", err)
		}
	}
	signIns.Store(0)
	if err := c.SignIn(ctx, hubtest.ClerkC.Username, Password); err != nil {
		t.Fatalf("the right password once the lockout is over: %v", err)
	}
	if n := signIns.Load(); n != 2 {
		t.Errorf("the hub was asked %d times, want 2: once refused with its wait, once after it", n)
	}
}
