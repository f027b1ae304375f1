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
// "QA Migrant detail 001 2025-08-01 to 2026-06-30.xlsx", one Windows
// takes whatever the district's number holds.
func (k Kind) FileName(d data.District, p data.Period) string {
	return SafeFileName(fmt.Sprintf("%s %s %s to %s%s", k.Name, d.Number, p.From, p.To, k.Ext))
}

// PeriodKey is how the audit log writes a period: "2025-08-01/2026-06-30".
func PeriodKey(p data.Period) string { return p.From.String() + "/" + p.To.String() }

// Auditor records that a file holding data left the program. Path is
// its database file, which no export may overwrite.
type Auditor interface {
	AuditExport(ctx context.Context, user string, e store.ExportAudit) error
	Path() string
}

// File is one file of an export: where it goes, who may read it, how to
// write it, and its entry in the audit log. A file another file's entry
// covers (the messages of one reconciliation) has no entry of its own.
type File struct {
	Path  string
	Perm  os.FileMode
	Write func(io.Writer) error
	Audit *store.ExportAudit
}

// Export is the one way a file holding data leaves the program, for the
// app, the command line and reconciliation alike:
//   - an output that is the database (or its WAL), another output of the
//     same export, or one of inputs is refused before anything is written;
//   - each entry is audited as started before the first byte is written;
//   - every file is written beside its destination, and only when all are
//     complete do they take their names; the entries are then audited as
//     completed.
//
// A failure or a cancelled ctx leaves no partial file. Those of an export
// killed outright are removed by the next export to the same folder, by
// RemoveStale at the app's next start and by the next report.
func Export(ctx context.Context, a Auditor, user string, files []File, inputs ...string) error {
	if err := checkOutputs(a.Path(), files, inputs); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	audit := func(stage string) error {
		for _, f := range files {
			if f.Audit == nil {
				continue
			}
			e := *f.Audit
			e.Stage = stage
			if err := a.AuditExport(ctx, user, e); err != nil {
				return err
			}
		}
		return nil
	}
	if err := audit(store.ExportStarted); err != nil {
		return fmt.Errorf("the export could not be written to the audit log, so no file was saved: %w", err)
	}
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
		if outs[i], err = Create(f.Path, f.Perm); err != nil {
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
	for _, o := range outs {
		if err := o.Commit(); err != nil {
			return err
		}
	}
	if err := audit(store.ExportCompleted); err != nil {
		return fmt.Errorf("the files are saved, but the audit log could not record that the export completed: %w", err)
	}
	return nil
}

// CheckOutputs refuses paths as the outputs of a command for the reasons
// Export refuses them, so that a command can say so before the work of
// making them: one is the database db (or one of its journal files, or
// the files Migrant Desk marks it in use by) or one of inputs, two are
// one file, or one cannot be written where it is named.
func CheckOutputs(db string, paths []string, inputs ...string) error {
	files := make([]File, len(paths))
	for i, p := range paths {
		files[i].Path = p
	}
	return checkOutputs(db, files, inputs)
}

// checkOutputs refuses outputs that would destroy data: the database, its
// journal files and the marks of the app that has it open or waits for
// it, an input of the command, or another output of the same export; and
// a path no file can be written at (checkPlace).
func checkOutputs(db string, files []File, inputs []string) error {
	protected := map[string]string{}
	for _, p := range []string{db, db + "-wal", db + "-shm", db + "-journal", db + "-lock", db + "-wanted"} {
		protected[p] = "the database"
	}
	for _, in := range inputs {
		protected[in] = "an input of this command"
	}
	var seen []string
	for _, f := range files {
		if err := checkPlace(f.Path); err != nil {
			return err
		}
		for p, what := range protected {
			if p != "" && samePath(f.Path, p) {
				return fmt.Errorf("cannot write %s: it is %s; choose another file name", f.Path, what)
			}
		}
		for _, o := range seen {
			if samePath(f.Path, o) {
				return fmt.Errorf("cannot write %s twice in one export; give each file its own name", f.Path)
			}
		}
		seen = append(seen, f.Path)
	}
	return nil
}

// samePath reports whether two paths name one file: the same file on
// disk (through links too) or, for files not made yet, the same clean
// absolute path.
func samePath(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(ia, ib)
	}
	absA, err1 := filepath.Abs(a)
	absB, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && sameName(absA, absB)
}

// exportEntry is an audit entry naming the file by its absolute path.
func exportEntry(report, district, period string, rows int, path string) *store.ExportAudit {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return &store.ExportAudit{Report: report, District: district, Period: period, Rows: rows, File: path}
}

// DetailEncryption is how a Detail workbook with a password is encrypted
// (by package agile: the Excel library writes only the weaker Standard
// encryption). The audit log records it.
const DetailEncryption = "ECMA-376 Agile (AES-256, SHA-512, 100,000 spins)"

// DetailFile is the Detail workbook of q as a File of an export.
func (q *QA) DetailFile(path string, meta Meta, password string) File {
	entry := exportEntry(DetailKind.Name, q.District.Number, PeriodKey(q.Period), len(q.Rows), path)
	if password != "" {
		entry.Encrypted, entry.Encryption = true, DetailEncryption
	}
	return File{Path: path, Perm: DetailKind.Perm(),
		Write: func(w io.Writer) error { return q.WriteDetail(w, meta, password) },
		Audit: entry}
}

// AggregatedFile is the Aggregated PDF of q as a File of an export.
func (q *QA) AggregatedFile(path string, meta Meta) File {
	return File{Path: path, Perm: AggregatedKind.Perm(),
		Write: func(w io.Writer) error { return q.WriteAggregated(w, meta) },
		Audit: exportEntry(AggregatedKind.Name, q.District.Number, PeriodKey(q.Period), q.Counts.Total, path)}
}
