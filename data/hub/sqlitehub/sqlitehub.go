// Package sqlitehub keeps a hub on SQLite: a store database like a
// workstation's (so `migrantdeskctl import --db HUB.db` loads the state
// extract into it with the same importer), plus the hub's own tables for
// passwords and sign-in tokens.
package sqlitehub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	gosync "sync"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/hubsql"
	"migrantdesk/data/store"
)

// DB is a hub's SQLite database.
type DB struct {
	st     *store.Store
	db     *sql.DB // writers: one connection, the write lock taken at BEGIN
	rdb    *sql.DB // readers, beside the writer under WAL
	reader *hubsql.Reader
	// wstmts and rstmts keep statements prepared on db and rdb.
	wstmts, rstmts *stmtCache
	// token is TokenAccount's statement on rdb, prepared at Open: every
	// request runs it, so a hub that cannot prepare it must not start.
	token  *sql.Stmt
	pushes *hubsql.Committer
	key    hubsql.CursorKey // read at Open: a restore stops the hub
	// keyMade says Open made key for a feed written without one
	// (hub.KeyMaker).
	keyMade bool
	// stopCheckpoints ends the checkpointer; checkpointed is closed when
	// it has.
	stopCheckpoints, checkpointed chan struct{}
	stopOnce                      gosync.Once
	// names is what Open did with the accounts kept under unclean names.
	names hub.NameCleanup
}

var (
	_ hub.Store       = (*DB)(nil)
	_ hub.NameCleaner = (*DB)(nil)
	_ hub.KeyMaker    = (*DB)(nil)
)

// hubSchema holds what only a hub keeps. The users themselves (name,
// role, districts) are the store's users table, which workstations pull.
const hubSchema = `
CREATE TABLE IF NOT EXISTS hub_accounts (
	username      TEXT PRIMARY KEY REFERENCES users(username),
	password_hash TEXT NOT NULL DEFAULT '',
	disabled      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hub_tokens (
	hash       TEXT PRIMARY KEY,
	username   TEXT NOT NULL REFERENCES users(username),
	expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS hub_tokens_user ON hub_tokens(username);
CREATE TABLE IF NOT EXISTS hub_meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
-- Every mutation applied, with the answer it got, so that a retried push
-- gets the same answer and is applied once.
CREATE TABLE IF NOT EXISTS hub_applied (
	mutation_id TEXT PRIMARY KEY,
	username    TEXT NOT NULL,
	at          TEXT NOT NULL,
	result      TEXT NOT NULL
) WITHOUT ROWID;
-- The change feed workstations pull after their cursor. Tags say whose
-- scope a change is in: r:REGION for a region's clerks (r:* every
-- region's), d:DISTRICT for a district's users, * for everyone. A scoped
-- change is seen by the tagged scopes only, never by a state
-- administrator: a row leaving a district's scope (the hub still has it),
-- or a record as a district sees it. mark is random: a workstation's
-- cursor carries the mark of the change it stopped at, so a hub restored
-- from a backup, which logs other changes under the same numbers, sees
-- that it is not the hub the workstation pulled from (sync.Cursor).
CREATE TABLE IF NOT EXISTS hub_changes (
	seq   INTEGER PRIMARY KEY AUTOINCREMENT,
	tbl   TEXT NOT NULL,
	op    TEXT NOT NULL,
	scoped INTEGER NOT NULL DEFAULT 0,
	row   TEXT NOT NULL,
	mark  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS hub_change_tags (
	tag TEXT NOT NULL,
	seq INTEGER NOT NULL,
	PRIMARY KEY (tag, seq)
) WITHOUT ROWID;
`

