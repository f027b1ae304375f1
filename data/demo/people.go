package demo

import (
	"strings"

	"migrantdesk/data"
)

// origin is a family's naming tradition, with the race/ethnicity codes its
// students are reported under and how often they are English learners.
type origin struct {
	surnames, female, male []string
	middle                 float64 // chance of a middle name
	races                  []string
	raceWeights            picker
	el                     float64
}

func newOrigin(surnames, female, male []string, middle, el float64, races string, weights ...float64) *origin {
	return &origin{surnames: surnames, female: female, male: male, middle: middle, el: el,
		races: strings.Split(races, ""), raceWeights: newPicker(weights)}
}

var (
	hispanic    = newOrigin(hispanicSurnames, hispanicFemale, hispanicMale, 0.45, 0.38, "176", 93, 4, 3)
	english     = newOrigin(englishSurnames, englishFemale, englishMale, 0.7, 0.003, "6472", 77, 15, 6, 2)
	vietnamese  = newOrigin(vietnameseSurnames, vietnameseFemale, vietnameseMale, 0.8, 0.45, "37", 95, 5)
	somali      = newOrigin(somaliSurnames, somaliFemale, somaliMale, 0.3, 0.6, "4", 1)
	arabic      = newOrigin(arabicSurnames, arabicFemale, arabicMale, 0.25, 0.55, "64", 85, 15)
	chinese     = newOrigin(chineseSurnames, chineseFemale, chineseMale, 0.1, 0.45, "37", 95, 5)
	nepali      = newOrigin(nepaliSurnames, nepaliFemale, nepaliMale, 0.15, 0.55, "3", 1)
	congolese   = newOrigin(congoleseSurnames, congoleseFemale, congoleseMale, 0.35, 0.65, "4", 1)
	bosnian     = newOrigin(bosnianSurnames, bosnianFemale, bosnianMale, 0.1, 0.3, "6", 1)
	marshallese = newOrigin(marshalleseSurnames, marshalleseFemale, marshalleseMale, 0.3, 0.6, "5", 1)
	burmese     = newOrigin(burmeseSurnames, burmeseFemale, burmeseMale, 0.05, 0.7, "3", 1)
)

// Families who are not Hispanic, by share of the state's students.
var (
	otherOrigins       = []*origin{english, vietnamese, somali, arabic, chinese, nepali, congolese, bosnian, marshallese, burmese}
	otherOriginWeights = newPicker([]float64{86.5, 1.5, 1.2, 2, 1, 1.2, 1.5, 1.5, 0.5, 1.6})
	// Migrant families who are not Hispanic: farmworkers from the state
	// itself, and refugees who work in meat packing.
	migrantOtherWeights = newPicker([]float64{50, 10, 8, 0, 0, 5, 10, 0, 7, 10})
)

// person is who a student is, before any school.
type person struct {
	last, first, middle string
	gender, race        string
	origin              *origin
}

var stripAccents = strings.NewReplacer(
	"á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ñ", "n", "ü", "u",
	"Á", "A", "É", "E", "Í", "I", "Ó", "O", "Ú", "U", "Ñ", "N", "Ü", "U")

// newPerson names a student. Hispanic names are given the ways extracts
// carry them: one surname, both surnames with a space or a hyphen, with
// or without accents.
func newPerson(r rng, isHispanic, migrant bool) person {
	var p person
	switch x := r.Float64(); {
	case x < 0.003:
		p.gender = "X"
	case x < 0.5:
		p.gender = "F"
	default:
		p.gender = "M"
	}
	if isHispanic {
		p.origin = hispanic
		p.hispanicName(r)
	} else {
		if migrant {
			p.origin = otherOrigins[migrantOtherWeights.draw(r)]
		} else {
			p.origin = otherOrigins[otherOriginWeights.draw(r)]
		}
		p.otherName(r)
	}
	p.race = p.origin.races[p.origin.raceWeights.draw(r)]
	return p
}

func (p *person) givenNames(r rng) []string {
	switch {
	case p.gender == "F":
		return p.origin.female
	case p.gender == "M":
		return p.origin.male
	case r.chance(0.5):
		return p.origin.female
	}
	return p.origin.male
}

func (p *person) hispanicName(r rng) {
	first := hispanicSurnames
	if r.chance(0.07) {
		first = mayanSurnames
	}
	p.last = r.pick(first)
	switch x := r.Float64(); {
	case x < 0.17:
		p.last += " " + r.pick(hispanicSurnames)
	case x < 0.24:
		p.last += "-" + r.pick(hispanicSurnames)
	}
	given := p.givenNames(r)
	p.first = r.pick(given)
	if r.chance(0.07) {
		if p.gender == "F" {
			p.first = r.pick(hispanicCompoundFemale)
		} else {
			p.first = r.pick(hispanicCompoundMale)
		}
	}
	if r.chance(p.origin.middle) {
		p.middle = pickOther(r, given, p.first)
	}
	// One extract in four was typed on a keyboard without accents.
	if r.chance(0.25) {
		p.last, p.first, p.middle = stripAccents.Replace(p.last), stripAccents.Replace(p.first), stripAccents.Replace(p.middle)
	}
}

func (p *person) otherName(r rng) {
	o := p.origin
	p.last = r.pick(o.surnames)
	if o == english && r.chance(0.02) {
		p.last += "-" + r.pick(o.surnames)
	}
	given := p.givenNames(r)
	p.first = r.pick(given)
	if !r.chance(o.middle) {
		return
	}
	switch {
	case o == vietnamese && p.gender == "F":
		p.middle = "Thi"
	case o == vietnamese:
		p.middle = "Van"
	case o == english && r.chance(0.3):
		p.middle = r.pick(o.surnames) // a family name as a middle name
	default:
		p.middle = pickOther(r, given, p.first)
	}
}

// pickOther picks a name from list that is not name.
func pickOther(r rng, list []string, name string) string {
	for {
		if n := r.pick(list); n != name {
			return n
		}
	}
}

// student fills the identity part of a data.Student.
func (p person) student(stateID, local string, birth data.Date) data.Student {
	return data.Student{StateID: stateID, LocalNumber: local, LastName: p.last, FirstName: p.first,
		MiddleName: p.middle, BirthDate: birth, Gender: p.gender, Race: p.race}
}
