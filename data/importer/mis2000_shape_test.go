package importer

import (
	"slices"
	"testing"
)

// TestReadMIS2000MisshapenRowKeepsItsID: a line with a field too many (a
// name with an unquoted comma) or too few (cut short) is not compared,
// but the valid MIS2000 ID where its ID column starts is the student's,
// who is in the export: like any row not read, it is in Unread, so
// that no district is told there is no row with that ID.
func TestReadMIS2000MisshapenRowKeepsItsID(t *testing.T) {
	x, err := ReadMIS2000(writeTemp(t, "export.csv", "MIS2000 ID,Last Name,First Name,Birth Date,QAD,EED,District\n"+
		"11111111,Torres,Ana,03/04/2012,09/01/2024,08/31/2027,001\n"+
		"88888888,Castro, Jr.,Felipe,12/12/2009,02/01/2025,01/31/2028,001\n"+
		"99999999,Flores\n"+
		"Vega,Hugo\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Rows) != 1 || x.Skipped.Len() != 3 {
		t.Errorf("rows %+v, skipped %v", x.Rows, x.Skipped.Error())
	}
	if got, want := unreadRows(x), []string{"3 88888888 ", "4 99999999 ", "5  "}; !slices.Equal(got, want) {
		t.Errorf("rows not read %q, want %q", got, want)
	}
}
