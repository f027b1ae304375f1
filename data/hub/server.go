package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/sync"

	"github.com/google/uuid"
	kgzip "github.com/klauspost/compress/gzip"
)

// Bounds on what a client may send and how long a sign-in lasts. A push
// of a thousand mutations is weeks of a clerk's work; anything larger is
// an error or an attack.
const (
	maxSignInBody   = 4 << 10
	maxPushBody     = 8 << 20 // after gzip is undone
	MaxPushBatch    = 1000
	DefaultPullPage = 2000
	tokenLifetime   = 12 * time.Hour
)

// MaxPullPage is the largest page a pull may ask for (sync.MaxPullPage).
const MaxPullPage = sync.MaxPullPage

// Server answers the hub's HTTP API.
type Server struct {
	store   Store
	log     *slog.Logger
	now     func() time.Time
	limiter *limiter
	// hashing holds a place for each password being checked. An Argon2id
	// check takes 64 MiB for most of a second: fifty workstations
	// signing in at the start of the day would otherwise ask for
	// gigabytes at once, and the checks take no longer one after another
	// than all together on the same cores.
	hashing chan struct{}
	crowd   crowd
	// proxies are the load balancers or proxies in front of the hub,
	// whose X-Forwarded-For names the address a request came from.
	proxies []netip.Prefix
	// proxyWarned is set once the log has said that requests come
	// through a proxy the hub was not told to trust.
	proxyWarned atomic.Bool
}

// NewServer makes a hub server on a store; log gets one line per request.
func NewServer(st Store, log *slog.Logger) *Server {
	return &Server{store: st, log: log, now: time.Now, limiter: newLimiter(time.Now),
		hashing: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// TrustProxies makes the hub count a sign-in from one of nets (the
// load balancers in front of it) against the address the request's
// X-Forwarded-For names, not the balancer's own, which every request
// through it shares.
func (s *Server) TrustProxies(nets []netip.Prefix) { s.proxies = nets }

// verify checks a password against its hash when a place is free.
func (s *Server) verify(ctx context.Context, hash, password string) (bool, error) {
	select {
	case s.hashing <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.hashing }()
	return argon2id.VerifyPassword(hash, password), nil
}

// Handler is the hub's API:
//
//	POST /v1/signin   {username, password} → {token, expires_at, user}
//	POST /v1/signout  ends the token's sign-in
//	POST /v1/push     {mutations} → {results}
//	GET  /v1/pull?epoch=E&seq=N[&mark=M][&snapshot=S][&scope=C][&limit=L] → a page of changes
//	GET  /healthz     200 when the database answers
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/signin", s.signIn)
	mux.Handle("POST /v1/signout", s.authed(s.signOut))
	mux.Handle("POST /v1/push", s.authed(s.push))
	mux.Handle("GET /v1/pull", s.authed(s.pull))
	mux.HandleFunc("GET /healthz", s.health)
	mux.HandleFunc("/", s.unknown)
	return s.logged(mux)
}

// apiError is an error answer: a status and a sentence for the person.
type apiError struct {
	Status  int    `json:"-"`
	Message string `json:"error"`
}

func (e *apiError) Error() string { return e.Message }

func fail(status int, format string, args ...any) *apiError {
	return &apiError{Status: status, Message: fmt.Sprintf(format, args...)}
}

// unknown answers paths the hub does not serve; a path of another protocol
// version tells the client to update (it keeps its outbox meanwhile).
func (s *Server) unknown(w http.ResponseWriter, r *http.Request) {
	if v, ok := strings.CutPrefix(r.URL.Path, "/v"); ok {
		if n, _, _ := strings.Cut(v, "/"); n != strconv.Itoa(sync.ProtocolVersion) {
			if _, err := strconv.Atoi(n); err == nil {
				s.reply(w, r, nil, fail(http.StatusUpgradeRequired,
					"this hub speaks protocol version %d; update Migrant Desk to sync with it (your changes are kept until then)", sync.ProtocolVersion))
				return
			}
		}
	}
	s.reply(w, r, nil, fail(http.StatusNotFound, "the hub has no %s %s", r.Method, r.URL.Path))
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		// The answer goes to a load balancer or a probe, which keeps no
		// reason: the operator reads it in the log.
		s.log.Warn("health check: the hub's database does not answer", "err", err)
		s.reply(w, r, nil, fail(http.StatusServiceUnavailable, "the hub's database does not answer"))
		return
	}
	s.reply(w, r, map[string]string{"status": "ok"}, nil)
}

