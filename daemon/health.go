package daemon

import (
	"fmt"
	"sync"
	"time"
)

// storeHealth remembers whether the last store write failed, for /readyz.
type storeHealth struct {
	mu      sync.Mutex
	since   time.Time // first failure of the current run of failures
	lastAt  time.Time // most recent failure
	lastErr error     // most recent failure; nil while writes succeed
}

// failed records a failed write at now and reports whether it starts a run
// of failures (the previous write succeeded).
func (h *storeHealth) failed(now time.Time, err error) (first bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	first = h.lastErr == nil
	if first {
		h.since = now
	}
	h.lastAt, h.lastErr = now, err
	return first
}

// ok records a successful write and reports whether it ends a run of
// failures.
func (h *storeHealth) ok() (recovered bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	recovered = h.lastErr != nil
	h.lastErr, h.since, h.lastAt = nil, time.Time{}, time.Time{}
	return recovered
}

// err describes the current run of failures, or returns nil.
func (h *storeHealth) err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lastErr == nil {
		return nil
	}
	return fmt.Errorf("store: last write failed at %s: %w (writes failing since %s)",
		h.lastAt.UTC().Format(time.RFC3339), h.lastErr, h.since.UTC().Format(time.RFC3339))
}
