package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"migrantdesk/data/sync"
)

// closedAddr is a loopback address nothing listens on: a hub down.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// A hub that refuses the connection (restarting, say) is tried again at
// once, a blink of the network; one whose connection timed out is not:
// the network is absent, and each try would keep the app "Syncing" for
// DialTimeout more before it says "Offline".
func TestAConnectionThatTimedOutIsNotTriedAgain(t *testing.T) {
	closed := closedAddr(t)
	for _, c := range []struct {
		name  string
		dial  func(ctx context.Context, network string) (net.Conn, error)
		dials int32
	}{
		{"refused", func(ctx context.Context, network string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, closed)
		}, 5},
		{"timed out", func(ctx context.Context, network string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrDeadlineExceeded}
		}, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl, err := New("http://" + closed)
			if err != nil {
				t.Fatal(err)
			}
			cl.Backoff = time.Millisecond
			var dials atomic.Int32
			tr := cl.http.Transport.(*http.Transport).Clone()
			tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
				dials.Add(1)
				return c.dial(ctx, network)
			}
			cl.http.Transport = tr
			err = cl.SignIn(context.Background(), "rosa", "correct horse battery")
			if !errors.Is(err, ErrUnreachable) {
				t.Errorf("sign-in: %v, want the hub unreachable", err)
			}
			if n := dials.Load(); n != c.dials {
				t.Errorf("%d connections tried, want %d", n, c.dials)
			}
		})
	}
}

// TestUnreachableSaysWhy: the hub out of reach is a sentence and the
// network's reason, as migrantdeskctl sync prints it, without the request
// it was: a pull's address carries the cursor, its signature and a
// snapshot's position in URL-escaped control characters.
func TestUnreachableSaysWhy(t *testing.T) {
	closed := closedAddr(t)
	cl, err := New("http://" + closed)
	if err != nil {
		t.Fatal(err)
	}
	cl.Retries = 0
	var raw rawPage
	at := sync.Cursor{Epoch: "e1", Seq: 5, Mark: "5400e976b7182933.020a62e4c11902bf", Snapshot: "150000\x1estudents\x1f0653318506"}
	err = cl.do(context.Background(), "GET", "/v1/pull?"+pullQuery(at, sync.MaxPullPage), nil, &raw)
	want := ErrUnreachable.Error() + " (dial tcp " + closed + ": connect: connection refused)"
	if !errors.Is(err, ErrUnreachable) || err.Error() != want {
		t.Errorf("a pull from a hub that is down: %v, want %q", err, want)
	}
}
