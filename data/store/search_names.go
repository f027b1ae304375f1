package store

import (
	"database/sql/driver"
	"slices"
	"strings"
	"unicode/utf8"

	"modernc.org/sqlite"

	"migrantdesk/data"
)

// Name levels: how well the name terms match a student (see nameLevel).
// levelAny is the one pass of a search without name terms.
const (
	levelAny    = -1
	levelMiss   = 0
	levelPrefix = 1
	levelExact  = 2
)

// Fields of name_tokens: tokenSet.addName makes a student's rows, the import
// writes them. Search walks the rows of one token in result order. A prefix of the first word of the last
// name needs no field: students.sort_key starts with that word, so the
// students whose last name starts with a prefix are one range of the sort
// key, in result order, however many words start so.
const (
	tokLast        = 0 // a word of the last name
	tokFirst       = 1 // a word of the first name
	tokLastJoined  = 2 // the last name run together, when it has several words
	tokFirstJoined = 3 // the first name run together, likewise
	tokLastLater   = 4 // a word of the last name after its first word
	tokPair        = 5 // "l f": a word of the last name and one of the first
	tokLastPair    = 6 // "a b": two words of the last name, a < b
	tokFirstPair   = 7 // "a b": two words of the first name, a < b
	// "d\x1fw": a district the student is enrolled in and a word of the
	// last name after its first, or of the first name: the lists of those
	// words within a district.
	tokDistrictLater = 8
	tokDistrictFirst = 9
	// the first letter of a word of the last name after its first word
	tokLastLaterInitial = 10
	// the first letter of a word of the first name: in result order,
	// those of a letter whose sort key lies in a range are the students
	// whose last name's first word starts so, with that first initial
	tokFirstInitial = 11
	// "i w": the first letter i of a word of the first name and a word w
	// of the last name after its first
	tokInitialLater = 12
)

// nameLevel says how the name terms (words separated by single spaces)
// match a student's normalised last and first names: levelMiss if some
// term starts no token, levelExact if every term is a whole token,
// levelPrefix otherwise. A name's tokens are those data.SearchTokens
// makes and name_tokens holds: its words and, for several words, all of
// them run together. No terms at all is levelExact.
func nameLevel(lastKey, firstKey, lastTerms, firstTerms string) int {
	return min(termsLevel(lastKey, lastTerms), termsLevel(firstKey, firstTerms))
}

func termsLevel(key, terms string) int {
	level := levelExact
	for terms != "" {
		var t string
		t, terms, _ = strings.Cut(terms, " ")
		level = min(level, termLevel(key, t))
		if level == levelMiss {
			break
		}
	}
	return level
}

func termLevel(key, term string) int {
	level := levelMiss
	for rest := key; rest != ""; {
		var w string
		w, rest, _ = strings.Cut(rest, " ")
		if w == term {
			return levelExact
		}
		if strings.HasPrefix(w, term) {
			level = levelPrefix
		}
	}
	if level == levelMiss && strings.IndexByte(key, ' ') >= 0 {
		level = joinedLevel(key, term)
	}
	return level
}

// joinedLevel matches term against key with its spaces taken out.
func joinedLevel(key, term string) int {
	i := 0
	for j := 0; j < len(key); j++ {
		if key[j] == ' ' {
			continue
		}
		if i == len(term) {
			return levelPrefix
		}
		if key[j] != term[i] {
			return levelMiss
		}
		i++
	}
	if i == len(term) {
		return levelExact
	}
	return levelMiss
}

// sortSep separates the last and first name in a sort key.
const sortSep = "\x1f"

// The walks check names with these SQL functions: name_level(last_key,
// first_key, last_terms, first_terms) on a students row, and
// name_level_key(sort_key, terms) on a list row, terms being the last
// and the first name's terms as a sort key holds them (see
// searchSortKey): each argument a call takes is one more allocation.
func init() {
	text := func(v driver.Value) string {
		switch v := v.(type) {
		case string:
			return v
		case []byte:
			return string(v)
		}
		return ""
	}
	// A walk calls these once for each row it merges, a few hundred
	// times a search: with VolatileArgs the driver hands the text over
	// as views of SQLite's memory instead of copying each argument to
	// the Go heap (an allocation for each), which is safe as the
	// functions keep nothing of it past their return.
	sqlite.MustRegisterFunction("name_level", &sqlite.FunctionImpl{NArgs: 4, Deterministic: true, VolatileArgs: true,
		Scalar: func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			return int64(nameLevel(text(a[0]), text(a[1]), text(a[2]), text(a[3]))), nil
		}})
	sqlite.MustRegisterFunction("name_level_key", &sqlite.FunctionImpl{NArgs: 2, Deterministic: true, VolatileArgs: true,
		Scalar: func(_ *sqlite.FunctionContext, a []driver.Value) (driver.Value, error) {
			last, first, _ := strings.Cut(text(a[0]), sortSep)
			lastTerms, firstTerms, _ := strings.Cut(text(a[1]), sortSep)
			return int64(nameLevel(last, first, lastTerms, firstTerms)), nil
		}})
}

