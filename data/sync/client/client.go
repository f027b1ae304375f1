// Package client is the workstation's side of sync: it signs in to the
// hub, pushes the local outbox and pulls the user's scope, page by page,
// each page applied with its cursor in one local transaction. A network
// fault or a hub that is down leaves everything where it was: nothing
// typed is lost, and the next sync carries on.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	kgzip "github.com/klauspost/compress/gzip"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// Local is what sync needs of the workstation's database.
type Local interface {
	// PendingMutations returns up to limit mutations not yet pushed,
	// oldest first.
	PendingMutations(ctx context.Context, limit int) ([]sync.Mutation, error)
	// MarkPushed records the hub's answers: applied ones leave the outbox,
	// conflicts and rejections are kept for a person.
	MarkPushed(ctx context.Context, results []sync.Result) error
	// Cursor is how far this workstation has pulled.
	Cursor(ctx context.Context) (sync.Cursor, error)
	// ApplyPage applies a pulled page and advances the cursor to
	// page.Next in one transaction.
	ApplyPage(ctx context.Context, page sync.Page) error
	// Resend puts every mutation the hub acknowledged back among those
	// waiting to be pushed, and returns how many there are.
	Resend(ctx context.Context) (int, error)
}

// Client talks to one hub.
type Client struct {
	base  *url.URL
	http  *http.Client
	token string
	// User is who the hub says is signed in.
	User data.User
	// Hub is the hub's name for its database (sync.SignInResponse), once
	// signed in.
	Hub string
	// Retries and the backoff between them, for transient faults (the
	// network, a 5xx, a 429).
	Retries int
	Backoff time.Duration
}

// New makes a client of the hub at rawURL (https://host:port).
func New(rawURL string) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(rawURL), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not a hub address: write it as https://host:port", rawURL)
	}
	return &Client{base: u, http: &http.Client{Timeout: 2 * time.Minute, Transport: Transport}, Retries: 4, Backoff: 500 * time.Millisecond}, nil
}

// Transport carries the requests of the clients made after it is set:
// http.DefaultTransport's settings (proxies from the environment
// included) but for DialTimeout. One for the process, as the default
// is, so that a sync reuses the last one's connection; a benchmark
// wraps it to time each request.
var Transport http.RoundTripper = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	return t
}()

// DialTimeout bounds a connection to the hub. Off the network (a cable
// out, a VPN down), connecting fails only when it times out, which with
// the system's 30 s and the retries had the app say "Syncing" for more
// than two minutes before it said "Offline". A hub on the state's
// network that has not answered in 10 s is out of reach for now; the
// next sync tries again.
const DialTimeout = 10 * time.Second

