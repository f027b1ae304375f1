package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"migrantdesk/data"
)

// A birth date typed 2102 for 2012 is a day that has not come: the
// extract must refuse it with its file, line and column, as it refuses
// February 30, rather than store a student not yet born (whose every
// migrant record is then refused as "before the student's birth date").
func TestFutureBirthDateRefused(t *testing.T) {
	dir := copyFixture(t, "good")
	p := filepath.Join(dir, "students.csv")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	f := strings.Split(lines[1], ",")
	f[5] = "2102-03-04"
	lines[1] = strings.Join(f, ",")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	ex, err := ReadExtract(dir)
	if err == nil {
		t.Fatalf("a student born on %s was read without a problem", ex.Students[0].BirthDate)
	}
	got := problems(t, err)
	want := "students.csv line 2, column birth_date: the birth date 2102-03-04 is after today (" + data.Today().String() + "); check the year"
	if len(got) != 1 || got[0].String() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// A student born on the day of the import is read; one born the day
// after is not.
func TestBirthDateUpToTheImportsToday(t *testing.T) {
	dir := copyFixture(t, "good")
	x, err := OpenExtract(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var ex data.Extract
	if err := x.Scan(&ex); err != nil {
		t.Fatal(err)
	}
	var born data.Date
	for _, st := range ex.Students {
		born = max(born, st.BirthDate)
	}
	for _, c := range []struct {
		today data.Date
		ok    bool
	}{{born, true}, {born.AddDays(-1), false}} {
		x, err := OpenExtract(dir)
		if err != nil {
			t.Fatal(err)
		}
		x.today = c.today
		err = x.Scan(&data.Extract{})
		x.Close()
		if (err == nil) != c.ok {
			t.Errorf("born %s, read on %s: %v", born, c.today, err)
		}
	}
}
