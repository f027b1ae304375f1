package gui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"migrantdesk/data"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/sqlitehub"
	"migrantdesk/data/store"
	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync/client"
)

// password is every hub user's password in the tests.
const password = "correct horse battery"

// testHub is a real hub on loopback, over the storetest state, with an
// account for each storetest user.
type testHub struct {
	url     string
	db      *sqlitehub.DB
	handler http.Handler
	srv     *httptest.Server
	signIns atomic.Int64 // sign-in requests answered
	// cutPulls is how many of the next pulls lose their connection half
	// way through the hub's answer; shortPulls, how many are answered
	// with the first half of the answer alone, as if it were whole.
	cutPulls, shortPulls atomic.Int64
	// lockout, when set, is the hub's own answer to a sign-in from an
	// address it locks out, given to every sign-in (lockOut).
	lockout atomic.Pointer[httptest.ResponseRecorder]
	// gateway, when set, answers every request before the hub sees it
	// with a page of its own asking for its own sign-in (401), as a
	// state network's gateway in front of the hub may.
	gateway atomic.Bool
	api     http.Handler
}

// hubsMade counts the test hubs started, to tell them apart.
var hubsMade atomic.Int64

func startHub(t *testing.T) *testHub {
	t.Helper()
	db, err := sqlitehub.Open(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	// Each hub's import is audited by a user of its own: the audit log's
	// first row names the hub (hub.Store's Identity), and two hubs made
	// within a second of each other by one user would have the same name.
	if _, err := db.Store().ImportExtract(ctx, storetest.Extract(), fmt.Sprintf("test%d", hubsMade.Add(1))); err != nil {
		t.Fatal(err)
	}
	hash, err := argon2id.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range storetest.Users() {
		if err := db.SaveAccount(ctx, "test", hub.Account{User: u, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	api := hub.NewServer(db, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler()
	h := &testHub{db: db, api: api}
	h.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.gateway.Load() {
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("WWW-Authenticate", `Basic realm="State network"`)
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, "<html><body><h1>Sign in to the state network</h1></body></html>")
			return
		}
		if r.URL.Path == "/v1/signin" {
			h.signIns.Add(1)
			if rec := h.lockout.Load(); rec != nil {
				maps.Copy(w.Header(), rec.Header())
				w.WriteHeader(rec.Code)
				w.Write(rec.Body.Bytes())
				return
			}
		}
		if r.URL.Path == "/v1/pull" && h.cutPulls.Add(-1) >= 0 {
			halfAnswer(w, r, api, true)
			return
		}
		if r.URL.Path == "/v1/pull" && h.shortPulls.Add(-1) >= 0 {
			halfAnswer(w, r, api, false)
			return
		}
		api.ServeHTTP(w, r)
	})
	h.srv = httptest.NewServer(h.handler)
	h.url = h.srv.URL
	t.Cleanup(func() { h.srv.Close() })
	return h
}

// halfAnswer sends the first half of the hub's answer. Cut, it says the
// whole answer's length and closes the connection after the half: the
// network dropping in the middle of a page. Not cut, the half is the
// whole answer, read to its end and wrong.
func halfAnswer(w http.ResponseWriter, r *http.Request, api http.Handler, cut bool) {
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	half := body[:len(body)/2]
	length := len(half)
	if cut {
		length = len(body)
	}
	w.Header().Set("Content-Length", strconv.Itoa(length))
	w.WriteHeader(rec.Code)
	w.Write(half)
	if !cut {
		return
	}
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
}

// stop takes the hub off the network: connections are refused.
func (h *testHub) stop() { h.srv.Close() }

// restart puts the hub back at its address.
func (h *testHub) restart(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewUnstartedServer(h.handler)
	h.srv.Listener.Close()
	h.srv.Listener = ln
	h.srv.Start()
}

// setPassword changes a user's password at the hub, which ends their
// sign-ins.
func (h *testHub) setPassword(t *testing.T, username, pw string) {
	t.Helper()
	hash, err := argon2id.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.db.SetPassword(context.Background(), "test", username, hash); err != nil {
		t.Fatal(err)
	}
}

// disable disables a user at the hub, as hub user disable does, which
// ends their sign-ins.
func (h *testHub) disable(t *testing.T, username string) {
	t.Helper()
	if err := h.db.Disable(context.Background(), "test", username); err != nil {
		t.Fatal(err)
	}
}

// workstation is another computer syncing with the hub as username,
// headless, as migrantdeskctl sync does.
type workstation struct {
	st   *store.Store
	user data.User
	hub  *testHub
}

func newWorkstation(t *testing.T, h *testHub, username string) *workstation {
	t.Helper()
	w := &workstation{st: storetest.OpenEmpty(t), user: storetest.User(username), hub: h}
	w.sync(t)
	return w
}

// sync pushes the workstation's changes and pulls the hub's.
func (w *workstation) sync(t *testing.T) client.Summary {
	t.Helper()
	ctx := context.Background()
	c, err := client.New(w.hub.url)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SignIn(ctx, w.user.Username, password); err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetIdentity(ctx, store.Identity{HubURL: w.hub.url, User: c.User}); err != nil {
		t.Fatal(err)
	}
	sum, err := c.Sync(ctx, w.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// record is the workstation's copy of a record.
func (w *workstation) record(t *testing.T, id string) store.Record {
	t.Helper()
	r, err := w.st.RecordByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// save saves a record on the workstation, as its user.
func (w *workstation) save(t *testing.T, r data.MigrantRecord) store.Record {
	t.Helper()
	saved, err := w.st.SaveRecord(context.Background(), w.user, r)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

// signInAs fills the sign-in as a person does and presses Enter in the
// password.
func signInAs(t *testing.T, u *UI, hubURL, username, pw string) {
	t.Helper()
	submitSignIn(t, u, hubURL, username, pw)
	u.wait()
}

// submitSignIn fills in the sign-in and submits it, leaving the sign-in
// under way.
func submitSignIn(t *testing.T, u *UI, hubURL, username, pw string) {
	t.Helper()
	s := u.signIn
	if s == nil {
		t.Fatal("no sign-in on screen")
	}
	s.hub.SetText(hubURL)
	s.username.SetText(username)
	s.password.SetText("")
	test.Type(s.password, pw)
	s.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// signedInApp starts the app on a new workstation and signs in to h as
// username; the first sync has run when it returns.
func signedInApp(t *testing.T, h *testHub, username string) (*UI, *store.Store) {
	t.Helper()
	st := storetest.OpenEmpty(t)
	u := start(t, st, Options{})
	signInAs(t, u, h.url, username, password)
	if u.signIn != nil || u.user.Username != username {
		t.Fatalf("not signed in as %s: %q", username, u.signIn.problem.Text)
	}
	return u, st
}

// enterRecord opens a student and enters a new record as a clerk does:
// Ctrl+N, the MIS2000 ID and the QAD, Ctrl+S.
func enterRecord(t *testing.T, u *UI, stateID, mis, qad string) {
	t.Helper()
	u.openStudent(stateID)
	u.wait()
	press(t, u, keyNew)
	test.Type(u.student.form.mis, mis)
	test.Type(u.student.form.qad.Entry, qad)
	press(t, u, keySave)
	if u.student.form != nil {
		t.Fatalf("the record was not saved: %q", u.student.form.formErr.Text)
	}
}
