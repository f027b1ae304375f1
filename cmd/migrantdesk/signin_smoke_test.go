package main

import (
	"path/filepath"
	"testing"
)

// TestSignInSmoke starts the real app under Xvfb on a new workstation's
// database, which asks its user to sign in to the hub, and saves a
// screenshot to shots/sign-in.png at the top of the repository.
func TestSignInSmoke(t *testing.T) {
	bin := buildApp(t)
	shot, colours := shoot(t, bin, "sign-in.png", "--db", filepath.Join(t.TempDir(), "new.db"))
	t.Logf("screenshot of the sign-in: %s (%d colours)", shot, colours)
}
