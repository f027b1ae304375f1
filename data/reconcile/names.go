package reconcile

import (
	"slices"
	"strings"

	"migrantdesk/data"
)

// name is a person's name folded by data.NormalizeName, as Advanced Search
// folds it, with its words.
type name struct {
	last, first   string
	lastW, firstW []string
}

func newName(last, first string) name {
	n := name{last: data.NormalizeName(last), first: data.NormalizeName(first)}
	n.lastW, n.firstW = strings.Fields(n.last), strings.Fields(n.first)
	return n
}

// SameName reports whether two people's names are the same name by the
// rule Advanced Search finds students by: case, accents and punctuation do
// not matter (García-López is garcia lopez), either surname of a compound
// alone is the name (Garcia finds García López), and a name run together
// is the name ("Delacruz" is De la Cruz). Last names and first names are
// compared each on their own.
func SameName(last1, first1, last2, first2 string) bool {
	return newName(last1, first1).same(newName(last2, first2))
}

func (n name) same(o name) bool {
	return samePart(n.last, o.last, n.lastW, o.lastW) && samePart(n.first, o.first, n.firstW, o.firstW)
}

// samePart compares one part of two names: the words of one are all words
// of the other, or the two are equal with their spaces taken out.
func samePart(a, b string, aw, bw []string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b || subset(aw, bw) || subset(bw, aw) {
		return true
	}
	return strings.ReplaceAll(a, " ", "") == strings.ReplaceAll(b, " ", "")
}

func subset(small, big []string) bool {
	if len(small) > len(big) {
		return false
	}
	for _, w := range small {
		if !slices.Contains(big, w) {
			return false
		}
	}
	return true
}
