package assets

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestIcon(t *testing.T) {
	cfg, err := png.DecodeConfig(bytes.NewReader(Icon))
	if err != nil {
		t.Fatalf("icon is not a PNG: %v", err)
	}
	if cfg.Width != 512 || cfg.Height != 512 {
		t.Errorf("icon is %dx%d, want 512x512", cfg.Width, cfg.Height)
	}
	if _, err := png.Decode(bytes.NewReader(Icon)); err != nil {
		t.Errorf("icon does not decode: %v", err)
	}
}

func TestFonts(t *testing.T) {
	trueType := []byte{0x00, 0x01, 0x00, 0x00}
	for name, font := range map[string][]byte{"FontRegular": FontRegular, "FontBold": FontBold} {
		if len(font) < 100_000 {
			t.Errorf("%s is only %d bytes", name, len(font))
		}
		if !bytes.HasPrefix(font, trueType) {
			t.Errorf("%s does not start with the TrueType signature: % x", name, font[:min(len(font), 4)])
		}
	}
	if bytes.Equal(FontRegular, FontBold) {
		t.Error("FontRegular and FontBold are the same file")
	}
}

// TestVersion keeps Version equal to FyneApp.toml's, where a release is
// numbered (and where the Makefile reads it for the packages).
func TestVersion(t *testing.T) {
	toml, err := os.ReadFile(filepath.Join("..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]*)"`).FindSubmatch(toml)
	if m == nil {
		t.Fatal("FyneApp.toml has no Version line")
	}
	if got := string(m[1]); got != Version {
		t.Errorf("FyneApp.toml says Version %q, assets.Version is %q: make them agree", got, Version)
	}
}
