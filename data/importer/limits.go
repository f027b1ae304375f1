package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Bounds on any input, checked while it is read so that no file, however
// made, costs more memory or time than a real one. A state-wide extract
// has about 700,000 students and a few million enrollment rows of a few
// hundred bytes each.
const (
	// MaxFileBytes bounds a CSV file: well above a state's largest table.
	MaxFileBytes = 4 << 30
	// MaxWorkbookBytes bounds an .xlsx file on disk, and MaxUnzippedBytes
	// what its parts may inflate to all together. A workbook is read into
	// memory through the stall guard and excelize copies those bytes once
	// more, so this stays at a quarter of the 1 GB any input may cost; a
	// state's extract as a workbook is well under it (larger states send
	// CSV files).
	MaxWorkbookBytes = 256 << 20
	MaxUnzippedBytes = 2 << 30
	// MaxRows bounds the records of one table (a CSV file or a sheet).
	MaxRows = 5_000_000
	// MaxColumns bounds the fields of one record.
	MaxColumns = 1024
	// MaxLineBytes bounds one line of a CSV file, and so a record's
	// memory: a thousand columns of a few hundred bytes.
	MaxLineBytes = 1 << 20
	// stallTimeout is how long one read may take before the file is taken
	// for one that will never answer (a network drive gone away).
	stallTimeout = 30 * time.Second
)

// recovered turns a panic (a bug here or in excelize, met by a file made
// to find one) into the error *err of the reader it stopped, so that the
// program goes on and says so in one line. Deferred by every entry point
// and on the goroutine that reads an extract.
func recovered(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s stopped on an internal error (%v); nothing was read; please report this", what, r)
	}
}

// regularFile refuses anything but a regular file at path (following a
// symbolic link): a device such as /dev/zero never ends, a named pipe
// blocks the open until someone writes to it, a folder is not a file.
// what names the file in the message.
func regularFile(path, what string) (os.FileInfo, error) {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		// A path typed or pasted by hand, not chosen in a dialog: say it
		// in words, not as the system call that failed.
		return nil, fmt.Errorf("%s %s is not there; check its folder and name: %w", what, path, os.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if m := info.Mode(); !m.IsRegular() {
		kind := "not a regular file"
		switch {
		case m.IsDir():
			kind = "a folder"
		case m&os.ModeNamedPipe != 0:
			kind = "a named pipe"
		case m&os.ModeDevice != 0:
			kind = "a device"
		case m&os.ModeSocket != 0:
			kind = "a socket"
		}
		return nil, fmt.Errorf("%s %s is %s, not a file; only files saved on disk are read", what, path, kind)
	}
	return info, nil
}

// openRegular opens path for reading once it is known to be a regular
// file, and checks again what was opened, since the name may have been
// switched in between.
func openRegular(path, what string, maxBytes int64) (*os.File, int64, error) {
	info, err := regularFile(path, what)
	if err != nil {
		return nil, 0, err
	}
	if info.Size() > maxBytes {
		return nil, 0, tooBig(path, what, info.Size(), maxBytes)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", what, err)
	}
	if info, err = f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s %s changed while it was opened; try again", what, path)
	}
	return f, info.Size(), nil
}

func tooBig(path, what string, size, maxBytes int64) error {
	return fmt.Errorf("%s %s has %d MB, more than it can have (at most %d MB); check that it is the right file",
		what, path, size>>20, maxBytes>>20)
}

// errTooBig is the cause of reading stopped by a limit.
var errTooBig = errors.New("the file is larger than any real one")

// boundedReader stops with an error past max bytes in all, or past
// maxLine bytes without a line end, so that neither a file that grows
// while it is read nor one huge line is read into memory.
type boundedReader struct {
	r       io.Reader
	max     int64
	left    int64 // bytes that may still be read
	maxLine int
	line    int // bytes since the last line end
	lines   int // line ends seen, for the message
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// At the limit exactly: an error only if there is more.
		var one [1]byte
		if n, err := b.r.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("%w: reading stopped after %d MB", errTooBig, b.max>>20)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.lineEnds(p[:n]) {
		return n, &lineTooLong{line: b.lines + 1, max: b.maxLine}
	}
	return n, err
}

