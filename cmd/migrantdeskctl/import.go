package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"migrantdesk/data/importer"
	"migrantdesk/data/store"
	"migrantdesk/data/sync/hub/pghub"
)

func init() {
	commands["import"] = command{
		usage: "import --db F|postgres://USER@HOST/DB [--db-password-file F] DIR|FILE.xlsx",
		run:   runImport,
	}
}

func runImport(args []string, out io.Writer) error {
	fs, db := newFlags("import")
	passwordFile := dbPasswordFlag(fs, "db-password-file")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New("import: name one extract: a folder of CSV files or an .xlsx workbook")
	}
	start := time.Now()
	ex, err := importer.ReadExtract(files[0])
	if err != nil {
		return refused("import: the extract was refused", "nothing was imported", err, out)
	}
	read := time.Since(start)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var write func() (store.ExtractCounts, error)
	if isPostgres(*db) {
		pw, err := dbPassword(*passwordFile)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		h, err := pghub.Open(ctx, *db, pw)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer h.Close()
		write = func() (store.ExtractCounts, error) { return h.Import(ctx, ex, operator()) }
	} else {
		st, err := store.Open(*db)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer st.Close()
		write = func() (store.ExtractCounts, error) { return st.ImportExtract(ctx, ex, operator()) }
	}
	start = time.Now()
	n, err := write()
	if err != nil {
		return fmt.Errorf("import: the database refused the extract, nothing was imported: %w", err)
	}
	fmt.Fprintf(out, "Imported %s into %s.\n", n, shownDB(*db))
	fmt.Fprintf(out, "Read and checked in %s, written in %s.\n", read.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return nil
}

// refused prints every problem of a refused file, one a line, to out, and
// returns the one-line error the command exits with. An error that is not
// a list of problems (a file that cannot be opened) is returned as is.
func refused(what, consequence string, err error, out io.Writer) error {
	var pl *importer.ProblemList
	if !errors.As(err, &pl) {
		return fmt.Errorf("%s: %w", what, err)
	}
	for _, p := range pl.Problems {
		fmt.Fprintln(out, p)
	}
	if pl.Dropped > 0 {
		fmt.Fprintf(out, "… and %d more problems, not listed\n", pl.Dropped)
	}
	if pl.Len() == 1 {
		return fmt.Errorf("%s: 1 problem, %s", what, consequence)
	}
	return fmt.Errorf("%s: %d problems, %s", what, pl.Len(), consequence)
}

// parseArgs parses flags given before, between or after the positional
// arguments (migrantdeskctl migrant --db F RECORDS.csv --publish) and
// returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
