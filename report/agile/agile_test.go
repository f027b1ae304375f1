package agile

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The block keys as MS-OFFCRYPTO §2.3.4.13 and §2.3.4.14 print them,
// apart from the package's own copies. (The key value's block key is
// checked by excelize, which has its own copy.)
var (
	specVerifierInput = []byte{0xfe, 0xa7, 0xd2, 0x76, 0x3b, 0x4b, 0x9e, 0x79}
	specVerifierValue = []byte{0xd7, 0xaa, 0x0f, 0x6d, 0x30, 0x61, 0x34, 0x4e}
	specHmacKey       = []byte{0x5f, 0xb2, 0xad, 0x01, 0x0c, 0xb9, 0xe1, 0xf6}
	specHmacValue     = []byte{0xa0, 0x67, 0x7f, 0x02, 0xb2, 0x2c, 0x84, 0x33}
)

func encryptBytes(t *testing.T, plain []byte, password string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encrypt(plain, password, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecryptsWithExcelize has excelize's own Agile reader, written apart
// from this package, decrypt packages of sizes around the 4096-byte
// segments and the mini stream cutoff.
func TestDecryptsWithExcelize(t *testing.T) {
	for _, size := range []int{1, 4080, 4088, 4097, 100003} {
		plain := make([]byte, size)
		for i := range plain {
			plain[i] = byte(i*7 + i/4096)
		}
		raw := encryptBytes(t, plain, "pässwörd 1")
		got, err := excelize.Decrypt(raw, &excelize.Options{Password: "pässwörd 1"})
		if err != nil {
			t.Fatalf("%d bytes: excelize refuses the file: %v", size, err)
		}
		if !bytes.Equal(got, plain) {
			t.Errorf("%d bytes: excelize decrypts %d bytes that differ", size, len(got))
		}
	}
}

type encryptedKey struct {
	SpinCount                  int    `xml:"spinCount,attr"`
	KeyBits                    int    `xml:"keyBits,attr"`
	HashAlgorithm              string `xml:"hashAlgorithm,attr"`
	CipherAlgorithm            string `xml:"cipherAlgorithm,attr"`
	SaltValue                  string `xml:"saltValue,attr"`
	EncryptedVerifierHashInput string `xml:"encryptedVerifierHashInput,attr"`
	EncryptedVerifierHashValue string `xml:"encryptedVerifierHashValue,attr"`
	EncryptedKeyValue          string `xml:"encryptedKeyValue,attr"`
}

type descriptor struct {
	KeyData struct {
		KeyBits       int    `xml:"keyBits,attr"`
		HashSize      int    `xml:"hashSize,attr"`
		HashAlgorithm string `xml:"hashAlgorithm,attr"`
		SaltValue     string `xml:"saltValue,attr"`
	} `xml:"keyData"`
	DataIntegrity struct {
		EncryptedHmacKey   string `xml:"encryptedHmacKey,attr"`
		EncryptedHmacValue string `xml:"encryptedHmacValue,attr"`
	} `xml:"dataIntegrity"`
	Key encryptedKey `xml:"keyEncryptors>keyEncryptor>encryptedKey"`
}

func parseInfo(t *testing.T, info []byte) descriptor {
	t.Helper()
	if len(info) < 8 || binary.LittleEndian.Uint16(info) != 4 || binary.LittleEndian.Uint16(info[2:]) != 4 ||
		binary.LittleEndian.Uint32(info[4:]) != 0x40 {
		t.Fatalf("EncryptionInfo starts % x, want version 4.4 with flags 0x40", info[:min(8, len(info))])
	}
	var d descriptor
	if err := xml.Unmarshal(info[8:], &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func decode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decryptCBC(t *testing.T, key, iv, b []byte) []byte {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, len(b))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, b)
	return out
}

// verifyPassword is what Excel does before it decrypts: the verifier
// (§2.3.4.13) must hash to the stored value under the password's keys.
func verifyPassword(t *testing.T, d descriptor, password string) bool {
	t.Helper()
	salt := decode(t, d.Key.SaltValue)
	h := passwordHash(password, salt)
	input := decryptCBC(t, derive(h, specVerifierInput), salt, decode(t, d.Key.EncryptedVerifierHashInput))
	value := decryptCBC(t, derive(h, specVerifierValue), salt, decode(t, d.Key.EncryptedVerifierHashValue))
	sum := sha512.Sum512(input[:saltBytes])
	return bytes.Equal(sum[:], value[:hashBytes])
}

func TestDescriptorPasswordAndIntegrity(t *testing.T) {
	plain := []byte(strings.Repeat("PK workbook bytes ", 1000))
	streams := readBack(t, encryptBytes(t, plain, "s3cret Año"))
	d := parseInfo(t, streams["EncryptionInfo"])

	if d.KeyData.KeyBits != 256 || d.KeyData.HashSize != 64 || d.KeyData.HashAlgorithm != "SHA512" ||
		d.Key.KeyBits != 256 || d.Key.HashAlgorithm != "SHA512" || d.Key.CipherAlgorithm != "AES" ||
		d.Key.SpinCount != 100000 {
		t.Errorf("descriptor %+v", d)
	}
	if !verifyPassword(t, d, "s3cret Año") {
		t.Error("the right password fails the verifier")
	}
	for _, wrong := range []string{"s3cret Ano", "S3cret Año", "s3cret Año ", "x"} {
		if verifyPassword(t, d, wrong) {
			t.Errorf("the password %q passes the verifier", wrong)
		}
	}

	// §2.3.4.14: the HMAC over the whole EncryptedPackage stream.
	salt := decode(t, d.Key.SaltValue)
	secret := decryptCBC(t, derive(passwordHash("s3cret Año", salt), blockKeyValue), salt, decode(t, d.Key.EncryptedKeyValue))
	keySalt := decode(t, d.KeyData.SaltValue)
	hmacKey := decryptCBC(t, secret, iv(keySalt, specHmacKey), decode(t, d.DataIntegrity.EncryptedHmacKey))
	hmacValue := decryptCBC(t, secret, iv(keySalt, specHmacValue), decode(t, d.DataIntegrity.EncryptedHmacValue))
	mac := hmac.New(sha512.New, hmacKey)
	mac.Write(streams["EncryptedPackage"])
	if !hmac.Equal(mac.Sum(nil), hmacValue) {
		t.Error("the stored HMAC does not match the encrypted package")
	}
	if n := binary.LittleEndian.Uint64(streams["EncryptedPackage"]); n != uint64(len(plain)) {
		t.Errorf("the package says it is %d bytes, want %d", n, len(plain))
	}
}

func TestFreshKeysEachTime(t *testing.T) {
	plain := []byte("the same workbook")
	a := parseInfo(t, readBack(t, encryptBytes(t, plain, "pw"))["EncryptionInfo"])
	b := parseInfo(t, readBack(t, encryptBytes(t, plain, "pw"))["EncryptionInfo"])
	if a.KeyData.SaltValue == b.KeyData.SaltValue || a.Key.SaltValue == b.Key.SaltValue ||
		a.Key.EncryptedKeyValue == b.Key.EncryptedKeyValue {
		t.Error("two encryptions share a salt or a key")
	}
}

// TestDataSpaces compares the \x06DataSpaces streams with those of files
// Excel writes (the bytes msoffcrypto-tool and herumi/msoffice copy).
func TestDataSpaces(t *testing.T) {
	streams := readBack(t, encryptBytes(t, []byte("x"), "pw"))
	excel := map[string]string{
		// The reader drops the names' leading \x06.
		"DataSpaces/Version": "3c0000004d006900630072006f0073006f00660074002e0043006f006e007400610069006e00650072002e00440061007400610053007000610063006500730001000000" +
			"0100000001000000",
		"DataSpaces/DataSpaceMap": "08000000010000006800000001000000000000002000000045006e0063007200790070007400650064005000610063006b00610067006500" +
			"320000005300740072006f006e00670045006e006300720079007000740069006f006e004400610074006100530070006100630065000000",
		"DataSpaces/DataSpaceInfo/StrongEncryptionDataSpace": "0800000001000000320000005300740072006f006e00670045006e006300720079007000740069006f006e00" +
			"5400720061006e00730066006f0072006d000000",
		"DataSpaces/TransformInfo/StrongEncryptionTransform/Primary": "58000000010000004c0000007b00460046003900410033004600300033002d003500360045004600" +
			"2d0034003600310033002d0042004400440035002d003500410034003100430031004400300037003200340036007d004e0000004d006900630072006f0073006f00" +
			"660074002e0043006f006e007400610069006e00650072002e0045006e006300720079007000740069006f006e005400720061006e00730066006f0072006d000000" +
			"01000000010000000100000000000000000000000000000004000000",
	}
	for path, want := range excel {
		if got := hex.EncodeToString(streams[path]); got != want {
			t.Errorf("%s is\n%s\nwant\n%s", path, got, want)
		}
	}
}

func TestRefusedPasswords(t *testing.T) {
	for _, pw := range []string{"", "\xff\xfe", strings.Repeat("a", 256), "s3cret\r ", "s3\tcret"} {
		if err := Encrypt([]byte("x"), pw, &bytes.Buffer{}); err == nil {
			t.Errorf("the password %q is accepted", pw)
		}
	}
	if err := Encrypt([]byte("x"), strings.Repeat("ñ", 255), &bytes.Buffer{}); err != nil {
		t.Errorf("a 255-character password is refused: %v", err)
	}
}
