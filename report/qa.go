// Package report makes the QA Migrant report of SPEC §3 for one district and
// one reporting period: the model (rows and unduplicated counts, read from
// the local database), the Detail workbook (.xlsx, with PII) and the
// Aggregated counts (.pdf, no PII). The CLI and the GUI both use it, so the
// two always agree; writing the audit row of an export is the caller's job.
package report

import (
	"context"
	"fmt"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// Exclusions is the note both reports carry about who is left out.
const Exclusions = "This report never includes migrant out-of-school youth (OSY), preschool students " +
	"(grades PS, 97, 98, 99), students in grade 14 (post-secondary and adult), or K–12 students " +
	"enrolled in a private (non-public) school."

// Inclusion says who is in the report, in the words of SPEC §6.
const Inclusion = "A row is an enrollment at a public school of the district, in grade K or 01–12, " +
	"that overlaps the reporting period, of a student with a migrant record published to the " +
	"district that is active in the period (QAD on or before its end, EED on or after its start). " +
	"Where a student has several such records, the one with the latest QAD fills the row."

// Row is one qualifying enrollment: one line of the Detail workbook.
type Row = store.QARow

// Meta says when and by whom a report file was made.
type Meta struct {
	GeneratedAt time.Time
	GeneratedBy string
}

// QA is the QA Migrant report of one district for one period.
type QA struct {
	District data.District
	Period   data.Period
	Rows     []Row // sorted by last name, first name, state ID, enrollment start
	Counts   Counts
	// Since is the previous export of the Detail workbook of the district
	// by whoever makes this one; zero when there is none, and every row is
	// new.
	Since data.WorkSince
}

// Build reads the report from the database for user, whose previous
// Detail export of the district (in the audit log) decides the New since
// column. It fails on an invalid period or an unknown district (wrapping
// store.ErrUnknownDistrict), for a user who may not run the district's
// report (matching data.ErrAccess, saying whom to ask), and stops when
// ctx is cancelled.
func Build(ctx context.Context, st *store.Store, user data.User, district string, p data.Period) (*QA, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	d, rows, err := st.QARows(ctx, district, p)
	if err != nil {
		return nil, err
	}
	// Asked here, as the rows are read, whoever builds the report: a
	// grant revoked since a screen showed the exports (a sync while the
	// save dialog was open) must keep the PII from being written.
	access, err := st.CanRunReport(ctx, user, d)
	if err != nil {
		return nil, err
	}
	if !access.Allowed {
		return nil, refusal(access.Why)
	}
	q := New(d, p, rows)
	at, ok, err := st.PreviousExport(ctx, user, district, DetailKind.Name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return q, nil
	}
	if q.Since, err = data.LookedAt(at); err != nil {
		return nil, fmt.Errorf("the previous export of district %s: %w", district, err)
	}
	return q, nil
}

// NewSince reports whether a row is new since the previous export
// (data.NewSince).
func (q *QA) NewSince(r *Row) bool {
	return data.NewSince(r.Enrollment.Start, r.PublishedAt, q.Since)
}

// New makes the report from rows already selected by the rules of SPEC §6,
// in report order; Build is the usual way in.
func New(d data.District, p data.Period, rows []Row) *QA {
	return &QA{District: d, Period: p, Rows: rows, Counts: count(rows)}
}

// DistrictLabel is "001 Valle Verde", as the report headers show it.
func (q *QA) DistrictLabel() string {
	if q.District.Name == "" {
		return q.District.Number
	}
	return q.District.Number + " " + q.District.Name
}

// GeneratedText is how both files print the generation time and user.
func (m Meta) GeneratedText() string {
	s := m.GeneratedAt.Format("01/02/2006 3:04 PM MST")
	if m.GeneratedBy != "" {
		s += " by " + m.GeneratedBy
	}
	return s
}

// refusal is the sentence data.ReportRefusal gives a user who may not
// run a district's report.
type refusal string

func (r refusal) Error() string { return string(r) }

func (refusal) Is(target error) bool { return target == data.ErrAccess }
