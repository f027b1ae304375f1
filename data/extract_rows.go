package data

import "slices"

// ExtractSink takes the rows of a state extract table by table, in the
// order each refers only to tables before it: regions, districts,
// schools, students, enrollments, programs, assessments. The importer
// hands rows to one as it reads them, and the store writes them.
type ExtractSink interface {
	Region(Region) error
	District(District) error
	School(School) error
	Student(Student) error
	Enrollment(Enrollment) error
	Program(Program) error
	Assessment(Assessment) error
	// Absent says, at the table's place in the order, that the extract
	// does not carry the optional table (TablePrograms or
	// TableAssessments). A missing file is not an empty one: the rows
	// stored for that table are kept, not replaced with none.
	Absent(table string) error
}

// Put hands every row of ex to sink in table order, stopping at sink's
// first error.
func (ex *Extract) Put(sink ExtractSink) error {
	for _, put := range []func() error{
		each(ex.Regions, sink.Region), each(ex.Districts, sink.District), each(ex.Schools, sink.School),
		each(ex.Students, sink.Student), each(ex.Enrollments, sink.Enrollment),
		ex.absent(TablePrograms, sink), each(ex.Programs, sink.Program),
		ex.absent(TableAssessments, sink), each(ex.Assessments, sink.Assessment),
	} {
		if err := put(); err != nil {
			return err
		}
	}
	return nil
}

func each[T any](rows []T, put func(T) error) func() error {
	return func() error {
		for _, r := range rows {
			if err := put(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// absent tells sink that the extract does not carry table, if it does not.
func (ex *Extract) absent(table string, sink ExtractSink) func() error {
	return func() error {
		if slices.Contains(ex.Without, table) {
			return sink.Absent(table)
		}
		return nil
	}
}

// An Extract is also the sink that keeps every row.

func (ex *Extract) Region(r Region) error {
	ex.Regions = append(ex.Regions, r)
	return nil
}

func (ex *Extract) District(d District) error {
	ex.Districts = append(ex.Districts, d)
	return nil
}

func (ex *Extract) School(s School) error {
	ex.Schools = append(ex.Schools, s)
	return nil
}

func (ex *Extract) Student(s Student) error {
	ex.Students = append(ex.Students, s)
	return nil
}

func (ex *Extract) Enrollment(e Enrollment) error {
	ex.Enrollments = append(ex.Enrollments, e)
	return nil
}

func (ex *Extract) Program(p Program) error {
	ex.Programs = append(ex.Programs, p)
	return nil
}

func (ex *Extract) Assessment(a Assessment) error {
	ex.Assessments = append(ex.Assessments, a)
	return nil
}

func (ex *Extract) Absent(table string) error {
	ex.Without = append(ex.Without, table)
	return nil
}
