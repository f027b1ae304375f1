package gui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"net/http"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"migrantdesk/data"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/store"
	"migrantdesk/data/sync"
	"migrantdesk/data/sync/client"
	"migrantdesk/gui/widgets"
)

// prefHubURL is the preference holding the hub signed in to last, offered
// at the next start (a database that has synced names its own hub).
const prefHubURL = "hub_url"

// signInTimeout bounds how long a person waits for the hub at sign-in
// before the app checks the password on this computer instead: a hub
// behind a dead network can take minutes to fail.
const signInTimeout = 15 * time.Second

// signInStore is what signing in reads and writes of the workstation's
// database: whose it is, and the verifier of their password.
type signInStore interface {
	Identity(ctx context.Context) (store.Identity, bool, error)
	SetIdentity(ctx context.Context, id store.Identity) error
	ForgetRefused(ctx context.Context, username, password string) (bool, error)
	Cursor(ctx context.Context) (sync.Cursor, error)
	Path() string
}

// session is who signed in to which hub. The password stays in memory for
// the session so that the app can sign in again by itself when the hub
// comes back after working offline, or when the hub's sign-in (12 hours)
// ends. It is a value: a sync works on a copy off the UI goroutine and
// hands back the copy it changed.
type session struct {
	hubURL   string
	user     data.User
	password string
	verifier string         // the Argon2id hash kept in the database for offline sign-in
	client   *client.Client // signed in to the hub; nil until the hub answers
	// newHub says the person chose to sync the database with a hub other
	// than its own (client.OtherHubError): its hub moved, or was
	// restored at another address.
	newHub bool
	// why the hub did not sign in, when it answered and the password
	// was checked on this computer instead ("" when it could not be
	// reached).
	why string
}

// offline says why the session was signed in on this computer alone.
func (s session) offline() string {
	if s.why != "" {
		return s.why
	}
	return "the hub cannot be reached"
}

// lockedOut reports whether the hub turned a sign-in away, before it
// looked at the password, for the failed sign-ins of the user name or of
// the address: a colleague's typos at the same office, behind the same
// address, lock a clerk out whose password is right. The hub keeps its
// own count; the password is checked on this computer as when the hub
// cannot be reached, which whoever holds the database can do anyway.
func lockedOut(err error) bool {
	var ce *client.Error
	return errors.As(err, &ce) && ce.FromHub && ce.Status == http.StatusTooManyRequests
}

// errRefused is the hub's answer to a wrong user name or password.
var errRefused = errors.New("the hub refused your user name or password; check them and try again (passwords are case-sensitive)")

// errNoLonger is the hub's refusal of the password this computer kept a
// verifier of: the hub no longer lets the user in, and the verifier is
// forgotten (hubRefused). The hub answers a disabled account as a wrong
// password, so the app cannot tell which it is.
var errNoLonger = errors.New("the hub no longer accepts this user name and password: your account may have been disabled, " +
	"or your password changed at the hub. Ask your state administrator. Until the hub accepts you again, this computer " +
	"does not sign you in without it; the changes saved here are kept")

// errRefusedAgain is the hub's refusal of a user whose password this
// computer has forgotten for a refusal before: a typo, or the account
// still disabled, which the app cannot tell apart.
var errRefusedAgain = fmt.Errorf("%w. It has refused the password this computer kept for you before: your account may "+
	"have been disabled, or your password changed at the hub, which your state administrator can tell you", errRefused)

// hubRefused is what the hub's refusal (401) of the session's password
// says: on a database of that hub, a password its verifier accepts is
// one the hub let in before and refuses now, and the verifier is
// forgotten, so that the hub's word holds when it cannot be reached.
func (s session) hubRefused(ctx context.Context, st signInStore) error {
	id, synced, err := st.Identity(ctx)
	if err != nil {
		return fmt.Errorf("%w; %w", errRefused, err)
	}
	if !synced || !client.SameAddress(id.HubURL, s.hubURL) {
		return errRefused
	}
	forgot, err := st.ForgetRefused(ctx, s.user.Username, s.password)
	switch {
	case err != nil:
		return fmt.Errorf("%w; %w", errRefused, err)
	case forgot:
		return errNoLonger
	case id.Verifier == "" && data.OwnerName(id.User.Username) == data.OwnerName(s.user.Username):
		return errRefusedAgain
	}
	return errRefused
}

