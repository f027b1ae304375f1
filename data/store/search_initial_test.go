package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestSearchFirstInitial checks last names and their starts with a first
// initial: compound, hyphenated, accented and particle surnames, a second
// first name's initial, names run together. The prefix pass walks the
// first-initial lists (no pair lists, no other name's lists) and finds
// what refSearch finds under every planner limit.
func TestSearchFirstInitial(t *testing.T) {
	ex := searchFixture()
	s := openSearch(t, ex)
	students := refStudents(ex)
	for _, c := range []struct {
		q    Query
		want []string
	}{
		// García López by either surname, spelled either way; García Zoe
		// has no first name starting with m.
		{Query{Last: "garcia", First: "m"}, []string{"0000100001~"}},
		{Query{Last: "García", First: "J"}, []string{"0000100002~"}},
		{Query{Last: "lopez", First: "m"}, []string{"0000100001~"}},
		{Query{Last: "lópez", First: "j"}, []string{"0000100002~"}},
		{Query{Last: "lo", First: "a"}, []string{"0000100003~"}},
		{Query{Last: "Garcia-Lopez", First: "j"}, []string{"0000100002~"}},
		{Query{Last: "gar", First: "z"}, []string{"0000100014~"}},
		// María José by her second first name's initial.
		{Query{Last: "perez", First: "j"}, []string{"0000100013~"}},
		{Query{Last: "pé", First: "m"}, []string{"0000100013~"}},
		{Query{Last: "Núñez", First: "l"}, []string{"0000100005~"}},
		{Query{Last: "NU", First: "L"}, []string{"0000100005~"}},
		{Query{Last: "hern", First: "m"}, []string{"0000100006~", "0000100007~"}},
		{Query{Last: "hernández", First: "m"}, []string{"0000100006~", "0000100007~"}},
		// De La Cruz and De León by a word, or run together; Delacruz Ana
		// has no j.
		{Query{Last: "cr", First: "j"}, []string{"0000100010~"}},
		{Query{Last: "delac", First: "j"}, []string{"0000100010~"}},
		{Query{Last: "delacruz", First: "a"}, []string{"0000200012~"}},
		{Query{Last: "le", First: "p"}, []string{"0000100016~"}},
		{Query{Last: "de leon", First: "p"}, []string{"0000100016~"}},
		{Query{Last: "oneil", First: "s"}, []string{"0000100004~"}},
		{Query{First: "m"}, []string{"0000100001~", "0000100006~", "0000100007~", "0000100013~"}},
		{Query{Last: "smith", First: "p"}, []string{"0000100011~"}},
		{Query{Last: "x", First: "m"}, []string{}},
	} {
		want := refSearch(students, c.q)
		if !slices.Equal(want, c.want) {
			t.Fatalf("%+v: the reference finds %v, the test expects %v", c.q, want, c.want)
		}
		if got := ids(t, s, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%+v: got %v, want %v", c.q, got, c.want)
		}
		sp, err := newSearchSpec(c.q)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := s.searched.begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		lists, err := sp.choose(context.Background(), tx, levelPrefix, sp.limit)
		tx.end()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lists {
			if field := l.args[0]; field != tokFirstInitial && field != tokInitialLater {
				t.Errorf("%+v: the prefix pass walks %s %v", c.q, l.where, l.args)
			}
		}
	}
}

func TestInitialTokens(t *testing.T) {
	initialTokens := func(lw, fw []string) []fieldToken {
		s := newTokenSet()
		s.addInitials(lw, fw)
		tokens := []fieldToken{}
		for _, r := range s.rows {
			tokens = append(tokens, r.fieldToken)
		}
		return tokens
	}
	got := fmt.Sprint(initialTokens(distinctWords("garcia de la cruz"), distinctWords("maria jose juan")))
	want := "[{11 m} {11 j} {12 m de} {12 j de} {12 m la} {12 j la} {12 m cruz} {12 j cruz}]"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got := fmt.Sprint(initialTokens(nil, distinctWords("ñandu"))); got != "[{11 ñ}]" {
		t.Errorf("one word, a letter of two bytes: got %s", got)
	}
	if got := fmt.Sprint(initialTokens(distinctWords("lopez"), nil)); got != "[]" {
		t.Errorf("no first name: got %s", got)
	}
}

// TestMigrationIndexesInitials upgrades a database of schema 8, whose
// search index lacks the first-initial rows, and checks that migration 9
// writes the same rows an import writes.
func TestMigrationIndexesInitials(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportExtract(context.Background(), syntheticExtract(3000, 5), "tester"); err != nil {
		t.Fatal(err)
	}
	rows := func(db *sql.DB) []string {
		t.Helper()
		r, err := db.Query(`SELECT field, token, sort_key, state_id FROM name_tokens WHERE field IN (11, 12) ORDER BY 1, 2, 3, 4`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var out []string
		for r.Next() {
			var f int
			var tok, key, id string
			if err := r.Scan(&f, &tok, &key, &id); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(f, tok, key, id))
		}
		return out
	}
	imported := rows(s.w)
	if len(imported) < 3000 {
		t.Fatalf("the import wrote %d first-initial rows for 3000 students", len(imported))
	}
	// Back to version 8: migration 10's column, 11's index, 12's table
	// and 14's index go too, for them to be added again.
	if _, err := s.w.Exec(`DELETE FROM name_tokens WHERE field IN (11, 12); DROP INDEX migrant_records_publish_districts;
		ALTER TABLE migrant_records DROP COLUMN publish_districts; DROP INDEX outbox_entity; DROP TABLE drafts;
		DROP INDEX outbox_refused; PRAGMA user_version = 8`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if migrated := rows(s.w); !slices.Equal(migrated, imported) {
		t.Errorf("migration 9 wrote %d rows, the import %d", len(migrated), len(imported))
	}
}
