//go:build linux

package importer

import (
	"archive/zip"
	"compress/flate"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A workbook whose shared strings part is a run of empty items, <si/>,
// five bytes each: it compresses to a few hundred kilobytes and is within
// every declared bound (maxSharedStrings, maxUnzipped), and one cell of
// the sheet refers to it. Reading that cell makes excelize index every
// item of the part (two uints and a slice header each).
func sstBomb(t *testing.T, p string, sstBytes int) {
	writeStream(t, p, func(out io.Writer) {
		z := zip.NewWriter(out)
		z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestCompression)
		})
		part := func(name, content string) io.Writer {
			w, err := z.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, content)
			return w
		}
		part("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`+
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`+
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)
		part("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
		part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" `+
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="regions" sheetId="1" r:id="rId1"/></sheets></workbook>`)
		part("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`+
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)
		part("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+
			`<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`)
		w := part("xl/sharedStrings.xml", `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		pad(w, ' ', 0)
		item := []byte("<si/>")
		buf := make([]byte, 0, 64<<10)
		for len(buf)+len(item) <= cap(buf) {
			buf = append(buf, item...)
		}
		for n := 0; n+len(buf) <= sstBytes; n += len(buf) {
			w.Write(buf)
		}
		io.WriteString(w, `</sst>`)
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestSharedStringsBombIsBounded: a 300 KB workbook within the bound on
// the shared strings part's bytes is refused for its number of strings,
// under the hostile suite's peak memory (1 GB) and its two minutes.
func TestSharedStringsBombIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("a big input")
	}
	mb := 50
	if s := os.Getenv("SST_MB"); s != "" {
		mb, _ = strconv.Atoi(s)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "export.xlsx")
	sstBomb(t, path, mb<<20)
	if fi, err := os.Stat(path); err == nil {
		t.Logf("workbook on disk: %d KB, shared strings %d MB unpacked", fi.Size()>>10, mb)
	}
	for _, reader := range []string{"mis2000", "records", "extract"} {
		answer, peak := readInChild(t, reader, path)
		t.Logf("%s: peak %d MB: %s", reader, peak>>20, answer)
		if peak > maxPeak {
			t.Errorf("%s: peak memory %d MB, more than %d MB", reader, peak>>20, maxPeak>>20)
		}
		if !strings.Contains(answer, "shared strings part holds more than 4000000 strings") {
			t.Errorf("%s: %s", reader, answer)
		}
	}
}
