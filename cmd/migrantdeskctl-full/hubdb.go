package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/jackc/pgpassfile"
	"github.com/jackc/pgx/v5/pgconn"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data/hub"
	"migrantdesk/data/hub/pghub"
	"migrantdesk/data/hub/sqlitehub"
)

// dbPasswordFlag adds the flag naming the file that holds the PostgreSQL
// password, for a URL without one and no entry in the password file.
func dbPasswordFlag(fs *flag.FlagSet, name string) *string {
	return fs.String(name, "", "read the PostgreSQL password from `FILE` (first line) instead of "+cli.PgpassPlaces(runtime.GOOS))
}

// dbPassword reads the PostgreSQL password from file, "" for none.
// Without one, pgx reads the password file (pgpassFile), whatever its mode, where
// libpq (psql, pg_dump) ignores a file others may read: such a file is
// refused here as a --db-password-file is.
func dbPassword(db, file string) (string, error) {
	if file != "" {
		return secretLine(file, "the database password file")
	}
	passfile, what := pgpassFile(db)
	if passfile == "" {
		return "", nil
	}
	fi, err := os.Stat(passfile)
	if err != nil {
		return "", nil
	}
	if err := private(fi, what, passfile); err != nil {
		return "", err
	}
	return socketPassword(db, passfile), nil
}

// socketPassword is the password the password file gives for the server
// db reaches on a Unix socket, found as libpq finds it, by the socket's
// folder, "" for none or when the URL or PGPASSWORD gives one. pgx
// looks up every socket as "localhost", which libpq does only for its
// default folder: the line psql and pg_dump read for a server with its
// socket elsewhere was not found, and the role's password refused.
func socketPassword(db, passfile string) string {
	if u, err := url.Parse(db); err != nil || u.Query().Has("password") || os.Getenv("PGPASSWORD") != "" {
		return ""
	} else if _, inURL := u.User.Password(); inURL {
		return ""
	}
	cfg, err := pgconn.ParseConfig(db)
	if err != nil || !strings.HasPrefix(cfg.Host, "/") {
		return ""
	}
	pf, err := pgpassfile.ReadPassfile(passfile)
	if err != nil {
		return ""
	}
	return pf.FindPassword(cfg.Host, strconv.Itoa(int(cfg.Port)), cfg.Database, cfg.User)
}

// pgpassFile is cli.PgpassFile of this system.
func pgpassFile(db string) (path, what string) {
	return cli.PgpassFile(db, runtime.GOOS, os.Getenv)
}

// openHub opens the hub's storage that --db names: PostgreSQL for a URL,
// else a SQLite file.
func openHub(ctx context.Context, db, passwordFile string) (hub.Store, error) {
	if !cli.IsPostgres(db) {
		return sqlitehub.Open(db)
	}
	pw, err := dbPassword(db, passwordFile)
	if err != nil {
		return nil, err
	}
	return pghub.Open(ctx, db, pw)
}

// passwordRefused says, when PostgreSQL refused the role's password (none
// was found, or a wrong one), which password it refused and where the
// command takes one from: pgx says only that the authentication failed.
// flag is the command's own, since hub serve names it --password-file and
// the others --db-password-file; file is its value, which goes before a
// password in the URL db, which goes before PGPASSWORD, which goes before
// the password file.
func passwordRefused(err error, db, flag, file string) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != invalidPassword {
		return err
	}
	if file != "" {
		return fmt.Errorf("PostgreSQL refused the password in %s (%s): check that its first line is the role's password (%w)", file, flag, err)
	}
	if u, perr := url.Parse(db); perr == nil && u.User != nil {
		if _, inURL := u.User.Password(); inURL {
			return fmt.Errorf("PostgreSQL refused the password in the URL: check it, and better, take it out of the URL "+
				"and put it on the first line of a file named with %s FILE, or in %s (%w)", flag, cli.PgpassPlaces(runtime.GOOS), err)
		}
	}
	// pgx takes PGPASSWORD before the password file, as libpq does.
	if os.Getenv("PGPASSWORD") != "" {
		return fmt.Errorf("PostgreSQL refused the password in PGPASSWORD: check it, and better, unset it and put the "+
			"password on the first line of a file named with %s FILE (%w)", flag, err)
	}
	if passfile, what := pgpassFile(db); passfile != "" {
		if _, serr := os.Stat(passfile); serr == nil {
			return fmt.Errorf("PostgreSQL refused the password that %s %s gives for this server and role, or it gives "+
				"none: check its line for them (host:port:database:role:password), or put the password on the first "+
				"line of a file named with %s FILE (%w)", what, passfile, flag, err)
		}
	}
	return fmt.Errorf("PostgreSQL refused the role's password: put it on the first line of a file named with %s FILE, or in %s (%w)", flag, cli.PgpassPlaces(runtime.GOOS), err)
}

