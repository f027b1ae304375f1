package hubsql

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	gosync "sync"
	"time"

	"migrantdesk/data/sync"
)

// pageFlights lets pulls that ask for the same snapshot page at the same
// time share one reading of it. The users of one district (its
// coordinators and administrators), or the clerks of one region, ask
// for the same pages: on their first syncs, and all at once after an
// import starts a new epoch. Each reading is a few tens of milliseconds
// of CPU, taken from the pushes that arrive with it.
//
// A page read for another pull that was already under way is a snapshot
// of the scope at the feed's head when that reading began, and its
// cursor says so: the workstation pulls the feed from there, as it does
// after a page read at the moment it asked; the pull reads the page
// itself when the feed holds a change of its scope since (Reader.Pull).
// A page read is kept for a moment after its reading (KeepPage): the
// users of a district do not ask in the same millisecond, and in
// SyncLoad50 the second of a district's two first pages was most often
// read again tens of milliseconds after the first, while forty pushes
// waited for the cores.
type pageFlights struct {
	mu     gosync.Mutex
	flying map[string]*pageFlight
	kept   map[string]*pageFlight
	now    func() time.Time // time.Now; tests set it
}

// KeepPage is how long a page read is kept for other pulls, and
// keptPages how many are kept at most: a district's page is a few
// megabytes.
const (
	KeepPage  = time.Second
	keptPages = 8
)

type pageFlight struct {
	until   time.Time // when a kept page is read anew
	done    chan struct{}
	page    sync.Page
	head    int64 // the feed's head in the reading's transaction
	err     error
	waiters int // the pulls waiting for it, under pageFlights.mu
}

// do returns read's page and the feed's head it was read at, or (shared)
// those of a reading under the same key already under way or kept. A
// reading that failed (the pull that made it gone, its transaction
// ended) is no answer for another pull: that pull reads the page itself.
func (f *pageFlights) do(key string, read func() (sync.Page, int64, error)) (page sync.Page, head int64, shared bool, err error) {
	f.mu.Lock()
	now := time.Now
	if f.now != nil {
		now = f.now
	}
	if fl, ok := f.kept[key]; ok && now().Before(fl.until) {
		f.mu.Unlock()
		return fl.page, fl.head, true, nil
	}
	if fl, ok := f.flying[key]; ok {
		fl.waiters++
		f.mu.Unlock()
		<-fl.done
		if fl.err == nil {
			return fl.page, fl.head, true, nil
		}
		page, head, err := read()
		return page, head, false, err
	}
	// A reading that panics leaves this error for the pulls waiting on it.
	fl := &pageFlight{done: make(chan struct{}), err: errors.New("the snapshot page's reading stopped")}
	if f.flying == nil {
		f.flying = map[string]*pageFlight{}
	}
	f.flying[key] = fl
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.flying, key)
		if fl.err == nil {
			f.keep(key, fl, now())
		}
		f.mu.Unlock()
		close(fl.done)
	}()
	fl.page, fl.head, fl.err = read()
	if fl.err == nil {
		fl.page.Share()
	}
	return fl.page, fl.head, false, fl.err
}

// keep keeps fl's page under key until KeepPage after t, and drops the
// pages kept past their time, and the oldest beyond keptPages. Under f.mu.
func (f *pageFlights) keep(key string, fl *pageFlight, t time.Time) {
	if f.kept == nil {
		f.kept = map[string]*pageFlight{}
	}
	fl.until = t.Add(KeepPage)
	f.kept[key] = fl
	// A hub that falls quiet would otherwise hold its last pages, tens
	// of megabytes, until its next reading.
	time.AfterFunc(KeepPage, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.kept[key] == fl {
			delete(f.kept, key)
		}
	})
	for len(f.kept) > 0 {
		oldest := ""
		for k, kf := range f.kept {
			if oldest == "" || kf.until.Before(f.kept[oldest].until) {
				oldest = k
			}
		}
		if len(f.kept) <= keptPages && t.Before(f.kept[oldest].until) {
			return
		}
		delete(f.kept, oldest)
	}
}

// key names the snapshot page of the scope at epoch after cursor c (nil:
// the first page, at the feed's head) of at most limit rows: every input
// of snapshotPage. A district user's districts stay in their order,
// which decides the copy of a record they see (districtView).
func (sc scope) key(epoch string, c *sync.Cursor, limit int) string {
	var b strings.Builder
	b.WriteString(epoch)
	b.WriteByte(0)
	b.WriteString(sc.name())
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(limit))
	if c != nil {
		b.WriteString(" " + strconv.FormatInt(c.Seq, 10) + " " + strconv.Quote(c.Mark) + " " + strconv.Quote(c.Snapshot))
	}
	return b.String()
}

// name says what the scope holds, the same for every user who sees the
// same rows. A district user's districts keep their order (see key).
func (sc scope) name() string {
	switch {
	case sc.all:
		return "all"
	case sc.region != "":
		return "region " + strconv.Quote(sc.region)
	}
	var b strings.Builder
	b.WriteString("districts")
	for _, d := range sc.districts {
		b.WriteString(" " + strconv.Quote(d))
	}
	return b.String()
}

// fingerprint is the scope's name as a cursor carries it
// (sync.Cursor.Scope): short whatever the user's number of districts.
func (sc scope) fingerprint() string {
	sum := sha256.Sum256([]byte(sc.name()))
	return hex.EncodeToString(sum[:12])
}
