package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"migrantdesk/data"
)

// searchFixture is a small state whose students exercise the search
// rules: compound, hyphenated and particle surnames, accents, O'Neil, two
// María Hernández, a compound first name, shared birth dates and state ID
// prefixes, and enrollments that make "current" a choice.
func searchFixture() *data.Extract {
	d := func(s string) data.Date {
		v, err := data.ParseDate(s)
		if err != nil {
			panic(err)
		}
		return v
	}
	st := func(id, last, first, birth, gender string) data.Student {
		return data.Student{StateID: id, LastName: last, FirstName: first, BirthDate: d(birth), Gender: gender, Race: "1"}
	}
	open := func(id, student, school, grade, service, start string) data.Enrollment {
		return data.Enrollment{ID: id, StateID: student, SchoolNumber: school, Grade: grade, ServiceType: service, Start: d(start)}
	}
	ended := func(id, student, school, grade, start, end string) data.Enrollment {
		e := open(id, student, school, grade, "P", start)
		e.End = d(end)
		return e
	}
	return &data.Extract{
		Regions: []data.Region{{Code: "C", Name: "Central"}},
		Districts: []data.District{
			{Number: "001", Name: "Adair County", RegionCode: "C"},
			{Number: "002", Name: "Barren County", RegionCode: "C"},
			{Number: "003", Name: "Calloway County", RegionCode: "C"},
		},
		Schools: []data.School{
			{Number: "001010", DistrictNumber: "001", Name: "Adair Elementary"},
			{Number: "001020", DistrictNumber: "001", Name: "Adair Middle"},
			{Number: "002010", DistrictNumber: "002", Name: "Barren Middle"},
			{Number: "003010", DistrictNumber: "003", Name: "Calloway High"},
		},
		Students: []data.Student{
			st("0000100001", "García López", "María", "2012-03-04", "F"),
			st("0000100002", "Garcia-Lopez", "Jose", "2011-05-06", "M"),
			st("0000100003", "López", "Ana", "2010-01-02", "F"),
			st("0000100004", "O'Neil", "Sean", "2011-03-03", "M"),
			st("0000100005", "Núñez", "Lucía", "2012-03-04", "F"),
			st("0000100006", "Hernández", "María", "2013-01-01", "F"),
			st("0000100007", "HERNANDEZ", "MARIA", "2010-07-08", "F"),
			st("0000100008", "Hernando", "Luis", "2012-09-09", "M"),
			st("0000100009", "Hern", "Zoe", "2014-02-02", "X"),
			st("0000100010", "De La Cruz", "Juan", "2011-11-11", "M"),
			st("0000100011", "Smith", "John Paul", "2010-10-10", "M"),
			st("0000200012", "Delacruz", "Ana", "2012-12-12", "F"),
			st("0000100013", "Pérez", "María José", "2012-03-04", "F"),
			st("0000100014", "García", "Zoe", "2013-05-05", "F"),
			st("1000100015", "Ruiz", "Ana", "2011-06-07", "F"),
			st("0000100016", "De León", "Pedro", "2012-02-02", "M"),
		},
		Enrollments: []data.Enrollment{
			open("E01", "0000100001", "001010", "05", "P", "2024-08-10"),
			open("E02", "0000100002", "002010", "06", "P", "2024-08-10"),
			// López Ana: an open P beats an open S and a P that started
			// later but has ended.
			ended("E03a", "0000100003", "003010", "07", "2024-08-10", "2025-01-10"),
			open("E03b", "0000100003", "001020", "08", "S", "2023-08-10"),
			open("E03c", "0000100003", "002010", "08", "P", "2022-08-10"),
			open("E04", "0000100004", "003010", "07", "P", "2024-08-10"),
			open("E05", "0000100005", "003010", "05", "P", "2024-08-10"),
			open("E06", "0000100006", "001010", "03", "P", "2024-08-10"),
			open("E07", "0000100007", "002010", "07", "P", "2024-08-10"),
			// Hernando: of two open P, the later start; an open S never.
			open("E08a", "0000100008", "002010", "06", "P", "2024-08-10"),
			open("E08b", "0000100008", "003010", "06", "P", "2025-01-06"),
			open("E08c", "0000100008", "001010", "06", "S", "2025-03-01"),
			open("E09", "0000100009", "001010", "K", "P", "2024-08-10"),
			open("E10", "0000100010", "003010", "07", "P", "2024-08-10"),
			open("E11", "0000100011", "001020", "08", "P", "2024-08-10"),
			open("E12", "0000200012", "002010", "06", "P", "2024-08-10"),
			open("E13", "0000100013", "001010", "05", "P", "2024-08-10"),
			open("E14", "0000100014", "002010", "04", "P", "2024-08-10"),
			// Ruiz: withdrawn twice: the later withdrawal, though an S.
			ended("E15a", "1000100015", "003010", "08", "2024-08-10", "2025-06-01"),
			{ID: "E15b", StateID: "1000100015", SchoolNumber: "001010", Grade: "09", ServiceType: "S",
				Start: d("2025-07-01"), End: d("2025-12-01")},
			open("E16", "0000100016", "003010", "05", "P", "2024-08-10"),
		},
	}
}

// openSearch opens a temp database holding ex.
func openSearch(t testing.TB, ex *data.Extract) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "search.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.ImportExtract(context.Background(), ex, "tester"); err != nil {
		t.Fatal(err)
	}
	return s
}

