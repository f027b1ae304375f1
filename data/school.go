package data

import (
	"fmt"
	"strings"
)

// GradeClass sorts grades into the groups the rules care about.
type GradeClass int

const (
	GradeUnknown GradeClass = iota
	GradePreschool
	GradeK12
	GradePostSecondary // grade 14: post-secondary and adult
	GradeOSY           // out-of-school youth: no K-12 enrollment
)

// Grades lists the K–12 grades in report order.
var Grades = []string{"K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"}

// NormalizeGrade turns the spellings found in extracts ("1", "k", " 05")
// into the canonical code, or returns an error naming the accepted codes.
func NormalizeGrade(g string) (string, error) {
	g = strings.ToUpper(strings.TrimSpace(g))
	if len(g) == 1 && g[0] >= '1' && g[0] <= '9' {
		g = "0" + g
	}
	if ClassOf(g) == GradeUnknown {
		return "", fmt.Errorf("grade %q is not one of PS, 97, 98, 99, K, 01–12, 14, OSY", g)
	}
	return g, nil
}

// ClassOf classifies a canonical grade code.
func ClassOf(grade string) GradeClass {
	switch grade {
	case "PS", "97", "98", "99":
		return GradePreschool
	case "K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12":
		return GradeK12
	case "14":
		return GradePostSecondary
	case "OSY":
		return GradeOSY
	}
	return GradeUnknown
}

// GradeRank orders grades for display: preschool, K, 01–12, 14, OSY.
func GradeRank(grade string) int {
	switch grade {
	case "PS":
		return 0
	case "97", "98", "99":
		return int(grade[1]-'7') + 1
	case "K":
		return 4
	case "14":
		return 18
	case "OSY":
		return 19
	}
	if ClassOf(grade) == GradeK12 {
		return 4 + int(grade[0]-'0')*10 + int(grade[1]-'0')
	}
	return 20
}

// Service types of an enrollment.
const (
	ServicePrimary   = "P"
	ServiceSecondary = "S"
	ServiceSpecialEd = "N" // special-education services only
)

// ServiceRank orders service types by preference when one enrollment per
// student is needed: P, then S, then N. Lower is preferred.
func ServiceRank(t string) int {
	switch t {
	case ServicePrimary:
		return 0
	case ServiceSecondary:
		return 1
	case ServiceSpecialEd:
		return 2
	}
	return 3
}

// ValidateServiceType accepts P, S or N.
func ValidateServiceType(t string) error {
	if ServiceRank(t) > 2 {
		return fmt.Errorf("service type %q is not P, S or N", t)
	}
	return nil
}

// IsNonPublic reports whether a school classification code marks a
// non-public (private) school; every other code, and none, is public.
func IsNonPublic(classification string) bool {
	switch strings.ToUpper(strings.TrimSpace(classification)) {
	case "J1", "M1", "M2", "R1":
		return true
	}
	return false
}

// Enrollment is one student's enrollment at one school.
type Enrollment struct {
	ID           string
	StateID      string
	SchoolNumber string
	Grade        string
	ServiceType  string
	Start, End   Date // End is zero while enrolled
}

// Prefer reports whether a is preferred over b when one enrollment per
// student is needed: P over S over N, then the latest start date, then the
// smaller ID so the choice is stable.
func Prefer(a, b Enrollment) bool {
	if ra, rb := ServiceRank(a.ServiceType), ServiceRank(b.ServiceType); ra != rb {
		return ra < rb
	}
	if a.Start != b.Start {
		return a.Start > b.Start
	}
	return a.ID < b.ID
}

// Program names in the extract.
const (
	ProgramFRAM     = "FRAM"
	ProgramHomeless = "HOMELESS"
	ProgramEL       = "EL"
	ProgramIEP      = "IEP"
)

// FRAM codes.
const (
	MealsFree    = "F"
	MealsReduced = "R"
	MealsPaid    = "P"
)

// EconomicallyDisadvantaged is Yes only for free meals; reduced, paid or no
// record at all is No.
func EconomicallyDisadvantaged(framCode string) bool { return framCode == MealsFree }

// Program is a student's participation in FRAM, Homeless, EL or IEP.
type Program struct {
	StateID    string
	Program    string
	Code       string // F, R or P for FRAM; empty otherwise
	Start, End Date
}

// ValidateProgram checks the program name and its code.
func ValidateProgram(program, code string) error {
	switch program {
	case ProgramFRAM:
		if code != MealsFree && code != MealsReduced && code != MealsPaid {
			return fmt.Errorf("FRAM code %q is not F, R or P", code)
		}
	case ProgramHomeless, ProgramEL, ProgramIEP:
		if code != "" {
			return fmt.Errorf("program %s takes no code, got %q", program, code)
		}
	default:
		return fmt.Errorf("program %q is not FRAM, HOMELESS, EL or IEP", program)
	}
	return nil
}

// Assessment subjects and performance levels.
const (
	SubjectMath    = "MATH"
	SubjectReading = "READING"
)

// Levels are the state assessment performance levels, lowest first.
var Levels = []string{"Novice", "Apprentice", "Proficient", "Distinguished"}

// NormalizeLevel matches a performance level regardless of case.
func NormalizeLevel(s string) (string, error) {
	for _, l := range Levels {
		if strings.EqualFold(strings.TrimSpace(s), l) {
			return l, nil
		}
	}
	return "", fmt.Errorf("performance level %q is not Novice, Apprentice, Proficient or Distinguished", s)
}

// Assessment is one state test result.
type Assessment struct {
	StateID  string
	Subject  string
	TestDate Date
	Level    string
}

// Race/ethnicity codes as the state reports them.
var RaceNames = map[string]string{
	"1": "Hispanic/Latino",
	"2": "American Indian or Alaska Native",
	"3": "Asian",
	"4": "Black or African American",
	"5": "Native Hawaiian or Other Pacific Islander",
	"6": "White",
	"7": "Two or More Races",
}

// RaceCodes lists the race/ethnicity codes in report order.
var RaceCodes = []string{"1", "2", "3", "4", "5", "6", "7"}

// GenderNames spells out the gender codes the extract may carry.
var GenderNames = map[string]string{"F": "Female", "M": "Male", "X": "Non-binary"}

// Genders lists the gender codes in report order.
var Genders = []string{"F", "M", "X"}
