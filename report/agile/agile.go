// Package agile encrypts an Office Open XML file (a workbook) with ECMA-376
// Agile encryption, as Excel does: AES-256 in CBC mode with a SHA-512 key
// derivation of 100,000 rounds and an HMAC-SHA-512 over the encrypted
// package (MS-OFFCRYPTO §2.3.4.10 to §2.3.4.15). The result is an OLE
// compound file with the streams and storages Excel writes; programs that
// read Agile encryption (excelize, LibreOffice, msoffcrypto-tool) open it
// with the password. Only the password key encryptor is written.
package agile

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	// SpinCount is the number of hash rounds of the key derivation:
	// Excel's own, which makes each password guess cost 100,000 SHA-512s.
	SpinCount = 100000

	// MaxPasswordLength is Excel's limit, in characters.
	MaxPasswordLength = 255

	keyBytes    = 32 // AES-256
	saltBytes   = 16
	blockBytes  = aes.BlockSize
	hashBytes   = sha512.Size
	segmentSize = 4096
)

// Block keys of MS-OFFCRYPTO §2.3.4.11 to §2.3.4.14: each derives a
// different key or IV from the same hash.
var (
	blockVerifierInput = []byte{0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79}
	blockVerifierValue = []byte{0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e}
	blockKeyValue      = []byte{0x14, 0x6e, 0x0b, 0xe7, 0xab, 0xac, 0xd0, 0xd6}
	blockHmacKey       = []byte{0x5f, 0xb2, 0xad, 0x01, 0x0c, 0xb9, 0xe1, 0xf6}
	blockHmacValue     = []byte{0xa0, 0x67, 0x7f, 0x02, 0xb2, 0x2c, 0x84, 0x33}
)

// CheckPassword refuses a password a workbook cannot be opened with:
// empty, not UTF-8, longer than Excel takes, or holding a control
// character (a tab or the line end of a pasted cell), which cannot be
// typed where Excel asks for the password.
func CheckPassword(password string) error {
	if password == "" {
		return errors.New("the password is empty")
	}
	if !utf8.ValidString(password) {
		return errors.New("the password is not valid UTF-8 text")
	}
	if n := len(utf16.Encode([]rune(password))); n > MaxPasswordLength {
		return fmt.Errorf("the password is %d characters long; Excel accepts at most %d", n, MaxPasswordLength)
	}
	for i, r := range []rune(password) {
		if unicode.IsControl(r) {
			return fmt.Errorf("character %d of the password is a control character (U+%04X), pasted with it, which cannot be typed "+
				"where Excel asks for the password: type the password rather than paste it", i+1, r)
		}
	}
	return nil
}

// Encrypt writes plain (the bytes of an .xlsx, .docx or .pptx) to w
// encrypted with password. The password must be 1 to 255 characters of
// valid UTF-8.
func Encrypt(plain []byte, password string, w io.Writer) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	if int64(len(plain)) > maxStreamSize-segmentSize {
		return fmt.Errorf("the file is %d bytes, too large to encrypt in a compound file", len(plain))
	}
	r, err := randomParts()
	if err != nil {
		return err
	}
	info, pkg, err := encrypt(plain, password, r)
	if err != nil {
		return err
	}
	return writeCompoundFile(w,
		stream("EncryptionInfo", info),
		stream("EncryptedPackage", pkg),
		dataSpaces())
}

// random are the secrets and salts of one encryption, drawn afresh for
// every file.
type random struct {
	secretKey, keyDataSalt, passwordSalt, verifierInput, hmacKey []byte
}

func randomParts() (random, error) {
	b := make([]byte, keyBytes+3*saltBytes+hashBytes)
	if _, err := rand.Read(b); err != nil {
		return random{}, fmt.Errorf("draw the encryption key: %w", err)
	}
	return random{
		secretKey:     b[:keyBytes],
		keyDataSalt:   b[keyBytes : keyBytes+saltBytes],
		passwordSalt:  b[keyBytes+saltBytes : keyBytes+2*saltBytes],
		verifierInput: b[keyBytes+2*saltBytes : keyBytes+3*saltBytes],
		hmacKey:       b[keyBytes+3*saltBytes:],
	}, nil
}