// searchSortKey orders students by last name, then first name, as result
// lists do. The separator sorts below every character a name key holds, so
// a last name sorts before the longer ones it starts: García, Zoe before
// García López, Ana.
func searchSortKey(lastKey, firstKey string) string {
	return lastKey + sortSep + firstKey
}

// tokenSet gathers the name tokens of students, given in result order,
// and the students of each token (see makeTokens). A state's 700,000
// students make some 4 million rows of a few hundred thousand tokens:
// a token is looked up by its text built in one reused buffer, so that
// the text is allocated once for each token, not for each row, and
// a student's words go to reused slices.
type tokenSet struct {
	rank int32 // the student whose tokens are added
	ids  [tokInitialLater + 1]map[string]int32
	rows []tokenRows
	buf  []byte

	lw, fw, initials []string // the student's distinct words, and initials
}

func newTokenSet() *tokenSet {
	t := &tokenSet{}
	for f := range t.ids {
		t.ids[f] = map[string]int32{}
	}
	return t
}

// add adds the token of field made of parts, run together, to the
// current student's.
func (t *tokenSet) add(field int, parts ...string) {
	t.buf = t.buf[:0]
	for _, p := range parts {
		t.buf = append(t.buf, p...)
	}
	ids := t.ids[field]
	id, ok := ids[string(t.buf)]
	if !ok {
		id = int32(len(t.rows))
		token := string(t.buf)
		ids[token] = id
		t.rows = append(t.rows, tokenRows{fieldToken: fieldToken{field, token}})
	}
	r := &t.rows[id]
	if n := len(r.ranks); n == 0 || r.ranks[n-1] != t.rank {
		r.ranks = append(r.ranks, t.rank)
	}
}

// addName adds the name_tokens rows of a student's normalised names and
// the districts the student is enrolled in.
func (t *tokenSet) addName(last, first string, districts []string) {
	lastWords, firstWords := data.NameTokens(last), data.NameTokens(first)
	t.lw, t.fw = appendDistinct(t.lw[:0], lastWords), appendDistinct(t.fw[:0], firstWords)
	lw, fw := t.lw, t.fw
	for i, w := range lw {
		t.add(tokLast, w)
		if i > 0 {
			_, size := utf8.DecodeRuneInString(w)
			t.add(tokLastLater, w)
			t.add(tokLastLaterInitial, w[:size])
			for _, d := range districts {
				t.add(tokDistrictLater, d, sortSep, w)
			}
		}
	}
	for _, w := range fw {
		t.add(tokFirst, w)
		for _, d := range districts {
			t.add(tokDistrictFirst, d, sortSep, w)
		}
	}
	t.addInitials(lw, fw)
	if len(lastWords) > 1 {
		t.add(tokLastJoined, lastWords...)
	}
	if len(firstWords) > 1 {
		t.add(tokFirstJoined, firstWords...)
	}
	for _, a := range lw {
		for _, b := range fw {
			t.add(tokPair, a, " ", b)
		}
	}
	for _, name := range []struct {
		field int
		words []string
	}{{tokLastPair, lw}, {tokFirstPair, fw}} {
		for _, a := range name.words {
			for _, b := range name.words {
				if a < b {
					t.add(name.field, a, " ", b)
				}
			}
		}
	}
}

// addInitials adds the rows of the first name's initials
// (tokFirstInitial) and of each with the later words of the last name
// (tokInitialLater), of the distinct words of a student's last and first
// names.
func (t *tokenSet) addInitials(lw, fw []string) {
	t.initials = t.initials[:0]
	for _, w := range fw {
		_, size := utf8.DecodeRuneInString(w)
		if i := w[:size]; !slices.Contains(t.initials, i) {
			t.initials = append(t.initials, i)
			t.add(tokFirstInitial, i)
		}
	}
	for _, w := range lw[min(1, len(lw)):] {
		for _, i := range t.initials {
			t.add(tokInitialLater, i, " ", w)
		}
	}
}

// distinctWords is the words of a normalised name, each once, in order.
func distinctWords(name string) []string { return appendDistinct(nil, data.NameTokens(name)) }

// appendDistinct appends the words to out, each once, in order.
func appendDistinct(out, words []string) []string {
	n := len(out)
	for _, w := range words {
		if !slices.Contains(out[n:], w) {
			out = append(out, w)
		}
	}
	return out
}
