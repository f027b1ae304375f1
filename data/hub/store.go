// Package hub is the state hub: the HTTP service that workstations sign
// in to, push their outbox to and pull their scope from. Who sees and may
// change what is decided here from the signed-in user alone (data/'s
// access rules), never from what a client says. Storage is behind Store,
// so SQLite and PostgreSQL back ends pass the same tests.
package hub

import (
	"context"
	"errors"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/sync"
)

// Account is a user of the hub: who they are, what they may see, and how
// they sign in.
type Account struct {
	data.User
	PasswordHash string
	Disabled     bool
}

// Errors a Store returns that the hub turns into answers.
var (
	ErrNoAccount = errors.New("no such user")
	ErrNoToken   = errors.New("the sign-in has expired or was ended")
	// ErrMoved refuses a push made at a cursor the hub is no longer at:
	// its database was restored from a backup or replaced since the
	// workstation last pulled. The push's changes may be made on top of
	// changes the hub has lost (a record's version numbers then name
	// other edits); the workstation sends every change the hub had
	// acknowledged again first, and the hub answers each as it finds it.
	ErrMoved = errors.New("the hub's database is not the one this workstation last synced with")
	// ErrBadCursor refuses a pull from a cursor the hub never gave, such
	// as a snapshot position naming no table: the request is at fault,
	// not the hub, and asking again will not help.
	ErrBadCursor = errors.New("the sync position is not one this hub gave")
	// ErrUnchanged answers a change of an account or a grant that the
	// hub holds already (a user disabled twice, a grant revoked by
	// another administrator first): nothing was written, and the audit
	// log has no row for it, so that it never says a thing was done that
	// was not. The error says what stands.
	ErrUnchanged = errors.New("nothing changed")
)

// RefusalCounter is a Store that counts the answers to pushed mutations
// (metrics.Store): the server tells it of the changes it refused itself,
// which never reach Push.
type RefusalCounter interface {
	Refused(n int)
}

// Store is the storage a hub needs: accounts and tokens, the mutations
// pushed, and the changes pulled. Implementations apply each method in one
// transaction.
type Store interface {
	// Account returns one account, disabled or not; ErrNoAccount if none.
	Account(ctx context.Context, username string) (Account, error)
	// Accounts lists every account by user name.
	Accounts(ctx context.Context) ([]Account, error)
	// SaveAccount creates or updates an account (its user and, when
	// PasswordHash is not empty, its password), audited as actor. It
	// never changes whether the account is disabled (a.Disabled is not
	// read): a new account is enabled, an existing one stays as it is,
	// and only Disable disables one. Saving an account as it stands,
	// without a password, is ErrUnchanged.
	SaveAccount(ctx context.Context, actor string, a Account) error
	// SetPassword replaces a password hash and ends the user's sign-ins,
	// audited as actor (the row never holds the hash); ErrNoAccount if
	// there is no such user.
	SetPassword(ctx context.Context, actor, username, hash string) error
	// Disable stops an account from signing in and ends its sign-ins,
	// audited as actor; ErrNoAccount if there is no such user,
	// ErrUnchanged if it is disabled already.
	Disable(ctx context.Context, actor, username string) error
	// Enable lets a disabled account sign in again with the password it
	// had, audited as actor; ErrNoAccount if there is no such user,
	// ErrUnchanged if it is not disabled (its sign-ins go on).
	Enable(ctx context.Context, actor, username string) error
	// SetGrant grants or revokes a coordinator's access to a district's QA
	// Migrant report on behalf of admin (data.User.MayGrantReport and
	// MayRevokeReport decide); ErrUnchanged for a grant the user holds
	// already, or a revoke of one they do not hold.
	SetGrant(ctx context.Context, admin data.User, username, district string, grant bool) error
	// ReportGrants lists the districts whose QA Migrant report username
	// may run, in order: what an operator checks before a grant or a
	// revoke, and what hub user list shows.
	ReportGrants(ctx context.Context, username string) ([]string, error)

	// SaveToken keeps a sign-in token's hash until it expires.
	SaveToken(ctx context.Context, hash, username string, expires time.Time) error
	// TokenAccount returns the account a token hash signs in, or ErrNoToken
	// when it is unknown, expired or its account disabled.
	TokenAccount(ctx context.Context, hash string, now time.Time) (Account, error)
	// DeleteToken ends one sign-in.
	DeleteToken(ctx context.Context, hash string) error

	// Push applies a batch of mutations as u, each exactly once: a
	// mutation ID seen before gets the answer it got then. at is the
	// cursor the workstation last pulled to: a push at a cursor of
	// another epoch, or at a change the hub never logged, applies nothing
	// and fails with ErrMoved (checked in the push's transaction). The
	// zero cursor, a workstation that has never pulled, is not checked.
	Push(ctx context.Context, u data.User, at sync.Cursor, ms []sync.Mutation) ([]sync.Result, error)
	// Pull returns the changes in u's scope after the cursor, at most
	// limit of them; a zero cursor or another epoch starts a snapshot. A
	// cursor the hub never gave fails with ErrBadCursor.
	Pull(ctx context.Context, u data.User, c sync.Cursor, limit int) (sync.Page, error)
	// NewEpoch starts a new epoch and returns it, for an operator who
	// restored the hub in a way it cannot see for itself (the README's
	// "After a restore"): at its next pull every workstation takes a
	// fresh snapshot and sends again what the hub acknowledged to it.
	// It is a row of the hub's audit log, as actor's doing.
	NewEpoch(ctx context.Context, actor string) (string, error)

	// Identity names the hub's database: the hash of its audit log's
	// first row, which backups, restores (the log is append-only) and hub
	// migrate keep, and which no other hub's log begins with. A
	// workstation that has synced with one hub refuses another at the
	// same address (its database replaced by mistake with a training
	// hub's or another state's), which would refuse its changes for
	// good. Empty while the log is.
	Identity(ctx context.Context) (string, error)

	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// KeyMaker is a Store that says whether its opening made the key that
// signs its sync cursors in a database whose change feed was written
// without one: a hub of an earlier release, upgraded, or a copy of one
// restored. The hub cannot tell which; after such a restore the cursors
// its workstations hold name changes it never logged, and are refused
// until the operator starts a new epoch (hub new-epoch), so `hub serve`
// says so once, at the start that made the key.
type KeyMaker interface {
	MadeCursorKey() bool
}

// EpochRenewer is a Store that says whether its opening started a new
// epoch because the database is not the one its epoch was made in (a
// PostgreSQL hub restored with pg_restore, or a recovery after which the
// README has the row naming its database deleted), so that `hub serve`
// tells its operator the restore was seen and that every workstation
// takes a fresh snapshot.
type EpochRenewer interface {
	RenewedEpoch() bool
}
