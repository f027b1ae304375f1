package gui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"migrantdesk/data/store/storetest"
	"migrantdesk/data/sync/client"
)

// TestFailedSyncLosesNothing: when the database refuses what a sync pulls
// (a full disk), the app says so in a sentence, stays usable, and the
// next sync, once the disk has room, goes through.
func TestFailedSyncLosesNothing(t *testing.T) {
	h := startHub(t)
	u, st := signedInApp(t, h, storetest.Clerk)
	before := storetest.CountRows(t, st)
	heal := storetest.FailWritesTo(t, st, "meta") // a pulled page writes its cursor last
	press(t, u, keySync)
	if got := u.status.link.Text; got != "Not synced: see the message above" {
		t.Errorf("status %q", got)
	}
	msg := u.status.message.Text
	if !strings.HasPrefix(msg, "The sync stopped: ") || !strings.Contains(msg, storetest.DiskFull) ||
		!strings.HasSuffix(msg, "Nothing was lost: your changes are kept, and the next sync tries again.") {
		t.Errorf("message %q", msg)
	}
	if after := storetest.CountRows(t, st); after != before {
		t.Errorf("the failed sync changed %+v into %+v", before, after)
	}
	heal()
	press(t, u, keySync)
	if u.status.link.Text != "Online" || u.status.message.Text != "Synced with the hub: nothing new." {
		t.Errorf("after the disk has room: %q, %q", u.status.link.Text, u.status.message.Text)
	}
}

// TestSyncCutMidAnswer: a connection that drops in the middle of the
// hub's answer is the hub out of reach, not a failed sync: the app says
// Offline and that the changes are kept. An answer that arrives whole and
// cannot be read is a failed sync still.
func TestSyncCutMidAnswer(t *testing.T) {
	h := startHub(t)
	u, _ := signedInApp(t, h, storetest.Clerk)
	h.cutPulls.Store(100)
	press(t, u, keySync)
	if u.sync.state != linkOffline || u.status.message.Text != "The hub cannot be reached; your changes are kept and will be sent later." {
		t.Errorf("every pull cut: state %d, status %q, message %q", u.sync.state, u.status.link.Text, u.status.message.Text)
	}
	h.cutPulls.Store(0)
	h.shortPulls.Store(100)
	press(t, u, keySync)
	if u.sync.state != linkFailed || !strings.Contains(u.status.message.Text, "the hub's answer could not be read") {
		t.Errorf("every pull short: state %d, status %q, message %q", u.sync.state, u.status.link.Text, u.status.message.Text)
	}
	h.shortPulls.Store(0)
	press(t, u, keySync)
	if u.sync.state != linkOnline || u.status.link.Text != "Online" {
		t.Errorf("answered again: state %d, status %q, message %q", u.sync.state, u.status.link.Text, u.status.message.Text)
	}
}

func TestSyncMessages(t *testing.T) {
	for _, c := range []struct {
		r    syncResult
		want string
	}{
		{syncResult{sum: client.Summary{Pushed: 1, Pulled: 1234}}, "Synced with the hub: sent 1 change, received 1,234 changes."},
		// A standalone desk's first sync sends its changes again at the
		// first page; the hub has them, and they count once.
		{syncResult{sum: client.Summary{Pushed: 24, Applied: 12, Duplicate: 12, Pulled: 2573}},
			"Synced with the hub: sent 12 changes, received 2,573 changes."},
		{syncResult{sum: client.Summary{Pushed: 3, Duplicate: 3}}, "Synced with the hub: nothing new."},
		{syncResult{sum: client.Summary{Pushed: 2, Conflict: 1, Rejected: 1}},
			"Synced with the hub: sent 2 changes. 1 change met a change made on the hub first: resolve the conflicts under Conflicts. " +
				"The hub refused 1 change: see why under Conflicts."},
		{syncResult{err: fmt.Errorf("%w (dial tcp: connection refused)", client.ErrUnreachable), state: linkOffline},
			"The hub cannot be reached; your changes are kept and will be sent later."},
		{syncResult{err: &client.Error{Status: http.StatusServiceUnavailable, Message: "the hub's database does not answer", Transient: true}, state: linkOffline},
			"The hub's database does not answer. Your changes are kept and will be sent later."},
		{syncResult{err: &client.Error{Status: http.StatusUpgradeRequired,
			Message: "this hub speaks protocol version 2; update Migrant Desk to sync with it (your changes are kept until then)"}, state: linkFailed},
			"The hub did not take the sync: this hub speaks protocol version 2; update Migrant Desk to sync with it (your changes are kept until then)."},
		{syncResult{err: errRefused, state: linkSignedOut},
			"The hub refused your password, so syncing has stopped; your changes are kept. Choose Sync now (Ctrl+R) to sign in again."},
		{syncResult{err: errors.New("read the sync cursor: disk I/O error"), state: linkFailed},
			"The sync stopped: read the sync cursor: disk I/O error. Nothing was lost: your changes are kept, and the next sync tries again."},
	} {
		if got := syncMessage(c.r); got != c.want {
			t.Errorf("%+v:\n got %q\nwant %q", c.r, got, c.want)
		}
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 30, 15, 0, 0, 0, time.Local)
	for d, want := range map[time.Duration]string{
		20 * time.Second: "just now",
		90 * time.Second: "1 minute ago",
		2 * time.Minute:  "2 minutes ago",
		59 * time.Minute: "59 minutes ago",
		time.Hour:        "1 hour ago",
		5 * time.Hour:    "5 hours ago",
		30 * time.Hour:   "11/29/2026 9:00 AM",
	} {
		if got := ago(now.Add(-d), now); got != want {
			t.Errorf("%v ago reads %q, want %q", d, got, want)
		}
	}
	if got := ago(time.Time{}, now); got != "never" {
		t.Errorf("never synced reads %q", got)
	}
	// A sync stamped by a clock that was ahead, set right since: the
	// status bar said "just now" until the clock caught up, through days
	// offline, and a district window called its records as of just now.
	for d, want := range map[time.Duration]string{
		20 * time.Second: "just now",
		2 * time.Hour:    "11/30/2026 5:00 PM",
		50 * time.Hour:   "12/02/2026 5:00 PM",
	} {
		if got := ago(now.Add(d), now); got != want {
			t.Errorf("a sync %v ahead of the clock reads %q, want %q", d, got, want)
		}
	}
}

