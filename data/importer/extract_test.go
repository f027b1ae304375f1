package importer

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"migrantdesk/data"
)

// goodExtract is testdata/good as it should read: identifiers with their
// leading zeros, codes in their canonical case, the school name that spans
// two lines in one piece.
var goodExtract = data.Extract{
	Regions: []data.Region{{Code: "01", Name: "Central"}, {Code: "02", Name: "Northern"}},
	Districts: []data.District{
		{Number: "0042", Name: "Valle Verde Unified", RegionCode: "01"},
		{Number: "0107", Name: "Northern Hills", RegionCode: "02"},
	},
	Schools: []data.School{
		{Number: "004201", DistrictNumber: "0042", Name: "Lincoln Elementary, Main Campus"},
		{Number: "004202", DistrictNumber: "0042", Name: "Valle Verde High School", Classification: "A1"},
		{Number: "010701", DistrictNumber: "0107", Name: "St. Mary's Academy", Classification: "R1"},
	},
	Students: []data.Student{
		{StateID: "0001234567", LocalNumber: "L-01", LastName: "Núñez", FirstName: "María", MiddleName: "José",
			BirthDate: 20120304, Gender: "F", Race: "1"},
		{StateID: "0001234568", LastName: "García López", FirstName: "Juan", BirthDate: 20100615, Gender: "M", Race: "1"},
		{StateID: "0009876543", LocalNumber: "077", LastName: "O'Neil, Jr.", FirstName: "Sam", BirthDate: 20150901, Gender: "X", Race: "6"},
	},
	Enrollments: []data.Enrollment{
		{ID: "E0001", StateID: "0001234567", SchoolNumber: "004201", Grade: "05", ServiceType: "P", Start: 20240814},
		{ID: "E0002", StateID: "0001234568", SchoolNumber: "004202", Grade: "09", ServiceType: "P", Start: 20240814, End: 20250131},
		{ID: "E0003", StateID: "0001234568", SchoolNumber: "010701", Grade: "09", ServiceType: "S", Start: 20250203},
		{ID: "E0004", StateID: "0009876543", SchoolNumber: "004201", Grade: "K", ServiceType: "P", Start: 20240814},
	},
	Programs: []data.Program{
		{StateID: "0001234567", Program: "FRAM", Code: "F", Start: 20240801, End: 20250630},
		{StateID: "0001234568", Program: "FRAM", Code: "R", Start: 20240801},
		{StateID: "0001234568", Program: "EL", Start: 20230801},
		{StateID: "0009876543", Program: "HOMELESS", Start: 20240910, End: 20241220},
		{StateID: "0001234567", Program: "IEP", Start: 20220110},
	},
	Assessments: []data.Assessment{
		{StateID: "0001234567", Subject: "MATH", TestDate: 20250415, Level: "Proficient"},
		{StateID: "0001234567", Subject: "READING", TestDate: 20250416, Level: "Apprentice"},
		{StateID: "0001234568", Subject: "MATH", TestDate: 20250415, Level: "Novice"},
	},
}

func TestReadGoodExtract(t *testing.T) {
	ex, err := ReadExtract("testdata/good")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*ex, goodExtract) {
		t.Errorf("got\n%+v\nwant\n%+v", *ex, goodExtract)
	}
	if ex.Schools[2].Public() || !ex.Schools[0].Public() {
		t.Errorf("R1 school should be non-public, the one without classification public")
	}
}

// copyFixture copies a testdata folder to a temp dir so a test can change
// one of its files.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", name, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func problems(t *testing.T, err error) []Problem {
	t.Helper()
	var pl *ProblemList
	if !errors.As(err, &pl) {
		t.Fatalf("want a *ProblemList, got %v", err)
	}
	return pl.Problems
}

func TestOptionalFilesMayBeAbsent(t *testing.T) {
	dir := copyFixture(t, "good")
	os.Remove(filepath.Join(dir, "programs.csv"))
	os.Remove(filepath.Join(dir, "assessments.csv"))
	ex, err := ReadExtract(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Programs) != 0 || len(ex.Assessments) != 0 || len(ex.Students) != 3 {
		t.Errorf("got %d programs, %d assessments, %d students", len(ex.Programs), len(ex.Assessments), len(ex.Students))
	}
	// The store keeps the rows of a table the extract does not carry.
	if want := []string{data.TablePrograms, data.TableAssessments}; !slices.Equal(ex.Without, want) {
		t.Errorf("the extract is without %q, want %q", ex.Without, want)
	}
}

