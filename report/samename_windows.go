package report

import "strings"

// Windows file names are case-insensitive.
func sameName(a, b string) bool { return strings.EqualFold(a, b) }
