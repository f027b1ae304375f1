package hubsql

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"migrantdesk/data"
	"migrantdesk/data/hub"
	"migrantdesk/data/sync"
)

// Bounds of one group commit. A push alone may carry up to the hub's
// largest batch (1000 mutations, 8 MiB), so a group always takes at least
// one push whatever its size; these keep a group's transaction, and so
// the wait of the pushes queued behind it, to a few pushes' work.
const (
	GroupMaxMutations = 2000
	GroupMaxBytes     = 4 << 20
)

// Committer applies pushes by group commit. Pushes are written one at a
// time whatever the back end (SQLite has one writer; PostgreSQL's pushes
// hold the feed lock), and each commit costs a disk flush, so when fifty
// workstations push at once each waited for every push before it. Pushes
// that arrive while a transaction runs now wait in a queue, and the next
// transaction applies all of them in arrival order with one commit
// (PushAll). Push after push in one transaction is what serial
// application is: each push reads the hub as the ones before it left it
// (the answers they gave, the records they changed), so every outcome,
// audit row and feed entry is the one a push of its own would have made.
type Committer struct {
	// write runs fn in one write transaction of the back end and commits
	// it when fn returns nil.
	write func(ctx context.Context, fn func(Tx) error) error

	mu      gosync.Mutex
	queue   []*waiting
	running bool
}

// NewCommitter queues pushes for write, the back end's write transaction.
func NewCommitter(write func(ctx context.Context, fn func(Tx) error) error) *Committer {
	return &Committer{write: write}
}

// waiting is one push in the queue, and its answer when done is closed.
type waiting struct {
	ctx   context.Context
	user  data.User
	at    sync.Cursor
	ms    []sync.Mutation
	bytes int
	since time.Time // when it joined the queue
	ended time.Time // when its group ended, for the wait to run again
	out   []sync.Result
	err   error
	done  chan struct{}
}

// Push applies muts as u, made at the cursor at, in the next group and
// returns their answers, or the error that kept the push from being
// applied (hub.ErrMoved: the hub is not at the cursor). A push whose
// caller gives up waiting may still be applied: its retry is then a
// duplicate, as after a lost response.
func (c *Committer) Push(ctx context.Context, u data.User, at sync.Cursor, muts []sync.Mutation) ([]sync.Result, error) {
	w := &waiting{ctx: ctx, user: u, at: at, ms: muts, since: time.Now(), done: make(chan struct{})}
	for _, m := range muts {
		w.bytes += len(m.ID) + len(m.EntityID) + len(m.Payload)
	}
	c.mu.Lock()
	c.queue = append(c.queue, w)
	if !c.running {
		c.running = true
		go c.run()
	}
	c.mu.Unlock()
	select {
	case <-w.done:
		// How long the push waited for a core after its group ended:
		// fifty pushes woken at once by one commit queue for the two.
		hub.Note(ctx, "woke_ms", ms(time.Since(w.ended)))
		return w.out, w.err
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the hub to apply the push: %w", ctx.Err())
	}
}

// run applies groups until the queue is empty.
func (c *Committer) run() {
	for {
		group := c.next()
		if group == nil {
			return
		}
		c.apply(group)
	}
}

// next takes the pushes of the next group from the head of the queue,
// in arrival order, within the bounds; nil (and the runner stops) when
// nothing waits.
func (c *Committer) next() []*waiting {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, count, size := 0, 0, 0
	for _, w := range c.queue {
		if n > 0 && (count+len(w.ms) > GroupMaxMutations || size+w.bytes > GroupMaxBytes) {
			break
		}
		n, count, size = n+1, count+len(w.ms), size+w.bytes
	}
	if n == 0 {
		c.running = false
		return nil
	}
	group := c.queue[:n:n]
	c.queue = c.queue[n:]
	return group
}

// apply runs a group in one transaction. A failure that is not one
// mutation's answer (a database error, a row the rules cannot read)
// fails a transaction whole, so then each push is applied again in a
// transaction of its own: one bad push fails alone, as it did before
// pushes were grouped.
func (c *Committer) apply(group []*waiting) {
	// The group outlives any one caller: a workstation that hangs up
	// must not fail the others' pushes.
	ctx := context.WithoutCancel(group[0].ctx)
	batches := make([]Batch, len(group))
	start := time.Now()
	for i, w := range group {
		batches[i] = Batch{User: w.user, At: w.at, Mutations: w.ms, Now: start}
	}
	// The log splits a group's time into its transaction's work (the
	// pushes' own times among it; on PostgreSQL the feed lock too, which
	// its first read takes) and the rest: BEGIN (SQLite's write lock),
	// and COMMIT with its flush to disk.
	var work time.Duration
	err := c.write(ctx, func(tx Tx) error {
		began := time.Now()
		defer func() { work = time.Since(began) }()
		return PushAll(tx, batches)
	})
	took := time.Since(start)
	if err == nil || len(group) == 1 {
		for i, w := range group {
			hub.Note(w.ctx, "queued_ms", ms(start.Sub(w.since)), "group", len(group), "group_at", i,
				"group_ms", ms(took), "group_work_ms", ms(work), "own_ms", ms(batches[i].Took))
			w.out, w.err = batches[i].Results, err
			if err == nil {
				w.err = batches[i].Err
			}
			if w.err != nil {
				w.out = nil
			}
			w.ended = time.Now()
			close(w.done)
		}
		return
	}
	for _, w := range group {
		hub.Note(w.ctx, "queued_ms", ms(time.Since(w.since)), "group", 1, "regrouped", true)
		var out []sync.Result
		w.err = c.write(context.WithoutCancel(w.ctx), func(tx Tx) error {
			var err error
			out, err = Push(tx, w.user, w.at, w.ms, time.Now())
			return err
		})
		if w.err == nil {
			w.out = out
		}
		w.ended = time.Now()
		close(w.done)
	}
}

// ms is d in milliseconds with microseconds, as the request log gives times.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
