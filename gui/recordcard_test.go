package gui

import (
	"strings"
	"testing"

	"migrantdesk/data"
	"migrantdesk/data/store"
)

// A record holding a change the hub refused is corrected and saved, not
// published: its card said "Publishing sends it to" a district with
// Publish disabled beside it.
func TestRefusedRecordStoryOffersNoPublishing(t *testing.T) {
	targets := []data.District{{Number: "289", Name: "Lincoln County"}}
	story := func(st data.Status) string {
		return recordStory(store.Record{Status: st, Targets: targets}, func(u string) string { return u })
	}
	if got := story(data.StatusRefused); strings.Contains(got, "Publishing sends it") {
		t.Errorf("the refused record reads %q", got)
	}
	if got := story(data.StatusNeedsPublishing); !strings.Contains(got, "Publishing sends it to 289 Lincoln County.") {
		t.Errorf("a record to publish reads %q", got)
	}
}
