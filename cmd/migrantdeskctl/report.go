package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/store"
	"migrantdesk/report"
)

func init() {
	commands["report"] = command{
		usage: "report qa --db F --district NUM --from D --to D [--detail OUT.xlsx] [--aggregated OUT.pdf] [--password P]",
		run:   runReport,
	}
}

func runReport(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "qa" {
		return errors.New("report: name the report: migrantdeskctl report qa --district NUM --from D --to D --detail OUT.xlsx")
	}
	fs, db := newFlags("report qa")
	district := fs.String("district", "", "district `NUM`ber, with its leading zeros")
	from := fs.String("from", "", "first day of the reporting period, YYYY-MM-DD")
	to := fs.String("to", "", "last day of the reporting period, YYYY-MM-DD")
	detail := fs.String("detail", "", "write the Detail workbook (contains PII) to `OUT.xlsx`")
	aggregated := fs.String("aggregated", "", "write the Aggregated counts to `OUT.pdf`")
	password := fs.String("password", "", "encrypt the Detail workbook with `P`")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("report qa: unexpected argument %q", fs.Arg(0))
	case *district == "":
		return errors.New("report qa: --district is required")
	case *detail == "" && *aggregated == "":
		return errors.New("report qa: nothing to write: give --detail OUT.xlsx, --aggregated OUT.pdf or both")
	case *password != "" && *detail == "":
		return errors.New("report qa: --password protects the Detail workbook: give --detail OUT.xlsx too")
	case *detail != "" && *detail == *aggregated:
		return errors.New("report qa: --detail and --aggregated name the same file")
	}
	p, err := reportPeriod(*from, *to)
	if err != nil {
		return err
	}
	// store.Open would make an empty database of a mistyped path.
	if _, err := os.Stat(*db); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("report qa: there is no database at %s; name it with --db FILE", *db)
	} else if err != nil {
		return fmt.Errorf("report qa: %w", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := store.Open(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	q, err := report.Build(ctx, st, *district, p)
	if err != nil {
		return err
	}
	meta := report.Meta{GeneratedAt: time.Now(), GeneratedBy: operator()}

	// Every file is written beside its destination first; only when all
	// are complete and the export is in the audit log do they take their
	// names, so a failure leaves no partial or unlogged file. All are
	// opened before any is written, so a bad path fails at once.
	type file struct {
		path  string
		perm  os.FileMode
		audit store.ExportAudit
		write func(io.Writer) error
		out   *report.Output
	}
	var files []*file
	if *detail != "" {
		files = append(files, &file{path: *detail, perm: 0o600,
			audit: exportAudit(q, "QA Migrant detail", len(q.Rows), *detail),
			write: func(w io.Writer) error { return q.WriteDetail(w, meta, *password) }})
	}
	if *aggregated != "" {
		files = append(files, &file{path: *aggregated, perm: 0o644,
			audit: exportAudit(q, "QA Migrant aggregated", q.Counts.Total, *aggregated),
			write: func(w io.Writer) error { return q.WriteAggregated(w, meta) }})
	}
	defer func() {
		for _, f := range files {
			if f.out != nil {
				f.out.Abort()
			}
		}
	}()
	for _, f := range files {
		if f.out, err = report.Create(f.path, f.perm); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := f.write(f.out); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := st.AuditExport(ctx, meta.GeneratedBy, f.audit); err != nil {
			return fmt.Errorf("report qa: the export could not be written to the audit log, so no file was saved: %w", err)
		}
	}
	for _, f := range files {
		if err := f.out.Commit(); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %s\n", f.out.Path())
	}
	fmt.Fprintf(out, "QA Migrant report, district %s, %s: %d rows, %d students\n",
		q.DistrictLabel(), p, len(q.Rows), q.Counts.Total)
	return nil
}

func exportAudit(q *report.QA, name string, rows int, path string) store.ExportAudit {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return store.ExportAudit{Report: name, District: q.District.Number, Period: q.Period.From.String() + "/" + q.Period.To.String(),
		Rows: rows, File: path}
}

// reportPeriod reads --from and --to.
func reportPeriod(from, to string) (data.Period, error) {
	var p data.Period
	var err error
	if p.From, err = data.ParseDate(from); err != nil {
		return p, fmt.Errorf("report qa: --from: %w", err)
	}
	if p.To, err = data.ParseDate(to); err != nil {
		return p, fmt.Errorf("report qa: --to: %w", err)
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("report qa: %w", err)
	}
	return p, nil
}
