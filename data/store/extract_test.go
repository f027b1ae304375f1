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
