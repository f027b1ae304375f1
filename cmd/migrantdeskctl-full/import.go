package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/data/hub/pghub"
	"migrantdesk/data/importer"
	"migrantdesk/data/store"
	"migrantdesk/report"
)

func init() {
	commands["import"] = runImport
}

func runImport(args []string, out io.Writer) error {
	fs, db := cli.NewFlags("import")
	passwordFile := dbPasswordFlag(fs, "db-password-file")
	problems := fs.String("problems", "", "write every problem of a refused extract to `FILE`, not only the first 100")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New("import: name one extract: a folder of CSV files or an .xlsx workbook")
	}
	if err := checkProblemsFile(*db, *problems, files[0]); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cli.IsPostgres(*db) {
		return importPostgres(ctx, *db, *passwordFile, *problems, files[0], out)
	}
	if err := store.DeviceName(*db); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	ex, err := importer.OpenExtract(files[0])
	if err != nil {
		return refused("import: the extract was refused", "nothing was imported", err, out, *problems)
	}
	defer ex.Close()
	// A state extract allocates millions of short-lived rows: at Go's
	// default the garbage collector, and the preemptions it makes, took a
	// fifth of an import's CPU. The heap may grow four times over what is
	// live, up to importHeap, which keeps the import under 600 MB with
	// SQLite's page cache and sorter besides. GOGC or GOMEMLIMIT, when
	// set, have the last word.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(importHeap))
	}
	start := time.Now()
	var n store.ExtractCounts
	err = intoDatabase(*db, func(st *store.Store) error {
		who, err := actingUser(ctx, st)
		if err != nil {
			return err
		}
		n, err = st.LoadExtract(ctx, who, func(l *store.ExtractLoad) error { return ex.Scan(l) })
		return err
	})
	if errors.As(err, new(*importer.ProblemList)) {
		return refused("import: the extract was refused", "nothing was imported", err, out, *problems)
	}
	// Who may load the extract here is no refusal of the database's, and
	// the access error says all of it.
	var denied *data.AccessError
	if errors.As(err, &denied) {
		return fmt.Errorf("import: nothing was imported: %w", denied)
	}
	if err != nil {
		return fmt.Errorf("import: the database refused the extract, nothing was imported: %w", err)
	}
	fmt.Fprintf(out, "Imported %s into %s.\n", n, *db)
	printNotes(out, n)
	fmt.Fprintf(out, "Read, checked and written in %s.\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// printNotes says which stored rows an extract without programs or
// assessments left as they were, and which enrollments it gave to
// another student.
func printNotes(out io.Writer, n store.ExtractCounts) {
	for _, note := range []string{n.KeptText(), n.MovedText()} {
		if note != "" {
			fmt.Fprintln(out, note)
		}
	}
}

// importHeap bounds the Go heap of an import (see runImport).
const importHeap = 280 << 20

// importPostgres reads and checks the whole extract first, then hands it
// to the PostgreSQL hub, which COPYs it into staging tables and merges it
// in one transaction.
func importPostgres(ctx context.Context, db, passwordFile, problems, file string, out io.Writer) error {
	start := time.Now()
	ex, err := importer.ReadExtract(file)
	if err != nil {
		return refused("import: the extract was refused", "nothing was imported", err, out, problems)
	}
	read := time.Since(start)
	pw, err := dbPassword(db, passwordFile)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	h, err := pghub.Open(ctx, db, pw)
	if err != nil {
		return fmt.Errorf("import: %w", passwordRefused(err, db, "--db-password-file", passwordFile))
	}
	defer h.Close()
	start = time.Now()
	n, err := h.Import(ctx, ex, operator())
	if err != nil {
		return fmt.Errorf("import: the database refused the extract, nothing was imported: %w", err)
	}
	fmt.Fprintf(out, "Imported %s into %s.\n", n, shownDB(db))
	printNotes(out, n)
	fmt.Fprintf(out, "Read and checked in %s, written in %s.\n", read.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return nil
}

// intoDatabase runs load on the database at path. A database that does
// not exist yet is made under another name and takes its own only once
// load has succeeded, so that a refused or interrupted first import
// leaves no file behind, and only if no database has taken the name
// meanwhile (see takeName).
func intoDatabase(path string, load func(*store.Store) error) error {
	if _, err := os.Stat(path); err == nil {
		st, err := cli.OpenStore(context.Background(), path)
		if err != nil {
			return err
		}
		return errors.Join(load(st), st.Close())
	}
	tmp := path + ".importing"
	// A journal left by an import killed before this one would be played
	// back into the new file: it goes with the rest.
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	st, err := store.OpenScratch(tmp)
	if err != nil {
		return err
	}
	cli.ShowNotices(st)
	// The file is the whole database once the store is closed: its
	// transactions committed, in WAL mode with an empty log.
	if err := errors.Join(load(st), st.Close()); err != nil {
		os.Remove(tmp)
		os.Remove(tmp + "-journal")
		return err
	}
	if err := takeName(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// takeName renames the database made at tmp to path, holding path as
// Migrant Desk does (store.Hold), which makes a database only once it
// holds it. A Migrant Desk started on path while the database was made
// has made one of its own there and works in it: renamed over it, the
// app would go on writing to a file no longer there, its work lost, and
// the new file would share its -wal and -shm files, which would damage
// it.
func takeName(tmp, path string) error {
	release, err := store.Hold(path)
	if errors.Is(err, store.ErrHeld) {
		return fmt.Errorf("Migrant Desk was started on %s while this command made the database, and has it open: "+
			"nothing was written to %s; close Migrant Desk and run the command again", path, path)
	}
	if err != nil {
		return err
	}
	defer release()
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s was made by another program (Migrant Desk, or another import) while this command made the "+
			"database: nothing was written to it; run the command again", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.Rename(tmp, path)
}

// maxShown caps the problems printed, so that a wrong file does not
// print a million lines; --problems FILE has them all.
const maxShown = 100

// refused prints the first problems of a refused file, one a line, to
// out, and all of them to the file named by --problems when there is one,
// and returns the one-line error the command exits with. An error that is
// not a list of problems (a file that cannot be opened) is returned as is.
func refused(what, consequence string, err error, out io.Writer, problemsFile string) error {
	var pl *importer.ProblemList
	if !errors.As(err, &pl) {
		return fmt.Errorf("%s: %w", what, err)
	}
	lines := make([]string, len(pl.Problems))
	for i, p := range pl.Problems {
		lines[i] = p.String()
	}
	if err := showProblems(out, lines, pl.Dropped, problemsFile); err != nil {
		return err
	}
	return fmt.Errorf("%s: %s, %s", what, data.Count(pl.Len(), "problem"), consequence)
}

// showProblems prints the first maxShown of lines and a count of the
// rest, and writes them all to path unless it is "". dropped counts
// problems found but not kept.
func showProblems(out io.Writer, lines []string, dropped int, path string) error {
	for _, l := range lines[:min(len(lines), maxShown)] {
		fmt.Fprintln(out, l)
	}
	if path != "" {
		if err := writeProblems(path, lines, dropped); err != nil {
			return err
		}
	}
	if more := len(lines) - min(len(lines), maxShown) + dropped; more > 0 {
		where := "; --problems FILE writes them all to a file"
		if path != "" {
			where = "; all are in " + path
		}
		fmt.Fprintf(out, "… and %s more %s%s\n", data.Thousands(more), data.Agree(more, "problem", "problems"), where)
	}
	return nil
}

// checkProblemsFile refuses a --problems file that is the database or an
// input (or a file of an input folder), which the problems would replace.
// It is checked before any work, so that a wrong name costs nothing.
func checkProblemsFile(db, path, input string) error {
	if path == "" {
		return nil
	}
	inputs := []string{input}
	if entries, err := os.ReadDir(input); err == nil {
		for _, e := range entries {
			inputs = append(inputs, filepath.Join(input, e.Name()))
		}
	}
	if err := report.CheckOutputs(db, []string{path}, inputs...); err != nil {
		return fmt.Errorf("--problems: %w", err)
	}
	return nil
}

// writeProblems writes the problem lines beside path and renames them into
// place, so that a failed write leaves no half list; they name students,
// so only the user may read them.
func writeProblems(path string, lines []string, dropped int) error {
	err := report.WriteFile(path, 0o600, func(out io.Writer) error {
		w := bufio.NewWriter(out)
		for _, l := range lines {
			w.WriteString(l)
			w.WriteByte('\n')
		}
		if dropped > 0 {
			fmt.Fprintf(w, "… and %s more %s, not kept\n", data.Thousands(dropped), data.Agree(dropped, "problem", "problems"))
		}
		return w.Flush()
	})
	if err != nil {
		return fmt.Errorf("write the problems to %s: %w", path, err)
	}
	return nil
}

// parseArgs parses flags given before, between or after the positional
// arguments (migrantdeskctl migrant --db F RECORDS.csv --publish) and
// returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := cli.Parse(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
