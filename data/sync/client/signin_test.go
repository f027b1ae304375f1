package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestSignInRefusesWhatNoAccountHas: a user name or a password no account
// can have (migrantdeskctl sync --user with a paste in it, a password
// file holding more than the password) is refused before the hub is
// asked, which would count it as a failed sign-in.
func TestSignInRefusesWhatNoAccountHas(t *testing.T) {
	var asked atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range [][2]string{
		{"rosa\x00", "correct horse battery"},
		{strings.Repeat("rosa", 100), "correct horse battery"},
		{"rosa", strings.Repeat("correct horse battery\n", 20)},
	} {
		err := c.SignIn(context.Background(), in[0], in[1])
		if err == nil || Refused(err) || !strings.HasPrefix(err.Error(), "the ") {
			t.Errorf("%.20q: %v", in[0], err)
		}
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the hub was asked %d times", n)
	}
}

// TestALongWaitIsSaidAtOnce: an answer asking for a wait longer than a
// retry is worth (a user name locked out for minutes) is the answer, said
// at once in the server's words, not asked again four times over the
// next seconds and refused each time.
func TestALongWaitIsSaidAtOnce(t *testing.T) {
	var asked atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		w.Header().Set("Retry-After", "900")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error":"too many failed sign-ins; try again in 15 minutes"}`))
	}))
	defer srv.Close()
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	err = c.SignIn(context.Background(), "rosa", "correct horse battery")
	if err == nil || err.Error() != "too many failed sign-ins; try again in 15 minutes" {
		t.Errorf("got %v", err)
	}
	if n := asked.Load(); n != 1 {
		t.Errorf("asked %d times, want once", n)
	}
}
