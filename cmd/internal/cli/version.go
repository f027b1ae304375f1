package cli

import (
	"fmt"
	"io"
	"runtime"

	"migrantdesk/assets"
)

// RunVersion prints the release (FyneApp.toml's Version) and the platform
// the program was built for.
func RunVersion(args []string, out io.Writer) error {
	// --db is accepted, as by every command, so scripts can pass it along.
	fs, _ := NewFlags("version")
	if err := Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("version: unexpected argument %q", fs.Arg(0))
	}
	_, err := fmt.Fprintf(out, "migrantdeskctl %s (%s/%s, %s)\n", assets.Version, runtime.GOOS, runtime.GOARCH, runtime.Version())
	return err
}
