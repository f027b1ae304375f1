//go:build !windows

package cli

import (
	"io"
	"os"
)

// Stdout is where commands print; stdout_windows.go ends its lines with CRLF.
func Stdout() io.Writer { return os.Stdout }
