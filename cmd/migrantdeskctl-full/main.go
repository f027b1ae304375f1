// Command migrantdeskctl-full is the whole migrantdeskctl: demo data,
// extract imports, bulk migrant records, search, reports, reconciliation,
// the state hub and sync. migrantdeskctl, the lean program people run,
// does search and version itself and hands every other command here,
// installed beside it (see cmd/migrantdeskctl); run directly, this program
// does every command, search included. It is pure Go (CGO_ENABLED=0) and
// needs no display.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"syscall"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"

	"migrantdesk/cmd/internal/cli"
	"migrantdesk/data"
	"migrantdesk/data/store"
)

// commands is filled by the init functions of the files beside this one,
// one file per command; their usage lines are in cli.Usages.
var commands = cli.Commands()

func main() {
	cli.Main(commands, os.Args[1:])
}

func dispatch(args []string, out io.Writer) error {
	return cli.Dispatch(commands, args, out)
}

// actingUser is who a command acts as on a database: the user who last
// synced it with a hub (a coordinator's workstation stays a coordinator's
// on the command line), or on a standalone database the operator at the
// terminal (data.Operator).
func actingUser(ctx context.Context, st *store.Store) (data.User, error) {
	id, synced, err := st.Identity(ctx)
	if err != nil || !synced {
		return data.Operator(operator()), err
	}
	return id.User, nil
}

// operator names who runs the command, for the audit log.
func operator() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "migrantdeskctl"
}

// askPassword asks for a password at the terminal, twice, without showing
// it. It refuses when in is not a terminal: a password piped in would
// sit in a file or a shell's history, which --password-file makes explicit.
func askPassword(in *os.File, prompt io.Writer) (string, error) {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		return "", errors.New("--ask-password needs a terminal to type the password in; without one, put it in a file readable only by you and give --password-file FILE")
	}
	// Ctrl+C while echo is off would leave the terminal not showing what
	// is typed: put it back before the signal ends the command.
	if state, err := term.GetState(fd); err == nil {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
		done := make(chan struct{})
		defer func() { signal.Stop(stop); close(done) }()
		go func() {
			select {
			case <-stop:
				term.Restore(fd, state)
				fmt.Fprintln(prompt)
				os.Exit(130)
			case <-done:
			}
		}()
	}
	fmt.Fprint(prompt, "Password for the Detail workbook: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	fmt.Fprint(prompt, "The same password again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	switch {
	case len(first) == 0:
		return "", errors.New("no password was typed; nothing was written")
	case string(first) != string(second):
		return "", errors.New("the two passwords differ; nothing was written")
	}
	return string(first), nil
}

// readSecret reads a password from the first line of a file, so that it
// never appears on a command line (visible to every user in ps).
func readSecret(path string) (string, error) {
	line, err := secretLine(path, "the password file")
	if err == nil && line == "" {
		err = fmt.Errorf("the password file %s is empty", path)
	}
	return line, err
}

// relativeHint is what to add to err, the failure to open the file at
// path, when path is relative and names no file: where it was looked
// for. A scheduled task runs in a folder of its own (Task Scheduler's is
// C:\Windows\System32 unless told otherwise), where a path that works
// at the prompt names nothing.
func relativeHint(path string, err error) string {
	if filepath.IsAbs(path) || !errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	wd, werr := os.Getwd()
	if werr != nil {
		return ""
	}
	return fmt.Sprintf(" (looked for in %s, the folder the command runs in, which for a scheduled task is a folder of its own: give the file's full path)", wd)
}

// maxSecretRead bounds what is read of a password file, far above any
// password (the hub takes a sign-in of 4 KB in all), so that a path such
// as /dev/zero is refused rather than read until memory runs out.
const maxSecretRead = 4096

// secretLine is the first line of the file at path without its line end,
// and without the byte-order mark Notepad may write before it: as bytes,
// the mark and a UTF-16 file (what Windows PowerShell's echo and Out-File
// write) made a password no one can type, so that the account, the
// encrypted workbook or the sign-in of a scheduled sync was refused with
// no word of why. what names the file in messages.
func secretLine(path, what string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w%s", what, err, relativeHint(path, err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		if err := private(fi, what, path); err != nil {
			return "", err
		}
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSecretRead+1))
	if err != nil {
		return "", fmt.Errorf("read %s %s: %w", what, path, err)
	}
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return "", fmt.Errorf("%s %s is saved as UTF-16; save it as UTF-8 (in PowerShell: Set-Content -Encoding utf8)", what, path)
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	line, _, ended := bytes.Cut(b, []byte("\n"))
	if !ended && len(b) > maxSecretRead {
		return "", fmt.Errorf("the first line of %s %s is longer than %d bytes, more than any password", what, path, maxSecretRead)
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	if !utf8.Valid(line) {
		return "", fmt.Errorf("%s %s is not UTF-8 text; save it as UTF-8", what, path)
	}
	for i, r := range []rune(string(line)) {
		if unicode.IsControl(r) {
			return "", fmt.Errorf("%s %s: character %d of its first line is a control character (U+%04X), which no one types in a password", what, path, i+1, r)
		}
	}
	return string(line), nil
}

// private refuses the password file fi at path, named what in the
// message, when every user of this computer may read it (readByAll).
func private(fi os.FileInfo, what, path string) error {
	if !readByAll(fi) {
		return nil
	}
	return fmt.Errorf("%s %s can be read by every user of this computer (mode %04o); make it readable by its owner only (chmod 600 %s) and run the command again",
		what, path, fi.Mode().Perm(), path)
}

// readByAll reports whether every user of this computer may read the
// regular file fi, as a file written under the usual umask (echo > F)
// may: its password is then theirs, as libpq ignores such a .pgpass. A
// group's read is left to the administrator who shares the file with a
// service's group (640). Windows keeps no such bits (a file reports
// 0666), and a pipe (/dev/stdin) is no file others open.
func readByAll(fi os.FileInfo) bool {
	return runtime.GOOS != "windows" && fi.Mode().IsRegular() && fi.Mode().Perm()&0o004 != 0
}
