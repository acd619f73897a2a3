package storage

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// queueBehind holds a write transaction open until n writes are queued
// behind it, then lets them all run. Write i puts key "<prefix>-i" and
// fails with errBad if bad(i). It returns each write's error and the ids of
// the transactions each write ran in.
func queueBehind(t *testing.T, s *testStore, prefix string, n int, bad func(int) bool) ([]error, []map[int]bool) {
	t.Helper()
	release, started := make(chan struct{}), make(chan struct{})
	var first sync.WaitGroup
	first.Go(func() {
		err := s.writes.update(func(tx *bolt.Tx) error {
			close(started)
			<-release
			return nil
		})
		if err != nil {
			t.Errorf("first write: %v", err)
		}
	})
	<-started

	var mu sync.Mutex
	txIDs := make([]map[int]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		txIDs[i] = map[int]bool{}
		wg.Go(func() {
			errs[i] = s.writes.update(func(tx *bolt.Tx) error {
				mu.Lock()
				txIDs[i][tx.ID()] = true
				mu.Unlock()
				if err := tx.Bucket(bMeta).Put(fmt.Appendf(nil, "%s-%d", prefix, i), []byte("1")); err != nil {
					return err
				}
				if bad(i) {
					return errBad
				}
				return nil
			})
		})
	}
	for {
		s.writes.mu.Lock()
		q := len(s.writes.queue)
		s.writes.mu.Unlock()
		if q == n {
			break
		}
		runtime.Gosched()
	}
	close(release)
	first.Wait()
	wg.Wait()
	return errs, txIDs
}

var errBad = errors.New("bad write")

// TestGroupCommit: writes submitted while a transaction is being written
// are committed together in the next one; a failing write is rolled back
// alone and the others of its group still commit, each once.
func TestGroupCommit(t *testing.T) {
	s := mustOpen(t)
	const n = 10

	errs, txIDs := queueBehind(t, s, "good", n, func(int) bool { return false })
	shared := map[int]int{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("write %d: %v", i, errs[i])
		}
		for id := range txIDs[i] {
			shared[id]++
		}
	}
	if len(shared) != 1 {
		t.Errorf("%d queued writes ran in %d transactions, want 1: %v", n, len(shared), shared)
	}

	errs, _ = queueBehind(t, s, "mixed", n, func(i int) bool { return i == 3 })
	for i, err := range errs {
		if (i == 3) != errors.Is(err, errBad) {
			t.Errorf("write %d of the group with a bad one: error %v", i, err)
		}
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		for i := range n {
			if meta.Get(fmt.Appendf(nil, "good-%d", i)) == nil {
				t.Errorf("write good-%d lost", i)
			}
			if got := meta.Get(fmt.Appendf(nil, "mixed-%d", i)) != nil; got != (i != 3) {
				t.Errorf("key of write mixed-%d stored: %v", i, got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
