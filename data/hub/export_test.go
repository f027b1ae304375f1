package hub

import "sync"

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
