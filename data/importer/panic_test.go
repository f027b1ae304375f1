package importer

import (
	"strings"
	"testing"

	"migrantdesk/data"
)

// TestPanicInReaderIsAnError: a panic on the reading goroutine becomes
// the error of Scan, after which the sink has seen only part of the
// extract and is told to throw it away.
func TestPanicInReaderIsAnError(t *testing.T) {
	testHookRecord = func(file string, record int) {
		if file == "enrollments.csv" && record == 2 {
			panic("injected")
		}
	}
	defer func() { testHookRecord = nil }()
	var ex data.Extract
	x, err := OpenExtract("testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	err = x.Scan(&ex)
	if err == nil || !strings.Contains(err.Error(), "internal error (injected)") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %v, want one line about the internal error", err)
	}
}
