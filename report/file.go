package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"migrantdesk/data/store"
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
	if err := checkPlace(path); err != nil {
		return nil, err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	// What cannot be removed now is reported by the next RemoveStale.
	_, _ = removeStale(dir, map[string]bool{base: true})
	tmp, err := os.CreateTemp(dir, PartialPrefix(base, os.Getpid())+"*"+partialSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		// The system's words name the hidden partial file,
		// a name the person never gave.
		return nil, fmt.Errorf("cannot write %s: the folder %s does not exist; make it, or name a file in another folder", path, filepath.Clean(dir))
	}
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return &Output{path: path, perm: perm, tmp: tmp}, nil
}

// checkPlace refuses a path no file can be written at: none, a name
// Windows keeps for a device, a folder, or a file in a folder that does
// not exist.
func checkPlace(path string) error {
	if path == "" {
		return errors.New("no output file was named")
	}
	if err := store.DeviceName(path); err != nil {
		return err
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("cannot write %s: it is a folder", path)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.IsDir()) {
		return fmt.Errorf("cannot write %s: the folder %s does not exist; make it, or name a file in another folder", path, dir)
	}
	return nil
}

// A file being written is ".NAME.HOST.PID-RANDOM.partial" beside its
// destination: hidden, and naming the computer and the process writing
// it, so that the partial files of a process that was killed (they may
// hold PII) can be told from those of one still at work. The computer's
// name matters in a folder shared over the network: another
// workstation's process numbers mean nothing here, and its export in
// progress must not be deleted.
const partialSuffix = ".partial"

// PartialPrefix is how the partial files of the destination named base
// that process pid of this computer writes begin.
func PartialPrefix(base string, pid int) string { return partialPrefix(base, thisHost(), pid) }

func partialPrefix(base, host string, pid int) string {
	return "." + base + "." + host + "." + strconv.Itoa(pid) + "-"
}

// partialName is the name of a partial file of this program: the
// destination's base name, the computer's name (which hostTag keeps free
// of dots, so the split is certain), the process's number.
var partialName = regexp.MustCompile(`^\.(.+)\.([A-Za-z0-9_-]+)\.([0-9]+)-[0-9]+\` + partialSuffix + `$`)

// unknownHost names the computer in partial files when it has no name to
// give; those files are never removed, since they could be another's.
const unknownHost = "unknown-host"

// thisHost is this computer's name as partial files carry it.
func thisHost() string {
	h, err := os.Hostname()
	if err != nil {
		return unknownHost
	}
	if t := hostTag(h); t != "" {
		return t
	}
	return unknownHost
}

// hostTag is a host name made fit for a file name on any system: letters,
// digits, '-' and '_' kept, anything else '_', at most 63 bytes (a DNS
// label's limit).
func hostTag(h string) string {
	b := []byte(h)
	if len(b) > 63 {
		b = b[:63]
	}
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// removeStale deletes the partial files in dir of the destinations named
// in bases that processes of this computer no longer running left (killed
// outright, they could not clean up), and says how many it removed. A
// folder that is gone holds none; one that cannot be read, or a file that
// cannot be removed, is an error, since the file may hold PII.
func removeStale(dir string, bases map[string]bool) (int, error) {
	host := thisHost()
	if host == unknownHost {
		return 0, nil
	}
	es, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("cannot look for unfinished report files in %s: %w", dir, err)
	}
	removed := 0
	var errs []error
	for _, e := range es {
		m := partialName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() || !bases[m[1]] || m[2] != host {
			continue
		}
		if pid, err := strconv.Atoi(m[3]); err == nil && alive(pid) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err == nil {
			removed++
		} else if !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("cannot remove the unfinished report file %s: %w", p, err))
		}
	}
	return removed, errors.Join(errs...)
}

// ExportLog names the files exports were written to.
type ExportLog interface {
	ExportFiles(ctx context.Context) ([]string, error)
}

// RemoveStale deletes the partial files that killed exports of this
// computer left beside the files the audit log names, so that none of
// them (they may hold PII) outlives the next start of the app or the next
// report. It says how many it removed, and what it could not look at or
// remove.
func RemoveStale(ctx context.Context, log ExportLog) (int, error) {
	files, err := log.ExportFiles(ctx)
	if err != nil {
		return 0, err
	}
	var dirs []string
	bases := map[string]map[string]bool{}
	for _, f := range files {
		dir, base := filepath.Split(f)
		// A logged path that names no file in a folder had no partial file
		// beside it: a Windows device such as nul.xlsx, which an export of
		// an earlier release logged as the device \\.\nul.
		if base == "" {
			continue
		}
		if bases[dir] == nil {
			bases[dir] = map[string]bool{}
			dirs = append(dirs, dir)
		}
		bases[dir][base] = true
	}
	n := 0
	var errs []error
	for _, d := range dirs {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		removed, err := removeStale(d, bases[d])
		n += removed
		if err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
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
