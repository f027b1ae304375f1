package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"migrantdesk/data/argon2id"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubtest"
	"migrantdesk/data/hub/metrics"
	"migrantdesk/data/hub/pghub"
	"migrantdesk/data/hub/pghub/pgtest"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/sync"
)

const password = "correct horse battery"

func TestMetrics(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		h, err := sqlitehub.Open(filepath.Join(t.TempDir(), "hub.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		if _, err := h.Store().ImportExtract(context.Background(), hubtest.State(), "test"); err != nil {
			t.Fatal(err)
		}
		check(t, h)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		h, err := pghub.Open(context.Background(), pgtest.URL(t), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		if _, err := h.Import(context.Background(), hubtest.State(), "test"); err != nil {
			t.Fatal(err)
		}
		check(t, h)
	})
}

// check signs in, pushes a change twice and pulls, and reads the counts
// back from /metrics.
func check(t *testing.T, st hub.Store) {
	ctx := context.Background()
	hash, err := argon2id.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveAccount(ctx, "test", hub.Account{User: hubtest.ClerkC, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	m := metrics.New(st)
	srv := httptest.NewServer(m.Handler(hub.NewServer(m.Store(st), slog.New(slog.NewJSONHandler(io.Discard, nil))).Handler()))
	defer srv.Close()
	post := func(path, token string, body any) *http.Response {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", srv.URL+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var signIn sync.SignInResponse
	resp := post("/v1/signin", "", sync.SignInRequest{Username: hubtest.ClerkC.Username, Password: password})
	json.NewDecoder(resp.Body).Decode(&signIn)
	resp.Body.Close()
	rec := sync.Record{ID: uuid.NewString(), StateID: hubtest.Maria, MIS2000ID: "123456", QAD: "2025-09-01", EED: "2028-08-31", Version: 1}
	push := sync.PushRequest{Mutations: []sync.Mutation{hubtest.Mutation(sync.OpCreate, 0, rec)}}
	for range 2 {
		post("/v1/push", signIn.Token, push).Body.Close()
	}
	// A change the server refuses before the store sees it (an unknown
	// operation) is counted as rejected too.
	odd := hubtest.Mutation(sync.OpUpdate, 1, rec)
	odd.Op = "rename"
	post("/v1/push", signIn.Token, sync.PushRequest{Mutations: []sync.Mutation{odd}}).Body.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/v1/pull?limit=5", nil)
	req.Header.Set("Authorization", "Bearer "+signIn.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	post("/v1/nothing", "", nil).Body.Close()

	resp, err = http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	for _, want := range []string{
		`migrantdesk_hub_requests_total{code="200",endpoint="/v1/push"} 3`,
		`migrantdesk_hub_requests_total{code="200",endpoint="/v1/signin"} 1`,
		`migrantdesk_hub_requests_total{code="404",endpoint="other"} 1`,
		`migrantdesk_hub_request_duration_seconds_count{endpoint="/v1/pull"} 1`,
		`migrantdesk_hub_pushed_mutations_total{outcome="applied"} 1`,
		`migrantdesk_hub_pushed_mutations_total{outcome="duplicate"} 1`,
		`migrantdesk_hub_pushed_mutations_total{outcome="conflict"} 0`,
		`migrantdesk_hub_pushed_mutations_total{outcome="rejected"} 1`,
		`migrantdesk_hub_pulled_rows_total 5`,
		`migrantdesk_hub_active_tokens 1`,
	} {
		if !strings.Contains(text, want+"\n") {
			t.Errorf("/metrics has no %s", want)
		}
	}
	if strings.Contains(text, password) || strings.Contains(text, hubtest.Maria) || strings.Contains(text, signIn.Token) {
		t.Error("/metrics names a password, a student or a token")
	}
}
