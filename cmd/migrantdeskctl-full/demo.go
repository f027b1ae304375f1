package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/data/demo"
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
	fmt.Fprintf(out, "Wrote the demo extract (%d students) and %s (%d records) to %s in %s\n",
		len(st.Extract.Students), filepath.Base(records), len(st.Records), dir, time.Since(start).Round(time.Millisecond))
	return nil
}

func demoDB(cfg demo.Config, path string, out io.Writer) error {
	st, err := cli.OpenStore(path)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(out, "Making a demo state of %d students in %s...\n", cfg.Students, path)
	sum, err := demo.Build(context.Background(), st, cfg, operator())
	if errors.Is(err, demo.ErrNotEmpty) {
		return fmt.Errorf("%w: give --db a new file, e.g. --db demo-%d.db", err, cfg.Students)
	}
	if err != nil {
		return err
	}
	_, err = sum.WriteTo(out)
	return err
}
