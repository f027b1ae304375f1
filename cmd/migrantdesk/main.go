// Command migrantdesk is the Migrant Desk desktop app: for regional data
// clerks Advanced Search, the student detail, the Student Migrant Detail
// form and publishing; for district coordinators and administrators their
// district windows; on the workstation's local database.
//
//	migrantdesk [--db FILE] [--user NAME] [--open STATEID] [--district NUMBER]
//
// --user picks a profile of a demo database. Any other database asks its
// user to sign in to the state hub at start (checking the password on
// this computer when the hub cannot be reached), and then syncs in the
// background; one that has never synced may instead be worked on this
// computer only, as the computer's user.
//
// It is the only package that imports fyne/v2/app; the screens are in
// package gui.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	gosync "sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"migrantdesk/assets"
	"migrantdesk/cmd/migrantdesk/winpos"
	"migrantdesk/data/store"
	"migrantdesk/gui"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if !errors.Is(err, errSaid) {
			say(err)
		}
		os.Exit(1)
	}
}

// say prints err on standard error, on one line.
func say(err error) {
	fmt.Fprintln(os.Stderr, "migrantdesk:", strings.Join(strings.Fields(err.Error()), " "))
}

// errSaid is the error of a start that failed and has said why.
var errSaid = errors.New("the app could not start")

func run(args []string) (err error) {
	fs := flag.NewFlagSet("migrantdesk", flag.ContinueOnError)
	db := fs.String("db", store.DefaultPath(), "database `FILE`")
	user := fs.String("user", "", "work as the demo profile `NAME` (demo databases only; others ask to sign in)")
	open := fs.String("open", "", "open the student with this state `ID` at start")
	district := fs.String("district", "", "open the window of district `NUMBER` at start")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags are --db, --user, --open, --district)", fs.Arg(0))
	}
	a := app.NewWithID("org.migrantdesk.app")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	quitting := make(chan struct{})
	quit := gosync.OnceFunc(func() { close(quitting) })
	// Fyne quits on these too, but only once Run has started: one that
	// comes before, even while the database opens, quits the app as soon
	// as it runs. Either way the watch below starts.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		quit()
		// As Fyne's own handler does: the driver's Quit does nothing
		// the second time, where the app's, run once Fyne's has shut
		// the driver down, would close windows already gone (a panic).
		fyne.Do(a.Driver().Quit)
	}()
	// Opening takes a moment, unless the database is upgraded to this
	// release, a copy of it made first: seconds at a state's scale, in
	// which the app would show nothing at all. A window says so then.
	// So may a command that holds the database (a scheduled sync): the
	// app waits for it to finish, a while, rather than be refused. The
	// database is held before it is opened (see store.Hold).
	var opened struct {
		release func()
		st      *store.Store
		err     error
	}
	// What keeps the open long, as the store says it: kept until the
	// window shows, and shown in it after.
	var saying struct {
		gosync.Mutex
		said    []string
		opening *gui.Opening
	}
	tell := func(what string) {
		saying.Lock()
		defer saying.Unlock()
		saying.said = append(saying.said, what)
		if o := saying.opening; o != nil {
			fyne.Do(func() { o.Say(what) })
		}
	}
	openDone := make(chan struct{})
	go func() {
		defer close(openDone)
		ctx, cancel := context.WithTimeout(context.Background(), commandPatience)
		defer cancel()
		go func() {
			select {
			case <-quitting:
				cancel()
			case <-ctx.Done():
			}
		}()
		opened.release, opened.err = store.HoldPatiently(ctx, *db, func(by string) {
			tell(fmt.Sprintf("waiting for %s, which is working on this database: Migrant Desk opens once it has finished", by))
		})
		if opened.err == nil {
			opened.st, opened.err = store.OpenSaying(*db, tell)
		}
	}()
	var opening *gui.Opening
	select {
	case <-openDone:
	case <-time.After(openingAfter):
		saying.Lock()
		// Closed, the window stays and says why until the database is
		// open (below): gone at once, the app would seem to have ended
		// while it still holds the database.
		opening = gui.ShowOpening(a, *db, quit)
		for _, what := range saying.said {
			opening.Say(what)
		}
		saying.opening = opening
		saying.Unlock()
	}
	// However the app ends, it waits for the database to be open (an
	// upgrade is never cut short, nor its copy left half made), then
	// closes it, and only then lets it go, so that the next app to hold
	// it finds it whole.
	begun := false
	defer func() {
		<-openDone
		if opened.st != nil {
			opened.st.Close()
		} else if !begun && !errors.Is(opened.err, context.Canceled) {
			// Quit while the database was opened, which then failed (an
			// upgrade that could not be made): no window said why.
			say(opened.err)
			err = errSaid
		}
		if opened.release != nil {
			opened.release()
		}
	}()
	var ui *gui.UI
	begin := func() error {
		begun = true
		if opened.err != nil {
			return opened.err
		}
		u, err := gui.New(a, opened.st, gui.Options{
			User:     *user,
			Open:     strings.TrimSpace(*open),
			District: strings.TrimSpace(*district),
			Placer:   winpos.Placer{},
			Quitting: quit,
		})
		if err != nil {
			return err
		}
		ui = u
		ui.ShowMain()
		return nil
	}
	failed := false
	if opening == nil {
		if errors.Is(opened.err, context.Canceled) {
			// Quit while a command held the database: nothing began.
			return nil
		}
		if err := begin(); err != nil {
			return startFailed(a, err)
		}
	} else {
		go func() {
			<-openDone
			fyne.Do(func() {
				// Quit while the database opened: by the opening
				// window, which waited for this, or by a signal, after
				// which fyne.Do runs this on this goroutine once the app
				// has shut down. The driver's Quit does nothing the
				// second time, where the app's would close windows gone.
				select {
				case <-quitting:
					a.Driver().Quit()
					return
				default:
				}
				if err := begin(); err != nil {
					say(err)
					gui.ShowStartError(a, err)
					failed = true
				}
				opening.Close()
			})
		}()
	}
	returned := make(chan struct{})
	go exitIfStuck(quitting, returned, openDone, stuckAfter, func() {
		fmt.Fprintf(os.Stderr, "migrantdesk: the windows had not finished closing %s after quitting; exiting\n", stuckAfter)
		os.Exit(0)
	})
	// Run returns once the lifecycle's queue has run dry, the stopped
	// hook's forced save of the preferences (window places) included, and
	// the queue is closed: nothing may be queued on it after.
	a.Run()
	close(returned)
	if ui != nil {
		ui.Stop()
	}
	if failed {
		return errSaid
	}
	return nil
}

