package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/data/reconcile"
	"migrantdesk/data/store"
	"migrantdesk/report"
)

func init() {
	commands["reconcile"] = runReconcile
}

// runReconcile compares an MIS2000 export with the records. It succeeds
// when the comparison ran, whatever it found: discrepancies are its
// result, not an error.
func runReconcile(args []string, out io.Writer) error {
	fs, db := cli.NewFlags("reconcile")
	export := fs.String("mis2000", "", "the MIS2000 export `FILE` (.csv or .xlsx)")
	book := fs.String("out", "", "write the workbook (contains PII) to `OUT.xlsx`")
	messages := fs.String("messages", "", "write a message per district to `DIR`/<district number>.txt")
	asOf := fs.String("as-of", "", "the day of the check, YYYY-MM-DD (default today)")
	region := fs.String("region", "", "compare only the districts of the region with this `CODE`")
	clerk := fs.String("clerk", "", "the `NAME` that signs the messages (default the full name of the user the database syncs as, else the user running the command)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if err := cli.StoreFile("reconcile", *db); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("reconcile: unexpected argument %q", fs.Arg(0))
	case *export == "":
		return errors.New("reconcile: name the MIS2000 export with --mis2000 FILE")
	case *book == "":
		return errors.New("reconcile: name the workbook to write with --out OUT.xlsx")
	}
	day := data.Today()
	if *asOf != "" {
		var err error
		if day, err = data.ParseDate(*asOf); err != nil {
			return fmt.Errorf("reconcile: --as-of: %w", err)
		}
	}
	// store.Open would make an empty database of a mistyped path.
	if _, err := os.Stat(*db); err != nil {
		return fmt.Errorf("reconcile: no database at %s; name it with --db FILE: %w", *db, err)
	}
	// Said before the comparison, which at a state's scale takes its time.
	if err := report.CheckOutputs(*db, []string{*book}, *export); err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := cli.OpenStore(ctx, *db)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	defer st.Close()
	if *region != "" {
		if err := checkRegion(ctx, st, *region); err != nil {
			return err
		}
	}

	// The workbook holds PII: its export is audited as whoever the
	// database acts as, a synced workstation's user as report qa does,
	// not as the account at the terminal.
	who, err := actingUser(ctx, st)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	if *clerk == "" {
		*clerk = who.FullName
	}
	r, err := report.Reconcile(ctx, st, who, *export, day, *region, nil)
	if errors.Is(err, data.ErrAccess) {
		return fmt.Errorf("reconcile: %w", err)
	}
	if err != nil {
		return refused("reconcile: the MIS2000 export was refused", "nothing was compared", err, out, "")
	}
	meta := report.Meta{GeneratedAt: time.Now(), GeneratedBy: who.Signature()}
	files, err := r.Export(ctx, st, who.Username, *book, *messages, meta, *clerk)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	printSummary(out, r)
	fmt.Fprintf(out, "wrote %s\n", *book)
	if *messages != "" {
		fmt.Fprintf(out, "wrote %s to %s\n", data.Count(len(files), "message"), *messages)
	}
	return nil
}

func checkRegion(ctx context.Context, st *store.Store, code string) error {
	regions, err := st.Regions(ctx)
	if err != nil {
		return fmt.Errorf("reconcile: %w", err)
	}
	var codes []string
	for _, r := range regions {
		if r.Code == code {
			return nil
		}
		codes = append(codes, r.Code)
	}
	return fmt.Errorf("reconcile: there is no region %q; the regions are %v", code, codes)
}

// printSummary prints what was compared, the rows that were not, and the
// districts × categories table.
func printSummary(out io.Writer, r *report.Reconciliation) {
	region := "every region"
	if r.Region != "" {
		region = "region " + r.Region
	}
	fmt.Fprintf(out, "MIS2000 reconciliation as of %s, %s: %s of %s compared, %s\n",
		r.AsOf.US(), region, data.Count(r.Compared, "row"), r.Source.File, data.Count(r.Totals.Total, "discrepancy"))
	for _, n := range r.Notes(report.Meta{}) {
		if slices.Contains([]string{"Encoding", "Rows not read", "Columns missing", "Columns not used"}, n[0]) {
			fmt.Fprintf(out, "%s: %s\n", n[0], n[1])
		}
	}
	fmt.Fprintln(out)
	const labelWidth = 30
	headers := []string{}
	for _, c := range reconcile.Categories() {
		headers = append(headers, c.Short())
	}
	headers = append(headers, "Total")
	widths := make([]int, len(headers))
	for i, h := range headers {
		widths[i] = len(h)
	}
	for i, n := range append(r.Totals.Counts[:], r.Totals.Total) {
		widths[i] = max(widths[i], len(strconv.Itoa(n)))
	}
	line := func(label string, cells []string) {
		var b strings.Builder
		b.WriteString(label + strings.Repeat(" ", max(labelWidth-utf8.RuneCountInString(label), 0)))
		for i, c := range cells {
			fmt.Fprintf(&b, "  %*s", widths[i], c)
		}
		fmt.Fprintln(out, b.String())
	}
	counts := func(c reconcile.DistrictCount) []string {
		var s []string
		for _, n := range append(c.Counts[:], c.Total) {
			s = append(s, strconv.Itoa(n))
		}
		return s
	}
	line("District", headers)
	for _, l := range r.Summary {
		line(cut(l.District.Number+" "+report.DistrictName(l.District), labelWidth), counts(l))
	}
	line("Total", counts(r.Totals))
}

// cut shortens s to n characters.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
