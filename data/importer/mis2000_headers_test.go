package importer

import (
	"slices"
	"strings"
	"testing"
)

// TestReadMIS2000HeadersAsPeopleWriteThem: headers as the app labels
// its fields, as SPEC §5 names the columns ("end-of-eligibility date"),
// as forms write a birth date, and with the format a template puts after
// a name, are the columns they name: no EED is dropped as an unknown
// column, no file refused for a birth date it has. MIS2000 reports and
// clerks shorten them ("End of Elig.", "Dist #", "Sex"): a district or
// EED column not known would leave its discrepancies unchecked.
func TestReadMIS2000HeadersAsPeopleWriteThem(t *testing.T) {
	for _, header := range []string{
		"MIS2000 ID,Last Name,First Name,Date of Birth,Last Qualifying Arrival Date (QAD),Eligibility Expiration Date (EED),District",
		"MIS2000 ID,Last Name,First Name,Birth Date (MM/DD/YYYY),QAD (MM/DD/YYYY),End-of-Eligibility Date,District Number",
		"MIS2000 ID,Last Name,First Name,DOB,QAD,End of Eligibility Date (EED),District",
		"MIS2000 #,LAST NAME 1,First Name,Birth Date,QAD,End of Elig.,Dist #,Sex,School Name,Grade Level",
		"MIS2000 ID,Last Name,First Name,Birth Date,Qual. Arrival Date,EOE,Dist. No.,Gender,School,Grade",
		"MIS2000 ID,Last Name,First Name,Birth Date,QAD,Elig. End Date,District No.,Gender,School,Grade",
	} {
		row := "01234567,García López,María José,05/05/2012,09/01/2025,08/31/2028,001"
		if strings.Count(header, ",") > 6 {
			row += ",F,Adair Elementary,07"
		}
		x, err := ReadMIS2000(writeTemp(t, "export.csv", header+"\n"+row+"\n"))
		if err != nil {
			t.Errorf("%s: %v", header, err)
			continue
		}
		if len(x.Rows) != 1 || x.Rows[0].EED.String() != "2028-08-31" || x.Rows[0].BirthDate.String() != "2012-05-05" ||
			x.Rows[0].QAD.String() != "2025-09-01" || x.Rows[0].District != "001" || len(x.Absent) > 0 || len(x.Unknown) > 0 ||
			strings.Count(header, ",") > 6 && (x.Rows[0].Gender != "F" || x.Rows[0].School != "Adair Elementary" || x.Rows[0].Grade != "07") {
			t.Errorf("%s:\nrows %+v, absent %q, unknown %q", header, x.Rows, x.Absent, x.Unknown)
		}
	}
	// A parenthesis that names another column than the words before it
	// names none: the header is not guessed.
	x, err := ReadMIS2000(writeTemp(t, "export.csv",
		"MIS2000 ID,Last Name,First Name,DOB,QAD,EED (QAD),District\n01234567,Díaz,Carla,05/05/2012,09/01/2025,08/31/2028,001\n"))
	if err != nil || !slices.Equal(x.Unknown, []string{"EED (QAD)"}) || !slices.Equal(x.Absent, []string{"EED"}) {
		t.Errorf("EED (QAD): %v, %+v", err, x)
	}
}

// TestReadMIS2000ColumnAndItsLooserSpelling: an export with an optional
// column under its own name and under a looser spelling (School and
// School Name, District and Dist) reads it from its own name, and lists
// the other as not used, in either order; it was refused as a column
// named twice. Two spellings of a required column are still refused:
// Last Name beside Last Name 1 may be the whole name beside its part.
func TestReadMIS2000ColumnAndItsLooserSpelling(t *testing.T) {
	for _, header := range []string{
		"MIS2000 ID,Last Name,First Name,Birth Date,QAD,EED,District,School Name,School",
		"MIS2000 ID,Last Name,First Name,Birth Date,QAD,EED,District,School,School Name",
	} {
		row := "01234567,García López,María José,05/05/2012,09/01/2025,08/31/2028,001,"
		if strings.HasSuffix(header, "School Name") {
			row += "12345,Adair Elementary"
		} else {
			row += "Adair Elementary,12345"
		}
		x, err := ReadMIS2000(writeTemp(t, "export.csv", header+"\n"+row+"\n"))
		if err != nil {
			t.Errorf("%s: %v", header, err)
			continue
		}
		if len(x.Rows) != 1 || x.Rows[0].School != "12345" || !slices.Equal(x.Unknown, []string{"School Name"}) {
			t.Errorf("%s:\nrows %+v, not used %q", header, x.Rows, x.Unknown)
		}
	}
	_, err := ReadMIS2000(writeTemp(t, "export.csv",
		"MIS2000 ID,Last Name,Last Name 1,Last Name 2,First Name,Birth Date,QAD\n01234567,García López,García,López,María,05/05/2012,09/01/2025\n"))
	if err == nil || !strings.Contains(err.Error(), "the header has this column twice") {
		t.Errorf("Last Name beside Last Name 1: %v", err)
	}
}