// plannerLimits force each plan the planner has on a small database:
// whole sets or walks; the first candidate or the shortest; token ranges
// sorted, merged word by word, or neither.
var plannerLimits = []searchLimits{
	defaultSearchLimits,
	{count: 1, enough: 0, set: 1, arms: 0, sort: 1, walkRows: 1 << 30},
	{count: 1, enough: 0, set: 1, arms: 1, sort: 1, walkRows: 1 << 30},
	{count: 1, enough: 0, set: 1, arms: 40, sort: 1, walkRows: 1 << 30},
	{count: 2000, enough: 1 << 30, set: 1, arms: 24, sort: 500, walkRows: 1 << 30},
	{count: 1 << 30, enough: 0, set: 1 << 30, arms: 0, sort: 1 << 30, walkRows: 1 << 30},
}

// ids runs q under every planner limit and returns the state IDs found,
// in order, each marked "~" when matched by prefix only. Every plan must
// find the same.
func ids(t *testing.T, s *Store, q Query) []string {
	t.Helper()
	var first []string
	for i, l := range plannerLimits {
		got, err := idsWith(s, q, l)
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		if i == 0 {
			first = got
		} else if !slices.Equal(got, first) {
			t.Fatalf("%+v: limits %+v found %v, the default %v", q, l, got, first)
		}
	}
	return first
}

func idsWith(s *Store, q Query, l searchLimits) ([]string, error) {
	sp, err := newSearchSpec(q)
	if err != nil {
		return nil, err
	}
	sp.searchLimits = l
	res, err := s.search(context.Background(), sp)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, r := range res {
		id := r.Student.StateID
		if !r.Exact {
			id += "~"
		}
		out = append(out, id)
	}
	return out, nil
}

func TestSearchFoldsNames(t *testing.T) {
	s := openSearch(t, searchFixture())
	for _, c := range []struct {
		q    Query
		want []string
	}{
		// Both García López, whatever the case, accents or hyphen; Jose
		// first (by first name), García Zoe not at all.
		{Query{Last: "garcia lopez"}, []string{"0000100002", "0000100001"}},
		{Query{Last: "García-López"}, []string{"0000100002", "0000100001"}},
		{Query{Last: "GARCIA LOPEZ"}, []string{"0000100002", "0000100001"}},
		{Query{Last: "lopez garcia"}, []string{"0000100002", "0000100001"}},
		{Query{Last: "garcialopez"}, []string{"0000100002", "0000100001"}},
		// Either surname alone; García sorts before García López.
		{Query{Last: "lopez"}, []string{"0000100002", "0000100001", "0000100003"}},
		{Query{Last: "garcia"}, []string{"0000100014", "0000100002", "0000100001"}},
		{Query{Last: "oneil"}, []string{"0000100004"}},
		{Query{Last: "O'Neil"}, []string{"0000100004"}},
		{Query{Last: "o’neil"}, []string{"0000100004"}},
		{Query{Last: "nunez"}, []string{"0000100005"}},
		{Query{Last: "Núñez"}, []string{"0000100005"}},
		{Query{Last: "NÚÑEZ"}, []string{"0000100005"}},
		// De La Cruz by its words, run together, or a prefix of that.
		{Query{Last: "de la cruz"}, []string{"0000100010"}},
		{Query{Last: "cruz"}, []string{"0000100010"}},
		{Query{Last: "delacruz"}, []string{"0000100010", "0000200012"}},
		{Query{Last: "delac"}, []string{"0000100010~", "0000200012~"}},
		{Query{Last: "del"}, []string{"0000100010~", "0000100016~", "0000200012~"}},
		{Query{Last: "delacruz", First: "juan"}, []string{"0000100010"}},
		{Query{Last: "delacruz", First: "ju"}, []string{"0000100010~"}},
		{Query{Last: "de"}, []string{"0000100010", "0000100016", "0000200012~"}},
		// Either first name of María José.
		{Query{First: "jose"}, []string{"0000100002", "0000100013"}},
		{Query{First: "maria jose"}, []string{"0000100013"}},
		{Query{First: "mariajose", Last: "perez"}, []string{"0000100013"}},
		{Query{First: "mariaj"}, []string{"0000100013~"}},
		{Query{First: "a'na"}, []string{"0000200012", "0000100003", "1000100015"}},
	} {
		if got := ids(t, s, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%+v: got %v, want %v", c.q, got, c.want)
		}
	}
}

func TestSearchPrefixRanksAfterExact(t *testing.T) {
	s := openSearch(t, searchFixture())
	for _, c := range []struct {
		q    Query
		want []string
	}{
		// Hern is a whole name; the two Hernández tie on name and go by state ID.
		{Query{Last: "hern"}, []string{"0000100009", "0000100006~", "0000100007~", "0000100008~"}},
		{Query{Last: "HERNAN"}, []string{"0000100006~", "0000100007~", "0000100008~"}},
		{Query{Last: "garcia lop"}, []string{"0000100002~", "0000100001~"}},
		{Query{Last: "garcia", First: "mar"}, []string{"0000100001~"}},
		{Query{Last: "hernandez", First: "m"}, []string{"0000100006~", "0000100007~"}},
		{Query{First: "j"}, []string{"0000100010~", "0000100002~", "0000100013~", "0000100011~"}},
	} {
		if got := ids(t, s, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%+v: got %v, want %v", c.q, got, c.want)
		}
	}
}

