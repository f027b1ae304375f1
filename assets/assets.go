// Package assets holds the static files compiled into Migrant Desk: the
// application icon (icon.png, 512x512, also named in FyneApp.toml), the
// DejaVu Sans fonts (fonts/, see fonts/LICENSE) that the PDF reports embed so
// that accented names print correctly, and the release Version.
package assets

import _ "embed"

// Icon is the application icon, a 512x512 PNG.
//
//go:embed icon.png
var Icon []byte

// FontRegular is DejaVu Sans, a TrueType font with broad Unicode coverage.
//
//go:embed fonts/DejaVuSans.ttf
var FontRegular []byte

// FontBold is DejaVu Sans Bold.
//
//go:embed fonts/DejaVuSans-Bold.ttf
var FontBold []byte
