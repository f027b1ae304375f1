package data

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestCleanText(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"Garcia", "Garcia", ""},
		{"", "", ""},
		{"José", "José", ""},
		{"Jose\u0301", "José", ""}, // decomposed é becomes one character
		{"Nguyễn", "Nguyễn", ""},
		{"Ana\x00", "", "character 4 is a control character (U+0000)"},
		{"A\x07B", "", "character 2 is a control character (U+0007)"},
		{"Ana\tMaria", "", "character 4 is a control character (U+0009)"},
		{"abc\u202Efed", "", "character 4 is a bidirectional control"},
		{"x\u2066y", "", "character 2 is a bidirectional control"},
		{"\u0085", "", "character 1 is a control character (U+0085)"},
		{"a\ufeff", "", "character 2 is a byte-order mark"},
		{"a\xffb", "", "character 2 is not UTF-8 text (byte 0xFF)"},
		{"a\xed\xa0\x80", "", "character 2 is not UTF-8 text (byte 0xED)"}, // an unpaired surrogate, U+D800
		{strings.Repeat("a", MaxTextBytes), strings.Repeat("a", MaxTextBytes), ""},
		{strings.Repeat("a", MaxTextBytes+1), "", "the value is too long (301 bytes, at most 300)"},
	} {
		got, err := CleanText(c.in)
		if c.err == "" {
			if err != nil || got != c.want {
				t.Errorf("CleanText(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("CleanText(%q) = %q, %v; want an error with %q", c.in, got, err, c.err)
		}
	}
	if _, err := CleanText("a\xffb"); !errors.Is(err, ErrNotUTF8) {
		t.Errorf("invalid UTF-8 is %v, not ErrNotUTF8", err)
	}
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Garcia", "Jose\u0301", "a\u202Eb", "a\xffb", "\x00", "ﬁ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CleanText(s)
		if err != nil {
			var te *TextError
			if !errors.As(err, &te) || te.Reason == "" {
				t.Fatalf("CleanText(%q): an error that is not a TextError: %v", s, err)
			}
			return
		}
		if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) || len(s) > MaxTextBytes {
			t.Fatalf("CleanText(%q) = %q: not clean", s, got)
		}
		for _, r := range got {
			if badRune(r) != "" || r < 0x20 || r == 0x7f {
				t.Fatalf("CleanText(%q) = %q keeps %U", s, got, r)
			}
		}
		if again, err := CleanText(got); err != nil || again != got {
			t.Fatalf("CleanText is not idempotent on %q: %q, %v", got, again, err)
		}
	})
}