// TestDistrictWindowShowsTheSync: a coordinator works in district windows,
// which cover the main window and its status bar. Each says whether the
// hub answers and when the last sync was, so that records read offline
// are known to be as of that sync, and Ctrl+R there syncs.
func TestDistrictWindowShowsTheSync(t *testing.T) {
	h := startHub(t)
	u, _ := signedInApp(t, h, storetest.Coordinator)
	u.openDistrict("001")
	u.wait()
	w := u.districts["001"]
	if w == nil {
		t.Fatal("no window of district 001")
	}
	if got := w.syncLine.Text; got != "Online · Last sync: just now" || !w.syncLine.Visible() {
		t.Errorf("online, the district window says %q (shown: %v)", got, w.syncLine.Visible())
	}
	h.stop()
	w.win.Canvas().(fyne.Shortcutable).TypedShortcut(keySync)
	u.wait()
	if got := w.syncLine.Text; got != "Offline: the hub cannot be reached; the records are as of the last sync · Last sync: just now" {
		t.Errorf("offline, the district window says %q", got)
	}
	h.restart(t)
	w.win.Canvas().(fyne.Shortcutable).TypedShortcut(keySync)
	u.wait()
	if got := w.syncLine.Text; got != "Online · Last sync: just now" {
		t.Errorf("back online after Ctrl+R in the district window, it says %q", got)
	}
}

// TestGrantPulledOpensTheReport: a coordinator told to ask for the
// report's grant keeps the report tab open, and the sync that brings the
// grant shows the report's controls there, without leaving the tab.
func TestGrantPulledOpensTheReport(t *testing.T) {
	h := startHub(t)
	u, _ := signedInApp(t, h, storetest.Coordinator)
	u.openDistrict("001")
	u.wait()
	w := u.districts["001"]
	if w == nil {
		t.Fatal("no window of district 001")
	}
	w.tabs.SelectIndex(2)
	u.wait()
	if w.report.allowed() {
		t.Fatal("the coordinator may run the report before any grant")
	}
	if err := h.db.SetGrant(context.Background(), storetest.User(storetest.DistrictAdmin), storetest.Coordinator, "001", true); err != nil {
		t.Fatal(err)
	}
	w.win.Canvas().(fyne.Shortcutable).TypedShortcut(keySync)
	u.wait()
	if !w.report.allowed() {
		t.Errorf("after the sync that brought the grant, the report tab still says %q", w.report.denied.Text)
	}
}

// TestGrantPulledShowsOnAccess: a district administrator with the Users
// and access tab open sees a grant that a sync brought (given from
// another workstation) without leaving the tab.
func TestGrantPulledShowsOnAccess(t *testing.T) {
	h := startHub(t)
	u, _ := signedInApp(t, h, storetest.DistrictAdmin)
	u.openDistrict("001")
	u.wait()
	w := u.districts["001"]
	if w == nil || w.access == nil {
		t.Fatal("no Users and access tab in the window of district 001")
	}
	w.tabs.SelectIndex(3)
	u.wait()
	if c := w.access.checks[storetest.Coordinator]; c == nil || c.Checked {
		t.Fatalf("before any grant, the coordinator's check box is %v", c)
	}
	if err := h.db.SetGrant(context.Background(), storetest.User(storetest.DistrictAdmin), storetest.Coordinator, "001", true); err != nil {
		t.Fatal(err)
	}
	w.win.Canvas().(fyne.Shortcutable).TypedShortcut(keySync)
	u.wait()
	if c := w.access.checks[storetest.Coordinator]; c == nil || !c.Checked {
		t.Errorf("after the sync that brought the grant, the tab says %q", w.access.hint.Text)
	}
}