// Error is an answer from the hub that is not a success. Transient says
// the request may succeed if tried again later. FromHub says the answer
// is the hub's own, in its words: a gateway, proxy or load balancer at
// the hub's address answers in its own (an HTML page), and its 401 or
// 403 says nothing of the user's account at the hub.
type Error struct {
	Status    int
	Message   string
	Transient bool
	FromHub   bool
	// RetryAfter is how long the answer asked to wait before asking
	// again (its Retry-After in seconds), 0 when it did not say.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// Refused reports whether err is the hub's own refusal (401) of a
// sign-in or of a request: a wrong password, a disabled account, or a
// sign-in that ended. Another server's 401 at the hub's address says
// nothing of the account.
func Refused(err error) bool {
	var ce *Error
	return errors.As(err, &ce) && ce.FromHub && ce.Status == http.StatusUnauthorized
}

// ErrUnreachable wraps a failure to reach the hub at all.
var ErrUnreachable = errors.New("the hub cannot be reached; your changes are kept and will be sent later")

// SignIn signs in with a user name and password.
func (c *Client) SignIn(ctx context.Context, username, password string) error {
	if err := data.CheckSignIn(username, password); err != nil {
		return err
	}
	var out sync.SignInResponse
	if err := c.do(ctx, "POST", "/v1/signin", sync.SignInRequest{Username: username, Password: password}, &out); err != nil {
		return err
	}
	c.token, c.User, c.Hub = out.Token, out.User.User(), out.Hub
	return nil
}

// SignOut ends the client's sign-in at the hub: a token no longer needed
// is then no use to whoever reads it, for the rest of the twelve hours
// a sign-in lasts. A client not signed in has nothing to end.
func (c *Client) SignOut(ctx context.Context) error {
	if c.token == "" {
		return nil
	}
	var answer map[string]string
	if err := c.do(ctx, "POST", "/v1/signout", nil, &answer); err != nil {
		return fmt.Errorf("sign out of the hub: %w", err)
	}
	c.token = ""
	return nil
}

// OtherHubError refuses a database that has synced with one hub to
// another: the new one would take a snapshot's place in it, and would be
// sent again every change the old one ever acknowledged (Sync), a
// training hub's test records reaching the state's hub, or the other way
// round, or the changes refused for good by a hub that lacks their
// students. Replaced says the other hub answers at the same address: its
// database was replaced.
type OtherHubError struct {
	Synced, Now string // the addresses
	Replaced    bool
}

func (e *OtherHubError) Error() string {
	if e.Replaced {
		return fmt.Sprintf("the hub at %s now serves another hub's database than the one this database has synced with "+
			"(a training hub's, or another state's): nothing was sent, and what is in this database stays here; "+
			"ask the hub's administrator", e.Now)
	}
	return fmt.Sprintf("this database has synced with the hub at %s, and the hub at %s is another hub: sign in to %s, "+
		"or use another database with %s (what is in this one stays here)", e.Synced, e.Now, e.Synced, e.Now)
}

// CheckHub checks, once signed in, that a database whose cursor is cur
// and which last synced with the hub at synced ("" if never), named
// syncedHub there ("" if that hub named none), may sync with this
// client's hub. A hub of another name is another hub, at this address
// too (its database replaced). A name can only refuse: every copy of a
// hub's database has its name, a training hub made from the state's
// backup among them. Then: the same address, a database that has never
// applied a page (what it holds was made on it), or a hub of the
// cursor's epoch, which is the same hub at a new address (hub migrate
// keeps the epoch). The epoch is asked of the hub with a pull of one
// change that is not applied. Else it returns an *OtherHubError.
func (c *Client) CheckHub(ctx context.Context, cur sync.Cursor, synced, syncedHub string) error {
	if synced == "" {
		return nil
	}
	same := SameAddress(synced, c.base.String())
	if syncedHub != "" && c.Hub != "" && syncedHub != c.Hub {
		return &OtherHubError{Synced: synced, Now: c.base.String(), Replaced: same}
	}
	if cur.Epoch == "" || same {
		return nil
	}
	// The epoch alone: a sequence of the cursor's epoch that the hub never
	// logged (a copy of the hub that went its own way) would have it start
	// a new epoch, for every workstation, on a pull only asked to look.
	var raw rawPage
	if err := c.do(ctx, "GET", "/v1/pull?"+pullQuery(sync.Cursor{Epoch: cur.Epoch}, 1), nil, &raw); err != nil {
		return err
	}
	if raw.next.Epoch == cur.Epoch {
		return nil
	}
	return &OtherHubError{Synced: synced, Now: c.base.String()}
}

// SameAddress reports whether the hub addresses a and b name the same
// hub as New reads them: the case of scheme and host, a default port and
// a trailing slash make no difference.
func SameAddress(a, b string) bool {
	ua, erra := url.Parse(strings.TrimRight(strings.TrimSpace(a), "/"))
	ub, errb := url.Parse(strings.TrimRight(strings.TrimSpace(b), "/"))
	if erra != nil || errb != nil {
		return false
	}
	norm := func(u *url.URL) string {
		port := u.Port()
		if scheme := strings.ToLower(u.Scheme); port == "" || scheme == "https" && port == "443" || scheme == "http" && port == "80" {
			port = ""
		}
		return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port + strings.TrimRight(u.Path, "/")
	}
	return norm(ua) == norm(ub)
}

// Summary says what one sync did.
type Summary struct {
	Pushed    int         `json:"pushed"`
	Applied   int         `json:"applied"`
	Duplicate int         `json:"duplicate"`
	Conflict  int         `json:"conflict"`
	Rejected  int         `json:"rejected"`
	Pulled    int         `json:"pulled"`
	Cursor    sync.Cursor `json:"cursor"`
}

// Progress is told how a sync goes: the stage, how far it has come and,
// when the hub said, out of how many (else 0). A snapshot counts students
// (the hub tells their number on its pages); the other stages count rows.
type Progress func(stage string, done, total int)

// pushBatch is how many mutations one push carries: a few hundred KB.
const pushBatch = 200

// Sync pushes every waiting mutation, then pulls to the hub's head.
//
// A push names the cursor the workstation has pulled to, and a hub that
// is not at it any more applies none of it (pushAt). A hub whose epoch
// has changed since the last pull answers with a fresh snapshot. It may have been restored from a backup that lacks changes it
// acknowledged to this workstation, so before the snapshot replaces what
// the workstation holds, every acknowledged mutation is pushed again: the
// hub applies those it lacks and answers the others as duplicates. (The
// hub cannot tell a restore from a new extract, nor which workstation
// pushed what after its backup; only the workstation knows.) A
// workstation that has never applied a page does the same at its first.
func (c *Client) Sync(ctx context.Context, local Local, progress Progress) (Summary, error) {
	var sum Summary
	if progress == nil {
		progress = func(string, int, int) {}
	}
	cur, err := local.Cursor(ctx)
	if err != nil {
		return sum, err
	}
	resent, err := c.pushAt(ctx, local, cur, &sum, progress)
	if err != nil {
		return sum, err
	}
	for ; ; resent = true {
		next, newEpoch, err := c.pull(ctx, local, cur, !resent, &sum, progress)
		if err != nil {
			return sum, err
		}
		if !newEpoch {
			sum.Cursor = next
			return sum, nil
		}
		if _, err := local.Resend(ctx); err != nil {
			return sum, err
		}
		if err := c.push(ctx, local, sync.Cursor{}, &sum, progress); err != nil {
			return sum, err
		}
		// The same pull again: the snapshot now holds what was pushed.
	}
}

// pull applies the pages after cur to the hub's head and returns the
// cursor it ends at. The next pages are fetched while one is applied, so
// that the hub's work and the workstation's overlap (a first sync is
// hundreds of pages), up to prefetch pages ahead: the workstation stops
// for seconds at a time (building a snapshot's student indexes before its
// records), and the hub goes on reading the pages that follow meanwhile.
// A page is read in full on a goroutine of its own (decodePages) while
// the next is asked for with the cursor at its end (rawPage): the hub
// reads a page after the workstation has read the last one's cursor,
// not all of it. With stopAtEpoch, a snapshot of another epoch than
// cur's is not applied: pull says so, for Sync to push again first.
func (c *Client) pull(ctx context.Context, local Local, cur sync.Cursor, stopAtEpoch bool, sum *Summary, progress Progress) (sync.Cursor, bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the fetching when a page is not applied
	raws := make(chan fetched, prefetch/2)
	go func() {
		defer close(raws)
		for at := cur; ; {
			var f fetched
			f.err = c.do(ctx, "GET", "/v1/pull?"+pullQuery(at, sync.MaxPullPage), nil, &f.raw)
			select {
			case raws <- f:
			case <-ctx.Done():
				return
			}
			if f.err != nil || !f.raw.more {
				return
			}
			at = f.raw.next
		}
	}()
	pages := decodePages(ctx, raws)
	students := 0 // of the snapshot, in this sync
	relaxed := false
	defer func() {
		if relaxed {
			restoreGC()
		}
	}()
	for f := range pages {
		if f.err != nil {
			return cur, false, f.err
		}
		page := f.raw.page
		if stopAtEpoch && page.Snapshot && page.Next.Epoch != cur.Epoch {
			if cur.Epoch != "" {
				return cur, true, nil
			}
			// A workstation that has never applied a page cannot tell
			// whether the hub was restored since it acknowledged the
			// workstation's pushes (a standalone desk's first sync, its
			// pull cut and tried again later, or the hub restored in
			// between): what the hub acknowledged goes again before the
			// snapshot replaces it, when there is any.
			n, err := local.Resend(ctx)
			if err != nil {
				return cur, false, err
			}
			if n > 0 {
				return cur, true, nil
			}
		}
		if page.Snapshot && page.More && !relaxed {
			relaxed = true
			relaxGC()
		}
		if err := local.ApplyPage(ctx, page); err != nil {
			return cur, false, err
		}
		sum.Pulled += len(page.Changes)
		cur = page.Next
		if !page.Snapshot {
			progress("Receiving changes", sum.Pulled, 0)
			continue
		}
		for _, ch := range page.Changes {
			if ch.Table == "students" {
				students++
			}
		}
		progress("Receiving your students", students, int(page.Students))
	}
	return cur, false, ctx.Err()
}

// fetched is a pulled page, or the error that ended the pulling.
type fetched struct {
	raw rawPage
	err error
}

// decodePages reads in full, in order, the pages fetched from raws that
// are not read yet, up to prefetch/2 pages ahead of the one applied.
func decodePages(ctx context.Context, raws <-chan fetched) <-chan fetched {
	pages := make(chan fetched, prefetch/2)
	go func() {
		defer close(pages)
		for f := range raws {
			if f.err == nil {
				f.err = f.raw.decode()
			}
			select {
			case pages <- f:
			case <-ctx.Done():
				return
			}
			if f.err != nil {
				return
			}
		}
	}()
	return pages
}

// rawPage is a pulled page as the hub wrote it, with the cursor and more
// from its end, or, when those could not be picked out, read in full.
type rawPage struct {
	body []byte
	next sync.Cursor
	more bool
	page sync.Page
	read bool
}

// pageTail is the end of a page as a hub writes it (sync.Page's
// MarshalJSON, and encoding/json's order of its fields): what follows its
// changes. Its quote is JSON's own, never one inside a string (that is
// escaped), and a key "next" follows an array only at the page's top
// level, so the last of these in a page is where its changes end.
var pageTail = []byte(`],"next":`)

// UnmarshalJSON keeps the page and picks out its cursor and more; a page
// whose end is not as expected is read in full at once, so that an answer
// that cannot be read is one the request is tried again for.
func (r *rawPage) UnmarshalJSON(b []byte) error {
	if i := bytes.LastIndex(b, pageTail); i >= 0 {
		var tail struct {
			Next sync.Cursor `json:"next"`
			More bool        `json:"more"`
		}
		if json.Unmarshal(append([]byte{'{'}, b[i+2:]...), &tail) == nil {
			r.body, r.next, r.more = b, tail.Next, tail.More
			return nil
		}
	}
	if err := r.page.UnmarshalJSON(b); err != nil {
		return err
	}
	r.next, r.more, r.read = r.page.Next, r.page.More, true
	return nil
}

// decode reads the page in full, if it is not read yet, and checks that
// its cursor and more are those its next page was asked for with.
func (r *rawPage) decode() error {
	if r.read {
		return nil
	}
	body := r.body
	r.body = nil
	if err := r.page.UnmarshalJSON(body); err != nil {
		return &Error{Status: http.StatusOK, Message: fmt.Sprintf("the hub's answer could not be read: %v", err), Transient: true}
	}
	if r.page.Next != r.next || r.page.More != r.more {
		return &Error{Status: http.StatusOK, Message: "the hub's answer could not be read: its end names another cursor than its page", Transient: true}
	}
	r.read = true
	return nil
}

// A snapshot's pages are a region's million rows, decoded into
// short-lived maps and values while the workstation writes them: at Go's
// default the garbage collector ran every few pages. While one is pulled
// the heap may grow four times over what is live, up to snapshotHeap,
// as an extract import's may. GOGC or GOMEMLIMIT, when set, have the
// last word. The settings are the process's: the last of the pulls
// under way that relaxed them puts them back.
var gcRelaxed struct {
	mu           gosync.Mutex
	pulls        int
	percent      int
	limit        int64
	fromEnvirons bool
}

// snapshotHeap bounds the heap while snapshots are pulled.
const snapshotHeap = 384 << 20

func relaxGC() {
	gcRelaxed.mu.Lock()
	defer gcRelaxed.mu.Unlock()
	gcRelaxed.pulls++
	if gcRelaxed.pulls > 1 {
		return
	}
	gcRelaxed.fromEnvirons = os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != ""
	if !gcRelaxed.fromEnvirons {
		gcRelaxed.percent = debug.SetGCPercent(400)
		gcRelaxed.limit = debug.SetMemoryLimit(snapshotHeap)
	}
}

func restoreGC() {
	gcRelaxed.mu.Lock()
	defer gcRelaxed.mu.Unlock()
	gcRelaxed.pulls--
	if gcRelaxed.pulls == 0 && !gcRelaxed.fromEnvirons {
		debug.SetMemoryLimit(gcRelaxed.limit)
		debug.SetGCPercent(gcRelaxed.percent)
	}
}

// prefetch is how many pages a pull fetches ahead of the one applied: a
// few seconds of the hub's pages, a few megabytes each.
const prefetch = 8

// pullQuery asks for up to limit changes after a cursor.
func pullQuery(c sync.Cursor, limit int) string {
	q := url.Values{}
	q.Set("epoch", c.Epoch)
	q.Set("seq", strconv.FormatInt(c.Seq, 10))
	q.Set("limit", strconv.Itoa(limit))
	if c.Mark != "" {
		q.Set("mark", c.Mark)
	}
	if c.Snapshot != "" {
		q.Set("snapshot", c.Snapshot)
	}
	if c.Scope != "" {
		q.Set("scope", c.Scope)
	}
	return q.Encode()
}

// pushAt pushes the waiting mutations at the workstation's cursor cur.
// A hub that is not there any more (restored from a backup, or its
// database replaced, since the last pull) applies none of them and says
// so: the changes it had acknowledged go again first, then the waiting
// ones after them, in the order they were made. Pushed first, a waiting
// edit would reach the hub before the edit it was made on top of, and a
// version number the restored hub reused for another clerk's edit would
// let it overwrite that edit unseen. resent says the hub was not there.
func (c *Client) pushAt(ctx context.Context, local Local, cur sync.Cursor, sum *Summary, progress Progress) (resent bool, err error) {
	err = c.push(ctx, local, cur, sum, progress)
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusConflict {
		return false, err
	}
	if _, err := local.Resend(ctx); err != nil {
		return false, err
	}
	return true, c.push(ctx, local, sync.Cursor{}, sum, progress)
}

// push sends the waiting mutations, a batch at a time, and records the
// hub's answers. at is the cursor the hub checks it is still at; the
// zero cursor is not checked.
func (c *Client) push(ctx context.Context, local Local, at sync.Cursor, sum *Summary, progress Progress) error {
	path := "/v1/push"
	if at.Epoch != "" {
		q := url.Values{}
		q.Set("epoch", at.Epoch)
		q.Set("seq", strconv.FormatInt(at.Seq, 10))
		if at.Mark != "" {
			q.Set("mark", at.Mark)
		}
		path += "?" + q.Encode()
	}
	for {
		ms, err := local.PendingMutations(ctx, pushBatch)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return nil
		}
		var resp sync.PushResponse
		if err := c.do(ctx, "POST", path, sync.PushRequest{Mutations: ms}, &resp); err != nil {
			return err
		}
		if len(resp.Results) != len(ms) {
			return fmt.Errorf("the hub answered %d of %d changes; try again", len(resp.Results), len(ms))
		}
		if err := local.MarkPushed(ctx, resp.Results); err != nil {
			return err
		}
		sum.Pushed += len(ms)
		for i, r := range resp.Results {
			switch r.Outcome {
			case sync.Applied:
				sum.Applied++
			case sync.Duplicate:
				sum.Duplicate++
			case sync.Conflict:
				if sync.IsConfirmation(ms[i]) {
					// A keep theirs that met a newer edit takes that one
					// (store.MarkPushed): what the clerk chose is done, and
					// there is nothing to resolve.
					sum.Applied++
					continue
				}
				sum.Conflict++
			case sync.Rejected:
				sum.Rejected++
			}
		}
		progress("Sending your changes", sum.Pushed, 0)
	}
}

