//go:build linux

package importer

import (
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
	minimalWorkbook(t, p, "http://schemas.openxmlformats.org/officeDocument/2006/relationships", func(w io.Writer) {
		io.WriteString(w, `<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>`)
	}, func(w io.Writer) {
		pad(w, ' ', 0)
		item := []byte("<si/>")
		buf := make([]byte, 0, 64<<10)
		for len(buf)+len(item) <= cap(buf) {
			buf = append(buf, item...)
		}
		for n := 0; n+len(buf) <= sstBytes; n += len(buf) {
			w.Write(buf)
		}
	})
}

// TestSharedStringsBombIsBounded: a workbook of a few hundred KB within the bound on
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
