package report

import (
	"strings"
	"unicode"
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
	stem, _, _ := strings.Cut(s, ".")
	if dev := strings.TrimRight(stem, " "); windowsDevice(dev) {
		return dev + "_" + s[len(dev):]
	}
	return s
}

// windowsDevice reports whether stem, a file name before its first dot,
// names one of the devices Windows opens in place of a file of that name
// in any folder. COM and LPT take a digit from 0 to 9 or a superscript
// 1, 2 or 3.
func windowsDevice(stem string) bool {
	u := strings.ToUpper(stem)
	switch u {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	r := []rune(u)
	if len(r) != 4 || (string(r[:3]) != "COM" && string(r[:3]) != "LPT") {
		return false
	}
	return r[3] >= '0' && r[3] <= '9' || r[3] == '¹' || r[3] == '²' || r[3] == '³'
}
