package report

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// Kind is one of the files a report can be exported as. The app, the
// command line and reconciliation name their files, audit them and set
// their permissions from these, so the three never disagree.
type Kind struct {
	Name     string // as the audit log and the offered file name say it
	Title    string // as buttons and messages say it
	FileType string // for a save dialog's filter
	Ext      string
	PII      bool // owner-only file (0600) when true
}

// The QA Migrant report's two exports.
var (
	DetailKind     = Kind{Name: "QA Migrant detail", Title: "Detail report (Excel)", FileType: "Excel workbook", Ext: ".xlsx", PII: true}
	AggregatedKind = Kind{Name: "QA Migrant aggregated", Title: "Aggregated report (PDF)", FileType: "PDF document", Ext: ".pdf"}
)

// Perm is the file mode an export of k gets: owner only when it holds PII.
func (k Kind) Perm() os.FileMode {
	if k.PII {
		return 0o600
	}
	return 0o644
}

// FileName is the name an export is offered under, such as
// "QA Migrant detail 001 2025-08-01 to 2026-06-30.xlsx".
func (k Kind) FileName(d data.District, p data.Period) string {
	return fmt.Sprintf("%s %s %s to %s%s", k.Name, d.Number, p.From, p.To, k.Ext)
}

// PeriodKey is how the audit log writes a period: "2025-08-01/2026-06-30".
func PeriodKey(p data.Period) string { return p.From.String() + "/" + p.To.String() }

// Auditor records that a file holding data left the program.
type Auditor interface {
	AuditExport(ctx context.Context, user string, e store.ExportAudit) error
}

// File is one file of an export: what to write, where, and how much of
// the data it holds (rows for the audit log).
type File struct {
	Kind     Kind
	Path     string
	District string
	Period   data.Period
	Rows     int
	Write    func(io.Writer) error
}

// Export writes every file beside its destination first; only when all
// are complete and each is in the audit log do they take their names. A
// failure or a cancelled ctx leaves no partial file and no unlogged one.
// All are opened before any is written, so a bad path fails at once.
func Export(ctx context.Context, a Auditor, user string, files []File) error {
	outs := make([]*Output, len(files))
	defer func() {
		for _, o := range outs {
			if o != nil {
				o.Abort()
			}
		}
	}()
	for i, f := range files {
		var err error
		if outs[i], err = Create(f.Path, f.Kind.Perm()); err != nil {
			return err
		}
	}
	for i, f := range files {
		if err := f.Write(outs[i]); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	for _, f := range files {
		path := f.Path
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		err := a.AuditExport(ctx, user, store.ExportAudit{Report: f.Kind.Name, District: f.District,
			Period: PeriodKey(f.Period), Rows: f.Rows, File: path})
		if err != nil {
			return fmt.Errorf("the export could not be written to the audit log, so no file was saved: %w", err)
		}
	}
	for _, o := range outs {
		if err := o.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// DetailFile is the Detail workbook of q as a File of an export.
func (q *QA) DetailFile(path string, meta Meta, password string) File {
	return File{Kind: DetailKind, Path: path, District: q.District.Number, Period: q.Period, Rows: len(q.Rows),
		Write: func(w io.Writer) error { return q.WriteDetail(w, meta, password) }}
}

// AggregatedFile is the Aggregated PDF of q as a File of an export.
func (q *QA) AggregatedFile(path string, meta Meta) File {
	return File{Kind: AggregatedKind, Path: path, District: q.District.Number, Period: q.Period, Rows: q.Counts.Total,
		Write: func(w io.Writer) error { return q.WriteAggregated(w, meta) }}
}
