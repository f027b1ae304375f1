//go:build linux

package importer

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The hostile-file suite: each input is made at test time (nothing large
// is committed) and given to every reader in a child process, whose peak
// memory (the kernel's high-water mark of its resident set) must stay
// under maxPeak and whose answer must be a refusal that says why.
const maxPeak = 1 << 30

// readers are the entry points that read a file from outside, by the
// name a child process knows them by.
var readers = map[string]func(path string) error{
	"extract": func(path string) error { _, err := ReadExtract(path); return err },
	"records": func(path string) error { _, err := ReadMigrantRecords(path); return err },
	"mis2000": func(path string) error { _, err := ReadMIS2000(path); return err },
}

// TestHostileChild is the child process's side: it reads the file it is
// given and prints the answer on one line.
func TestHostileChild(t *testing.T) {
	reader, path := os.Getenv("HOSTILE_READER"), os.Getenv("HOSTILE_PATH")
	if reader == "" {
		t.Skip("run by TestHostileFiles")
	}
	err := readers[reader](path)
	fmt.Printf("ANSWER: %s\n", strings.Join(strings.Fields(fmt.Sprint(err)), " "))
}

// hostileCase is one input; make writes it at path (a folder for the
// extract when folder is set) and want is part of the refusal.
type hostileCase struct {
	name   string
	file   string // the file's name; extract folders hold it as students.csv
	make   func(t *testing.T, path string)
	want   string
	slow   bool // skipped with -short
	folder bool // for the extract, put the file in a folder of an otherwise good extract
}

func TestHostileFiles(t *testing.T) {
	cases := []hostileCase{
		{name: "symlink to /dev/zero", file: "students.csv", folder: true, want: "is a device, not a file",
			make: func(t *testing.T, p string) { symlink(t, "/dev/zero", p) }},
		{name: "workbook symlink to /dev/zero", file: "export.xlsx", want: "is a device, not a file",
			make: func(t *testing.T, p string) { symlink(t, "/dev/zero", p) }},
		{name: "named pipe", file: "students.csv", folder: true, want: "is a named pipe, not a file",
			make: func(t *testing.T, p string) {
				if err := syscall.Mkfifo(p, 0o600); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "folder", file: "students.csv", folder: true, want: "is a folder, not a file",
			make: func(t *testing.T, p string) { os.Mkdir(p, 0o700) }},
		// An MIS2000 export is refused by its size first.
		{name: "100 MB name", file: "students.csv", folder: true, want: "longer than 1024 KB|at most 64 MB", slow: true,
			make: func(t *testing.T, p string) { longName(t, p, 100<<20) }},
		{name: "1,000-byte name", file: "students.csv", folder: true, want: "the value is too long (1000 bytes, at most 300)",
			make: func(t *testing.T, p string) { longName(t, p, 1000) }},
		{name: "UTF-16", file: "students.csv", folder: true, want: "this file is UTF-16 (little-endian): save it as UTF-8",
			make: func(t *testing.T, p string) {
				writeStream(t, p, func(w io.Writer) {
					w.Write([]byte{0xFF, 0xFE})
					for _, c := range "state_id,last_name\n" {
						w.Write([]byte{byte(c), 0})
					}
				})
			}},
		{name: "workbook padded past 2 GiB", file: "export.xlsx", want: "unpacks to more than", slow: true,
			make: func(t *testing.T, p string) {
				hostileWorkbook(t, p, func(w io.Writer) {
					io.WriteString(w, `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>state_id</t></is></c></row></sheetData>`)
					for range 2<<10 + 1 {
						pad(w, ' ', 1<<20)
					}
				})
			}},
		{name: "workbook cell of 100 MB", file: "export.xlsx", want: "longer than Excel allows in a cell", slow: true,
			make: func(t *testing.T, p string) {
				hostileWorkbook(t, p, func(w io.Writer) {
					io.WriteString(w, `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>`)
					pad(w, 'a', 100<<20)
					io.WriteString(w, `</t></is></c></row></sheetData>`)
				})
			}},
		// XML allows a raw '>' in text, so a cell of them is one long run.
		{name: "workbook cell of 64 MB of >", file: "export.xlsx", want: "longer than Excel allows in a cell", slow: true,
			make: func(t *testing.T, p string) {
				hostileWorkbook(t, p, func(w io.Writer) {
					io.WriteString(w, `<sheetData><row r="1"><c r="A1"><v>`)
					pad(w, '>', 64<<20)
					io.WriteString(w, `</v></c></row></sheetData>`)
				})
			}},
		{name: "workbook row of 16,384 cells of 64 KB", file: "export.xlsx", want: "more than a real", slow: true,
			make: func(t *testing.T, p string) {
				hostileWorkbook(t, p, func(w io.Writer) {
					io.WriteString(w, `<sheetData><row r="1">`)
					for range 16384 {
						io.WriteString(w, `<c t="inlineStr"><is><t>`)
						pad(w, 'a', 64<<10)
						io.WriteString(w, `</t></is></c>`)
					}
					io.WriteString(w, `</row></sheetData>`)
				})
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.slow && testing.Short() {
				t.Skip("a big input")
			}
			dir := t.TempDir()
			path := filepath.Join(dir, c.file)
			c.make(t, path)
			for reader := range readers {
				in := path
				if reader == "extract" && c.folder {
					in = copyFixture(t, "good")
					os.Remove(filepath.Join(in, "students.csv"))
					if err := os.Rename(path, filepath.Join(in, "students.csv")); err != nil {
						t.Fatal(err)
					}
				}
				answer, peak := readInChild(t, reader, in)
				if in != path {
					if err := os.Rename(filepath.Join(in, "students.csv"), path); err != nil {
						t.Fatal(err)
					}
				}
				t.Logf("%s: peak %d MB: %s", reader, peak>>20, answer)
				if !containsAny(answer, c.want) {
					t.Errorf("%s: answered %q, want %q", reader, answer, c.want)
				}
				if peak > maxPeak {
					t.Errorf("%s: peak memory %d MB, more than %d MB", reader, peak>>20, maxPeak>>20)
				}
			}
		})
	}
}

// longName writes a file every reader takes for its own, with one row
// whose state ID and MIS2000 ID have n bytes each.
func longName(t *testing.T, p string, n int) {
	writeStream(t, p, func(w io.Writer) {
		io.WriteString(w, "state_id,mis2000_id,qad,eed,local_student_number,last_name,first_name,middle_name,birth_date,gender,race_ethnicity\n")
		pad(w, '1', n)
		io.WriteString(w, ",")
		pad(w, '2', n)
		io.WriteString(w, ",2020-01-01,,,a,b,,2010-01-01,F,1\n")
	})
}

// containsAny reports whether s contains one of the |-separated wants.
func containsAny(s, wants string) bool {
	for _, w := range strings.Split(wants, "|") {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// readInChild reads path with reader in a child process and returns its
// answer and its peak resident memory in bytes.
func readInChild(t *testing.T, reader, path string) (string, int64) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostileChild$", "-test.v")
	cmd.Env = append(os.Environ(), "HOSTILE_READER="+reader, "HOSTILE_PATH="+path)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: the child failed: %v\n%s", reader, err, out.String())
		}
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s: still reading %s after 2 minutes", reader, path)
	}
	_, answer, ok := strings.Cut(out.String(), "ANSWER: ")
	if !ok {
		t.Fatalf("%s: no answer:\n%s", reader, out.String())
	}
	answer, _, _ = strings.Cut(answer, "\n")
	return answer, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
}

func symlink(t *testing.T, target, p string) {
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func writeStream(t *testing.T, p string, write func(io.Writer)) {
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	write(w)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// pad writes n bytes of c.
func pad(w io.Writer, c byte, n int) {
	chunk := []byte(strings.Repeat(string(c), 64<<10))
	for ; n > 0; n -= len(chunk) {
		w.Write(chunk[:min(n, len(chunk))])
	}
}

// hostileWorkbook writes a minimal .xlsx with one sheet, named regions so that
// every reader reads it, whose sheetData is written by sheet.
func hostileWorkbook(t *testing.T, p string, sheet func(io.Writer)) {
	minimalWorkbook(t, p, "http://schemas.openxmlformats.org/officeDocument/2006/relationships", sheet, nil)
}

// minimalWorkbook writes that workbook with rNS as the namespace of the
// sheet's r:id and, when sst is not nil, a shared strings part whose
// items sst writes.
func minimalWorkbook(t *testing.T, p, rNS string, sheet, sst func(io.Writer)) {
	writeStream(t, p, func(out io.Writer) {
		z := zip.NewWriter(out)
		z.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestSpeed)
		})
		part := func(name, content string) io.Writer {
			w, err := z.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, content)
			return w
		}
		types, rels := "", ""
		if sst != nil {
			types = `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
			rels = `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
		}
		part("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`+
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`+types+`</Types>`)
		part("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)
		part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" `+
			`xmlns:r="`+rNS+`"><sheets><sheet name="regions" sheetId="1" r:id="rId1"/></sheets></workbook>`)
		part("xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`+
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`+
			rels+`</Relationships>`)
		w := part("xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		sheet(w)
		io.WriteString(w, `</worksheet>`)
		if sst != nil {
			w := part("xl/sharedStrings.xml", `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			sst(w)
			io.WriteString(w, `</sst>`)
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestStalledReadIsCancelled: a read that never returns ends the reading
// with errStalled instead of hanging.
func TestStalledReadIsCancelled(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	s := newStallReader(r, 50*time.Millisecond)
	go w.Write([]byte("state_id\n"))
	buf := make([]byte, 64)
	if n, err := s.Read(buf); err != nil || string(buf[:n]) != "state_id\n" {
		t.Fatalf("first read: %q, %v", buf[:n], err)
	}
	start := time.Now()
	if _, err := s.Read(buf); err != errStalled {
		t.Fatalf("a stalled read answered %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the stalled read was cancelled after %s", d)
	}
	if _, err := s.Read(buf); err != errStalled {
		t.Errorf("a read after the stall answered %v", err)
	}
}

// TestStalledWorkbookReadIsCancelled: a workbook whose drive stops
// answering halfway ends the import with the CSV's message, because
// excelize is handed bytes read through the stall guard, never the file.
func TestStalledWorkbookReadIsCancelled(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	go w.Write([]byte("PK\x03\x04"))
	start := time.Now()
	b, err := readWorkbook(r, 1<<20, 50*time.Millisecond)
	if !errors.Is(err, errStalled) {
		t.Fatalf("a stalled workbook answered %d bytes, %v", len(b), err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the stalled workbook was cancelled after %s", d)
	}
}

// TestFolderNamesDifferingInCase: students.csv beside Students.csv is
// refused, not one of them silently ignored.
func TestFolderNamesDifferingInCase(t *testing.T) {
	dir := copyFixture(t, "good")
	b, err := os.ReadFile(filepath.Join(dir, "students.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Students.csv"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = ReadExtract(dir)
	if err == nil || !strings.Contains(err.Error(), "Students.csv and students.csv, names that differ only in case") {
		t.Fatalf("got %v", err)
	}
}

// FuzzReadWorkbook puts arbitrary bytes in the sheet of a workbook read
// as migrant records and as an MIS2000 export, through the part checks,
// the guard and excelize: no panic (recovered ones included), and either
// a refusal or rows that keep the file's rules.
func FuzzReadWorkbook(f *testing.F) {
	f.Add([]byte(`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>state_id</t></is></c><c r="B1" t="inlineStr"><is><t>mis2000_id</t></is></c>` +
		`<c r="C1" t="inlineStr"><is><t>qad</t></is></c><c r="D1" t="inlineStr"><is><t>eed</t></is></c></row>` +
		`<row r="3"><c r="A3" t="inlineStr"><is><t>0001</t></is></c><c r="B3" t="inlineStr"><is><t>12</t></is></c><c r="C3"><v>45000</v></c></row></sheetData>`))
	f.Add([]byte(`<sheetData><row><c t="inlineStr"><is><t>MIS ID</t></is></c><c t="inlineStr"><is><t>Last Name</t></is></c>` +
		`<c t="inlineStr"><is><t>First Name</t></is></c><c t="inlineStr"><is><t>DOB</t></is></c><c t="inlineStr"><is><t>QAD</t></is></c></row>` +
		`<row><c><v>1</v></c><c t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c><c><v>60</v></c><c t="d"><v>2020-01-01T00:00:00Z</v></c></row></sheetData>`))
	f.Add([]byte(`<sheetData><row r="2"/><row r="1"/></sheetData>`))
	f.Fuzz(func(t *testing.T, sheet []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.xlsx")
		hostileWorkbook(t, path, func(w io.Writer) { w.Write(sheet) })
		recs, err := ReadMigrantRecords(path)
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.StateID == "" || r.QAD.IsZero() {
				t.Fatalf("bad record %+v", r)
			}
		}
		x, err := ReadMIS2000(path)
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatal(err)
		}
		if err == nil && len(x.Rows) == 0 {
			t.Fatal("no rows and no refusal")
		}
	})
}

// TestStrictWorkbookSheetsFound: the guard finds a sheet whose r:id is in
// Strict Open XML's namespace.
func TestStrictWorkbookSheetsFound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "strict.xlsx")
	minimalWorkbook(t, path, "http://purl.oclc.org/ooxml/officeDocument/relationships", func(w io.Writer) {
		io.WriteString(w, `<sheetData><row r="1"><c t="inlineStr"><is><t>state_id</t></is></c><c t="inlineStr"><is><t>mis2000_id</t></is></c>`+
			`<c t="inlineStr"><is><t>qad</t></is></c><c t="inlineStr"><is><t>eed</t></is></c></row>`+
			`<row r="2"><c t="inlineStr"><is><t>0001234567</t></is></c><c t="inlineStr"><is><t>123</t></is></c><c><v>45536</v></c></row></sheetData>`)
	}, nil)
	recs, err := ReadMigrantRecords(path)
	if err != nil || len(recs) != 1 || recs[0].StateID != "0001234567" || recs[0].QAD != 20240901 {
		t.Fatalf("got %+v, %v", recs, err)
	}
}
