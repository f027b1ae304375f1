package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A hub whose certificate this computer does not trust (self-signed, or
// naming another address) answers; what stops the sign-in is the
// certificate, which no retry changes. The error says so, and what to
// ask for, and still lets the app work offline.
func TestUntrustedCertificateSaysSo(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the request reached the hub past a certificate the client does not trust")
	}))
	defer srv.Close()
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.Backoff = 5 * time.Second
	start := time.Now()
	err = c.SignIn(context.Background(), "rosa", "s3cret-pass-1")
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("an untrusted certificate: %v, want the hub out of reach (work offline)", err)
	}
	if !strings.Contains(err.Error(), "this computer does not trust the hub's certificate") {
		t.Errorf("an untrusted certificate reads %q", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("an untrusted certificate was tried again for %s", d.Round(time.Millisecond))
	}
}
