package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Output is a report file being written. Its bytes go to a temporary file
// in the destination's folder, which Commit renames into place and Abort
// removes, so a failed or cancelled report never leaves a partial file.
type Output struct {
	path string
	perm os.FileMode
	tmp  *os.File
}

// Create starts writing the file at path. It fails at once, naming the
// path, when the folder does not exist or cannot be written.
func Create(path string, perm os.FileMode) (*Output, error) {
	if path == "" {
		return nil, errors.New("no output file was named")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("cannot write %s: it is a folder", path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	removeStale(dir, base)
	tmp, err := os.CreateTemp(dir, partialPrefix(base, os.Getpid())+"*"+partialSuffix)
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return &Output{path: path, perm: perm, tmp: tmp}, nil
}

// A file being written is ".NAME.PID-RANDOM.partial" beside its
// destination: hidden, and naming the process writing it, so that the
// partial files of a process that was killed (they may hold PII) can be
// told from those of one still at work.
const partialSuffix = ".partial"

func partialPrefix(base string, pid int) string { return "." + base + "." + strconv.Itoa(pid) + "-" }

// removeStale deletes the partial files of base that a dead process left.
func removeStale(dir, base string) {
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".*"+partialSuffix))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), "."+base+".")
		pid, err := strconv.Atoi(rest[:max(0, strings.IndexByte(rest, '-'))])
		if err != nil || !alive(pid) {
			os.Remove(m)
		}
	}
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`)
	if filepath.Separator == '\\' {
		// Windows has no escape character in patterns; a name with these
		// characters simply finds no stale files.
		return s
	}
	return r.Replace(s)
}

// Path is where the file will be once committed.
func (o *Output) Path() string { return o.path }

func (o *Output) Write(p []byte) (int, error) { return o.tmp.Write(p) }

// Commit flushes the file to disk and puts it at its path, replacing any
// file there.
func (o *Output) Commit() error {
	err := o.tmp.Chmod(o.perm)
	if err == nil {
		err = o.tmp.Sync()
	}
	if cerr := o.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.tmp.Name(), o.path)
	}
	if err != nil {
		os.Remove(o.tmp.Name())
		return fmt.Errorf("cannot write %s: %w", o.path, err)
	}
	return nil
}

// Abort throws the file away. It is safe to call after Commit, which makes
// `defer out.Abort()` the usual pattern.
func (o *Output) Abort() {
	if o.tmp.Close() == nil {
		os.Remove(o.tmp.Name())
	}
}

// WriteFile writes a whole file through an Output: all of it or nothing.
func WriteFile(path string, perm os.FileMode, write func(io.Writer) error) error {
	out, err := Create(path, perm)
	if err != nil {
		return err
	}
	defer out.Abort()
	if err := write(out); err != nil {
		return err
	}
	return out.Commit()
}