// invalidPassword is PostgreSQL's SQLSTATE for a password refused.
const invalidPassword = "28P01"

// hubExists refuses a SQLite hub path with nothing at it, which opening
// would make an empty hub of, for the command cmd.
func hubExists(cmd, db string) error {
	if _, err := os.Stat(db); !cli.IsPostgres(db) && errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: there is no hub database at %s; name it with --db FILE", cmd, db)
	}
	return nil
}

// pgHubExists refuses, as hubExists does a SQLite path with no file at
// it, a PostgreSQL database that holds no hub yet: served, it would be
// given the hub's tables and serve an empty hub, refusing every sign-in,
// or, named by mistake, a database that is not the hub's at all.
func pgHubExists(db, passwordFile string) error {
	if !cli.IsPostgres(db) {
		return nil
	}
	pw, err := dbPassword(db, passwordFile)
	if err != nil {
		return err
	}
	holds, name, err := pghub.HoldsHub(context.Background(), db, pw)
	if err != nil || holds {
		return err
	}
	return fmt.Errorf("PostgreSQL database %s holds no hub: make it first, as the schema's owner, with `migrantdeskctl import --db URL DIR` "+
		"or `migrantdeskctl hub migrate --from HUB.db --to URL` (README, Setting up PostgreSQL), or name the hub's database in --db", name)
}

// reportOpening logs what opening the hub did that its operator must
// know: the key it made to sign its sync cursors in a database an earlier
// release served (hub.KeyMaker), and the accounts an older hub kept
// under names that are not in their clean form, those it renamed and
// those it left as they were, which it says again at every start until
// the operator acts.
func reportOpening(h hub.Store, log *slog.Logger) {
	reportTightened(h, log)
	if k, ok := h.(hub.KeyMaker); ok && k.MadeCursorKey() {
		log.Warn("the hub made a key to sign its sync cursors: this database was served by an earlier release. " +
			"If it was restored from a copy made before its last start, start a new epoch with `migrantdeskctl hub new-epoch`; " +
			"until then the hub refuses its workstations' cursors")
	}
	if r, ok := h.(hub.EpochRenewer); ok && r.RenewedEpoch() {
		log.Warn("this database is not the one the hub's epoch was made in (a restore, or a copy): the hub started a new epoch. " +
			"At its next sync each workstation takes a fresh snapshot and sends again what the hub lacks")
	}
	c, ok := h.(hub.NameCleaner)
	if !ok {
		return
	}
	names := c.NameCleanup()
	for _, r := range names.Renamed {
		log.Info(r.String())
	}
	for _, u := range names.Left {
		log.Warn(u.String())
	}
}

// reportTightened logs that a hub file others could read was made
// private, as a workstation's command says it of its own file.
func reportTightened(h hub.Store, log *slog.Logger) {
	if s, ok := h.(*sqlitehub.DB); ok {
		for _, n := range s.Store().Notices() {
			log.Warn(n)
		}
	}
}

// shownDB is --db as messages and logs may show it: a URL loses its
// password, in the user part or the query, wherever it was written.
func shownDB(db string) string {
	if !cli.IsPostgres(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "the PostgreSQL URL given"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}
