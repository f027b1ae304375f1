package hubtest

import (
	"net"
	gosync "sync"
	"testing"
)

// Silent listens on loopback as a hub that accepts every connection and
// never answers (a hub stuck, or a network that swallows the answers),
// until the test ends. It returns the hub's URL, and a channel that
// receives a value for each connection accepted.
func Silent(t testing.TB) (url string, accepted <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var open struct {
		gosync.Mutex
		conns []net.Conn
		ended bool
	}
	t.Cleanup(func() {
		l.Close()
		open.Lock()
		defer open.Unlock()
		open.ended = true
		for _, c := range open.conns {
			c.Close()
		}
	})
	each := make(chan struct{}, 64)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			open.Lock()
			if open.ended {
				c.Close()
			}
			open.conns = append(open.conns, c)
			open.Unlock()
			select {
			case each <- struct{}{}:
			default:
			}
		}
	}()
	return "http://" + l.Addr().String(), each
}
