package report

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"migrantdesk/data"
	"migrantdesk/data/reconcile"
	"migrantdesk/data/store"
)

// Message is the plain-text message to district d about its
// discrepancies, ready to paste into an email: a greeting, the
// discrepancies by category with each student's name, birth date, what IC
// and MIS2000 say and what to check, and the clerk's name. Lines end with
// "\n"; the files Export writes end them with CRLF.
func (r *Reconciliation) Message(d data.District, clerk string) string {
	ds := r.ForDistrict(d.Number)
	var b strings.Builder
	fmt.Fprintf(&b, "Dear migrant program coordinator of %s,\n\n", districtLabel(d))
	if len(ds) == 0 {
		fmt.Fprintf(&b, "We compared the migrant records published to your district with the MIS2000 data as of %s "+
			"and found nothing to check: the two agree on every student of your district. Thank you.\n\n", r.AsOf.US())
	} else {
		fmt.Fprintf(&b, "We compared the migrant records published to your district with the MIS2000 data as of %s "+
			"and found %d discrepanc%s. For each student below, please check what is asked and reply with what you "+
			"find, so that the records can be corrected.\n\n", r.AsOf.US(), len(ds), pluralY(len(ds)))
	}
	for _, c := range reconcile.Categories {
		var in []reconcile.Discrepancy
		for _, x := range ds {
			if x.Category == c {
				in = append(in, x)
			}
		}
		if len(in) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s (%d)\n\n", c, len(in))
		for _, x := range in {
			fmt.Fprintf(&b, "- %s, %s, born %s", x.LastName, x.FirstName, x.BirthDate.US())
			if x.StateID != "" {
				fmt.Fprintf(&b, ", state ID %s", x.StateID)
			}
			fmt.Fprintf(&b, ", MIS2000 ID %s\n", x.MIS2000ID)
			if x.InIC != "" {
				fmt.Fprintf(&b, "  In IC: %s\n", x.InIC)
			}
			if x.InMIS2000 != "" {
				fmt.Fprintf(&b, "  In MIS2000: %s\n", x.InMIS2000)
			}
			fmt.Fprintf(&b, "  Please check %s\n\n", lowerFirst(x.Check))
		}
	}
	fmt.Fprintf(&b, "Thank you,\n%s\n", clerk)
	return b.String()
}

// lowerFirst puts a sentence after "Please check": "Whether …" becomes
// "whether …".
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func districtLabel(d data.District) string {
	if d.Name == "" {
		return "district " + d.Number
	}
	return d.Number + " " + d.Name
}

func pluralY(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}

// Messaged are the districts Export writes a message to: every district
// of the summary that the records have, with discrepancies or not (a
// district of the export with none hears that all agrees).
func (r *Reconciliation) Messaged() []data.District {
	var out []data.District
	for _, l := range r.Summary {
		if l.District.Name != "" {
			out = append(out, l.District)
		}
	}
	return out
}

// MessageFile is the name of a district's message file: its number, with
// anything a file name should not hold replaced.
func MessageFile(d data.District) string {
	var b strings.Builder
	for _, c := range d.Number {
		if c < 128 && (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String() + ".txt"
}

// crlf writes the message with Windows line ends: the clerks open the
// files in Notepad, whose older versions show a file with bare "\n" as
// one line. The byte-order mark makes those versions read the accents as
// UTF-8 too.
func crlf(w io.Writer, msg string) error {
	_, err := io.WriteString(w, "\ufeff"+strings.ReplaceAll(msg, "\n", "\r\n"))
	return err
}

// Export writes the workbook to path and, when dir is not "", a message
// for each of r.Messaged to dir/<district number>.txt. Every file is
// written beside its place first; audit is given the export to record
// (one entry for the workbook, one for the messages), and only when it
// has are the files renamed into place. A failed or cancelled export, or
// one the audit log does not record, leaves no file behind. Both hold PII:
// the files are readable by their owner only. It returns the message
// files written.
func (r *Reconciliation) Export(ctx context.Context, path, dir string, meta Meta, clerk string,
	audit func(store.ExportAudit) error) ([]string, error) {
	var outs []*Output
	defer func() {
		for _, o := range outs {
			o.Abort()
		}
	}()
	book, err := Create(path, 0o600)
	if err != nil {
		return nil, err
	}
	outs = append(outs, book)
	if err := r.WriteWorkbook(book, meta); err != nil {
		return nil, err
	}
	entries := []store.ExportAudit{r.exportAudit("MIS2000 reconciliation", len(r.Discrepancies), path)}
	var files []string
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("cannot make the folder for the messages: %w", err)
		}
		for _, d := range r.Messaged() {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			o, err := Create(filepath.Join(dir, MessageFile(d)), 0o600)
			if err != nil {
				return nil, err
			}
			outs = append(outs, o)
			if err := crlf(o, r.Message(d, clerk)); err != nil {
				return nil, fmt.Errorf("cannot write %s: %w", o.Path(), err)
			}
			files = append(files, o.Path())
		}
		entries = append(entries, r.exportAudit("MIS2000 reconciliation messages", len(files), dir))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, e := range entries {
		if err := audit(e); err != nil {
			return nil, fmt.Errorf("the export could not be written to the audit log, so no file was saved: %w", err)
		}
	}
	for _, o := range outs {
		if err := o.Commit(); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// exportAudit is the audit entry of one part of the export: the region
// stands where a report names its district, the as-of day where it names
// its period.
func (r *Reconciliation) exportAudit(name string, rows int, path string) store.ExportAudit {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	region := r.Region
	if region == "" {
		region = "all regions"
	}
	return store.ExportAudit{Report: name, District: region, Period: r.AsOf.String(), Rows: rows, File: path}
}
