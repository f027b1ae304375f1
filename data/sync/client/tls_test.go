package client

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
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

// expiredServer is a hub on loopback whose certificate, trusted by
// this computer, ran out yesterday.
func expiredServer(t *testing.T) (*httptest.Server, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "hub.example"},
		NotBefore:    time.Now().Add(-400 * 24 * time.Hour),
		NotAfter:     time.Now().Add(-24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the request reached the hub past an expired certificate")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return srv, pool
}

// A hub whose certificate expired is the hub's administrator's to renew
// (or this computer's clock to set): asking for the address it names or
// for an authority to install, as for an untrusted one, sent the person
// after the wrong thing.
func TestExpiredCertificateSaysSo(t *testing.T) {
	srv, pool := expiredServer(t)
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	c.http.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	err = c.SignIn(context.Background(), "rosa", "s3cret-pass-1")
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("an expired certificate: %v, want the hub out of reach (work offline)", err)
	}
	want := "the hub's certificate at " + srv.Listener.Addr().String() + " expired on " + time.Now().Add(-24*time.Hour).Format("2006-01-02")
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "renew") || !strings.Contains(err.Error(), "date and time") ||
		strings.Contains(err.Error(), "certificate authority to install") {
		t.Errorf("an expired certificate reads %q, want %q and what to do", err, want)
	}
}

// A hub address written with http:// for a hub that serves HTTPS is
// answered by Go's server with a 400 of its own: the error says to write
// https://, not that a server answered "not in the hub's words".
func TestPlainHTTPToATLSHubSaysSo(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("a plain request reached the hub")
	}))
	defer srv.Close()
	plain := "http://" + srv.Listener.Addr().String()
	c, err := New(plain)
	if err != nil {
		t.Fatal(err)
	}
	err = c.SignIn(context.Background(), "rosa", "s3cret-pass-1")
	if err == nil || !strings.Contains(err.Error(), "the hub at "+srv.Listener.Addr().String()+" serves HTTPS: write its address as https://"+srv.Listener.Addr().String()) {
		t.Errorf("http:// to an HTTPS hub reads %v", err)
	}
}
