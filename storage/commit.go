package storage

import (
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxGroup is the most write functions committed in one transaction.
const maxGroup = 32

// releaseEvery is how often, at most, the committer releases the file's
// mapped pages after a commit (see releaseMapped).
const releaseEvery = time.Second

// committer runs write functions in shared bbolt write transactions (group
// commit). A function submitted while no transaction is being written runs
// at once, alone; functions submitted while one is being written wait, and
// are then run one after another in the next transaction and committed
// together: one commit and one fsync for all of them, and a page that
// several of them change is written once. Concurrent fetches that finish
// while the previous ones are being stored therefore share a commit,
// without any of them waiting for company.
//
// If any function of a group fails, or the commit does, the transaction is
// rolled back and each function of the group is run again in a
// transaction of its own, so that one bad write costs no other its commit.
// Write functions must therefore derive everything they write from the
// transaction they are given (as txn does), and may be called twice.
type committer struct {
	db *bolt.DB
	// near stages the in-memory near index's changes of each transaction
	// and makes them visible once it commits.
	near *nearIndex
	// running is held while a group is being committed (and its near
	// index changes applied); Check holds it to see a consistent state.
	running sync.Mutex
	// released is when mapped pages were last released, and later a
	// release scheduled for the end of a burst of commits (both under
	// running).
	released time.Time
	later    *time.Timer
	// every is releaseEvery (tests shorten it).
	every time.Duration
	// closed is set by close, under running: nothing is released after.
	closed bool

	mu    sync.Mutex
	queue []*write
	busy  bool // a goroutine is leading: running groups from the queue
}

// write is one submitted function and, once done is closed, its result.
type write struct {
	fn   func(*bolt.Tx) error
	err  error
	done chan struct{}
	// lead is signalled when the submitting goroutine is to run the next
	// group (the goroutine that ran the previous one hands over to the
	// first waiter, so that no caller runs others' writes indefinitely).
	lead chan struct{}
}

// update runs fn in a write transaction, possibly shared with other
// functions submitted concurrently, and returns fn's error or the commit's.
func (c *committer) update(fn func(*bolt.Tx) error) error {
	w := &write{fn: fn, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, w)
	if c.busy {
		c.mu.Unlock()
		select {
		case <-w.done:
			return w.err
		case <-w.lead:
		}
	} else {
		c.busy = true
		c.mu.Unlock()
	}
	// Leading: w is at the head of the queue.
	c.mu.Lock()
	n := min(len(c.queue), maxGroup)
	group := c.queue[:n:n]
	c.queue = append([]*write(nil), c.queue[n:]...)
	c.mu.Unlock()

	c.run(group)

	c.mu.Lock()
	if len(c.queue) > 0 {
		c.queue[0].lead <- struct{}{}
	} else {
		c.busy = false
	}
	c.mu.Unlock()
	<-w.done
	return w.err
}

// run commits group and sets every write's result.
func (c *committer) run(group []*write) {
	c.running.Lock()
	defer c.running.Unlock()
	defer c.release()
	finish := func(w *write, err error) {
		w.err = err
		close(w.done)
	}
	if len(group) == 1 {
		finish(group[0], c.commit(group[0].fn))
		return
	}
	err := c.commit(func(tx *bolt.Tx) error {
		for _, w := range group {
			if err := w.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, w := range group {
			finish(w, nil)
		}
		return
	}
	for _, w := range group {
		finish(w, c.commit(w.fn))
	}
}

// release releases the file's mapped pages if that was not done within
// the last second (releaseEvery), and otherwise makes sure it is done
// once the second is over, so that the pages a burst of commits mapped
// are released when it ends. c.running must be held. A failure is not the
// write's: it is ignored (the pages merely stay counted in the resident
// set a little longer).
func (c *committer) release() {
	if c.closed {
		return
	}
	every := c.every
	if every <= 0 {
		every = releaseEvery
	}
	since := time.Since(c.released)
	if since >= every {
		c.released = time.Now()
		_ = releaseMapped(c.db)
		return
	}
	if c.later == nil {
		c.later = time.AfterFunc(every-since, func() {
			c.running.Lock()
			defer c.running.Unlock()
			c.later = nil
			c.release()
		})
	}
}

// close stops releasing: the file is about to be closed.
func (c *committer) close() {
	c.running.Lock()
	defer c.running.Unlock()
	c.closed = true
	if c.later != nil {
		c.later.Stop()
		c.later = nil
	}
}

// commit runs fn in one write transaction, with the near index's changes
// staged for it.
func (c *committer) commit(fn func(*bolt.Tx) error) error {
	if c.near == nil {
		return c.db.Update(fn)
	}
	c.near.begin()
	err := c.db.Update(fn)
	if err != nil {
		c.near.rollback()
		return err
	}
	c.near.commit()
	return nil
}
