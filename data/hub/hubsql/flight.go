package hubsql

import (
	"errors"
	"strconv"
	"strings"
	gosync "sync"

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
// after a page read at the moment it asked. Nothing is kept once the
// reading ends, so a later pull reads the page anew.
type pageFlights struct {
	mu     gosync.Mutex
	flying map[string]*pageFlight
}

type pageFlight struct {
	done    chan struct{}
	page    sync.Page
	err     error
	waiters int // the pulls waiting for it, under pageFlights.mu
}

// do returns read's page, or the page of a reading under the same key
// already under way. A reading that failed (the pull that made it gone,
// its transaction ended) is no answer for another pull: that pull reads
// the page itself.
func (f *pageFlights) do(key string, read func() (sync.Page, error)) (sync.Page, error) {
	f.mu.Lock()
	if fl, ok := f.flying[key]; ok {
		fl.waiters++
		f.mu.Unlock()
		<-fl.done
		if fl.err == nil {
			return fl.page, nil
		}
		return read()
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
		f.mu.Unlock()
		close(fl.done)
	}()
	fl.page, fl.err = read()
	return fl.page, fl.err
}

// key names the snapshot page of the scope at epoch after cursor c (nil:
// the first page, at the feed's head) of at most limit rows: every input
// of snapshotPage. A district user's districts stay in their order,
// which decides the copy of a record they see (districtView).
func (sc scope) key(epoch string, c *sync.Cursor, limit int) string {
	var b strings.Builder
	b.WriteString(epoch)
	b.WriteByte(0)
	switch {
	case sc.all:
		b.WriteString("all")
	case sc.region != "":
		b.WriteString("region " + strconv.Quote(sc.region))
	default:
		b.WriteString("districts")
		for _, d := range sc.districts {
			b.WriteString(" " + strconv.Quote(d))
		}
	}
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(limit))
	if c != nil {
		b.WriteString(" " + strconv.FormatInt(c.Seq, 10) + " " + strconv.Quote(c.Mark) + " " + strconv.Quote(c.Snapshot))
	}
	return b.String()
}
