package data

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormalizeName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"García-López", "garcia lopez"},
		{"garcia lopez", "garcia lopez"},
		{"GARCIA  LOPEZ", "garcia lopez"},
		{"García–López", "garcia lopez"}, // en dash
		{"O'Neil", "oneil"},
		{"Oʼneil", "oneil"},
		{"D´Angelo", "dangelo"},
		{"O’Neil", "oneil"},
		{"D`Angelo", "dangelo"},
		{"oneil", "oneil"},
		{"Núñez", "nunez"},
		{"NÚÑEZ", "nunez"},
		{"Nu\u0303n\u0303ez", "nunez"}, // decomposed tildes
		{"  De  La   Cruz  ", "de la cruz"},
		{"St. John", "st john"},
		{"Mary-Kate O'Brien", "mary kate obrien"},
		{"Müller", "muller"},
		{"Straße", "strasse"},
		{"Ærø", "aero"},
		{"Œuvre", "oeuvre"},
		{"Łukasz", "lukasz"},
		{"Đorđe", "dorde"},
		{"İbrahim", "ibrahim"},
		{"Jr. 3rd", "jr 3rd"},
		{"Иванов", "иванов"},
		{"---", ""},
		{"'", ""},
		{"", ""},
		{"%_;", ""},
	} {
		if got := NormalizeName(c.in); got != c.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSearchTokens(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"garcia lopez", []string{"garcia", "lopez", "garcialopez"}},
		{"de la cruz", []string{"de", "la", "cruz", "delacruz"}},
		{"nunez", []string{"nunez"}},
		{"ana ana", []string{"ana", "anaana"}},
		{"", []string{}},
	} {
		if got := SearchTokens(c.in); !slices.Equal(got, c.want) {
			t.Errorf("SearchTokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// checkNormalized fails unless s is what NormalizeName promises: lower-case
// letters and digits in words separated by single spaces.
func checkNormalized(t *testing.T, in, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("NormalizeName(%q) = %q: not UTF-8", in, s)
	}
	if strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") || strings.Contains(s, "  ") {
		t.Fatalf("NormalizeName(%q) = %q: stray spaces", in, s)
	}
	for _, r := range s {
		if r != ' ' && !(unicode.IsLetter(r) || unicode.IsDigit(r)) || unicode.ToLower(r) != r || unicode.Is(unicode.Mn, r) {
			t.Fatalf("NormalizeName(%q) = %q: holds %q", in, s, r)
		}
	}
}

func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"\xf1Й", "García-López", "O'Neil", "Núñez", "  De  La Cruz ", "Straße", "İ", "ﬁ", "Ǆ",
		"ϓ", "\u212b", "\xff\xfe", "a\u0301\u0301", "'''", "ʼ", "x\x00y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n := NormalizeName(in)
		checkNormalized(t, in, n)
		if again := NormalizeName(n); again != n {
			t.Fatalf("NormalizeName(%q) = %q, but NormalizeName(%q) = %q", in, n, n, again)
		}
		for _, tok := range SearchTokens(n) {
			if tok == "" || strings.Contains(tok, " ") {
				t.Fatalf("SearchTokens(%q) holds %q", n, tok)
			}
		}
	})
}
