package demo

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"migrantdesk/data"
)

// The regions the state has used (SPEC §2).
var regionList = []data.Region{{Code: "C", Name: "Central"}, {Code: "N", Name: "Northern"}, {Code: "S", Name: "Southern"}, {Code: "W", Name: "Western"}}

// schoolKind is what a school is for: which grades it takes.
type schoolKind int

const (
	elementary  schoolKind = iota // K–05, and preschool where there is no center
	middle                        // 06–08
	high                          // 09–12 and 14
	middleHigh                    // 06–12 in small districts
	preschool                     // preschool center: PS only
	tech                          // area technology center: S enrollments of high schoolers
	alternative                   // alternative school: transfers of grades 06–12
	private                       // non-public, K–12
)

type school struct {
	data.School
	district int
	kind     schoolKind
}

// district is a district with what the generator needs to fill it.
type district struct {
	data.District
	region   int
	county   bool
	weight   float64 // share of the state's students
	students int
	migrants int
	// How much more often than the state its students are migrant,
	// Hispanic, or on free meals.
	migrantFactor, hispanicFactor, freeMeals float64
	// Its schools by kind, as indexes into gen.schools. A middle/high
	// school of a small district is in both mid and high.
	elem, mid, high, pre, tech, alt, priv []int
	// School calendar per year (0 the previous, 1 the current one).
	first, last, test [2]data.Date
}

// makeDistricts draws about 170 districts: county districts, of very
// different sizes, and smaller city ("Independent") districts, numbered in
// name order with gaps, as states number them.
func (g *gen) makeDistricts(r rng) {
	counties := sample(r, countyNames, 118+r.IntN(4))
	cities := sample(r, cityNames, 49+r.IntN(4))
	for _, n := range counties {
		g.districts = append(g.districts, &district{District: data.District{Name: n + " County"}, county: true,
			weight: lognormal(r, 2500, 0.8)})
	}
	for _, n := range cities {
		g.districts = append(g.districts, &district{District: data.District{Name: n + " Independent"},
			weight: lognormal(r, 900, 0.7)})
	}
	slices.SortFunc(g.districts, func(a, b *district) int { return strings.Compare(a.Name, b.Name) })
	num := 0
	for _, d := range g.districts {
		num += r.between(1, 5)
		d.Number = fmt.Sprintf("%03d", num)
	}

	// A few metropolitan counties hold a large part of the state.
	var rest float64
	for _, d := range g.districts {
		rest += d.weight
	}
	bigShares := []float64{0.14, 0.06, 0.03, 0.025, 0.02}
	big := sampleIndexes(r, len(counties), len(bigShares))
	countyIdx := []int{}
	for i, d := range g.districts {
		if d.county {
			countyIdx = append(countyIdx, i)
		}
	}
	var bigTotal, bigWeights float64
	for _, s := range bigShares {
		bigTotal += s
	}
	for _, k := range big {
		bigWeights += g.districts[countyIdx[k]].weight
	}
	for _, d := range g.districts {
		d.weight *= (1 - bigTotal) / (rest - bigWeights)
	}
	for j, k := range big {
		g.districts[countyIdx[k]].weight = bigShares[j]
	}

	// Regions: counties dealt round the four regions, the two largest
	// metros in Central and Northern; a city district lies in any region.
	order := r.Perm(len(countyIdx))
	for j, k := range order {
		g.districts[countyIdx[k]].region = j % len(regionList)
	}
	g.districts[countyIdx[big[0]]].region = 0
	g.districts[countyIdx[big[1]]].region = 1
	for _, d := range g.districts {
		if !d.county {
			d.region = r.IntN(len(regionList))
		}
		d.RegionCode = regionList[d.region].Code
		d.migrantFactor = lognormal(r, 1, 0.5)
		if r.chance(0.15) { // farming counties
			d.migrantFactor *= 4
		}
		d.hispanicFactor = 0.5 + r.Float64()
		d.freeMeals = 0.35 + 0.4*r.Float64()
		firstOff, lastOff, testOff := r.IntN(12), r.IntN(17), r.IntN(19)
		for yi := range 2 {
			y := g.cal.start(yi)
			d.first[yi] = weekday(data.NewDate(y, time.August, 7).AddDays(firstOff))
			d.last[yi] = weekday(data.NewDate(y+1, time.May, 19).AddDays(lastOff))
			d.test[yi] = weekday(data.NewDate(y+1, time.April, 27).AddDays(testOff))
		}
	}
	g.districts[countyIdx[big[0]]].migrantFactor = 1.5
}

// lognormal is a positive size around median, spread by sigma, with the
// tails cut at two sigmas so no district is absurd.
func lognormal(r rng, median, sigma float64) float64 {
	z := max(-2, min(2, r.NormFloat64()))
	return median * math.Exp(sigma*z)
}

// sample draws n different entries of list.
func sample(r rng, list []string, n int) []string {
	out := make([]string, 0, n)
	for _, i := range sampleIndexes(r, len(list), n) {
		out = append(out, list[i])
	}
	return out
}

func sampleIndexes(r rng, size, n int) []int {
	return r.Perm(size)[:min(n, size)]
}

