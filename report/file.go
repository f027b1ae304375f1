package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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
	removeStale(dir)
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

// partialName is the name of a partial file of this program, with the
// number of the process writing it.
var partialName = regexp.MustCompile(`^\..+\.([0-9]+)-[0-9]+\` + partialSuffix + `$`)

// removeStale deletes the partial files in dir that processes no longer
// running left (killed outright, they could not clean up), and says how
// many it removed.
func removeStale(dir string) int {
	es, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	removed := 0
	for _, e := range es {
		m := partialName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		if pid, err := strconv.Atoi(m[1]); err == nil && alive(pid) {
			continue
		}
		if os.Remove(filepath.Join(dir, e.Name())) == nil {
			removed++
		}
	}
	return removed
}

// ExportLog names the folders exports were written to.
type ExportLog interface {
	ExportFolders(ctx context.Context) ([]string, error)
}

// RemoveStale deletes the partial files that killed exports left in the
// folders the audit log names, so that none of them (they may hold PII)
// outlives the next start of the app or the next report. It says how
// many it removed.
func RemoveStale(ctx context.Context, log ExportLog) (int, error) {
	dirs, err := log.ExportFolders(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range dirs {
		n += removeStale(d)
	}
	return n, nil
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
