package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"text/tabwriter"
	"time"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data/hub/pghub"
	"migrantdesk/data/hub/sqlitehub"
)

// hubMigrate moves a SQLite hub into an empty PostgreSQL database.
func hubMigrate(args []string, out io.Writer) error {
	// No --db: the move names both of its databases, and a --db it took
	// would be ignored.
	fs := flag.NewFlagSet("hub migrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "the SQLite hub database `FILE` to move (stop its hub first)")
	to := fs.String("to", "", "the empty PostgreSQL database to move it into, as a postgres://USER@HOST/DB `URL`")
	passwordFile := dbPasswordFlag(fs, "db-password-file")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("hub migrate: unexpected argument %q", fs.Arg(0))
	}
	if *from == "" || !cli.IsPostgres(*to) {
		return errors.New("hub migrate: give --from HUB.db and --to postgres://USER@HOST/DB")
	}
	// Checked before PostgreSQL is reached: a mistyped --from is the
	// operator's to correct, whatever the database would have answered.
	if _, err := os.Stat(*from); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("hub migrate: there is no SQLite hub at %s; name the stopped hub's database file with --from FILE", *from)
	}
	pw, err := dbPassword(*to, *passwordFile)
	if err != nil {
		return fmt.Errorf("hub migrate: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	h, err := pghub.Open(ctx, *to, pw)
	if err != nil {
		return fmt.Errorf("hub migrate: %w", passwordRefused(err, *to, "--db-password-file", *passwordFile))
	}
	defer h.Close()
	if err := upgradeSQLiteHub(*from); err != nil {
		return fmt.Errorf("hub migrate: nothing was moved: %w", err)
	}
	// The last connection to close removes the write-ahead log, as the
	// upgrade's just did: one still there is another program's, a hub
	// still serving most likely, whose pushes after the move would be
	// lost, under the epoch and change numbers the move keeps.
	if _, err := os.Stat(*from + "-wal"); err == nil {
		return fmt.Errorf("hub migrate: nothing was moved: %s is open in another program, a hub serving it most likely (its write-ahead log %s-wal is there while one is): "+
			"stop every program using it, then run hub migrate again", *from, *from)
	}
	m, err := h.MigrateFromSQLite(ctx, *from)
	if err != nil {
		return fmt.Errorf("hub migrate: nothing was moved: %w", err)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS\tCHECKSUM (SQLite = PostgreSQL)")
	for _, t := range m.Tables {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", t.Table, t.Rows, t.Checksum)
	}
	tw.Flush()
	fmt.Fprintf(out, "Moved %s into %s in %s; every table's rows and checksum match.\n",
		*from, shownDB(*to), time.Since(start).Round(time.Millisecond))
	if m.KeptEpoch {
		fmt.Fprintf(out, "Epoch %s and change %d kept: workstations go on syncing where they were.\n", m.Epoch, m.FeedSeq)
	} else {
		fmt.Fprintf(out, "New epoch %s: no workstation has pulled since the SQLite hub's last extract import, so each takes a fresh snapshot, as it would have from the SQLite hub.\n", m.Epoch)
	}
	return nil
}

// upgradeSQLiteHub opens the SQLite hub at path as every hub command
// opens it, which adds the columns and keys this release has and an
// earlier release that last served the file did not: the move reads
// every column the PostgreSQL tables have. A file that is not a hub is
// left as it is, for the move to refuse.
func upgradeSQLiteHub(path string) error {
	isHub, err := sqlitehub.IsHub(path)
	if err != nil || !isHub {
		return err
	}
	h, err := sqlitehub.Open(path)
	if err != nil {
		return fmt.Errorf("bring the SQLite hub up to this release: %w", err)
	}
	reportOpening(h, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	return h.Close()
}

// hubBackup copies a serving SQLite hub to a new file.
func hubBackup(args []string, out io.Writer) error {
	fs, db := cli.NewFlags("hub backup")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New("hub backup: name one new file to write the backup to")
	}
	if cli.IsPostgres(*db) {
		return errors.New("hub backup: back up a PostgreSQL hub with pg_dump (see the README's operations section)")
	}
	if err := hubExists("hub backup", *db); err != nil {
		return err
	}
	h, err := sqlitehub.Open(*db)
	if err != nil {
		return fmt.Errorf("hub backup: %w", err)
	}
	defer h.Close()
	reportOpening(h, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	start := time.Now()
	if err := h.Backup(context.Background(), files[0]); err != nil {
		return fmt.Errorf("hub backup: %w", err)
	}
	fmt.Fprintf(out, "Backed up %s to %s in %s. A hub restored from it starts a new epoch: workstations take a fresh snapshot and send again what it lacks.\n",
		*db, files[0], time.Since(start).Round(time.Millisecond))
	return nil
}

// hubNewEpoch starts a new epoch on a hub restored in a way it cannot see
// for itself (a copy of its file from before it kept a cursor key, say):
// its workstations are refused with "the sync position is not one this
// hub gave" until then.
func hubNewEpoch(args []string, out io.Writer) error {
	fs, db := cli.NewFlags("hub new-epoch")
	passwordFile := dbPasswordFlag(fs, "db-password-file")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if err := hubExists("hub new-epoch", *db); err != nil {
		return err
	}
	if err := pgHubExists(*db, *passwordFile); err != nil {
		return fmt.Errorf("hub new-epoch: %w", passwordRefused(err, *db, "--db-password-file", *passwordFile))
	}
	h, err := openHub(context.Background(), *db, *passwordFile)
	if err != nil {
		return fmt.Errorf("hub new-epoch: %w", passwordRefused(err, *db, "--db-password-file", *passwordFile))
	}
	defer h.Close()
	// Not reportOpening: its advice for a hub that made a cursor key is
	// to run this very command.
	reportTightened(h, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	epoch, err := h.NewEpoch(context.Background(), operator())
	if err != nil {
		return fmt.Errorf("hub new-epoch: %w", err)
	}
	fmt.Fprintf(out, "New epoch %s: at its next sync every workstation takes a fresh snapshot and sends again what the hub acknowledged to it.\n", epoch)
	return nil
}
