package store

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"migrantdesk/data"
)

// DefaultPath is where the app keeps its database when none is named:
// %LOCALAPPDATA%\Migrant Desk\migrantdesk.db (os.UserCacheDir is
// %LOCALAPPDATA% on Windows). Open creates the folder.
//
// The local folder, not the roaming %APPDATA%: a state-scale database must
// not be copied to a server at every sign-in and sign-out. Windows ignores
// the 0600 and 0700 modes Open asks for; the file and its -wal and -shm
// files inherit the folder's ACL instead, and a profile's AppData grants
// only the user, SYSTEM and Administrators. A --db outside the profile
// gets that folder's protection, so keep it in a folder only its user can
// read.
func DefaultPath() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "Migrant Desk", "migrantdesk.db")
}

// ownership is empty on Windows: who may open a file is its access
// control list, which no owner and mode bits sum up.
func ownership(fi fs.FileInfo) (owner string, mode fs.FileMode) { return "", 0 }

// mayReadWrite is nil on Windows, whose access control lists decide: a
// -wal or -shm file SQLite may not open is refused in its own words.
func mayReadWrite(string) error { return nil }

// mayMakeIn is why this process may not make files in the folder dir, if
// it may not. Windows has no call that sums up what a folder's access
// control list lets this process do, and SQLite refused a folder it may
// not make its -wal and -shm in with "unable to open database file
// (14)", which names neither the folder nor what to do: tryMakeIn makes
// a file there and removes it.
func mayMakeIn(dir string) error { return tryMakeIn(dir) }

// DeviceName is why path cannot name a file, when its name is one
// Windows keeps for a device: a database or report named con.db or
// nul.xlsx was opened as the device, and failed in words that name
// neither (Wine: "Invalid handle", "Bad device type"), or waited for
// ever on AUX. The files kept beside a database (-lock, -wal) share its
// name before the first dot.
func DeviceName(path string) error {
	if dev := data.WindowsDevice(filepath.Base(path)); dev != "" {
		return fmt.Errorf("%s cannot be a file: Windows keeps the name %s for a device, whatever follows it after a dot; "+
			"choose another name", path, strings.ToUpper(dev))
	}
	return nil
}
