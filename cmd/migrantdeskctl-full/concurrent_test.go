package main

import (
	"bytes"
	"context"
	"database/sql"
	"migrantdesk/cmd/internal/cli"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a stderr that several commands write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// holdWriteLock takes the database's write lock from another connection,
// as another process's import would, until release is called or the test
// ends.
func holdWriteLock(t *testing.T, db string) (release func()) {
	t.Helper()
	ctx := context.Background()
	pool, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			conn.ExecContext(ctx, `ROLLBACK`)
			conn.Close()
			pool.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// An import, a publish, a report and a search started while another
// process holds the write lock longer than SQLite's old 5 s busy timeout
// all wait their turn and succeed; the writers say they are waiting.
func TestImportPublishReportAndSearchAtOnce(t *testing.T) {
	db := reportDB(t)
	dir := t.TempDir()
	var notes lockedBuffer
	cli.Stderr = &notes
	defer func() { cli.Stderr = os.Stderr }()

	time.AfterFunc(6*time.Second, holdWriteLock(t, db))
	commands := map[string][]string{
		"import":  {"import", "--db", db, "../../report/testdata/qa"},
		"publish": {"migrant", "--db", db, "../../report/testdata/qa/migrant_records.csv", "--publish"},
		"report": {"report", "qa", "--db", db, "--district", "001", "--from", "2024-08-01", "--to", "2025-06-30",
			"--detail", filepath.Join(dir, "detail.xlsx")},
		"search": {"search", "--db", db, "--last", "R"},
	}
	var wg sync.WaitGroup
	errs := make(map[string]error)
	outs := make(map[string]string)
	var mu sync.Mutex
	for name, args := range commands {
		wg.Go(func() {
			var out bytes.Buffer
			err := dispatch(args, &out)
			mu.Lock()
			defer mu.Unlock()
			errs[name], outs[name] = err, out.String()
		})
	}
	wg.Wait()
	for name := range commands {
		if errs[name] != nil {
			t.Errorf("%s: %v", name, errs[name])
		}
	}
	if !strings.Contains(outs["report"], "wrote "+filepath.Join(dir, "detail.xlsx")) {
		t.Errorf("report printed %q", outs["report"])
	}
	if !strings.Contains(notes.String(), "waiting for another import/publish to finish") {
		t.Errorf("no writer said it was waiting; stderr: %q", notes.String())
	}
}