// A table present with its header alone is an empty table, not an absent
// one: it replaces the stored rows with none.
func TestEmptyOptionalFileIsNotAbsent(t *testing.T) {
	dir := copyFixture(t, "good")
	writeFile(t, dir, "programs.csv", "state_id,program,code,start_date,end_date\n")
	ex, err := ReadExtract(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.Programs) != 0 || len(ex.Without) != 0 {
		t.Errorf("got %d programs, without %q", len(ex.Programs), ex.Without)
	}
}

func TestFileNamesIgnoreCase(t *testing.T) {
	dir := copyFixture(t, "good")
	if err := os.Rename(filepath.Join(dir, "students.csv"), filepath.Join(dir, "Students.CSV")); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadExtract(dir); err != nil {
		t.Fatal(err)
	}
}

// TestExtractProblems changes one file of the good extract and checks the
// problems reported, in order.
func TestExtractProblems(t *testing.T) {
	const (
		studentsHeader    = "state_id,local_student_number,last_name,first_name,middle_name,birth_date,gender,race_ethnicity\n"
		enrollmentsHeader = "enrollment_id,state_id,school_number,grade,service_type,start_date,end_date\n"
	)
	tests := []struct {
		name, file, content string
		remove              string
		want                []string
	}{
		{
			name: "missing required file", remove: "schools.csv",
			want: []string{
				"schools.csv: schools.csv is not in the folder",
			},
		},
		{
			name: "missing column", file: "districts.csv",
			content: "district_number,name,region_code\n0042,Valle Verde Unified,01\n0107,Northern Hills,02\n",
			want:    []string{"districts.csv line 1, column district_name: the header has no column district_name"},
		},
		{
			name: "empty file", file: "regions.csv", content: "",
			want: []string{"regions.csv: there is no header row; the first line names the columns: region_code, region_name"},
		},
		{
			name: "column named twice", file: "regions.csv", content: "region_code,region_name,REGION_CODE\n01,Central,01\n",
			want: []string{"regions.csv line 1, column region_code: the header names this column twice"},
		},
		{
			name: "duplicate region", file: "regions.csv",
			content: "region_code,region_name\n01,Central\n02,Northern\n01,Eastern\n",
			want:    []string{"regions.csv line 4, column region_code: region_code 01 is also on line 2"},
		},
		{
			name: "duplicate district", file: "districts.csv",
			content: "district_number,district_name,region_code\n0042,Valle Verde Unified,01\n0107,Northern Hills,02\n0042,Valle Verde,02\n",
			want:    []string{"districts.csv line 4, column district_number: district_number 0042 is also on line 2"},
		},
		{
			name: "duplicate school", file: "schools.csv",
			content: "school_number,district_number,school_name,classification\n" +
				"004201,0042,Lincoln,\n004202,0042,Valle Verde High,\n010701,0107,St. Mary's,R1\n\"004202\",0107,Valle Verde High,\n",
			want: []string{"schools.csv line 5, column school_number: school_number 004202 is also on line 3"},
		},
		{
			name: "district in an unknown region", file: "districts.csv",
			content: "district_number,district_name,region_code\n0042,Valle Verde Unified,1\n0107,Northern Hills,02\n",
			want:    []string{"districts.csv line 2, column region_code: region_code 1 is not in regions.csv"},
		},
		{
			name: "references", file: "enrollments.csv",
			content: enrollmentsHeader +
				"E0001,0001234567,004201,05,P,2024-08-14,\n" +
				"E0002,0000000000,004201,05,P,2024-08-14,\n" +
				"E0003,0001234567,999999,05,P,2024-08-14,\n",
			want: []string{
				"enrollments.csv line 3, column state_id: state_id 0000000000 is not in students.csv",
				"enrollments.csv line 4, column school_number: school_number 999999 is not in schools.csv",
			},
		},
		{
			name: "duplicate and period", file: "enrollments.csv",
			content: enrollmentsHeader +
				"E0001,0001234567,004201,05,P,2024-08-14,\n" +
				"E0002,0001234567,004201,05,P,2024-08-14,2024-08-13\n" +
				"E0001,0001234568,004201,05,S,2024-08-14,\n",
			want: []string{
				"enrollments.csv line 3, column end_date: the end date 2024-08-13 is before the start date 2024-08-14",
				"enrollments.csv line 4, column enrollment_id: enrollment_id E0001 is also on line 2",
			},
		},
		{
			name: "enrollment codes", file: "enrollments.csv",
			content: enrollmentsHeader +
				"E0001,0001234567,004201,13,X,2024-08-14,\n" +
				"E0002,0001234567,004201,,,,\n",
			want: []string{
				`enrollments.csv line 2, column grade: grade "13" is not one of PS, 97, 98, 99, K, 01–12, 14, OSY`,
				`enrollments.csv line 2, column service_type: "X" is not a service type: P, S or N`,
				"enrollments.csv line 3, column grade: the value is missing",
				"enrollments.csv line 3, column service_type: the value is missing",
				"enrollments.csv line 3, column start_date: a date is required (MM/DD/YYYY)",
			},
		},
		{
			name: "programs", file: "programs.csv",
			content: "state_id,program,code,start_date,end_date\n" +
				"0001234567,FRAM,X,2024-08-01,\n" +
				"0001234567,EL,F,2024-08-01,\n" +
				"0001234567,LUNCH,,2024-08-01,\n" +
				"0001234567,,,2024-08-01,\n" +
				"0001234567,IEP,,2024-08-01,2024-07-01\n",
			want: []string{
				`programs.csv line 2, column code: FRAM code "X" is not F, R or P`,
				`programs.csv line 3, column code: program EL takes no code, got "F"`,
				`programs.csv line 4, column program: program "LUNCH" is not FRAM, HOMELESS, EL or IEP`,
				"programs.csv line 5, column program: the value is missing",
				"programs.csv line 6, column end_date: the end date 2024-07-01 is before the start date 2024-08-01",
			},
		},
		{
			name: "assessments", file: "assessments.csv",
			content: "state_id,subject,test_date,performance_level\n" +
				"0001234567,MATH,2025-04-15,Proficient\n" +
				"0001234567,SCIENCE,2025-04-15,Proficient\n" +
				"0001234567,READING,2025-04-15,Great\n" +
				"0001234567,math,04/15/2025,Novice\n" +
				"0001234568,MATH,2025-04-15,\n",
			want: []string{
				`assessments.csv line 3, column subject: "SCIENCE" is not a subject: MATH or READING`,
				`assessments.csv line 4, column performance_level: performance level "Great" is not Novice, Apprentice, Proficient or Distinguished`,
				"assessments.csv line 5, column test_date: the MATH test of 0001234567 on 2025-04-15 is also on line 2",
				"assessments.csv line 6, column performance_level: the value is missing",
			},
		},
		{
			name: "district and school references", file: "schools.csv",
			content: "school_number,district_number,school_name,classification\n" +
				"004201,42,Lincoln,\n",
			want: []string{
				"schools.csv line 2, column district_number: district_number 42 is not in districts.csv",
				// the enrollments refer to schools this file no longer has
				"enrollments.csv line 3, column school_number: school_number 004202 is not in schools.csv",
				"enrollments.csv line 4, column school_number: school_number 010701 is not in schools.csv",
			},
		},
		{
			name: "quote in the middle of a field", file: "students.csv",
			content: studentsHeader +
				"0001234567,,Nu\"nez,Maria,,2012-03-04,F,1\n" +
				"0001234568,,Garcia,Juan,,2010-06-15,M,1\n" +
				"0009876543,,ONeil,Sam,,2015-09-01,M,6\n",
			want: []string{
				`students.csv line 2: a double quote (") at character 15 is inside a field that does not start with one; put the whole field in double quotes and double the quote inside it`,
				// the rows of the student whose line was refused
				"enrollments.csv line 2, column state_id: state_id 0001234567 is not in students.csv",
				"programs.csv line 2, column state_id: state_id 0001234567 is not in students.csv",
				"programs.csv line 6, column state_id: state_id 0001234567 is not in students.csv",
				"assessments.csv line 2, column state_id: state_id 0001234567 is not in students.csv",
				"assessments.csv line 3, column state_id: state_id 0001234567 is not in students.csv",
			},
		},
		{
			name: "semicolons", file: "regions.csv",
			content: "region_code;region_name\n01;Central\n02;Northern\n",
			want:    []string{"regions.csv line 1: the header is one field with semicolons or tabs in it; save the file as CSV with commas between the fields"},
		},
		{
			name: "not UTF-8", file: "regions.csv",
			content: "region_code,region_name\n01,Central\n02,Nu\xf1ez\n",
			want:    []string{`regions.csv line 3, column region_name: character 3 is not UTF-8 text (byte 0xF1); save the file as UTF-8 (in Excel: Save As, "CSV UTF-8")`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyFixture(t, "good")
			if tt.remove != "" {
				os.Remove(filepath.Join(dir, tt.remove))
			}
			if tt.file != "" {
				writeFile(t, dir, tt.file, tt.content)
			}
			ex, err := ReadExtract(dir)
			if ex != nil {
				t.Errorf("a refused extract should not be returned")
			}
			got := problems(t, err)
			var lines []string
			for _, p := range got {
				lines = append(lines, p.String())
			}
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d problems:\n%s\nwant %d:\n%s", len(lines), strings.Join(lines, "\n"), len(tt.want), strings.Join(tt.want, "\n"))
			}
			for i := range lines {
				if !strings.HasPrefix(lines[i], tt.want[i]) {
					t.Errorf("problem %d:\ngot  %s\nwant %s", i, lines[i], tt.want[i])
				}
			}
		})
	}
}