func TestSearchByOtherFields(t *testing.T) {
	s := openSearch(t, searchFixture())
	march4 := data.NewDate(2012, time.March, 4)
	for _, c := range []struct {
		q    Query
		want []string
	}{
		{Query{First: "maria"}, []string{"0000100001", "0000100006", "0000100007", "0000100013"}},
		{Query{BirthDate: march4}, []string{"0000100001", "0000100005", "0000100013"}},
		{Query{BirthDate: march4, Last: "nunez"}, []string{"0000100005"}},
		{Query{BirthDate: march4, First: "mar"}, []string{"0000100001~", "0000100013~"}},
		{Query{StateID: "0000100001"}, []string{"0000100001"}},
		{Query{StateID: " 0000200012 "}, []string{"0000200012"}},
		{Query{StateID: "1000100015"}, []string{"1000100015"}},
		{Query{StateID: "100001"}, []string{}},
		{Query{StateID: "00001000", Last: "hern"}, []string{"0000100009", "0000100006~", "0000100007~", "0000100008~"}},
		{Query{StateID: "00002"}, []string{"0000200012"}},
		{Query{Gender: "x"}, []string{"0000100009"}},
		{Query{Gender: "F", District: "001"}, []string{"0000100001", "0000100006", "0000100003", "0000100013", "1000100015"}},
		{Query{District: "002", Last: "hern"}, []string{"0000100007~", "0000100008~"}},
		{Query{District: "001", Last: "lopez"}, []string{"0000100001", "0000100003"}},
		{Query{District: "003", Last: "cruz"}, []string{"0000100010"}},
		{Query{District: "003", Last: "cr"}, []string{"0000100010~"}},
		{Query{District: "003", Last: "delacruz"}, []string{"0000100010"}},
		{Query{District: "003", Last: "de l"}, []string{"0000100010~", "0000100016~"}},
		{Query{District: "001", First: "maria"}, []string{"0000100001", "0000100006", "0000100013"}},
		{Query{District: "001", First: "mar"}, []string{"0000100001~", "0000100006~", "0000100013~"}},
		{Query{District: "002", First: "jo"}, []string{"0000100002~"}},
		{Query{District: "001", First: "mariaj"}, []string{"0000100013~"}},
		{Query{District: "003", Gender: "M"}, []string{"0000100010", "0000100016", "0000100008", "0000100004"}},
		{Query{District: "999"}, []string{}},
	} {
		if got := ids(t, s, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%+v: got %v, want %v", c.q, got, c.want)
		}
	}
}

func TestSearchBirthDateTypedEitherWay(t *testing.T) {
	s := openSearch(t, searchFixture())
	var got [][]string
	for _, typed := range []string{"03/04/2012", "2012-03-04", "3/4/2012"} {
		d, err := data.ParseDate(typed)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids(t, s, Query{BirthDate: d}))
	}
	want := []string{"0000100001", "0000100005", "0000100013"}
	for _, g := range got {
		if !slices.Equal(g, want) {
			t.Errorf("got %v, want %v", g, want)
		}
	}
}

func TestSearchLimit(t *testing.T) {
	s := openSearch(t, searchFixture())
	for _, c := range []struct {
		q    Query
		want []string
	}{
		{Query{First: "maria", Limit: 2}, []string{"0000100001", "0000100006"}},
		{Query{Last: "hern", Limit: 1}, []string{"0000100009"}},
		{Query{Last: "hern", Limit: 2}, []string{"0000100009", "0000100006~"}},
		{Query{BirthDate: data.NewDate(2012, time.March, 4), Limit: 1}, []string{"0000100001"}},
		{Query{Gender: "F", Limit: 3}, []string{"0000200012", "0000100014", "0000100001"}},
	} {
		if got := ids(t, s, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%+v: got %v, want %v", c.q, got, c.want)
		}
	}
}

func TestSearchTellsTwoMariaHernandezApart(t *testing.T) {
	s := openSearch(t, searchFixture())
	res, err := s.Search(context.Background(), Query{Last: "Hernández", First: "Maria"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{Student: data.Student{StateID: "0000100006", LastName: "Hernández", FirstName: "María",
			BirthDate: data.NewDate(2013, time.January, 1), Gender: "F", Race: "1"},
			Exact: true, SchoolNumber: "001010", SchoolName: "Adair Elementary", DistrictNumber: "001",
			DistrictName: "Adair County", Grade: "03"},
		{Student: data.Student{StateID: "0000100007", LastName: "HERNANDEZ", FirstName: "MARIA",
			BirthDate: data.NewDate(2010, time.July, 8), Gender: "F", Race: "1"},
			Exact: true, SchoolNumber: "002010", SchoolName: "Barren Middle", DistrictNumber: "002",
			DistrictName: "Barren County", Grade: "07"},
	}
	if !slices.Equal(res, want) {
		t.Errorf("got  %+v\nwant %+v", res, want)
	}
}

func TestSearchCurrentEnrollment(t *testing.T) {
	s := openSearch(t, searchFixture())
	for _, c := range []struct {
		id, school, grade string
	}{
		{"0000100003", "002010", "08"},
		{"0000100008", "003010", "06"},
		{"1000100015", "001010", "09"},
	} {
		res, err := s.Search(context.Background(), Query{StateID: c.id})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 || res[0].SchoolNumber != c.school || res[0].Grade != c.grade {
			t.Errorf("%s: got %+v, want school %s grade %s", c.id, res, c.school, c.grade)
		}
	}
}

func TestSearchTakesInputLiterally(t *testing.T) {
	s := openSearch(t, searchFixture())
	for _, q := range []Query{
		{Last: "l%pez"},
		{Last: "l_pez"},
		{Last: "%", StateID: "%"},
		{StateID: "0000%"},
		{StateID: "0000_00001"},
		{StateID: "'"},
		{StateID: "' OR 1=1 --"},
		{District: "001' OR '1'='1"},
		{Last: "x'); DROP TABLE students; --"},
	} {
		if got := ids(t, s, q); len(got) != 0 {
			t.Errorf("%+v: got %v, want nothing", q, got)
		}
	}
	if got := ids(t, s, Query{Last: "o'neil%"}); !slices.Equal(got, []string{"0000100004"}) {
		t.Errorf("o'neil%%: got %v", got)
	}
}

// TestSearchRefusesCharactersNoNameHas: a right-to-left mark, a tab or a
// byte that is not UTF-8, pasted with what is searched for, is named
// with its place, not searched for and not found; the name without it
// finds the student.
func TestSearchRefusesCharactersNoNameHas(t *testing.T) {
	s := openSearch(t, searchFixture())
	for _, c := range []struct {
		q    Query
		want string
	}{
		{Query{Last: "N\u200fúñez"}, "the last name you searched by: character 2 is a bidirectional control"},
		{Query{Last: "nunez", First: "Mar\tía"}, "the first name you searched by: character 4 is a control character (U+0009)"},
		{Query{StateID: "000010\xff0005"}, "the state ID you searched by: character 7 is not UTF-8 text"},
		{Query{Last: strings.Repeat("Núñez ", 700)}, "the last name you searched by is 4199 characters long, longer than any student's"},
	} {
		if _, err := s.Search(context.Background(), c.q); err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%#v: got %v, want %s…", c.q, err, c.want)
		}
	}
	if got := ids(t, s, Query{Last: " Núñez\r\n"}); !slices.Equal(got, []string{"0000100005"}) {
		t.Errorf("Núñez with the line end a copied cell brings: got %v", got)
	}
}