// commandPatience is how long the app waits for a command that holds
// its database: a scheduled sync takes seconds, the first of a
// region's about fifteen.
const commandPatience = 30 * time.Second

// openingAfter is how long the database may take to open before a window
// says it is being opened.
const openingAfter = 1500 * time.Millisecond

// startFailed says why the app cannot start on standard error, then in
// a window until the person closes it: double-clicked, the app has no
// console for the message (see gui.ShowStartError). Standard error
// first, since without a display the window cannot open (Fyne panics).
func startFailed(a fyne.App, err error) error {
	say(err)
	gui.ShowStartError(a, err)
	a.Run()
	return errSaid
}

// stuckAfter is how long the app may take to close its windows once it
// has started to quit.
const stuckAfter = 5 * time.Second

// exitIfStuck calls exit when Run has not returned (returned) stuckAfter
// after the app started to quit (quitting) with its database open
// (opened). Fyne 2.7.1 can lose a call to the main thread made while it
// shuts down: the lifecycle's stopped event, sent between its last look
// at the main thread's queue and its closing that queue, is never run,
// and Run then waits for it forever, the windows gone and the process
// left behind. Ending the process then keeps what Run's return would:
// every record committed, the window places written (the preferences
// save as they change), and a write still under way rolled back, as
// main's return ends it too. The wait counts from the open: quit while
// the database is upgraded, the app quits only once the upgrade is done
// (an upgrade cut short would leave its copy half made under the name
// of a whole one), and Run is given its time after that, to say an
// upgrade that failed.
func exitIfStuck(quitting, returned, opened <-chan struct{}, after time.Duration, exit func()) {
	for _, c := range []<-chan struct{}{quitting, opened} {
		select {
		case <-c:
		case <-returned:
			return
		}
	}
	select {
	case <-time.After(after):
		exit()
	case <-returned:
	}
}
