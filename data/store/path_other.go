//go:build !windows

package store

import (
	"os"
	"path/filepath"
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