func TestSearchRefusesEmptyQuery(t *testing.T) {
	s := openSearch(t, searchFixture())
	for _, q := range []Query{{}, {Last: "---"}, {Last: " ", First: "'", StateID: "  "}, {Last: "%", Limit: 5}} {
		if !q.Empty() {
			t.Errorf("%+v: Empty() = false", q)
		}
		if _, err := s.Search(context.Background(), q); !errors.Is(err, ErrEmptyQuery) {
			t.Errorf("%+v: got error %v, want ErrEmptyQuery", q, err)
		}
	}
	if (Query{Gender: "F"}).Empty() || (Query{District: "001"}).Empty() || (Query{BirthDate: 20120304}).Empty() {
		t.Error("a gender, district or birth date alone is something to search by")
	}
	if _, err := s.Search(context.Background(), Query{Last: "ruiz", Gender: "Q"}); err == nil || !strings.Contains(err.Error(), `gender "Q"`) {
		t.Errorf("gender Q: got %v", err)
	}
}

// refLevel is the name rule spelled out over the tokens name_tokens
// holds (data.SearchTokens): 0 some term starts no token, 2 every term is
// a token, 1 otherwise.
func refLevel(tokens, terms []string) int {
	level := levelExact
	for _, t := range terms {
		best := levelMiss
		for _, tok := range tokens {
			if tok == t {
				best = levelExact
			} else if strings.HasPrefix(tok, t) {
				best = max(best, levelPrefix)
			}
		}
		level = min(level, best)
	}
	return level
}

func TestNameLevelAgreesWithSearchTokens(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// A tiny alphabet makes shared prefixes, repeated words and names
	// run together that equal other words common.
	word := func() string {
		b := make([]byte, 1+r.IntN(4))
		for i := range b {
			b[i] = "abñ"[r.IntN(2)]
		}
		return string(b)
	}
	words := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = word()
		}
		return out
	}
	for range 20000 {
		last := strings.Join(words(1+r.IntN(3)), " ")
		first := strings.Join(words(r.IntN(3)), " ")
		lt, ft := words(r.IntN(3)), words(r.IntN(2))
		want := min(refLevel(data.SearchTokens(last), lt), refLevel(data.SearchTokens(first), ft))
		if got := nameLevel(last, first, strings.Join(lt, " "), strings.Join(ft, " ")); got != want {
			t.Fatalf("last %q first %q, terms %q %q: got %d, want %d", last, first, lt, ft, got, want)
		}
	}
	// Non-ASCII letters that NormalizeName keeps are compared as bytes.
	if got := nameLevel("иванов петров", "", "ивановпет", ""); got != levelPrefix {
		t.Errorf("Cyrillic run together: got %d", got)
	}
}

// refStudent is a student as refSearch sees it.
type refStudent struct {
	data.Student
	key                     string // searchSortKey
	lastTokens, firstTokens []string
	districts               map[string]bool
}

// refStudents prepares the students of ex for refSearch.
func refStudents(ex *data.Extract) []refStudent {
	districtOf := map[string]string{}
	for _, sc := range ex.Schools {
		districtOf[sc.Number] = sc.DistrictNumber
	}
	districts := map[string]map[string]bool{}
	for _, e := range ex.Enrollments {
		if districts[e.StateID] == nil {
			districts[e.StateID] = map[string]bool{}
		}
		districts[e.StateID][districtOf[e.SchoolNumber]] = true
	}
	out := make([]refStudent, len(ex.Students))
	for i, st := range ex.Students {
		last, first := data.NormalizeName(st.LastName), data.NormalizeName(st.FirstName)
		out[i] = refStudent{st, searchSortKey(last, first), data.SearchTokens(last), data.SearchTokens(first), districts[st.StateID]}
	}
	return out
}

