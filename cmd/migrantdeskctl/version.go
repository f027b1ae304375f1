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
	if len(args) > 0 {
		return fmt.Errorf("version: unexpected argument %q", args[0])
	}
	_, err := fmt.Fprintf(out, "migrantdeskctl %s (%s/%s, %s)\n", assets.Version, runtime.GOOS, runtime.GOARCH, runtime.Version())
	return err
}
