package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/data/demo"
	"migrantdesk/data/store"
)

func init() {
	commands["demo"] = runDemo
}

// runDemo makes a demo state in a new database, or writes it as an
// extract folder (the seven CSV files and migrant_records.csv) with --csv;
// --csv and an explicit --db do both.
func runDemo(args []string, out io.Writer) error {
	fs, db := cli.NewFlags("demo")
	students := fs.Int("students", 5000, "how many `N` students, 500 to 700000")
	seed := fs.Int64("seed", 1, "the `S`eed: the same seed gives the same state")
	todayFlag := fs.String("today", "", "the `YYYY-MM-DD` the data is current on (default: today)")
	csvDir := fs.String("csv", "", "write the extract and migrant_records.csv to `DIR`")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if err := cli.StoreFile("demo", *db); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo: unexpected argument %q", fs.Arg(0))
	}
	cfg := demo.Config{Students: *students, Seed: *seed, Today: data.Today()}
	if *todayFlag != "" {
		d, err := data.ParseDate(*todayFlag)
		if err != nil {
			return fmt.Errorf("demo --today: %w", err)
		}
		// Checked here, before either output: Build refuses it too, but
		// an extract written by --csv would have migrant records that
		// `migrant` refuses as arriving in the future.
		if today := data.Today(); d > today {
			return fmt.Errorf("demo --today %s is after today (%s): its migrant records would arrive in the future, which the app refuses; give a day up to today", d, today)
		}
		cfg.Today = d
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	dbGiven := false
	fs.Visit(func(f *flag.Flag) { dbGiven = dbGiven || f.Name == "db" })
	if *csvDir != "" {
		if err := demoCSV(cfg, *csvDir, out); err != nil {
			return err
		}
		if !dbGiven {
			return nil
		}
	}
	return demoDB(cfg, *db, out)
}

func demoCSV(cfg demo.Config, dir string, out io.Writer) error {
	start := time.Now()
	st, err := demo.Generate(cfg)
	if err != nil {
		return err
	}
	if err := st.WriteCSV(dir); err != nil {
		return err
	}
	records := filepath.Join(dir, "migrant_records.csv")
	if err := st.WriteRecordsCSV(records); err != nil {
		return err
	}
	fmt.Fprintf(out, "Wrote the demo extract (%s) and %s (%s) to %s in %s\n",
		data.Count(len(st.Extract.Students), "student"), filepath.Base(records), data.Count(len(st.Records), "record"), dir, time.Since(start).Round(time.Millisecond))
	return nil
}

// demoDB makes the demo state in the database at path. A new file is
// made under another name and takes its own once the state is whole (see
// intoDatabase): the state is written in several transactions (the
// extract, then the records, then the users), and a run interrupted
// between them would leave a database with an extract and no users, which
// the app opens as a hub's database and a second demo refuses. Ctrl+C
// stops it as an error does, so that the file under the other name goes
// too; a run killed outright leaves that file, which the next run removes.
// An existing database without an extract (one the app has opened) is
// filled in place.
func demoDB(cfg demo.Config, path string, out io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, statErr := os.Stat(path)
	fresh := errors.Is(statErr, os.ErrNotExist)
	fmt.Fprintf(out, "Making a demo state of %s in %s...\n", data.Count(cfg.Students, "student"), path)
	var sum demo.Summary
	err := intoDatabase(path, func(st *store.Store) error {
		var err error
		sum, err = demo.Build(ctx, st, cfg, operator())
		return err
	})
	switch {
	case errors.Is(err, demo.ErrNotEmpty):
		return fmt.Errorf("%w: give --db a new file, e.g. --db demo-%d.db", err, cfg.Students)
	case err != nil && ctx.Err() != nil && fresh:
		return fmt.Errorf("demo: interrupted, so %s was not made; run the command again to make it", path)
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("demo: interrupted, so %s may hold part of a demo state; delete it and run the command again", path)
	case err != nil:
		return err
	}
	_, err = sum.WriteTo(out)
	return err
}