// refSearch is Search spelled out: every student checked, sorted, cut at
// the limit. It returns state IDs, marked "~" when matched by prefix.
func refSearch(students []refStudent, q Query) []string {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	lt, ft := data.NameTokens(data.NormalizeName(q.Last)), data.NameTokens(data.NormalizeName(q.First))
	id := strings.TrimSpace(q.StateID)
	gender, district := strings.ToUpper(strings.TrimSpace(q.Gender)), strings.TrimSpace(q.District)
	type row struct {
		id, key string
		level   int
	}
	var rows []row
	for _, st := range students {
		level := min(refLevel(st.lastTokens, lt), refLevel(st.firstTokens, ft))
		if level == levelMiss || !q.BirthDate.IsZero() && st.BirthDate != q.BirthDate ||
			!strings.HasPrefix(st.StateID, id) || gender != "" && st.Gender != gender ||
			district != "" && !st.districts[district] {
			continue
		}
		rows = append(rows, row{st.StateID, st.key, level})
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.level != b.level {
			return a.level > b.level
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return a.id < b.id
	})
	out := []string{}
	for i, r := range rows {
		if i == limit {
			break
		}
		id := r.id
		if r.level != levelExact {
			id += "~"
		}
		out = append(out, id)
	}
	return out
}

// randomQueries draws queries from the students of ex: whole words,
// prefixes, names run together, birth dates, state ID prefixes, genders
// and districts, one to three at a time.
func randomQueries(ex *data.Extract, n int, seed uint64) []Query {
	r := rand.New(rand.NewPCG(seed, 7))
	districtOf := map[string]string{}
	for _, sc := range ex.Schools {
		districtOf[sc.Number] = sc.DistrictNumber
	}
	cut := func(w string) string {
		runes := []rune(w)
		return string(runes[:1+r.IntN(len(runes))])
	}
	name := func(s string) string {
		words := data.NameTokens(data.NormalizeName(s))
		if len(words) == 0 {
			return ""
		}
		switch r.IntN(4) {
		case 0:
			return s
		case 1:
			return cut(words[r.IntN(len(words))])
		case 2:
			return cut(strings.Join(words, ""))
		}
		return words[r.IntN(len(words))]
	}
	var out []Query
	for len(out) < n {
		st := ex.Students[r.IntN(len(ex.Students))]
		var q Query
		for range 1 + r.IntN(3) {
			switch r.IntN(7) {
			case 0, 1:
				q.Last = name(st.LastName)
			case 2:
				q.First = name(st.FirstName)
			case 3:
				q.BirthDate = st.BirthDate
			case 4:
				q.StateID = st.StateID[:2+r.IntN(len(st.StateID)-1)]
			case 5:
				q.Gender = st.Gender
			case 6:
				e := ex.Enrollments[r.IntN(len(ex.Enrollments))]
				q.District = districtOf[e.SchoolNumber]
			}
		}
		if r.IntN(5) == 0 {
			q.Limit = 1 + r.IntN(10)
		}
		if !q.Empty() {
			out = append(out, q)
		}
	}
	return out
}

