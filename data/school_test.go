package data

import "testing"

func TestGrades(t *testing.T) {
	cases := []struct {
		in, want string
		class    GradeClass
	}{
		{"K", "K", GradeK12}, {"k", "K", GradeK12}, {"1", "01", GradeK12}, {"01", "01", GradeK12},
		{"12", "12", GradeK12}, {"PS", "PS", GradePreschool}, {"97", "97", GradePreschool},
		{"98", "98", GradePreschool}, {"99", "99", GradePreschool}, {"14", "14", GradePostSecondary},
		{"osy", "OSY", GradeOSY}, {" 05 ", "05", GradeK12},
	}
	for _, c := range cases {
		got, err := NormalizeGrade(c.in)
		if err != nil || got != c.want || ClassOf(got) != c.class {
			t.Errorf("NormalizeGrade(%q) = %q, %v (class %v)", c.in, got, err, ClassOf(got))
		}
	}
	for _, bad := range []string{"13", "00", "KG", "", "1st", "100"} {
		if _, err := NormalizeGrade(bad); err == nil {
			t.Errorf("grade %q accepted", bad)
		}
	}
	order := []string{"PS", "97", "98", "99", "K", "01", "09", "12", "14", "OSY"}
	for i := 1; i < len(order); i++ {
		if GradeRank(order[i-1]) >= GradeRank(order[i]) {
			t.Errorf("grade %s should sort before %s", order[i-1], order[i])
		}
	}
}

func TestPrefer(t *testing.T) {
	p := Enrollment{ID: "1", ServiceType: "P", Start: NewDate(2025, 8, 10)}
	s := Enrollment{ID: "2", ServiceType: "S", Start: NewDate(2025, 9, 1)}
	n := Enrollment{ID: "3", ServiceType: "N", Start: NewDate(2025, 10, 1)}
	laterP := Enrollment{ID: "4", ServiceType: "P", Start: NewDate(2026, 1, 5)}
	if !Prefer(p, s) || !Prefer(s, n) || !Prefer(p, n) || Prefer(n, p) {
		t.Error("P > S > N")
	}
	if !Prefer(laterP, p) || Prefer(p, laterP) {
		t.Error("ties go to the latest start")
	}
	if ValidateServiceType("X") == nil || ValidateServiceType("S") != nil {
		t.Error("service type validation")
	}
}

func TestSchoolsAndMeals(t *testing.T) {
	for _, c := range []string{"J1", "M1", "M2", "R1", "m2"} {
		if !IsNonPublic(c) {
			t.Errorf("%s is non-public", c)
		}
	}
	for _, c := range []string{"", "A1", "A5", "P1"} {
		if IsNonPublic(c) {
			t.Errorf("%q is public", c)
		}
	}
	if !EconomicallyDisadvantaged("F") || EconomicallyDisadvantaged("R") || EconomicallyDisadvantaged("P") || EconomicallyDisadvantaged("") {
		t.Error("only free meals make a student economically disadvantaged")
	}
	if ValidateProgram("FRAM", "X") == nil || ValidateProgram("EL", "F") == nil || ValidateProgram("GT", "") == nil {
		t.Error("bad programs accepted")
	}
	if ValidateProgram("FRAM", "R") != nil || ValidateProgram("IEP", "") != nil {
		t.Error("good programs refused")
	}
	if l, err := NormalizeLevel("proficient"); err != nil || l != "Proficient" {
		t.Error("level case")
	}
}
