// Package store is the local SQLite database of a Migrant Desk workstation:
// schema and migrations, the state extract, migrant records with their
// outbox and audit rows, and Advanced Search.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Store is an open database. It keeps two pools: one connection for
// writers, whose transactions take the write lock at BEGIN (so two writers
// queue instead of failing with SQLITE_BUSY halfway), and several for
// readers, which WAL lets run beside the writer.
type Store struct {
	path string
	w    *sql.DB
	r    *sql.DB
	now  func() time.Time

	notices []string // said once, at Open: see Notices
	// How long a writer waits its turn, and what it tells after about
	// a second of waiting; set while writers may be at work.
	waitFor atomic.Int64
	onWait  atomic.Pointer[func(string)]
	say     func(string) // what keeps Open long (OpenSaying), while it opens
	head    auditHead    // the audit log's last row as the writer's transaction wrote it

	searched *searchCache // what searches reuse, on r
	// Of the snapshot under way, what its pages written so far gathered
	// for its search index; nil when this process did not write them
	// all. Only the writer's transactions use it.
	snapSearch *snapshotSearch
	// The writer's connection was left by a snapshot's page without
	// SQLite's foreign key checks, for the snapshot's next page (see
	// applyPage): every other write sets them back on before it begins.
	// Read and changed only while that connection is held.
	unchecked atomic.Bool
	// The INSERTs of the snapshot under way, kept on the writer's
	// connection; only the writer's holder uses them.
	kept  *keptStmts
	watch watchers // told which districts' copies a write changed

	scratch bool // opened by OpenScratch: a rollback journal until Close
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date. A file that already has data is copied to a backup
// beside it before a migration changes it.
func Open(path string) (*Store, error) { return open(context.Background(), path, false, nil) }

// OpenContext is Open, stopping an upgrade under way when ctx ends: a
// copy being made before it is removed, a step under way rolls back,
// and the database stays at the schema of the last step done, as after
// a power cut, for the next opening to go on from. A scheduled sync
// gives way to the app so (StepAside): the copy of a state's database
// made before its upgrade takes longer than the app waits for a command.
func OpenContext(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, false, nil)
}

// OpenSaying is Open, telling say what keeps it long as it happens: the
// copy of a database of an earlier release made before its upgrade, the
// upgrade, a wait for another program's write. The app shows it while
// the person waits; say is called on Open's goroutine.
func OpenSaying(path string, say func(string)) (*Store, error) {
	return open(context.Background(), path, false, say)
}

// OpenScratch opens a new database at path that nothing else opens until
// it is closed: one that a first import fills under another name, to
// rename into place once it has succeeded. WAL writes each page twice,
// to the log and then into the file when the log is checkpointed, which
// for a state import is a gigabyte more; a rollback journal keeps only
// the pages a transaction overwrites, and in a new file there are
// almost none. A transaction is still all or nothing, and a process
// killed in one leaves its journal, which the next opening of the file
// plays back. Close puts the file in WAL mode, as Open would.
func OpenScratch(path string) (*Store, error) { return open(context.Background(), path, true, nil) }

