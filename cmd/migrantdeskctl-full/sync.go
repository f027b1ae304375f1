package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data/argon2id"
	"migrantdesk/data/store"
	"migrantdesk/data/sync/client"
)

func init() {
	commands["sync"] = runSync
}

func runSync(args []string, out io.Writer) (err error) {
	fs, db := cli.NewFlags("sync")
	hubURL := fs.String("hub", "", "the hub's `URL` (https://host:port)")
	username := fs.String("user", "", "sign in as `U`")
	passwordFile := fs.String("password-file", "", "read the password from `FILE` (its first line)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	newHub := fs.Bool("new-hub", false, "sync with --hub although the database has synced with another hub (its hub moved there, or was restored there from a backup)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if err := cli.StoreFile("sync", *db); err != nil {
		return err
	}
	// A scheduled sync runs in a folder of its own (Task Scheduler's is
	// C:\Windows\System32): what it says names the database it synced, or
	// made there from a relative --db, in full.
	if abs, err := filepath.Abs(*db); err == nil {
		*db = abs
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("sync: unexpected argument %q", fs.Arg(0))
	case *hubURL == "" || *username == "" || *passwordFile == "":
		return errors.New("sync: --hub, --user and --password-file are required")
	}
	password, err := readSecret(*passwordFile)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	c, err := client.New(*hubURL)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	// The sign-in is needed while the command runs, not for the twelve
	// hours the hub would keep it. A hub that does not answer now lets it
	// expire: the sync's own result is what the command reports. Signing
	// out comes after the database is let go, which it does not need: an
	// app that waits for the database does not wait for the hub too.
	defer func() {
		octx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.Retries = 0
		c.SignOut(octx)
	}()
	// The app syncs the database it has open itself, and two syncs of
	// one outbox at once would each mark what the other pushed. A
	// scheduled sync that finds the app left open has nothing to do, and
	// does not fail for it.
	release, err := store.HoldAs(*db, "migrantdeskctl sync")
	var held *store.HeldError
	if errors.As(err, &held) {
		return notSynced(out, held, *asJSON)
	}
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	defer release()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The app started meanwhile syncs the database itself: the sync gives
	// it way at once rather than keep the clerk waiting, stuck on a hub
	// that does not answer maybe. Each of its steps is a transaction of
	// its own, and the hub knows a change pushed again, so that stopping
	// anywhere loses nothing: the app sends again what is left.
	ctx, stepAside := store.StepAside(ctx, *db)
	defer stepAside()
	defer func() {
		if err != nil && errors.Is(context.Cause(ctx), store.ErrWanted) {
			err = stopped(out, *db, *asJSON)
		}
	}()
	st, err := cli.OpenStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	defer st.Close()
	id, synced, err := st.Identity(ctx)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if synced && id.User.Username != *username {
		// Another user's records, conflicts and outbox are in this file:
		// signing in as someone else would send them under the wrong name.
		return fmt.Errorf("sync: %s belongs to %s; sync it as that user, or use another database", *db, id.User.Username)
	}
	if err := c.SignIn(ctx, *username, password); err != nil {
		if synced && client.SameAddress(id.HubURL, *hubURL) {
			err = forgetRefused(ctx, st, *db, *username, password, err)
		}
		return fmt.Errorf("sync: %w", changesKept(err, *db))
	}
	if err := checkHub(ctx, c, st, id, *newHub); err != nil {
		return fmt.Errorf("sync: %w", changesKept(err, *db))
	}
	verifier, err := argon2id.HashPassword(password)
	if err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := st.SetIdentity(ctx, store.Identity{HubURL: *hubURL, Hub: c.Hub, User: c.User, Verifier: verifier}); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	sum, err := c.Sync(ctx, st, nil)
	if err != nil {
		return fmt.Errorf("sync: %w", changesKept(err, *db))
	}
	if err := st.SetLastSync(ctx, time.Now()); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(sum)
	}
	fmt.Fprintf(out, "synced %s with %s as %s: pushed %d (applied %d, duplicate %d, conflict %d, rejected %d), pulled %d, cursor %s/%d\n",
		*db, *hubURL, *username, sum.Pushed, sum.Applied, sum.Duplicate, sum.Conflict, sum.Rejected, sum.Pulled, sum.Cursor.Epoch, sum.Cursor.Seq)
	return nil
}

