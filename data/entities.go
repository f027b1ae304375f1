package data

// Region groups districts. Regions are data: the state has used four and
// once had a fifth.
type Region struct {
	Code, Name string
}

// District is a school district, identified by its number (text: leading
// zeros are kept).
type District struct {
	Number, Name, RegionCode string
}

// School belongs to one district; Classification decides public or not.
type School struct {
	Number, DistrictNumber, Name, Classification string
}

// Public reports whether the school is a public school.
func (s School) Public() bool { return !IsNonPublic(s.Classification) }

// Student is a student's identity and demographics from the state extract.
type Student struct {
	StateID     string
	LocalNumber string
	LastName    string
	FirstName   string
	MiddleName  string
	BirthDate   Date
	Gender      string // F, M or X
	Race        string // state code 1–7
}

// FullName is "Last, First Middle" as lists show it.
func (s Student) FullName() string {
	n := s.LastName + ", " + s.FirstName
	if s.MiddleName != "" {
		n += " " + s.MiddleName
	}
	return n
}

// Extract is a whole state enrollment extract (SPEC §6), as read from a CSV
// folder or an XLSX workbook, or made by the demo generator.
type Extract struct {
	Regions     []Region
	Districts   []District
	Schools     []School
	Students    []Student
	Enrollments []Enrollment
	Programs    []Program
	Assessments []Assessment
	// Without names the optional tables (TablePrograms, TableAssessments)
	// the extract does not carry: the rows stored for them are kept, where
	// an empty table replaces them with none.
	Without []string
}

// The optional tables of an extract: a folder or workbook may leave them
// out (see ExtractSink.Absent).
const (
	TablePrograms    = "programs"
	TableAssessments = "assessments"
)
