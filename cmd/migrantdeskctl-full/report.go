package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/report"
)

func init() {
	commands["report"] = runReport
}

func runReport(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "qa" {
		return errors.New("report: name the report: migrantdeskctl report qa --district NUM --from D --to D --detail OUT.xlsx")
	}
	fs, db := cli.NewFlags("report qa")
	district := fs.String("district", "", "district `NUM`ber, with its leading zeros")
	from := fs.String("from", "", "first day of the reporting period, YYYY-MM-DD")
	to := fs.String("to", "", "last day of the reporting period, YYYY-MM-DD")
	detail := fs.String("detail", "", "write the Detail workbook (contains PII) to `OUT.xlsx`")
	aggregated := fs.String("aggregated", "", "write the Aggregated counts to `OUT.pdf`")
	passwordFile := fs.String("password-file", "", "encrypt the Detail workbook with the password on the first line of `FILE`")
	ask := fs.Bool("ask-password", false, "encrypt the Detail workbook with a password typed at the terminal (not shown)")
	fs.Func("password", "refused: a password on the command line is visible to every user of the computer; use --password-file",
		func(string) error {
			return errors.New("a password on the command line is visible to every user of the computer (ps); put it in a file readable only by you and give --password-file FILE")
		})
	if err := cli.Parse(fs, args[1:]); err != nil {
		return err
	}
	if err := cli.StoreFile("report qa", *db); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("report qa: unexpected argument %q", fs.Arg(0))
	case *district == "":
		return errors.New("report qa: --district is required")
	case *detail == "" && *aggregated == "":
		return errors.New("report qa: nothing to write: give --detail OUT.xlsx, --aggregated OUT.pdf or both")
	case (*passwordFile != "" || *ask) && *detail == "":
		return errors.New("report qa: a password protects the Detail workbook: give --detail OUT.xlsx too")
	case *passwordFile != "" && *ask:
		return errors.New("report qa: give --password-file or --ask-password, not both")
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
	// Said before the password is asked for and the report is read.
	var outputs []string
	for _, p := range []string{*detail, *aggregated} {
		if p != "" {
			outputs = append(outputs, p)
		}
	}
	if err := report.CheckOutputs(*db, outputs, *passwordFile); err != nil {
		return fmt.Errorf("report qa: %w", err)
	}

	var password string
	switch {
	case *passwordFile != "":
		if password, err = readSecret(*passwordFile); err != nil {
			return fmt.Errorf("report qa: %w", err)
		}
	case *ask:
		if password, err = askPassword(os.Stdin, cli.Stderr); err != nil {
			return fmt.Errorf("report qa: %w", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := cli.OpenStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	who, err := actingUser(ctx, st)
	if err != nil {
		return fmt.Errorf("report qa: %w", err)
	}
	if d, err := st.District(ctx, *district); err == nil {
		access, err := st.CanRunReport(ctx, who, d)
		if err != nil {
			return fmt.Errorf("report qa: %w", err)
		}
		if !access.Allowed {
			return fmt.Errorf("report qa: %s", access.Why)
		}
	}
	// Only someone allowed to report sweeps up what earlier exports left.
	n, err := report.RemoveStale(ctx, st)
	if n > 0 {
		fmt.Fprintf(cli.Stderr, "migrantdeskctl: removed %s that an interrupted export left\n", data.Count(n, "unfinished report file"))
	}
	if err != nil {
		fmt.Fprintf(cli.Stderr, "migrantdeskctl: unfinished report files that an interrupted export left may remain (they could hold student data): %v\n", err)
	}
	q, err := report.Build(ctx, st, who, *district, p)
	if err != nil {
		return fmt.Errorf("report qa: %w", err)
	}
	if err := data.MayExportReport(q.District, p, q.Counts.Total); err != nil {
		return fmt.Errorf("report qa: %w", err)
	}
	meta := report.Meta{GeneratedAt: time.Now(), GeneratedBy: who.Signature()}

	var files []report.File
	if *detail != "" {
		files = append(files, q.DetailFile(*detail, meta, password))
	}
	if *aggregated != "" {
		files = append(files, q.AggregatedFile(*aggregated, meta))
	}
	if err := report.Export(ctx, st, who.Username, files, *passwordFile); err != nil {
		return fmt.Errorf("report qa: %w", err)
	}
	for _, f := range files {
		fmt.Fprintf(out, "wrote %s\n", f.Path)
	}
	fmt.Fprintf(out, "QA Migrant report, district %s, %s: %s, %s\n",
		q.DistrictLabel(), p, data.Count(len(q.Rows), "row"), data.Count(q.Counts.Total, "student"))
	return nil
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
