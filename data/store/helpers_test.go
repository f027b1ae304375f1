package store_test

import (
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// count returns one number from the database.
func count(t testing.TB, st *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func districtNumbers(ds []data.District) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.Number
	}
	return strings.Join(s, " ")
}

func copyDistricts(cs []data.Copy) []data.District {
	ds := make([]data.District, len(cs))
	for i, c := range cs {
		ds[i] = c.District
	}
	return ds
}
