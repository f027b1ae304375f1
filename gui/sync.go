package gui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/sync/client"
)

// syncLocal is what syncing reads and writes of the workstation's
// database: the outbox and the cursor, whose it is, and when it last
// synced.
type syncLocal interface {
	client.Local
	signInStore
	SetLastSync(ctx context.Context, t time.Time) error
}

// linkState is where the workstation stands with its hub.
type linkState int

const (
	linkOnline    linkState = iota // the last exchange with the hub went through
	linkOffline                    // the hub could not be reached: changes wait
	linkSignedOut                  // the hub refused the password: a person must sign in again
	linkFailed                     // the hub or the database refused the exchange
)

// How often the app syncs by itself (and tries again while offline), and
// how often the status bar's "2 minutes ago" is brought up to date.
const (
	syncEvery = 3 * time.Minute
	clockTick = 30 * time.Second
)

// syncView shows what the syncer does; the UI is one. Every call is on
// the UI goroutine.
type syncView interface {
	// syncProgress: a sync is under way, at a stage ("" while it signs
	// in) with so many rows sent or received, of total when the hub
	// said (a first sync's students), else 0.
	syncProgress(stage string, rows, total int)
	// syncSnapshot: the sync takes a snapshot of the user's scope, a first
	// sync (or the first after the hub was restored), which takes a while.
	syncSnapshot()
	syncDone(r syncResult)
	// tick: the clock moved on by clockTick.
	tick()
}

// syncResult is how a sync went. quiet says it is not worth a message:
// it was not asked for by a person, and it went through with nothing to
// resolve, or failed as the one before did (the status bar shows it).
type syncResult struct {
	sum   client.Summary
	err   error
	state linkState
	quiet bool
}

// syncer syncs the workstation with its hub in the background: when asked
// (after a change, Sync now), every syncEvery, and never two at once. Its
// fields belong to the UI goroutine; the exchange itself runs through
// tasks on a copy of the session.
type syncer struct {
	st      syncLocal
	tasks   *tasks
	view    syncView
	sess    session
	state   linkState
	running bool
	again   bool // asked while running: sync once more when done
	manual  bool // the sync running or asked for was asked by a person
	retried bool // the hub's sign-in ended during the last sync, and it was signed in again once
	// retyped: a person typed the password again while a sync ran, into
	// sess, which is then the one to sign in with rather than the
	// session that sync hands back.
	retyped bool
	// ended hands the session of the sync under way back once its
	// exchange returns, for the sign-out of an app quitting meanwhile,
	// whose UI goroutine runs no more to take it (done).
	ended chan session
	ctx   context.Context
	stop  context.CancelFunc
}

// newSyncer syncs st for the session signed in, which is online when the
// hub answered the sign-in.
func newSyncer(st syncLocal, t *tasks, view syncView, sess session) *syncer {
	s := &syncer{st: st, tasks: t, view: view, sess: sess, state: linkOnline}
	if sess.client == nil {
		s.state = linkOffline
	}
	s.ctx, s.stop = context.WithCancel(context.Background())
	return s
}

// start syncs now when the hub answered the sign-in, then keeps the clock
// going until close.
func (s *syncer) start() {
	if s.state == linkOnline {
		s.now(false)
	}
	go func() {
		ticker := time.NewTicker(clockTick)
		defer ticker.Stop()
		for ticks := 1; ; ticks++ {
			select {
			case <-s.ctx.Done():
				return
			case <-ticker.C:
				due := ticks%int(syncEvery/clockTick) == 0
				s.tasks.do(func() {
					s.view.tick()
					if due {
						s.now(false)
					}
				})
			}
		}
	}()
}

// close stops the clock and a sync under way: what it applied is
// committed, the rest comes with the next.
func (s *syncer) close() { s.stop() }

// signOutWait bounds the sign-out as the app quits: its windows are
// gone, and a hub that does not answer must not keep the process.
const signOutWait = 2 * time.Second

// signOut ends the session's sign-in at the hub as the app quits, as
// migrantdeskctl sync does: the token would otherwise stay good at the hub
// for the rest of its twelve hours, counted among its active sign-ins.
// A sync under way, which close has stopped, hands its session back
// first (it may have signed in again); between syncs, only when the last
// reached the hub. The next start signs in afresh anyway.
func (s *syncer) signOut() {
	ctx, cancel := context.WithTimeout(context.Background(), signOutWait)
	defer cancel()
	sess := s.sess
	switch {
	case s.running:
		select {
		case sess = <-s.ended:
		case <-ctx.Done():
			return
		}
	case s.state != linkOnline:
		return
	}
	if sess.client == nil {
		return
	}
	c := *sess.client
	c.Retries = 0
	c.SignOut(ctx)
}

// signInAgain takes the password a person typed after the hub refused
// the one kept, and syncs with it.
func (s *syncer) signInAgain(password string) {
	s.sess.password, s.sess.verifier, s.sess.client = password, "", nil
	s.retyped = s.running
	s.now(true)
}

// now syncs, or syncs once more after the sync under way; manual says a
// person asked. Once the hub has refused the password, only a person's
// asking (with a new password) tries again: trying the refused one at
// every change would get the user locked out at the hub.
func (s *syncer) now(manual bool) {
	if s.state == linkSignedOut && !manual {
		return
	}
	s.manual = s.manual || manual
	if s.running {
		s.again = true
		return
	}
	s.running = true
	s.view.syncProgress("", 0, 0)
	sess, st, view := s.sess, s.st, s.view
	ended := make(chan session, 1)
	s.ended = ended
	s.tasks.run("syncing", func() func() {
		snapshot := func() { s.tasks.do(view.syncSnapshot) }
		progress := func(stage string, rows, total int) { s.tasks.do(func() { view.syncProgress(stage, rows, total) }) }
		sess, sum, err := exchange(s.ctx, st, sess, snapshot, progress)
		ended <- sess
		return func() { s.done(sess, sum, err) }
	})
}

