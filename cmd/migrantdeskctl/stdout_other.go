//go:build !windows

package main

import (
	"io"
	"os"
)

// stdout is where commands print; stdout_windows.go ends its lines with CRLF.
func stdout() io.Writer { return os.Stdout }