// decoyHash is the hash a sign-in checks when there is no account's to
// check: made once, with the parameters of every new password, so that
// checking it costs what checking an account's password costs.
var decoyHash = gosync.OnceValues(func() (string, error) {
	h, err := argon2id.HashPassword(uuid.NewString())
	if err != nil {
		return "", fmt.Errorf("make the hash a sign-in without an account is checked against: %w", err)
	}
	return h, nil
})

// errBadSignIn is the one answer to a wrong user name, a wrong password
// and a disabled account, so that guessing learns nothing about which.
var errBadSignIn = fail(http.StatusUnauthorized, "the hub refused this user name and password")

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	addr := s.clientAddr(r)
	network := networkOf(addr)
	// A sign-in from the hub's own machine is not counted: it comes
	// through a proxy there (every workstation would share one count) or
	// from a test of many at once. A loopback address X-Forwarded-For
	// names through a proxy elsewhere is counted: a workstation in a
	// range trusted as proxies may have written it there.
	if !loopback(addr) || !loopback(r.RemoteAddr) {
		if !s.crowd.enter(network) {
			w.Header().Set("Retry-After", "2")
			s.reply(w, r, nil, fail(http.StatusServiceUnavailable,
				"the hub is checking %d sign-ins from your network already; try again in a few seconds", maxSignInsAtOnce))
			return
		}
		defer s.crowd.leave(network)
	}
	var req sync.SignInRequest
	if err := decode(w, r, maxSignInBody, &req); err != nil {
		// An older workstation sends whatever was pasted into the form.
		if ae := (*apiError)(nil); errors.As(err, &ae) && ae.Status == http.StatusRequestEntityTooLarge {
			err = fail(ae.Status, "the user name and password are longer than any account's: check that only they were typed or pasted in")
		}
		s.reply(w, r, nil, err)
		return
	}
	// Accounts are kept under their names' clean form (SaveAccount).
	name, nameErr := data.CleanUsername(req.Username)
	if nameErr != nil {
		name = strings.TrimSpace(req.Username)
	}
	// Every case of a name shares its count, so that a guesser cannot
	// try a name five times in each.
	userKey, addrKey := "user:"+strings.ToLower(name), "addr:"+network
	if wait := s.limiter.begin(userKey, addrKey); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.reply(w, r, nil, fail(http.StatusTooManyRequests,
			"too many failed sign-ins; try again in %s", data.Wait(wait)))
		return
	}
	// A name no account can have (a control character, U+0000 among
	// them, which PostgreSQL refuses to compare) is a failed sign-in
	// like any other, never asked of the database.
	err := nameErr
	var a Account
	if err == nil {
		a, err = s.store.Account(r.Context(), name)
		if err != nil && !errors.Is(err, ErrNoAccount) {
			s.limiter.abandon(userKey)
			s.reply(w, r, nil, err)
			return
		}
	}
	// A password is checked for every name, an account's or not: a
	// refusal that came back without the check's hundreds of
	// milliseconds would tell a guesser which names are accounts, and
	// which accounts are disabled.
	known := err == nil && a.PasswordHash != ""
	hash := a.PasswordHash
	if !known {
		if hash, err = decoyHash(); err != nil {
			s.limiter.abandon(userKey)
			s.reply(w, r, nil, err)
			return
		}
	}
	matched, err := s.verify(r.Context(), hash, req.Password)
	if err != nil {
		s.limiter.abandon(userKey)
		s.reply(w, r, nil, fail(http.StatusServiceUnavailable, "the sign-in was given up before the hub checked the password"))
		return
	}
	if !known || a.Disabled || !matched {
		s.limiter.fail(addrKey) // the user key counted it as it began
		s.reply(w, r, nil, errBadSignIn)
		return
	}
	s.limiter.succeed(userKey)
	id, err := s.store.Identity(r.Context())
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	token, err := NewToken()
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	expires := s.now().Add(tokenLifetime).UTC().Truncate(time.Second)
	if err := s.store.SaveToken(r.Context(), TokenHash(token), a.Username, expires); err != nil {
		s.reply(w, r, nil, err)
		return
	}
	setUser(r, a.Username)
	s.reply(w, r, sync.SignInResponse{Token: token, ExpiresAt: expires, User: sync.UserInfoOf(a.User), Hub: id}, nil)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request, _ data.User) {
	if err := s.store.DeleteToken(r.Context(), TokenHash(bearer(r))); err != nil {
		s.reply(w, r, nil, err)
		return
	}
	s.reply(w, r, map[string]string{"status": "signed out"}, nil)
}

