package storage

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aggregatord/aggregatord/stories"
)

// The near index maps each sketch key (stories.Sketch.Keys) of the items
// published recently to those items, for SaveFetch's story search. It is
// held in memory, not in the file: it is derived from the sketches bucket
// and idx_all, is rebuilt by Open, and would otherwise cost a dozen random
// B-tree inserts per new item, which make every write transaction rewrite
// pages all over a large bucket (and keep them in the page cache). In
// memory it costs 16 bytes per key: 12 keys of 100,000 items are 19 MB.
//
// It holds the entries of items whose shown copy was published at or after
// its horizon: Stories.Window + NearKeep before the newest Published it has
// seen that is not in the future, as of its last compaction (see
// compactLocked). A new item whose window reaches back before the horizon
// also compares the items there through idx_all (txn.olderCandidates).
// (The horizon follows the newest item, not the clock, so that a store
// fed old documents, such as a test's or an archive's, keeps them.)
//
// Changes made by a write transaction are staged (begin, add, del) and
// become visible to later transactions when it commits (commit), or are
// dropped (rollback); the committer calls these around every transaction,
// so lookups in a transaction see the committed entries plus its own.

// NearKeep is how far before the last compaction the near index keeps
// entries, beyond the story window: items published up to a day later
// than the window allows (a late feed, a backlog) still find their story.
const NearKeep = 24 * time.Hour

// nearEntry is one key of one item's sketch. at is the shown copy's
// Published in minutes since 1970 (clamped to the uint32 range): a
// minute's precision orders candidates by distance in time well enough,
// and candidates' times are checked against their records.
type nearEntry struct {
	id  uint64
	key uint32
	at  uint32
}

func cmpNear(a, b nearEntry) int {
	if c := cmp.Compare(a.key, b.key); c != 0 {
		return c
	}
	if c := cmp.Compare(a.at, b.at); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// nearMinutes maps a timeBits value to minutes since 1970, clamped.
func nearMinutes(tb uint64) uint32 {
	n := int64(tb ^ (1 << 63))
	m := n / int64(time.Minute)
	switch {
	case m < 0:
		return 0
	case m > 1<<32-1:
		return 1<<32 - 1
	}
	return uint32(m)
}

// nearFromIentry converts a kindNear index entry (sketch key, then ikey).
func nearFromIentry(ie ientry) nearEntry {
	k := []byte(ie.key)
	return nearEntry{
		key: binary.BigEndian.Uint32(k[:4]),
		at:  nearMinutes(binary.BigEndian.Uint64(k[4:12])),
		id:  binary.BigEndian.Uint64(k[12:20]),
	}
}

// nearIndex is the in-memory near index. All methods are safe for
// concurrent use; begin, add, del, commit and rollback are called by the
// one writer at a time.
type nearIndex struct {
	mu sync.Mutex
	// now returns the current time, for the horizon.
	now func() time.Time
	// span is Stories.Window + NearKeep at the last compaction.
	span    time.Duration
	horizon uint32 // minutes; no entry is earlier
	// newest is the latest at seen that was not after the clock's minute.
	newest uint32

	main []nearEntry // sorted by cmpNear
	// dir[h] is the index in main of the first entry whose key's top 16
	// bits are h or more (len 1<<16 + 1): keys are hashes, spread evenly,
	// so a lookup searches a few dozen entries instead of all of main.
	dir     []int32
	removed map[nearEntry]bool
	recent  map[uint32][]nearEntry // committed since the last compaction, per key sorted by cmpNear
	nrecent int

	// The open write transaction's changes.
	adds map[uint32][]nearEntry
	dels map[nearEntry]bool
}

func newNearIndex(now func() time.Time) *nearIndex {
	return &nearIndex{now: now, removed: map[nearEntry]bool{}, recent: map[uint32][]nearEntry{},
		adds: map[uint32][]nearEntry{}, dels: map[nearEntry]bool{}}
}

// horizonLocked returns the horizon that keeps items published within
// span before the newest item seen that is not in the future.
func (n *nearIndex) horizonLocked() uint32 {
	span := uint32(min(n.span/time.Minute, 1<<31))
	return n.newest - min(n.newest, span)
}

// seeLocked notes an item published at minute at.
func (n *nearIndex) seeLocked(at uint32) {
	if at > n.newest && at <= nearMinutes(timeBits(n.now())) {
		n.newest = at
	}
}

// load fills the index from the file: the sketches of the items whose
// shown copy was published at or after the horizon, walking idx_all from
// the newest item.
func (n *nearIndex) load(tx *bolt.Tx, window time.Duration) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.span = window + NearKeep
	n.newest, n.horizon = 0, 0
	var es []nearEntry
	sketches := tx.Bucket(bSketches)
	c := tx.Bucket(bIdxAll).Cursor()
	for k, _ := c.Last(); k != nil; k, _ = c.Prev() {
		if len(k) != ikeyLen {
			continue
		}
		at := nearMinutes(binary.BigEndian.Uint64(k[:8]))
		if n.newest == 0 {
			n.seeLocked(at)
			n.horizon = n.horizonLocked()
		}
		if at < n.horizon {
			break
		}
		id := ikeyID(k)
		v := sketches.Get(idKey(id))
		if v == nil {
			continue
		}
		sk, err := stories.ParseSketch(v)
		if err != nil {
			return fmt.Errorf("near index: sketch of item %d: %w", id, err)
		}
		if !sk.Groupable() {
			continue
		}
		for _, key := range sk.Keys() {
			es = append(es, nearEntry{id: id, key: key, at: at})
		}
	}
	slices.SortFunc(es, cmpNear)
	n.setMainLocked(slices.Compact(es))
	clear(n.removed)
	clear(n.recent)
	n.nrecent = 0
	n.rollbackLocked()
	return nil
}

