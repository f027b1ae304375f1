package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"

	"migrantdesk/data/argon2id"
)

// A password file is read as a person typed it. Windows PowerShell's
// echo and Out-File write UTF-16: taken as bytes, its line set a password
// no one could type in the app, and it is refused instead, naming the
// file. Notepad's UTF-8 byte-order mark is not part of the password.
func TestPasswordFileReadAsTyped(t *testing.T) {
	const pw = "correct horse battery"
	dir := t.TempDir()
	hubDB := filepath.Join(dir, "hub.db")
	if _, err := run(t, "import", "--db", hubDB, goodExtract); err != nil {
		t.Fatal(err)
	}
	add := func(user, file string) error {
		_, err := run(t, "hub", "user", "add", "--db", hubDB, "--username", user, "--name", "Rosa Díaz",
			"--role", "clerk", "--region", "01", "--password-file", file)
		return err
	}

	utf16le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(pw + "\r\n")) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	for _, c := range []struct {
		name, content, says string
	}{
		{"utf16.txt", string(utf16le), "is saved as UTF-16; save it as UTF-8"},
		{"latin1.txt", "contrase\xf1a\r\n", "is not UTF-8 text"},
		{"nul.txt", "secret\x00\n", "character 7 of its first line is a control character (U+0000)"},
		{"long.txt", strings.Repeat("x", 5000), "longer than 4096 bytes"},
	} {
		file := filepath.Join(dir, c.name)
		writeTestFile(t, file, c.content)
		err := add("rosa", file)
		if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("hub user add, %s: %v, want %q", c.name, err, c.says)
		}
		_, err = run(t, "sync", "--db", filepath.Join(dir, "ws.db"), "--hub", "http://127.0.0.1:1", "--user", "rosa", "--password-file", file)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("sync, %s: %v, want %q", c.name, err, c.says)
		}
	}

	bom := filepath.Join(dir, "bom.txt")
	writeTestFile(t, bom, "\uFEFF"+pw+"\r\n")
	if err := add("rosa", bom); err != nil {
		t.Fatal(err)
	}
	hash := query(t, hubDB, `SELECT password_hash FROM hub_accounts WHERE username = 'rosa'`)
	if len(hash) != 1 || !argon2id.VerifyPassword(hash[0], pw) {
		t.Errorf("a password file with a byte-order mark: the password is not %q", pw)
	}
}

// A password file every user of the computer can read (what echo > FILE
// writes under the usual umask) is refused, naming it and the chmod that
// makes it private; one shared with a group only is read.
func TestPasswordFileReadableByAllRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps no permission bits for others")
	}
	dir := t.TempDir()
	hubDB := filepath.Join(dir, "hub.db")
	if _, err := run(t, "import", "--db", hubDB, goodExtract); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "pw.txt")
	writeTestFile(t, file, "correct horse battery\n")
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"hub", "user", "add", "--db", hubDB, "--username", "rosa", "--name", "Rosa Díaz", "--role", "clerk", "--region", "01", "--password-file", file},
		{"hub", "user", "list", "--db", "postgres://hub@127.0.0.1:1/migrantdesk", "--db-password-file", file},
		{"hub", "serve", "--db", "postgres://hub@127.0.0.1:1/migrantdesk", "--password-file", file},
	} {
		_, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), file+" can be read by every user") || !strings.Contains(err.Error(), "chmod 600 "+file) {
			t.Errorf("%s %s with a file of mode 0644: %v", args[0], args[1], err)
		}
	}
	if err := os.Chmod(file, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "hub", "user", "add", "--db", hubDB, "--username", "rosa", "--name", "Rosa Díaz", "--role", "clerk", "--region", "01", "--password-file", file); err != nil {
		t.Errorf("a password file its group may read: %v", err)
	}
}