func (s *Server) push(w http.ResponseWriter, r *http.Request, u data.User) {
	start := s.now()
	// The cursor the workstation has pulled to travels in the query, as
	// a pull's does: a hub that does not read it ignores it.
	at, err := CursorQuery(r.URL.Query())
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	var req sync.PushRequest
	if err := decode(w, r, maxPushBody, &req); err != nil {
		s.reply(w, r, nil, err)
		return
	}
	refused, err := CheckPush(req)
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	Note(r.Context(), "mutations", len(req.Mutations), "body_ms", msSince(s.now(), start))
	results := make([]sync.Result, len(req.Mutations))
	var apply []sync.Mutation
	for i, m := range req.Mutations {
		if why, ok := refused[i]; ok {
			results[i] = sync.Result{MutationID: m.ID, Outcome: sync.Rejected, Reason: why}
		} else {
			apply = append(apply, m)
		}
	}
	var applied []sync.Result
	if len(apply) > 0 {
		if applied, err = s.store.Push(r.Context(), u, at, apply); err != nil {
			if errors.Is(err, ErrMoved) {
				err = fail(http.StatusConflict, "%s (it was restored from a backup or replaced): nothing was applied; "+
					"the workstation sends every change the hub had acknowledged again first", ErrMoved)
			}
			s.reply(w, r, nil, err)
			return
		}
	}
	if len(applied) != len(apply) {
		s.reply(w, r, nil, fmt.Errorf("the hub answered %d of the %d changes it applied", len(applied), len(apply)))
		return
	}
	for i := range results {
		if results[i].Outcome == "" {
			results[i], applied = applied[0], applied[1:]
		}
	}
	// Counted once answered: a push that fails is sent again whole.
	if rc, ok := s.store.(RefusalCounter); ok && len(refused) > 0 {
		rc.Refused(len(refused))
	}
	s.reply(w, r, sync.PushResponse{Results: results}, nil)
}