// setMainLocked replaces main and rebuilds dir.
func (n *nearIndex) setMainLocked(main []nearEntry) {
	n.main = main
	if n.dir == nil {
		n.dir = make([]int32, 1<<16+1)
	}
	i := 0
	for h := range 1 << 16 {
		for i < len(main) && main[i].key>>16 < uint32(h) {
			i++
		}
		n.dir[h] = int32(i)
	}
	n.dir[1<<16] = int32(len(main))
}

// setWindow records a new story window; the horizon follows at the next
// compaction.
func (n *nearIndex) setWindow(window time.Duration) {
	n.mu.Lock()
	n.span = window + NearKeep
	n.mu.Unlock()
}

// begin starts staging a write transaction's changes.
func (n *nearIndex) begin() {
	n.mu.Lock()
	n.rollbackLocked()
	n.mu.Unlock()
}

// add stages e, unless it is before the horizon.
func (n *nearIndex) add(e nearEntry) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if e.at < n.horizon {
		return
	}
	n.seeLocked(e.at)
	if n.dels[e] {
		delete(n.dels, e)
		return
	}
	n.adds[e.key] = append(n.adds[e.key], e)
}

// del stages the removal of e.
func (n *nearIndex) del(e nearEntry) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if e.at < n.horizon {
		return // never kept
	}
	if s, ok := n.adds[e.key]; ok {
		if i := slices.Index(s, e); i >= 0 {
			n.adds[e.key] = slices.Delete(s, i, i+1)
			return
		}
	}
	n.dels[e] = true
}

// rollback drops the staged changes.
func (n *nearIndex) rollback() {
	n.mu.Lock()
	n.rollbackLocked()
	n.mu.Unlock()
}

func (n *nearIndex) rollbackLocked() {
	clear(n.adds)
	clear(n.dels)
}

// commit makes the staged changes part of the index, compacting it when
// the entries added since the last compaction reach a sixteenth of it (or 16,384).
func (n *nearIndex) commit() {
	n.mu.Lock()
	defer n.mu.Unlock()
	for e := range n.dels {
		if s, ok := n.recent[e.key]; ok {
			if i := slices.Index(s, e); i >= 0 {
				n.recent[e.key] = slices.Delete(s, i, i+1)
				n.nrecent--
				continue
			}
		}
		n.removed[e] = true
	}
	for k, s := range n.adds {
		r := n.recent[k]
		for _, e := range s {
			i, _ := slices.BinarySearchFunc(r, e, cmpNear)
			r = slices.Insert(r, i, e)
		}
		n.recent[k] = r
		n.nrecent += len(s)
	}
	n.rollbackLocked()
	if n.nrecent > max(1<<14, len(n.main)/16) {
		n.compactLocked()
	}
}