func open(ctx context.Context, path string, scratch bool, say func(string)) (*Store, error) {
	notice, err := createPrivate(path)
	if err != nil {
		return nil, err
	}
	journal := "WAL"
	if scratch {
		journal = "DELETE"
	}
	w, err := sql.Open("sqlite", dsn(path, true, journal))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn(path, false, journal))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	s := &Store{path: path, w: w, r: r, now: time.Now, searched: newSearchCache(r), scratch: scratch}
	s.waitFor.Store(int64(WriteWait))
	if notice != "" {
		s.notices = append(s.notices, notice)
	}
	s.say = say
	if say != nil {
		s.onWait.Store(&say)
	}
	err = s.migrate(ctx)
	s.say = nil
	s.onWait.Store(nil)
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func dsn(path string, writer bool, journal string) string {
	q := url.Values{}
	if writer {
		// A writer's BEGIN gives up after a second so that write can
		// say it is waiting, then tries again (see begin).
		q.Add("_pragma", "busy_timeout(1000)")
	} else {
		q.Add("_pragma", "busy_timeout(5000)")
	}
	q.Add("_pragma", "journal_mode("+journal+")")
	q.Add("_pragma", "foreign_keys(1)")
	// In WAL mode NORMAL writes the log to the disk only at checkpoints:
	// a power cut would take back records the clerk was told were saved.
	q.Add("_pragma", "synchronous(FULL)")
	if writer {
		// Big writes (an extract import) spill statement journals to
		// temp files otherwise.
		q.Add("_pragma", "temp_store(2)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
		// Readers map the file instead of copying each page they read
		// out of the OS cache with a system call: that was a fifth of a
		// search, and most of a fresh process's first one.
		q.Add("_pragma", "mmap_size(4294967296)")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// createPrivate makes the database file readable by its owner only before
// SQLite sees it; SQLite gives the -wal and -shm files the same mode. A
// file that others could read is tightened, and the notice says so.
func createPrivate(path string) (notice string, err error) {
	if err := DeviceName(path); err != nil {
		return "", err
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", deniedError("create folder for database", path, path, err)
		}
	}
	// A file that is there is asked about, not opened: closing a
	// descriptor of it would drop the locks SQLite holds on it for another
	// Store of this process, which then read and wrote it unguarded ("disk
	// I/O error", "database disk image is malformed"). SQLite would also
	// refuse a -wal or -shm file another user left (one who ran a command
	// on the database) with words that name neither.
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		f, cerr := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if cerr == nil {
			fi, err = f.Stat()
			f.Close()
		} else if !errors.Is(cerr, fs.ErrExist) {
			return "", deniedError("open database", path, path, cerr)
		} else {
			fi, err = os.Stat(path) // made meanwhile by another program
		}
	}
	if err != nil {
		return "", deniedError("open database", path, path, err)
	}
	if fi.IsDir() {
		return "", fmt.Errorf("open database %s: it is a folder, not a database file; name a file, such as %s",
			path, filepath.Join(path, "migrantdesk.db"))
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := mayReadWrite(p); errors.Is(err, fs.ErrPermission) {
			return "", deniedError("open database", path, p, err)
		}
	}
	if err := mayMakeBeside(path); err != nil {
		return "", err
	}
	// Windows has no such bits (a writable file always says 0666): a
	// profile folder is what keeps others out there.
	if fi.Mode().Perm()&0o077 == 0 || runtime.GOOS == "windows" {
		return "", nil
	}
	// Only a database is made private: a --db naming the extract's
	// students.csv by mistake must fail leaving the file as it was, not
	// made unreadable to the others who use it. Opening the file here
	// drops no lock of another Store of this process: one that had
	// opened it would have made it private already.
	if err := sqliteHeader(path, fi.Size()); err != nil {
		return "", err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("database %s can be read by other users of this computer (mode %04o) and could not be made private: %w", path, fi.Mode().Perm(), err)
		}
	}
	return fmt.Sprintf("database %s could be read by other users of this computer (mode %04o); it is now readable by you only (0600)", path, fi.Mode().Perm()), nil
}

