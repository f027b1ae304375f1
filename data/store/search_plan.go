package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// searchList is some rows of a table whose rows hold sort_key and state_id
// and whose index gives them in that order, the order of the results:
// name_tokens under one token, students, or district_students under one
// district. Walking students with a district asked for walks that
// district's students instead.
type searchList struct {
	table      string // with the alias n
	where      string
	args       []any
	inDistrict bool // holds only students of the district asked for
	inGender   bool // of the gender asked for
	inID       bool // whose state ID starts as asked for
	// whole: every row's student has every name term of the search as a
	// whole token, so the exact pass keeps its rows without checking
	// their names (see walkQuery)
	whole bool
}

func tokenList(field int, token string) searchList {
	return searchList{table: "name_tokens n", where: "n.field = +? AND n.token = ?", args: []any{field, token},
		inDistrict: field == tokDistrictLater || field == tokDistrictFirst}
}

// tokenRange is the tokens after lo that start with prefix: the range is
// sorted, so it is walked only when short. 0xFF never occurs in UTF-8 and
// SQLite compares text bytewise, so prefix+"\xff" bounds the range.
func tokenRange(field int, lo, prefix string) searchList {
	return searchList{table: "name_tokens n", where: "n.field = +? AND n.token > ? AND n.token < ?",
		args: []any{field, lo, prefix + "\xff"}, inDistrict: field == tokDistrictLater || field == tokDistrictFirst}
}

// sortRange is the students whose sort key starts with prefix, or all
// students for "": those of the district when one is asked for.
func (sp *searchSpec) sortRange(prefix string) searchList {
	if prefix == "" {
		return sp.sortBetween("", "")
	}
	return sp.sortBetween(prefix, prefix+"\xff")
}

// sortBetween is the students with lo <= sort key < hi (no bounds for
// ""), of the district when one is asked for.
func (sp *searchSpec) sortBetween(lo, hi string) searchList {
	l := searchList{table: "students n", where: "1"}
	switch {
	case sp.district != "" && sp.gender != "":
		l = searchList{table: "district_students n", where: "n.district_number = ? AND n.gender = ?",
			args: []any{sp.district, sp.gender}, inDistrict: true, inGender: true}
	case sp.district != "":
		l = searchList{table: "district_students n", where: "n.district_number = ?", args: []any{sp.district}, inDistrict: true}
	}
	if lo != "" {
		l.where += " AND n.sort_key >= ? AND n.sort_key < ?"
		l.args = append(l.args, lo, hi)
	}
	return l
}

// setList is the students with the birth date and state ID asked for.
func (sp *searchSpec) setList() searchList {
	var where []string
	var args []any
	if sp.birth != "" {
		where, args = append(where, "n.birth_date = ?"), append(args, sp.birth)
	}
	if sp.id != "" {
		where, args = append(where, "n.state_id >= ? AND n.state_id < ?"), append(args, sp.id, sp.id+"\xff")
	}
	return searchList{table: "students n", where: strings.Join(where, " AND "), args: args}
}

// genderList is the students of the gender asked for.
func (sp *searchSpec) genderList() searchList {
	return searchList{table: "students n", where: "n.gender = ?", args: []any{sp.gender}, inGender: true}
}

// idList is the students whose state ID starts with the first two
// characters of the prefix asked for, which an index has in result order.
func (sp *searchSpec) idList() searchList {
	two := string([]rune(sp.id)[:2])
	return searchList{table: "students n", where: "substr(n.state_id, 1, 2) = ?", args: []any{two}, inID: two == sp.id}
}

// maxLists bounds the lists of one walk: SQLite merges at most 500.
const maxLists = 200

// errTooManyLists says a candidate would merge more lists than it saves.
var errTooManyLists = errors.New("too many lists to merge")

// A candidate is a way to walk one pass: lists makes lists that together
// hold every student the pass can find, or fails with errTooManyLists.
// Their rows match covers of the name terms.
type candidate struct {
	lists  func(ctx context.Context, tx searchTx) ([]searchList, error)
	covers int
	// lastName: the lists of one last-name term, whose rows lie mostly in
	// its range of the result order, where its matches are
	lastName bool
	// counted: the candidate has counted all its lists but the last (see
	// initial), so when it comes first and every row matches, counting
	// that one is the walk's own work: it is walked at once.
	counted bool
}

