package importer

import "testing"

// TestReadMIS2000DatesAtMidnight: an export written by a program that
// keeps dates as date-times gives each one with midnight after it
// ("2/10/2013 12:00:00 AM", "2013-02-10 00:00:00.000"), on every row:
// refused, the whole export was. Midnight is the date itself; any other
// time of day is still refused, as it may be a day off.
func TestReadMIS2000DatesAtMidnight(t *testing.T) {
	const header = "MIS2000 ID,Last Name,First Name,Birth Date,QAD,EED\n"
	for _, birth := range []string{"2/10/2013 12:00:00 AM", "02/10/2013 12:00 AM", "2/10/2013 0:00", "2/10/2013 00:00:00",
		"2013-02-10 00:00:00.000", "2013-02-10T00:00:00", "2013-02-10T00:00:00Z"} {
		x, err := ReadMIS2000(writeTemp(t, "export.csv", header+"01234567,Díaz,Carla,"+birth+",09/01/2025 12:00:00 AM,\n"))
		if err != nil {
			t.Errorf("%s: %v", birth, err)
			continue
		}
		if r := x.Rows[0]; r.BirthDate.String() != "2013-02-10" || r.QAD.String() != "2025-09-01" || !r.EED.IsZero() {
			t.Errorf("%s: read as %+v", birth, r)
		}
	}
	for _, birth := range []string{"2/10/2013 1:00:00 PM", "2/10/2013 12:00:00 PM", "2013-02-10 00:00:01", "2/10/2013 midnight", "2/10/13 12:00:00 AM"} {
		x, err := ReadMIS2000(writeTemp(t, "export.csv", header+
			"01234567,Díaz,Carla,"+birth+",09/01/2025,\n76543210,Ruiz,Ana,05/05/2012,09/01/2025,\n"))
		if err != nil || len(x.Rows) != 1 || x.Skipped.Len() != 1 {
			t.Errorf("%s: the row is not refused: %v, %+v", birth, err, x)
		}
	}
}