// shareOut splits total into whole parts proportional to weights, largest
// remainders first, so the parts add up to total exactly.
func shareOut(total int, weights []float64) []int {
	var sum float64
	for _, w := range weights {
		sum += w
	}
	parts := make([]int, len(weights))
	rems := make([]int, len(weights))
	given := 0
	frac := make([]float64, len(weights))
	for i, w := range weights {
		x := float64(total) * w / sum
		parts[i] = int(x)
		frac[i] = x - float64(parts[i])
		given += parts[i]
		rems[i] = i
	}
	slices.SortStableFunc(rems, func(a, b int) int {
		switch {
		case frac[a] > frac[b]:
			return -1
		case frac[a] < frac[b]:
			return 1
		}
		return 0
	})
	for _, i := range rems[:total-given] {
		parts[i]++
	}
	return parts
}

// makeSchools gives each district schools in proportion to its size in a
// state of MaxStudents: elementary, middle and high schools of a few
// hundred to a thousand students, preschool centers, technology and
// alternative schools in the larger districts, and private schools. A
// smaller demo state is a sample of that state's students, so it keeps
// every kind of school.
func (g *gen) makeSchools(r rng) {
	for di, d := range g.districts {
		n := d.weight * MaxStudents
		names := newNamer(r, schoolWords)
		place := strings.TrimSuffix(strings.TrimSuffix(d.Name, " County"), " Independent")
		var list []*school
		add := func(kind schoolKind, name, class string) int {
			list = append(list, &school{School: data.School{Name: name, Classification: class}, district: di, kind: kind})
			return len(g.schools) + len(list) - 1
		}
		nElem := max(1, int(math.Round(n*0.45/430)))
		for i := range nElem {
			name := names.next() + " Elementary"
			if i == 0 && nElem == 1 {
				name = d.Name + " Elementary"
			}
			d.elem = append(d.elem, add(elementary, name, "A1"))
		}
		if n < 700 {
			s := add(middleHigh, place+" Middle/High School", "A1")
			d.mid, d.high = []int{s}, []int{s}
		} else {
			nMid := max(1, int(math.Round(n*0.23/620)))
			for i := range nMid {
				name := names.next() + " Middle School"
				if i == 0 && nMid == 1 {
					name = d.Name + " Middle School"
				}
				d.mid = append(d.mid, add(middle, name, "A1"))
			}
			nHigh := max(1, int(math.Round(n*0.30/1000)))
			for i := range nHigh {
				name := names.next() + " High School"
				if i == 0 && nHigh == 1 {
					name = d.Name + " High School"
				}
				d.high = append(d.high, add(high, name, "A1"))
			}
		}
		if n >= 3000 {
			for i := range max(1, int(math.Round(n/25000))) {
				name := place + " Early Learning Center"
				if i > 0 {
					name = names.next() + " Early Childhood Center"
				}
				d.pre = append(d.pre, add(preschool, name, "A4"))
			}
		}
		if n >= 20000 || n >= 2500 && r.chance(0.6) {
			for i := range max(1, int(math.Round(n/40000))) {
				name := place + " Area Technology Center"
				if i > 0 {
					name = names.next() + " Career Center"
				}
				d.tech = append(d.tech, add(tech, name, "A2"))
			}
		}
		if n >= 5000 {
			for range max(1, int(math.Round(n/30000))) {
				d.alt = append(d.alt, add(alternative, names.next()+" Alternative School", "A5"))
			}
		}
		nPriv := int(math.Round(n * 0.05 / 200))
		if nPriv == 0 && n >= 500 && r.chance(0.3) {
			nPriv = 1
		}
		privNames := map[string]*namer{}
		for range nPriv {
			class := "M1"
			switch x := r.Float64(); {
			case x > 0.85:
				class = "J1"
			case x > 0.75:
				class = "R1"
			case x > 0.5:
				class = "M2"
			}
			if privNames[class] == nil {
				privNames[class] = newNamer(r, privateNames[class])
			}
			name := privNames[class].next()
			if class == "M1" {
				name += " School"
			}
			d.priv = append(d.priv, add(private, name, class))
		}
		step := max(1, min(10, 980/(len(list)+1)))
		for i, s := range list {
			s.Number = fmt.Sprintf("%s%03d", d.Number, 10+i*step)
			s.DistrictNumber = d.Number
		}
		g.schools = append(g.schools, list...)
	}
}

// privateNames are the names of non-public schools by classification:
// Catholic, Christian, other religious, independent.
var privateNames = map[string][]string{"M1": catholicSchools, "M2": christianSchools, "R1": religiousSchools, "J1": independentSchools}

// namer hands out the names of a list in a random order without repeats;
// when they run out it starts again with North, South, East and West.
type namer struct {
	list  []string
	order []int
	i     int
}

func newNamer(r rng, list []string) *namer {
	return &namer{list: list, order: r.Perm(len(list))}
}

var compass = []string{"", "North ", "South ", "East ", "West "}

func (n *namer) next() string {
	k := n.i
	n.i++
	return compass[(k/len(n.list))%len(compass)] + n.list[n.order[k%len(n.list)]]
}