// lineEnds counts the line ends in chunk and reports whether a line has
// passed maxLine. A line inside a chunk shorter than maxLine cannot, so
// only the one running on from earlier chunks is checked, without a
// call per line: a state extract has millions of them.
func (b *boundedReader) lineEnds(chunk []byte) bool {
	first := bytes.IndexByte(chunk, '\n')
	if first < 0 {
		b.line += len(chunk)
		return b.line > b.maxLine
	}
	if b.line+first > b.maxLine {
		b.line += first
		return true
	}
	if len(chunk) > b.maxLine {
		for rest := chunk; ; {
			i := bytes.IndexByte(rest, '\n')
			if i < 0 {
				b.line = len(rest)
				return b.line > b.maxLine
			}
			if i > b.maxLine {
				return true
			}
			b.lines++
			rest = rest[i+1:]
		}
	}
	b.lines += bytes.Count(chunk, []byte{'\n'})
	b.line = len(chunk) - bytes.LastIndexByte(chunk, '\n') - 1
	return false
}

// lineTooLong stops the reading of a CSV file at a line longer than any
// record can be.
type lineTooLong struct{ line, max int }

func (e *lineTooLong) Error() string {
	return fmt.Sprintf("line %d is longer than %d KB, more than any record needs; check that it is the right file, saved as CSV", e.line, e.max>>10)
}

// errStalled is the cause of a read that took longer than stallTimeout.
var errStalled = fmt.Errorf("the file stopped answering for %s (a network drive or a device?); copy it to this computer and try again", stallTimeout)

// stallReader cancels a read that does not return in time. Each read
// runs on its own goroutine into a buffer of its own, so that a read that
// never returns is left behind rather than holding up the import; the
// goroutine ends when the read does (or with the process).
type stallReader struct {
	r       io.Reader
	timeout time.Duration
	buf     []byte
	done    chan readResult
	timer   *time.Timer
	failed  error
}

type readResult struct {
	n   int
	err error
}

func newStallReader(r io.Reader, timeout time.Duration) *stallReader {
	return &stallReader{r: r, timeout: timeout, done: make(chan readResult, 1)}
}

func (s *stallReader) Read(p []byte) (int, error) {
	if s.failed != nil {
		return 0, s.failed
	}
	if cap(s.buf) < len(p) {
		s.buf = make([]byte, len(p))
	}
	buf := s.buf[:len(p)]
	go func() {
		n, err := s.r.Read(buf)
		s.done <- readResult{n, err}
	}()
	if s.timer == nil {
		s.timer = time.NewTimer(s.timeout)
	} else {
		s.timer.Reset(s.timeout)
	}
	select {
	case res := <-s.done:
		s.timer.Stop()
		return copy(p, buf[:res.n]), res.err
	case <-s.timer.C:
		// The abandoned read still owns buf.
		s.buf, s.failed = nil, errStalled
		return 0, errStalled
	}
}

// encodingError names what a file that is not UTF-8 CSV text is, from its
// first bytes, instead of reporting its header as garbage: its encoding,
// or, with fix, another kind of file.
type encodingError struct{ name, fix string }

func (e *encodingError) Error() string {
	if e.fix != "" {
		return fmt.Sprintf("this file is %s, not CSV text: %s", e.name, e.fix)
	}
	return fmt.Sprintf("this file is %s: save it as UTF-8 (in Excel: Save As, \"CSV UTF-8\")", e.name)
}

// sniffKind recognises a file given a .csv name that is another kind of
// file: a workbook (a zip archive), an encrypted or old-format workbook
// (an OLE compound file), a PDF.
func sniffKind(head []byte) error {
	switch {
	case bytes.HasPrefix(head, zipSignature):
		return &encodingError{"an Excel workbook (.xlsx)", `open it in Excel and save it as "CSV UTF-8"`}
	case bytes.HasPrefix(head, oleSignature):
		return &encodingError{"an Excel workbook protected with a password or in the old format (.xls)",
			`open it in Excel and save it as "CSV UTF-8" without a password`}
	case bytes.HasPrefix(head, pdfSignature):
		return &encodingError{"a PDF document", "put the CSV file in its place"}
	}
	return nil
}

// sniffEncoding recognises the byte-order marks of UTF-16 and UTF-32, and
// UTF-16 text without one (a NUL in every other byte of plain text). A
// UTF-8 byte-order mark is fine and is left to the caller.
func sniffEncoding(head []byte) error {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}):
		return &encodingError{name: "UTF-32 (little-endian)"}
	case bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return &encodingError{name: "UTF-32 (big-endian)"}
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return &encodingError{name: "UTF-16 (little-endian)"}
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return &encodingError{name: "UTF-16 (big-endian)"}
	case len(head) >= 4 && head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0:
		return &encodingError{name: "UTF-16 (little-endian, without a byte-order mark)"}
	case len(head) >= 4 && head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0:
		return &encodingError{name: "UTF-16 (big-endian, without a byte-order mark)"}
	}
	return nil
}
