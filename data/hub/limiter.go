package hub

import (
	"sync"
	"time"
)

// limiter slows down password guessing: after a few failed sign-ins for a
// user name, or from an address, further attempts for it are refused for
// a time that doubles with each failure, up to maxLockout. A success
// clears the user's count (not the address's: one right password must not
// unlock guessing at every other account from there).
type limiter struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]*strikes
}

type strikes struct {
	failures int
	until    time.Time
	last     time.Time
}

const (
	freeFailures = 5
	baseLockout  = time.Second
	maxLockout   = 15 * time.Minute
	// forgetAfter drops the count of a key that has been quiet this long,
	// which also bounds the map's size under a spray of user names.
	forgetAfter = time.Hour
	maxEntries  = 100_000
)

func newLimiter(now func() time.Time) *limiter {
	return &limiter{now: now, entries: map[string]*strikes{}}
}

// begin starts a sign-in for the user key from the address key: it
// reports how long they must still wait before another attempt (zero
// means go ahead). An attempt that goes ahead counts at once as a
// failure of the user key, until succeed clears it: counted only once
// its password had been checked, guesses at one name sent all together
// were every one checked, however many, before the first was counted.
// The address's count waits for the outcome (fail), as the workstations
// of an office behind one address sign in together in the morning.
func (l *limiter) begin(user, addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := l.waitLocked(user, addr); d > 0 {
		return d
	}
	l.failLocked(user)
	return 0
}

// abandon takes back the count begin made for an attempt that ended with
// no verdict on its password (the hub's database failed, or the client
// gave up while the check waited for its turn): a hub in trouble must
// not lock out the users it failed, and such an attempt learned nothing.
func (l *limiter) abandon(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.entries[user]; s != nil && s.failures > 0 {
		s.failures--
		if s.failures < freeFailures {
			s.until = time.Time{}
		}
	}
}

// wait reports how long the keys must still wait before another attempt;
// zero means go ahead.
func (l *limiter) wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waitLocked(keys...)
}

func (l *limiter) waitLocked(keys ...string) time.Duration {
	now := l.now()
	var longest time.Duration
	for _, k := range keys {
		if s := l.entries[k]; s != nil && s.until.After(now) {
			longest = max(longest, s.until.Sub(now))
		}
	}
	return longest
}

// fail counts a failed attempt against every key.
func (l *limiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failLocked(keys...)
}

func (l *limiter) failLocked(keys ...string) {
	now := l.now()
	if len(l.entries) > maxEntries {
		l.forget(now)
	}
	for _, k := range keys {
		s := l.entries[k]
		if s == nil || now.Sub(s.last) > forgetAfter {
			s = &strikes{}
			l.entries[k] = s
		}
		s.failures++
		s.last = now
		if over := s.failures - freeFailures; over >= 0 {
			d := min(baseLockout<<min(over, 20), maxLockout)
			s.until = now.Add(d)
		}
	}
}

// succeed clears a key's count.
func (l *limiter) succeed(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, key)
}

func (l *limiter) forget(now time.Time) {
	for k, s := range l.entries {
		if now.Sub(s.last) > forgetAfter {
			delete(l.entries, k)
		}
	}
}

// maxSignInsAtOnce bounds the sign-ins under way from one address. An
// address counts its failures only once their passwords are checked (see
// begin), so guesses at as many names as a client could send all at once
// were every one queued for a check of most of a second: thousands, from
// one client, kept every other sign-in waiting for many minutes. An
// office behind one address starts far fewer workstations together.
const maxSignInsAtOnce = 32

// crowd counts the sign-ins under way from each address.
type crowd struct {
	mu sync.Mutex
	n  map[string]int
}

// enter counts a sign-in from addr, unless maxSignInsAtOnce are under
// way from it already.
func (c *crowd) enter(addr string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[addr] >= maxSignInsAtOnce {
		return false
	}
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[addr]++
	return true
}

// leave ends a sign-in enter let in.
func (c *crowd) leave(addr string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n, ok := c.n[addr]; ok {
		if n <= 1 {
			delete(c.n, addr)
		} else {
			c.n[addr] = n - 1
		}
	}
}
