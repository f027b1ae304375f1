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
)

// A hub that refuses the connection (restarting, say) is tried again at
// once, a blink of the network; one whose connection timed out is not:
// the network is absent, and each try would keep the app "Syncing" for
// DialTimeout more before it says "Offline".
func TestAConnectionThatTimedOutIsNotTriedAgain(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
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