// unreachable reports whether err says the hub could not be reached or
// did not answer properly: the cases in which work goes on offline. An
// error page of another server at the hub's address (a gateway that
// wants its own sign-in, a proxy) is the hub out of reach too.
func unreachable(err error) bool {
	var ce *client.Error
	return errors.Is(err, client.ErrUnreachable) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &ce) && (ce.Status >= http.StatusInternalServerError || ce.Status != http.StatusOK && !ce.FromHub)
}

// errOwner refuses to work on another user's database: its records,
// conflicts and outbox would go to the hub under the wrong name.
func errOwner(path string, owner data.User) error {
	return fmt.Errorf("%s belongs to %s (%s); sign in as %s, or start Migrant Desk with another database (--db FILE)",
		path, owner.FullName, owner.Username, owner.Username)
}

// signIn signs a person in, off the UI goroutine: with the hub when it
// answers (the database then remembers the hub, the user and a fresh
// verifier of the password), else, on a database this user has synced
// before, with the verifier alone, to work offline until the hub is back.
func signIn(ctx context.Context, st signInStore, hubURL, username, password string, newHub bool) (session, error) {
	s := session{hubURL: strings.TrimSpace(hubURL), user: data.User{Username: strings.TrimSpace(username)}, password: password,
		newHub: newHub}
	if s.hubURL == "" || s.user.Username == "" || password == "" {
		return s, errors.New("type the hub's address, your user name and your password")
	}
	if err := data.CheckSignIn(s.user.Username, password); err != nil {
		return s, err
	}
	if _, err := client.New(s.hubURL); err != nil {
		return s, err
	}
	id, synced, err := st.Identity(ctx)
	if err != nil {
		return s, err
	}
	if synced && !strings.EqualFold(data.OwnerName(id.User.Username), data.OwnerName(s.user.Username)) {
		return s, errOwner(st.Path(), id.User)
	}
	online, err := s.connect(ctx, st)
	locked := lockedOut(err)
	var ce *client.Error
	switch {
	case locked:
		s.why = "the hub refuses sign-ins from here for a while, after too many failed ones"
	case errors.As(err, &ce) && !ce.FromHub && ce.Status != http.StatusOK:
		s.why = ce.Message
	}
	switch {
	case err == nil:
		return online, nil
	case client.Refused(err):
		return s, s.hubRefused(ctx, st)
	case locked && (!synced || !client.SameAddress(id.HubURL, s.hubURL)):
		return s, err
	case !unreachable(err) && !locked:
		return s, err
	case !synced && errors.As(err, &ce) && ce.FromHub:
		// The hub answered, in its own words (busy checking sign-ins,
		// its database down): the address and the network are right.
		return s, err
	case !synced:
		return s, fmt.Errorf("the hub cannot be reached at %s; check the address and the network, and try again "+
			"(signing in without the hub works only once this computer has synced with it)", s.hubURL)
	case id.Verifier == "":
		return s, fmt.Errorf("%s, and the last time it answered it refused the password this computer kept for you "+
			"(your account may have been disabled, or your password changed): signing in without the hub is off "+
			"until the hub accepts you again. Ask your state administrator; the changes saved here are kept", s.offline())
	case !argon2id.VerifyPassword(id.Verifier, password):
		return s, fmt.Errorf("%s, and this is not the password you last signed in with on this computer; "+
			"check it and try again", s.offline())
	case !s.newHub && !client.SameAddress(id.HubURL, s.hubURL):
		// Signed in offline, the app could only learn once that hub
		// answers whether it is this database's, and the background
		// syncs have no way to ask.
		return s, fmt.Errorf("the hub at %s cannot be reached, and this database syncs with the hub at %s: sign in to %s "+
			"to work on this computer until it can be reached", s.hubURL, id.HubURL, id.HubURL)
	}
	// The identity is the hub's last word on the user: the last online
	// sign-in, or a whole sync since (keepIdentity).
	s.user, s.verifier = id.User, id.Verifier
	return s, nil
}

