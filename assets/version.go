package assets

// Version is the release of Migrant Desk, the Version of ../FyneApp.toml,
// for the About dialog, `migrantdeskctl version` and the hub. A test keeps
// the two equal, so FyneApp.toml stays the one place to change it; the
// Makefile passes the same value to the Windows version resource and to the
// package names.
const Version = "0.1.0"
