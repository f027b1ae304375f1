package main

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
)

const exeSuffix = ".exe"

// run starts the companion on this console's standard streams, waits for
// it and ends this process with its exit code: Windows has no exec that
// replaces a process. The console sends Ctrl+C and Ctrl+Break to both
// processes; this one must outlive the companion to pass on its code, so
// it takes the signal and leaves what to do to the companion. (Ignoring
// it would not do: Go's runtime then lets Windows end the process.)
// It returns only if the companion could not start.
func run(companion string, args []string) error {
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	cmd := exec.Command(companion, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return err
	}
	os.Exit(cmd.ProcessState.ExitCode())
	return nil
}
