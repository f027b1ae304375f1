package report

import "migrantdesk/data"

// DetailColumns are the Detail report's headers, in the order of SPEC §3.
var DetailColumns = [NumDetailColumns]string{
	"State ID", "Local Student Number", "Last Name", "First Name", "Middle Name", "Birth Date",
	"Gender", "Race/Ethnicity", "Grade", "School Number", "School Name", "Enrollment Type (P/S/N)",
	"Enrollment Start Date", "Withdrawal Date (blank while enrolled)", "MIS2000 ID", "Last Qualifying Arrival Date",
	"Eligibility Expiration Date", "Economically Disadvantaged (Yes/No)", "Homeless (Yes/No)", "English Learner (Yes/No)",
	"Disability (Yes/No)", "Math Level", "Reading Level",
}

// NumDetailColumns is how many columns the Detail report has.
const NumDetailColumns = 23

// NewSinceColumn is the workbook's column after the report's own, for the
// coordinator who exports it: Yes for a row newer than their previous
// export of the district (data.NewSince).
const NewSinceColumn = "New since"

// NumWorkbookColumns is how many columns the Detail workbook has: the
// report's, then New since.
const NumWorkbookColumns = NumDetailColumns + 1

// ColEconomicallyDisadvantaged is the index in DetailColumns of the column
// whose "No" is a data-quality issue.
const ColEconomicallyDisadvantaged = 17

// CellKind says how a Detail cell is written: as text, as a date (a real
// date in Excel), or as Yes/No.
type CellKind uint8

const (
	KindText CellKind = iota
	KindDate
	KindYesNo
)

// Cell is one Detail value.
type Cell struct {
	Kind CellKind
	Text string    // KindText
	Date data.Date // KindDate; zero is a blank cell
	Yes  bool      // KindYesNo
}

// String is the cell as a person reads it: dates as MM/DD/YYYY.
func (c Cell) String() string {
	switch c.Kind {
	case KindDate:
		return c.Date.US()
	case KindYesNo:
		return yesNo(c.Yes)
	}
	return c.Text
}

// Highlighted reports whether the cell is an Economically Disadvantaged "No".
func Highlighted(col int, c Cell) bool {
	return col == ColEconomicallyDisadvantaged && !c.Yes
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// DetailCells returns a row's cells in DetailColumns order.
func DetailCells(r *Row) [NumDetailColumns]Cell {
	text := func(s string) Cell { return Cell{Kind: KindText, Text: s} }
	date := func(d data.Date) Cell { return Cell{Kind: KindDate, Date: d} }
	flag := func(b bool) Cell { return Cell{Kind: KindYesNo, Yes: b} }
	race := data.RaceName(r.Student.Race)
	if race == "" {
		race = r.Student.Race
	}
	return [NumDetailColumns]Cell{
		text(r.Student.StateID), text(r.Student.LocalNumber), text(r.Student.LastName),
		text(r.Student.FirstName), text(r.Student.MiddleName), date(r.Student.BirthDate),
		text(r.Student.Gender), text(race), text(r.Enrollment.Grade), text(r.Enrollment.SchoolNumber),
		text(r.SchoolName), text(r.Enrollment.ServiceType), date(r.Enrollment.Start), date(r.Enrollment.End),
		text(r.Record.MIS2000ID), date(r.Record.QAD), date(r.Record.EED),
		flag(r.EconomicallyDisadvantaged), flag(r.Homeless), flag(r.EnglishLearner), flag(r.Disability),
		text(r.MathLevel), text(r.ReadingLevel),
	}
}