// choose picks the lists a pass walks, which is to stop after need rows
// are found: the candidate that costs least. A list costs its rows times
// what checking one row costs (see rowCost); when every row of a
// candidate matches the whole query, the walk stops after need rows
// whatever the lists hold, so they are counted up to that. A candidate's
// rows are counted only up to the count limit or the cost of the best
// candidate so far, so a candidate
// that reaches the count limit may cost more: when such a one is
// cheapest, it is counted again up to the cost of the cheapest candidate
// fully counted, the longest walk it could save. The candidates are tried
// in order and the first that costs less than the enough limit is taken
// at once; a single candidate is taken uncounted, and so is a first
// initial's when it comes first (see candidate.counted). Without a candidate,
// the pass walks every student (of the district), which any list is a
// part of in the same order.
func (sp *searchSpec) choose(ctx context.Context, tx searchTx, level, need int) ([]searchList, error) {
	var best, known *costed
	cs := sp.candidates(level)
	for _, c := range cs {
		lists, err := c.lists(ctx, tx)
		if errors.Is(err, errTooManyLists) || len(lists) > maxLists {
			continue
		}
		if err != nil {
			return nil, err
		}
		// The count of a dense first candidate is at most need rows and
		// one a list, under the enough limit: it would be taken. When the
		// walk finds fewer than need, it counts the last list then.
		if len(cs) == 1 || c.counted && best == nil && sp.dense(c, lists) && need+len(lists) < sp.enough {
			return lists, nil
		}
		limit := min(sp.count, need+len(lists))
		if !sp.dense(c, lists) {
			limit = sp.count
		}
		if best != nil {
			limit = min(limit, best.cost)
		}
		cand, err := sp.cost(ctx, tx, lists, limit)
		if err != nil {
			return nil, err
		}
		if sp.dense(c, lists) && cand.cost > need+len(lists) {
			cand.cost, cand.capped = need+len(lists), false
		}
		// Tied at the count limit, the lists of a last-name term win: the
		// walk reads from the term's range, where lists of first-name
		// words start at the beginning of the alphabet and may spend
		// the walk's budget before they reach it.
		tie := best != nil && cand.capped && best.capped && cand.cost == best.cost && c.lastName
		if best == nil || cand.cost < best.cost || tie {
			best = cand
		}
		if !cand.capped && (known == nil || cand.cost < known.cost) {
			known = cand
		}
		if best.cost < sp.enough {
			break
		}
	}
	if best == nil {
		return []searchList{sp.sortRange("")}, nil
	}
	if best.capped && known != nil && known != best {
		recount, err := sp.cost(ctx, tx, best.lists, known.cost)
		if err != nil {
			return nil, err
		}
		if recount.cost >= known.cost {
			best = known
		}
	}
	return best.lists, nil
}

// costed is a candidate's lists with what walking them costs, at least.
type costed struct {
	lists  []searchList
	cost   int
	capped bool // the count stopped at its limit: it may cost more
}

