package data

import (
	"strings"
	"testing"
)

// Windows opens these as devices, with or without an extension and
// spaces before it, in any case: the device part is what is returned.
func TestWindowsDevice(t *testing.T) {
	devices := "con.db CON Aux.xlsx prn.tar.gz com1.db-lock LPT9.pdf com¹.txt conout$.txt lpt0"
	for _, name := range append(strings.Fields(devices), "nul .pdf") {
		stem, _, _ := strings.Cut(name, ".")
		if got, want := WindowsDevice(name), strings.TrimSpace(stem); got != want {
			t.Errorf("WindowsDevice(%q) = %q, want %q", name, got, want)
		}
	}
	files := "console.db com10.db lpt.pdf migrantdesk.db .con José_Núñez.xlsx nulo.txt"
	for _, name := range append(strings.Fields(files), "my con.db", "QA agregado.pdf") {
		if got := WindowsDevice(name); got != "" {
			t.Errorf("WindowsDevice(%q) = %q, want none: Windows makes it a file", name, got)
		}
	}
}
