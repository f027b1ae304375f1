package data

// MIS2000Row is one student row of an export from MIS2000, the migrant
// program's own system, as the November and February data checks compare
// it with the records (SPEC §5).
type MIS2000Row struct {
	Line      int // where the row is in its file: the CSV line or sheet row
	MIS2000ID string
	LastName  string // "Last Name", or "Last Name 1" and "Last Name 2" joined with a space
	FirstName string
	BirthDate Date
	QAD       Date
	EED       Date   // zero when the export leaves it blank or has no such column
	District  string // district number as the export writes it; "" when blank
	// Optional columns, kept for the person who checks a discrepancy.
	Gender, School, Grade string
}