// notSynced says that the database held by another program was left to
// it, on out as the command's result (--json: {"skipped": "..."}).
func notSynced(out io.Writer, held *store.HeldError, asJSON bool) error {
	said := fmt.Sprintf("Migrant Desk is open on %s and syncs it itself while signed in; nothing done", held.Path)
	if held.By != "" {
		said = fmt.Sprintf("%s is already working on %s; nothing done", held.By, held.Path)
	}
	if asJSON {
		return json.NewEncoder(out).Encode(map[string]string{"skipped": said})
	}
	_, err := fmt.Fprintln(out, said)
	return err
}

// stopped says that the sync stopped for the app opened on db (StepAside),
// on out as the command's result (--json: {"stopped": "..."}).
func stopped(out io.Writer, db string, asJSON bool) error {
	said := fmt.Sprintf("Migrant Desk was opened on %s; it syncs itself: stopped (nothing is lost: what was not sent, it sends)", db)
	if asJSON {
		return json.NewEncoder(out).Encode(map[string]string{"stopped": said})
	}
	_, err := fmt.Fprintln(out, said)
	return err
}

// forgetRefused forgets the verifier of db, which syncs with the hub that
// refused the sign-in, when the hub refused (401) a password it accepts,
// as the app does (store.ForgetRefused): the app then no longer signs the
// user in without the hub. It says so to the operator.
func forgetRefused(ctx context.Context, st *store.Store, db, username, password string, err error) error {
	if !client.Refused(err) {
		return err
	}
	forgot, ferr := st.ForgetRefused(ctx, username, password)
	switch {
	case ferr != nil:
		return fmt.Errorf("%w; %w", err, ferr)
	case !forgot:
		return err
	}
	return fmt.Errorf("%w, which it accepted before: the account may have been disabled, or its password changed at the hub "+
		"(ask the state administrator). Until the hub accepts a sign-in again, %s no longer signs %s in without the hub",
		err, db, username)
}

// changesKept adds to a hub's refusal or failure what becomes of the
// changes saved in db, as the app says it: an operator told only to try
// again would wonder whether the work done offline was lost.
func changesKept(err error, db string) error {
	var ce *client.Error
	switch {
	case !errors.As(err, &ce) || strings.Contains(err.Error(), "kept"):
		return err
	case ce.Transient:
		return fmt.Errorf("%w; the changes saved in %s are kept, and the next sync sends them", err, db)
	}
	return fmt.Errorf("%w; the changes saved in %s are kept", err, db)
}

// checkHub refuses a hub other than the one the database has synced with
// (client.CheckHub), unless the operator said it is that hub moved or
// restored at a new address, or the database's hub now (newHub).
func checkHub(ctx context.Context, c *client.Client, st *store.Store, synced store.Identity, newHub bool) error {
	if newHub {
		return nil
	}
	cur, err := st.Cursor(ctx)
	if err != nil {
		return err
	}
	err = c.CheckHub(ctx, cur, synced.HubURL, synced.Hub)
	var other *client.OtherHubError
	if errors.As(err, &other) && other.Replaced {
		return fmt.Errorf("%w; if the administrator says this hub is the database's hub now, sync again with --new-hub "+
			"(every change this database has sent goes to it again)", err)
	}
	if errors.As(err, &other) {
		return fmt.Errorf("%w; if the hub moved to %s, or was restored there from a backup, sync again with --new-hub", err, other.Now)
	}
	return err
}
