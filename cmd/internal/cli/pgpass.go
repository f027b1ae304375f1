package cli

import (
	"net/url"
	"strings"
)

// PgpassFile is the password file pgx reads for the PostgreSQL URL db
// when neither the URL nor PGPASSWORD gives a password, on the system
// goos with the environment getenv, and how a message names it: the
// URL's passfile parameter, else PGPASSFILE, else libpq's own place,
// which on Windows is pgpass.conf in %APPDATA%\postgresql (pgconn's
// defaults_windows.go), never the home folder's .pgpass that a DBA used
// to Linux would make there. path is "" when the environment names no
// such place (no home folder, no APPDATA).
func PgpassFile(db, goos string, getenv func(string) string) (path, what string) {
	if u, err := url.Parse(db); err == nil && u.Query().Get("passfile") != "" {
		return u.Query().Get("passfile"), "the URL's passfile"
	}
	if p := getenv("PGPASSFILE"); p != "" {
		return p, "PGPASSFILE"
	}
	if goos == "windows" {
		if appData := getenv("APPDATA"); appData != "" {
			return strings.TrimRight(appData, `\/`) + `\postgresql\pgpass.conf`, "the password file"
		}
		return "", ""
	}
	if home := getenv("HOME"); home != "" {
		return strings.TrimRight(home, "/") + "/.pgpass", "the password file"
	}
	return "", ""
}

// PgpassPlaces names, for a hint, where pgx looks for the PostgreSQL
// password file on the system goos.
func PgpassPlaces(goos string) string {
	if goos == "windows" {
		return `PGPASSFILE or %APPDATA%\postgresql\pgpass.conf`
	}
	return "PGPASSFILE or ~/.pgpass"
}
