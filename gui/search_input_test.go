package gui

import (
	"testing"

	"migrantdesk/data/store/storetest"
)

// TestSearchNamesAPastedMark: a right-to-left mark pasted with a name,
// which the field does not show, is named beside the search rather than
// found nothing; the name without it finds the student.
func TestSearchNamesAPastedMark(t *testing.T) {
	u := start(t, openDemoOf(t, storetest.Extract()), Options{User: storetest.Clerk})
	retype(u.search.last, "garc\u200fia")
	pressEnter(u, u.search.last)
	want := "The last name you searched by: character 5 is a bidirectional control, which shows the text in another order " +
		"than it is stored (U+200F); retype the value without it."
	if h := u.search.hint.Text; len(u.search.results) != 0 || h != want {
		t.Errorf("%d results, hint %q, want %q", len(u.search.results), h, want)
	}
	retype(u.search.last, "garcia")
	pressEnter(u, u.search.last)
	if len(u.search.results) != 1 || u.search.results[0].Student.StateID != storetest.Maria {
		t.Errorf("garcia finds %+v (%q)", u.search.results, u.search.hint.Text)
	}
}
