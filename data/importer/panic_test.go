package importer

import (
	"strings"
	"testing"

	"migrantdesk/data"
)

// panicSource is an extract whose enrollments table panics at its second
// record, as a bug in a reader would.
type panicSource struct{ source }

func (p panicSource) open(name string) (rows, Problem, bool, error) {
	rs, at, ragged, err := p.source.open(name)
	if name == "enrollments" && err == nil {
		rs = &panicRows{rows: rs}
	}
	return rs, at, ragged, err
}

type panicRows struct {
	rows
	read int
}

func (p *panicRows) next() ([]string, error) {
	if p.read++; p.read == 3 {
		panic("injected")
	}
	return p.rows.next()
}

// TestPanicInReaderIsAnError: a panic on the reading goroutine becomes
// the error of Scan, after which the sink has seen only part of the
// extract and is told to throw it away.
func TestPanicInReaderIsAnError(t *testing.T) {
	var ex data.Extract
	x, err := OpenExtract("testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	err = scan(panicSource{x.src}, x.today, &ex)
	if err == nil || !strings.Contains(err.Error(), "internal error (injected)") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v, want one line about the internal error", err)
	}
}
