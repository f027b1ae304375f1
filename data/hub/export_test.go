package hub

import (
	"sync"
	"time"
)

// HoldPasswordChecks takes every place for a password check, as sign-ins
// in progress would, until release (which may be called again).
func (s *Server) HoldPasswordChecks() (release func()) {
	for range cap(s.hashing) {
		s.hashing <- struct{}{}
	}
	return sync.OnceFunc(func() {
		for range cap(s.hashing) {
			<-s.hashing
		}
	})
}

// StopLimiterClock stops the clock of the sign-in limiter at its time
// now, so that no lockout ends while a test runs.
func (s *Server) StopLimiterClock() {
	at := s.limiter.now()
	s.limiter.now = func() time.Time { return at }
}

// MaxSignInsAtOnce is how many sign-ins from one address the hub checks
// at once.
const MaxSignInsAtOnce = maxSignInsAtOnce