// CheckPush refuses a push whose shape is wrong before anything is
// applied: too many mutations, an ID that is not a UUID, the same
// mutation twice. A change the hub cannot take (an unknown entity or
// operation, an oversized payload) is refused alone: refused gives the
// reason by its place in the push, and the push's other changes are
// applied. A workstation never sends such a change again, so refusing
// the whole push left every change queued after it waiting for good.
func CheckPush(req sync.PushRequest) (refused map[int]string, err error) {
	if len(req.Mutations) > MaxPushBatch {
		return nil, fail(http.StatusRequestEntityTooLarge, "a push carries at most %d changes, not %d", MaxPushBatch, len(req.Mutations))
	}
	seen := make(map[string]bool, len(req.Mutations))
	refused = map[int]string{}
	for i, m := range req.Mutations {
		switch {
		case uuid.Validate(m.ID) != nil:
			return nil, fail(http.StatusBadRequest, "change %d: the mutation ID %q is not a UUID", i+1, clip(m.ID))
		case seen[m.ID]:
			return nil, fail(http.StatusBadRequest, "change %d: mutation %s is in the push twice", i+1, m.ID)
		case !sync.ValidOp(m.Entity, m.Op):
			refused[i] = fmt.Sprintf("the hub does not know the operation %q on %q: update Migrant Desk on this computer", clip(m.Op), clip(m.Entity))
		case m.EntityID == "" || len(m.EntityID) > 128:
			refused[i] = "the change names no entity, or one longer than 128 bytes"
		case !cleanID(m.EntityID):
			// The hub looks the entity up by this ID, and PostgreSQL
			// fails a query that holds U+0000: the push answered "try
			// again" on every retry, and a workstation retries for good.
			refused[i] = fmt.Sprintf("the change names its entity %q, which is not clean text: update Migrant Desk on this computer", clip(m.EntityID))
		case len(m.Payload) > sync.MaxPayload:
			refused[i] = fmt.Sprintf("the change is %d bytes, more than the %d the hub takes", len(m.Payload), sync.MaxPayload)
		case m.BaseVersion < 0:
			refused[i] = "the change is based on a negative version"
		}
		seen[m.ID] = true
	}
	return refused, nil
}

// cleanID reports whether id is text the importer, the form and a
// payload's fields could have given (data.CleanText), as stored.
func cleanID(id string) bool {
	clean, err := data.CleanText(id)
	return err == nil && clean == id
}

func (s *Server) pull(w http.ResponseWriter, r *http.Request, u data.User) {
	c, limit, err := PullQuery(r.URL.Query())
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	start := s.now()
	page, err := s.store.Pull(r.Context(), u, c, limit)
	if errors.Is(err, ErrBadCursor) {
		err = fail(http.StatusBadRequest, "%v", err)
	}
	if err != nil {
		s.reply(w, r, nil, err)
		return
	}
	Note(r.Context(), "rows", len(page.Changes), "snapshot", page.Snapshot, "read_ms", msSince(s.now(), start))
	s.reply(w, r, page, nil)
}

// PullQuery reads a pull's cursor and page size from its query string.
func PullQuery(q url.Values) (sync.Cursor, int, error) {
	c, err := CursorQuery(q)
	if err != nil {
		return c, 0, err
	}
	limit := DefaultPullPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPullPage {
			return c, 0, fail(http.StatusBadRequest, "limit %q is not between 1 and %d", clip(v), MaxPullPage)
		}
		limit = n
	}
	return c, limit, nil
}

// CursorQuery reads a cursor from a pull's or a push's query string.
func CursorQuery(q url.Values) (sync.Cursor, error) {
	c := sync.Cursor{Epoch: q.Get("epoch"), Mark: q.Get("mark"), Snapshot: q.Get("snapshot"), Scope: q.Get("scope")}
	if len(c.Epoch) > 64 || len(c.Mark) > 64 || len(c.Snapshot) > 1024 || len(c.Scope) > 64 {
		return c, fail(http.StatusBadRequest, "the cursor is longer than the hub ever gives")
	}
	if v := q.Get("seq"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return c, fail(http.StatusBadRequest, "seq %q is not a sequence number", clip(v))
		}
		c.Seq = n
	}
	return c, nil
}

