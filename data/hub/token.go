package hub

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// NewToken makes an opaque sign-in token: 32 random bytes, URL-safe. The
// hub keeps only its hash (TokenHash), so a copy of the hub's database
// does not hold usable tokens.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a sign-in token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenHash is how a token is stored and looked up. A token has 256 bits
// of entropy, so a plain SHA-256 is enough: there is nothing to guess.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
