package importer

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestBoundedReader reads lines at and past the limit in chunks of every
// size: the limit holds wherever the chunks cut the lines.
func TestBoundedReader(t *testing.T) {
	const maxLine = 8
	for _, tc := range []struct {
		in      string
		tooLong int // the line reported, 0 for none
	}{
		{"12345678\n12345678\n", 0},
		{"12345678", 0},
		{"\n\n\n", 0},
		{"123456789\n", 1},
		{"12345678\n1\n123456789", 3},
		{"1\n2\n" + strings.Repeat("x", 30) + "\n", 3},
	} {
		for _, chunk := range []int{1, 3, 8, 9, 64} {
			var r io.Reader = bytes.NewReader([]byte(tc.in))
			if chunk == 1 {
				r = iotest.OneByteReader(r)
			}
			b := &boundedReader{r: r, max: 1 << 20, left: 1 << 20, maxLine: maxLine}
			_, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{b}, make([]byte, chunk))
			var lt *lineTooLong
			switch {
			case tc.tooLong == 0 && err != nil:
				t.Errorf("%q in chunks of %d: %v", tc.in, chunk, err)
			case tc.tooLong != 0 && (!errors.As(err, &lt) || lt.line != tc.tooLong):
				t.Errorf("%q in chunks of %d: got %v, want line %d too long", tc.in, chunk, err, tc.tooLong)
			}
		}
	}
	b := &boundedReader{r: strings.NewReader("1234567890"), max: 4, left: 4, maxLine: 100}
	if _, err := io.ReadAll(b); !errors.Is(err, errTooBig) {
		t.Errorf("past the size: %v", err)
	}
	b = &boundedReader{r: strings.NewReader("1234"), max: 4, left: 4, maxLine: 100}
	if got, err := io.ReadAll(b); err != nil || string(got) != "1234" {
		t.Errorf("at the size exactly: %q, %v", got, err)
	}
}

// TestUnknownHeaderShownEscaped: a header name with a control character
// is listed quoted, never raw.
func TestUnknownHeaderShownEscaped(t *testing.T) {
	x, err := readMIS2000(newCSVRows(strings.NewReader("MIS2000 ID,Last Name,First Name,Birth Date,QAD,\x1b[2Jgone\n1,a,b,01/02/2010,01/02/2020,x\n"), nil, 0),
		Problem{File: "export.csv"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Unknown) != 1 || x.Unknown[0] != `"\x1b[2Jgone"` {
		t.Errorf("unknown columns %q", x.Unknown)
	}
}