// authed lets a request through with the account its bearer token signs
// in; the user it acts as comes from the hub's own records, never from
// the request.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, data.User)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := bearer(r)
		if token == "" {
			s.reply(w, r, nil, fail(http.StatusUnauthorized, "sign in to the hub first"))
			return
		}
		start := s.now()
		a, err := s.store.TokenAccount(r.Context(), TokenHash(token), start)
		Note(r.Context(), "auth_ms", msSince(s.now(), start))
		if errors.Is(err, ErrNoToken) {
			s.reply(w, r, nil, fail(http.StatusUnauthorized, "your sign-in has expired or was ended; sign in again"))
			return
		}
		if err != nil {
			s.reply(w, r, nil, err)
			return
		}
		setUser(r, a.Username)
		Note(r.Context(), "role", string(a.Role))
		h(w, r, a.User)
	})
}

func bearer(r *http.Request) string {
	t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || len(t) > 128 {
		return ""
	}
	return strings.TrimSpace(t)
}

// decode reads a JSON body strictly: at most limit bytes (after gzip),
// no unknown fields, one value. The body must say it is JSON: a web page
// may have any browser send text/plain to the hub unasked, and guesses
// sent so from a clerk's browser counted towards locking the office's
// address out; a page may send JSON only with the hub's consent, which
// it does not give (no CORS).
func decode(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fail(http.StatusUnsupportedMediaType, "the hub takes a request as JSON (Content-Type: application/json), not as %q",
			clip(r.Header.Get("Content-Type")))
	}
	body := io.Reader(http.MaxBytesReader(w, r.Body, limit))
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := sync.Gunzip(body)
		if err != nil {
			return fail(http.StatusBadRequest, "the request body is not valid gzip")
		}
		defer sync.Gunzipped(zr)
		body = io.LimitReader(zr, limit+1)
	}
	return DecodeStrict(body, limit, v)
}

// DecodeStrict decodes exactly one JSON value with no unknown fields from
// at most limit bytes.
func DecodeStrict(body io.Reader, limit int64, v any) error {
	lr := &io.LimitedReader{R: body, N: limit + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) || lr.N <= 0 {
			return fail(http.StatusRequestEntityTooLarge, "the request is larger than %d bytes", limit)
		}
		return fail(http.StatusBadRequest, "the request is not valid: %s", clip(err.Error()))
	}
	if dec.More() {
		return fail(http.StatusBadRequest, "the request holds more than one JSON value")
	}
	return nil
}

// statusClientGone is the status recorded for a request whose client
// went away before its answer.
const statusClientGone = 499

// reply writes v as JSON (gzipped when the client takes it), or err as
// {"error": sentence} with its status. An error that is not an apiError
// is the hub's own fault: it is logged, and the client is told to retry.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	start := s.now()
	defer func() { Note(r.Context(), "reply_ms", msSince(s.now(), start)) }()
	status := http.StatusOK
	if err != nil && r.Context().Err() != nil {
		// The workstation went away (closed, killed, cut off) while the
		// hub worked: no one reads the answer, and it is no fault of the
		// hub's for its operator to be alerted to, nor a 503 in the
		// metrics. Its request line and the metrics say 499, as nginx
		// names a request the client closed.
		w.WriteHeader(statusClientGone)
		return
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			s.log.Error("request failed", "path", r.URL.Path, "err", err)
			ae = fail(http.StatusServiceUnavailable, "the hub could not answer just now; try again in a minute")
			w.Header().Set("Retry-After", "5")
		}
		status, v = ae.Status, ae
	}
	page, isPage := v.(sync.Page)
	gzipped := strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
	if isPage && gzipped {
		// A page several pulls share is encoded and compressed once.
		if body, ok, err := page.Encoded(func() ([]byte, error) { return gzipBody(page) }); ok && err == nil {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			w.WriteHeader(status)
			w.Write(body)
			return
		}
	}
	body, merr := encode(v)
	if merr != nil {
		s.log.Error("request failed", "path", r.URL.Path, "err", merr)
		status = http.StatusServiceUnavailable
		body, _ = encode(fail(status, "the hub could not answer just now; try again in a minute"))
	}
	w.Header().Set("Content-Type", "application/json")
	if !gzipped {
		w.WriteHeader(status)
		w.Write(body)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.WriteHeader(status)
	// A first sync's pages are hundreds of megabytes of JSON: the fastest
	// level still shrinks them several times, at a fraction of the
	// default level's time on the hub. Writers are reused: each holds
	// hundreds of kilobytes of tables, which every answer made anew and
	// the garbage collector took back. The compressor is klauspost's,
	// not the standard library's: at the same level it takes half the
	// time for a page and writes a few percent less, and compressing
	// was a tenth of the hub's CPU with fifty workstations syncing.
	writeGzip(w, body)
}

