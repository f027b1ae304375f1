package store

import (
	"context"
	"slices"
	"strings"
	"testing"

	"migrantdesk/data"
)

func TestDateTextIsString(t *testing.T) {
	for _, d := range []data.Date{0, 19000101, 20240229, 21991231, 99991231, 101, 123456789} {
		if got, want := dateText(d), d.String(); got != want {
			t.Errorf("dateText(%d) = %q, want %q", d, got, want)
		}
	}
}

// searchIndex is every row of the search index tables, in key order.
func searchIndex(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT field || '|' || token || '|' || sort_key || '|' || state_id FROM name_tokens ORDER BY 1`,
		`SELECT district_number || '|' || sort_key || '|' || state_id || '|' || gender FROM district_students ORDER BY 1`,
	} {
		rows, err := s.r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var r string
			if err := rows.Scan(&r); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		rows.Close()
	}
	return out
}

// TestReimportIndexesAsAFreshImport re-imports a few students, or most,
// with new names and schools in another district, and checks that the
// search index and the tables' indexes are those a fresh import of the
// resulting state builds.
func TestReimportIndexesAsAFreshImport(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{7, 250} {
		ex := syntheticExtract(300, 11)
		s := openSearch(t, ex)
		later := &data.Extract{Regions: ex.Regions, Districts: ex.Districts, Schools: ex.Schools}
		final := *ex
		final.Students = slices.Clone(ex.Students)
		final.Enrollments = nil
		moved := map[string]bool{}
		for i := range n {
			st := &final.Students[i]
			st.LastName, st.FirstName = strings.ToUpper(st.FirstName), st.LastName+" Re"
			later.Students = append(later.Students, *st)
			moved[st.StateID] = true
			later.Enrollments = append(later.Enrollments, data.Enrollment{ID: st.StateID + "-new", StateID: st.StateID,
				SchoolNumber: ex.Schools[i%len(ex.Schools)].Number, Grade: "05", ServiceType: "P", Start: 20250101})
		}
		for _, e := range ex.Enrollments {
			if !moved[e.StateID] {
				final.Enrollments = append(final.Enrollments, e)
			}
		}
		final.Enrollments = append(final.Enrollments, later.Enrollments...)
		if _, err := s.ImportExtract(ctx, later, "tester"); err != nil {
			t.Fatal(err)
		}
		fresh := openSearch(t, &final)
		if got, want := searchIndex(t, s), searchIndex(t, fresh); !slices.Equal(got, want) {
			t.Errorf("re-import of %d students: %d search index rows, a fresh import %d", n, len(got), len(want))
		}
		for _, q := range []string{
			`SELECT name, coalesce(sql, '') FROM sqlite_schema WHERE type = 'index' ORDER BY name`,
			`SELECT count(*) FROM enrollments`,
			`SELECT group_concat(state_id) FROM (SELECT state_id FROM students ORDER BY sort_key, state_id)`,
		} {
			if got, want := dump(t, s, q), dump(t, fresh, q); got != want {
				t.Errorf("re-import of %d students: %s:\n got %s\nwant %s", n, q, got, want)
			}
		}
	}
}

func dump(t *testing.T, s *Store, q string) string {
	t.Helper()
	rows, err := s.r.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strings.Join(vals, "|") + "\n")
	}
	return b.String()
}

// TestLoadWritesFullBatchesWhole imports more rows than several full
// batches hold, each a reused statement, and a partial batch, and checks
// that every value of every row is there, after a first import and after
// a re-import that updates them.
func TestLoadWritesFullBatchesWhole(t *testing.T) {
	ctx := context.Background()
	ex := syntheticExtract(3*batchRows+17, 5)
	s := openSearch(t, ex)
	want := func(ex *data.Extract) string {
		var b strings.Builder
		sorted := slices.Clone(ex.Students)
		slices.SortFunc(sorted, func(a, b data.Student) int { return strings.Compare(a.StateID, b.StateID) })
		for _, st := range sorted {
			b.WriteString(strings.Join([]string{st.StateID, st.LocalNumber, st.LastName, st.FirstName, st.MiddleName,
				dateText(st.BirthDate), st.Gender, st.Race}, "|") + "\n")
		}
		return b.String()
	}
	const q = `SELECT state_id, local_number, last_name, first_name, middle_name, birth_date, gender, race
		FROM students ORDER BY state_id`
	if got := dump(t, s, q); got != want(ex) {
		t.Fatalf("after a first import of %d students, the students table differs from the extract", len(ex.Students))
	}
	if got, want := dump(t, s, `SELECT count(*) FROM enrollments`), dump(t, openSearch(t, ex), `SELECT count(*) FROM enrollments`); got != want {
		t.Errorf("enrollments: %s, a second fresh import %s", got, want)
	}
	again := *ex
	again.Students = slices.Clone(ex.Students)
	for i := range again.Students {
		again.Students[i].MiddleName = "Re " + again.Students[i].MiddleName
	}
	if _, err := s.ImportExtract(ctx, &again, "tester"); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, s, q); got != want(&again) {
		t.Errorf("after a re-import of %d students, the students table differs from the extract", len(again.Students))
	}
}

// TestReimportKeepsTablesNotCarried re-imports some students, or most,
// with each optional table carried (with rows, or empty) or not: a table
// carried replaces the rows of the students listed, one not carried
// keeps them, whichever of the two the load reaches first.
func TestReimportKeepsTablesNotCarried(t *testing.T) {
	ctx := context.Background()
	const absent = -1
	cases := []struct {
		programs, assessments int // rows for each student listed, or absent
	}{{1, absent}, {absent, 0}, {absent, absent}, {0, 0}, {absent, 1}}
	for _, n := range []int{5, 30} {
		for _, c := range cases {
			ex := syntheticExtract(40, 3)
			for _, st := range ex.Students {
				ex.Programs = append(ex.Programs, data.Program{StateID: st.StateID, Program: data.ProgramEL, Start: 20230801})
				ex.Assessments = append(ex.Assessments, data.Assessment{StateID: st.StateID, Subject: data.SubjectMath,
					TestDate: 20240415, Level: "Novice"})
			}
			s := openSearch(t, ex)
			later := &data.Extract{Regions: ex.Regions, Districts: ex.Districts, Schools: ex.Schools, Students: ex.Students[:n]}
			for _, st := range later.Students {
				for range c.programs {
					later.Programs = append(later.Programs, data.Program{StateID: st.StateID, Program: data.ProgramHomeless, Start: 20250101})
				}
				for range c.assessments {
					later.Assessments = append(later.Assessments, data.Assessment{StateID: st.StateID, Subject: data.SubjectReading,
						TestDate: 20250415, Level: "Proficient"})
				}
			}
			// What the tables should hold: the rows of the students not
			// listed, and of those listed the new rows or, for a table
			// not carried, the old ones.
			want := &data.Extract{Regions: ex.Regions, Districts: ex.Districts, Schools: ex.Schools, Students: ex.Students,
				Programs: later.Programs, Assessments: later.Assessments}
			if c.programs == absent {
				later.Without = append(later.Without, data.TablePrograms)
				want.Programs = ex.Programs[:n]
			}
			if c.assessments == absent {
				later.Without = append(later.Without, data.TableAssessments)
				want.Assessments = ex.Assessments[:n]
			}
			want.Programs = append(slices.Clone(want.Programs), ex.Programs[n:]...)
			want.Assessments = append(slices.Clone(want.Assessments), ex.Assessments[n:]...)

			got, err := s.ImportExtract(ctx, later, "tester")
			if err != nil {
				t.Fatal(err)
			}
			if got.ProgramsKept != (c.programs == absent) || got.AssessmentsKept != (c.assessments == absent) {
				t.Errorf("%d students, %+v: counts %+v", n, c, got)
			}
			fresh := openSearch(t, want)
			for _, q := range []string{
				`SELECT state_id, program, start_date FROM programs ORDER BY 1, 2, 3`,
				`SELECT state_id, subject, test_date FROM assessments ORDER BY 1, 2, 3`,
			} {
				if got, want := dump(t, s, q), dump(t, fresh, q); got != want {
					t.Errorf("%d students, %+v: %s\n%s\nwant\n%s", n, c, q, got, want)
				}
			}
		}
	}
}
