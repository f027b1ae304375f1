package demo

import (
	"slices"
	"strings"

	"migrantdesk/data"
)

// clerkNames are the regional data clerks, one per region, in the order
// of regionList.
var clerkNames = [][2]string{{"Rosa", "Delgado"}, {"Daniel", "Whitaker"}, {"Lucía", "Morales"}, {"Tom", "Nguyen"}}

// makeUsers gives the state the people who use the app: a state
// administrator, a clerk per region, a coordinator and a district
// administrator for each of the largest districts, and two coordinators
// who each serve a pair of smaller districts of one region.
func (g *gen) makeUsers(r rng) []data.User {
	staff := newStaffNamer(r)
	users := []data.User{staffUser("Karen", "Mitchell", data.RoleStateAdmin)}
	for i, n := range clerkNames {
		u := staffUser(n[0], n[1], data.RoleClerk)
		u.RegionCode = regionList[i].Code
		users = append(users, u)
	}
	bySize := make([]*district, len(g.districts))
	copy(bySize, g.districts)
	slices.SortStableFunc(bySize, func(a, b *district) int { return b.students - a.students })
	for _, d := range bySize[:4] {
		c := staff.next(data.RoleCoordinator)
		c.Districts = []string{d.Number}
		a := staff.next(data.RoleDistrictAdmin)
		a.DistrictNumber = d.Number
		users = append(users, c, a)
	}
	// Coordinators of two small districts each, from the middle of the
	// size order, one pair in Southern and one in Western.
	for _, region := range []int{2, 3} {
		var pair []string
		for _, d := range bySize[min(20, len(bySize)):] {
			if d.region == region && len(pair) < 2 {
				pair = append(pair, d.Number)
			}
		}
		if len(pair) == 2 {
			c := staff.next(data.RoleCoordinator)
			c.Districts = pair
			slices.Sort(c.Districts)
			users = append(users, c)
		}
	}
	return users
}

// staffUser is a user whose user name is their name, first.last, without
// accents.
func staffUser(first, last, role string) data.User {
	username := strings.ReplaceAll(data.NormalizeName(first), " ", "") + "." + strings.ReplaceAll(data.NormalizeName(last), " ", "")
	return data.User{Username: username, FullName: first + " " + last, Role: role, Email: username + "@example.org"}
}

// staffNamer hands out staff names no one else has.
type staffNamer struct {
	first, last []string
	i           int
}

func newStaffNamer(r rng) *staffNamer {
	// The first four of each list are the administrator's and the clerks'.
	f, l := slices.Clone(staffFirst[4:]), slices.Clone(staffLast[4:])
	r.Shuffle(len(f), func(i, j int) { f[i], f[j] = f[j], f[i] })
	r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
	return &staffNamer{first: f, last: l}
}

// next is the next staff member; the lists hold more names than the
// users makeUsers needs.
func (s *staffNamer) next(role string) data.User {
	u := staffUser(s.first[s.i], s.last[s.i], role)
	s.i++
	return u
}
