//go:build unix

package main

import (
	"os"
	"syscall"
)

const exeSuffix = ""

// run replaces this process with the companion, so that signals, the
// exit status and the standard streams are the companion's own, with no
// process in between. It returns only if the companion could not start.
func run(companion string, args []string) error {
	return syscall.Exec(companion, append([]string{companion}, args...), os.Environ())
}
