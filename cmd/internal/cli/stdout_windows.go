package cli

import (
	"bytes"
	"io"
	"os"
)

// Stdout is where commands print. On Windows it ends lines with CRLF, so
// that output redirected to a file (migrantdeskctl search ... > list.txt)
// reads right in Notepad and other Windows tools.
func Stdout() io.Writer { return &crlfWriter{w: os.Stdout} }

// crlfWriter turns each "\n" that is not already preceded by "\r" into
// "\r\n".
type crlfWriter struct {
	w      io.Writer
	lastCR bool // the last byte written was '\r'
}

func (c *crlfWriter) Write(p []byte) (int, error) {
	var b bytes.Buffer
	b.Grow(len(p) + bytes.Count(p, []byte{'\n'}))
	for _, ch := range p {
		if ch == '\n' && !c.lastCR {
			b.WriteByte('\r')
		}
		b.WriteByte(ch)
		c.lastCR = ch == '\r'
	}
	if _, err := c.w.Write(b.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}
