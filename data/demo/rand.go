package demo

import (
	"math/rand/v2"
	"sort"

	"migrantdesk/data"
)

// rng is the generator's source of chance. Each part of the state draws
// from its own stream of the seed, so that a change in how one part is made
// does not reshuffle the others.
type rng struct{ *rand.Rand }

// Streams of the seed.
const (
	streamPlaces uint64 = iota + 1
	streamStudents
	streamUsers
	streamBuild
)

func newRNG(seed int64, stream uint64) rng {
	return rng{rand.New(rand.NewPCG(uint64(seed), 0x6d6967726e74^stream))}
}

func (r rng) chance(p float64) bool { return r.Float64() < p }

// between is a whole number from lo to hi, both included.
func (r rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

func (r rng) pick(list []string) string { return list[r.IntN(len(list))] }

// dateBetween is a day from lo to hi, both included.
func (r rng) dateBetween(lo, hi data.Date) data.Date {
	if hi <= lo {
		return lo
	}
	return lo.AddDays(r.IntN(daysBetween(lo, hi) + 1))
}

// daysBetween counts the days from a to b.
func daysBetween(a, b data.Date) int {
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}

// weekday moves d forward to a Monday–Friday.
func weekday(d data.Date) data.Date {
	switch d.Time().Weekday() {
	case 6:
		return d.AddDays(2)
	case 0:
		return d.AddDays(1)
	}
	return d
}

// picker draws an index with probability proportional to its weight.
type picker struct{ cum []float64 }

func newPicker(weights []float64) picker {
	cum := make([]float64, len(weights))
	total := 0.0
	for i, w := range weights {
		total += w
		cum[i] = total
	}
	return picker{cum}
}

func (p picker) draw(r rng) int {
	x := r.Float64() * p.cum[len(p.cum)-1]
	return min(sort.SearchFloat64s(p.cum, x), len(p.cum)-1)
}

// deck deals outcomes in shuffled rounds: each round holds every outcome
// as many times as its count says. A small state thus still shows every
// rare case (a round is short), and a large one gets the shares exactly.
type deck struct {
	round []int
	next  int
}

// newDeck makes a deck where outcome i comes counts[i] times per round.
func newDeck(counts ...int) *deck {
	d := &deck{}
	for i, n := range counts {
		for range n {
			d.round = append(d.round, i)
		}
	}
	d.next = len(d.round)
	return d
}

func (d *deck) draw(r rng) int {
	if d.next == len(d.round) {
		r.Shuffle(len(d.round), func(i, j int) { d.round[i], d.round[j] = d.round[j], d.round[i] })
		d.next = 0
	}
	d.next++
	return d.round[d.next-1]
}
