package report

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/demo"
	"migrantdesk/data/demo/demotest"
	"migrantdesk/data/store"
)

func TestBuildRows(t *testing.T) {
	st := loadState(t)
	for _, tc := range []struct{ district, file string }{
		{"001", "expected_detail_001.csv"},
		{"002", "expected_detail_002.csv"},
	} {
		t.Run(tc.district, func(t *testing.T) {
			q := build(t, st, tc.district)
			cases, want := expectedRows(t, tc.file)
			if len(q.Rows) != len(want) {
				for _, r := range q.Rows {
					t.Logf("got %s %s %s", r.Student.StateID, r.Student.LastName, r.Enrollment.ID)
				}
				t.Fatalf("%d rows, want %d", len(q.Rows), len(want))
			}
			for i := range q.Rows {
				cells := DetailCells(&q.Rows[i])
				for j, c := range cells {
					if got := c.String(); got != want[i][j] {
						t.Errorf("row %d (%s), %s = %q, want %q", i+1, cases[i], DetailColumns[j], got, want[i][j])
					}
				}
			}
		})
	}
}

func TestBuildCounts(t *testing.T) {
	st := loadState(t)
	grades := func(n map[string]int) []Count {
		var out []Count
		for _, g := range []string{"K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"} {
			out = append(out, Count{g, n[g]})
		}
		return out
	}
	races := func(hisp, amind, asian, black, pacific, white, two int) []Count {
		return []Count{{"Hispanic/Latino", hisp}, {"American Indian or Alaska Native", amind}, {"Asian", asian},
			{"Black or African American", black}, {"Native Hawaiian or Other Pacific Islander", pacific},
			{"White", white}, {"Two or More Races", two}}
	}
	genders := func(f, m, x int) []Count { return []Count{{"Female", f}, {"Male", m}, {"Non-binary", x}} }
	groups := func(ed, el, dis, hl, total int) []GroupCount {
		return []GroupCount{{"Economically Disadvantaged", ed, total - ed}, {"English Learner", el, total - el},
			{"Disability", dis, total - dis}, {"Homeless", hl, total - hl}}
	}
	want := map[string]Counts{
		// See CASES.md: Álvarez counts once, by his P enrollment (grade 10 at
		// 001200); Ortiz by his S (001100); Peña by her latest P (001200).
		"001": {
			Total:   10,
			Grades:  grades(map[string]int{"K": 1, "02": 2, "05": 1, "06": 1, "08": 1, "10": 1, "11": 1, "12": 2}),
			Genders: genders(4, 5, 1),
			Races:   races(6, 1, 1, 0, 0, 1, 1),
			Groups:  groups(6, 2, 1, 2, 10),
			Schools: []SchoolCount{{"001100", "Escuela Primaria Núñez", 5}, {"001200", "Valle Verde High School", 5}},
		},
		"002": {
			Total:   2,
			Grades:  grades(map[string]int{"04": 1, "08": 1}),
			Genders: genders(1, 1, 0),
			Races:   races(2, 0, 0, 0, 0, 0, 0),
			Groups:  groups(2, 0, 0, 0, 2),
			Schools: []SchoolCount{{"002100", "Río Grande Middle School", 2}},
		},
		"003": {
			Grades:  grades(nil),
			Genders: genders(0, 0, 0),
			Races:   races(0, 0, 0, 0, 0, 0, 0),
			Groups:  groups(0, 0, 0, 0, 0),
		},
	}
	for district, w := range want {
		t.Run(district, func(t *testing.T) {
			got := build(t, st, district).Counts
			if !reflect.DeepEqual(got, w) {
				t.Errorf("counts:\n got %+v\nwant %+v", got, w)
			}
		})
	}
}

