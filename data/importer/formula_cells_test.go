package importer

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"
)

// setCells replaces cells of a sheet of the workbook at path with cells
// written as XML, as programs other than excelize write them: a formula
// with the result saved beside it or not, an Excel error.
func setCells(t *testing.T, path, sheet string, cells map[string]string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if parts[f.Name], err = io.ReadAll(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	id := regexp.MustCompile(`<sheet name="` + sheet + `" sheetId="\d+" r:id="(\w+)"`).FindSubmatch(parts["xl/workbook.xml"])
	if id == nil {
		t.Fatalf("no sheet %s in %s", sheet, parts["xl/workbook.xml"])
	}
	target := regexp.MustCompile(`Id="` + string(id[1]) + `" Target="/?(?:xl/)?([^"]+)"|Target="/?(?:xl/)?([^"]+)"[^>]*Id="` + string(id[1]) + `"`).
		FindSubmatch(parts["xl/_rels/workbook.xml.rels"])
	if target == nil {
		t.Fatalf("no part for %s in %s", id[1], parts["xl/_rels/workbook.xml.rels"])
	}
	part := "xl/" + string(target[1]) + string(target[2])
	for ref, cell := range cells {
		re := regexp.MustCompile(`<c r="` + ref + `"(?:[^>]*/>|[^>]*>.*?</c>)`)
		if !re.Match(parts[part]) {
			t.Fatalf("no cell %s in %s", ref, part)
		}
		parts[part] = re.ReplaceAllLiteral(parts[part], []byte(cell))
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(parts[f.Name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestFormulaCells: a formula whose result is saved in the workbook is
// read as its result, an empty text result as a blank; a cell that shows
// an Excel error (#N/A from a lookup that found nothing) and a formula
// whose result the file does not hold (a program wrote the formula and
// never worked it out, and excelize reads such a cell as blank) are
// refused, with the sheet, row and column, rather than imported as a
// student named "#N/A" or an enrollment with no end.
func TestFormulaCells(t *testing.T) {
	path := filepath.Join(t.TempDir(), "extract.xlsx")
	workbookFromCSV(t, "testdata/good", path, false)
	// Rows 1 and 2 are the header and the blank row.
	setCells(t, path, "Students", map[string]string{
		"C3": `<c r="C3" t="str"><f>"Núñez"</f><v>Núñez</v></c>`,
		"E4": `<c r="E4" t="str"><f>""</f><v></v></c>`,
	})
	setCells(t, path, "Enrollments", map[string]string{"G4": `<c r="G4"><f>DATE(2025,1,31)</f><v>45688</v></c>`})
	ex, err := ReadExtract(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*ex, goodExtract) {
		t.Errorf("formulas with their results saved read as\n%+v\nwant\n%+v", *ex, goodExtract)
	}

	setCells(t, path, "Students", map[string]string{"E3": `<c r="E3" t="e"><f>VLOOKUP(A3,Ids!A:B,2,FALSE)</f><v>#N/A</v></c>`})
	setCells(t, path, "Enrollments", map[string]string{"G4": `<c r="G4"><f>DATE(2025,1,31)</f><v></v></c>`})
	export := writeSheets(t, "export.xlsx", []string{"Students"}, map[string][][]any{"Students": {
		{"MIS2000 ID", "Last name", "First name", "Birth date", "QAD", "EED", "District"},
		{"01234567", "García", "María", time.Date(2012, 5, 5, 0, 0, 0, 0, time.UTC), "09/01/2025", "2028-08-31", "001"},
	}})
	setCells(t, export, "Students", map[string]string{
		"C2": `<c r="C2" t="e"><f>VLOOKUP(A2,Names!A:B,2,FALSE)</f><v>#N/A</v></c>`,
		"F2": `<c r="F2"><f>EDATE(E2,36)-1</f></c>`,
	})
	const na = "the cell shows the Excel error #N/A, not a value; correct its formula or type the value, and save the workbook again"
	const unsaved = "the cell holds a formula whose result is not saved in the file (the program that wrote it did not work it out); " +
		"open the workbook in Excel, save it, and try again"
	for _, c := range []struct {
		read func() error
		want []string
	}{
		{func() error { _, err := ReadExtract(path); return err }, []string{
			"extract.xlsx, sheet Students, row 3, column middle_name: " + na,
			"extract.xlsx, sheet Enrollments, row 4, column end_date: " + unsaved,
		}},
		{func() error { _, err := ReadMIS2000(export); return err }, []string{
			"export.xlsx, sheet Students, row 2, column First Name: " + na,
			"export.xlsx, sheet Students, row 2, column EED: " + unsaved,
		}},
	} {
		err := c.read()
		got := problems(t, err)
		if len(got) != len(c.want) {
			t.Fatalf("got %v", err)
		}
		for i := range c.want {
			if got[i].String() != c.want[i] {
				t.Errorf("got  %s\nwant %s", got[i], c.want[i])
			}
		}
	}
}
