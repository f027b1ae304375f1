package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/data/importer"
	"migrantdesk/data/store"
)

func init() {
	commands["migrant"] = runMigrant
}

func runMigrant(args []string, out io.Writer) error {
	fs, db := cli.NewFlags("migrant")
	problems := fs.String("problems", "", "write every problem of a refused file to `FILE`, not only the first 100")
	publish := fs.Bool("publish", false, "publish the records to the districts their students are enrolled in")
	files, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := cli.StoreFile("migrant", *db); err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New("migrant: name one file of migrant records (.csv or .xlsx)")
	}
	path := files[0]
	if err := checkProblemsFile(*db, *problems, path); err != nil {
		return fmt.Errorf("migrant: %w", err)
	}
	rows, err := importer.ReadMigrantRecords(path)
	if err != nil {
		return refused("migrant: the file was refused", "nothing was saved", err, out, *problems)
	}
	// The records need their students: a database that does not exist
	// yet has none, so do not create one.
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("migrant: no database at %s; import the state extract first: %w", *db, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := cli.OpenStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("migrant: %w", err)
	}
	defer st.Close()

	recs := make([]data.MigrantRecord, len(rows))
	for i, r := range rows {
		recs[i] = data.MigrantRecord{StateID: r.StateID, MIS2000ID: r.MIS2000ID, QAD: r.QAD, EED: r.EED}
	}
	who, err := actingUser(ctx, st)
	if err != nil {
		return fmt.Errorf("migrant: %w", err)
	}
	res, err := st.ImportRecords(ctx, who, recs, *publish)
	var bad store.RowErrors
	if errors.As(err, &bad) {
		// The rows below say what the user may not do now, not that this
		// changed; without this sentence they contradict what the clerk
		// could do yesterday.
		if errors.Is(err, data.ErrAccessChanged) {
			fmt.Fprintln(out, "Your access changed at the last sync (an administrator changed your role, region or districts): "+
				"the records below are refused for the access you have now.")
		}
		lines := make([]string, len(bad))
		for i, e := range bad {
			lines[i] = rowProblem(filepath.Base(path), rows, e)
		}
		if err := showProblems(out, lines, 0, *problems); err != nil {
			return err
		}
		return fmt.Errorf("migrant: %s of %s %s refused, nothing was saved", data.Thousands(len(bad)), data.Count(len(rows), "record"), data.Agree(len(bad), "was", "were"))
	}
	if err != nil {
		return fmt.Errorf("migrant: %w", err)
	}
	fmt.Fprintf(out, "Saved %s; %s already there.\n", data.Count(res.Saved, "new record"), data.Thousands(res.Unchanged)+" "+data.Agree(res.Unchanged, "was", "were"))
	if *publish {
		fmt.Fprintf(out, "Published %s: %s.\n", data.Count(res.Published, "record"), data.Count(res.Districts, "district copy"))
	}
	return nil
}

// fieldColumns maps the fields the record rules name to the file's columns.
var fieldColumns = map[string]string{
	"state ID":   "state_id",
	"MIS2000 ID": "mis2000_id",
	"QAD":        "qad",
	"EED":        "eed",
}

// rowProblem says where in the file a record the store refused is, and
// why; one line for each field at fault.
func rowProblem(file string, rows []importer.RecordRow, e store.RowError) string {
	r := rows[e.Index]
	at := importer.Problem{File: file, Sheet: r.Sheet, Line: r.Line}
	var fields data.Errors
	var overlap *data.OverlapError
	switch {
	case errors.As(e.Err, &fields):
		s := ""
		for i, f := range fields {
			p := at
			p.Msg = f.Error()
			var fe *data.FieldError
			if errors.As(f, &fe) {
				p.Column, p.Msg = fieldColumns[fe.Field], fe.Reason
			}
			if i > 0 {
				s += "\n"
			}
			s += p.String()
		}
		return s
	case errors.Is(e.Err, store.ErrNoStudent):
		at.Column = "state_id"
	case errors.As(e.Err, &overlap):
		at.Msg = overlap.Error()
		if j := sameRecord(rows[:e.Index], overlap.Other); j >= 0 {
			at.Msg += fmt.Sprintf(", from %s %d of this file", lineWord(r), rows[j].Line)
		}
		return at.String()
	}
	at.Msg = e.Err.Error()
	return at.String()
}

// sameRecord finds the row that became record o, or -1 when o was
// already in the database.
func sameRecord(rows []importer.RecordRow, o data.MigrantRecord) int {
	for j, r := range rows {
		if r.StateID == o.StateID && r.MIS2000ID == o.MIS2000ID && r.QAD == o.QAD {
			return j
		}
	}
	return -1
}

func lineWord(r importer.RecordRow) string {
	if r.Sheet != "" {
		return "row"
	}
	return "line"
}
