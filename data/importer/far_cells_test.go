package importer

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// excelize builds each row it reads as wide as its last value: a value in
// column XFD made two slices of 16,384 strings for every row, and a
// workbook of 500 KB whose 100,000 rows each had one took over three
// minutes to read. A value beyond the columns any table has is refused,
// where it is; a cell there with a format and no value costs nothing and
// is read past.
func TestValueBeyondLastColumnRefused(t *testing.T) {
	const header = `<row r="1"><c r="A1" t="inlineStr"><is><t>state_id</t></is></c><c r="B1" t="inlineStr"><is><t>mis2000_id</t></is></c>` +
		`<c r="C1" t="inlineStr"><is><t>qad</t></is></c><c r="D1" t="inlineStr"><is><t>eed</t></is></c></row>`
	row := func(n int, far string) string {
		return strings.NewReplacer("N", string(rune('0'+n)), "FAR", far).Replace(
			`<row r="N"><c r="AN" t="inlineStr"><is><t>0001234567</t></is></c><c r="BN" t="inlineStr"><is><t>12345</t></is></c>` +
				`<c r="CN" t="inlineStr"><is><t>2024-09-01</t></is></c>FAR</row>`)
	}
	write := func(rows ...string) string {
		path := filepath.Join(t.TempDir(), "records.xlsx")
		hostileWorkbook(t, path, func(w io.Writer) {
			io.WriteString(w, "<sheetData>"+header+strings.Join(rows, "")+"</sheetData>")
		})
		return path
	}

	styled := write(row(2, ""), row(3, `<c r="XFD3" s="1"/>`))
	if rs, err := ReadMigrantRecords(styled); err != nil || len(rs) != 2 {
		t.Errorf("a formatted cell in column XFD: %d rows, %v", len(rs), err)
	}

	for _, c := range []struct{ cell, col string }{
		{`<c r="XFD4"><v>1</v></c>`, "XFD"},
		{`<c r="AMK4" t="inlineStr"><is><t>x</t></is></c>`, "AMK"},
	} {
		_, err := ReadMigrantRecords(write(row(2, ""), row(3, ""), row(4, c.cell)))
		want := "row 4 has a value in column " + c.col + ", beyond the 1024 columns any real table has"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a value in column %s: %v, want %q", c.col, err, want)
		}
	}
}
