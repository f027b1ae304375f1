package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

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
	fmt.Fprintf(&b, "%s%s,\n\n", greeting, districtLabel(d))
	// Rows not read may be the district's: the message vouches only for
	// what was compared, and says which rows were not.
	notRead := unreadText(r.Unread[d.Number], r.Unread[""])
	switch {
	case len(ds) == 0 && notRead != "":
		fmt.Fprintf(&b, "We compared the migrant records published to your district with the MIS2000 data as of %s "+
			"and found nothing to check. %s\n\n", r.AsOf.US(), notRead)
	case len(ds) == 0:
		fmt.Fprintf(&b, "We compared the migrant records published to your district with the MIS2000 data as of %s "+
			"and found nothing to check: the two agree on every student of your district.\n\n", r.AsOf.US())
	default:
		fmt.Fprintf(&b, "We compared the migrant records published to your district with the MIS2000 data as of %s "+
			"and found %s. For each student below, please check what is asked and reply with what you "+
			"find, so that the records can be corrected.", r.AsOf.US(), data.Count(len(ds), "discrepancy"))
		if notRead != "" {
			b.WriteString(" " + notRead)
		}
		b.WriteString("\n\n")
	}
	for _, c := range reconcile.Categories() {
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
			fmt.Fprintf(&b, "  Please check %s\n\n", data.LowerFirst(x.Check))
		}
	}
	fmt.Fprintf(&b, "Thank you,\n%s\n", clerk)
	return b.String()
}

// unreadText tells a district of the rows of the export that could not
// be read: mine of its own, unknown of a district that could not be read
// either, which may be its own. "" when there are none: the rows of other
// districts are theirs to hear of.
func unreadText(mine, unknown int) string {
	const later = "we will check %s once the export is corrected."
	switch {
	case mine > 0 && unknown > 0:
		return fmt.Sprintf("%s of your district in the export, and %s whose district could not be read either, "+
			"could not be read and were not compared; "+later, data.Count(mine, "row"), data.Count(unknown, "other"), "them")
	case mine > 0:
		return fmt.Sprintf("%s of your district in the export could not be read and %s not compared; "+later,
			data.Count(mine, "row"), data.Agree(mine, "was", "were"), data.Agree(mine, "it", "them"))
	case unknown > 0:
		return fmt.Sprintf("%s of the export could not be read, %s included, and %s not compared; %s may be your district's: "+later,
			data.Count(unknown, "row"), data.Agree(unknown, "its district", "their districts"), data.Agree(unknown, "was", "were"),
			data.Agree(unknown, "it", "they"), data.Agree(unknown, "it", "them"))
	}
	return ""
}

// greeting begins every message; it tells the messages an earlier
// comparison wrote from the other files of their folder.
const greeting = "Dear migrant program coordinator of "

func districtLabel(d data.District) string {
	if d.Name == "" {
		return "district " + d.Number
	}
	return d.Number + " " + d.Name
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
// anything a file name should not hold replaced, and not a name Windows
// keeps for a device (a district numbered CON).
func MessageFile(d data.District) string {
	var b strings.Builder
	for _, c := range d.Number {
		if c < 128 && (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_') {
			b.WriteRune(c)
		} else {
			b.WriteByte('_')
		}
	}
	return SafeFileName(b.String() + ".txt")
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
// for each of r.Messaged to dir/<district number>.txt, through the one
// export path (report.Export): the workbook has its audit entry, the
// messages one together. Both hold PII: the files are readable by their
// owner only. It returns the message files written.
func (r *Reconciliation) Export(ctx context.Context, a Auditor, user, path, dir string, meta Meta, clerk string) ([]string, error) {
	files := []File{{Path: path, Perm: 0o600, Write: func(w io.Writer) error { return r.WriteWorkbook(w, meta) },
		Audit: r.exportAudit("MIS2000 reconciliation", len(r.Discrepancies), path)}}
	var written []string
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("cannot make the folder for the messages: %w", err)
		}
		for i, d := range r.Messaged() {
			f := File{Path: filepath.Join(dir, MessageFile(d)), Perm: 0o600,
				Write: func(w io.Writer) error { return crlf(w, r.Message(d, clerk)) }}
			if i == 0 {
				f.Audit = r.exportAudit("MIS2000 reconciliation messages", len(r.Messaged()), dir)
			}
			files = append(files, f)
			written = append(written, f.Path)
		}
	}
	if err := Export(ctx, a, user, files, r.Source.Path); err != nil {
		return nil, err
	}
	if dir != "" {
		if err := removeEarlierMessages(dir, written); err != nil {
			return written, fmt.Errorf("the workbook and the messages are saved, but a message of an earlier comparison is still in %s: %w", dir, err)
		}
	}
	return written, nil
}

// removeEarlierMessages removes from dir the messages that an earlier
// comparison wrote there and this one did not write again: a folder of
// messages is sent as it is, and a message left from before reads as
// current. A file is such a message when it is named as MessageFile names
// one and begins as crlf writes Message; anything else is kept.
func removeEarlierMessages(dir string, written []string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		stem, ok := strings.CutSuffix(e.Name(), ".txt")
		if !ok || !e.Type().IsRegular() || slices.Contains(written, path) || MessageFile(data.District{Number: stem}) != e.Name() {
			continue
		}
		switch earlier, err := isMessage(path); {
		case err != nil:
			errs = append(errs, err)
		case earlier:
			errs = append(errs, os.Remove(path))
		}
	}
	return errors.Join(errs...)
}

// isMessage reports whether the file at path begins as a message file.
func isMessage(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	start := "\ufeff" + greeting
	b := make([]byte, len(start))
	if _, err := io.ReadFull(f, b); err != nil {
		return false, nil
	}
	return string(b) == start, nil
}

// exportAudit is the audit entry of one part of the export: the region
// stands where a report names its district, the as-of day where it names
// its period.
func (r *Reconciliation) exportAudit(name string, rows int, path string) *store.ExportAudit {
	region := r.Region
	if region == "" {
		region = "all regions"
	}
	return exportEntry(name, region, r.AsOf.String(), rows, path)
}