// compactLocked merges the recent entries into main, drops the removed
// ones, and moves the horizon to now less the span, dropping what falls
// before it. It merges in place, from the end, into main's spare
// capacity, so that the index is not held twice while it is rebuilt; main
// is reallocated (with a quarter to spare) only when that runs out.
func (n *nearIndex) compactLocked() {
	n.horizon = max(n.horizon, n.horizonLocked())
	add := make([]nearEntry, 0, n.nrecent)
	for _, s := range n.recent {
		for _, e := range s {
			if e.at >= n.horizon {
				add = append(add, e)
			}
		}
	}
	slices.SortFunc(add, cmpNear)
	need := len(n.main) + len(add)
	m := n.main
	if cap(m) < need {
		m = make([]nearEntry, len(n.main), need+need/4)
		copy(m, n.main)
	}
	m = m[:need]
	// Merge from the end: the next entry written never overtakes the next
	// one of main to be read.
	i, j := len(n.main)-1, len(add)-1
	for k := need - 1; j >= 0; k-- {
		if i >= 0 && cmpNear(m[i], add[j]) > 0 {
			m[k] = m[i]
			i--
		} else {
			m[k] = add[j]
			j--
		}
	}
	// Drop the removed entries and those before the horizon.
	w := 0
	for _, e := range m {
		if n.removed[e] || e.at < n.horizon {
			continue
		}
		m[w] = e
		w++
	}
	n.setMainLocked(m[:w])
	clear(n.removed)
	clear(n.recent)
	n.nrecent = 0
}

// nearest appends to dst the entries under key with at in [lo, hi], as
// the committed index and the staged changes have them: up to side of
// those at or after at and up to side of those before it, the nearest in
// time.
func (n *nearIndex) nearest(dst []nearEntry, key uint32, at, lo, hi uint32, side int) []nearEntry {
	n.mu.Lock()
	defer n.mu.Unlock()
	live := func(e nearEntry) bool { return !n.removed[e] && !n.dels[e] }
	start := len(dst)
	// From main and from recent (both sorted): side live entries each
	// way from at.
	var inMain []nearEntry
	if n.dir != nil {
		inMain = n.main[n.dir[key>>16]:n.dir[key>>16+1]]
	}
	for _, s := range [][]nearEntry{inMain, n.recent[key]} {
		first := sort.Search(len(s), func(i int) bool {
			e := s[i]
			return e.key > key || (e.key == key && e.at >= at)
		})
		for i, got := first, 0; i < len(s) && got < side; i++ {
			e := s[i]
			if e.key != key || e.at > hi {
				break
			}
			if live(e) {
				dst = append(dst, e)
				got++
			}
		}
		for i, got := first-1, 0; i >= 0 && got < side; i-- {
			e := s[i]
			if e.key != key || e.at < lo {
				break
			}
			if live(e) {
				dst = append(dst, e)
				got++
			}
		}
	}
	// The few entries staged under key.
	for _, e := range n.adds[key] {
		if e.at >= lo && e.at <= hi {
			dst = append(dst, e)
		}
	}
	// Keep the side nearest on each side.
	found := dst[start:]
	nBefore := 0
	for _, e := range found {
		if e.at < at {
			nBefore++
		}
	}
	if nBefore <= side && len(found)-nBefore <= side {
		return dst
	}
	slices.SortFunc(found, func(a, b nearEntry) int {
		return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.id, b.id))
	})
	split, _ := slices.BinarySearchFunc(found, at, func(e nearEntry, at uint32) int { return cmp.Compare(e.at, at) })
	before, after := found[max(0, split-side):split], found[split:min(len(found), split+side)]
	kept := append(slices.Clone(before), after...)
	return append(dst[:start], kept...)
}

// horizonMinute returns the horizon: no entry is earlier.
func (n *nearIndex) horizonMinute() uint32 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.horizon
}

// snapshot returns the committed entries and the horizon, for Check.
func (n *nearIndex) snapshot() (map[nearEntry]bool, uint32) {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make(map[nearEntry]bool, len(n.main)+n.nrecent)
	for _, e := range n.main {
		if !n.removed[e] {
			out[e] = true
		}
	}
	for _, s := range n.recent {
		for _, e := range s {
			out[e] = true
		}
	}
	return out, n.horizon
}
