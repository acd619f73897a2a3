package article

import (
	"context"
	"sync"
)

// hostLimiter bounds the number of concurrent holders per key (a host
// name). A key's entry exists only while some caller holds or waits for
// one of its slots, so the map never holds more entries than there are
// callers in flight.
type hostLimiter struct {
	limit int
	mu    sync.Mutex
	hosts map[string]*hostSlots
}

// hostSlots is one key's semaphore and the number of callers holding or
// waiting for it.
type hostSlots struct {
	sem   chan struct{}
	users int
}

func newHostLimiter(limit int) *hostLimiter {
	return &hostLimiter{limit: limit, hosts: make(map[string]*hostSlots)}
}

// acquire waits for a slot of host, or for ctx to end. On success the
// caller must call the returned release exactly once.
func (l *hostLimiter) acquire(ctx context.Context, host string) (release func(), err error) {
	l.mu.Lock()
	s := l.hosts[host]
	if s == nil {
		s = &hostSlots{sem: make(chan struct{}, l.limit)}
		l.hosts[host] = s
	}
	s.users++
	l.mu.Unlock()

	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		l.leave(host, s)
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			<-s.sem
			l.leave(host, s)
		})
	}, nil
}

// leave drops one user of s and forgets host when nobody is left.
func (l *hostLimiter) leave(host string, s *hostSlots) {
	l.mu.Lock()
	s.users--
	if s.users == 0 {
		delete(l.hosts, host)
	}
	l.mu.Unlock()
}

// size reports how many hosts have an entry (for tests).
func (l *hostLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.hosts)
}