// encrypt returns the EncryptionInfo and EncryptedPackage streams.
func encrypt(plain []byte, password string, r random) (info, pkg []byte, err error) {
	secret, err := aes.NewCipher(r.secretKey)
	if err != nil {
		return nil, nil, fmt.Errorf("set up the encryption: %w", err)
	}

	// §2.3.4.15: the package's size, then 4096-byte segments each
	// encrypted with an IV from the salt and the segment's number.
	pkg = binary.LittleEndian.AppendUint64(make([]byte, 0, 8+len(plain)+blockBytes), uint64(len(plain)))
	var index [4]byte
	for i, start := 0, 0; start < len(plain); i, start = i+1, start+segmentSize {
		seg := plain[start:min(start+segmentSize, len(plain))]
		binary.LittleEndian.PutUint32(index[:], uint32(i))
		at := len(pkg)
		pkg = append(pkg, seg...)
		pkg = append(pkg, make([]byte, padLen(len(seg)))...)
		cbc(secret, iv(r.keyDataSalt, index[:]), pkg[at:])
	}

	// §2.3.4.14: an HMAC of the whole encrypted stream, its key and
	// value stored encrypted with the secret key.
	mac := hmac.New(sha512.New, r.hmacKey)
	mac.Write(pkg)
	encHmacKey := cbc(secret, iv(r.keyDataSalt, blockHmacKey), clone(r.hmacKey))
	encHmacValue := cbc(secret, iv(r.keyDataSalt, blockHmacValue), mac.Sum(nil))

	// §2.3.4.11 to §2.3.4.13: the password's keys encrypt a verifier, its
	// hash and the secret key, each with the password salt as the IV.
	h := passwordHash(password, r.passwordSalt)
	encVerifierInput, err := cbcWith(derive(h, blockVerifierInput), r.passwordSalt, clone(r.verifierInput))
	if err != nil {
		return nil, nil, err
	}
	verifierHash := sha512.Sum512(r.verifierInput)
	encVerifierValue, err := cbcWith(derive(h, blockVerifierValue), r.passwordSalt, verifierHash[:])
	if err != nil {
		return nil, nil, err
	}
	encKeyValue, err := cbcWith(derive(h, blockKeyValue), r.passwordSalt, clone(r.secretKey))
	if err != nil {
		return nil, nil, err
	}

	b64 := base64.StdEncoding.EncodeToString
	const params = `saltSize="16" blockSize="16" keyBits="256" hashSize="64" ` +
		`cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"`
	descriptor := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" +
		`<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption"` +
		` xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">` +
		`<keyData ` + params + ` saltValue="` + b64(r.keyDataSalt) + `"/>` +
		`<dataIntegrity encryptedHmacKey="` + b64(encHmacKey) + `" encryptedHmacValue="` + b64(encHmacValue) + `"/>` +
		`<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">` +
		fmt.Sprintf(`<p:encryptedKey spinCount="%d" `, SpinCount) + params +
		` saltValue="` + b64(r.passwordSalt) + `"` +
		` encryptedVerifierHashInput="` + b64(encVerifierInput) + `"` +
		` encryptedVerifierHashValue="` + b64(encVerifierValue) + `"` +
		` encryptedKeyValue="` + b64(encKeyValue) + `"/>` +
		`</keyEncryptor></keyEncryptors></encryption>`

	// §2.3.4.10: version 4.4, flags fAgile (0x40), then the XML.
	info = binary.LittleEndian.AppendUint16(nil, 4)
	info = binary.LittleEndian.AppendUint16(info, 4)
	info = binary.LittleEndian.AppendUint32(info, 0x40)
	return append(info, descriptor...), pkg, nil
}

// passwordHash is H(n) of §2.3.4.11: SHA-512 of the salt and the UTF-16LE
// password, then SpinCount rounds of SHA-512(round number, hash).
func passwordHash(password string, salt []byte) []byte {
	b := clone(salt)
	for _, u := range utf16.Encode([]rune(password)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	h := sha512.Sum512(b)
	var round [4 + hashBytes]byte
	for i := range uint32(SpinCount) {
		binary.LittleEndian.PutUint32(round[:4], i)
		copy(round[4:], h[:])
		h = sha512.Sum512(round[:])
	}
	return h[:]
}

// derive is the key of §2.3.4.11 for one block key: SHA-512 of the
// password hash and the block key, cut to 256 bits.
func derive(h, blockKey []byte) []byte {
	k := sha512.Sum512(append(clone(h), blockKey...))
	return k[:keyBytes]
}

// iv is SHA-512 of the salt and a block key, cut to the AES block size.
func iv(salt, blockKey []byte) []byte {
	d := sha512.Sum512(append(clone(salt), blockKey...))
	return d[:blockBytes]
}

// cbc encrypts b in place with AES-CBC and returns it. len(b) is a
// multiple of the block size.
func cbc(block cipher.Block, iv, b []byte) []byte {
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(b, b)
	return b
}

func cbcWith(key, iv, b []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("set up the password key: %w", err)
	}
	return cbc(block, iv, b), nil
}

// padLen is the zero padding that fills n bytes to whole AES blocks.
func padLen(n int) int { return (blockBytes - n%blockBytes) % blockBytes }

func clone(b []byte) []byte { return append([]byte(nil), b...) }
