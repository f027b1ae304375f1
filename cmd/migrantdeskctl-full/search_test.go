package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// searchDB makes a database with two María Hernández at different
// schools, a García López and an O'Neil.
func searchDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "search.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ex := &data.Extract{
		Regions:   []data.Region{{Code: "C", Name: "Central"}},
		Districts: []data.District{{Number: "001", Name: "Adair County", RegionCode: "C"}},
		Schools: []data.School{
			{Number: "001010", DistrictNumber: "001", Name: "Adair Elementary"},
			{Number: "001020", DistrictNumber: "001", Name: "Adair Middle School"},
		},
		Students: []data.Student{
			{StateID: "0000100006", LastName: "Hernández", FirstName: "María", MiddleName: "Luisa",
				BirthDate: data.NewDate(2013, time.January, 1), Gender: "F", Race: "1"},
			{StateID: "0000100007", LastName: "HERNANDEZ", FirstName: "MARIA",
				BirthDate: data.NewDate(2010, time.July, 8), Gender: "F", Race: "1"},
			{StateID: "0000100001", LastName: "García López", FirstName: "José",
				BirthDate: data.NewDate(2012, time.March, 4), Gender: "M", Race: "1"},
			{StateID: "0000100004", LastName: "O'Neil", FirstName: "Sean",
				BirthDate: data.NewDate(2012, time.March, 4), Gender: "M", Race: "6"},
		},
		Enrollments: []data.Enrollment{
			{ID: "E6", StateID: "0000100006", SchoolNumber: "001010", Grade: "03", ServiceType: "P", Start: data.NewDate(2024, time.August, 10)},
			{ID: "E7", StateID: "0000100007", SchoolNumber: "001020", Grade: "07", ServiceType: "P", Start: data.NewDate(2024, time.August, 10)},
			{ID: "E1", StateID: "0000100001", SchoolNumber: "001010", Grade: "05", ServiceType: "P", Start: data.NewDate(2024, time.August, 10)},
		},
	}
	if _, err := st.ImportExtract(context.Background(), ex, "tester"); err != nil {
		t.Fatal(err)
	}
	return path
}

func searchCmd(args ...string) (string, error) {
	var out bytes.Buffer
	err := dispatch(append([]string{"search"}, args...), &out)
	return out.String(), err
}

func TestSearchTable(t *testing.T) {
	db := searchDB(t)
	out, err := searchCmd("--db", db, "--last", "hernandez", "--first", "Maria")
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"STATE ID    NAME                    BIRTH DATE  GENDER  SCHOOL               GRADE\n" +
		"0000100006  Hernández, María Luisa  01/01/2013  F       Adair Elementary     03\n" +
		"0000100007  HERNANDEZ, MARIA        07/08/2010  F       Adair Middle School  07\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// TestSearchWhileStudentsArrive: in a database whose snapshot a killed
// sync left part way, a search by name prints what it found and says on
// standard error that students are still arriving, so that "No students
// match." is not taken for the last word.
func TestSearchWhileStudentsArrive(t *testing.T) {
	db := searchDB(t)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	err = st.SetMeta(context.Background(), store.MetaCursor, `{"epoch":"e1","seq":5,"snapshot":"students\u001f0000100007"}`)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	var out string
	said := stderrOf(t, func() { out, err = searchCmd("--db", db, "--last", "garcia") })
	if err != nil || !strings.Contains(out, "0000100001") {
		t.Fatalf("search in the middle of a snapshot: %v\n%s", err, out)
	}
	if !strings.HasPrefix(said, "search: your students are still arriving from the hub: ") {
		t.Errorf("standard error: %q", said)
	}
}

func TestSearchJSON(t *testing.T) {
	db := searchDB(t)
	out, err := searchCmd("--db", db, "--last", "garcia-lopez", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	want := []map[string]any{{
		"state_id": "0000100001", "last_name": "García López", "first_name": "José", "middle_name": "",
		"birth_date": "2012-03-04", "gender": "M", "exact": true, "school_number": "001010",
		"school_name": "Adair Elementary", "district_number": "001", "district_name": "Adair County", "grade": "05",
	}}
	if len(rows) != 1 || len(rows[0]) != len(want[0]) {
		t.Fatalf("got %v", rows)
	}
	for k, v := range want[0] {
		if rows[0][k] != v {
			t.Errorf("%s: got %v, want %v", k, rows[0][k], v)
		}
	}
	out, err = searchCmd("--db", db, "--last", "zzz", "--json")
	if err != nil || strings.TrimSpace(out) != "[]" {
		t.Errorf("no match as JSON: %q, %v", out, err)
	}
}

func TestSearchBirthDateEitherWay(t *testing.T) {
	db := searchDB(t)
	var outs []string
	for _, dob := range []string{"2012-03-04", "03/04/2012", "3/4/2012"} {
		out, err := searchCmd("--db", db, "--dob", dob)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	if !strings.Contains(outs[0], "0000100001") || !strings.Contains(outs[0], "0000100004") || !slices.Equal(outs, []string{outs[0], outs[0], outs[0]}) {
		t.Errorf("got %q", outs)
	}
}

func TestSearchMessages(t *testing.T) {
	db := searchDB(t)
	out, err := searchCmd("--db", db, "--last", "nobody")
	if err != nil || out != "No students match.\n" {
		t.Errorf("no match: %q, %v", out, err)
	}
	out, err = searchCmd("--db", db, "--first", "m", "--limit", "1")
	if err != nil || !strings.HasSuffix(out, "More students match than the 1 shown: narrow the search or raise --limit.\n") ||
		strings.Count(out, "\n") != 3 {
		t.Errorf("limit 1: %q, %v", out, err)
	}
	out, err = searchCmd("--db", db, "--state-id", "0000100004")
	if err != nil || !strings.Contains(out, "O'Neil, Sean") || strings.Count(out, "\n") != 2 {
		t.Errorf("state ID: %q, %v", out, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", db, "--dob", "13/45/2010"}, `search: --dob: "13/45/2010" is not a valid date`},
		{[]string{"--db", db, "--dob", "2010-1-1x"}, `search: --dob: "2010-1-1x" is not a valid date`},
		{[]string{"--db", db}, "search: give at least one of --last"},
		{[]string{"--db", db, "--last", "---"}, "search: give at least one of --last"},
		{[]string{"--db", db, "--last", "x", "--limit", "0"}, "search: --limit must be between 1 and 10000, not 0"},
		{[]string{"--db", db, "--last", "x", "--gender", "Q"}, `gender "Q" is not one of F, M or X`},
		{[]string{"--db", db, "hernandez"}, `search: unexpected argument "hernandez"`},
		{[]string{"--db", filepath.Join(t.TempDir(), "none.db"), "--last", "x"}, "search: no database at"},
	} {
		out, err := searchCmd(c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") || out != "" {
			t.Errorf("%q: got %q, %v; want an error with %q", c.args, out, err, c.want)
		}
	}
}
