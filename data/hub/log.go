package hub

import (
	"context"
	"net/http"
	gosync "sync"
	"time"
)

// requestInfo carries, from a handler to the request log, who the request
// acted as and what it did; the log never holds a body, a query string or
// a name.
type requestInfo struct {
	user string
	mu   gosync.Mutex
	note []any
}

type infoKey struct{}

func setUser(r *http.Request, username string) {
	if ri, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		ri.user = username
	}
}

// Note adds counts or times to the request log's line of the request ctx
// belongs to (the back ends note how long a push waited for its group
// and how long the group's transaction took): the slowest requests of a
// load can then be told apart by what they waited for. Values must be
// numbers or fixed words, never a name or a value of a row.
func Note(ctx context.Context, kv ...any) {
	if ri, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		ri.mu.Lock()
		ri.note = append(ri.note, kv...)
		ri.mu.Unlock()
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// logged writes one structured line per request: user, the address it
// came from (the one a trusted proxy names), endpoint, status, duration,
// bytes sent, and what the handlers noted.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		addr := s.clientAddr(r)
		ri := &requestInfo{}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoKey{}, ri)))
		ri.mu.Lock()
		args := append([]any{"method", r.Method, "endpoint", r.URL.Path, "user", ri.user, "addr", addr,
			"status", sw.status, "ms", msSince(time.Now(), start), "bytes", sw.bytes}, ri.note...)
		ri.mu.Unlock()
		s.log.Info("request", args...)
	})
}

// msSince is the time from start to now in milliseconds with
// microseconds, as the request log gives times.
func msSince(now, start time.Time) float64 { return float64(now.Sub(start).Microseconds()) / 1000 }
