package data

// RaceName spells out a race/ethnicity code as the state reports it, or
// returns the code itself when it is not one of the seven.
func RaceName(code string) string {
	switch code {
	case "1":
		return "Hispanic/Latino"
	case "2":
		return "American Indian or Alaska Native"
	case "3":
		return "Asian"
	case "4":
		return "Black or African American"
	case "5":
		return "Native Hawaiian or Other Pacific Islander"
	case "6":
		return "White"
	case "7":
		return "Two or More Races"
	}
	return code
}

// RaceCodes lists the race/ethnicity codes in report order.
func RaceCodes() []string { return []string{"1", "2", "3", "4", "5", "6", "7"} }

// GenderName spells out a gender code, or returns the code itself.
func GenderName(code string) string {
	switch code {
	case "F":
		return "Female"
	case "M":
		return "Male"
	case "X":
		return "Non-binary"
	}
	return code
}

// Genders lists the gender codes in report order.
func Genders() []string { return []string{"F", "M", "X"} }
