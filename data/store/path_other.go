//go:build !windows

package store

import (
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// DefaultPath is where the app keeps its database when none is named: the
// user's config folder, e.g. ~/.config/migrant-desk/migrantdesk.db.
// (path_windows.go has the Windows place.)
func DefaultPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "migrant-desk", "migrantdesk.db")
}

// ownership is the user a file belongs to, by name where the system has
// one, and its permission bits.
func ownership(fi fs.FileInfo) (owner string, mode fs.FileMode) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", fi.Mode().Perm()
	}
	uid := strconv.FormatUint(uint64(st.Uid), 10)
	if u, err := user.LookupId(uid); err == nil {
		return u.Username, fi.Mode().Perm()
	}
	return "the user with ID " + uid, fi.Mode().Perm()
}

// mayReadWrite is why this process may not read and write the file at p,
// if it may not, without opening it (see createPrivate).
func mayReadWrite(p string) error { return unix.Access(p, unix.R_OK|unix.W_OK) }

// mayMakeIn is why this process may not make files in the folder dir, if
// it may not.
func mayMakeIn(dir string) error { return unix.Access(dir, unix.W_OK|unix.X_OK) }

// DeviceName is nil here: only Windows keeps file names for devices
// (path_windows.go).
func DeviceName(string) error { return nil }
