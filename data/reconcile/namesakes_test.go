package reconcile

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"migrantdesk/data"
)

// The index finds exactly the pairs that comparing every two people born
// on a day finds: names drawn from a few words, compound, hyphenated, run
// together, accented and in either case, on a few birth dates.
func TestNamesakesFindWhatEveryPairFinds(t *testing.T) {
	lasts := []string{"García", "garcia lopez", "García-López", "López", "De la Cruz", "Delacruz", "DE LA CRUZ GARCÍA", "Núñez", "Nunez Lopez", "O'Neil", ""}
	firsts := []string{"María", "maria jose", "José", "Ana María", "AnaMaria", "Ana", ""}
	days := []data.Date{day("2012-05-05"), day("2012-05-06"), day("2013-01-01")}
	rng := rand.New(rand.NewPCG(7, 7))
	for round := range 50 {
		n := 5 + rng.IntN(60)
		names := make([]name, n)
		births := make([]data.Date, n)
		for i := range n {
			names[i] = newName(lasts[rng.IntN(len(lasts))], firsts[rng.IntN(len(firsts))])
			births[i] = days[rng.IntN(len(days))]
		}
		keep := func(i int) bool { return i%7 != 3 }
		x := newNamesakes(names, births, keep)
		for i := range n {
			var got, want []int
			x.each(i, births[i], func(j int) bool {
				got = append(got, j)
				return true
			})
			for j := range n {
				if j != i && keep(j) && births[j] == births[i] && names[i].same(names[j]) {
					want = append(want, j)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, %q %q: the index found %v, every pair %v", round, names[i].last, names[i].first, got, want)
			}
		}
	}
}

// A Possible duplicate names ten others at most: an export of one name
// on one day, a placeholder, names each row once, not every other row in
// each row's discrepancy.
func TestPossibleDuplicateNamesTenOthers(t *testing.T) {
	snap := state()
	var rows []data.MIS2000Row
	for i := range 13 {
		rows = append(rows, row(i+2, fmt.Sprint(500+i), "Hernández", "María", "2012-05-05", "2025-05-05", "", "001"))
	}
	r := Compare(rows, nil, snap, "")
	n := 0
	for _, d := range r.Discrepancies {
		if d.Category != PossibleDuplicate {
			continue
		}
		n++
		if got := strings.Count(d.InMIS2000, "MIS2000 ID ") - 1; got != maxNamesakes || !strings.HasSuffix(d.InMIS2000, " and more") {
			t.Fatalf("names %d others: %s", got, d.InMIS2000)
		}
	}
	if n != 13 {
		t.Fatalf("%d possible duplicates, want one a row", n)
	}
}
