package importer

import (
	"strings"
	"testing"
)

// TestReadMIS2000WrongFile: a file that is no MIS2000 export at all (a
// PDF report chosen by mistake, a file of the state extract or of the
// bulk migrant records, an empty file) is refused with one sentence that
// says what the file is and what to choose instead, not with a list of
// the five columns its "header" lacks.
func TestReadMIS2000WrongFile(t *testing.T) {
	for _, c := range []struct{ name, content, want string }{
		{"QA report.pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
			"QA report.pdf is a PDF document, not an MIS2000 export; choose the export saved from MIS2000 as CSV or as an Excel workbook (.xlsx)"},
		{"students.csv", "state_id,local_student_number,last_name,first_name,middle_name,birth_date,gender,race_ethnicity\n0123456789,1,Díaz,Carla,,2012-05-05,F,1\n",
			"students.csv line 1: the header is that of the students of the state enrollment extract (students.csv), not of an MIS2000 export; choose the export saved from MIS2000"},
		{"enroll.csv", "enrollment_id,state_id,school_number,grade,service_type,start_date,end_date\n1,0123456789,001010,07,P,2025-08-01,\n",
			"enroll.csv line 1: the header is that of the enrollments of the state enrollment extract (enrollments.csv), not of an MIS2000 export"},
		{"records.csv", "state_id,mis2000_id,qad,eed\n0123456789,01234567,2025-09-01,\n",
			"records.csv line 1: the header is that of migrant records to load in bulk (migrant_records.csv), not of an MIS2000 export"},
		{"empty.csv", "", "empty.csv is empty; export the students from MIS2000 again"},
	} {
		_, err := ReadMIS2000(writeTemp(t, c.name, c.content))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v\nwant it to say: %s", c.name, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "the header has no") {
			t.Errorf("%s: lists missing columns beside saying what the file is: %v", c.name, err)
		}
	}
}
