package main

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A hub served behind a load balancer, as the README's several hubs are,
// told of it with --trusted-proxy, counts failed sign-ins against the
// address the balancer names: five of them from one office lock out that
// office, not every user in the state, whose requests all come from the
// balancer. A value that is no address is refused, named.
func TestHubServeTrustsItsProxy(t *testing.T) {
	file := hubWithUser(t, "--username", "kim", "--name", "Kim Lee", "--role", "state_admin")
	if _, err := run(t, "hub", "serve", "--db", file, "--trusted-proxy", "10.0.0.0/33"); err == nil || !strings.Contains(err.Error(), `"10.0.0.0/33" is neither an address`) {
		t.Errorf("a range that is none: %v", err)
	}
	addr := freeAddr(t)
	hubProc := startChild(t, "hub", "serve", "--db", file, "--addr", addr, "--trusted-proxy", "127.0.0.1")
	t.Cleanup(func() { hubProc.Process.Kill(); hubProc.Wait() })
	signIn := func(from, user, pw string) int {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
		req, _ := http.NewRequest("POST", "http://"+addr+"/v1/signin", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", from)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(30 * time.Second)
	for signIn("192.0.2.1", "kim", "correct horse battery") != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the hub did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := range 5 {
		signIn("203.0.113.7", "nobody"+string(rune('a'+i)), "not the password")
	}
	if got := signIn("203.0.113.7", "kim", "correct horse battery"); got != http.StatusTooManyRequests {
		t.Errorf("the office that failed five times: %d, want 429", got)
	}
	if got := signIn("198.51.100.20", "kim", "correct horse battery"); got != http.StatusOK {
		t.Errorf("another office behind the same balancer: %d, want 200", got)
	}
}

// freeAddr is a loopback address no program listens on, for a hub to
// serve on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