// done takes the session back from the exchange and shows how it went.
func (s *syncer) done(sess session, sum client.Summary, err error) {
	s.running = false
	retyped := s.retyped
	s.retyped = false
	if !retyped {
		s.sess = sess
	}
	if errors.Is(err, context.Canceled) {
		return // the app is closing
	}
	if client.Refused(err) && !errors.Is(err, errRefused) && !s.retried {
		// The hub's sign-in ended (it lasts 12 hours): sign in again,
		// with the password kept, once.
		s.retried, s.again = true, true
	} else {
		prev := s.state
		s.retried = false
		s.state = stateOf(err)
		quiet := !s.manual && (err == nil && sum.Conflict+sum.Rejected == 0 || err != nil && prev == s.state)
		s.view.syncDone(syncResult{sum: sum, err: err, state: s.state, quiet: quiet})
		s.manual = false
	}
	if s.again {
		s.again = false
		// A password typed meanwhile is tried although this sync
		// found the one before it refused.
		s.now(retyped)
	}
}

// exchange signs in when the session is not signed in to the hub yet (it
// started offline, or the hub's sign-in ended), then pushes and pulls;
// off the UI goroutine. It calls snapshot when the pull is a snapshot.
func exchange(ctx context.Context, st syncLocal, sess session, snapshot func(), progress client.Progress) (session, client.Summary, error) {
	var sum client.Summary
	if sess.client == nil {
		var err error
		if sess, err = sess.connect(ctx, st); err != nil {
			if client.Refused(err) {
				err = sess.hubRefused(ctx, st)
			}
			return sess, sum, err
		}
	}
	cur, err := st.Cursor(ctx)
	if err != nil {
		return sess, sum, err
	}
	if cur.Epoch == "" || cur.Snapshot != "" {
		snapshot()
	}
	sum, err = sess.client.Sync(ctx, st, progress)
	if client.Refused(err) {
		sess.client = nil
	}
	if err != nil {
		return sess, sum, err
	}
	return sess, sum, st.SetLastSync(ctx, time.Now())
}

// stateOf is where a sync that ended with err leaves the workstation.
func stateOf(err error) linkState {
	switch {
	case err == nil:
		return linkOnline
	case errors.Is(err, errRefused), errors.Is(err, errNoLonger):
		return linkSignedOut
	case unreachable(err), lockedOut(err):
		return linkOffline
	}
	return linkFailed
}

// syncMessage says in a sentence how a sync went, and what to do about it.
func syncMessage(r syncResult) string {
	var ce *client.Error
	switch {
	case errors.Is(r.err, errNoLonger):
		// What to do first: the status bar cuts a longer message short,
		// and the sign-in says the rest at the next start.
		return "The hub no longer accepts your user name and password (account disabled or password changed): " +
			"ask your state administrator. Syncing has stopped; your changes are kept."
	case r.state == linkSignedOut:
		return "The hub refused your password, so syncing has stopped; your changes are kept. " +
			"Choose Sync now (Ctrl+R) to sign in again."
	case r.state == linkOffline && errors.As(r.err, &ce):
		return sentence(ce.Message) + " Your changes are kept and will be sent later."
	case r.state == linkOffline:
		return sentence(client.ErrUnreachable.Error())
	case r.err != nil && errors.As(r.err, &ce):
		msg := sentence("the hub did not take the sync: " + ce.Message)
		if !strings.Contains(msg, "kept") {
			msg += " Your changes are kept."
		}
		return msg
	case r.err != nil:
		return sentence("the sync stopped: "+r.err.Error()) + " Nothing was lost: your changes are kept, and the next sync tries again."
	}
	sum := r.sum
	// What the hub took now: a change it answers as a duplicate reached
	// it before (a lost answer, or sent again after a restore).
	sent := sum.Pushed - sum.Duplicate
	msg := "Synced with the hub: nothing new."
	switch {
	case sent > 0 && sum.Pulled > 0:
		msg = fmt.Sprintf("Synced with the hub: sent %s, received %s.", data.Count(sent, "change"), data.Count(sum.Pulled, "change"))
	case sent > 0:
		msg = fmt.Sprintf("Synced with the hub: sent %s.", data.Count(sent, "change"))
	case sum.Pulled > 0:
		msg = fmt.Sprintf("Synced with the hub: received %s.", data.Count(sum.Pulled, "change"))
	}
	if n := sum.Conflict; n > 0 {
		// Counted by change, as the rest: two changes of one record may
		// both meet the record's one conflict.
		msg += fmt.Sprintf(" %s met a change made on the hub first: resolve the conflicts under Conflicts.", data.Count(n, "change"))
	}
	if n := sum.Rejected; n > 0 {
		msg += fmt.Sprintf(" The hub refused %s: see why under Conflicts.", data.Count(n, "change"))
	}
	return msg
}

// ago says how long ago t was, as the status bar shows the last sync.
func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "never"
	case d < -time.Minute:
		// Stamped by a clock that was ahead and has been set back since:
		// "just now" would stand until the clock caught up, syncs failing.
		return t.Local().Format("01/02/2006 3:04 PM")
	case d < time.Minute:
		return "just now"
	case d < 2*time.Minute:
		return "1 minute ago"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d/time.Minute))
	case d < 2*time.Hour:
		return "1 hour ago"
	case d < 24*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d/time.Hour))
	}
	return t.Local().Format("01/02/2006 3:04 PM")
}
