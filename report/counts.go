package report

import (
	"slices"
	"sort"

	"migrantdesk/data"
)

// Count is one line of an Aggregated table.
type Count struct {
	Label string
	N     int
}

// GroupCount is one student group with how many students are and are not in it.
type GroupCount struct {
	Label   string
	Yes, No int
}

// SchoolCount is one school with the students counted there.
type SchoolCount struct {
	Number, Name string
	N            int
}

// Counts are the Aggregated report's unduplicated counts: each student once,
// by the qualifying enrollment with service type P, else S, else N (ties:
// latest start date), as data.Prefer chooses.
type Counts struct {
	Total   int
	Grades  []Count // every grade K, 01–12, zeros included
	Genders []Count // Female, Male, Non-binary, then any other code found
	Races   []Count // the seven state categories by name, then any other code found
	Groups  []GroupCount
	Schools []SchoolCount // schools with at least one student, by name then number
}

// Student groups, in the order the report lists them.
const (
	GroupEconomicallyDisadvantaged = "Economically Disadvantaged"
	GroupEnglishLearner            = "English Learner"
	GroupDisability                = "Disability"
	GroupHomeless                  = "Homeless"
)

// Unduplicated returns one row per student: the one whose enrollment counts.
// The result is in report order.
func Unduplicated(rows []Row) []Row {
	best := make(map[string]int, len(rows))
	var order []string
	for i, r := range rows {
		id := r.Student.StateID
		j, seen := best[id]
		if !seen {
			order = append(order, id)
			best[id] = i
		} else if data.Prefer(r.Enrollment, rows[j].Enrollment) {
			best[id] = i
		}
	}
	out := make([]Row, len(order))
	for i, id := range order {
		out[i] = rows[best[id]]
	}
	return out
}

func count(rows []Row) Counts {
	students := Unduplicated(rows)
	c := Counts{Total: len(students)}

	grade := map[string]int{}
	gender := map[string]int{}
	race := map[string]int{}
	school := map[string]*SchoolCount{}
	var yes [4]int
	for _, r := range students {
		grade[r.Enrollment.Grade]++
		gender[r.Student.Gender]++
		race[r.Student.Race]++
		sc := school[r.Enrollment.SchoolNumber]
		if sc == nil {
			sc = &SchoolCount{Number: r.Enrollment.SchoolNumber, Name: r.SchoolName}
			school[sc.Number] = sc
		}
		sc.N++
		for i, in := range [4]bool{r.EconomicallyDisadvantaged, r.EnglishLearner, r.Disability, r.Homeless} {
			if in {
				yes[i]++
			}
		}
	}

	for _, g := range data.Grades() {
		c.Grades = append(c.Grades, Count{g, grade[g]})
	}
	c.Genders = named(gender, data.Genders(), data.GenderName)
	c.Races = named(race, data.RaceCodes(), data.RaceName)
	for i, label := range []string{GroupEconomicallyDisadvantaged, GroupEnglishLearner, GroupDisability, GroupHomeless} {
		c.Groups = append(c.Groups, GroupCount{label, yes[i], c.Total - yes[i]})
	}
	for _, sc := range school {
		c.Schools = append(c.Schools, *sc)
	}
	sort.Slice(c.Schools, func(i, j int) bool {
		a, b := c.Schools[i], c.Schools[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Number < b.Number
	})
	return c
}

// named lists every known code by name, zeros included, then any code the
// extract carried that has no name, so the lines always add up to the total.
func named(n map[string]int, codes []string, name func(string) string) []Count {
	out := make([]Count, 0, len(codes))
	for _, code := range codes {
		out = append(out, Count{name(code), n[code]})
	}
	var other []string
	for code := range n {
		if !slices.Contains(codes, code) {
			other = append(other, code)
		}
	}
	sort.Strings(other)
	for _, code := range other {
		label := "Not reported"
		if code != "" {
			label = "Code " + code
		}
		out = append(out, Count{label, n[code]})
	}
	return out
}