// do sends one request, retrying transient faults with exponential
// backoff and jitter, and decodes the answer into out.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = gzipJSON(in); err != nil {
			return err
		}
	}
	var err error
	for attempt := 0; ; attempt++ {
		err = c.once(ctx, method, path, body, out)
		var he *Error
		transient := errors.Is(err, ErrUnreachable) && !errors.As(err, new(*tls.CertificateVerificationError)) && !dialTimedOut(err) ||
			errors.As(err, &he) && he.Transient
		if err == nil || !transient || attempt >= c.Retries {
			return err
		}
		wait := c.Backoff << attempt
		wait += time.Duration(rand.Int64N(int64(wait)/2 + 1))
		// The hub's own wait, when it gives one: asked sooner, it only
		// refuses again (a sign-in while it checks others from the same
		// office). One longer than a retry is worth (a locked-out user
		// name, minutes) is said at once, in the hub's words.
		if he != nil && he.RetryAfter > 0 {
			if he.RetryAfter > maxRetryAfter {
				return err
			}
			wait = max(wait, he.RetryAfter)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// maxRetryAfter is the longest wait the hub may ask for that a request
// waits out before trying again.
const maxRetryAfter = 10 * time.Second

// retryAfter reads a Retry-After of whole seconds, as the hub writes it;
// another form (an HTTP date, from a server in front of the hub) is 0,
// and the backoff decides.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, 86400)) * time.Second
}

// dialTimedOut says a connection to the hub timed out: the network is
// absent rather than blinking, and trying again at once would only keep
// the person waiting DialTimeout more for the same answer.
func dialTimedOut(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && op.Timeout()
}

func (c *Client) once(ctx context.Context, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", "gzip")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	// Asked for here, gzip is undone here, by klauspost's reader: the
	// transport's, the standard library's, took twice its CPU for a first
	// sync's hundreds of megabytes of pages.
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Still out of reach, so that the app works offline, but the
		// operator's to act on, and no retry changes it.
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) {
			if when := outOfDate(certErr); when != "" {
				return fmt.Errorf("%w: the hub's certificate at %s %s; ask the hub's administrator to renew it, "+
					"or set this computer's date and time if they are wrong (%w)", ErrUnreachable, c.base.Host, when, certErr)
			}
			return fmt.Errorf("%w: this computer does not trust the hub's certificate at %s; ask the hub's administrator "+
				"for the address its certificate names, or for its certificate authority to install (%w)", ErrUnreachable, c.base.Host, certErr)
		}
		// The network's reason, without the request: its address is the
		// hub's, which the person knows, and a query holding the cursor.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%w (%w)", ErrUnreachable, err)
	}
	defer resp.Body.Close()
	answer := &droppable{r: resp.Body}
	unread := func(err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if answer.dropped != nil {
			return fmt.Errorf("%w (the connection dropped while the hub answered: %v)", ErrUnreachable, answer.dropped)
		}
		return &Error{Status: resp.StatusCode, Message: fmt.Sprintf("the hub's answer could not be read: %v", err), Transient: true}
	}
	rd = answer
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		zr, err := sync.Gunzip(answer)
		if err != nil {
			return unread(err)
		}
		defer sync.Gunzipped(zr)
		rd = zr
	}
	rd = io.LimitReader(rd, 256<<20)
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		raw, _ := io.ReadAll(io.LimitReader(rd, 64<<10))
		json.Unmarshal(raw, &e)
		fromHub := e.Error != ""
		switch {
		case fromHub:
		case resp.StatusCode == http.StatusBadRequest && c.base.Scheme == "http" && bytes.HasPrefix(raw, []byte(plainToTLS)):
			e.Error = fmt.Sprintf("the hub at %s serves HTTPS: write its address as https://%s", c.base.Host, c.base.Host)
		default:
			e.Error = fmt.Sprintf("the server at the hub's address answered %s, not in the hub's words", resp.Status)
		}
		return &Error{Status: resp.StatusCode, Message: e.Error, FromHub: fromHub,
			Transient:  resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	if err := decode(rd, out); err != nil {
		return unread(err)
	}
	return nil
}

