package data

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxTextBytes bounds one text value: a name, an ID or a code. The longest
// real names are well under a hundred characters; a value far longer is a
// column of something else, or an attempt to fill the database.
const MaxTextBytes = 300

// ErrNotUTF8 is the cause of a TextError for bytes that are not UTF-8
// text (an unpaired surrogate included), so that a reader can add where
// the encoding is chosen.
var ErrNotUTF8 = errors.New("not UTF-8 text")

// ErrTooLong is the cause of a TextError for a value longer than
// MaxTextBytes, so that a reader can add what such a value usually is
// where it knows (a file's column of something else).
var ErrTooLong = errors.New("too long")

// TextError says why a text value is refused and where in it.
type TextError struct {
	Char   int // 1-based character position of the fault; 0 for the whole value
	Reason string
	Err    error // ErrNotUTF8, ErrTooLong, or nil
}

func (e *TextError) Error() string {
	if e.Char == 0 {
		return e.Reason
	}
	return fmt.Sprintf("character %d %s", e.Char, e.Reason)
}

func (e *TextError) Unwrap() error { return e.Err }

// CleanText is the one rule for text that comes from outside (an import,
// a form field, a sync request): at most MaxTextBytes of UTF-8, with no
// control character and no character that changes how the text around it
// is shown, returned in Unicode normal form C, so that the same name typed
// on two machines is stored the same and compares equal. Nothing is
// silently dropped: a value with a bad character is refused.
func CleanText(s string) (string, error) {
	if len(s) > MaxTextBytes {
		return "", &TextError{Reason: fmt.Sprintf("the value is too long (%d bytes, at most %d)", len(s), MaxTextBytes), Err: ErrTooLong}
	}
	ascii, err := checkChars(s)
	if err != nil {
		return "", err
	}
	if ascii || norm.NFC.IsNormalString(s) {
		return s, nil
	}
	// Composing rarely makes text longer, but it can.
	if n := norm.NFC.String(s); len(n) <= MaxTextBytes {
		return n, nil
	}
	return "", &TextError{Reason: fmt.Sprintf("the value is too long (at most %d bytes)", MaxTextBytes), Err: ErrTooLong}
}

// CheckChars holds s to CleanText's rule for characters, at any length:
// for text that is looked for rather than kept (what a search is typed
// with), in which a character no stored text can hold (a right-to-left
// mark or a tab pasted with a name) would otherwise find nothing and say
// nothing.
func CheckChars(s string) error {
	if _, err := checkChars(s); err != nil {
		return err
	}
	return nil
}

// checkChars finds the first character of s that CleanText refuses, and
// reports whether s is ASCII.
func checkChars(s string) (ascii bool, err *TextError) {
	ascii = true
	char := 0
	for i := 0; i < len(s); {
		char++
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false, &TextError{Char: char, Reason: fmt.Sprintf("is a control character (U+%04X), which has no place in text; retype the value", c)}
			}
			i++
			continue
		}
		ascii = false
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return false, &TextError{Char: char, Reason: fmt.Sprintf("is not UTF-8 text (byte 0x%02X)", c), Err: ErrNotUTF8}
		}
		if why := badRune(r); why != "" {
			return false, &TextError{Char: char, Reason: fmt.Sprintf("is %s (U+%04X); retype the value without it", why, r)}
		}
		i += n
	}
	return ascii, nil
}

// badRune names what is wrong with r in text, or is "" for a good one.
func badRune(r rune) string {
	switch {
	case unicode.Is(unicode.Cc, r):
		return "a control character"
	case unicode.Is(unicode.Bidi_Control, r):
		return "a bidirectional control, which shows the text in another order than it is stored"
	case r == '\u2028' || r == '\u2029':
		return "a line or paragraph separator"
	case r == '\uFEFF':
		return "a byte-order mark inside the text"
	case r&0xFFFE == 0xFFFE || (r >= 0xFDD0 && r <= 0xFDEF):
		return "a Unicode noncharacter"
	}
	return ""
}