// TestSearchPlansAgree runs random queries drawn from a generated state
// under every planner limit and checks each against refSearch.
func TestSearchPlansAgree(t *testing.T) {
	ex := syntheticExtract(2000, 3)
	s := openSearch(t, ex)
	students := refStudents(ex)
	for _, q := range randomQueries(ex, 200, 4) {
		want := refSearch(students, q)
		for _, l := range plannerLimits {
			got, err := idsWith(s, q, l)
			if err != nil {
				t.Fatalf("%+v with %+v: %v", q, l, err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%+v with %+v:\n got %v\nwant %v", q, l, got, want)
			}
		}
	}
}

// TestSearchPlansWalkInOrder checks with EXPLAIN QUERY PLAN that the walks
// read their indexes in result order: no sorting, so they stop at the
// limit. Only a range of tokens, known to be short, is sorted.
func TestSearchPlansWalkInOrder(t *testing.T) {
	s := openSearch(t, searchFixture())
	q := Query{Last: "garcia", First: "m", StateID: "00", Gender: "F", BirthDate: 20120304}
	for _, c := range []struct {
		name     string
		district string
		lists    func(sp *searchSpec) []searchList
		index    string
		sorted   bool
	}{
		{"pair", "", func(sp *searchSpec) []searchList { return []searchList{tokenList(tokPair, "garcia maria")} }, "PRIMARY KEY", false},
		{"first initial", "", func(sp *searchSpec) []searchList {
			return []searchList{initialRange("m", "garcia"), tokenList(tokInitialLater, "m garcia")}
		}, "PRIMARY KEY", false},
		{"words", "", func(sp *searchSpec) []searchList {
			return []searchList{tokenList(tokLast, "garcia"), tokenList(tokLastJoined, "garcia")}
		}, "PRIMARY KEY", false},
		// the query asks for a gender: its index has the students in order
		{"students", "", func(sp *searchSpec) []searchList { return []searchList{sp.sortRange("")} }, "students_gender", false},
		{"last-name prefix", "", func(sp *searchSpec) []searchList { return []searchList{sp.sortRange("gar")} }, "students_gender", false},
		{"gender", "", func(sp *searchSpec) []searchList { return []searchList{sp.genderList()} }, "students_gender", false},
		{"state ID prefix", "", func(sp *searchSpec) []searchList { return []searchList{sp.idList()} }, "students_id2", false},
		{"district", "001", func(sp *searchSpec) []searchList { return []searchList{sp.sortRange("")} }, "district_students_gender", false},
		{"district prefix", "001", func(sp *searchSpec) []searchList { return []searchList{sp.sortRange("gar")} }, "district_students_gender", false},
		{"token range", "", func(sp *searchSpec) []searchList { return []searchList{tokenRange(tokFirst, "m", "m")} }, "PRIMARY KEY", true},
	} {
		q.District = c.district
		sp, err := newSearchSpec(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, level := range []int{levelExact, levelPrefix} {
			query, args := sp.walkQuery(c.lists(sp), level, 10)
			plan := explain(t, s, query, args...)
			ok := strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") == c.sorted
			for _, line := range strings.Split(plan, "\n") {
				if strings.HasPrefix(line, "SEARCH n ") || strings.HasPrefix(line, "SCAN n") {
					ok = ok && strings.Contains(line, c.index)
				}
			}
			if !ok {
				t.Errorf("%s: plan\n%s", c.name, plan)
			}
		}
	}
	sp, err := newSearchSpec(Query{BirthDate: 20120304, Last: "x"})
	if err != nil {
		t.Fatal(err)
	}
	l := sp.setList()
	if plan := explain(t, s, `SELECT n.state_id FROM `+l.table+` WHERE `+l.where, l.args...); !strings.Contains(plan, "students_birth") {
		t.Errorf("birth date set: plan\n%s", plan)
	}
}

func explain(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.r.Query(`EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, detail)
	}
	return b.String()
}

// unsearchable reports whether no stored name or ID can be v: too long,
// or with a character data.CleanText refuses.
func unsearchable(v string) bool {
	v = strings.TrimSpace(v)
	return len(v) > data.MaxTextBytes || data.CheckChars(v) != nil
}

func FuzzSearchQuery(f *testing.F) {
	ex := searchFixture()
	s := openSearch(f, ex)
	students := refStudents(ex)
	for _, c := range [][4]string{
		{"garcia lopez", "", "", ""},
		{"García-López", "maría", "", "001"},
		{"o'neil", "", "0000", ""},
		{"hern", "m", "", "002"},
		{"---", "", "", ""},
		{"%", "_", "'", "' OR 1=1"},
		{"delac", "", "00001000", ""},
		{"", "", "\xff\xfe", ""},
		{"\x00", "ﬁ", "", ""},
		{"o", "", " ", " "},
		{strings.Repeat("garcia ", 50), "", "", ""},
	} {
		f.Add(c[0], c[1], c[2], c[3], uint8(0), int8(0))
	}
	f.Fuzz(func(t *testing.T, last, first, stateID, district string, gender uint8, limit int8) {
		q := Query{Last: last, First: first, StateID: stateID, District: district,
			Gender: []string{"", "F", "M", "X"}[gender%4], Limit: int(limit)}
		res, err := s.Search(context.Background(), q)
		if !q.Empty() && (unsearchable(last) || unsearchable(first) || unsearchable(stateID)) {
			if err == nil {
				t.Fatalf("%#v: searched by a character no name or ID has", q)
			}
			return
		}
		if q.Empty() {
			if !errors.Is(err, ErrEmptyQuery) {
				t.Fatalf("%+v: empty query gave %v", q, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		want := refSearch(students, q)
		if len(res) != len(want) {
			t.Fatalf("%+v: got %d students, want %v", q, len(res), want)
		}
		for i, r := range res {
			if id := strings.TrimSuffix(want[i], "~"); r.Student.StateID != id || r.Exact == strings.HasSuffix(want[i], "~") {
				t.Fatalf("%+v: result %d is %s (exact %v), want %s", q, i, r.Student.StateID, r.Exact, want[i])
			}
		}
	})
}

// Surnames in rough order of frequency. Spanish surnames carry their
// accents; the generator drops them for some students, as extracts do.
var (
	spanishSurnames = strings.Fields(`Hernández García Martínez López González Rodríguez Pérez Sánchez
		Ramírez Torres Flores Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Chávez Ramos Ruiz
		Mendoza Álvarez Castillo Jiménez Vásquez Moreno Romero Herrera Medina Aguilar Vargas Guzmán
		Méndez Castro Muñoz Salazar Contreras Luna Ortega Delgado Estrada Domínguez Guerrero Soto
		Silva Rojas Vega Ríos Núñez Cortez Campos Juárez Sandoval Ibarra Valdez Fuentes Cervantes
		Maldonado Cabrera Navarro Acosta Figueroa Espinoza Lara Ávila Molina Miranda Rosales Padilla
		Trujillo Pacheco Santiago Salinas Cárdenas Orozco Velázquez Marín Peña Solís Ochoa Ponce
		Zamora Escobar Galván Bautista Villarreal Meza Esparza Cisneros Ayala Rangel Carrillo Tapia
		Arellano Serrano Bernal Cuevas Mejía Barrera Valencia Robles Zúñiga Quintero Beltrán Montes
		Lozano Duarte Benítez Pineda Villanueva Calderón Zavala Rubio Mora Osorio Bravo Garza Macías
		Rosario Camacho Ibáñez Olvera Santos Téllez Alvarado Arias Bonilla Carmona Córdova Escamilla
		Fajardo Galindo Hidalgo Jaramillo Leyva Magaña Nava Olivares Palacios Quiñones Saldaña Toledo
		Uribe Vallejo Yáñez Zepeda Aguirre Becerra Cantú Dávila Enríquez Franco Gallegos Hinojosa`)
	otherSurnames = strings.Fields(`Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson
		Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young
		Allen King Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips
		Campbell Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Peterson Cooper
		Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray James Hughes
		Price Sanders Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan Fisher Henderson
		Coleman Simmons Patterson Jordan Reynolds Hamilton Graham Wallace Cole West Nguyen Tran Pham
		Le Vo Huynh Phan Kim Park Patel Shah Singh Ali Khan Müller Schmidt Kowalski Novak Björk`)
	particleSurnames = []string{"De La Cruz", "De León", "Del Toro", "De Los Santos", "O'Neil",
		"O'Brien", "D'Angelo", "St. John", "Van Buren", "MacDonald", "De la Rosa", "Del Río"}
	femaleNames = strings.Fields(`María Guadalupe Sofía Valentina Camila Isabella Ximena Daniela
		Andrea Fernanda Mariana Ana Gabriela Natalia Alejandra Paola Karla Jimena Lucía Victoria
		Emily Olivia Emma Ava Mia Abigail Madison Chloe Ella Grace Lily Hannah Zoe Leah Aaliyah
		Brianna Jasmine Destiny Yesenia Esmeralda Itzel Dulce Mónica Berenice Anahí Noemí Inés`)
	maleNames = strings.Fields(`José Juan Luis Carlos Jesús Miguel Ángel Jorge Diego Santiago
		Mateo Sebastián Emiliano Alejandro Daniel David Francisco Antonio Eduardo Fernando Ricardo
		Adrián Iván Óscar Rubén Noah Liam Ethan Jacob William James Michael Benjamin Elijah Logan
		Aiden Jayden Mason Caleb Isaac Nathan Christopher Joshua Andrew Ryan Tyler Brandon Kevin`)
	compoundFirst = []string{"María José", "María Fernanda", "Ana Sofía", "María Guadalupe",
		"Juan Carlos", "José Luis", "Luis Ángel", "Juan Pablo", "José Ángel", "Miguel Ángel"}
	syllables = strings.Fields(`ba be bi bo bu ca ce co cu da de di do du fa fe fi fo ga go gu
		ha he ho ja je jo la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru
		sa se si so ta te ti to tu va ve vi vo ya yo za zo ber dal fen gar han kel lin mar nor par
		qui ros sal tor vin wel xan`)
)

// zipf picks index i of n with weight 1/(i+1)^s: a few names are very
// common, most are rare, as in a real state.
type zipf struct{ cum []float64 }

func newZipf(n int, s float64) zipf {
	z := zipf{cum: make([]float64, n)}
	total := 0.0
	for i := range n {
		total += 1 / math.Pow(float64(i+1), s)
		z.cum[i] = total
	}
	for i := range z.cum {
		z.cum[i] /= total
	}
	return z
}

func (z zipf) pick(r *rand.Rand) int {
	u := r.Float64()
	lo, hi := 0, len(z.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if z.cum[mid] < u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// stripAccents spells a name the way some extracts do: no accents, and
// sometimes all upper case.
func stripAccents(s string, upper bool) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case 'á':
			r = 'a'
		case 'é':
			r = 'e'
		case 'í':
			r = 'i'
		case 'ó':
			r = 'o'
		case 'ú':
			r = 'u'
		case 'ñ':
			r = 'n'
		case 'Á':
			r = 'A'
		case 'É':
			r = 'E'
		case 'Ó':
			r = 'O'
		}
		b.WriteRune(r)
	}
	if upper {
		return strings.ToUpper(b.String())
	}
	return b.String()
}

// syntheticExtract makes a deterministic state of n students: 170 districts
// of skewed size, about half the students with Spanish surnames (a third of
// those compound, spaced or hyphenated), a long tail of rare made-up
// surnames, and one to three enrollments each.
func syntheticExtract(n int, seed uint64) *data.Extract {
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	ex := &data.Extract{}
	for i, name := range []string{"Central", "Northern", "Southern", "Western"} {
		ex.Regions = append(ex.Regions, data.Region{Code: fmt.Sprint(i + 1), Name: name})
	}
	const districts = 170
	districtSize := newZipf(districts, 0.9)
	var schoolsOf [districts][]string
	for d := range districts {
		num := fmt.Sprintf("%03d", d+1)
		ex.Districts = append(ex.Districts, data.District{Number: num, Name: "District " + num, RegionCode: fmt.Sprint(d%4 + 1)})
		weight := districtSize.cum[d]
		if d > 0 {
			weight -= districtSize.cum[d-1]
		}
		nSchools := 2 + int(weight*float64(n)/700)
		for k := range nSchools {
			sn := fmt.Sprintf("%s%03d", num, k+1)
			class := ""
			if k%9 == 8 {
				class = "R1"
			}
			ex.Schools = append(ex.Schools, data.School{Number: sn, DistrictNumber: num,
				Name: fmt.Sprintf("%s School %d", strings.Split(otherSurnames[(d+k)%len(otherSurnames)], " ")[0], k+1), Classification: class})
			schoolsOf[d] = append(schoolsOf[d], sn)
		}
	}
	spanish := newZipf(len(spanishSurnames), 0.7)
	other := newZipf(len(otherSurnames), 0.7)
	female, male := newZipf(len(femaleNames), 0.8), newZipf(len(maleNames), 0.8)
	surname := func() string {
		switch u := r.Float64(); {
		case u < 0.55:
			last := spanishSurnames[spanish.pick(r)]
			if r.Float64() < 0.35 {
				sep := " "
				if r.IntN(3) == 0 {
					sep = "-"
				}
				last += sep + spanishSurnames[spanish.pick(r)]
			}
			return last
		case u < 0.80:
			return otherSurnames[other.pick(r)]
		case u < 0.81:
			return particleSurnames[r.IntN(len(particleSurnames))]
		default:
			var b strings.Builder
			for range 2 + r.IntN(2) {
				b.WriteString(syllables[r.IntN(len(syllables))])
			}
			w := b.String()
			return strings.ToUpper(w[:1]) + w[1:]
		}
	}
	grades := append([]string{"PS"}, data.Grades()...)
	ex.Students = make([]data.Student, 0, n)
	for i := range n {
		id := fmt.Sprintf("%010d", (uint64(i)*2654435761+12345)%10_000_000_000)
		last := surname()
		gender := "F"
		var first string
		switch u := r.Float64(); {
		case u < 0.005:
			gender, first = "X", femaleNames[female.pick(r)]
		case u < 0.5:
			first = femaleNames[female.pick(r)]
		default:
			gender, first = "M", maleNames[male.pick(r)]
		}
		if r.IntN(12) == 0 {
			first = compoundFirst[r.IntN(len(compoundFirst))]
		}
		if r.IntN(4) == 0 {
			upper := r.IntN(2) == 0
			last, first = stripAccents(last, upper), stripAccents(first, upper)
		}
		middle := ""
		if r.IntN(3) == 0 {
			middle = maleNames[r.IntN(len(maleNames))]
		}
		birth := data.NewDate(2004, time.January, 1).AddDays(r.IntN(19 * 365))
		ex.Students = append(ex.Students, data.Student{StateID: id, LocalNumber: fmt.Sprint(100000 + i),
			LastName: last, FirstName: first, MiddleName: middle, BirthDate: birth, Gender: gender, Race: fmt.Sprint(1 + r.IntN(7))})
		d := districtSize.pick(r)
		schools := schoolsOf[d]
		start := data.NewDate(2024, time.August, 10).AddDays(r.IntN(200))
		grade := grades[r.IntN(len(grades))]
		ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: id + "-1", StateID: id,
			SchoolNumber: schools[r.IntN(len(schools))], Grade: grade, ServiceType: "P", Start: start})
		if r.IntN(5) == 0 {
			prev := schoolsOf[districtSize.pick(r)]
			ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: id + "-0", StateID: id,
				SchoolNumber: prev[r.IntN(len(prev))], Grade: grade, ServiceType: "P",
				Start: start.AddDays(-300), End: start.AddDays(-10)})
		}
		if r.IntN(20) == 0 {
			ex.Enrollments = append(ex.Enrollments, data.Enrollment{ID: id + "-2", StateID: id,
				SchoolNumber: schools[r.IntN(len(schools))], Grade: grade, ServiceType: "S", Start: start})
		}
	}
	return ex
}

// TestSearchOneWholeTermSkipsNameChecks: a search of one name term keeps
// the rows of its word's lists (a word, the name run together, the last
// name's first word) at the exact level without checking their names.
// Every word and name run together of a generated state's students (with
// accents, compound and spaced names), alone and within a district, finds
// what refSearch finds, and its exact walk has no name check.
func TestSearchOneWholeTermSkipsNameChecks(t *testing.T) {
	ex := syntheticExtract(1500, 11)
	s := openSearch(t, ex)
	students := refStudents(ex)
	districtOf := map[string]string{}
	for _, sc := range ex.Schools {
		districtOf[sc.Number] = sc.DistrictNumber
	}
	district := map[string]string{}
	for _, e := range ex.Enrollments {
		district[e.StateID] = districtOf[e.SchoolNumber]
	}
	seen := map[Query]bool{}
	var queries []Query
	add := func(q Query) {
		if !seen[q] {
			seen[q] = true
			queries = append(queries, q)
		}
	}
	for i, st := range ex.Students {
		if i%6 != 0 {
			continue
		}
		for _, name := range []struct {
			typed string
			query func(term string) Query
		}{
			{st.LastName, func(term string) Query { return Query{Last: term} }},
			{st.FirstName, func(term string) Query { return Query{First: term} }},
		} {
			words := data.NameTokens(data.NormalizeName(name.typed))
			terms := slices.Clone(words)
			if len(words) > 1 {
				terms = append(terms, strings.Join(words, ""))
			}
			for _, term := range terms {
				add(name.query(term))
				q := name.query(term)
				q.District = district[st.StateID]
				add(q)
			}
		}
	}
	skipped := 0
	for _, q := range queries {
		want := refSearch(students, q)
		if got := ids(t, s, q); !slices.Equal(got, want) {
			t.Fatalf("%+v:\n got %v\nwant %v", q, got, want)
		}
		sp, err := newSearchSpec(q)
		if err != nil {
			t.Fatal(err)
		}
		lists, err := sp.candidates(levelExact)[0].lists(context.Background(), searchTx{})
		if err != nil {
			t.Fatal(err)
		}
		if query, _ := sp.walkQuery(lists, levelExact, 10); strings.Contains(query, "name_level_key") {
			t.Fatalf("%+v: the exact walk checks names: %s", q, query)
		}
		if query, _ := sp.walkQuery(lists, levelPrefix, 10); !strings.Contains(query, "name_level_key") {
			t.Fatalf("%+v: the prefix walk does not check names: %s", q, query)
		}
		skipped++
	}
	if skipped < 500 {
		t.Fatalf("only %d queries", skipped)
	}
}

// TestSearchAfterADamagedEnrollment: a search that stops at a damaged
// enrollment says so, and the searches after it show the enrollments of
// their own students (the working memory of a search is reused).
func TestSearchAfterADamagedEnrollment(t *testing.T) {
	s := openSearch(t, searchFixture())
	ctx := context.Background()
	want, err := s.Search(ctx, Query{Gender: "F"})
	if err != nil || len(want) < 3 {
		t.Fatalf("%d results, %v", len(want), err)
	}
	if _, err := s.w.Exec(`UPDATE enrollments SET start_date = 'damaged' WHERE state_id = '0000100004'`); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.Search(ctx, Query{StateID: "0000100001"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Search(ctx, Query{Gender: "M"}); err == nil || !strings.Contains(err.Error(), "stored start date") {
			t.Fatalf("a damaged start date: %v", err)
		}
		got, err := s.Search(ctx, Query{Gender: "F"})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after a damaged enrollment:\n got %+v\nwant %+v", got, want)
		}
	}
}
