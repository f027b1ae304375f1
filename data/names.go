package data

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeName folds a name for matching: lower case, accents removed,
// apostrophes dropped (O'Neil = oneil), and every other run of punctuation
// or space turned into one space (García-López = garcia lopez). The result
// holds only lower-case letters, digits and single spaces, with none at
// either end; Latin letters lose their accents.
func NormalizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range foldRunes(s) {
		switch {
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == '´' || r == 'ʼ':
			// apostrophes join: D'Angelo, O’Neil
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// NameTokens splits a normalised name into its words: "garcia lopez" gives
// garcia and lopez, so either surname of a compound finds the student.
func NameTokens(normalized string) []string {
	return strings.Fields(normalized)
}

// foldRunes lowers s and strips combining marks, mapping the few Latin
// letters that do not decompose (ß, æ, ø, ł, đ) by hand.
func foldRunes(s string) []rune {
	out := make([]rune, 0, len(s))
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		// An invalid byte becomes a space, not U+FFFD glued to its
		// neighbours, so normalising twice gives the same result.
		s = norm.NFD.String(strings.ToValidUTF8(s, " "))
	}
	for _, r := range s {
		if r < utf8.RuneSelf {
			out = append(out, unicode.ToLower(r))
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		switch r {
		case 'ß':
			out = append(out, 's', 's')
		case 'æ':
			out = append(out, 'a', 'e')
		case 'œ':
			out = append(out, 'o', 'e')
		case 'ø':
			out = append(out, 'o')
		case 'ł':
			out = append(out, 'l')
		case 'đ', 'ð':
			out = append(out, 'd')
		case 'ı':
			out = append(out, 'i')
		default:
			out = append(out, r)
		}
	}
	return out
}

// SearchTokens are the words a name is found by: each word of the
// normalised name and, for a name of several words, all of them run
// together, so "delacruz" finds De La Cruz. Duplicates are dropped.
func SearchTokens(normalized string) []string {
	words := strings.Fields(normalized)
	out := make([]string, 0, len(words)+1)
	seen := make(map[string]bool, len(words)+1)
	for _, w := range words {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	if len(words) > 1 {
		if j := strings.Join(words, ""); !seen[j] {
			out = append(out, j)
		}
	}
	return out
}
