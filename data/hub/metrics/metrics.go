// Package metrics exposes a hub's work in Prometheus's text format at
// /metrics: requests and their durations by endpoint and status, pushed
// mutations by outcome, rows pulled, and sign-ins alive. It wraps the hub
// from outside — its HTTP handler and its Store — so the hub's own code
// knows nothing of it. Nothing it records names a person or a record.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/sync"
)

// TokenCounter is a Store that can count the sign-ins not yet expired.
type TokenCounter interface {
	ActiveTokens(ctx context.Context, now time.Time) (int, error)
}

// Metrics holds a hub's metrics.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	pushed   *prometheus.CounterVec
	pulled   prometheus.Counter
}

// New makes the metrics of a hub on st; with a TokenCounter it also
// reports the sign-ins alive, counted when scraped.
func New(st hub.Store) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "migrantdesk_hub_requests_total", Help: "HTTP requests answered, by endpoint and status code.",
		}, []string{"endpoint", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "migrantdesk_hub_request_duration_seconds", Help: "Time to answer an HTTP request, by endpoint.",
			Buckets: []float64{.005, .01, .025, .05, .1, .2, .5, 1, 2.5, 5, 10, 30},
		}, []string{"endpoint"}),
		pushed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "migrantdesk_hub_pushed_mutations_total", Help: "Pushed mutations answered, by outcome (applied, duplicate, conflict, rejected).",
		}, []string{"outcome"}),
		pulled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "migrantdesk_hub_pulled_rows_total", Help: "Rows (changes and snapshot rows) sent to workstations by pulls.",
		}),
	}
	for _, o := range []sync.Outcome{sync.Applied, sync.Duplicate, sync.Conflict, sync.Rejected} {
		m.pushed.WithLabelValues(string(o))
	}
	m.reg.MustRegister(m.requests, m.duration, m.pushed, m.pulled,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if tc, ok := st.(TokenCounter); ok {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "migrantdesk_hub_active_tokens", Help: "Sign-in tokens not yet expired (-1 when the database does not answer).",
		}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := tc.ActiveTokens(ctx, time.Now())
			if err != nil {
				return -1
			}
			return float64(n)
		}))
	}
	return m
}

// Store wraps st so that pushes and pulls are counted.
func (m *Metrics) Store(st hub.Store) hub.Store { return &counted{Store: st, m: m} }

type counted struct {
	hub.Store
	m *Metrics
}

func (c *counted) Push(ctx context.Context, u data.User, at sync.Cursor, ms []sync.Mutation) ([]sync.Result, error) {
	res, err := c.Store.Push(ctx, u, at, ms)
	for _, r := range res {
		c.m.pushed.WithLabelValues(string(r.Outcome)).Inc()
	}
	return res, err
}

// Refused counts the changes of a push that the server refused before
// applying the rest (hub.CheckPush).
func (c *counted) Refused(n int) { c.m.pushed.WithLabelValues(string(sync.Rejected)).Add(float64(n)) }

func (c *counted) Pull(ctx context.Context, u data.User, cur sync.Cursor, limit int) (sync.Page, error) {
	p, err := c.Store.Pull(ctx, u, cur, limit)
	c.m.pulled.Add(float64(len(p.Changes)))
	return p, err
}

// endpoints are the paths counted by name; any other is "other", so that
// made-up paths cannot grow the metrics without bound.
var endpoints = map[string]bool{"/v1/signin": true, "/v1/signout": true, "/v1/push": true, "/v1/pull": true, "/healthz": true}

// Handler serves /metrics and passes every other request to next,
// counting and timing it.
func (m *Metrics) Handler(next http.Handler) http.Handler {
	scrape := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			scrape.ServeHTTP(w, r)
			return
		}
		endpoint := r.URL.Path
		if !endpoints[endpoint] {
			endpoint = "other"
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(sw, r)
		m.duration.WithLabelValues(endpoint).Observe(time.Since(start).Seconds())
		m.requests.WithLabelValues(endpoint, strconv.Itoa(sw.status)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
