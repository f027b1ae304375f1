package main

import (
	"fmt"
	"io"
	"runtime"

	"migrantdesk/assets"
)

func init() {
	commands["version"] = command{
		usage: "version",
		run:   runVersion,
	}
}

// runVersion prints the release (FyneApp.toml's Version) and the platform
// the program was built for.
func runVersion(args []string, out io.Writer) error {
	// --db is accepted, as by every command, so scripts can pass it along.
	fs, _ := newFlags("version")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("version: unexpected argument %q", fs.Arg(0))
	}
	_, err := fmt.Fprintf(out, "migrantdeskctl %s (%s/%s, %s)\n", assets.Version, runtime.GOOS, runtime.GOARCH, runtime.Version())
	return err
}