// cost reads the lists' rows, up to limit of them in all, in one query,
// and adds up what checking each costs. Lists read to their end are
// remembered for the rest of the search, and dropped when empty: they add
// nothing to a walk.
func (sp *searchSpec) cost(ctx context.Context, tx searchTx, lists []searchList, limit int) (*costed, error) {
	if sp.counted == nil {
		sp.counted = map[string]int{}
	}
	n := make([]int, len(lists))
	known := make([]bool, len(lists))
	keys := make([]string, len(lists))
	var arms []string
	var args []any
	for i, l := range lists {
		keys[i] = countKey(l)
		n[i], known[i] = sp.counted[keys[i]]
		if !known[i] {
			arms = append(arms, `SELECT `+strconv.Itoa(i)+` AS list FROM `+l.table+` WHERE `+l.where)
			args = append(args, l.args...)
		}
	}
	rows := 0
	if arms != nil {
		q := `SELECT list, count(*) FROM (` + strings.Join(arms, " UNION ALL ") + ` LIMIT +?) GROUP BY list`
		r, err := tx.query(ctx, q, append(args, limit)...)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		for r.Next() {
			var i, c int
			if err := r.Scan(&i, &c); err != nil {
				return nil, err
			}
			n[i], rows = c, rows+c
		}
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	c := &costed{capped: rows == limit}
	for i, l := range lists {
		if !known[i] && !c.capped {
			sp.counted[keys[i]] = n[i]
		}
		if n[i] > 0 || c.capped && !known[i] {
			c.cost += n[i] * sp.rowCost(l)
			c.lists = append(c.lists, l)
		}
	}
	return c, nil
}

// countKey names a list in sp.counted. It is made for every list a
// search plans, so without fmt, which boxes and reflects on each value:
// the values are ints and stored text, which holds no \x00.
func countKey(l searchList) string {
	b := make([]byte, 0, 64+len(l.where))
	b = append(append(append(b, l.table...), 0), l.where...)
	for _, a := range l.args {
		b = append(b, 0)
		switch a := a.(type) {
		case string:
			b = append(b, a...)
		case int:
			b = strconv.AppendInt(b, int64(a), 10)
		default:
			b = fmt.Append(b, a)
		}
	}
	return string(b)
}

// dense reports whether every row of a candidate's lists matches the
// query (but perhaps at the other name level): its lists match every name
// term, and there is nothing else to check.
func (sp *searchSpec) dense(c candidate, lists []searchList) bool {
	if c.covers < len(sp.last)+len(sp.first) || sp.birth != "" {
		return false
	}
	for _, l := range lists {
		if sp.district != "" && !l.inDistrict || sp.gender != "" && !l.inGender || sp.id != "" && !l.inID {
			return false
		}
	}
	return true
}

// rowCost is what checking one row of l costs, in units of reading a row:
// the name and state ID are read from the row itself, and so is the
// gender from a list of students or of a district's; the district and
// the student's gender and birth date otherwise take an index seek each.
func (sp *searchSpec) rowCost(l searchList) int {
	cost := 1
	if sp.district != "" && !l.inDistrict {
		cost += 3
	}
	if sp.gender != "" && l.table == "name_tokens n" || sp.birth != "" && l.table != "students n" {
		cost += 3
	}
	return cost
}

// candidates lists the ways to walk a pass, likely cheapest first: a
// pair of typed words (a last and a first name, or two of one name), the
// words that each term is a prefix of (prefix pass), one term, the
// district.
func (sp *searchSpec) candidates(level int) []candidate {
	var cs []candidate
	last, first := byLength(sp.last), byLength(sp.first)
	if level == levelAny {
		if sp.district != "" {
			cs = append(cs, candidate{lists: sp.fixed(sp.sortRange("")), covers: 0})
		}
		if sp.gender != "" {
			cs = append(cs, candidate{lists: sp.fixed(sp.genderList()), covers: 0})
		}
		if utf8.RuneCountInString(sp.id) >= 2 {
			cs = append(cs, candidate{lists: sp.fixed(sp.idList()), covers: 0})
		}
		return cs
	}
	if c, ok := sp.firstInitial(); ok && level == levelPrefix && sp.district == "" {
		covers := 1
		if len(last) > 0 {
			covers = 2
		}
		cs = append(cs, candidate{lists: sp.initial(c), covers: covers, lastName: len(last) > 0, counted: true})
	}
	if len(last) > 0 && len(first) > 0 {
		cs = append(cs, candidate{lists: sp.pair(level, tokPair, searchTerm{tokLast, last[0]}, searchTerm{tokFirst, first[0]}), covers: 2})
	}
	if len(last) > 1 {
		cs = append(cs, candidate{lists: sp.pair(level, tokLastPair, searchTerm{tokLast, last[0]}, searchTerm{tokLast, last[1]}), covers: 2})
	}
	if len(first) > 1 {
		cs = append(cs, candidate{lists: sp.pair(level, tokFirstPair, searchTerm{tokFirst, first[0]}, searchTerm{tokFirst, first[1]}), covers: 2})
	}
	if level == levelPrefix {
		union := func(ctx context.Context, tx searchTx) ([]searchList, error) {
			var all []searchList
			for _, t := range sp.terms() {
				lists, err := sp.longer(ctx, tx, t)
				if err != nil {
					return nil, err
				}
				all = append(all, lists...)
			}
			return all, nil
		}
		cs = append(cs, candidate{lists: union, covers: 1})
	}
	for _, t := range sp.terms() {
		if level == levelPrefix && len(sp.terms()) == 1 {
			break // its lists hold those of the first candidate and more
		}
		one := func(ctx context.Context, tx searchTx) ([]searchList, error) {
			field, token := sp.wordField(t, false)
			exact := []searchList{tokenList(field, token), tokenList(joinedField(t.field), t.term)}
			if t.field == tokLast && sp.district != "" { // its first word
				exact = append(exact, sp.sortRange(t.term+sortSep), sp.sortRange(t.term+" "))
			}
			// A word, the name run together or the last name's first word
			// that is t: with no other term, each row is an exact match.
			for i := range exact {
				exact[i].whole = len(sp.last)+len(sp.first) == 1
			}
			if level == levelExact {
				return exact, nil
			}
			lists, err := sp.longer(ctx, tx, t)
			if err != nil {
				return nil, err
			}
			return append(exact, lists...), nil
		}
		cs = append(cs, candidate{lists: one, covers: 1, lastName: t.field == tokLast})
	}
	// Every student of the district, when no last name is asked for: the
	// students a last name matches are bunched in result order, so the
	// walk would read up to them, where the district's lists of that
	// name hold them first.
	if sp.district != "" && len(last) == 0 {
		cs = append(cs, candidate{lists: sp.fixed(sp.sortRange("")), covers: 0})
	}
	return cs
}

func (sp *searchSpec) fixed(lists ...searchList) func(context.Context, searchTx) ([]searchList, error) {
	return func(context.Context, searchTx) ([]searchList, error) { return lists, nil }
}

// searchTerm is a typed word and the name_tokens field of its name's
// words: tokLast or tokFirst.
type searchTerm struct {
	field int
	term  string
}

// terms lists the name terms, last name first, longest first.
func (sp *searchSpec) terms() []searchTerm {
	var out []searchTerm
	for _, t := range byLength(sp.last) {
		out = append(out, searchTerm{tokLast, t})
	}
	for _, t := range byLength(sp.first) {
		out = append(out, searchTerm{tokFirst, t})
	}
	return out
}

// byLength sorts terms longest first: longer words are rarer.
func byLength(terms []string) []string {
	out := slices.Clone(terms)
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

func joinedField(wordField int) int {
	if wordField == tokLast {
		return tokLastJoined
	}
	return tokFirstJoined
}

// pair is the candidate of two terms a and b through the pair lists of
// field: every student the pass finds has a word for each of them (a pair
// of words, or one word when it starts with both) or matches one of them
// only through the name run together. For whole words, the words are the
// terms; for prefixes, the words the terms start.
func (sp *searchSpec) pair(level, field int, a, b searchTerm) func(context.Context, searchTx) ([]searchList, error) {
	return func(ctx context.Context, tx searchTx) ([]searchList, error) {
		var words [2][]string
		var lists []searchList
		for i, t := range []searchTerm{a, b} {
			words[i] = []string{t.term}
			if level == levelExact {
				lists = append(lists, tokenList(joinedField(t.field), t.term))
				continue
			}
			more, err := sp.distinctTokens(ctx, tx, t.field, t.term)
			if err != nil {
				return nil, err
			}
			words[i] = append(words[i], more...)
			joined, err := sp.joinedPrefix(ctx, tx, t)
			if err != nil {
				return nil, err
			}
			lists = append(lists, joined...)
		}
		if len(words[1]) > fewArms || len(words[0])*len(words[1]) > sp.arms {
			ranges, err := sp.pairRanges(ctx, tx, level, field, words[0], b, lists)
			if !errors.Is(err, errTooManyLists) || len(words[0])*len(words[1]) > sp.arms {
				return ranges, err
			}
		}
		for _, x := range words[0] {
			for _, y := range words[1] {
				switch {
				case field == tokPair:
					lists = append(lists, tokenList(field, x+" "+y))
				case x == y:
					lists = append(lists, tokenList(a.field, x))
				default:
					lists = append(lists, tokenList(field, min(x, y)+" "+max(x, y)))
				}
			}
		}
		return lists, nil
	}
}

// firstInitial is a term of the first name of one letter, if any.
func (sp *searchSpec) firstInitial() (string, bool) {
	for _, t := range sp.first {
		if utf8.RuneCountInString(t) == 1 {
			return t, true
		}
	}
	return "", false
}

// initial is the candidate of a first initial c and the longest term t of
// the last name, if any, for the prefix pass. The students with a first
// name word starting with c are in result order in one list
// (tokFirstInitial), so those of them whose last name starts with t, or
// is run together from a first word p and a word starting with what
// follows p in t (see joinedPrefix), are ranges of that list's sort keys;
// those with a later word of the last name that t starts are the lists of
// c and those words (tokInitialLater). Every row of those lists matches
// both terms: a common surname, or the start of many, with an initial is
// a walk of the page it shows, where the pair lists of the surname's
// words with the words c starts are a long range to sort or many lists
// to merge.
func (sp *searchSpec) initial(c string) func(context.Context, searchTx) ([]searchList, error) {
	return func(ctx context.Context, tx searchTx) ([]searchList, error) {
		last := byLength(sp.last)
		if len(last) == 0 {
			return []searchList{tokenList(tokFirstInitial, c)}, nil
		}
		t := last[0]
		var lists []searchList
		for i, r := range t {
			if i > 0 {
				lists = append(lists, initialRange(c, t[:i]+" "+string(r)))
			}
		}
		pair := c + " " + t
		later, err := sp.mergeable(ctx, tx, tokInitialLater, pair)
		if err != nil {
			return nil, err
		}
		// Every row the walk merges passes through the lists before it,
		// and these are short and mostly empty: counted apart, the empty
		// ones are dropped. The range of t comes last, where its rows
		// pass one merge.
		lists = append(append(lists, later...), tokenList(tokInitialLater, pair))
		few, err := sp.cost(ctx, tx, lists, sp.sort)
		if err != nil {
			return nil, err
		}
		if !few.capped {
			lists = sp.laterRange(few.lists, pair)
		}
		return append(lists, initialRange(c, t)), nil
	}
}

// laterRange puts the lists of an initial and later words of the last
// name (tokInitialLater) that a counted candidate holds, when there are
// two or more, as one range of that field: the tokens that start with
// pair. SQLite merges a UNION two lists at a time, so each row passes
// through every merge above its list, where the range, whose rows the
// count bounds (under the sort limit), is sorted once. The range holds
// the same rows, so its count is theirs.
func (sp *searchSpec) laterRange(lists []searchList, pair string) []searchList {
	var kept []searchList
	rows, later := 0, 0
	for _, l := range lists {
		if l.table == "name_tokens n" && l.args[0] == tokInitialLater {
			rows, later = rows+sp.counted[countKey(l)], later+1
		} else {
			kept = append(kept, l)
		}
	}
	if later < 2 {
		return lists
	}
	r := searchList{table: "name_tokens n", where: "n.field = +? AND n.token >= ? AND n.token < ?",
		args: []any{tokInitialLater, pair, pair + "\xff"}}
	sp.counted[countKey(r)] = rows
	return append(kept, r)
}

// initialRange is the students with a first-name word starting with c
// whose sort key starts with prefix.
func initialRange(c, prefix string) searchList {
	return searchList{table: "name_tokens n", where: "n.field = +? AND n.token = ? AND n.sort_key >= ? AND n.sort_key < ?",
		args: []any{tokFirstInitial, c, prefix, prefix + "\xff"}}
}

// fewArms is how many lists a walk merges at most before sorting a
// short range instead: SQLite merges a UNION two lists at a time, so each
// row found passes through every merge above it (a first initial's 24
// words cost a common surname's search over a millisecond).
const fewArms = 4

// pairRanges is the pair candidate when b, a prefix of the first name,
// starts more than a few words (a common last name and a first
// initial): the pairs of each word of the last name with the words b
// starts are one range of tokens, which the walk sorts when all of them
// have fewer than the sort limit of rows. Walking the last name's list
// instead reads every student of that name up to the initial. lists are
// the pair's lists of names run together; words, the last name's words,
// are complete when the arms limit bounds them.
func (sp *searchSpec) pairRanges(ctx context.Context, tx searchTx, level, field int, words []string, b searchTerm,
	lists []searchList) ([]searchList, error) {
	if level != levelPrefix || field != tokPair || len(words) > sp.arms {
		return nil, errTooManyLists
	}
	var ranges []searchList
	for _, x := range words {
		pair := x + " " + b.term
		ranges = append(ranges, tokenList(field, pair), tokenRange(field, pair, pair))
	}
	c, err := sp.cost(ctx, tx, ranges, sp.sort)
	if err == nil && c.capped {
		err = errTooManyLists
	}
	if err != nil {
		return nil, err
	}
	return append(lists, c.lists...), nil
}

// longer lists the students with a token of t's name that starts with t
// and is longer: a longer word, or the name run together (joinedPrefix);
// errTooManyLists if that takes too many lists.
//
// For the last name, the results' order helps: a longer first word is a
// range of the sort key (in the sort key, a name character follows t,
// and name characters sort after "!"), so only the later words need lists
// of their own. The first name does not order the results: its longer
// words are a range of tokens, sorted when short, else merged word by
// word (see mergeable).
func (sp *searchSpec) longer(ctx context.Context, tx searchTx, t searchTerm) ([]searchList, error) {
	var lists []searchList
	if t.field == tokLast {
		lists = []searchList{sp.sortBetween(t.term+"!", t.term+"\xff")}
	}
	field, prefix := sp.wordField(t, true)
	var words []searchList
	var err error
	if field == tokLastLater && utf8.RuneCountInString(t.term) == 1 {
		// Many words start with one letter: their students are one list.
		words = []searchList{tokenList(tokLastLaterInitial, t.term)}
	} else if words, err = sp.mergeable(ctx, tx, field, prefix); err != nil {
		return nil, err
	}
	joined, err := sp.joinedPrefix(ctx, tx, t)
	if err != nil {
		return nil, err
	}
	return append(append(lists, words...), joined...), nil
}

// wordField is the name_tokens field and token (or token prefix) of the
// words t is or starts: those within the district when one is asked for;
// for the last name, only its words after the first when later is set or
// within a district (its first word is a range of the sort key).
func (sp *searchSpec) wordField(t searchTerm, later bool) (field int, token string) {
	switch {
	case t.field == tokFirst && sp.district != "":
		return tokDistrictFirst, sp.district + sortSep + t.term
	case t.field == tokFirst:
		return tokFirst, t.term
	case sp.district != "":
		return tokDistrictLater, sp.district + sortSep + t.term
	case later:
		return tokLastLater, t.term
	}
	return tokLast, t.term
}

// joinedPrefix lists the students whose name run together starts with t
// though none of its words does ("delac" in De La Cruz): the first word p
// of such a name is a proper prefix of t. For the last name, the sort key
// then starts with p, a space and what follows p in t: one range for each
// p. For the first name, the words that are proper prefixes of t, or the
// names run together that start with t, whichever lists fewer rows.
func (sp *searchSpec) joinedPrefix(ctx context.Context, tx searchTx, t searchTerm) ([]searchList, error) {
	var prefixes []searchList
	for i, r := range t.term {
		if i == 0 {
			continue
		}
		if t.field == tokLast {
			prefixes = append(prefixes, sp.sortRange(t.term[:i]+" "+string(r)))
		} else {
			field, token := sp.wordField(searchTerm{tokFirst, t.term[:i]}, false)
			prefixes = append(prefixes, tokenList(field, token))
		}
	}
	if t.field == tokLast {
		return prefixes, nil
	}
	joined, err := sp.mergeable(ctx, tx, tokFirstJoined, t.term)
	if errors.Is(err, errTooManyLists) {
		return prefixes, nil
	}
	if err != nil {
		return nil, err
	}
	byPrefix, err := sp.cost(ctx, tx, prefixes, sp.count)
	if err != nil || byPrefix.cost == 0 {
		return byPrefix.lists, err
	}
	byJoined, err := sp.cost(ctx, tx, joined, byPrefix.cost)
	if err != nil {
		return nil, err
	}
	if !byJoined.capped {
		return byJoined.lists, nil
	}
	return prefixes, nil
}

// mergeable is the tokens of field longer than t that start with t: each
// word's list, in result order, if there are at most arms words; else the
// range itself, which the walk sorts, if it has under sort rows; else
// errTooManyLists.
func (sp *searchSpec) mergeable(ctx context.Context, tx searchTx, field int, t string) ([]searchList, error) {
	words, err := sp.distinctTokens(ctx, tx, field, t)
	if err != nil {
		return nil, err
	}
	if len(words) <= sp.arms {
		lists := make([]searchList, len(words))
		for i, w := range words {
			lists[i] = tokenList(field, w)
		}
		return lists, nil
	}
	c, err := sp.cost(ctx, tx, []searchList{tokenRange(field, t, t)}, sp.sort)
	if err == nil && c.capped {
		err = errTooManyLists
	}
	if err != nil {
		return nil, err
	}
	return c.lists, nil
}

// distinctTokens lists the distinct tokens of field after t that start
// with t, up to one more than the arms limit, one index seek each.
// Candidates share them, so they are remembered for the rest of the
// search.
func (sp *searchSpec) distinctTokens(ctx context.Context, tx searchTx, field int, t string) ([]string, error) {
	key := fmt.Sprint(field, " ", t)
	if words, ok := sp.distinct[key]; ok {
		return words, nil
	}
	rows, err := tx.query(ctx, `WITH RECURSIVE w(token) AS (
			SELECT (SELECT min(token) FROM name_tokens WHERE field = +?1 AND token > ?2 AND token < ?3)
			UNION ALL
			SELECT (SELECT min(token) FROM name_tokens WHERE field = +?1 AND token > w.token AND token < ?3)
			FROM w WHERE w.token IS NOT NULL
		)
		SELECT token FROM w WHERE token IS NOT NULL LIMIT +?4`, field, t, t+"\xff", sp.arms+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	words := []string{}
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return nil, err
		}
		words = append(words, w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if sp.distinct == nil {
		sp.distinct = map[string][]string{}
	}
	sp.distinct[key] = words
	return words, nil
}

// walk reads the lists in result order, keeps the rows that meet every
// condition at the given name level and stops after need of them, or
// after the walk limit plus need rows of the lists however few of them
// matched: then stopped is set, and the students found are the first that
// match, in order, among the rows read.
func (sp *searchSpec) walk(ctx context.Context, tx searchTx, lists []searchList, level, need int) (hits []searchHit, stopped bool, err error) {
	if len(lists) == 0 {
		return nil, false, nil
	}
	q, args := sp.walkQuery(lists, level, need)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, false, err
	}
	var found string
	var n int
	if err := scanRows(rows, func() error { return rows.Scan(&found, &n) }); err != nil {
		return nil, false, err
	}
	if n < need {
		if stopped, err = sp.walkCut(ctx, tx, lists, level, need); err != nil {
			return nil, false, err
		}
	}
	if found == "" {
		return nil, stopped, nil
	}
	// n IDs, read in place: strings.Split would make a slice of them too.
	out := make([]searchHit, 0, n)
	for found != "" {
		id, rest, _ := strings.Cut(found, "\x1f")
		out, found = append(out, searchHit{stateID: id, exact: level != levelPrefix}), rest
	}
	return out, stopped, nil
}

// walkBudget is how many rows of its lists a walk reads at most.
func (sp *searchSpec) walkBudget(need int) int { return sp.walkRows + need }

// walkCut reports whether a walk that found fewer than need students
// stopped at its budget before the end of its lists: whether they hold
// more distinct students than the budget. The counts of the planner
// usually tell; else the lists' index entries are counted, up to one past
// the budget: first list by list, then merged when they may hold the
// same student.
func (sp *searchSpec) walkCut(ctx context.Context, tx searchTx, lists []searchList, level, need int) (bool, error) {
	budget := sp.walkBudget(need)
	// Counted list by list, without merging, the rows are as many or more.
	if _, err := sp.cost(ctx, tx, lists, budget+1); err != nil {
		return false, err
	}
	total := 0
	for _, l := range lists {
		n, ok := sp.counted[countKey(l)]
		if !ok {
			total = budget + 1
			break
		}
		total += n
	}
	if total <= budget {
		return false, nil
	}
	arms := make([]string, len(lists))
	var args []any
	for i, l := range lists {
		f := sp.filters(l)
		arms[i] = `SELECT n.state_id, n.sort_key FROM ` + l.table + ` WHERE ` + l.where + f.seek
		args = append(append(args, l.args...), f.seekArgs...)
	}
	rows, err := tx.query(ctx, `SELECT count(*) FROM (`+strings.Join(arms, " UNION ")+` ORDER BY 2, 1 LIMIT +?)`,
		append(args, budget+1)...)
	if err != nil {
		return false, err
	}
	var n int
	err = scanRows(rows, func() error { return rows.Scan(&n) })
	return n > budget, err
}

// walkQuery is the SQL of a walk. Several lists are merged by SQLite's
// ordered UNION, which reads each in index order and drops a student
// found in two of them. Every row read is marked with whether it meets
// the conditions, and the merged rows are cut at the walk's budget before
// they are kept or dropped: however few rows match, a walk reads a
// bounded number of index entries, and what it finds is every match up
// to where it stopped. When the name terms are all there is to check,
// they are checked once on the merged rows instead of in every list: the
// statement is shorter to prepare, which a fresh process does for each.
// The state IDs found come as one value, in result order, separated by
// \x1f (no stored text holds a control character): read through the
// driver, each row cost more than SQLite's walk to it; with how many
// they are. group_concat takes them in the order the subqueries yield
// them, the merge's ORDER BY, as the LIMITs above rely on: SQLite runs a
// subquery with a LIMIT under an aggregate as a co-routine, in order. An
// ORDER BY of the aggregate would sort them again into a temporary
// b-tree (a sixth of a search's planning and walking).
func (sp *searchSpec) walkQuery(lists []searchList, level, need int) (string, []any) {
	conds := make([]filter, len(lists))
	namesOnly := level != levelAny
	// Rows of lists that hold only exact matches need no name checked at
	// the exact level: name_level_key is a call into Go for each row,
	// some 40% of walking a page of them.
	whole := level == levelExact
	for i, l := range lists {
		conds[i] = sp.filters(l)
		namesOnly = namesOnly && len(conds[i].others) == 0
		whole = whole && l.whole
	}
	// The name conditions are the same in every list: made once.
	var names []string
	var namesArgs []any
	if !namesOnly && !whole {
		names, namesArgs = sp.nameFilters("n.sort_key", level)
	}
	var args []any
	arms := make([]string, len(lists))
	for i, l := range lists {
		where, wargs := conds[i].others, conds[i].othersArgs
		if len(names) > 0 {
			where, wargs = append(slices.Clone(names), where...), append(slices.Clone(namesArgs), wargs...)
		}
		if sp.probe != "" {
			where = append([]string{sp.probe}, where...)
		}
		arms[i] = `SELECT n.state_id AS id, n.sort_key AS k, ` + nested(where) + ` AS ok FROM ` + l.table + ` WHERE ` + l.where + conds[i].seek
		args = append(append(append(args, wargs...), l.args...), conds[i].seekArgs...)
	}
	q := `SELECT coalesce(group_concat(id, char(31)), ''), count(*) FROM (SELECT id FROM (` +
		strings.Join(arms, " UNION ") + ` ORDER BY 2, 1 LIMIT +?) WHERE `
	args = append(args, sp.walkBudget(need))
	kept := "ok"
	if namesOnly && !whole {
		names, nargs := sp.nameFilters("k", level)
		kept, args = nested(append([]string{"ok"}, names...)), append(args, nargs...)
	}
	return q + kept + ` LIMIT +?)`, append(args, need)
}

// nested is the conditions as one value, true when all are: nested
// CASEs, as a value is not a WHERE clause: SQLite evaluates both sides of
// an AND there, even when the first is false.
func nested(where []string) string {
	cond := "1"
	for i := len(where) - 1; i >= 0; i-- {
		cond = "CASE WHEN " + where[i] + " THEN " + cond + " END"
	}
	return cond
}

// filter is what a list's row must meet besides the name terms (see
// nameFilters): the other conditions, cheapest first; seek, to add to the
// list's WHERE, narrows the rows walked.
type filter struct {
	others     []string
	othersArgs []any
	seek       string
	seekArgs   []any
}

// nameFilters are the conditions of the name terms at level on a sort
// key, the SQL expression key. What SQL checks first is cheaper than
// calling name_level_key on every row of a long list. A student that a
// term matches has a word of that name starting with the term, or the
// name's first word starts like the term (the name run together starts
// with it); the sort key is the last name, then \x1f and the first.
func (sp *searchSpec) nameFilters(key string, level int) (where []string, args []any) {
	if level == levelAny {
		return nil, nil
	}
	for _, t := range sp.last {
		where = append(where, "(substr("+key+", 1, 1) = substr(?, 1, 1) OR instr("+key+", ' ' || ?) > 0)")
		args = append(args, t, t)
	}
	for _, t := range sp.first {
		where = append(where, "(instr("+key+", char(31) || substr(?, 1, 1)) > 0 OR instr("+key+", ' ' || ?) > 0)")
		args = append(args, t, t)
	}
	where = append(where, "name_level_key("+key+", ?) = +?")
	return where, append(args, searchSortKey(strings.Join(sp.last, " "), strings.Join(sp.first, " ")), level)
}

// filters is the condition a list's row must meet: every condition of the
// query but the name terms, cheapest first: those read from the list's
// own row, then an index seek for the district, then the student row for
// gender and birth date. The gender, when the list's index can seek it,
// is a condition of the rows walked instead (seek).
func (sp *searchSpec) filters(l searchList) filter {
	var f filter
	if sp.id != "" {
		// The unary + keeps SQLite from walking a state_id index instead.
		f.others = append(f.others, "+n.state_id >= ? AND +n.state_id < ?")
		f.othersArgs = append(f.othersArgs, sp.id, sp.id+"\xff")
	}
	if sp.district != "" && !l.inDistrict {
		f.others = append(f.others, `EXISTS (SELECT 1 FROM district_students d
			WHERE d.district_number = ? AND d.sort_key = n.sort_key AND d.state_id = n.state_id)`)
		f.othersArgs = append(f.othersArgs, sp.district)
	}
	// On a list of students, the student row is the list's own; a
	// district's list has the gender too.
	s := "s"
	if l.table == "students n" {
		s = "n"
	}
	var student []string
	var studentArgs []any
	switch {
	case sp.gender == "" || l.inGender:
	case l.table == "district_students n" || s == "n":
		// Both have an index by gender in result order: the gender
		// narrows the rows walked, not only those kept.
		f.seek, f.seekArgs = " AND n.gender = ?", []any{sp.gender}
	default:
		student, studentArgs = append(student, s+".gender = ?"), append(studentArgs, sp.gender)
	}
	if sp.birth != "" {
		student, studentArgs = append(student, "+"+s+".birth_date = ?"), append(studentArgs, sp.birth)
	}
	switch {
	case student != nil && s == "n":
		f.others = append(f.others, student...)
	case student != nil:
		f.others = append(f.others, `EXISTS (SELECT 1 FROM students s WHERE s.state_id = n.state_id AND `+
			strings.Join(student, " AND ")+`)`)
	}
	f.othersArgs = append(f.othersArgs, studentArgs...)
	return f
}

// findSet reads every student with the birth date and state ID asked for
// (fewer than the set limit) and sorts those that match: exact names
// first.
func (sp *searchSpec) findSet(ctx context.Context, tx searchTx) ([]searchHit, error) {
	l := sp.setList()
	args := append([]any{strings.Join(sp.last, " "), strings.Join(sp.first, " ")}, l.args...)
	where := l.where
	if sp.gender != "" {
		where, args = where+" AND n.gender = ?", append(args, sp.gender)
	}
	if sp.district != "" {
		where += ` AND EXISTS (SELECT 1 FROM district_students d
			WHERE d.district_number = ? AND d.sort_key = n.sort_key AND d.state_id = n.state_id)`
		args = append(args, sp.district)
	}
	rows, err := tx.query(ctx, `SELECT n.state_id, name_level(n.last_key, n.first_key, ?, ?) AS level
		FROM students n WHERE `+where+` AND level > 0
		ORDER BY level DESC, n.sort_key, n.state_id LIMIT +?`, append(args, sp.limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []searchHit
	for rows.Next() {
		var h searchHit
		var level int
		if err := rows.Scan(&h.stateID, &level); err != nil {
			return nil, err
		}
		h.exact = level == levelExact
		out = append(out, h)
	}
	return out, rows.Err()
}