// TestFortyBadLines reads testdata/students_40_bad.csv, which has forty
// bad records among good ones, one of them after a quoted field that spans
// two lines, and expects every one of them back where it is.
func TestFortyBadLines(t *testing.T) {
	dir := copyFixture(t, "good")
	b, err := os.ReadFile("testdata/students_40_bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "students.csv", string(b))
	want := []struct {
		line   int
		column string
		msg    string // a part of the message
	}{
		{3, "state_id", "missing"},
		{4, "last_name", "missing"},
		{5, "first_name", "missing"},
		{6, "birth_date", "month 13"},
		{7, "birth_date", "February 2010 has 28 days"},
		{8, "birth_date", "a date is required"},
		{9, "birth_date", "four digits"},
		{10, "gender", `"Q" is not a gender code`},
		{11, "gender", "missing"},
		{12, "race_ethnicity", `"8" is not a race/ethnicity code`},
		{14, "race_ethnicity", `"0"`},
		{15, "race_ethnicity", "missing"},
		{16, "state_id", "state_id 0001234567 is also on line 2"},
		{17, "", "7 fields but the header has 8"},
		{18, "", "9 fields but the header has 8"},
		{19, "", "double quote"},
		{20, "middle_name", "control character (U+000A)"}, // a line break in a quoted field is no part of a name
		{22, "last_name", "control character (U+000A)"},
		{23, "birth_date", "month 13"},
		{24, "birth_date", "between 1900 and 2199"},
		{25, "birth_date", "2010/01/01"},
		{26, "gender", `"Male"`},
		{27, "race_ethnicity", `"Hispanic"`},
		{28, "state_id", "missing"},
		{29, "last_name", "missing"},
		{30, "birth_date", "February 2011 has 28 days"},
		{31, "birth_date", "2011-02-03-01"},
		{32, "", "2 fields"},
		{33, "state_id", "also on line 20"},
		{34, "gender", `"FM"`},
		{35, "race_ethnicity", `"1.0"`},
		{36, "first_name", "missing"},
		{37, "birth_date", "a date is required"},
		{38, "birth_date", "month 31"},
		{39, "race_ethnicity", `"-1"`},
		{40, "state_id", "also on line 13"},
		{41, "birth_date", "2010-1-1x"},
		{42, "gender", `"Z"`},
		{44, "race_ethnicity", `"9"`},
		{45, "last_name", "missing"},
		{46, "", "9 fields"},
		{47, "", "not closed"},
	}
	_, err = ReadExtract(dir)
	got := problems(t, err)
	if len(got) != len(want) {
		var s []string
		for _, p := range got {
			s = append(s, p.String())
		}
		t.Fatalf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(s, "\n"))
	}
	for i, w := range want {
		p := got[i]
		if p.File != "students.csv" || p.Sheet != "" || p.Line != w.line || p.Column != w.column || !strings.Contains(p.Msg, w.msg) {
			t.Errorf("problem %d: got %s\nwant students.csv line %d, column %q: …%s…", i, p, w.line, w.column, w.msg)
		}
	}
	if n := strings.Count(err.Error(), "\n"); n != len(want) {
		t.Errorf("the error has %d lines after its first, want one per problem", n)
	}
}