// writeGzip writes body to w compressed.
func writeGzip(w io.Writer, body []byte) {
	zw, _ := gzipWriters.Get().(*kgzip.Writer)
	if zw == nil {
		zw, _ = kgzip.NewWriterLevel(w, kgzip.BestSpeed)
	} else {
		zw.Reset(w)
	}
	zw.Write(body)
	zw.Close()
	gzipWriters.Put(zw)
}

// gzipBody is a page's answer, compressed.
func gzipBody(page sync.Page) ([]byte, error) {
	body, err := encode(page)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	writeGzip(&b, body)
	return b.Bytes(), nil
}

var gzipWriters gosync.Pool

// encode is v as JSON with a newline, as json.Encoder writes it. A value
// that writes its own JSON (a pull's page, the largest answers) is taken
// as it writes it: the encoder would read it all again to check and
// compact it, which was a tenth of a pull's CPU.
func encode(v any) ([]byte, error) {
	if m, ok := v.(json.Marshaler); ok {
		b, err := m.MarshalJSON()
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// clientAddr is the address a request came from, without the port: the
// peer's, or, when the peer is a trusted proxy, the last address in
// X-Forwarded-For that is not one, since each proxy appends the address
// it was reached from and the entries before it are the client's to
// write.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	forwarded := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	if !s.trusted(peer) {
		if len(forwarded) > 0 && forwarded[0] != "" && s.proxyWarned.CompareAndSwap(false, true) {
			s.log.Warn(fmt.Sprintf("requests come through a proxy (they carry X-Forwarded-For), which hub serve was not told to trust: "+
				"failed sign-ins from everyone behind it count as from one address, and five of them lock every user out for a while, "+
				"and at most %d sign-ins are checked at once for everyone behind it together; name the proxy with --trusted-proxy", maxSignInsAtOnce))
		}
		return peer.Unmap().String()
	}
	for i := len(forwarded) - 1; i >= 0; i-- {
		a, err := forwardedAddr(forwarded[i])
		if err != nil {
			break
		}
		peer = a
		if !s.trusted(a) {
			break
		}
	}
	return peer.Unmap().String()
}

// networkOf is what the sign-in limits count an address under: an IPv4
// address itself, and an IPv6 address's /64, which an ISP hands a home or
// an office whole, so that one client choosing a new address in it for
// each attempt (64 bits to choose from) is still one count. An office
// behind one IPv6 network shares the limits as an office behind one IPv4
// address does.
func networkOf(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil || !a.Is6() || a.Is4In6() {
		return addr
	}
	p, err := a.Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}

// forwardedAddr reads an entry of X-Forwarded-For: an address, or an
// address and port, which some balancers (Azure's Application Gateway)
// write. Read as no address, such an entry left the balancer's own
// address to count every sign-in behind it against.
func forwardedAddr(entry string) (netip.Addr, error) {
	entry = strings.TrimSpace(entry)
	if a, err := netip.ParseAddr(entry); err == nil {
		return a, nil
	}
	ap, err := netip.ParseAddrPort(entry)
	return ap.Addr(), err
}

// loopback reports whether addr, with or without a port, is a loopback
// address.
func loopback(addr string) bool {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	a, err := netip.ParseAddr(addr)
	return err == nil && a.Unmap().IsLoopback()
}

// trusted reports whether a is the address of a proxy the hub trusts.
func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
