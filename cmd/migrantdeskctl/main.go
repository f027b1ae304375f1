// Command migrantdeskctl is the headless companion of the Migrant Desk app:
// demo data, extract imports, bulk migrant records, search, reports,
// reconciliation, the state hub and sync. It is pure Go (CGO_ENABLED=0)
// and needs no display.
//
// This program is the lean front of two, as git is of its commands: it
// runs search and version itself, and hands every other command, with the
// same arguments, standard streams and exit status, to migrantdeskctl-full
// (cmd/migrantdeskctl-full) installed beside it. A process starts the
// packages it links before main runs; the workbook, PDF, metrics and
// PostgreSQL packages the other commands need took more than half of a
// search process's instructions, and a search is what a clerk runs most.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"migrantdesk/cmd/internal/cli"
)

// own is what this program runs itself; every other command of cli.Usages
// is migrantdeskctl-full's.
var own = cli.Commands()

func main() {
	args := os.Args[1:]
	if !cli.IsHelp(args) {
		_, mine := own[args[0]]
		if _, known := cli.Usages[args[0]]; known && !mine {
			handOver(args)
		}
	}
	cli.Main(own, args)
}

// companionName is the file name of the whole CLI, beside this program.
const companionName = "migrantdeskctl-full" + exeSuffix

// handOver runs args[0] in migrantdeskctl-full and ends the process with
// its exit status, or with a line saying why it could not; it does not
// return.
func handOver(args []string) {
	self, err := os.Executable()
	if err == nil {
		// A link to the program (/usr/local/bin/migrantdeskctl to where
		// a package keeps it) leads to the folder that has the companion.
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		cli.Fail(fmt.Errorf("the command %q needs %s beside this program, but where this program is cannot be told (%w); run %s directly",
			args[0], companionName, err, companionName))
	}
	companion := filepath.Join(filepath.Dir(self), companionName)
	err = run(companion, args)
	if errors.Is(err, fs.ErrNotExist) {
		cli.Fail(fmt.Errorf("the command %q needs %s beside %s; reinstall Migrant Desk", args[0], companionName, self))
	}
	cli.Fail(fmt.Errorf("the command %q could not start %s: %w; reinstall Migrant Desk", args[0], companion, err))
}
