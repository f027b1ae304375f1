package data

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Count is n and its noun, in the plural when n is not 1, thousands
// separated: "1 district", "2 districts", "1,204 copies". The app, the
// reports and the command line put counts into words here alone, so they
// read alike.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Thousands(n) + " " + pluralOf(noun)
}

// Wait is how long to wait in words, rounded up so that whoever waits
// that long is not refused again: "1 second", "40 seconds", "15
// minutes", where a duration's own form reads "15m0s".
func Wait(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	switch {
	case secs < 1:
		return Count(1, "second")
	case secs < 60:
		return Count(secs, "second")
	}
	return Count((secs+59)/60, "minute")
}

// pluralOf is the regular English plural of a noun.
func pluralOf(noun string) string {
	switch {
	case noun == "":
		return noun
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		return noun + "es"
	}
	return noun + "s"
}

// Agree is the word, of one and many, that agrees with a count of n: a
// verb ("is", "are") or a pronoun.
func Agree(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// LowerFirst puts a sentence inside another, after "Please check" or
// "then": "Whether …" becomes "whether …".
func LowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

// Thousands writes n with a comma between thousands, as counts read.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	digits := s
	sign := ""
	if n < 0 {
		sign, digits = "-", s[1:]
	}
	for i := len(digits) - 3; i > 0; i -= 3 {
		digits = digits[:i] + "," + digits[i:]
	}
	return sign + digits
}