// sqliteHeader refuses a file that is not empty and does not begin as
// every SQLite database does.
func sqliteHeader(path string, size int64) error {
	if size == 0 {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return deniedError("open database", path, path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err == nil && string(head) == sqliteMagic {
		return nil
	}
	return notADatabase(path)
}

// sqliteMagic is how every SQLite database file begins.
const sqliteMagic = "SQLite format 3\x00"

// notADatabase is the error for a file that is not a SQLite database at
// all, in words that name it rather than SQLite's "file is not a
// database (26)".
func notADatabase(path string) error {
	return fmt.Errorf("%s is not a Migrant Desk database, nor any SQLite database (a CSV file or a workbook, say), "+
		"and was left as it was: name the database file", path)
}

// schemaError is the error of reading the schema version of the
// database at path.
func schemaError(path string, err error) error {
	var coded interface{ Code() int }
	if errors.As(err, &coded) && coded.Code()&0xff == sqlite3.SQLITE_NOTADB {
		return fmt.Errorf("%w (%w)", notADatabase(path), err)
	}
	return fmt.Errorf("read schema version of %s: %w", path, err)
}

// Notices are what Open changed that the person should hear of, such as
// file permissions it tightened.
func (s *Store) Notices() []string { return s.notices }

// WaitMessage is what a writer says while another process writes.
const WaitMessage = "waiting for another import/publish to finish"

// WaitOverMessage is what a writer that said WaitMessage says once its
// wait has ended, whether it got its turn or gave up: a warning that it
// waits must not outlive the wait (a draft kept as the clerk types says
// nothing else when it is written).
const WaitOverMessage = "no longer waiting for another import/publish"

// What OpenSaying says of a database of an earlier release, given the
// name of the copy kept of it.
const (
	UpgradeCopyMessage = "this database is of an earlier release of Migrant Desk: keeping a copy of it as %s, then upgrading it"
	UpgradeMessage     = "upgrading the database to this release of Migrant Desk (the earlier one is kept as %s)"
)

// tell passes what keeps Open long to OpenSaying's say.
func (s *Store) tell(what string) {
	if s.say != nil {
		s.say(what)
	}
}

// WriteWait is how long a writer waits for another process's write before
// it gives up: well past a state import's usual minute.
const WriteWait = 5 * time.Minute

// SetWaitNotice sets what is told WaitMessage when a write has waited
// about a second for another process's, once per write (on the writer's
// goroutine), and WaitOverMessage when that wait ends; and how long a
// write waits at most (WriteWait when 0).
func (s *Store) SetWaitNotice(notice func(string), wait time.Duration) {
	s.onWait.Store(&notice)
	if wait > 0 {
		s.waitFor.Store(int64(wait))
	}
}

// Close closes both pools. A store opened by OpenScratch is put in WAL
// mode first, once the readers, which would keep it from changing mode,
// are closed.
func (s *Store) Close() error {
	// A write under way (a sync's snapshot page, when the app quits with
	// a sync running) holds the writer's one connection and may be
	// stepping the kept statements: they are finalized once it lets the
	// connection go. One that does not within closeWait is left running:
	// its statements are memory the ending process gives back.
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	if conn, err := s.w.Conn(ctx); err == nil {
		s.dropKept()
		conn.Close()
	}
	cancel()
	err := errors.Join(s.searched.close(), s.r.Close())
	if s.scratch && err == nil {
		if _, werr := s.w.Exec(`PRAGMA journal_mode = WAL`); werr != nil {
			err = fmt.Errorf("database %s: switch to WAL: %w", s.path, werr)
		}
	}
	return errors.Join(err, s.w.Close())
}

// closeWait is how long Close waits for a write under way.
const closeWait = 10 * time.Second

// Path is the database file.
func (s *Store) Path() string { return s.path }

// SetClock replaces the clock that stamps every change (created_at,
// audit rows, outbox rows), so that a test or a replay of recorded work
// writes the times it means to. Call it before the store is shared.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) migrate(ctx context.Context) error { return s.applyMigrations(ctx, migrations) }

// applyMigrations brings the schema up to len(ms), backing up a file that
// already has a schema first.
func (s *Store) applyMigrations(ctx context.Context, ms []string) error {
	// Read through the reader pool, which keeps the connection for what
	// comes next: a command that only reads never opens the writer's.
	version, err := s.schemaVersion()
	if err != nil {
		return schemaError(s.path, err)
	}
	if version > len(ms) {
		return fmt.Errorf("database %s has schema version %d, newer than this program knows (%d): use a newer Migrant Desk", s.path, version, len(ms))
	}
	if version == len(ms) {
		return nil
	}
	if version > 0 {
		// A file of its own, made empty and private for VACUUM INTO to
		// fill: another program opening the database at the same moment
		// backs it up too, within the same second.
		f, err := os.CreateTemp(filepath.Dir(s.path), fmt.Sprintf("%s.v%d-%s-*.bak", filepath.Base(s.path), version, time.Now().Format("20060102-150405")))
		if err != nil {
			return fmt.Errorf("back up %s before upgrading it: %w", s.path, err)
		}
		backup := f.Name()
		f.Close()
		s.tell(fmt.Sprintf(UpgradeCopyMessage, filepath.Base(backup)))
		if _, err := s.w.ExecContext(ctx, `VACUUM INTO ?`, backup); err != nil {
			os.Remove(backup)
			return fmt.Errorf("back up %s before upgrading it: %w", s.path, err)
		}
		// A migration may name an index that a first sync stopped part
		// way has dropped (pull.go): the schema it upgrades is whole.
		err = s.write(ctx, func(tx *sql.Tx) error {
			return buildSnapshotIndexes(ctx, tx, func(index) bool { return true })
		})
		if err != nil {
			return fmt.Errorf("rebuild the indexes of %s before upgrading it: %w", s.path, err)
		}
		s.tell(fmt.Sprintf(UpgradeMessage, filepath.Base(backup)))
	}
	for i := version; i < len(ms); i++ {
		err := s.write(ctx, func(tx *sql.Tx) error {
			// Read again under the write lock: another program opening
			// the database at the same moment may have applied it since.
			var now int
			if err := tx.QueryRow(`PRAGMA user_version`).Scan(&now); err != nil {
				return err
			}
			if now > i {
				return nil
			}
			if _, err := tx.ExecContext(ctx, ms[i]); err != nil {
				return err
			}
			if code := migrationCode[i+1]; code != nil {
				if err := code(tx); err != nil {
					return err
				}
			}
			_, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, i+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("upgrade database %s to schema version %d: %w", s.path, i+1, err)
		}
	}
	return nil
}

// write runs fn in one write transaction: all of it commits or none does.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	conn, err := s.writer(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return s.writeOn(ctx, conn, fn)
}

// writer holds the writer's one connection, with SQLite's foreign key
// checks on.
func (s *Store) writer(ctx context.Context) (*sql.Conn, error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkKeys(ctx, conn, true); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// checkKeys turns SQLite's foreign key checks on or off on conn, the
// writer's connection, held, when they are not already. Setting them
// either way makes SQLite prepare every statement of the connection
// again, so a snapshot's pages set them once, not page after page. A
// connection whose checks cannot be set back on is not given back to
// the pool, which opens a new one with them on.
func (s *Store) checkKeys(ctx context.Context, conn *sql.Conn, on bool) error {
	if s.unchecked.Load() != on {
		return nil
	}
	if on {
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = ON`); err != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
			s.unchecked.Store(false)
			return fmt.Errorf("turn the database's foreign key checks back on: %w", err)
		}
		s.unchecked.Store(false)
		return nil
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return fmt.Errorf("turn the database's foreign key checks off for a snapshot page: %w", err)
	}
	s.unchecked.Store(true)
	return nil
}

// dropKept finalizes the snapshot's kept statements, with the writer's
// connection held or unused.
func (s *Store) dropKept() {
	s.kept.drop()
	s.kept = nil
}

// writeOn is write, with the transaction begun on conn, the writer's
// one connection, held (Store.writer) for settings that must not reach
// other writes (see LoadExtract and applyPage).
func (s *Store) writeOn(ctx context.Context, conn *sql.Conn, fn func(*sql.Tx) error) error {
	tx, err := s.begin(ctx, conn)
	if err != nil {
		return s.diskError(err)
	}
	// A panic in fn (caught higher up, as a command's error) must not
	// leave the transaction open with the write lock held.
	defer func() {
		if r := recover(); r != nil {
			tx.Rollback()
			panic(r)
		}
	}()
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.diskError(err)
	}
	if s.head.tx == tx {
		if err := keepAuditHead(tx, s.head.seq, s.head.hash); err != nil {
			tx.Rollback()
			return s.diskError(err)
		}
	}
	return s.diskError(tx.Commit())
}

// diskError says what to do about a write SQLite refused for the disk:
// full, or the file read-only. Trying again, as the app's next sync
// does, cannot mend either; SQLite's own words ("database or disk is
// full (13)") do not say which file or what to do.
func (s *Store) diskError(err error) error {
	var coded interface{ Code() int }
	if !errors.As(err, &coded) {
		return err
	}
	switch coded.Code() & 0xff {
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("the disk is full: free some space on the disk that holds %s, then try again (%w)", s.path, err)
	case sqlite3.SQLITE_READONLY:
		return fmt.Errorf("%s cannot be written, being read-only (the file, its folder or the disk): "+
			"make it writable, or ask whoever looks after this computer (%w)", s.path, err)
	}
	return err
}

// begin starts a write transaction, waiting its turn behind another
// process's writer (BEGIN IMMEDIATE takes the write lock) for up to
// waitFor instead of failing with SQLITE_BUSY.
func (s *Store) begin(ctx context.Context, conn *sql.Conn) (*sql.Tx, error) {
	start := time.Now()
	var told *func(string)
	defer func() {
		if told != nil {
			(*told)(WaitOverMessage)
		}
	}()
	for {
		tx, err := conn.BeginTx(ctx, nil)
		if err == nil || !isBusy(err) {
			return tx, err
		}
		if wait := time.Duration(s.waitFor.Load()); time.Since(start) >= wait {
			return nil, fmt.Errorf("another import or publish has been writing to %s for over %s; try again when it has finished: %w",
				s.path, wait.Round(time.Second), err)
		}
		if notice := s.onWait.Load(); told == nil && notice != nil && *notice != nil {
			(*notice)(WaitMessage)
			told = notice
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// schemaVersion reads the schema's version. Programs that open a new
// file at the same moment each switch it to WAL as their connections
// open, and SQLite refuses a switch while another holds the file
// (SQLITE_BUSY, at once, its busy timeout unused): the read is tried
// again for a while rather than failing the program's start.
func (s *Store) schemaVersion() (int, error) {
	start := time.Now()
	for {
		var version int
		err := s.r.QueryRow(`PRAGMA user_version`).Scan(&version)
		if err == nil || !isBusy(err) || time.Since(start) >= openWait {
			return version, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// openWait is how long a program opening a new database waits for
// another opening it too.
const openWait = 10 * time.Second

// isBusy reports whether err is SQLite's SQLITE_BUSY (or one of its
// extended codes): the database is locked by another connection.
func isBusy(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == 5
}

// read runs fn in one read transaction, so every query in it sees the same
// snapshot of the database.
func (s *Store) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// timestamp is the form every *_at column holds: UTC, RFC 3339, seconds.
func (s *Store) timestamp() string {
	return s.now().UTC().Format(time.RFC3339)
}

// Meta keys.
const (
	MetaDemo     = "demo"      // "1" on a database made by the demo generator
	MetaDemoSeed = "demo_seed" // the generator's seed
	MetaImported = "imported_at"
	// MetaImportID is a new random ID at every import: two imports may
	// share their second, and a hub that took them for one would keep
	// the epoch its workstations' snapshots hold, and never send the
	// second import's rows.
	MetaImportID = "import_id"
	// MetaClerksImport is "1" when the state lets regional data clerks
	// load the extract into this database (see data.ImportPolicy).
	MetaClerksImport = "clerks_import"
)

// Meta returns the value stored under key, or "" if there is none.
func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", key, err)
	}
	return v, nil
}

// SetMeta stores value under key.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return setMeta(tx, key, value)
	})
}

func setMeta(tx *sql.Tx, key, value string) error {
	_, err := tx.Exec(`INSERT INTO meta(key, value) VALUES(?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// IsDemo reports whether the database holds generated demo data.
func (s *Store) IsDemo(ctx context.Context) (bool, error) {
	v, err := s.Meta(ctx, MetaDemo)
	return v == "1", err
}
