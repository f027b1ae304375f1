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
func Grades() []string {
	return []string{"K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"}
}

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
