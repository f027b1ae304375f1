package importer

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// A workbook is a zip of XML parts, and excelize reads most of them whole
// into memory: a small .xlsx can hold gigabytes. Before excelize opens a
// workbook, its parts are checked here against bounds a real workbook
// keeps, from the sizes its zip declares (archive/zip refuses a part that
// inflates past its declared size), and its sheets are read a row ahead
// of excelize so that no row bigger than a real one reaches it.
const (
	// maxPartBytes bounds a part excelize holds in memory (styles, the
	// workbook, the theme...), and maxPartsBytes all of them.
	maxPartBytes  = 64 << 20
	maxPartsBytes = 256 << 20
	// maxSharedStrings bounds the shared strings part, which excelize
	// indexes whole, and maxSharedItems the strings in it: an empty item,
	// <si/>, is 5 bytes and costs excelize some 130 bytes of index, so
	// that a part within the byte bound could cost gigabytes. A workbook
	// of the whole state's extract has under 3 million distinct strings.
	maxSharedStrings = 512 << 20
	maxSharedItems   = 4_000_000
	// maxParts bounds the entries of the zip.
	maxParts = 10_000
	// maxRun bounds the bytes between two '<': a cell of Excel's largest
	// (32,767 characters), escaped, with its tag.
	maxRun = 256 << 10
	// maxRowXML bounds the XML of one sheet row.
	maxRowXML = 16 << 20
)

// zipParts is a workbook's zip, checked, with what it says about where
// its sheets are.
type zipParts struct {
	z      *zip.Reader
	byName map[string]*zip.File // lower-case part name → part
	sheets map[string]string    // sheet name → part name
}

// checkParts checks the declared sizes of a workbook's parts and reads
// where each sheet is. label names the workbook in messages.
func checkParts(z *zip.Reader, label string, maxTotal int64) (*zipParts, error) {
	if len(z.File) > maxParts {
		return nil, fmt.Errorf("the workbook %s has %d parts, more than a real workbook; check that it is the right file", label, len(z.File))
	}
	p := &zipParts{z: z, byName: map[string]*zip.File{}, sheets: map[string]string{}}
	var total, inMemory uint64
	for _, f := range z.File {
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		size := f.UncompressedSize64
		total += size
		switch {
		case strings.HasPrefix(name, "xl/worksheets/sheet"):
		case name == "xl/sharedstrings.xml":
			if size > maxSharedStrings {
				return nil, partTooBig(label, f.Name, size, maxSharedStrings)
			}
		default:
			if size > maxPartBytes {
				return nil, partTooBig(label, f.Name, size, maxPartBytes)
			}
			inMemory += size
		}
		if total > uint64(maxTotal) {
			return nil, fmt.Errorf("the workbook %s unpacks to more than %d MB, more than a real one; check that it is the right file", label, maxTotal>>20)
		}
		if inMemory > maxPartsBytes {
			return nil, fmt.Errorf("the workbook %s has more than %d MB of parts besides its sheets, more than a real one; check that it is the right file", label, maxPartsBytes>>20)
		}
		p.byName[name] = f
	}
	if sst := p.byName["xl/sharedstrings.xml"]; sst != nil {
		if err := scanPart(sst, &itemCount{}); err != nil {
			return nil, fmt.Errorf("the workbook %s: %w", label, err)
		}
	}
	if err := p.readSheets(); err != nil {
		return nil, fmt.Errorf("the workbook %s is not one Excel can open: %w", label, err)
	}
	return p, nil
}

func partTooBig(label, part string, size uint64, limit int) error {
	return fmt.Errorf("the part %s of the workbook %s unpacks to %d MB, more than a real one (at most %d MB); check that it is the right file",
		part, label, size>>20, limit>>20)
}

// scanPart reads a part through the run limit into w.
func scanPart(f *zip.File, w io.Writer) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(w, &runLimit{r: rc})
	return err
}

// errItems is the cause of a shared strings part refused for its number
// of items.
var errItems = fmt.Errorf("its shared strings part holds more than %d strings, more than a real workbook; check that it is the right file", maxSharedItems)

// itemCount counts the items of a shared strings part written to it, the
// si elements (of any namespace prefix), and fails past maxSharedItems.
type itemCount struct {
	n    int
	open bool   // a chunk ended inside a tag's name
	name []byte // the part of that name read so far
}