// Open opens (creating if needed) the hub database at path, and renames
// the accounts an older hub kept there under unclean names (NameCleanup
// says which).
func Open(path string) (*DB, error) {
	st, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	if err := notWorkstation(st, path); err != nil {
		st.Close()
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// The hub's connections never checkpoint the WAL as they commit; the
	// checkpointer does, beside them (see checkpoints).
	q.Add("_pragma", "wal_autocheckpoint(0)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open hub database %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	q.Del("_txlock")
	// Readers map the file: a pull may land on any of them, each with a
	// small page cache, and a first sync's snapshot re-read most of its
	// pages from the file, a system call and a copy each.
	q.Add("_pragma", "mmap_size(4294967296)")
	rdb, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		db.Close()
		st.Close()
		return nil, fmt.Errorf("open hub database %s: %w", path, err)
	}
	// Readers are kept open, with the statements prepared on them: with
	// database/sql's two idle connections, fifty workstations syncing at
	// once had the hub open a connection (its pragmas, the schema read
	// again) and prepare its statements anew for most requests, an eighth
	// of its CPU. A request beyond the bound waits for a reader, as it
	// would wait for a core.
	rdb.SetMaxOpenConns(readers)
	rdb.SetMaxIdleConns(readers)
	h := &DB{st: st, db: db, rdb: rdb, wstmts: newStmtCache(db), rstmts: newStmtCache(rdb)}
	h.reader = h.newReader()
	h.pushes = hubsql.NewCommitter(h.writePushes)
	h.stopCheckpoints, h.checkpointed = make(chan struct{}), make(chan struct{})
	go h.checkpoints()
	if err := h.prepare(); err != nil {
		h.Close()
		return nil, fmt.Errorf("prepare hub database %s: %w", path, err)
	}
	if h.token, err = rdb.Prepare(tokenAccount); err != nil {
		h.Close()
		return nil, fmt.Errorf("prepare hub database %s: the sign-in check: %w", path, err)
	}
	if err := h.cleanNames(context.Background()); err != nil {
		h.Close()
		return nil, fmt.Errorf("prepare hub database %s: clean the user names an older hub kept: %w", path, err)
	}
	return h, nil
}

// notWorkstation refuses the database of a workstation that syncs with a
// hub: opening it as a hub would add the hub's tables to a clerk's file
// and serve its copy of the state as if it were a hub. Every hub command
// takes --db, whose default is this computer's own workstation database,
// so a forgotten --db reached that file.
func notWorkstation(st *store.Store, path string) error {
	id, synced, err := st.Identity(context.Background())
	if err != nil {
		return fmt.Errorf("read whether %s is a workstation's database: %w", path, err)
	}
	if synced {
		return fmt.Errorf("%s is a workstation's database (it syncs with the hub at %s as %s), not a hub's: "+
			"name the hub's database file with --db FILE (a new hub's is made by `migrantdeskctl import --db HUB.db DIR`)",
			path, id.HubURL, id.User.Username)
	}
	return nil
}

// IsHub reports whether the SQLite database at path holds a hub's
// tables, reading it without changing it: Open would make a hub of any
// database, a workstation's too.
func IsHub(path string) (bool, error) {
	if _, err := os.Stat(path); err != nil {
		return false, fmt.Errorf("read the SQLite hub: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return false, fmt.Errorf("read the SQLite hub %s: %w", path, err)
	}
	defer db.Close()
	var isHub bool
	if err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'hub_meta')`).Scan(&isHub); err != nil {
		return false, fmt.Errorf("read the SQLite hub %s: %w", path, err)
	}
	return isHub, nil
}

// cleanNames renames the accounts an older hub kept under unclean names
// when a read finds one to rename (hubsql.PlanNames), in one write
// transaction: SQLite's write lock, taken at its BEGIN, keeps a second
// hub starting on the file from renaming the same accounts again.
func (h *DB) cleanNames(ctx context.Context) error {
	tx, err := h.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	stx := newTx(ctx, tx, h.rstmts)
	h.names, err = hubsql.PlanNames(stx)
	tx.Rollback()
	stx.end()
	if err != nil || len(h.names.Renamed) == 0 {
		return err
	}
	return h.account(ctx, func(tx hubsql.Tx, now string) error {
		var err error
		h.names, err = hubsql.CleanNames(tx, now)
		return err
	})
}

// MadeCursorKey says whether Open made the key of the hub's cursors for
// a feed written without one (hub.KeyMaker).
func (h *DB) MadeCursorKey() bool { return h.keyMade }

// NameCleanup says what Open did with the accounts an older hub kept
// under unclean names (hub.NameCleaner).
func (h *DB) NameCleanup() hub.NameCleanup { return h.names }

// readers bounds the hub's read connections: pulls, sign-in checks and
// the checkpointer. None holds one reader while it waits for another.
const readers = 16

// checkpointEvery is how often the checkpointer copies the WAL into the
// database.
const checkpointEvery = 500 * time.Millisecond

// checkpoints copies the WAL into the database file now and then, on a
// reader's connection, until Close. With SQLite's automatic checkpoint the
// commit that grew the WAL past 1,000 pages ran the checkpoint and its
// fsync of the database file before it returned: in SyncLoad50 one group
// commit a run took 640 to 910 ms more than its pushes, all its pushes
// waiting (the slowest pushes of the run). A passive checkpoint runs
// beside the writer and the readers and never waits for them; one that
// could not copy everything (a reader still on older frames) is taken up
// again at the next tick, so its error is not kept.
func (h *DB) checkpoints() {
	defer close(h.checkpointed)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stopCheckpoints:
			return
		case <-t.C:
			h.rdb.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

// prepare makes the hub's tables, adds the columns that came later to
// those of a hub database made before them, and reads the key of its
// cursors (made with the database's tables, or at the first start of a
// hub made before it).
func (h *DB) prepare() error {
	if _, err := h.db.Exec(hubSchema); err != nil {
		return err
	}
	if err := h.addMark(); err != nil {
		return err
	}
	var err error
	h.key, h.keyMade, err = hubsql.ReadCursorKey(func() (key string, fed bool, err error) {
		err = h.db.QueryRow(hubsql.CursorKeyQuery).Scan(&key, &fed)
		return key, fed, err
	}, func(key string) error {
		_, err := h.db.Exec(`INSERT INTO hub_meta(key, value) VALUES('cursor_key', ?) ON CONFLICT(key) DO NOTHING`, key)
		return err
	})
	return err
}

// addMark adds the change feed's mark column to a hub made before it.
// Looked for without a lock first, so that a start takes SQLite's write
// lock only when there is something to add (an import may hold it), and
// again inside the write transaction (BEGIN IMMEDIATE), since another
// hub command opening the file at the same moment may have added it.
func (h *DB) addMark() error {
	const marked = `SELECT count(*) FROM pragma_table_info('hub_changes') WHERE name = 'mark'`
	var n int
	if err := h.db.QueryRow(marked).Scan(&n); err != nil || n > 0 {
		return err
	}
	tx, err := h.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.QueryRow(marked).Scan(&n); err != nil || n > 0 {
		return err
	}
	if _, err := tx.Exec(`ALTER TABLE hub_changes ADD COLUMN mark TEXT NOT NULL DEFAULT ''`); err != nil {
		return err
	}
	return tx.Commit()
}

// Store is the state database the hub serves.
func (h *DB) Store() *store.Store { return h.st }

// Close closes the database.
func (h *DB) Close() error {
	h.stopOnce.Do(func() { close(h.stopCheckpoints) })
	<-h.checkpointed
	var token error
	if h.token != nil {
		token = h.token.Close()
	}
	return errors.Join(token, h.rstmts.close(), h.wstmts.close(), h.rdb.Close(), h.db.Close(), h.st.Close())
}

// Ping reports whether the database answers, through a reader: the one
// writer connection waits, with a push, for the write lock while another
// program (an import) holds it, and the database answers meanwhile.
func (h *DB) Ping(ctx context.Context) error { return h.rdb.PingContext(ctx) }

// Identity names the hub's database (hub.Store).
func (h *DB) Identity(ctx context.Context) (string, error) {
	var id string
	if err := h.rdb.QueryRowContext(ctx, hubsql.IdentityQuery).Scan(&id); err != nil {
		return "", fmt.Errorf("read the hub's identity: %w", err)
	}
	return id, nil
}

// Account returns one account.
func (h *DB) Account(ctx context.Context, username string) (hub.Account, error) {
	u, err := h.st.UserByName(ctx, username)
	// Only a name the hub does not have is no account: a database that
	// fails to answer must not tell a clerk their password is wrong,
	// nor count a failed sign-in against them.
	if errors.Is(err, store.ErrNoUser) {
		return hub.Account{}, fmt.Errorf("%w: %s", hub.ErrNoAccount, username)
	}
	if err != nil {
		return hub.Account{}, fmt.Errorf("read account %s: %w", username, err)
	}
	a := hub.Account{User: u}
	err = h.db.QueryRowContext(ctx, `SELECT password_hash, disabled FROM hub_accounts WHERE username = ?`, username).
		Scan(&a.PasswordHash, &a.Disabled)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return hub.Account{}, fmt.Errorf("read account %s: %w", username, err)
	}
	return a, nil
}

// Accounts lists every account.
func (h *DB) Accounts(ctx context.Context) ([]hub.Account, error) {
	us, err := h.st.Users(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]hub.Account, 0, len(us))
	for _, u := range us {
		a, err := h.Account(ctx, u.Username)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// SaveAccount saves the account in one transaction (hubsql.SaveAccount).
func (h *DB) SaveAccount(ctx context.Context, actor string, a hub.Account) error {
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	stx := newTx(ctx, tx, h.wstmts)
	defer stx.end() // after the rollback: see end
	defer tx.Rollback()
	if err := hubsql.SaveAccount(stx, actor, a, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}

// SetPassword replaces a password and ends the user's sign-ins, audited
// (hubsql.SetPassword).
func (h *DB) SetPassword(ctx context.Context, actor, username, hash string) error {
	return h.account(ctx, func(tx hubsql.Tx, now string) error { return hubsql.SetPassword(tx, actor, username, hash, now) })
}

// Disable stops an account from signing in and ends its sign-ins,
// audited (hubsql.Disable).
func (h *DB) Disable(ctx context.Context, actor, username string) error {
	return h.account(ctx, func(tx hubsql.Tx, now string) error { return hubsql.Disable(tx, actor, username, now) })
}

// Enable lets a disabled account sign in again, audited (hubsql.Enable).
func (h *DB) Enable(ctx context.Context, actor, username string) error {
	return h.account(ctx, func(tx hubsql.Tx, now string) error { return hubsql.Enable(tx, actor, username, now) })
}

// account runs change in one write transaction.
func (h *DB) account(ctx context.Context, change func(tx hubsql.Tx, now string) error) error {
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	stx := newTx(ctx, tx, h.wstmts)
	defer stx.end() // after the rollback: see end
	defer tx.Rollback()
	if err := change(stx, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	return tx.Commit()
}

// SetGrant grants or revokes report access as a mutation pushed by admin.
func (h *DB) SetGrant(ctx context.Context, admin data.User, username, district string, grant bool) error {
	return hubsql.SetGrant(ctx, h.Push, admin, username, district, grant)
}

// ReportGrants lists the districts whose report username may run.
func (h *DB) ReportGrants(ctx context.Context, username string) ([]string, error) {
	tx, err := h.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read the report grants of %s: %w", username, err)
	}
	stx := newTx(ctx, tx, h.rstmts)
	defer stx.end() // after the rollback: see end
	defer tx.Rollback()
	held, err := hubsql.ReadIDs(stx, `SELECT district_number FROM report_grants WHERE username = ? ORDER BY district_number`, username)
	if err != nil {
		return nil, fmt.Errorf("read the report grants of %s: %w", username, err)
	}
	return held, nil
}

// SaveToken keeps a sign-in token's hash; expired tokens are swept then.
func (h *DB) SaveToken(ctx context.Context, hash, username string, expires time.Time) error {
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM hub_tokens WHERE expires_at < ?`, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO hub_tokens(hash, username, expires_at) VALUES(?, ?, ?)`,
		hash, username, expires.UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("save the sign-in of %s: %w", username, err)
	}
	return tx.Commit()
}

// TokenAccount returns the account a live token signs in, on the
// readers' connections. It read on the writer's connection once, so that
// every request queued behind the push in progress: pushes then cost
// several times what they cost now, and pulls answered beside them took
// the cores from them; now a pull's check waited longer for the writer
// than the pull took.
//
// Every push and pull is checked, so the token, the account and the
// user (with a coordinator's districts) are one statement, prepared at
// Open, and one snapshot of the database by itself: as a read
// transaction of three queries the check was a twelfth of the hub's CPU
// with fifty workstations syncing. An account whose user row is missing
// is read again the long way, for UserNamed's error.
func (h *DB) TokenAccount(ctx context.Context, hash string, now time.Time) (hub.Account, error) {
	var a hub.Account
	var found bool
	var districts string
	err := h.token.QueryRowContext(ctx, hash, now.UTC().Format(time.RFC3339)).Scan(&a.Username, &a.PasswordHash, &found,
		&a.FullName, &a.Role, &a.RegionCode, &a.DistrictNumber, &a.Email, &districts)
	if errors.Is(err, sql.ErrNoRows) {
		return hub.Account{}, hub.ErrNoToken
	}
	if err != nil {
		return hub.Account{}, fmt.Errorf("check a sign-in: %w", err)
	}
	if !found {
		return h.tokenUser(ctx, a)
	}
	if districts != "[]" {
		if err := json.Unmarshal([]byte(districts), &a.Districts); err != nil {
			return hub.Account{}, fmt.Errorf("check a sign-in: the districts of %s: %w", a.Username, err)
		}
	}
	return a, nil
}

// tokenAccount reads what TokenAccount gives, hubsql.UserNamed's user
// among it.
const tokenAccount = `SELECT t.username, a.password_hash, u.username IS NOT NULL,
	coalesce(u.full_name, ''), coalesce(u.role, ''), coalesce(u.region_code, ''), coalesce(u.district_number, ''), coalesce(u.email, ''),
	(SELECT json_group_array(ud.district_number ORDER BY ud.district_number) FROM user_districts ud WHERE ud.username = t.username)
	FROM hub_tokens t
	JOIN hub_accounts a ON a.username = t.username AND a.disabled = 0
	LEFT JOIN users u ON u.username = t.username
	WHERE t.hash = ? AND t.expires_at > ?`

// tokenUser is TokenAccount's account a with its user read by
// hubsql.UserNamed, which says why it has none.
func (h *DB) tokenUser(ctx context.Context, a hub.Account) (hub.Account, error) {
	tx, err := h.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return hub.Account{}, fmt.Errorf("check a sign-in: %w", err)
	}
	stx := newTx(ctx, tx, h.rstmts)
	defer stx.end() // after the rollback: see end
	defer tx.Rollback()
	if a.User, err = hubsql.UserNamed(stx, a.Username); err != nil {
		return hub.Account{}, fmt.Errorf("check a sign-in: %w", err)
	}
	return a, nil
}

// DeleteToken ends one sign-in.
func (h *DB) DeleteToken(ctx context.Context, hash string) error {
	_, err := h.db.ExecContext(ctx, `DELETE FROM hub_tokens WHERE hash = ?`, hash)
	return err
}

// ActiveTokens counts the sign-ins not expired at now, for the hub's
// metrics.
func (h *DB) ActiveTokens(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := h.rdb.QueryRowContext(ctx, `SELECT count(*) FROM hub_tokens WHERE expires_at > ?`, now.UTC().Format(time.RFC3339)).Scan(&n)
	return n, err
}