// plainToTLS is how Go's HTTP server, the hub's, answers a plain HTTP
// request on its HTTPS port.
const plainToTLS = "Client sent an HTTP request to an HTTPS server"

// outOfDate says when a certificate the verification refused for its
// dates was valid ("expired on 2026-12-02"), "" when it was refused for
// another reason: a certificate is renewed by the hub's administrator, or
// a computer's wrong clock set, where an untrusted one needs another
// address or authority.
func outOfDate(certErr *tls.CertificateVerificationError) string {
	var invalid x509.CertificateInvalidError
	if !errors.As(certErr.Err, &invalid) || invalid.Reason != x509.Expired {
		return ""
	}
	now := time.Now()
	for _, cert := range certErr.UnverifiedCertificates {
		switch {
		case now.After(cert.NotAfter):
			return "expired on " + cert.NotAfter.Format(time.DateOnly)
		case now.Before(cert.NotBefore):
			return "is valid only from " + cert.NotBefore.Format(time.DateOnly)
		}
	}
	return ""
}

// droppable reads an answer's body and keeps the error, other than its
// end, that reading it met: the connection dropping or timing out in the
// middle of the answer (a network cut during a snapshot page), which is
// the hub being out of reach. An answer read to its end that cannot be
// decoded is a wrong answer instead, whatever the decoder's error says.
type droppable struct {
	r       io.Reader
	dropped error
}

func (d *droppable) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF && d.dropped == nil {
		d.dropped = err
	}
	return n, err
}

// gzipWriters are reused: a writer holds hundreds of kilobytes of
// tables, which each push of a few kilobytes made anew (and the garbage
// collector took back) while a first sync's pages were being written.
var gzipWriters gosync.Pool

// gzipJSON is v as JSON, compressed at the fastest level: a push's
// mutations shrink several times at it, for a fraction of the default
// level's CPU.
func gzipJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzipWriters.Get().(*kgzip.Writer)
	if zw == nil {
		zw, _ = kgzip.NewWriterLevel(&buf, kgzip.BestSpeed)
	} else {
		zw.Reset(&buf)
	}
	defer gzipWriters.Put(zw)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decode reads an answer into out. A type that reads its own JSON (a
// pulled page) is given the answer as it is: encoding/json would first
// scan all of it, a first sync's hundreds of megabytes, to find where it
// ends and check it, which the type's reader does as it goes.
func decode(rd io.Reader, out any) error {
	u, ok := out.(json.Unmarshaler)
	if !ok {
		return json.NewDecoder(rd).Decode(out)
	}
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	return u.UnmarshalJSON(b)
}