// connect signs in to the hub and records in the database who signed in
// where, with the verifier of the password (made afresh unless the
// session has one). A database that belongs to another user is refused,
// the hub's spelling of the user name deciding.
func (s session) connect(ctx context.Context, st signInStore) (session, error) {
	c, err := client.New(s.hubURL)
	if err != nil {
		return s, err
	}
	// A person or the next sync is waiting; the next background sync
	// tries again anyway.
	c.Retries, c.Backoff = 1, 500*time.Millisecond
	sctx, cancel := context.WithTimeout(ctx, signInTimeout)
	defer cancel()
	if err := c.SignIn(sctx, s.user.Username, s.password); err != nil {
		return s, err
	}
	id, synced, err := st.Identity(ctx)
	if err != nil {
		return s, err
	}
	if synced && data.OwnerName(id.User.Username) != c.User.Username {
		return s, errOwner(st.Path(), id.User)
	}
	if synced && !s.newHub {
		cur, err := st.Cursor(ctx)
		if err != nil {
			return s, err
		}
		if err := c.CheckHub(sctx, cur, id.HubURL, id.Hub); err != nil {
			return s, err
		}
	}
	if s.verifier == "" {
		if s.verifier, err = argon2id.HashPassword(s.password); err != nil {
			return s, err
		}
	}
	if err := st.SetIdentity(ctx, store.Identity{HubURL: s.hubURL, Hub: c.Hub, User: c.User, Verifier: s.verifier}); err != nil {
		return s, err
	}
	s.user, s.client = c.User, c
	return s, nil
}

// signInScreen is what the main window shows at start on a database that
// is not a demo: the hub's address, the user name and the password, and,
// on a database that has never synced, the way to work on this computer
// only.
type signInScreen struct {
	ctx      context.Context // ends as the app quits
	st       signInStore
	tasks    *tasks
	win      fyne.Window
	hub      *widgets.Entry
	username *widgets.Entry
	password *widgets.Entry
	signIn   *widgets.Button
	local    *widgets.Button // nil on a database that belongs to a hub's user
	problem  *widget.Label
	busy     *widget.ProgressBarInfinite
	obj      fyne.CanvasObject
	working  bool
	done     func(session)
}

// newSignInScreen is the sign-in of st's database in win, offering
// hubURL and, on a database that has synced, its user (owner), who signs
// in with the hub alone when hubOnly. done gets the session signed in;
// local, when not nil, works on this computer only.
func newSignInScreen(ctx context.Context, st signInStore, t *tasks, win fyne.Window, hubURL string, owner *data.User, hubOnly bool,
	done func(session), local func()) *signInScreen {
	s := &signInScreen{
		ctx:      ctx,
		st:       st,
		tasks:    t,
		win:      win,
		hub:      widgets.NewEntry("https://hub.example.org:8443"),
		username: widgets.NewEntry("your user name at the hub"),
		password: widgets.NewEntry("your password"),
		problem:  errorLabel(),
		busy:     widget.NewProgressBarInfinite(),
		done:     done,
	}
	s.password.Password = true
	s.hub.SetText(hubURL)
	if owner != nil {
		s.username.SetText(owner.Username)
	}
	for _, e := range []*widgets.Entry{s.hub, s.username, s.password} {
		e.OnSubmitted = func(string) { s.submit() }
	}
	s.signIn = widgets.NewButtonWithIcon("Sign in", theme.LoginIcon(), s.submit)
	s.signIn.Importance = widget.HighImportance
	s.busy.Hide()

	intro := "Sign in with the user name and password your state administrator gave you. " +
		"After the first sync you can sign in here without a network, and your changes wait until the hub can be reached."
	if owner != nil {
		intro = fmt.Sprintf("This computer's database belongs to %s. Sign in to sync it with the hub; "+
			"without a network, your password is checked on this computer and your changes wait for the hub.", owner.FullName)
	}
	if owner != nil && hubOnly {
		intro = fmt.Sprintf("This computer's database belongs to %s. Sign in to sync it with the hub. The hub has refused "+
			"the password this computer kept for you, so you can sign in only while the hub can be reached.", owner.FullName)
	}
	form := container.NewVBox(
		heading("Migrant Desk"),
		widgets.Paragraph(intro, signInWidth),
		labeled("Hub address", s.hub),
		labeled("User name", s.username),
		labeled("Password", s.password),
		s.problem,
		border(nil, nil, nil, s.signIn, s.busy),
	)
	if local != nil {
		s.local = widgets.NewButtonWithIcon("Work on this computer only", theme.ComputerIcon(), local)
		form.Add(widget.NewSeparator())
		form.Add(widgets.Paragraph("No hub yet? Work on this computer only: records stay in this database, "+
			"nothing is sent to the state, and you work as the computer's user.", signInWidth))
		form.Add(container.NewHBox(s.local))
	}
	form.Add(dim("Database: " + st.Path()))
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(signInWidth, 0))
	s.obj = container.NewCenter(container.NewStack(width, form))
	return s
}

