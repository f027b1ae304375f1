package data

import "strings"

// WindowsDevice is the device name that the file name name (no folder)
// stands for on Windows, or "" when it names a file: Windows opens CON,
// PRN, AUX, NUL, COM0 to COM9 and LPT0 to LPT9 (and COM and LPT with a
// superscript 1, 2 or 3) in place of a file of that name in any folder,
// whatever follows the name's first dot, and trailing spaces before it.
func WindowsDevice(name string) string {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.TrimRight(stem, " ")
	u := strings.ToUpper(stem)
	switch u {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return stem
	}
	r := []rune(u)
	if len(r) != 4 || (string(r[:3]) != "COM" && string(r[:3]) != "LPT") {
		return ""
	}
	if r[3] >= '0' && r[3] <= '9' || r[3] == '¹' || r[3] == '²' || r[3] == '³' {
		return stem
	}
	return ""
}