func TestBuildRefuses(t *testing.T) {
	st := loadState(t)
	ctx := context.Background()

	_, err := Build(ctx, st, data.Operator(""), "999", period)
	if !errors.Is(err, store.ErrUnknownDistrict) || !strings.Contains(err.Error(), `district "999" is not in the database`) {
		t.Errorf("unknown district: %v", err)
	}
	_, err = Build(ctx, st, data.Operator(""), "1", period)
	if !errors.Is(err, store.ErrUnknownDistrict) {
		t.Errorf("district 1 for 001 (leading zeros count): %v", err)
	}
	backwards := data.Period{From: period.To, To: period.From}
	if _, err := Build(ctx, st, data.Operator(""), "001", backwards); err == nil || !strings.Contains(err.Error(), "starts (06/30/2025) after it ends (08/01/2024)") {
		t.Errorf("backwards period: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Build(cancelled, st, data.Operator(""), "001", period); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestPeriodEdges moves the period so that single days decide: an
// enrollment ending on the first day, one starting on the last, a record
// whose QAD is the last day or whose EED is the first.
func TestPeriodEdges(t *testing.T) {
	st := loadState(t)
	ids := func(q *QA) string {
		var s []string
		for _, r := range q.Rows {
			s = append(s, r.Enrollment.ID)
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		name     string
		from, to string
		want     string
		katz     string // the MIS2000 ID on Katz's row, when he has one
	}{
		// Benítez withdrew 12/20/2024, López 01/31/2025, Peña left 001100 12/20/2024.
		{"first day is a withdrawal day", "2024-12-20", "2024-12-20", "E101P E101S E102 E111 E112A E113 E115S E115N E116A E117 E120", "000111002"},
		{"after the withdrawals", "2024-12-21", "2025-01-05", "E101P E101S E111 E112A E113 E115S E115N E117 E120", "000111002"},
		// Díaz's QAD is 05/20/2025 and her enrollment starts 06/30/2025.
		{"QAD on the last day, enrollment later", "2025-05-01", "2025-05-20", "E101P E101S E111 E113 E115S E115N E116B E117", "000111002"},
		// Katz's first record ends 08/31/2024, his second starts 09/15/2024:
		// between them he has no active record.
		{"between two records", "2024-09-01", "2024-09-14", "E101P E101S E102 E112A E113 E115S E115N E116A E117 E120", ""},
		{"last day of the first record", "2024-08-31", "2024-08-31", "E101P E102 E111 E112A E113 E115S E116A E117 E120", "000111001"},
		// Torres's EED is 01/15/2025.
		{"EED on the first day", "2025-01-15", "2025-01-20", "E101P E101S E111 E112A E113 E115S E115N E116B E117 E120", "000111002"},
		{"EED the day before", "2025-01-16", "2025-01-20", "E101P E101S E111 E112A E113 E115S E115N E116B E117", "000111002"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, _ := data.ParseDate(tc.from)
			to, _ := data.ParseDate(tc.to)
			q, err := Build(context.Background(), st, data.Operator(""), "001", data.Period{From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(q); got != tc.want {
				t.Errorf("rows\n got %s\nwant %s", got, tc.want)
			}
			for _, r := range q.Rows {
				if r.Student.StateID == "0000000111" && tc.katz != "" && r.Record.MIS2000ID != tc.katz {
					t.Errorf("Katz's row has MIS2000 ID %s, want %s", r.Record.MIS2000ID, tc.katz)
				}
			}
		})
	}
}

func TestUnduplicatedPrefersPThenSThenLatestStart(t *testing.T) {
	row := func(id, stateID, service string, start data.Date) Row {
		var r Row
		r.Student.StateID = stateID
		r.Enrollment = data.Enrollment{ID: id, StateID: stateID, ServiceType: service, Start: start}
		return r
	}
	d := func(day int) data.Date { return data.NewDate(2024, 9, day) }
	rows := []Row{
		row("a-N", "A", "N", d(20)), row("a-S", "A", "S", d(1)), row("a-P-old", "A", "P", d(2)), row("a-P-new", "A", "P", d(3)),
		row("b-N", "B", "N", d(1)), row("b-S", "B", "S", d(2)),
		row("c-N1", "C", "N", d(1)), row("c-N2", "C", "N", d(5)),
	}
	var got []string
	for _, r := range Unduplicated(rows) {
		got = append(got, r.Enrollment.ID)
	}
	if want := "a-P-new b-S c-N2"; strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
}

// TestDemoStateConsistency runs the report over every district of a small
// generated state and checks what must hold whatever the data: the rows
// follow the rules of SPEC §6, and the counts add up to one per student.
func TestDemoStateConsistency(t *testing.T) {
	st, err := store.Open(demotest.SmallDB(t, 500))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	districts, err := st.Districts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	p := data.SchoolYearOf(demo.DefaultToday)
	total := 0
	for _, d := range districts {
		q, err := Build(ctx, st, data.Operator(""), d.Number, p)
		if err != nil {
			t.Fatal(err)
		}
		total += len(q.Rows)
		students := map[string]bool{}
		for _, r := range q.Rows {
			students[r.Student.StateID] = true
			if data.ClassOf(r.Enrollment.Grade) != data.GradeK12 || !p.Overlaps(r.Enrollment.Start, r.Enrollment.End) ||
				!r.Record.ActiveIn(p) {
				t.Errorf("district %s: row %+v breaks the rules", d.Number, r)
			}
		}
		c := q.Counts
		sum := func(cs []Count) int {
			n := 0
			for _, c := range cs {
				n += c.N
			}
			return n
		}
		schools := 0
		for _, s := range c.Schools {
			schools += s.N
		}
		if c.Total != len(students) || sum(c.Grades) != c.Total || sum(c.Genders) != c.Total ||
			sum(c.Races) != c.Total || schools != c.Total {
			t.Errorf("district %s: %d students, counts %+v", d.Number, len(students), c)
		}
		for _, g := range c.Groups {
			if g.Yes+g.No != c.Total {
				t.Errorf("district %s: %s %d + %d is not %d", d.Number, g.Label, g.Yes, g.No, c.Total)
			}
		}
	}
	if total == 0 {
		t.Error("no district of the demo state has a row: the test checks nothing")
	}
}
