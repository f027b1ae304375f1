package cli

import (
	"strings"
	"testing"
)

// TestPgpassFile: the password file named is the one pgx reads on each
// system: on Windows pgpass.conf in %APPDATA%\postgresql, whatever the
// home folder holds, and everywhere the URL's passfile, then PGPASSFILE,
// first.
func TestPgpassFile(t *testing.T) {
	const db = "postgres://owner@db.example/migrantdesk?sslmode=verify-full"
	home := map[string]string{"HOME": "/home/ana", "USERPROFILE": `C:\Users\ana`}
	windows := map[string]string{"APPDATA": `C:\Users\ana\AppData\Roaming`, "USERPROFILE": `C:\Users\ana`, "HOME": `C:\Users\ana`}
	for _, c := range []struct {
		name, db, goos string
		env            map[string]string
		path, what     string
	}{
		{"linux", db, "linux", home, "/home/ana/.pgpass", "the password file"},
		{"linux, no home", db, "linux", nil, "", ""},
		{"windows", db, "windows", windows, `C:\Users\ana\AppData\Roaming\postgresql\pgpass.conf`, "the password file"},
		{"windows, APPDATA ends in a backslash", db, "windows", map[string]string{"APPDATA": `D:\Roaming\`}, `D:\Roaming\postgresql\pgpass.conf`, "the password file"},
		{"windows, no APPDATA", db, "windows", home, "", ""},
		{"PGPASSFILE", db, "windows", map[string]string{"APPDATA": `C:\R`, "PGPASSFILE": `E:\keys\pg.conf`}, `E:\keys\pg.conf`, "PGPASSFILE"},
		{"the URL's passfile", db + "&passfile=/etc/migrantdesk/pgpass", "linux",
			map[string]string{"HOME": "/home/ana", "PGPASSFILE": "/tmp/other"}, "/etc/migrantdesk/pgpass", "the URL's passfile"},
	} {
		getenv := func(k string) string { return c.env[k] }
		path, what := PgpassFile(c.db, c.goos, getenv)
		if path != c.path || what != c.what {
			t.Errorf("%s: %q (%s), want %q (%s)", c.name, path, what, c.path, c.what)
		}
	}
	if got := PgpassPlaces("windows"); !strings.Contains(got, `%APPDATA%\postgresql\pgpass.conf`) || strings.Contains(got, ".pgpass") {
		t.Errorf("the places named on Windows: %s", got)
	}
	if got := PgpassPlaces("linux"); !strings.Contains(got, "~/.pgpass") {
		t.Errorf("the places named on Linux: %s", got)
	}
}
