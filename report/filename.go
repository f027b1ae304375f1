package report

import (
	"strings"
	"unicode"

	"migrantdesk/data"
)

// SafeFileName is name made a file name that Windows takes as it is
// given, for names the program proposes from the state's data (a
// district number, a region code), which may hold anything a CSV cell
// may: each character Windows refuses in a name (\ / : * ? " < > | and
// control characters) becomes "_", trailing dots and spaces (which
// Windows drops) go, and a name Windows keeps for a device (CON, NUL,
// COM1, ... with any extension) gets a "_" after its device part. Linux
// refuses fewer names; one name for both keeps a file copied between
// them the same.
func SafeFileName(name string) string {
	b := []rune(strings.TrimRight(name, ". "))
	for i, c := range b {
		if unicode.IsControl(c) || strings.ContainsRune(`\/:*?"<>|`, c) {
			b[i] = '_'
		}
	}
	s := string(b)
	if s == "" {
		return "_"
	}
	if dev := data.WindowsDevice(s); dev != "" {
		return dev + "_" + s[len(dev):]
	}
	return s
}
