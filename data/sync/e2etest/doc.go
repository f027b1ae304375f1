// Package e2etest holds the end-to-end, fault and property tests of sync
// and the sync benchmarks: a real hub (`migrantdeskctl hub serve`, or the
// hub's handler over its SQLite store for the property test) on loopback,
// and real workstation database files synced with `migrantdeskctl sync`
// or the client package. Everything is in its _test.go files; this file
// only names the package.
package e2etest
