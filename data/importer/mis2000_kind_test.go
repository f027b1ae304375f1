package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestReadMIS2000ByContent: a workbook is read as one whatever its name
// ends in (a browser or a colleague may have named it .csv), and a
// workbook protected with a password, which Excel opens, is refused with
// a message saying so, not as a file Excel cannot open, nor as a CSV file
// with a stray quote.
func TestReadMIS2000ByContent(t *testing.T) {
	rows := [][]any{
		{"MIS2000 ID", "Last Name", "First Name", "Birth Date", "QAD"},
		{"01234567", "García López", "María José", "05/05/2012", "09/01/2025"},
	}
	book := writeSheets(t, "export.xlsx", []string{"Students"}, map[string][][]any{"Students": rows})
	b, err := os.ReadFile(book)
	if err != nil {
		t.Fatal(err)
	}
	named := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(named, b, 0o600); err != nil {
		t.Fatal(err)
	}
	x, err := ReadMIS2000(named)
	if err != nil || len(x.Rows) != 1 || x.Sheet != "Students" || x.Rows[0].LastName != "García López" {
		t.Errorf("a workbook named .csv: %+v, %v", x, err)
	}

	f, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	locked := filepath.Join(t.TempDir(), "locked.xlsx")
	if err := f.SaveAs(locked, excelize.Options{Password: "secret"}); err != nil {
		t.Fatal(err)
	}
	if b, err = os.ReadFile(locked); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"locked.xlsx", "locked.csv"} {
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadMIS2000(path)
		if err == nil || !strings.Contains(err.Error(), name+" is protected with a password, or in the old Excel format (.xls); open it in Excel and save it as .xlsx without a password, or as CSV") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