// maxTagName bounds the tag names itemCount holds across chunks: a name
// longer is not si.
const maxTagName = 64

func (c *itemCount) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		if !c.open {
			i := bytes.IndexByte(rest, '<')
			if i < 0 {
				break
			}
			rest, c.open, c.name = rest[i+1:], true, c.name[:0]
		}
		end := bytes.IndexAny(rest, " \t\r\n/>")
		if end < 0 {
			if c.open = len(c.name)+len(rest) <= maxTagName; c.open {
				c.name = append(c.name, rest...)
			}
			break
		}
		name := rest[:end]
		if len(c.name) > 0 {
			name = append(c.name, name...)
		}
		if local := name[bytes.LastIndexByte(name, ':')+1:]; string(local) == "si" {
			c.n++
		}
		rest, c.open = rest[end:], false
	}
	if c.n > maxSharedItems {
		return len(p), errItems
	}
	return len(p), nil
}

// readSheets maps sheet names to their parts, from xl/workbook.xml and its
// relationships.
func (p *zipParts) readSheets() error {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			// r:id, in the transitional namespace or Strict Open XML's.
			RID string `xml:"id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := p.decode("xl/workbook.xml", &wb); err != nil {
		return err
	}
	if err := p.decode("xl/_rels/workbook.xml.rels", &rels); err != nil {
		return err
	}
	targets := map[string]string{}
	for _, r := range rels.Rel {
		t := strings.ReplaceAll(r.Target, `\`, "/")
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		targets[r.ID] = strings.ToLower(t)
	}
	for _, s := range wb.Sheets {
		if t, ok := targets[s.RID]; ok {
			p.sheets[s.Name] = t
		}
	}
	return nil
}

func (p *zipParts) decode(name string, v any) error {
	f := p.byName[name]
	if f == nil {
		return fmt.Errorf("it has no %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(&runLimit{r: rc}).Decode(v)
}

// errRun is the cause of a part refused for a run of text longer than any
// cell.
var errRun = fmt.Errorf("it holds a value longer than Excel allows in a cell (%d KB between two tags); check that it is the right file", maxRun>>10)

// runLimit passes a part's bytes on while no run between two '<' is
// longer than maxRun, so that an XML decoder above it never holds more
// than that in one token. Only '<' ends a run: XML allows a raw '>' in
// text and attribute values, but not a raw '<'.
type runLimit struct {
	r   io.Reader
	run int
}

func (l *runLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for rest := p[:n]; len(rest) > 0; {
		i := bytes.IndexByte(rest, '<')
		if i < 0 {
			l.run += len(rest)
			break
		}
		if l.run+i > maxRun {
			l.run += i
			break
		}
		l.run = 0
		rest = rest[i+1:]
	}
	if l.run > maxRun {
		return n, errRun
	}
	return n, err
}

// sheetGuard reads a sheet's part a row ahead of excelize, refusing a row
// bigger than a real one before excelize builds it, and keeps what excelize
// does not say: how each cell is stored (a number, a date or text).
type sheetGuard struct {
	rc  io.ReadCloser
	d   *xml.Decoder
	row int // the number of the row read ahead; 0 at the end of the sheet
	// kinds is how each cell of the row read ahead is stored, by column:
	// 'n' a number, 'd' an ISO 8601 date, 'e' an Excel error (#N/A), 'f'
	// a formula whose result the file does not hold, 0 text or nothing.
	kinds []byte
	last  int  // the number of the row before
	ahead bool // a row has been read ahead and not yet taken
	end   bool
}

func (p *zipParts) guard(sheet string) (*sheetGuard, error) {
	f := p.byName[p.sheets[sheet]]
	if f == nil {
		return nil, fmt.Errorf("the workbook has no part for the sheet %s", sheet)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	return &sheetGuard{rc: rc, d: xml.NewDecoder(&runLimit{r: rc})}, nil
}

func (g *sheetGuard) close() error { return g.rc.Close() }

// readAhead reads the next row of the sheet whole, unless one is waiting
// to be taken.
func (g *sheetGuard) readAhead() error {
	if g.ahead || g.end {
		return nil
	}
	for {
		tok, err := g.d.RawToken()
		if err == io.EOF {
			g.end = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("the sheet is not XML Excel can read: %w", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "row" {
				return g.readRow(e)
			}
		case xml.EndElement:
			if e.Name.Local == "sheetData" {
				g.end = true
				return nil
			}
		}
	}
}

func (g *sheetGuard) readRow(start xml.StartElement) error {
	g.row = g.last + 1
	if r, ok := attr(start, "r"); ok {
		n, err := strconv.Atoi(r)
		if err != nil || n <= g.last || n > MaxRows {
			return fmt.Errorf("the sheet has a row numbered %q after row %d, which Excel does not write", r, g.last)
		}
		g.row = n
	}
	g.last = g.row
	g.kinds = g.kinds[:0]
	from := g.d.InputOffset()
	cells, col, far := 0, -1, false
	// What the cell being read holds: a formula, and a result of it.
	formula, valued, inValue := false, false, false
	for {
		tok, err := g.d.RawToken()
		if err != nil {
			return fmt.Errorf("row %d of the sheet is not XML Excel can read: %w", g.row, err)
		}
		if g.d.InputOffset()-from > maxRowXML {
			return fmt.Errorf("row %d holds more than %d MB, more than a real row; check that it is the right file", g.row, maxRowXML>>20)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local != "c" {
				// excelize makes each row it reads as wide as its last
				// value (a formatted cell with none costs nothing): one in
				// column XFD made every such row 16,384 strings twice.
				if far && (e.Name.Local == "v" || e.Name.Local == "is" || e.Name.Local == "f") {
					return fmt.Errorf("row %d has a value in column %s, beyond the %d columns any real table has; "+
						"delete it (in Excel, Ctrl+End goes to the last cell in use) and save the workbook again", g.row, columnName(col), MaxColumns)
				}
				switch e.Name.Local {
				case "f":
					formula = true
				case "v":
					inValue = true
				case "is":
					valued = true
				}
				continue
			}
			formula, valued = false, false
			if cells++; cells > MaxColumns {
				return fmt.Errorf("row %d has more than %d cells, more than any real file; check that it is the right file", g.row, MaxColumns)
			}
			col++
			if ref, ok := attr(e, "r"); ok {
				if c, ok := column(ref); ok {
					col = c
				}
			}
			far = col >= MaxColumns
			kind := byte('n')
			switch t, _ := attr(e, "t"); t {
			case "", "n":
			case "d":
				kind = 'd'
			case "e":
				kind = 'e'
			default:
				kind = 0
			}
			if col < MaxColumns {
				for len(g.kinds) <= col {
					g.kinds = append(g.kinds, 0)
				}
				g.kinds[col] = kind
			}
		case xml.CharData:
			if inValue && len(bytes.TrimSpace(e)) > 0 {
				valued = true
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "v":
				inValue = false
			case "c":
				// A formula saved with an empty result is a text result of
				// "" (t="str"); with a number type, or none, it is one
				// whose result the program that wrote the file never
				// worked out (Excel and LibreOffice always save it), and
				// excelize reads the cell as blank.
				if formula && !valued && col >= 0 && col < len(g.kinds) && g.kinds[col] != 0 {
					g.kinds[col] = 'f'
				}
			case "row":
				g.ahead = true
				return nil
			}
		}
	}
}

// take returns how the cells of row n are stored when n is the row read
// ahead (which is then taken), or nil for a row the sheet does not have.
func (g *sheetGuard) take(n int) []byte {
	if !g.ahead || g.row != n {
		return nil
	}
	g.ahead = false
	return g.kinds
}

func attr(e xml.StartElement, name string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// columnName is the letters of a 0-based column, as Excel shows them.
func columnName(col int) string {
	name, err := excelize.ColumnNumberToName(col + 1)
	if err != nil {
		return strconv.Itoa(col + 1)
	}
	return name
}

// column is the 0-based column of a cell reference such as "AB12".
func column(ref string) (int, bool) {
	c, i := 0, 0
	for ; i < len(ref) && i < 4; i++ {
		ch := ref[i] | 0x20
		if ch < 'a' || ch > 'z' {
			break
		}
		c = c*26 + int(ch-'a'+1)
	}
	return c - 1, i > 0
}