// signInWidth is the width of the sign-in form: a card, not the window.
const signInWidth = 480

// first is the field the cursor starts in: the first one empty.
func (s *signInScreen) first() fyne.Focusable {
	for _, e := range []*widgets.Entry{s.hub, s.username} {
		if strings.TrimSpace(e.Text) == "" {
			return e
		}
	}
	return s.password
}

// askNewHub asks whether the hub at another address is this database's
// own hub, moved or restored there, and signs in to it if so.
func (s *signInScreen) askNewHub(other *client.OtherHubError, username, password string) {
	text := widgets.Paragraph(fmt.Sprintf("This database has synced with the hub at %s. The hub at %s is another hub, "+
		"or the same one restored there from a backup.\n\nSync with %s only if your hub moved there or was restored "+
		"there: every change this computer sent to its hub is sent to it again, and what it holds replaces what "+
		"this computer holds. A training hub's records would mix with the state's.", other.Synced, other.Now, other.Now), 480)
	if other.Replaced {
		text = widgets.Paragraph(fmt.Sprintf("The hub at %s now serves another hub's database than the one this "+
			"database has synced with: a training hub's, or another state's. Nothing was sent to it.\n\nSync with it "+
			"only if its administrator says it is your hub now: every change this computer sent to its hub is sent "+
			"to it again, and what it holds replaces what this computer holds.", other.Now), 480)
	}
	d := widgets.NewConfirm("Sync with another hub?", "Sync with "+other.Now, "Cancel", text, func(ok bool) {
		if ok && !s.working {
			s.signInTo(other.Now, username, password, true)
		}
	}, s.win)
	// Red, as the record card's Delete: the answer that can mix two hubs' records.
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

// submit signs in with what the form holds, off the UI goroutine; Enter
// in any field does it too.
func (s *signInScreen) submit() {
	if s.working {
		return
	}
	s.signInTo(s.hub.Text, s.username.Text, s.password.Text, false)
}

// signInTo signs in, off the UI goroutine; newHub lets the database go to
// a hub other than its own, which the person has confirmed.
func (s *signInScreen) signInTo(hubURL, username, password string, newHub bool) {
	s.working = true
	setError(s.problem, "")
	s.signIn.Disable()
	if s.local != nil {
		s.local.Disable()
	}
	s.busy.Show()
	s.busy.Start()
	s.tasks.run("signing in", func() func() {
		sess, err := signIn(s.ctx, s.st, hubURL, username, password, newHub)
		return func() {
			s.working = false
			s.busy.Stop()
			s.busy.Hide()
			s.signIn.Enable()
			if s.local != nil {
				s.local.Enable()
			}
			if err != nil {
				setError(s.problem, err.Error())
				// The password is what is most often mistyped, and
				// cannot be read back: start it again.
				s.password.SetText("")
				s.win.Canvas().Focus(s.first())
				var other *client.OtherHubError
				if errors.As(err, &other) {
					s.askNewHub(other, username, password)
				}
				return
			}
			s.done(sess)
		}
	})
}
