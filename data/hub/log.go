package hub

import (
	"context"
	"net/http"
	"time"
)

// requestInfo carries, from a handler to the request log, who the request
// acted as; the log never holds a body, a query string or a name.
type requestInfo struct{ user string }

type infoKey struct{}

func setUser(r *http.Request, username string) {
	if ri, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		ri.user = username
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// logged writes one structured line per request: user, endpoint, status,
// duration.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		ri := &requestInfo{}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoKey{}, ri)))
		s.log.Info("request", "method", r.Method, "endpoint", r.URL.Path, "user", ri.user,
			"status", sw.status, "ms", float64(time.Since(start).Microseconds())/1000)
	})
}
