package data

import (
	"fmt"
	"strings"
)

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

// Assessment subjects.
const (
	SubjectMath    = "MATH"
	SubjectReading = "READING"
)

// Levels are the state assessment performance levels, lowest first.
func Levels() []string { return []string{"Novice", "Apprentice", "Proficient", "Distinguished"} }

// NormalizeLevel matches a performance level regardless of case.
func NormalizeLevel(s string) (string, error) {
	for _, l := range Levels() {
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
