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

// namesakes finds, among people with a name and a birth date, those born
// the same day under the same name (name.same), without comparing every
// two people born on one day: two names that are the same share a key of
// their last name and one of their first name (keys), so only people
// under a shared key are compared. A day with thousands of people on it
// (a placeholder birth date in an export) then costs what its namesakes
// cost, not the square of its people.
type namesakes struct {
	names []name
	byKey map[namesakeKey][]int
	seen  []int // the last call of each that met each person
	call  int
}

type namesakeKey struct {
	birth       data.Date
	last, first string
}

// newNamesakes indexes the people whose names and birth dates are given,
// each at the same position; those for whom keep is false are not.
func newNamesakes(names []name, births []data.Date, keep func(i int) bool) *namesakes {
	x := &namesakes{names: names, byKey: map[namesakeKey][]int{}, seen: make([]int, len(names))}
	for i, n := range names {
		if !keep(i) {
			continue
		}
		for _, l := range partKeys(n.last, n.lastW) {
			for _, f := range partKeys(n.first, n.firstW) {
				k := namesakeKey{births[i], l, f}
				x.byKey[k] = append(x.byKey[k], i)
			}
		}
	}
	return x
}

// partKeys are the keys of one part of a name that samePart needs two
// names to share: its words (a part that holds the other's words holds
// each of them) and the part with its spaces taken out.
func partKeys(s string, words []string) []string {
	if s == "" {
		return nil
	}
	return append(slices.Clone(words), strings.ReplaceAll(s, " ", ""))
}

// each calls fn with every other indexed person born the day person i
// was (birth) under the same name, each once, until fn returns false: in
// the order of i's keys, and under each key in the order they were
// indexed.
func (x *namesakes) each(i int, birth data.Date, fn func(j int) bool) {
	x.call++
	n := x.names[i]
	for _, l := range partKeys(n.last, n.lastW) {
		for _, f := range partKeys(n.first, n.firstW) {
			for _, j := range x.byKey[namesakeKey{birth, l, f}] {
				if j == i || x.seen[j] == x.call {
					continue
				}
				x.seen[j] = x.call
				if n.same(x.names[j]) && !fn(j) {
					return
				}
			}
		}
	}
}
