package data

import "strings"

// IsNonPublic reports whether a school classification code marks a
// non-public (private) school; every other code, and none, is public.
func IsNonPublic(classification string) bool {
	switch strings.ToUpper(strings.TrimSpace(classification)) {
	case "J1", "M1", "M2", "R1":
		return true
	}
	return false
}
